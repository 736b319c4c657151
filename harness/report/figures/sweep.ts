/** Metric against a swept sketch parameter (p, columns), one line per variant. */
import type { FigureModule, FigureSpec } from './figure.ts';
import { display, point, VL_SCHEMA, wrapTitle } from './figure.ts';
import { sweepCells } from '../select.ts';
import { colourScale, sortVariants } from '../palette.ts';
import { PLOT_HEIGHT, PLOT_WIDTH, VL_CONFIG } from '../style.ts';

/** What each sweep draws, and from how many measured values on (the DUT's cores: two is a scaling figure already). */
const SWEEPS = [
  { key: 'p', title: 'Update probability p', labelExpr: "datum.value >= 1 ? '1' : '1/' + round(1 / datum.value)", metrics: ['throughput_pps', 'capacity_pps', 'cost_ns', 'are_all'], minValues: 3, log: true },
  { key: 'columns', title: 'Columns per row', labelExpr: undefined, metrics: ['throughput_pps', 'capacity_pps', 'cost_ns', 'are_all'], minValues: 3, log: true },
  { key: 'dutCores', title: 'DUT cores', labelExpr: undefined, metrics: ['throughput_pps', 'capacity_pps'], minValues: 2, log: false },
] as const;

export const sweepFigure: FigureModule = {
  id: 'sweep',
  needs: 'throughput_pps, capacity_pps, cost_ns or are_all rows over at least 3 values of params.p or params.columns, or throughput rows over 2 or more params.dutCores',
  build(summary) {
    const out: FigureSpec[] = [];
    for (const sw of SWEEPS) {
      for (const metric of sw.metrics) {
        const cells = sweepCells(summary, metric, sw.key, sw.minValues);
        if (cells.length === 0) continue;
        const { factor, label } = display(metric, cells[0].unit);
        const variants = sortVariants(cells.map((c) => c.variant));
        // Tick at the measured values only: a log axis would otherwise drop some labels.
        const ticks = [...new Set(cells.map((c) => c.params[sw.key] as number))].sort((a, b) => a - b);
        const x = { field: sw.key, type: 'quantitative', title: sw.title, scale: sw.log ? { type: 'log', base: 2 } : { zero: false }, axis: { labelAngle: 0, values: ticks, labelOverlap: false, ...(sw.labelExpr ? { labelExpr: sw.labelExpr } : {}) } };
        const logY = metric === 'are_all';
        const y = { field: 'median', type: 'quantitative', title: wrapTitle(label), scale: logY ? { type: 'log' } : { zero: false } };
        const color = { field: 'variant', type: 'nominal', scale: colourScale(variants), title: null };
        const short = { throughput_pps: 'throughput', capacity_pps: 'capacity', cost_ns: 'cost', are_all: 'are' }[metric];
        out.push({
          id: `${short}-vs-${sw.key}`,
          title: `${label.replace(/ \(.*\)$/, '')} against ${sw.key}`,
          caption: `${label} as ${sw.title.toLowerCase()} varies, other parameters at their default (median, whiskers: 95% CI of the median).`,
          spec: {
            $schema: VL_SCHEMA,
            width: PLOT_WIDTH,
            height: PLOT_HEIGHT,
            config: VL_CONFIG,
            data: { values: cells.map((c) => point(c, factor)) },
            layer: [
              { mark: { type: 'line', strokeWidth: 1.5 }, encoding: { x, y, color, order: { field: sw.key } } },
              { mark: { type: 'errorbar', thickness: 1, ticks: { width: 5 } }, encoding: { x, y: { ...y, field: 'ciLow' }, y2: { field: 'ciHigh' }, color } },
              { mark: { type: 'point', filled: true, size: 25 }, encoding: { x, y, color, tooltip: [{ field: 'variant' }, { field: sw.key }, { field: 'median', format: '.4~g' }] } },
            ],
          },
        });
      }
    }
    return out;
  },
};
