/** Accuracy metrics and estimates.csv rows on hand-computed cases; the KS test against known values. */
import test from 'node:test';
import assert from 'node:assert/strict';
import {
  accuracyMetrics, errorsOver, heavyHitterScore, estimatesCsvRows, ksTwoSample, compareEstimateDistributions,
} from '../../harness/sketch/accuracy.ts';
import { METRICS } from '../../harness/types/results.ts';

const close = (a: number, b: number, msg?: string, tol = 1e-12): void => assert.ok(Math.abs(a - b) <= tol, `${msg ?? ''} ${a} != ${b}`);

test('ARE and AAE average relative and absolute errors', () => {
  const truth = [100, 10, 1, 4];
  const est = [110, 5, 1, 6];
  // relative: .1, .5, 0, .5 -> 1.1/4; absolute: 10, 5, 0, 2 -> 17/4
  const e = errorsOver(truth, est);
  close(e.are, 1.1 / 4);
  close(e.aae, 17 / 4);
  const top = errorsOver(truth, est, [0, 1]);
  close(top.are, 0.3);
  close(top.aae, 7.5);
  // A truth of 0 cannot enter ARE but still counts in AAE.
  const z = errorsOver([0, 10], [3, 10]);
  close(z.are, 0);
  close(z.aae, 1.5);
});

test('heavy-hitter precision, recall and F1 at a threshold of N', () => {
  // N = 1000, t = 10% -> T = 100. True HH {0, 1, 2}; reported {0, 2, 3}; hits {0, 2}.
  const truth = [500, 150, 100, 99, 151];
  const truthN = [...truth.slice(0, 4), 151];
  assert.equal(truthN.reduce((a, b) => a + b), 1000);
  const est = [480, 99, 100, 100, 0];
  const s = heavyHitterScore(truthN, est, 0.1);
  // true HH: 500, 150, 100, 151 (ids 0, 1, 2, 4); reported: 0, 2, 3 -> hits 0, 2
  assert.deepEqual([s.trueCount, s.reportedCount, s.hits], [4, 3, 2]);
  close(s.precision, 2 / 3);
  close(s.recall, 0.5);
  close(s.f1, (2 * (2 / 3) * 0.5) / (2 / 3 + 0.5));
});

test('heavy-hitter edge cases follow the documented convention', () => {
  // No true HH, none reported: perfect.
  assert.deepEqual(pick(heavyHitterScore([1, 1], [1, 1], 0.9)), [1, 1, 1]);
  // HH exist, none reported: P = 1, R = 0, F1 = 0.
  assert.deepEqual(pick(heavyHitterScore([10, 1], [0, 0], 0.5)), [1, 0, 0]);
  // None exist, some reported: P = 0, R = 1, F1 = 0.
  assert.deepEqual(pick(heavyHitterScore([1, 1], [5, 0], 0.9)), [0, 1, 0]);
  // Both non-empty and disjoint: P = R = 0 -> F1 = 0, not NaN.
  assert.deepEqual(pick(heavyHitterScore([10, 1], [0, 50], 0.5)), [0, 0, 0]);
});

function pick(s: { precision: number; recall: number; f1: number }): number[] {
  return [s.precision, s.recall, s.f1];
}

test('accuracyMetrics returns every accuracy metric name the results contract knows', () => {
  const truth = Float64Array.from({ length: 300 }, (_, i) => 300 - i);
  const est = truth.map((v, i) => v + (i % 2 ? 3 : 0));
  const m = accuracyMetrics(truth, est, { memoryBytes: 8192 });
  for (const name of Object.keys(m)) assert.ok(name in METRICS, `${name} is not in METRICS`);
  for (const name of Object.keys(METRICS).filter((n) => METRICS[n].kind === 'accuracy' && !/_rel_err$|^hh_sketch_/.test(n))) {
    // UnivMon's own metrics come from univmonMetrics (test/unit/univmon-estimate.test.ts).
    assert.ok(name in m, `${name} missing`);
  }
  // top100 = truth 300..201 (ids 0..99): 50 odd ids off by 3.
  close(m.aae_top100, 1.5);
  close(m.aae_all, 1.5);
  let are = 0;
  for (let i = 1; i < 100; i += 2) are += 3 / (300 - i);
  close(m.are_top100, are / 100);
  assert.equal(m.memory_bytes, 8192);
  // N = 45150; 1% = 451.5: no flow; 0.1% = 45.15: truth >= 46 -> ids 0..254, est adds 3 on odd ids
  assert.equal(m.hh_f1_1pct, 1);
  assert.equal(m['hh_recall_0.1pct'], 1);
  // reported: truth >= 46 plus odd ids with truth 43..45 +3 -> ids 255 (45+3) and 257 (43+3): 2 false positives
  close(m['hh_precision_0.1pct'], 255 / 257);
});

test('estimatesCsvRows: the 1000 largest, then a seeded uniform sample of the rest', () => {
  const n = 5000;
  const flows = Array.from({ length: n }, (_, i) => ({ src: `10.0.${i >> 8}.${i & 255}`, dst: '10.1.0.1', sport: i, dport: 53, proto: 17, family: 4 as const }));
  // Truth peaks in the middle, so "largest" is not simply the first ids.
  const truth = Float64Array.from({ length: n }, (_, i) => 1 + ((i * 7919) % n));
  const est = truth.map((v) => v * 2);
  const rows = estimatesCsvRows({ flows }, truth, est, 3, 'nitro-geo', 42);
  assert.equal(rows.length, 2000);
  const top = rows.slice(0, 1000);
  assert.ok(top.every((r, i) => i === 0 || r.true <= top[i - 1].true));
  assert.equal(top[999].true, n - 999);
  const rest = rows.slice(1000);
  assert.ok(rest.every((r) => r.true < n - 999));
  assert.equal(new Set(rest.map((r) => r.sport)).size, 1000);
  assert.deepEqual(Object.keys(rows[0]), ['variant', 'rep', 'src', 'dst', 'sport', 'dport', 'proto', 'true', 'estimate']);
  assert.deepEqual({ ...rows[0] }, { variant: 'nitro-geo', rep: 3, src: flows[rows[0].sport].src, dst: '10.1.0.1', sport: rows[0].sport, dport: 53, proto: 17, true: n, estimate: 2 * n });
  // Same seed, same sample, whatever the rep; another seed, another sample.
  assert.deepEqual(estimatesCsvRows({ flows }, truth, est, 4, 'x', 42).map((r) => r.sport), rows.map((r) => r.sport));
  assert.notDeepEqual(estimatesCsvRows({ flows }, truth, est, 3, 'x', 43).map((r) => r.sport), rows.map((r) => r.sport));
  // Uniform: the sample's mean id is near the middle of the others (sd of the mean ~ 1443/sqrt(1000) = 46).
  const meanId = rest.reduce((a, r) => a + r.sport, 0) / 1000;
  assert.ok(Math.abs(meanId - n / 2) < 4 * 46, `mean sampled id ${meanId}`);
  // Small traces: everything, once.
  assert.equal(estimatesCsvRows({ flows: flows.slice(0, 10) }, truth.slice(0, 10), est.slice(0, 10), 0, 'x', 1).length, 10);
});

test('KS two-sample: statistic and exact p against known values', () => {
  // Disjoint samples of 5 and 5: D = 1, p = 2 / C(10,5) = 2/252.
  const t = ksTwoSample([1, 2, 3, 4, 5], [6, 7, 8, 9, 10]);
  assert.equal(t.d, 1);
  assert.equal(t.method, 'exact');
  close(t.p, 2 / 252, 'p', 1e-12);
  // Identical samples: D = 0, p = 1.
  assert.deepEqual([ksTwoSample([1, 2, 3], [1, 2, 3]).d, ksTwoSample([1, 2, 3], [1, 2, 3]).p], [0, 1]);
  // Interleaved 1..8: x = odd, y = even -> D = 1/4; scipy gives p = 1.
  const u = ksTwoSample([1, 3, 5, 7], [2, 4, 6, 8]);
  close(u.d, 0.25);
  close(u.p, 1);
  // Reference values from scipy.stats.ks_2samp(x, y, method='exact') (SciPy 1.17).
  const r = ksTwoSample([0.61, 0.29, 0.06, 0.59, -1.73, -0.74, 0.51, -0.56, 0.39, 1.64], [-2.58, -0.9, -0.35, -0.47, -2.62, -0.81, -1.1, -0.19, -0.44, -0.13]);
  close(r.d, 0.7, 'd', 1e-12);
  close(r.p, 0.012340600575894691, 'p', 1e-9);
  // Unequal sizes (7 vs 5): D = 0.8, p = 0.030303...
  const q = ksTwoSample([1, 2, 3, 4, 5, 6, 7], [3.5, 8, 9, 10, 11]);
  close(q.d, 0.8, 'd', 1e-12);
  close(q.p, 0.030303030303030304, 'p', 1e-9);
});

test('KS asymptotic branch: same distribution is not rejected, a shift is', () => {
  let s = 1;
  const rnd = (): number => { s = (s * 48271) % 2147483647; return s / 2147483647; };
  const a = Array.from({ length: 400 }, rnd), b = Array.from({ length: 400 }, rnd);
  const same = ksTwoSample(a, b);
  assert.equal(same.method, 'asymptotic');
  assert.ok(same.p > 0.01, `p ${same.p}`);
  const shifted = ksTwoSample(a, b.map((x) => x + 0.15));
  assert.ok(shifted.p < 1e-4, `p ${shifted.p}`);
  // Same mean, different spread: KS sees it (the reason it is preferred to Mann-Whitney here).
  const spread = ksTwoSample(a, b.map((x) => 0.5 + (x - 0.5) * 0.4));
  assert.ok(spread.p < 1e-4, `p ${spread.p}`);
});

test('compareEstimateDistributions flags a biased side and accepts a matching one', () => {
  let s = 9;
  const rnd = (): number => { s = (s * 48271) % 2147483647; return s / 2147483647; };
  const truth = [1000, 500, 200];
  const reps = (bias: number): number[][] => Array.from({ length: 30 }, () => truth.map((t) => t * bias + (rnd() - 0.5) * 100));
  const ok = compareEstimateDistributions(reps(1), reps(1), truth);
  assert.equal(ok.consistent, true);
  const bad = compareEstimateDistributions(reps(1), reps(1.2), truth);
  assert.equal(bad.consistent, false);
  assert.ok(bad.meanErrorModel > bad.meanErrorKernel + 100);
  assert.throws(() => compareEstimateDistributions([[1]], [[1], [2]], [1]), /2 repetitions/);
});
