import { bar } from './per-variant.ts';
export const throughputFigure = bar({
  id: 'throughput',
  metric: 'throughput_pps',
  title: 'Throughput per variant',
  caption: 'Packets per second sustained on one core (median of repetitions, whiskers: 95% CI of the median). The dashed line is baseline-drop, the testbed ceiling.',
  ruleLabel: 'baseline-drop ceiling',
});
