/** sketchbench micro's pure parts: inputs, slices to rows, the table's ratios and ranks, and the test-side hash references. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { geoSizes, INPUTS_BYTES, makeInputs, MICRO_KEYS } from '../../harness/micro/inputs.ts';
import { microRows, type TimedSlice } from '../../harness/micro/slices.ts';
import { GROUPS, displayName, references, selectGroups, tableEntriesOf } from '../../harness/micro/groups.ts';
import { microTable, ranks } from '../../harness/analyse/micro-table.ts';
import { microFigure } from '../../harness/report/figures/micro.ts';
import { summarise } from '../../harness/analyse/statistics.ts';
import { pairedRatios } from '../../harness/analyse/paired.ts';
import { geometricTable } from '../../harness/build/geometric.ts';
import { lookup3, murmur3, siphash } from '../fixtures/micro-hashes.ts';
import type { Row } from '../../harness/types/results.ts';
import { compileNative, variantsDir } from '../../harness/build/compile.ts';
import { join } from 'node:path';

const text = (s: string) => new TextEncoder().encode(s);
const group = (name: string) => GROUPS.find((g) => g.name === name)!;

test('the test-side hash references give the published vectors', () => {
  // lookup3.c's driver5; MurmurHash3's SMHasher vectors; SipHash paper, appendix A.
  assert.equal(lookup3(text('Four score and seven years ago'), 0), 0x17770551);
  assert.equal(lookup3(text('Four score and seven years ago'), 1), 0xcd628161);
  assert.equal(murmur3(text('The quick brown fox jumps over the lazy dog'), 0), 0x2e4ff723);
  assert.equal(murmur3(text(''), 1), 0x514e28b7);
  const key = new DataView(Uint8Array.from({ length: 16 }, (_, i) => i).buffer);
  assert.equal(siphash(Uint8Array.from({ length: 15 }, (_, i) => i), key.getBigUint64(0, true), key.getBigUint64(8, true)), 0xa129ca6149be45e5n);
});

test('inputs: the C struct size, deterministic per seed, 5-tuples with TCP/UDP protocols, geometric quantile tables', () => {
  const a = makeInputs(5);
  assert.equal(a.bytes.length, INPUTS_BYTES);
  assert.ok(a.bytes.equals(makeInputs(5).bytes));
  assert.ok(!a.bytes.equals(makeInputs(6).bytes));
  for (let k = 0; k < MICRO_KEYS; k++) {
    assert.equal(a.key13(k)[12], k & 1 ? 17 : 6);
    assert.equal(a.key37(k)[36], k & 1 ? 17 : 6);
  }
  assert.deepEqual(geoSizes(), [32, 64, 128, 256, 512, 1024, 2048, 4096]);
  for (const n of [32, 4096]) {
    const t = geometricTable(1 / 16, n);
    for (const i of [0, n >> 1, n - 1]) assert.equal(a.geo(n, i), t[i]);
  }
});

test('groups: names, references, selection, table sizes', () => {
  assert.equal(displayName('percpu_atomic'), 'percpu-atomic');
  assert.deepEqual(selectGroups(['hash']).map((g) => g.name), ['hash13', 'hash37']);
  assert.equal(selectGroups([]).length, GROUPS.length);
  assert.deepEqual(references(selectGroups(['random'])), ['prandom', 'libc-rand']);
  assert.equal(tableEntriesOf('geo-512'), 512);
  assert.equal(tableEntriesOf('xxhash32'), undefined);
});

/** Two repetitions of two blocks: loop 2 ns/iter, `a` 5 ns, `b` 8 ns, except one slow block of `b`. */
function timed(): TimedSlice[] {
  const out: TimedSlice[] = [];
  const iters = 1000;
  for (let rep = 0; rep < 2; rep++) {
    for (let block = 0; block < 3; block++) {
      const slow = rep === 1 && block === 2 ? 10 : 1;
      out.push({ rep, block, position: 0, name: 'loop', ns: 2 * iters, iters });
      out.push({ rep, block, position: 1, name: 'xxhash32', ns: 5 * iters, iters });
      out.push({ rep, block, position: 2, name: 'jhash', ns: 8 * iters * slow, iters });
    }
  }
  return out;
}

test('microRows: per-block op_ns net of the same block loop; repetition = median of its blocks; rows in source order', () => {
  const r = microRows(group('hash13'), 'ebpf', timed(), ['loop', 'xxhash32', 'jhash']);
  const s = r.slices.filter((x) => x.variant === 'jhash');
  assert.deepEqual(s.map((x) => x.value), [6, 6, 6, 6, 6, 78]);
  assert.ok(r.slices.every((x) => x.metric === 'op_ns' && x.unit === 'ns/op' && x.phase === 'micro-hash13-ebpf'));
  assert.deepEqual(r.rows.map((x) => [x.variant, x.metric, x.rep, x.value]), [
    ['loop', 'loop_ns', 0, 2], ['loop', 'loop_ns', 1, 2],
    ['xxhash32', 'op_ns', 0, 3], ['xxhash32', 'op_ns', 1, 3],
    // The interrupted block is one of three: the median ignores it, a sum would not.
    ['jhash', 'op_ns', 0, 6], ['jhash', 'op_ns', 1, 6],
  ]);
  assert.deepEqual(r.rows[2].params, { family: 'hash', group: 'hash13', env: 'ebpf', keyBytes: 13 });
  const geo = microRows(group('geo'), 'native', [
    { rep: 0, block: 0, position: 0, name: 'loop', ns: 10, iters: 10 },
    { rep: 0, block: 0, position: 1, name: 'geo_512', ns: 20, iters: 10 },
  ], ['loop', 'geo_512']);
  assert.deepEqual(geo.rows[1].params, { family: 'geo', group: 'geo', env: 'native', tableEntries: 512 });
});

test('microRows refuses a block without its loop, and a primitive the source does not list', () => {
  const noLoop = timed().filter((t) => !(t.name === 'loop' && t.block === 1));
  assert.throws(() => microRows(group('hash13'), 'ebpf', noLoop, ['loop', 'xxhash32', 'jhash']), /block 1 of repetition 0 has no loop/);
  assert.throws(() => microRows(group('hash13'), 'ebpf', timed(), ['loop', 'xxhash32']), /'jhash', which is not one of/);
});

test('microTable: each environment ranked on its own, ratios to its reference, rows of a group together', () => {
  const rows: Row[] = [];
  const slices = [];
  for (const [env, costs] of [['ebpf', { xxhash32: 4, jhash: 9 }], ['native', { xxhash32: 5, jhash: 3 }]] as const) {
    const blocks = [0, 1, 2, 3, 4, 5].flatMap((block) => [
      { rep: 0, block, position: 0, name: 'loop', ns: 1000, iters: 1000 },
      ...Object.entries(costs).map(([name, c], i) => ({ rep: 0, block, position: i + 1, name, ns: (1 + c) * 1000, iters: 1000 })),
    ]);
    const r = microRows(group('hash13'), env, blocks, ['loop', 'xxhash32', 'jhash']);
    rows.push(...r.rows.map((x) => ({ ...x, trace: 't' })));
    slices.push(...r.slices);
  }
  const table = microTable(summarise(rows), pairedRatios(slices, { reference: references() }));
  assert.deepEqual(table.map((t) => t.primitive), ['xxhash32', 'jhash']);
  const jhash = table[1];
  assert.equal(jhash.cells.ebpf!.rank, 2);
  assert.equal(jhash.cells.native!.rank, 1);
  assert.equal(jhash.cells.ebpf!.ratio!.ratio, 9 / 4);
  assert.equal(jhash.cells.native!.ratio!.ratio, 3 / 5);
  assert.equal(table[0].cells.ebpf!.ratio!.ratio, 1);
  assert.deepEqual(ranks([3, 1, 3, 2]), [3, 1, 3, 2]);

  // The report draws the same cells: bars of both environments and a rank panel.
  const figs = microFigure.build(summarise(rows), pairedRatios(slices, { reference: references() }));
  assert.deepEqual(figs.map((f) => f.id), ['micro-hash', 'micro-hash-rank']);
  const bars = ((figs[0].spec.hconcat as { data: { values: { primitive: string; env: string; median: number }[] } }[])[0]).data.values;
  assert.deepEqual(bars.map((b) => [b.primitive, b.env, b.median]), [['xxhash32', 'eBPF', 4], ['xxhash32', 'native', 5], ['jhash', 'eBPF', 9], ['jhash', 'native', 3]]);
  assert.deepEqual(microFigure.build([], []), []);
});

test('a missing compiler is a one-line error that says what to install', async () => {
  await assert.rejects(compileNative(join(variantsDir, 'micro', 'micro_native.c'), 'micro_native', { clang: 'clang-absent-for-test' }), (err: Error) => {
    assert.match(err.message, /^cannot run clang-absent-for-test: .*apt-get install clang/);
    assert.ok(!err.message.includes('\n'));
    return true;
  });
});
