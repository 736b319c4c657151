import { bar } from './per-variant.ts';
export const costFigure = bar({
  id: 'cost',
  metric: 'cost_ns',
  title: 'Cost per packet per variant',
  caption: 'In-kernel nanoseconds per packet (median, whiskers: 95% CI of the median). The dashed line is baseline-drop: the overhead of the method itself.',
});
