/** Bars per variant with 95% CI whiskers: the shape of the throughput, cost and F1 figures. */
import type { SummaryRow } from '../../types/results.ts';
import { colourScale } from '../palette.ts';
import { PLOT_HEIGHT, PLOT_WIDTH, VL_CONFIG } from '../style.ts';
import { display, point, VL_SCHEMA } from './figure.ts';

export interface BarOptions {
  metric: string;
  cells: SummaryRow[];
  /** A dashed reference line, e.g. the baseline-drop ceiling. */
  rule?: { value: number; label?: string };
  yDomain?: [number, number];
}

export function barSpec(o: BarOptions): Record<string, unknown> {
  const { factor, label } = display(o.metric, o.cells[0]?.unit ?? '');
  const variants = o.cells.map((c) => c.variant);
  const x = { field: 'variant', type: 'nominal', sort: variants, title: null };
  const layers: Record<string, unknown>[] = [
    {
      mark: { type: 'bar', width: { band: 0.75 } },
      encoding: {
        x,
        y: { field: 'median', type: 'quantitative', title: label, ...(o.yDomain ? { scale: { domain: o.yDomain } } : {}) },
        color: { field: 'variant', type: 'nominal', scale: colourScale(variants), legend: null },
        tooltip: [{ field: 'variant' }, { field: 'median', format: '.4~g' }, { field: 'ciLow', format: '.4~g' }, { field: 'ciHigh', format: '.4~g' }, { field: 'n' }],
      },
    },
    {
      mark: { type: 'errorbar', ticks: { width: 6 }, color: '#222', thickness: 1 },
      encoding: { x, y: { field: 'ciLow', type: 'quantitative', title: label }, y2: { field: 'ciHigh' } },
    },
  ];
  if (o.rule) {
    const r = { value: o.rule.value * factor, label: o.rule.label };
    layers.push({ data: { values: [r] }, mark: { type: 'rule', strokeDash: [4, 3], color: '#444', strokeWidth: 1 }, encoding: { y: { field: 'value', type: 'quantitative' } } });
    // Only label the rule where bars stay below it (throughput); elsewhere the caption names it.
    if (o.rule.label) layers.push(
      { data: { values: [r] }, mark: { type: 'text', align: 'right', baseline: 'bottom', dy: -2, x: 'width', fontSize: 9, color: '#444' }, encoding: { y: { field: 'value', type: 'quantitative' }, text: { field: 'label' } } },
    );
  }
  return {
    $schema: VL_SCHEMA,
    width: PLOT_WIDTH,
    height: PLOT_HEIGHT,
    config: VL_CONFIG,
    data: { values: o.cells.map((c) => point(c, factor)) },
    layer: layers,
  };
}
