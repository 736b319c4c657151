/**
 * The paper's drill-down, its conf1 to conf6: nitro-naive -> +geometric -> +fasthash32 ->
 * +one fasthash64 sliced into rows -> +sampling before parsing -> +one-value layout, each
 * step's gain over the previous one written on its bar. Drawn only when nitro-naive and at
 * least one later step were measured, so the labels always compare like with like. The
 * shared-vs-per-CPU ablation (nitro-shared) is not a step of the paper's, so not drawn here.
 * Other ladders of the manifest (NitroSketch-UnivMon's) get figures of their own, drawn
 * when their first step and one more were measured.
 */
import type { FigureModule, FigureSpec } from './figure.ts';
import { display, point, VL_SCHEMA } from './figure.ts';
import { mainCells } from '../select.ts';
import { colourScale } from '../palette.ts';
import { PLOT_HEIGHT, PLOT_WIDTH, VL_CONFIG } from '../style.ts';
import { metricInfo, type PairedRatio, type SummaryRow } from '../../types/results.ts';
import { ladders } from '../../build/manifest.ts';

type Ladder = ReturnType<typeof ladders>[number];

/** The ladders as variants/manifest.json lists them, the paper's (nitro) first. */
const LADDERS = ladders();

/** Relative change from prev to cur, signed so that positive is always an improvement. */
export function gain(metric: string, prev: number, cur: number): number {
  const lowerBetter = metricInfo(metric).better === 'lower';
  return lowerBetter ? (prev - cur) / prev : (cur - prev) / prev;
}

/** A step's paired ratio to the step before it, when the run measured both in the same blocks. */
function stepRatio(ratios: PairedRatio[], metric: string, variant: string, previous: string): PairedRatio | undefined {
  return ratios.find((r) => r.phase === 'main' && r.metric === metric && r.variant === variant && r.reference === previous && Number.isFinite(r.ratio));
}

function build(ladder: Ladder, metric: string, title: string, summary: SummaryRow[], ratios: PairedRatio[]): FigureSpec[] {
  const cells = mainCells(summary, metric);
  const first = ladder.steps[0].variant;
  const steps = ladder.steps.flatMap((s) => {
    const c = cells.find((x) => x.variant === s.variant);
    return c ? [{ ...s, cell: c }] : [];
  });
  if (steps[0]?.variant !== first || steps.length < 2) return [];
  const { factor, label } = display(metric, steps[0].cell.unit);
  const lowerBetter = metricInfo(metric).better === 'lower';
  let paired = 0;
  const values = steps.map((s, i) => {
    // The step's own paired ratio where there is one (the host's drift cancels in it), else the medians.
    const r = i === 0 ? undefined : stepRatio(ratios, metric, s.variant, steps[i - 1].variant);
    if (r) paired++;
    const g = i === 0 ? undefined : r ? (lowerBetter ? 1 - r.ratio : r.ratio - 1) : gain(metric, steps[i - 1].cell.median, s.cell.median);
    // Cost falls as things improve, so its label shows the fall with a minus sign.
    const shown = g === undefined ? '' : `${(lowerBetter ? -g : g) >= 0 ? '+' : '\u2212'}${Math.abs(g * 100).toFixed(0)}%`;
    const interval = r ? `${r.ratio.toFixed(3)}x [${r.ciLow.toFixed(3)}, ${r.ciHigh.toFixed(3)}]` : '';
    return { ...point(s.cell, factor), step: s.step, gainLabel: shown, gain: g, stepRatio: interval };
  });
  const total = gain(metric, steps[0].cell.median, steps[steps.length - 1].cell.median);
  // Six steps' names do not fit side by side under bars of this width: slanted, they do.
  const x = { field: 'step', type: 'nominal', sort: steps.map((s) => s.step), title: null, axis: steps.length > 4 ? { labelAngle: -30, labelAlign: 'right' } : { labelAngle: 0 } };
  const spec = {
    $schema: VL_SCHEMA,
    width: PLOT_WIDTH,
    height: PLOT_HEIGHT,
    config: VL_CONFIG,
    data: { values },
    layer: [
      {
        mark: { type: 'bar', width: { band: 0.7 } },
        encoding: {
          x,
          y: { field: 'median', type: 'quantitative', title: label, scale: { nice: true } },
          color: { field: 'variant', type: 'nominal', scale: colourScale(steps.map((s) => s.variant)), legend: null },
          tooltip: [{ field: 'variant' }, { field: 'median', format: '.4~g' }, { field: 'gainLabel', title: 'vs previous' }, { field: 'stepRatio', title: 'paired ratio to previous, 95% CI' }],
        },
      },
      { mark: { type: 'errorbar', ticks: { width: 6 }, color: '#222', thickness: 1 }, encoding: { x, y: { field: 'ciLow', type: 'quantitative', title: label }, y2: { field: 'ciHigh' } } },
      { mark: { type: 'text', baseline: 'bottom', dy: -3, fontSize: 10, fontWeight: 'bold' }, encoding: { x, y: { field: 'ciHigh', type: 'quantitative' }, text: { field: 'gainLabel' } } },
    ],
  };
  const word = lowerBetter ? 'lower' : 'higher';
  return [{
    id: `drilldown-${ladder.name === 'nitro' ? '' : `${ladder.name}-`}${metric === 'cost_ns' ? 'cost' : 'throughput'}`,
    title: ladder.name === 'nitro' ? title : `${title} (${ladder.name})`,
    caption: `The paper's steps added to ${first} in turn; labels give each step's change over the previous one${paired ? `, from the paired ratio of the two (${paired} of ${steps.length - 1} steps; the others from medians)` : ', from the medians'}. In all, ${steps[steps.length - 1].variant} is ${Math.abs(total * 100).toFixed(0)}% ${total >= 0 ? 'better' : 'worse'} (${word} is better) than ${first} by the medians.`,
    spec,
  }];
}

export const drilldownFigure: FigureModule = {
  id: 'drilldown',
  needs: `cost_ns or throughput_pps rows of nitro-naive and at least one of ${LADDERS[0].steps.slice(1).map((s) => s.variant).join(', ')} (or the same of another ladder: ${LADDERS.slice(1).map((l) => l.steps[0].variant).join(', ')})`,
  build: (summary, ratios = []) => LADDERS.flatMap((l) => [
    ...build(l, 'throughput_pps', 'Drill-down: throughput gain per optimization', summary, ratios),
    ...build(l, 'cost_ns', 'Drill-down: cost reduction per optimization', summary, ratios),
  ]),
};
