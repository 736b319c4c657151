/** UnivMon's recursion, statistics and sketch-named heavy hitters on known distributions (through the reference model). */
import test from 'node:test';
import assert from 'node:assert/strict';
import { defaultParams, resolveVariant } from '../../harness/build/manifest.ts';
import { flowKeys } from '../../harness/sketch/flow-keys.ts';
import { simulateUnivmon, type UnivmonModel, type UnivmonParams } from '../../harness/sketch/univmon-model.ts';
import { gSum, trueStatistics, univmonCandidates, univmonStatistics, unseenFlowScale } from '../../harness/sketch/univmon-estimate.ts';
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
  m.lists.map((l) => [l.map((e) => ({ key: keys.subarray(40 * e.flow, 40 * e.flow + 40), est2: e.est2, hits: e.hits }))]);

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

test('flows never sampled: Chao1 over the lists that never filled, update counts summed over CPUs, full lists left out', () => {
  const e = (id: number, hits: number): HeavyEntry => ({ key: Uint8Array.from({ length: 40 }, (_, i) => (i === 0 ? id : 0)), est2: 2, hits });
  const topk = 4;
  // Layer 0 is full (its counts may have restarted at an eviction): left out. Layer 1 spans two CPUs:
  // flow 1 has 1 + 1 updates (twice seen), flow 2 once, flow 3 once; layer 2 holds flow 1 again (same count).
  const lists = [
    [[e(1, 9), e(2, 9), e(3, 9), e(4, 9)], []],
    [[e(1, 1), e(2, 1)], [e(1, 1), e(3, 1)]],
    [[e(1, 2)], []],
  ];
  // S = 3 flows, f1 = 2 (flows 2 and 3), f2 = 1 (flow 1): (3 + 2 * 1 / (2 * 2)) / 3.
  assert.equal(unseenFlowScale(lists, topk, 0.25), (3 + 0.5) / 3);
  // The cap f1 (1 - q) / q: at q = 0.8 it equals Chao1's 0.5; at q = 0.9 it is lower (2 / 9) and binds.
  assert.equal(unseenFlowScale(lists, topk, 0.8), (3 + 0.5) / 3);
  assert.equal(unseenFlowScale(lists, topk, 0.9), (3 + 2 * 0.1 / 0.9) / 3);
  // Nothing to go on: no scaling.
  assert.equal(unseenFlowScale([[[e(1, 1), e(2, 1), e(3, 1), e(4, 1)]]], topk, 0.25), 1);
  // Unsampled UnivMon is never scaled, whatever its lists hold.
  const counts = [1, 1, 1, 2, 5];
  const { keys, ids } = trace(counts);
  const prm: UnivmonParams = { ...defaultParams(), rows: 3, columns: 256, p: 1, layers: 4, topk: 8 };
  const m = simulateUnivmon(um, prm, keys, ids);
  assert.equal(univmonCandidates(um, prm, m.counters, oneCpu(m, keys)).unseenScale, 1);
});

test('nitro-univmon at p = 1/16: without the unseen-flow estimate distinct flows are under by about the never-sampled share; with it the error is smaller and unbiased', () => {
  // Zipf 1.1 over 20000 flows, 100k packets: most flows have 1 to 3 packets, as in real traces.
  const counts = Array.from({ length: 20000 }, (_, i) => Math.max(1, Math.round(9000 / (i + 1) ** 1.1)));
  const { keys, ids } = trace(counts);
  const nitro = resolveVariant('nitro-univmon-final');
  const want = trueStatistics(counts).distinct;
  let withScale = 0, without = 0, signed = 0;
  const seeds = 6;
  for (let s = 0; s < seeds; s++) {
    const prm: UnivmonParams = { ...defaultParams(), seeds: defaultParams().seeds.map((x) => x + BigInt(s * 7919)), p: 1 / 16, layers: 16, topk: 32 };
    const m = simulateUnivmon(nitro, prm, keys, ids, { samplingSeed: 100 + s });
    const c = univmonCandidates(nitro, prm, m.counters, oneCpu(m, keys));
    const d = univmonStatistics(c, ids.length).distinct;
    withScale += Math.abs(d - want) / want / seeds;
    without += Math.abs(d / c.unseenScale - want) / want / seeds;
    signed += (d - want) / want / seeds;
  }
  // q = 1 - (15/16)^4 = 0.23 of the packets reach the lists: the share of flows never sampled.
  let unseen = 0;
  for (const n of counts) unseen += (1 - 0.228) ** n / counts.length;
  assert.ok(Math.abs(without - unseen) < 0.15, `without: ${without}, never-sampled share ${unseen}`);
  assert.ok(withScale < without / 1.5, `with Chao1 ${withScale}, without ${without}`);
  assert.ok(Math.abs(signed) < 0.2, `mean signed error ${signed}`);
});
