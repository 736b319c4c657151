/**
 * `npm run bench:userspace`: tinybench micro-benchmarks of the harness's own
 * hot paths, so a slow decoder or estimator shows up before it slows a run.
 * Reported as operations per second (and items per second where an operation
 * covers many packets or flows).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Bench } from 'tinybench';
import { generateTrace, GEN_DEFAULTS } from '../trace/gen.ts';
import { openTraceSync, truthOf } from '../trace/format.ts';
import { flowKeys } from '../sketch/flow-keys.ts';
import { fasthash64Parts, seedHalves } from '../sketch/hash.ts';
import { flowCells, estimateFromCells } from '../sketch/estimate.ts';
import { simulateFromCells } from '../sketch/model.ts';
import { accuracyMetrics } from '../sketch/accuracy.ts';
import { defaultParams, resolveVariant } from '../build/manifest.ts';

const dir = mkdtempSync(join(tmpdir(), 'sb-ubench-'));
try {
  const path = join(dir, 'bench.trace');
  generateTrace(path, { ...GEN_DEFAULTS, flows: 100_000, packets: 1_000_000, seed: 1 });
  const trace = openTraceSync(path);
  const keys = flowKeys(trace.flows);
  const nFlows = trace.flows.length;
  const params = defaultParams();
  const unrolled = resolveVariant('nitro-unrolled');
  const perRow = resolveVariant('nitro-naive');
  const cells = flowCells(unrolled, params, keys);
  const seq = trace.readSequence();
  const counters = simulateFromCells(unrolled, { ...params, p: 1 }, cells, seq.flowIds);
  const truth = truthOf(trace).packets;
  const estimates = estimateFromCells(unrolled, params, counters, cells);
  const [hi, lo] = seedHalves(params.seeds[0]);

  const perOp: Record<string, { items: number; unit: string }> = {
    'trace decode (1M packets)': { items: seq.flowIds.length, unit: 'packets' },
    'fasthash64 (one 40-byte key)': { items: 1, unit: 'keys' },
    'flow keys (all flows)': { items: nFlows, unit: 'flows' },
    'cells per-row (all flows, 4 rows)': { items: nFlows, unit: 'flows' },
    'cells unrolled (all flows)': { items: nFlows, unit: 'flows' },
    'estimate all flows (nitro)': { items: nFlows, unit: 'flows' },
    'accuracy metrics (all flows)': { items: nFlows, unit: 'flows' },
  };
  const bench = new Bench({ time: 1000, warmupTime: 200 });
  let k = 0;
  bench
    .add('trace decode (1M packets)', () => { trace.readSequence(); })
    .add('fasthash64 (one 40-byte key)', () => { fasthash64Parts(keys.subarray((k % nFlows) * 40, (k++ % nFlows) * 40 + 40), hi, lo); })
    .add('flow keys (all flows)', () => { flowKeys(trace.flows); })
    .add('cells per-row (all flows, 4 rows)', () => { flowCells(perRow, params, keys); })
    .add('cells unrolled (all flows)', () => { flowCells(unrolled, params, keys); })
    .add('estimate all flows (nitro)', () => { estimateFromCells(unrolled, params, counters, cells); })
    .add('accuracy metrics (all flows)', () => { accuracyMetrics(truth, estimates); });
  await bench.run();
  console.log(`flows: ${nFlows}, packets: ${seq.flowIds.length}\n`);
  const rows = bench.tasks.map((t) => {
    const r = t.result as { state?: string; throughput?: { mean: number }; latency?: { mean: number } } | undefined;
    const ops = r?.throughput?.mean ?? (r?.latency?.mean ? 1000 / r.latency.mean : NaN);
    const per = perOp[t.name];
    return [t.name, ops.toFixed(ops < 100 ? 2 : 0), `${((ops * per.items) / 1e6).toFixed(2)} M ${per.unit}/s`];
  });
  const head = ['task', 'ops/s', 'items/s'];
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  console.log(head.map((h, i) => h.padEnd(w[i])).join('  '));
  for (const r of rows) console.log(r.map((c, i) => c.padEnd(w[i])).join('  '));
  trace.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
