/**
 * sketchbench micro in the real kernel: every primitive computes what it
 * claims (hashes equal independent references, the kernel and the native
 * build agree on every accumulator, map layouts count every add where they
 * say), and a short run writes rows of the documented shape. Never asserts
 * how fast anything is.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { kernelTest } from './helpers.ts';
import { makeInputs, MICRO_KEYS, type MicroInputs } from '../../harness/micro/inputs.ts';
import { MicroKernel } from '../../harness/micro/kernel.ts';
import { MicroNative } from '../../harness/micro/native.ts';
import { GROUPS } from '../../harness/micro/groups.ts';
import { xxhash32 } from '../../harness/sketch/xxhash32.ts';
import { fasthash32, fasthash64Big } from '../../harness/sketch/hash.ts';
import { xorshift32 } from '../../harness/build/geometric.ts';
import { microCommand } from '../../harness/cli/commands/micro.ts';
import { lookup3, murmur3, siphash } from '../fixtures/micro-hashes.ts';
import type { BpfMap } from '../../harness/kernel/bpf-object.ts';
import type { ResultsFile } from '../../harness/types/results.ts';

const WARM = 37;
const ITERS = 1000;
const X0 = 12345;
const M64 = (1n << 64n) - 1n;

/** The accumulator a loop leaves: f over iterations 0..WARM-1, then 0..ITERS-1, summed mod 2^64. */
function expected(f: (i: number) => bigint): bigint {
  let acc = 0n;
  for (const n of [WARM, ITERS]) for (let i = 0; i < n; i++) acc = (acc + f(i)) & M64;
  return acc;
}

function hashReferences(inp: MicroInputs): Record<string, (k: Uint8Array) => bigint> {
  const s32 = Number(inp.seed & 0xffffffffn);
  return {
    loop: (k) => BigInt(k[0]),
    xxhash32: (k) => BigInt(xxhash32(k, s32)),
    fasthash32: (k) => BigInt(fasthash32(fasthash64Big(k, BigInt(s32)))),
    fasthash64: (k) => fasthash64Big(k, inp.seed),
    jhash: (k) => BigInt(lookup3(k, s32)),
    lookup3: (k) => BigInt(lookup3(k, s32)),
    murmur3: (k) => BigInt(murmur3(k, s32)),
    siphash: (k) => siphash(k, inp.seed, inp.seed2),
  };
}

/** Sum of every u32 of every CPU's copy of every entry of a map. */
function u32Total(m: BpfMap): number {
  let sum = 0;
  for (let e = 0; e < m.maxEntries; e++) {
    for (const copy of m.lookupPerCpu(m.u32Key(e)) ?? []) for (let o = 0; o < copy.length; o += 4) sum += copy.readUInt32LE(o);
  }
  return sum;
}

kernelTest('every eBPF hash equals its independent reference on 13- and 37-byte keys', async () => {
  const inp = makeInputs(11);
  const k = await MicroKernel.load(inp);
  try {
    for (const [group, keyBytes] of [['hash13', 13], ['hash37', 37]] as const) {
      const refs = hashReferences(inp);
      assert.deepEqual(k.primitives(group), Object.keys(refs));
      for (const [name, ref] of Object.entries(refs)) {
        const key = (i: number) => (keyBytes === 13 ? inp.key13 : inp.key37)(i & (MICRO_KEYS - 1));
        assert.equal(k.run(group, name, WARM, ITERS, X0).acc, expected((i) => ref(key(i))), `${group} ${name}`);
      }
    }
  } finally {
    k.close();
  }
});

kernelTest('the kernel and the native build leave the same accumulator for every primitive they share; geometric draws follow the xorshift', async () => {
  const inp = makeInputs(12);
  const k = await MicroKernel.load(inp);
  const n = await MicroNative.prepare(inp);
  try {
    for (const g of GROUPS) {
      const native = await n.check(g.name, ITERS, WARM, X0);
      const shared = k.primitives(g.name).filter((p) => native.has(p));
      assert.ok(shared.length >= 3, `${g.name}: ${shared.join(',')}`);
      for (const p of shared) assert.equal(k.run(g.name, p, WARM, ITERS, X0).acc, native.get(p), `${g.name} ${p}`);
    }
    // Geometric tables: the entry the state's top bits name, as harness/build/geometric.ts draws.
    for (const [n512, log2] of [[512, 9], [4096, 12]] as const) {
      let x = X0;
      let acc = 0n;
      for (const count of [WARM, ITERS]) for (let i = 0; i < count; i++) { x = xorshift32(x); acc += BigInt(inp.geo(n512, x >>> (32 - log2))); }
      assert.equal(k.run('geo', `geo_${n512}`, WARM, ITERS, X0).acc, acc);
    }
    assert.notEqual(k.run('random', 'prandom', WARM, ITERS, X0).acc, k.run('random', 'prandom', WARM, ITERS, X0).acc, 'the helper draws anew');
  } finally {
    n.close();
    k.close();
  }
});

kernelTest('map layouts: every add lands, four per operation, in the maps each layout names', async () => {
  const k = await MicroKernel.load(makeInputs(13));
  try {
    const ops = WARM + ITERS;
    const rows = ['row0', 'row1', 'row2', 'row3'].map((r) => k.obj.map(r));
    const cases: [string, BpfMap[]][] = [
      ['array', [k.obj.map('cells_array')]], ['array_atomic', [k.obj.map('cells_array')]],
      ['percpu', [k.obj.map('cells_percpu')]], ['percpu_atomic', [k.obj.map('cells_percpu')]],
      ['per_cell', [k.obj.map('cells_each')]], ['per_row', rows], ['map_of_maps', rows],
    ];
    for (const [name, maps] of cases) {
      const before = maps.map(u32Total);
      k.run('maps', name, WARM, ITERS, X0);
      const added = maps.map((m, i) => u32Total(m) - before[i]);
      assert.deepEqual(added, maps.length === 4 ? [ops, ops, ops, ops] : [4 * ops], name);
    }
  } finally {
    k.close();
  }
});

kernelTest('micro --family random writes op_ns and loop_ns rows with env, slices and ratios, and removes its inputs file', async () => {
  const inputDirs = () => readdirSync(tmpdir()).filter((d) => /^sketchbench-micro-(?!test-)/.test(d)).sort();
  const before = inputDirs();
  const dir = mkdtempSync(join(tmpdir(), 'sketchbench-micro-test-'));
  const log = console.log;
  const printed: string[] = [];
  console.log = (s: string) => { printed.push(s); };
  try {
    const out = join(dir, 'run');
    const code = await microCommand.run({ family: ['random'], reps: '2', blocks: '6', 'slice-us': '50', out, json: true }, []);
    assert.equal(code, 0);
    const res = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as ResultsFile;
    const prims = (env: string) => res.rows.filter((r) => r.params.env === env && r.metric === 'op_ns').map((r) => r.variant);
    assert.deepEqual([...new Set(prims('ebpf'))], ['table', 'xorshift', 'prandom']);
    assert.deepEqual([...new Set(prims('native'))], ['table', 'xorshift', 'libc-rand', 'libc-random']);
    for (const r of res.rows) {
      assert.equal(r.unit, 'ns/op');
      assert.equal(r.params.family, 'random');
      assert.ok(Number.isFinite(r.value));
    }
    assert.equal(res.rows.filter((r) => r.metric === 'loop_ns').length, 2 * 2);
    const ratio = res.ratios.find((r) => r.variant === 'xorshift' && r.params.env === 'ebpf');
    assert.equal(ratio?.reference, 'prandom');
    assert.equal(ratio?.n, 2 * 6);
    assert.ok(existsSync(join(out, 'slices.jsonl')));
    const json = JSON.parse(printed.join('\n')) as { table: { primitive: string }[] };
    assert.equal(json.table.length, 5);
    assert.equal(readFileSync(join(out, 'results.jsonl'), 'utf8').trim().split('\n').length, res.rows.length);
    assert.deepEqual(inputDirs(), before, 'the native inputs file is removed');
  } finally {
    console.log = log;
    rmSync(dir, { recursive: true, force: true });
  }
}, { timeout: 120_000 });
