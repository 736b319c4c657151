/** Estimators, heavy hitters and top-K on hand-computed cases; flow keys against flowKeyBytes. */
import test from 'node:test';
import assert from 'node:assert/strict';
import {
  countMinEstimate, countSketchEstimate, nitroEstimate, estimateAll, estimateFromCells, flowCells, heavyHitters, topK, estimatorOf,
} from '../../harness/sketch/estimate.ts';
import { flowKeys, keyAt, keyCount } from '../../harness/sketch/flow-keys.ts';
import { flowKeyBytes } from '../../harness/sketch/hash.ts';
import { cellsFor } from '../../harness/sketch/cells.ts';
import { defaultParams, resolveVariant } from '../../harness/build/manifest.ts';

// 3 rows x 4 columns; a flow in cells (0,1), (1,2), (2,0) -> flat 1, 6, 8.
const C = [
  5, 7, 0, 0,
  0, 0, -3, 2,
  9, 1, 1, 1,
];
const IDX = [1, 6, 8];

test('Count-Min takes the smallest counter of the flow', () => {
  assert.equal(countMinEstimate(C, IDX), -3);
  assert.equal(countMinEstimate([4, 9, 6, 2], [0, 2]), 4);
});

test('Count Sketch takes the median of sign * counter, the mean of the middle two for even rows', () => {
  // signs +, -, +: 7, 3, 9 -> median 7
  assert.equal(countSketchEstimate(C, IDX, [1, -1, 1]), 7);
  // 4 rows: 10, -2, 6, 8 -> sorted -2 6 8 10 -> (6 + 8) / 2
  assert.equal(countSketchEstimate([10, 2, 6, 8], [0, 1, 2, 3], [1, -1, 1, 1]), 7);
});

test('NitroSketch divides the Count Sketch median by p', () => {
  assert.equal(nitroEstimate(C, IDX, [1, -1, 1], 1 / 16), 112);
  assert.equal(nitroEstimate(C, IDX, [1, -1, 1], 1), 7);
});

test('estimateAll reads each flow at its kernel cells', () => {
  const params = { ...defaultParams(), rows: 4, columns: 8 };
  const flows = [
    { src: '198.18.0.1', dst: '198.19.0.1', sport: 1000, dport: 80, proto: 17 },
    { src: '2001:db8::1', dst: '2001:db8::2', sport: 443, dport: 5555, proto: 6 },
  ];
  const keys = flowKeys(flows);
  const counters = Array.from({ length: 32 }, (_, i) => i * 3 - 40);
  for (const name of ['countmin', 'countsketch', 'nitro-naive', 'nitro-unrolled']) {
    const v = resolveVariant(name);
    const est = estimateAll(v, params, counters, keys);
    flows.forEach((f, i) => {
      const cells = cellsFor(flowKeyBytes(f), { ...params, hashing: v.hashing });
      const vals = cells.map((c) => (v.family === 'countmin' ? 1 : c.sign) * counters[c.row * 8 + c.col]).sort((a, b) => a - b);
      const want = v.family === 'countmin' ? vals[0] : ((vals[1] + vals[2]) / 2) / (v.family === 'nitro' ? params.p : 1);
      assert.equal(est[i], want, `${name} flow ${i}`);
    });
  }
});

test('estimates refuse baselines and short counter arrays', () => {
  assert.throws(() => estimatorOf(resolveVariant('baseline-drop')), /keeps no sketch/);
  const params = { ...defaultParams(), rows: 2, columns: 4 };
  const keys = flowKeys([{ src: '1.2.3.4', dst: '5.6.7.8', sport: 1, dport: 2, proto: 17 }]);
  assert.throws(() => estimateAll(resolveVariant('countmin'), params, [1, 2, 3], keys), /8 needed/);
  const cells = flowCells(resolveVariant('countmin'), params, keys);
  assert.throws(() => estimateFromCells(resolveVariant('countmin'), { ...params, rows: 3 }, new Array(12).fill(0), cells), /rows/);
});

test('flowKeys equals flowKeyBytes for IPv4, IPv6, mapped and odd-looking IPv4 text', () => {
  const flows = [
    { src: '198.18.0.1', dst: '255.255.255.255', sport: 65535, dport: 0, proto: 17 },
    { src: '2001:db8::1', dst: '::ffff:1.2.3.4', sport: 1, dport: 2, proto: 6 },
    { src: '0.0.0.0', dst: '10.0.0.10', sport: 258, dport: 772, proto: 1 },
  ];
  const keys = flowKeys(flows);
  assert.equal(keyCount(keys), 3);
  flows.forEach((f, i) => assert.deepEqual(keyAt(keys, i), flowKeyBytes(f)));
  // Leading zeros are not valid IPv4 text: the general path must reject them as flowKeyBytes does.
  assert.throws(() => flowKeys([{ src: '01.2.3.4', dst: '1.2.3.4', sport: 0, dport: 0, proto: 17 }]));
});

test('heavyHitters keeps flows at or above the threshold', () => {
  const v = [50, 10, 30, 9.99, 1];
  // total 100.99 -> 10% = 10.099: only 50 and 30
  assert.deepEqual([...heavyHitters(v, 100.99, 0.1)], [0, 2]);
  // exactly at the threshold counts
  assert.deepEqual([...heavyHitters(v, 100, 0.1)], [0, 1, 2]);
  assert.deepEqual([...heavyHitters(v, 100, 0.6)], []);
});

test('topK orders largest first, ties to the smaller id, and clamps k', () => {
  const v = [3, 9, 3, 7, 9, 1];
  assert.deepEqual([...topK(v, 3)], [1, 4, 3]);
  assert.deepEqual([...topK(v, 5)], [1, 4, 3, 0, 2]);
  assert.deepEqual([...topK(v, 100)], [1, 4, 3, 0, 2, 5]);
  assert.deepEqual([...topK(v, 0)], []);
  // Against a full sort on a larger random array.
  let s = 7;
  const big = Array.from({ length: 5000 }, () => { s = (s * 1103515245 + 12345) % 2 ** 31; return s % 300; });
  const ref = big.map((x, i) => [x, i]).sort((a, b) => b[0] - a[0] || a[1] - b[1]).slice(0, 250).map((x) => x[1]);
  assert.deepEqual([...topK(big, 250)], ref);
});

// Its speed is a benchmark (npm run bench:userspace), not a test: here, that a million
// flows come out whole and each equals the estimate of its own cells.
test('1M flows x 4 rows: one estimate per flow, each the median of its own cells', () => {
  const n = 1_000_000;
  const keys = new Uint8Array(n * 40);
  for (let i = 0; i < n; i++) { keys[40 * i] = i & 255; keys[40 * i + 1] = (i >> 8) & 255; keys[40 * i + 2] = i >> 16; }
  const counters = new Int32Array(4 * 512).map((_, i) => i);
  const variant = resolveVariant('countsketch');
  const est = estimateAll(variant, defaultParams(), counters, keys);
  assert.equal(est.length, n);
  for (const i of [0, 1, 65_537, n - 1]) {
    assert.equal(est[i], estimateAll(variant, defaultParams(), counters, keys.subarray(40 * i, 40 * i + 40))[0]);
  }
});
