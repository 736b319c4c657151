/** ARE against sketch memory: one point per variant and configuration, lines join a variant's configurations. */
import type { FigureModule } from './figure.ts';
import { VL_SCHEMA } from './figure.ts';
import { paramsKey, metricInfo, type SummaryRow } from '../../types/results.ts';
import { colourScale, sortVariants } from '../palette.ts';
import { PLOT_HEIGHT, PLOT_WIDTH, VL_CONFIG } from '../style.ts';

export const accuracyMemoryFigure: FigureModule = {
  id: 'are-memory',
  needs: 'are_all (or are_top100) and memory_bytes rows with the same variant and params',
  build(summary) {
    return (['are_all', 'are_top100'] as const).flatMap((metric) => {
      const spec = memorySpec(summary, metric, true);
      return spec ? [{
        id: metric === 'are_all' ? 'are-memory' : 'are-top100-memory',
        title: `${metricInfo(metric).label} against memory`,
        caption: 'Average relative error of per-flow estimates against sketch memory, one point per variant and configuration (median, whiskers: 95% CI). Lower-left is better.',
        spec,
      }] : [];
    });
  },
};

/**
 * One metric against memory_bytes of the same cell: a line per variant through its
 * configurations, the median and its 95% interval at each; undefined without data.
 * `log`: a log y axis (errors spanning decades), which drops cells at 0.
 */
export function memorySpec(summary: SummaryRow[], metric: string, log: boolean): Record<string, unknown> | undefined {
  const mem = new Map(summary.filter((s) => s.metric === 'memory_bytes').map((s) => [`${s.variant}\u0000${paramsKey(s.params)}`, s.median]));
  const pts = summary.flatMap((s) => {
    const m = mem.get(`${s.variant}\u0000${paramsKey(s.params)}`);
    return s.metric === metric && m !== undefined && m > 0 && (!log || s.median > 0)
      ? [{ variant: s.variant, memoryKiB: m / 1024, median: s.median, ciLow: log ? Math.max(s.ciLow, 1e-9) : s.ciLow, ciHigh: s.ciHigh, columns: s.params.columns, rows: s.params.rows, p: s.params.p }]
      : [];
  });
  if (pts.length === 0) return undefined;
  const variants = sortVariants(pts.map((p) => p.variant));
  const x = { field: 'memoryKiB', type: 'quantitative', title: 'Sketch memory (KiB)', scale: { type: 'log', base: 2 } };
  const yScale = log ? { type: 'log' } : { zero: false };
  const yTitle = metricInfo(metric).label + (log ? ' (log)' : '');
  const color = { field: 'variant', type: 'nominal', scale: colourScale(variants), title: null };
  return {
    $schema: VL_SCHEMA,
    width: PLOT_WIDTH,
    height: PLOT_HEIGHT,
    config: VL_CONFIG,
    data: { values: pts },
    layer: [
      { mark: { type: 'line', strokeWidth: 1, opacity: 0.7 }, encoding: { x, y: { field: 'median', type: 'quantitative', scale: yScale, title: yTitle }, color, order: { field: 'memoryKiB' } } },
      { mark: { type: 'errorbar', thickness: 1 }, encoding: { x, y: { field: 'ciLow', type: 'quantitative', scale: yScale, title: yTitle }, y2: { field: 'ciHigh' }, color } },
      { mark: { type: 'point', filled: true, size: 30 }, encoding: { x, y: { field: 'median', type: 'quantitative', scale: yScale }, color, shape: { field: 'variant', type: 'nominal', title: null }, tooltip: [{ field: 'variant' }, { field: 'memoryKiB' }, { field: 'median', format: '.4~g' }, { field: 'columns' }, { field: 'p' }] } },
    ],
  };
}
