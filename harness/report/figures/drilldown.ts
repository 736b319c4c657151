/**
 * The paper's drill-down: nitro-naive -> +geometric -> +per-CPU -> +unrolled, each step's
 * gain over the previous one written on its bar. Drawn only when nitro-naive and at least
 * one later step were measured, so the labels always compare like with like.
 */
import type { FigureModule, FigureSpec } from './figure.ts';
import { display, point, VL_SCHEMA } from './figure.ts';
import { mainCells } from '../select.ts';
import { colourScale } from '../palette.ts';
import { PLOT_HEIGHT, PLOT_WIDTH, VL_CONFIG } from '../style.ts';
import { metricInfo } from '../../types/results.ts';

export const DRILLDOWN_STEPS = [
  { variant: 'nitro-naive', step: 'naive' },
  { variant: 'nitro-geo', step: '+geometric' },
  { variant: 'nitro-percpu', step: '+per-CPU' },
  { variant: 'nitro-unrolled', step: '+unrolled' },
] as const;

/** Relative change from prev to cur, signed so that positive is always an improvement. */
export function gain(metric: string, prev: number, cur: number): number {
  const lowerBetter = metricInfo(metric).better === 'lower';
  return lowerBetter ? (prev - cur) / prev : (cur - prev) / prev;
}

function build(metric: string, title: string, summary: Parameters<FigureModule['build']>[0]): FigureSpec[] {
  const cells = mainCells(summary, metric);
  const steps = DRILLDOWN_STEPS.flatMap((s) => {
    const c = cells.find((x) => x.variant === s.variant);
    return c ? [{ ...s, cell: c }] : [];
  });
  if (steps[0]?.variant !== 'nitro-naive' || steps.length < 2) return [];
  const { factor, label } = display(metric, steps[0].cell.unit);
  const lowerBetter = metricInfo(metric).better === 'lower';
  const values = steps.map((s, i) => {
    const g = i === 0 ? undefined : gain(metric, steps[i - 1].cell.median, s.cell.median);
    // Cost falls as things improve, so its label shows the fall with a minus sign.
    const shown = g === undefined ? '' : `${(lowerBetter ? -g : g) >= 0 ? '+' : '\u2212'}${Math.abs(g * 100).toFixed(0)}%`;
    return { ...point(s.cell, factor), step: s.step, gainLabel: shown, gain: g };
  });
  const total = gain(metric, steps[0].cell.median, steps[steps.length - 1].cell.median);
  const x = { field: 'step', type: 'nominal', sort: steps.map((s) => s.step), title: null, axis: { labelAngle: 0 } };
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
          tooltip: [{ field: 'variant' }, { field: 'median', format: '.4~g' }, { field: 'gainLabel', title: 'vs previous' }],
        },
      },
      { mark: { type: 'errorbar', ticks: { width: 6 }, color: '#222', thickness: 1 }, encoding: { x, y: { field: 'ciLow', type: 'quantitative', title: label }, y2: { field: 'ciHigh' } } },
      { mark: { type: 'text', baseline: 'bottom', dy: -3, fontSize: 10, fontWeight: 'bold' }, encoding: { x, y: { field: 'ciHigh', type: 'quantitative' }, text: { field: 'gainLabel' } } },
    ],
  };
  const word = lowerBetter ? 'lower' : 'higher';
  return [{
    id: `drilldown-${metric === 'cost_ns' ? 'cost' : 'throughput'}`,
    title,
    caption: `Each optimization added to nitro-naive in turn; labels give each step's change over the previous bar. In all, ${steps[steps.length - 1].variant} is ${Math.abs(total * 100).toFixed(0)}% ${total >= 0 ? 'better' : 'worse'} (${word} is better) than nitro-naive.`,
    spec,
  }];
}

export const drilldownFigure: FigureModule = {
  id: 'drilldown',
  needs: 'cost_ns or throughput_pps rows of nitro-naive and at least one of nitro-geo, nitro-percpu, nitro-unrolled',
  build: (summary) => [
    ...build('throughput_pps', 'Drill-down: throughput gain per optimization', summary),
    ...build('cost_ns', 'Drill-down: cost reduction per optimization', summary),
  ],
};
