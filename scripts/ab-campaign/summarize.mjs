// Tally of an A/B campaign (run.sh): per run the exit code, every flagged cell, countmin's cost
// ratio current/base with its interval; then per kind how many runs were flagged.
// Usage: node scripts/ab-campaign/summarize.mjs [OUT]
import { readFileSync } from 'node:fs';
const dir = process.argv[2] ?? 'results/ab-campaign';
const lines = readFileSync(`${dir}/summary.txt`, 'utf8').trim().split('\n').filter((l) => l !== 'done');
const agg = { identical: { n: 0, flagged: 0, walls: [], ratios: [] }, faster: { n: 0, flagged: 0, walls: [], ratios: [] } };
for (const l of lines) {
  const [i, kind, rcS, wallS] = l.split(' ');
  const rc = Number(rcS.split('=')[1]), wall = Number(wallS.split('=')[1]);
  const c = JSON.parse(readFileSync(`${dir}/${i}-${kind}.json`, 'utf8'));
  const flagged = c.rows.filter((r) => r.regression).map((r) => `${r.variant}:${r.metric}`);
  const cm = c.rows.find((r) => r.variant === 'countmin' && r.metric === 'cost_ns');
  const other = c.rows.filter((r) => r.verdict !== 'unchanged' && !(r.variant === 'countmin' && r.metric === 'cost_ns')).map((r) => `${r.variant}:${r.metric}=${r.verdict}`);
  const a = agg[kind]; a.n++; if (rc === 1) a.flagged++; a.walls.push(wall); a.ratios.push(cm.ratio);
  console.log(`${i.padStart(2)} ${kind.padEnd(9)} rc=${rc} wall=${wall}s countmin cost ${cm.ratio.toFixed(3)} [${cm.ratioCiLow.toFixed(3)}, ${cm.ratioCiHigh.toFixed(3)}] ${cm.verdict}${flagged.length ? ' FLAGGED ' + flagged.join(',') : ''}${other.length ? ' other: ' + other.join(',') : ''}`);
}
for (const [k, a] of Object.entries(agg)) {
  if (!a.n) continue;
  console.log(`${k}: ${a.flagged} of ${a.n} flagged; countmin cost ratio ${Math.min(...a.ratios).toFixed(3)}-${Math.max(...a.ratios).toFixed(3)}; wall ${Math.min(...a.walls)}-${Math.max(...a.walls)} s`);
}
