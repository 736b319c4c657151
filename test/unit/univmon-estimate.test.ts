/** UnivMon's recursion, statistics and sketch-named heavy hitters on known distributions (through the reference model). */
import test from 'node:test';
import assert from 'node:assert/strict';
import { defaultParams, resolveVariant } from '../../harness/build/manifest.ts';
import { flowKeys } from '../../harness/sketch/flow-keys.ts';
import { simulateUnivmon, type UnivmonModel, type UnivmonParams } from '../../harness/sketch/univmon-model.ts';
import { gSum, trueStatistics, univmonCandidates, univmonStatistics } from '../../harness/sketch/univmon-estimate.ts';
import { keyIndex, univmonMetrics } from '../../harness/sketch/univmon-accuracy.ts';
import { Xoshiro128 } from '../../harness/trace/prng.ts';
import type { HeavyEntry } from '../../harness/kernel/layout.ts';
import { METRICS } from '../../harness/types/results.ts';

const um = resolveVariant('univmon');
const k = (estimate: number, inNext: boolean) => ({ key: new Uint8Array(40), estimate, inNext });

test('the G-sum recursion: Y_{L-1} from the last layer, then Y_j = 2 Y_{j+1} + sum of (1 - 2[in j+1]) g', () => {
  // Layer 1 holds a (3); layer 0 holds a (3, also in layer 1) and b (2): Y_1 = 3, Y_0 = 2*3 - 3 + 2 = 5.
  assert.equal(gSum([[k(3, true), k(2, false)], [k(3, false)]], (x) => x), 5);
  // A key sampled up but not listed below still counts twice per layer up: Y_0 = 2 * 4 = 8 for g = 1 and 4 keys in layer 1.
  assert.equal(gSum([[], [k(1, false), k(1, false), k(1, false), k(1, false)]], () => 1), 8);
  assert.throws(() => gSum([], () => 1), /no layers/);
});

function trace(counts: number[]): { keys: Uint8Array; ids: number[] } {
  const flows = counts.map((_, i) => ({ src: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`, dst: '10.255.0.1', sport: 1000 + (i % 50000), dport: 80, proto: 6 }));
  const rng = new Xoshiro128(9);
  const ids = counts.flatMap((c, i) => new Array<number>(c).fill(i));
  // Shuffled, so a heavy flow is not offered to the lists all at once.
  for (let i = ids.length - 1; i > 0; i--) {
    const j = rng.below(i + 1);
    [ids[i], ids[j]] = [ids[j], ids[i]];
  }
  return { keys: flowKeys(flows), ids };
}

const oneCpu = (m: UnivmonModel, keys: Uint8Array): HeavyEntry[][][] =>
  m.lists.map((l) => [l.map((e) => ({ key: keys.subarray(40 * e.flow, 40 * e.flow + 40), est2: e.est2 }))]);

test('every layer listing every key of its layer, no collisions: distinct, entropy and F2 come out exact', () => {
  const counts = Array.from({ length: 30 }, (_, i) => 1 + ((i * 37) % 50));
  const { keys, ids } = trace(counts);
  const prm: UnivmonParams = { ...defaultParams(), rows: 3, columns: 1 << 14, p: 1, layers: 8, topk: 32 };
  const m = simulateUnivmon(um, prm, keys, ids);
  const c = univmonCandidates(um, prm, m.counters, oneCpu(m, keys));
  assert.equal(c.layers[0].length, 30);
  const want = trueStatistics(counts);
  const got = univmonStatistics(c, want.packets);
  assert.equal(got.distinct, 30);
  assert.ok(Math.abs(got.entropy - want.entropy) < 1e-9, `${got.entropy} vs ${want.entropy}`);
  assert.equal(got.f2, want.f2);
});

test('a Zipf trace of 20000 flows (16 layers, 16 keys each): every statistic within its expected error, heavy hitters named by the sketch', () => {
  const counts = Array.from({ length: 20000 }, (_, i) => Math.max(1, Math.floor(20000 / (i + 1) ** 1.1)));
  const { keys, ids } = trace(counts);
  const prm: UnivmonParams = { ...defaultParams(), rows: 4, columns: 1024, p: 1, layers: 16, topk: 16 };
  const m = simulateUnivmon(um, prm, keys, ids);
  const c = univmonCandidates(um, prm, m.counters, oneCpu(m, keys));
  const metrics = univmonMetrics(counts, c, keyIndex(keys), ids.length);
  // 16 keys in the layer where about 16 flows are left: distinct from some 16 samples (about 25%
  // standard error); entropy and F2 are dominated by heavy flows the lists hold.
  assert.ok(metrics.distinct_rel_err < 0.5, JSON.stringify(metrics));
  assert.ok(metrics.entropy_rel_err < 0.1, JSON.stringify(metrics));
  assert.ok(metrics.f2_rel_err < 0.05, JSON.stringify(metrics));
  // Exactly UnivMon's metrics of the results contract, no more, no fewer.
  assert.deepEqual(Object.keys(metrics).sort(), Object.keys(METRICS).filter((n) => /_rel_err$|^hh_sketch_/.test(n)).sort());
  // The 1% heavy hitters (a handful) are all in layer 0's list and estimated well.
  assert.equal(metrics.hh_sketch_recall_1pct, 1);
  // One flow just below 1% is estimated just above it here (11 of 12 reported are heavy).
  assert.ok(metrics.hh_sketch_precision_1pct >= 0.9, JSON.stringify(metrics));
  // At 0.01% there are more heavy flows than 16 layers x 16 keys can name: recall < 1 is the point of the metric.
  const heavy001 = counts.filter((x) => x >= 0.0001 * ids.length).length;
  assert.ok(heavy001 > 16, `${heavy001} heavy flows at 0.01%`);
  assert.ok(metrics['hh_sketch_recall_0.01pct'] < 1);
});
