/**
 * github-action-benchmark "custom" tools: an array of {name, unit, value, range?, extra?}.
 * The tool has one direction per file, so there are two exporters: smaller-is-better
 * metrics (cost, errors) and bigger-is-better ones (throughput, F1). Values are the current run's.
 */
import type { Exporter } from './exporter.ts';
import type { Comparison } from '../compare.ts';
import { cellLabel } from '../compare.ts';

function entries(c: Comparison, better: 'lower' | 'higher') {
  return c.rows.filter((r) => r.better === better).map((r) => ({
    name: cellLabel(r),
    unit: r.unit,
    value: r.current.median,
    range: `${r.current.ciLow} to ${r.current.ciHigh}`,
    extra: `95% CI of the median, n=${r.current.n}; ratio to baseline ${r.ratio.toFixed(3)} [${r.ratioCiLow.toFixed(3)}, ${r.ratioCiHigh.toFixed(3)}]`,
  }));
}

export const gabSmallerExporter: Exporter = { id: 'github-action-benchmark-smaller', render: (c) => JSON.stringify(entries(c, 'lower'), null, 2) + '\n' };
export const gabBiggerExporter: Exporter = { id: 'github-action-benchmark-bigger', render: (c) => JSON.stringify(entries(c, 'higher'), null, 2) + '\n' };
