/** Factory for the "one bar per variant" figures (throughput, cost). */
import type { FigureModule } from './figure.ts';
import { mainCells } from '../select.ts';
import { barSpec } from './bars.ts';

export function bar(o: { id: string; metric: string; title: string; caption: string; ruleLabel?: string }): FigureModule {
  return {
    id: o.id,
    needs: `${o.metric} rows`,
    build(summary) {
      const cells = mainCells(summary, o.metric);
      if (cells.length === 0) return [];
      const drop = cells.find((c) => c.variant === 'baseline-drop');
      const spec = barSpec({ metric: o.metric, cells, rule: drop ? { value: drop.median, label: o.ruleLabel } : undefined });
      return [{ id: o.id, title: o.title, caption: o.caption, spec }];
    },
  };
}
