/** The reference model's slot stream and counters on hand-computed cases. */
import test from 'node:test';
import assert from 'node:assert/strict';
import { simulate, simulateFromCells, modelEstimateReps, samplingOf } from '../../harness/sketch/model.ts';
import { flowCells, estimateFromCells, type FlowCells } from '../../harness/sketch/estimate.ts';
import { flowKeys } from '../../harness/sketch/flow-keys.ts';
import { cellsFor } from '../../harness/sketch/cells.ts';
import { flowKeyBytes } from '../../harness/sketch/hash.ts';
import { defaultParams, resolveVariant } from '../../harness/build/manifest.ts';
import { cpuSeed, geoDraw, geometricTable, geoStart, xorshift32 } from '../../harness/build/geometric.ts';
import { GEO_TABLE_SIZE } from '../../harness/kernel/layout.ts';

// Flow f, row r -> flat index r * 8 + f, sign +1: every slot lands in its own cell.
function diagonalCells(flows: number, rows: number): FlowCells {
  const index = new Uint32Array(flows * rows), sign = new Int8Array(flows * rows).fill(1);
  for (let f = 0; f < flows; f++) for (let r = 0; r < rows; r++) index[f * rows + r] = r * 8 + f;
  return { rows, index, sign };
}

const nitroGeo = resolveVariant('nitro-geo');
const params2 = { ...defaultParams(), rows: 2, columns: 8, p: 0.25 };

test('geometric sampling walks the (packet,row) slot stream exactly as sketch_rows.h', () => {
  // Every draw is 2 and the stream starts at skip 1. Slots (2 per packet): sample slot 1, skip
  // 2, 3 (packet 1 whole: the fast path) -> slot 4, skip 5, 6 -> slot 7, skip 8, 9 (packet 4
  // whole) -> slot 10.
  const table = new Uint32Array(GEO_TABLE_SIZE).fill(2);
  const c = simulateFromCells(nitroGeo, params2, diagonalCells(6, 2), [0, 1, 2, 3, 4, 5], { geoTable: table, geoStates: [{ skip: 1, rng: 1 }] });
  const want = new Int32Array(16);
  want[8 + 0] = 1; // slot 1: packet 0, row 1
  want[0 + 2] = 1; // slot 4: packet 2, row 0
  want[8 + 3] = 1; // slot 7: packet 3, row 1
  want[0 + 5] = 1; // slot 10: packet 5, row 0
  assert.deepEqual(c, want);
});

test('a packet that does not parse spends its slots with order=sample-first, and none with parse-first', () => {
  const table = new Uint32Array(GEO_TABLE_SIZE).fill(2);
  const start = { geoTable: table, geoStates: [{ skip: 1, rng: 1 }] };
  const ids = [0, -1, 2, 3, -1, 5];
  const parseFirst = simulateFromCells(nitroGeo, params2, diagonalCells(6, 2), ids, start);
  // Parse first: the stream is that of [0, 2, 3, 5] -> slots 1, 4 (packet 3 row 0), 7 (packet 5 row 1).
  const wantParse = new Int32Array(16);
  wantParse[8 + 0] = 1;
  wantParse[0 + 3] = 1;
  wantParse[8 + 5] = 1;
  assert.deepEqual(parseFirst, wantParse);
  // Sample first: the same slots as with six good packets, minus those of packets 1 and 4 (none were sampled there).
  const sf = resolveVariant('nitro[sampling=geometric,order=sample-first]');
  const sampleFirst = simulateFromCells(sf, params2, diagonalCells(6, 2), ids, start);
  const all = simulateFromCells(sf, params2, diagonalCells(6, 2), [0, 1, 2, 3, 4, 5], start);
  assert.deepEqual(sampleFirst, all);
  const spent = simulateFromCells(sf, params2, diagonalCells(6, 2), [0, 1, -1, 3, 4, 5], start);
  assert.equal(spent[0 + 2], 0, 'packet 2 did not parse: its sampled slot updates nothing');
  assert.equal(spent[8 + 3], 1, 'and the stream goes on as if it had');
});

test('per-CPU geometric streams: each CPU starts from its own state and keeps its own position', () => {
  const table = geometricTable(0.25);
  const cells = diagonalCells(8, 2);
  const ids = Array.from({ length: 400 }, (_, i) => i % 8);
  const cpu = ids.map((_, i) => i % 2);
  const both = simulateFromCells(nitroGeo, params2, cells, ids, { cpuOf: cpu, samplingSeed: 9 });
  const a = simulateFromCells(nitroGeo, params2, cells, ids.filter((_, i) => i % 2 === 0), { samplingSeed: 9 });
  const b = simulateFromCells(nitroGeo, params2, cells, ids.filter((_, i) => i % 2 === 1), { geoStates: [geoStart(table, 9, 1)] });
  assert.deepEqual(both, a.map((v, i) => v + b[i]));
  assert.notDeepEqual(geoStart(table, 9, 0), geoStart(table, 9, 1));
  // And it is not the single-CPU stream.
  assert.notDeepEqual(both, simulateFromCells(nitroGeo, params2, cells, ids, { samplingSeed: 9 }));
});

test('the geometric table is Geometric(p) at its quantiles, and the draws do not cycle through it', () => {
  for (const p of [0.01, 1 / 16, 0.25, 0.5, 0.9]) {
    const t = geometricTable(p);
    const mean = t.reduce((s, x) => s + x, 0) / t.length;
    // A table of 4096 random draws would be off by about 1.6% at p = 1/16.
    assert.ok(Math.abs(mean / ((1 - p) / p) - 1) < 1e-3, `p=${p}: mean skip ${mean}`);
  }
  assert.ok(geometricTable(1).every((x) => x === 0));
  // The artifact cycled 4096 draws; here the 4096 draws after the first 4096 are not the same ones.
  const table = geometricTable(1 / 16);
  const s = geoStart(table, 1, 0);
  const first = Array.from({ length: GEO_TABLE_SIZE }, () => geoDraw(table, s));
  const next = Array.from({ length: GEO_TABLE_SIZE }, () => geoDraw(table, s));
  assert.notDeepEqual(first, next);
  assert.notEqual(xorshift32(1), 1);
  assert.ok(cpuSeed(0, 0) !== 0 && cpuSeed(0, 0) !== cpuSeed(0, 1) && cpuSeed(1, 0) !== cpuSeed(2, 0));
});

test('Count-Min and Count Sketch models add 1 / the sign at every row of every packet', () => {
  const params = { ...defaultParams(), rows: 4, columns: 64 };
  const flows = [
    { src: '198.18.0.1', dst: '198.19.0.1', sport: 1000, dport: 80, proto: 17 },
    { src: '198.18.0.2', dst: '198.19.0.1', sport: 1001, dport: 80, proto: 17 },
  ];
  const keys = flowKeys(flows);
  const ids = [0, 1, 1, 0, 1];
  for (const name of ['countmin', 'countsketch', 'nitro-unrolled']) {
    const v = resolveVariant(name);
    const got = simulate(v, { ...params, p: 1 }, keys, ids);
    const want = v.family === 'countmin' ? new Uint32Array(256) : new Int32Array(256);
    assert.equal(got.constructor, want.constructor);
    for (const id of ids) {
      for (const c of cellsFor(flowKeyBytes(flows[id]), { ...params, hashing: v.hashing })) want[c.row * 64 + c.col] += v.family === 'countmin' ? 1 : c.sign;
    }
    assert.deepEqual(got, want, name);
  }
});

test('NitroSketch at p = 1 equals Count Sketch cell for cell, with either sampling', () => {
  const params = { ...defaultParams(), p: 1 };
  const flows = Array.from({ length: 300 }, (_, i) => ({ src: `10.0.${i >> 8}.${i & 255}`, dst: '10.9.9.9', sport: 7, dport: i, proto: 17 }));
  const keys = flowKeys(flows);
  const ids = Uint32Array.from({ length: 5000 }, (_, i) => (i * i) % 300);
  for (const hash of ['xxhash32', 'fasthash32', 'fasthash64-sliced', 'fasthash64-compact']) {
    const cs = simulate(resolveVariant(`countsketch[hash=${hash}]`), params, keys, ids);
    for (const sampling of ['coin', 'geometric']) {
      for (const order of ['parse-first', 'sample-first']) {
        const v = resolveVariant(`nitro[sampling=${sampling},hash=${hash},order=${order}]`);
        assert.deepEqual(simulate(v, params, keys, ids, { samplingSeed: 5 }), cs, `${sampling} ${hash} ${order}`);
      }
    }
  }
});

test('sampled models update about p of all slots, are repeatable per seed and differ across seeds', () => {
  const p = 1 / 16, rows = 4, packets = 200_000;
  const cells = diagonalCells(1, rows);
  const ids = new Uint32Array(packets);
  const params = { ...defaultParams(), rows, columns: 8, p };
  for (const name of ['nitro-geo', 'nitro-naive']) {
    const v = resolveVariant(name);
    const c = simulateFromCells(v, params, cells, ids, { samplingSeed: 3 });
    let sampled = 0;
    for (const x of c) sampled += x;
    // Binomial sd = sqrt(800000 * p * (1 - p)) ~ 217; 5 sd.
    assert.ok(Math.abs(sampled - packets * rows * p) < 5 * 217, `${name}: ${sampled} sampled slots`);
    assert.deepEqual(simulateFromCells(v, params, cells, ids, { samplingSeed: 3 }), c);
    assert.notDeepEqual(simulateFromCells(v, params, cells, ids, { samplingSeed: 4 }), c);
  }
  assert.equal(samplingOf(resolveVariant('nitro-naive')), 'coin');
  assert.equal(samplingOf(resolveVariant('countmin')), 'none');
});

test('modelEstimateReps gives one aligned estimate vector per sampling seed', () => {
  const v = resolveVariant('nitro-naive');
  const params = { ...defaultParams(), columns: 64 };
  const keys = flowKeys(Array.from({ length: 50 }, (_, i) => ({ src: '10.0.0.1', dst: '10.0.0.2', sport: i, dport: 1, proto: 17 })));
  const ids = Uint32Array.from({ length: 20000 }, (_, i) => (i % 7 === 0 ? 0 : i % 50));
  const reps = modelEstimateReps(v, params, keys, ids, [0, 3], [1, 2, 3]);
  assert.equal(reps.length, 3);
  const cells = flowCells(v, params, keys);
  const one = estimateFromCells(v, params, simulateFromCells(v, params, cells, ids, { samplingSeed: 2 }), cells);
  assert.deepEqual([...reps[1]], [one[0], one[3]]);
});

test('the model rejects flow ids beyond the cells and tables of another size than the kernel\'s', () => {
  assert.throws(() => simulateFromCells(nitroGeo, params2, diagonalCells(2, 2), [0, 2]), /flow id 2/);
  assert.throws(() => simulateFromCells(nitroGeo, params2, diagonalCells(2, 2), [0], { geoTable: new Uint32Array(3) }), /has 4096 entries .* got 3/);
});
