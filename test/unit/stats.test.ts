// Statistics against values computed by hand (working in the comments).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { binomialCdfHalf, madOutliers, mannWhitney, medianCi, medianCiRank, outlierWarning, quantileSorted, ratioOfMedians, summarise, describe } from '../../harness/analyse/statistics.ts';
import type { Row } from '../../harness/types/results.ts';

const close = (a: number, b: number, eps = 1e-9) => assert.ok(Math.abs(a - b) <= eps, `${a} != ${b}`);

test('quantiles interpolate between order statistics (R type 7)', () => {
  // [1,2,3,4]: h = 3 * 0.25 = 0.75 -> 1 + 0.75 * (2 - 1)
  close(quantileSorted([1, 2, 3, 4], 0.25), 1.75);
  close(quantileSorted([1, 2, 3, 4], 0.5), 2.5);
  const d = describe([5, 1, 4, 2, 3]);
  assert.deepEqual([d.median, d.q1, d.q3, d.iqr, d.min, d.max], [3, 2, 4, 2, 1, 5]);
  close(d.mean, 3);
  close(d.stddev, Math.sqrt(2.5)); // sum of squares 10 / (n - 1)
});

test('median CI: order-statistic interval where it exists (n = 10 -> [x(2), x(9)])', () => {
  // k = 2: 1 - 2 P(Bin(10, 1/2) <= 1) = 1 - 2 * 11/1024 = 0.978515625 >= 0.95; k = 3 gives 0.89.
  const ci = medianCi([10, 9, 8, 7, 6, 5, 4, 3, 2, 1]);
  assert.equal(ci.method, 'order-statistic');
  assert.deepEqual([ci.low, ci.high], [2, 9]);
  close(ci.level, 1 - 22 / 1024);
  // n = 6: k = 1 gives 1 - 2/64 = 0.96875
  const ci6 = medianCi([1, 2, 3, 4, 5, 6]);
  assert.deepEqual([ci6.low, ci6.high, ci6.method], [1, 6, 'order-statistic']);
});

test('median CI: seeded bootstrap for n = 5, where no 95% order-statistic interval exists', () => {
  // P(bootstrap median = x(1)) = P(>= 3 of 5 draws are x(1)) = 0.0579 > 0.025, so the
  // percentile interval is [x(1), x(5)]; the same seed gives the same interval.
  const a = medianCi([1, 2, 3, 4, 5]);
  assert.equal(a.method, 'bootstrap');
  assert.deepEqual([a.low, a.high], [1, 5]);
  assert.deepEqual(medianCi([3, 1, 4, 1, 5]), medianCi([3, 1, 4, 1, 5]));
  assert.equal(medianCi([7]).method, 'none');
});

test('median CI rank: the one-pass sum gives the rank the definition gives, at every n', () => {
  // The definition: the largest k with 1 - 2 P(Bin(n, 1/2) <= k - 1) >= level.
  const byDefinition = (n: number, level: number) => {
    let best = 0;
    for (let k = 1; k <= Math.floor(n / 2); k++) if (1 - 2 * binomialCdfHalf(k - 1, n) >= level) best = k;
    return best;
  };
  for (const level of [0.9, 0.95, 0.99]) {
    for (let n = 1; n <= 400; n++) assert.equal(medianCiRank(n, level), byDefinition(n, level), `n = ${n}, level = ${level}`);
  }
  assert.equal(medianCiRank(5), 0); // no 95% interval from five values
  assert.equal(medianCiRank(6), 1); // 1 - 2/64
});

test('MAD outliers use the modified z-score > 3.5 and the warning says what to do', () => {
  // median 10.1, |dev| = .1 .1 .2 0 3.9 -> MAD .1; z(14) = 0.6745 * 3.9 / .1 = 26.3; z(9.9) = 1.35
  assert.deepEqual(madOutliers([10, 10.2, 9.9, 10.1, 14]), [4]);
  assert.deepEqual(madOutliers([5, 5, 5, 5, 9]), []); // MAD = 0: undefined score, no flag
  const w = outlierWarning({ variant: 'v', metric: 'cost_ns', n: 5, outliers: [4] });
  assert.match(w!, /1 of 5 repetitions of v cost_ns/);
  assert.match(w!, /pin|more repetitions/);
  assert.equal(outlierWarning({ variant: 'v', metric: 'cost_ns', n: 5, outliers: [] }), undefined);
});

test('Mann-Whitney exact p-values', () => {
  // Complete separation of 5 vs 5: only 1 of C(10,5) = 252 arrangements is as extreme per side.
  const r = mannWhitney([1, 2, 3, 4, 5], [6, 7, 8, 9, 10]);
  assert.equal(r.method, 'exact');
  assert.equal(r.u, 0);
  close(r.p, 2 / 252);
  // 3 vs 2 separated: 1 of C(5,2) = 10 per side.
  close(mannWhitney([1, 2, 3], [4, 5]).p, 0.2);
  close(mannWhitney([4, 5], [1, 2, 3]).p, 0.2);
  // All tied: no evidence at all.
  close(mannWhitney([1, 1], [1, 1]).p, 1);
  // Ties across groups: a=[1,2], b=[2,3]; midranks 1, 2.5, 2.5, 4; R_a = 3.5, U = 0.5.
  // Rank sums of the 6 subsets: 3.5,3.5,5,5,6.5,6.5 -> P(R <= 3.5) = 2/6 -> p = 2/3.
  const t = mannWhitney([1, 2], [2, 3]);
  close(t.u, 0.5);
  close(t.p, 2 / 3);
});

test('Mann-Whitney normal approximation beyond 50 values', () => {
  // odd vs even 1..60: U = 0+1+...+29 = 435, mu = 450, sigma = sqrt(900 * 61 / 12);
  // z = (15 - 0.5) / sigma = 0.21437, p = 0.830255 (computed with erf).
  const odd = Array.from({ length: 30 }, (_, i) => 2 * i + 1);
  const even = odd.map((v) => v + 1);
  const r = mannWhitney(odd, even);
  assert.equal(r.method, 'normal');
  close(r.u, 435);
  close(r.p, 0.8302552839, 1e-6);
});

test('ratio of medians with a bootstrap interval', () => {
  const r = ratioOfMedians([2, 2, 2], [1, 1, 1]);
  assert.deepEqual([r.ratio, r.ciLow, r.ciHigh], [2, 2, 2]);
  const s = ratioOfMedians([12, 11, 13, 12.5, 11.5], [10, 10.5, 9.5, 10.2, 9.8]);
  close(s.ratio, 12 / 10);
  assert.ok(s.ciLow < 1.2 && s.ciHigh > 1.2 && s.ciLow > 1, `${s.ciLow}..${s.ciHigh}`);
  assert.deepEqual(s, ratioOfMedians([12, 11, 13, 12.5, 11.5], [10, 10.5, 9.5, 10.2, 9.8]));
});

test('summarise groups by variant, metric, trace and params', () => {
  const row = (variant: string, value: number, rep: number, p = 0.5): Row => ({ variant, metric: 'cost_ns', rep, value, unit: 'ns/packet', trace: 't', params: { p, rows: 4 } });
  const rows = [row('a', 1, 0), row('a', 3, 1), row('b', 5, 0), row('a', 2, 2), { ...row('a', 9, 0, 1) }];
  const s = summarise(rows);
  assert.equal(s.length, 3);
  assert.deepEqual([s[0].variant, s[0].n, s[0].median], ['a', 3, 2]);
  // key order of params must not split a cell
  const swapped = summarise([row('a', 1, 0), { ...row('a', 2, 1), params: { rows: 4, p: 0.5 } }]);
  assert.equal(swapped.length, 1);
});
