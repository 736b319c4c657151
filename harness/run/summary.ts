/** The summary printed at the end of a run: median and 95% CI per variant and metric. */
import type { ResultsFile } from '../results/types.ts';
import { formatValue } from './format.ts';

export function printSummary(results: ResultsFile, opts: { json?: boolean } = {}): void {
  if (opts.json) {
    console.log(JSON.stringify(results.summary, null, 2));
    return;
  }
  const rows = results.summary.map((s) => {
    const half = (s.ciHigh - s.ciLow) / 2;
    const rel = s.median !== 0 ? (half / Math.abs(s.median)) * 100 : 0;
    return [s.variant, s.metric, formatValue(s.median, s.unit), `[${formatValue(s.ciLow, s.unit)}, ${formatValue(s.ciHigh, s.unit)}]`, `±${rel.toFixed(1)}%`, String(s.n)];
  });
  const head = ['variant', 'metric', 'median', '95% CI', 'CI half-width', 'n'];
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  console.log(head.map((h, i) => h.padEnd(w[i])).join('  '));
  for (const r of rows) console.log(r.map((c, i) => c.padEnd(w[i])).join('  '));
}
