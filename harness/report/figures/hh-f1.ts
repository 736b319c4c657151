/** Heavy-hitter F1 per variant, one figure per threshold present (hh_f1_0.1pct, ...). */
import type { FigureModule } from './figure.ts';
import { mainCells } from '../select.ts';
import { barSpec } from './bars.ts';

export const hhF1Figure: FigureModule = {
  id: 'hh-f1',
  needs: 'hh_f1_<threshold> rows',
  build(summary) {
    const metrics = [...new Set(summary.map((s) => s.metric).filter((m) => /^hh_f1_/.test(m)))].sort();
    return metrics.flatMap((metric) => {
      const cells = mainCells(summary, metric);
      if (cells.length === 0) return [];
      const threshold = metric.replace('hh_f1_', '').replace('pct', '%');
      return [{
        id: `hh-f1-${metric.replace('hh_f1_', '')}`,
        title: `Heavy-hitter F1 (threshold ${threshold})`,
        caption: `F1 score of heavy-hitter detection for flows above ${threshold} of packets (median, whiskers: 95% CI of the median).`,
        spec: barSpec({ metric, cells, yDomain: [0, 1] }),
      }];
    });
  },
};
