/** The summary printed at the end of a run: median and 95% CI per variant and metric, then the paired ratios. */
import type { PairedRatio, ResultsFile } from '../types/results.ts';
import { formatValue } from './format.ts';
import { sortVariants } from '../report/palette.ts';
import { costPassRange, passRangeSentence } from '../analyse/host-speed.ts';

const RATIO_VERBS: Record<string, string> = {
  cost_ns: 'costs',
  cost_net_ns: 'costs, net of the replay,',
  throughput_pps: 'sustains',
  capacity_pps: 'has a capacity of',
};

/**
 * "nitro-naive costs 1.30x nitro-unrolled [1.29, 1.31] (744 paired blocks, worth 120 independent)":
 * the second count says the ratio moved with the host during the run, and the interval is that wide.
 */
export function ratioSentence(r: PairedRatio): string {
  const f = (x: number) => x.toFixed(x >= 10 ? 1 : 3);
  const where = r.phase === 'main' ? '' : ` (${r.phase}, ${Object.entries(r.params).filter(([k]) => ['p', 'columns', 'rows', 'layers', 'topk'].includes(k)).map(([k, v]) => `${k}=${v}`).join(' ')})`;
  return `${r.variant}${where} ${RATIO_VERBS[r.metric] ?? `${r.metric}:`} ${f(r.ratio)}x ${r.reference} [${f(r.ciLow)}, ${f(r.ciHigh)}] (${r.n} paired blocks${r.nEffective !== undefined && r.nEffective < r.n ? `, worth ${r.nEffective} independent` : ''})`;
}

export function printSummary(results: ResultsFile, opts: { json?: boolean } = {}): void {
  if (opts.json) {
    // The ratios are the numbers to act on; a script gets them beside the per-cell summary.
    console.log(JSON.stringify({ summary: results.summary, ratios: results.ratios }, null, 2));
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
  const main = results.ratios.filter((r) => r.phase === 'main' && r.metric !== 'throughput_pps');
  // Reference by reference, variants in the usual order, each variant's metrics together.
  const order = sortVariants(main.map((r) => r.variant));
  const refs = [...new Set(main.map((r) => r.reference))];
  const metrics = ['cost_ns', 'cost_net_ns', 'capacity_pps'];
  main.sort((a, b) => refs.indexOf(a.reference) - refs.indexOf(b.reference) || order.indexOf(a.variant) - order.indexOf(b.variant) || metrics.indexOf(a.metric) - metrics.indexOf(b.metric));
  if (main.length) {
    console.log('\npaired ratios (median of per-block ratios, 95% CI):');
    for (const r of main) console.log(`  ${ratioSentence(r)}`);
  }
  const range = costPassRange(results.rows);
  if (range) console.log(`\n${passRangeSentence(range)}`);
}
