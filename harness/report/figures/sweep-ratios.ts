/**
 * Paired ratios against a swept parameter: at each value of p, each program's cost and
 * capacity relative to the reference run at that same p, inside the same blocks. The
 * absolute sweep figures join points measured minutes apart (the main phase's p = 1/16
 * and the sweep's other values), so on a drifting host their lines can bend the wrong
 * way; a ratio taken inside blocks cannot. This is the paper's headline figure as the
 * tool can vouch for it: how much faster than naive, at every p, with intervals.
 */
import type { FigureModule, FigureSpec } from './figure.ts';
import { VL_SCHEMA, wrapTitle } from './figure.ts';
import { colourScale, sortVariants } from '../palette.ts';
import { PLOT_HEIGHT, PLOT_WIDTH, VL_CONFIG } from '../style.ts';
import type { PairedRatio } from '../../types/results.ts';

const METRICS = [
  { metric: 'capacity_pps', short: 'capacity', title: 'Capacity' },
  { metric: 'cost_ns', short: 'cost', title: 'Cost per packet' },
];
const KEY = 'p';
const MIN_VALUES = 3;

/** Ratios taken against the reference at the same swept value, for one metric. */
export function sweepRatios(ratios: PairedRatio[], metric: string): { reference: string; rows: PairedRatio[] } | undefined {
  const same = ratios.filter((r) => r.metric === metric && Number.isFinite(r.ratio) && typeof r.params[KEY] === 'number'
    && r.params[KEY] === r.referenceParams[KEY] && r.variant !== r.reference);
  // The reference that was measured against at the most values of p (the run's first, in ties).
  const values = new Map<string, Set<number>>();
  for (const r of same) {
    let v = values.get(r.reference);
    if (!v) values.set(r.reference, (v = new Set()));
    v.add(r.params[KEY] as number);
  }
  const [reference, seen] = [...values].reduce((best, e) => (e[1].size > best[1].size ? e : best), ['', new Set<number>()]);
  if (seen.size < MIN_VALUES) return undefined;
  // One ratio per (variant, p): a sweep phase's own, else the main phase's.
  const byCell = new Map<string, PairedRatio>();
  for (const r of same.filter((x) => x.reference === reference)) {
    const k = `${r.variant}\u0000${r.params[KEY]}`;
    if (!byCell.has(k) || r.phase !== 'main') byCell.set(k, r);
  }
  const rows = [...byCell.values()];
  const counts = new Map<string, number>();
  for (const r of rows) counts.set(r.variant, (counts.get(r.variant) ?? 0) + 1);
  return { reference, rows: rows.filter((r) => counts.get(r.variant)! >= MIN_VALUES) };
}

export const sweepRatiosFigure: FigureModule = {
  id: 'sweep-ratios',
  needs: 'paired cost or throughput slices at 3 or more values of params.p, each with the reference at the same p',
  build(_summary, ratios = []) {
    const out: FigureSpec[] = [];
    for (const m of METRICS) {
      const found = sweepRatios(ratios, m.metric);
      if (!found || found.rows.length === 0) continue;
      const { reference, rows } = found;
      const variants = sortVariants(rows.map((r) => r.variant));
      const ticks = [...new Set(rows.map((r) => r.params[KEY] as number))].sort((a, b) => a - b);
      const x = { field: KEY, type: 'quantitative', title: 'Update probability p', scale: { type: 'log', base: 2 }, axis: { labelAngle: 0, values: ticks, labelOverlap: false, labelExpr: "datum.value >= 1 ? '1' : '1/' + round(1 / datum.value)" } };
      const label = `${m.title} relative to ${reference}`;
      const y = { field: 'ratio', type: 'quantitative', title: wrapTitle(label), scale: { zero: false } };
      const color = { field: 'variant', type: 'nominal', scale: colourScale(variants), title: null };
      out.push({
        id: `${m.short}-ratio-vs-${KEY}`,
        title: `${label} against p`,
        caption: `${label} at each update probability p: median of per-block ratios, each program against ${reference} run at the same p in the same blocks, with 95% intervals; a point below the line at 1 is slower (capacity) or cheaper (cost). Unlike the absolute figures, no point depends on when its phase ran.`,
        spec: {
          $schema: VL_SCHEMA,
          width: PLOT_WIDTH,
          height: PLOT_HEIGHT,
          config: VL_CONFIG,
          data: { values: rows.map((r) => ({ variant: r.variant, [KEY]: r.params[KEY], ratio: r.ratio, ciLow: r.ciLow, ciHigh: r.ciHigh, n: r.n })) },
          layer: [
            { data: { values: [{ one: 1 }] }, mark: { type: 'rule', strokeDash: [4, 3], color: '#444' }, encoding: { y: { field: 'one', type: 'quantitative' } } },
            { mark: { type: 'line', strokeWidth: 1.5 }, encoding: { x, y, color, order: { field: KEY } } },
            { mark: { type: 'errorbar', thickness: 1, ticks: { width: 5 } }, encoding: { x, y: { ...y, field: 'ciLow' }, y2: { field: 'ciHigh' }, color } },
            { mark: { type: 'point', filled: true, size: 25 }, encoding: { x, y, color, tooltip: [{ field: 'variant' }, { field: KEY }, { field: 'ratio', format: '.4f' }, { field: 'ciLow', format: '.4f' }, { field: 'ciHigh', format: '.4f' }, { field: 'n', title: 'paired blocks' }] } },
          ],
        },
      });
    }
    return out;
  },
};
