/** Paired-slice statistics: ratios from blocks, the sign test, Holm, block schedules, A/B verdicts. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { blockRatios, effectiveBlocks, estimateRatio, holmAdjust, pairedRatios, signTestAbove } from '../../harness/analyse/paired.ts';
import { binomialCdfHalf, medianCi } from '../../harness/analyse/statistics.ts';
import { blockOrders, shuffledOrder, sliceRanges } from '../../harness/measure/blocks.ts';
import { abVerdicts, BASE_SUFFIX } from '../../harness/ab/ab-verdicts.ts';
import { Xoshiro128 } from '../../harness/trace/prng.ts';
import type { SliceRow } from '../../harness/types/results.ts';

/** Slices of `variants` over `blocks` blocks: value = base * drift(block) * noise. */
function synth(variants: Record<string, number>, blocks: number, opts: { noise?: number; seed?: number; metric?: string } = {}): SliceRow[] {
  const rng = new Xoshiro128(opts.seed ?? 1);
  const out: SliceRow[] = [];
  for (let b = 0; b < blocks; b++) {
    const drift = 1 + 0.4 * Math.sin(b / 7); // the host: slow, large
    Object.entries(variants).forEach(([variant, base], position) => {
      const noise = 1 + (opts.noise ?? 0.1) * (rng.float() - 0.5);
      out.push({ phase: 'main', variant, metric: opts.metric ?? 'cost_ns', rep: Math.floor(b / 50), block: b % 50, position, value: base * drift * noise, unit: 'ns/packet', packets: 1000, params: {} });
    });
  }
  return out;
}

test('binomial CDF stays exact in log space past n = 1023', () => {
  assert.equal(binomialCdfHalf(0, 1), 0.5);
  assert.equal(binomialCdfHalf(2, 4), 11 / 16);
  assert.ok(Math.abs(binomialCdfHalf(1500, 3000) - 0.5073) < 1e-3);
  assert.ok(binomialCdfHalf(1400, 3000) < 1e-3);
  const ci = medianCi(Array.from({ length: 3000 }, (_, i) => i));
  assert.equal(ci.method, 'order-statistic');
  assert.ok(ci.low > 1400 && ci.high < 1600 && ci.level >= 0.95);
});

test('paired ratios cancel a drift that unpaired medians cannot', () => {
  const slices = synth({ a: 100, b: 105 }, 1000);
  const [r] = pairedRatios(slices, { reference: 'a' });
  assert.equal(r.variant, 'b');
  assert.equal(r.reference, 'a');
  assert.equal(r.n, 1000);
  assert.ok(r.ciLow < 1.05 && r.ciHigh > 1.05, `${r.ciLow} .. ${r.ciHigh} holds 1.05`);
  assert.ok((r.ciHigh - r.ciLow) / 2 < 0.01, 'about +-0.5%');
  // The drift alone spreads each variant by +-40%.
  const a = slices.filter((s) => s.variant === 'a').map((s) => s.value);
  assert.ok(Math.max(...a) / Math.min(...a) > 2);
});

test('net cost ratios subtract the overhead of each block from both sides', () => {
  const slices = synth({ 'baseline-drop': 40, x: 60, y: 80 }, 300, { noise: 0 });
  const net = pairedRatios(slices, { reference: 'x' }).find((r) => r.variant === 'y' && r.metric === 'cost_net_ns')!;
  assert.ok(Math.abs(net.ratio - 2) < 1e-9);
  assert.ok(!pairedRatios(slices, { reference: 'x' }).some((r) => r.variant === 'baseline-drop' && r.metric === 'cost_net_ns'));
});

test('ladder steps: each present step is compared with the one before it, once', () => {
  // Real slices carry each variant's switches in params: steps differ there, and only there.
  const slices = synth({ a: 100, b: 80, c: 60, d: 30 }, 200, { noise: 0 }).map((s) => ({ ...s, params: { rows: 4, switches: { who: s.variant } } }));
  const rs = pairedRatios(slices, { reference: 'a', steps: [['a', 'b', 'x', 'c', 'd']] }).filter((r) => r.metric === 'cost_ns');
  const pairs = rs.map((r) => `${r.variant}/${r.reference}`).sort();
  // b/a, c/a, d/a from the reference; c/b and d/c from the ladder ('x' did not run: c steps from b).
  assert.deepEqual(pairs, ['b/a', 'c/a', 'c/b', 'd/a', 'd/c']);
  assert.ok(Math.abs(rs.find((r) => r.variant === 'c' && r.reference === 'b')!.ratio - 0.75) < 1e-9);
});

test('two ladders: each step pairs with the step before it on its own ladder only', () => {
  const slices = synth({ a: 100, b: 80, c: 60, d: 30 }, 200, { noise: 0 }).map((s) => ({ ...s, params: { rows: 4, switches: { who: s.variant } } }));
  const rs = pairedRatios(slices, { reference: 'a', steps: [['a', 'b'], ['c', 'd']] }).filter((r) => r.metric === 'cost_ns');
  // d/c from the second ladder; never c/b across them.
  assert.deepEqual(rs.map((r) => `${r.variant}/${r.reference}`).sort(), ['b/a', 'c/a', 'd/a', 'd/c']);
});

test('a missing reference falls back to the first variant; blocks without both sides are skipped', () => {
  const slices = synth({ a: 1, b: 2 }, 10, { noise: 0 });
  assert.equal(pairedRatios(slices, { reference: 'nope' })[0].reference, 'a');
  const m = new Map([['0:0', 2], ['0:1', 4]]);
  assert.deepEqual(blockRatios(m, new Map([['0:1', 2]])), [2]);
  assert.equal(estimateRatio([]).n, 0);
});

/** Ratios around `ratio` whose log follows an AR(1) with coefficient phi: a host whose state the ratio follows for a while. */
function ar1Ratios(n: number, phi: number, ratio: number, seed: number): number[] {
  const rng = new Xoshiro128(seed);
  const gauss = () => Math.sqrt(-2 * Math.log(1 - rng.float())) * Math.cos(2 * Math.PI * rng.float());
  let e = 0;
  return Array.from({ length: n }, () => {
    e = phi * e + Math.sqrt(1 - phi * phi) * 0.05 * gauss();
    return ratio * Math.exp(e);
  });
}

test('effective blocks: about n when independent, far fewer when the ratio wanders', () => {
  const indep = ar1Ratios(2000, 0, 1, 7);
  assert.ok(effectiveBlocks(indep) > 1500, `${effectiveBlocks(indep)}`);
  const wander = ar1Ratios(2000, 0.9, 1, 7);
  // Signs of an AR(1) at 0.9 correlate at (2/pi) asin(0.9) = 0.71 at lag 1: about 1/6 of n.
  assert.ok(effectiveBlocks(wander) < 500, `${effectiveBlocks(wander)}`);
  assert.equal(effectiveBlocks([1, 2, 3]), 3);
  assert.equal(effectiveBlocks(Array(50).fill(1)), 50);
});

test('a wandering ratio gets an interval that still covers it about 95% of the time', () => {
  let covered = 0;
  let naive = 0;
  const runs = 200;
  for (let seed = 1; seed <= runs; seed++) {
    const r = ar1Ratios(400, 0.8, 1.05, seed);
    const e = estimateRatio(r);
    if (e.ciLow <= 1.05 && e.ciHigh >= 1.05) covered++;
    const ci = medianCi(r);
    if (ci.low <= 1.05 && ci.high >= 1.05) naive++;
  }
  // Independent-block intervals would cover it about half the time.
  assert.ok(naive < 0.8 * runs, `naive covered ${naive}/${runs}`);
  assert.ok(covered >= 0.9 * runs, `covered ${covered}/${runs}`);
});

test('the sign test counts effective blocks: a wandering ratio above the bound for a while is not proof', () => {
  const r = ar1Ratios(400, 0.95, 1.0, 3);
  const above = r.filter((x) => x > 1).length;
  const independentP = binomialCdfHalf(400 - above, 400);
  // The true median is 1: counted as independent, the blocks would call it above at 5%.
  assert.ok(independentP < 0.05, `independent p ${independentP}`);
  assert.ok(signTestAbove(r, 1) > 0.05, `effective p ${signTestAbove(r, 1)}`);
});

test('sign test: one-sided, ties dropped', () => {
  assert.ok(Math.abs(signTestAbove([2, 2, 2], 1) - 0.125) < 1e-12);
  assert.equal(signTestAbove([0.5, 0.5], 1), 1);
  assert.equal(signTestAbove([1, 1, 1], 1), 1);
  assert.ok(signTestAbove(Array(20).fill(1.1), 1.05) < 1e-5);
});

test('Holm: step-down adjusted p-values, monotone, capped at 1', () => {
  const adj = holmAdjust([0.01, 0.04, 0.03, 0.5]);
  assert.deepEqual(adj.map((p) => Number(p.toFixed(4))), [0.04, 0.09, 0.09, 0.5]);
  assert.deepEqual(holmAdjust([0.9, 0.8]), [1, 1]);
  assert.deepEqual(holmAdjust([]), []);
});

test('block schedule: every index once per block, orders differ, seeded', () => {
  const next = blockOrders(5, 3);
  const orders = Array.from({ length: 50 }, () => next());
  for (const o of orders) assert.deepEqual([...o].sort(), [0, 1, 2, 3, 4]);
  assert.ok(new Set(orders.map((o) => o.join())).size > 20);
  assert.deepEqual(blockOrders(5, 3)(), orders[0]);
  // Each position is taken by each index about equally often.
  const first = new Array(5).fill(0);
  const rng = new Xoshiro128(9);
  for (let i = 0; i < 5000; i++) first[shuffledOrder(5, rng)[0]]++;
  assert.ok(first.every((c) => c > 900 && c < 1100), first.join(' '));
});

test('slice ranges tile the trace exactly', () => {
  for (const [total, slice] of [[1_000_000, 24_000], [10, 3], [5, 100], [65_537, 4096]]) {
    const r = sliceRanges(total, slice);
    assert.equal(r[0][0], 0);
    assert.equal(r[r.length - 1][1], total);
    for (let i = 1; i < r.length; i++) assert.equal(r[i][0], r[i - 1][1]);
    assert.ok(r.every(([a, b]) => b > a));
  }
});

function abOf(slices: SliceRow[], names: string[], thresholdPct = 2) {
  const id = { name: 'x', source: 'x', suite: 's', gitCommit: 'g', traces: ['t'] };
  return abVerdicts({ rows: [], slices, names, thresholdPct, alpha: 0.05, base: id, current: id, onlyInBase: [], onlyInCurrent: [] });
}

test('A/B verdicts: 6% slower is a regression, 6% faster an improvement, identical nothing, 1% below the threshold nothing', () => {
  const slices = synth({ a: 100, [`a${BASE_SUFFIX}`]: 100, b: 106, [`b${BASE_SUFFIX}`]: 100, c: 94, [`c${BASE_SUFFIX}`]: 100, d: 101, [`d${BASE_SUFFIX}`]: 100 }, 1000);
  const c = abOf(slices, ['a', 'b', 'c', 'd']);
  const v = Object.fromEntries(c.rows.map((r) => [r.variant, r.verdict]));
  assert.deepEqual(v, { a: 'unchanged', b: 'slower', c: 'faster', d: 'unchanged' });
  assert.equal(c.regressions, 1);
  assert.match(c.test!, /Holm-adjusted over 4 cells/);
});

test('A/B verdicts: for rates lower is worse', () => {
  const slices = synth({ a: 1e6, [`a${BASE_SUFFIX}`]: 1.1e6 }, 500, { metric: 'capacity_pps' });
  const [r] = abOf(slices, ['a']).rows;
  assert.equal(r.metric, 'capacity_pps');
  assert.equal(r.verdict, 'slower');
  assert.ok(r.ratio < 0.95);
});
