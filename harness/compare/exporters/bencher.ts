/** Bencher Metric Format: {"<benchmark>": {"<measure>": {value, lower_value, upper_value}}}, current run's medians and CI. */
import type { Exporter } from './exporter.ts';
import { cellLabel } from '../compare.ts';

export const bencherExporter: Exporter = {
  id: 'bencher',
  render(c) {
    const out: Record<string, Record<string, { value: number; lower_value: number; upper_value: number }>> = {};
    for (const r of c.rows) {
      // Benchmark = variant and params; measure = metric, so Bencher plots one line per metric.
      const bench = cellLabel(r).replace(` ${r.metric}`, '');
      (out[bench] ??= {})[r.metric] = { value: r.current.median, lower_value: r.current.ciLow, upper_value: r.current.ciHigh };
    }
    return JSON.stringify(out, null, 2) + '\n';
  },
};
