/**
 * Sketch theory checked on the reference model (no kernel): if the model, the cells or
 * the estimators drift from what the algorithms promise, these fail. Traces are drawn
 * in memory with fixed seeds, so every run sees the same numbers.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import * as ss from 'simple-statistics';
import { simulateFromCells } from '../../harness/sketch/model.ts';
import { estimateFromCells, flowCells, topK } from '../../harness/sketch/estimate.ts';
import { flowKeys } from '../../harness/sketch/flow-keys.ts';
import { errorsOver } from '../../harness/sketch/accuracy.ts';
import { drawSequence, makeFlows, GEN_DEFAULTS } from '../../harness/trace/gen.ts';
import { Xoshiro128 } from '../../harness/trace/prng.ts';
import { defaultParams, resolveVariant, type SketchParams } from '../../harness/build/manifest.ts';

/** Zipf trace in memory: keys, the packet sequence and exact per-flow counts. */
function zipfTrace(flows: number, packets: number, skew: number, seed: number) {
  const rng = new Xoshiro128(seed);
  const o = { ...GEN_DEFAULTS, flows, packets, skew, seed };
  const keys = flowKeys(makeFlows(flows, o, rng));
  const { ranks } = drawSequence(o, rng);
  const truth = new Float64Array(flows);
  for (const r of ranks) truth[r]++;
  return { keys, ids: ranks, truth, total: packets };
}

function seedsFrom(seed: number, n: number): bigint[] {
  const rng = new Xoshiro128(seed);
  return Array.from({ length: n }, () => (BigInt(rng.u32()) << 32n) | BigInt(rng.u32()));
}

const trace = zipfTrace(20_000, 200_000, 1.1, 7);

test('Count-Min never underestimates', () => {
  for (const [name, seed] of [['countmin', 1], ['countmin[hashing=unrolled]', 2]] as const) {
    const v = resolveVariant(name);
    // Narrow rows force many collisions, so "never below" is tested where it matters.
    const params: SketchParams = { rows: 4, columns: 256, p: 1, seeds: seedsFrom(seed, 4) };
    const cells = flowCells(v, params, trace.keys);
    const est = estimateFromCells(v, params, simulateFromCells(v, params, cells, trace.ids), cells);
    let over = 0;
    for (let i = 0; i < est.length; i++) {
      assert.ok(est[i] >= trace.truth[i], `${name}: flow ${i} estimated ${est[i]} < ${trace.truth[i]}`);
      if (est[i] > trace.truth[i]) over++;
    }
    assert.ok(over > est.length / 2, 'the check must see collisions to mean anything');
  }
});

test('Count-Min (e/eps wide, ln(1/delta) deep): share of flows off by more than eps*N stays below delta', () => {
  // w = e/eps exactly a power of two (the kernel needs one), d = ln(1/delta) exactly an integer.
  const w = 1024, d = 3;
  const eps = Math.E / w, delta = Math.exp(-d);
  const v = resolveVariant('countmin');
  for (const seed of [11, 12, 13]) {
    const params: SketchParams = { rows: d, columns: w, p: 1, seeds: seedsFrom(seed, d) };
    const cells = flowCells(v, params, trace.keys);
    const est = estimateFromCells(v, params, simulateFromCells(v, params, cells, trace.ids), cells);
    let bad = 0, n = 0;
    for (let i = 0; i < est.length; i++) {
      if (trace.truth[i] === 0) continue;
      n++;
      if (est[i] - trace.truth[i] > eps * trace.total) bad++;
    }
    assert.ok(bad / n < delta, `seed ${seed}: ${bad}/${n} flows off by more than ${(eps * trace.total).toFixed(0)} (delta ${delta.toFixed(3)})`);
  }
  // A quarter of the width breaks the bound's premise: the same check must then fail, or it tests nothing.
  const params: SketchParams = { rows: 1, columns: 32, p: 1, seeds: seedsFrom(11, 1) };
  const cells = flowCells(v, params, trace.keys);
  const est = estimateFromCells(v, params, simulateFromCells(v, params, cells, trace.ids), cells);
  let bad = 0, n = 0;
  for (let i = 0; i < est.length; i++) if (trace.truth[i] > 0) { n++; if (est[i] - trace.truth[i] > eps * trace.total) bad++; }
  assert.ok(bad / n > delta, `control: ${bad}/${n}`);
});

test('NitroSketch error falls as p rises (median ARE of the top 100 over seeds)', () => {
  const v = resolveVariant('nitro-unrolled');
  const params0 = defaultParams();
  const cells = flowCells(v, params0, trace.keys);
  const top = topK(trace.truth, 100);
  const medians: number[] = [];
  for (const p of [1 / 64, 1 / 16, 1 / 4, 1]) {
    const params = { ...params0, p };
    const ares = [1, 2, 3, 4, 5].map((seed) => {
      const est = estimateFromCells(v, params, simulateFromCells(v, params, cells, trace.ids, { samplingSeed: seed }), cells);
      return errorsOver(trace.truth, est, top).are;
    });
    medians.push(ss.median(ares));
  }
  for (let i = 1; i < medians.length; i++) {
    assert.ok(medians[i] < medians[i - 1], `median ARE by p (1/64, 1/16, 1/4, 1): ${medians.map((m) => m.toFixed(4)).join(', ')}`);
  }
});

test('NitroSketch is unbiased: mean estimate of the heaviest flows over many seeds is within a CI of the truth', () => {
  // Hash seeds vary with the sampling seed: with fixed hashes a flow's collisions are a
  // fixed offset, and unbiasedness is a statement over both sources of randomness.
  const small = zipfTrace(5_000, 60_000, 1.1, 3);
  const heavy = topK(small.truth, 5);
  const reps = 120;
  const byFlow: number[][] = Array.from(heavy, () => []);
  const rng = new Xoshiro128(99);
  for (const variant of ['nitro-unrolled', 'nitro-naive']) {
    const v = resolveVariant(variant);
    byFlow.forEach((a) => { a.length = 0; });
    for (let rep = 0; rep < reps; rep++) {
      const params: SketchParams = { rows: 4, columns: 512, p: 1 / 16, seeds: seedsFrom(rng.u32(), 4) };
      const cells = flowCells(v, params, small.keys);
      const est = estimateFromCells(v, params, simulateFromCells(v, params, cells, small.ids, { samplingSeed: rng.u32() }), cells);
      heavy.forEach((id, k) => byFlow[k].push(est[id]));
    }
    // Bonferroni over 5 flows at 0.1% overall: 0.0002 two-sided per flow, z = 3.72.
    const z = 3.72;
    heavy.forEach((id, k) => {
      const m = ss.mean(byFlow[k]), se = ss.sampleStandardDeviation(byFlow[k]) / Math.sqrt(reps);
      const t = small.truth[id];
      assert.ok(Math.abs(m - t) <= z * se, `${variant} flow ${id}: mean ${m.toFixed(1)} vs truth ${t} (se ${se.toFixed(1)})`);
      // The same interval must catch a 5% bias, or the test could not fail for the reason it exists.
      assert.ok(Math.abs(m * 1.05 - t) > z * se, `${variant} flow ${id}: CI too wide to detect 5% bias (se ${se.toFixed(1)})`);
    });
  }
});
