/**
 * Paired ratios to the run's reference, with their 95% intervals: one panel per
 * metric (cost, net cost, capacity), a dot per variant, a rule at 1. These are
 * the numbers a verdict rests on (the host's drift cancels inside each block),
 * so the title states the headline: naive against the optimized NitroSketch.
 */
import type { FigureModule, FigureSpec } from './figure.ts';
import { fmt, VL_SCHEMA } from './figure.ts';
import { colourScale, sortVariants } from '../palette.ts';
import { PLOT_WIDTH, VL_CONFIG } from '../style.ts';
import type { PairedRatio } from '../../types/results.ts';

const PANELS: { metric: string; title: string }[] = [
  { metric: 'cost_ns', title: 'Cost per packet (ratio to reference)' },
  { metric: 'cost_net_ns', title: 'Cost net of the replay (ratio to reference)' },
  { metric: 'capacity_pps', title: 'Capacity per DUT CPU-second (ratio to reference)' },
];

/** The optimized program the headline names: the paper's final step, or the project's older stand-in. */
const OPTIMIZED = ['nitro-final', 'nitro-unrolled'];

/** "nitro-final sustains 1.42x the capacity of nitro-naive [1.39, 1.45]": the paper's +40%, with an interval. */
export function headline(ratios: PairedRatio[]): string | undefined {
  const pair = (r: PairedRatio, opt: string) => (r.variant === 'nitro-naive' && r.reference === opt) || (r.variant === opt && r.reference === 'nitro-naive');
  const opt = OPTIMIZED.find((o) => ratios.some((r) => r.phase === 'main' && pair(r, o)));
  if (!opt) return undefined;
  const find = (metric: string) => ratios.find((r) => r.phase === 'main' && r.metric === metric && pair(r, opt));
  const cap = find('capacity_pps');
  if (!cap) return undefined;
  // Express it as optimized / naive whichever way round it was measured.
  const inv = cap.variant === 'nitro-naive';
  const [r, lo, hi] = inv ? [1 / cap.ratio, 1 / cap.ciHigh, 1 / cap.ciLow] : [cap.ratio, cap.ciLow, cap.ciHigh];
  return `${opt} sustains ${fmt(r)}x the capacity of nitro-naive [${fmt(lo)}, ${fmt(hi)}] (the paper: about 1.4x)`;
}

function panel(ratios: PairedRatio[], metric: string, title: string): FigureSpec | undefined {
  const all = ratios.filter((r) => r.phase === 'main' && r.metric === metric && Number.isFinite(r.ratio));
  if (all.length === 0) return undefined;
  const reference = all[0].reference;
  const order = sortVariants(all.filter((r) => r.reference === reference).map((r) => r.variant));
  const rows = order.map((v) => all.find((r) => r.variant === v && r.reference === reference)!);
  const variants = rows.map((r) => r.variant);
  const y = { field: 'variant', type: 'nominal', sort: variants, title: null };
  const spec = {
    $schema: VL_SCHEMA,
    width: PLOT_WIDTH,
    height: Math.max(80, 22 * rows.length),
    config: VL_CONFIG,
    data: { values: rows.map((r) => ({ variant: r.variant, ratio: r.ratio, ciLow: r.ciLow, ciHigh: r.ciHigh, n: r.n })) },
    layer: [
      { data: { values: [{ one: 1 }] }, mark: { type: 'rule', strokeDash: [4, 3], color: '#444' }, encoding: { x: { field: 'one', type: 'quantitative' } } },
      { mark: { type: 'errorbar', ticks: { height: 6 }, color: '#222' }, encoding: { y, x: { field: 'ciLow', type: 'quantitative', title: `ratio to ${reference}`, scale: { zero: false } }, x2: { field: 'ciHigh' } } },
      {
        mark: { type: 'point', filled: true, size: 50 },
        encoding: {
          y, x: { field: 'ratio', type: 'quantitative' },
          color: { field: 'variant', type: 'nominal', scale: colourScale(variants), legend: null },
          tooltip: [{ field: 'variant' }, { field: 'ratio', format: '.4f' }, { field: 'ciLow', format: '.4f' }, { field: 'ciHigh', format: '.4f' }, { field: 'n', title: 'paired blocks' }, { field: 'nEffective', title: 'worth independent' }],
        },
      },
    ],
  };
  const id = `ratio-${metric.replace(/_/g, '-')}`;
  const head = metric === 'capacity_pps' ? headline(ratios) : undefined;
  return {
    id,
    title: head ?? title,
    caption: `${title}: median of per-block ratios to ${reference} over ${Math.min(...rows.map((r) => r.n))} or more paired blocks, with 95% intervals. Variants of a block ran milliseconds apart, so the host's drift cancels; the intervals count the blocks as worth fewer independent ones when the ratio itself moved during the run.`,
    spec,
  };
}

export const ratiosFigure: FigureModule = {
  id: 'ratios',
  needs: 'paired cost or throughput slices (slices.jsonl)',
  build(_summary, ratios = []) {
    return PANELS.flatMap((p) => panel(ratios, p.metric, p.title) ?? []);
  },
};
