/** The reference model's slot stream and counters on hand-computed cases. */
import test from 'node:test';
import assert from 'node:assert/strict';
import { simulate, simulateFromCells, modelEstimateReps, samplingOf } from '../../harness/sketch/model.ts';
import { flowCells, estimateFromCells, type FlowCells } from '../../harness/sketch/estimate.ts';
import { flowKeys } from '../../harness/sketch/flow-keys.ts';
import { cellsFor } from '../../harness/sketch/cells.ts';
import { flowKeyBytes } from '../../harness/sketch/hash.ts';
import { defaultParams, resolveVariant } from '../../harness/build/manifest.ts';

// Flow f, row r -> flat index r * 8 + f, sign +1: every slot lands in its own cell.
function diagonalCells(flows: number, rows: number): FlowCells {
  const index = new Uint32Array(flows * rows), sign = new Int8Array(flows * rows).fill(1);
  for (let f = 0; f < flows; f++) for (let r = 0; r < rows; r++) index[f * rows + r] = r * 8 + f;
  return { rows, index, sign };
}

const nitroGeo = resolveVariant('nitro-geo');
const params2 = { ...defaultParams(), rows: 2, columns: 8, p: 0.25 };

test('geometric sampling walks the (packet,row) slot stream exactly as sketch_rows.h', () => {
  // skip starts at table[0] = 1, idx 1. Slots (2 per packet): skip 1 -> sample slot 1, next 0
  // -> slot 2, next 2 -> skip 3,4 -> slot 5, next 5 -> skip 6..10 (packets 3,4 on the fast path)
  // -> slot 11, next table[4 & 3] = 1.
  const table = Uint32Array.from([1, 0, 2, 5]);
  const c = simulateFromCells(nitroGeo, params2, diagonalCells(6, 2), [0, 1, 2, 3, 4, 5], { geoTable: table });
  const want = new Int32Array(16);
  want[8 + 0] = 1; // slot 1: packet 0, row 1
  want[0 + 1] = 1; // slot 2: packet 1, row 0
  want[8 + 2] = 1; // slot 5: packet 2, row 1
  want[8 + 5] = 1; // slot 11: packet 5, row 1
  assert.deepEqual(c, want);
});

test('per-CPU geometric streams: each CPU restarts at table[0] and keeps its own position', () => {
  const table = Uint32Array.from([1, 0, 2, 5, 0, 3, 1, 4]);
  const cells = diagonalCells(8, 2);
  const ids = [0, 1, 2, 3, 4, 5, 6, 7, 0, 1, 2, 3];
  const cpu = ids.map((_, i) => i % 2);
  const both = simulateFromCells(nitroGeo, params2, cells, ids, { geoTable: table, cpuOf: cpu });
  const a = simulateFromCells(nitroGeo, params2, cells, ids.filter((_, i) => i % 2 === 0), { geoTable: table });
  const b = simulateFromCells(nitroGeo, params2, cells, ids.filter((_, i) => i % 2 === 1), { geoTable: table });
  assert.deepEqual(both, a.map((v, i) => v + b[i]));
  // And it is not the single-CPU stream.
  assert.notDeepEqual(both, simulateFromCells(nitroGeo, params2, cells, ids, { geoTable: table }));
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
  for (const hashing of ['per-row', 'unrolled']) {
    const cs = simulate(resolveVariant(`countsketch[hashing=${hashing}]`), params, keys, ids);
    for (const sampling of ['coin', 'geometric']) {
      const v = resolveVariant(`nitro[sampling=${sampling},hashing=${hashing}]`);
      assert.deepEqual(simulate(v, params, keys, ids, { samplingSeed: 5 }), cs, `${sampling} ${hashing}`);
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

test('the model rejects flow ids beyond the cells and non power-of-two tables', () => {
  assert.throws(() => simulateFromCells(nitroGeo, params2, diagonalCells(2, 2), [0, 2]), /flow id 2/);
  assert.throws(() => simulateFromCells(nitroGeo, params2, diagonalCells(2, 2), [0], { geoTable: new Uint32Array(3) }), /power of two/);
});
