/**
 * The TypeScript fasthash and cell mapping must equal the kernel's bit for bit.
 * Vectors below were printed by test/fixtures/hash_vectors.c, which
 * includes variants/include/fasthash.h itself; when gcc is present the test
 * also recompiles that program and compares live, so a header change that is
 * not mirrored in TS fails here.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { compactMessage, fasthash64, fasthash64Big, fasthash32, flowKeyBytes, addressBytes, fold32 } from '../../harness/sketch/hash.ts';
import { cellsFor } from '../../harness/sketch/cells.ts';
import { xxhash32 } from '../../harness/sketch/xxhash32.ts';
import { defaultParams } from '../../harness/build/manifest.ts';
import { buildDir, projectRoot } from '../../harness/paths.ts';

const KEYS: Record<string, Uint8Array> = {
  zero: new Uint8Array(40),
  counting: Uint8Array.from({ length: 40 }, (_, i) => i),
  udp4: flowKeyBytes({ src: '198.18.0.1', dst: '198.19.0.1', sport: 1234, dport: 80, proto: 17 }),
  tcp6: flowKeyBytes({ src: '2001:db8::1', dst: '2001:db8::2', sport: 443, dport: 55555, proto: 6 }),
};

/** gcc output of test/fixtures/hash_vectors.c (see its header for the format). */
const VECTORS = `
hash zero 0000000000000000 e657295041354c33 5ade22e3
hash zero 0000000000000001 e4f1ba714109f5f3 5c183b82
hash zero 6a09e667f3bcc908 fadc291fc4319ef7 c95575d8
hash zero ffffffffffffffff a6d28a0d353bd5e2 8e694bd5
perrow zero 30168:1 23082:-1 6442:1 26022:1 62362:-1 18447:-1 32982:-1 15761:1
unrolled zero 7927:1 17457:1 10527:-1 31452:1
compact zero 7927:1 17457:1 10527:-1 31452:1
xxh32 zero 00000000 9a77cf33
xxh32 zero 00000001 22067bcb
xxh32 zero 6a09e667 aacceb58
xxh32 zero ffffffff 0444e8d5
hash counting 0000000000000000 4297ec63ebb73106 a91f44a3
hash counting 0000000000000001 5a28d7f6cd5a8a06 7331b210
hash counting 6a09e667f3bcc908 f815371600990152 0883ca3c
hash counting ffffffffffffffff fd258cf4dd8c191e e0668c2a
perrow counting 51772:-1 37447:-1 2636:-1 58100:-1 22352:1 42301:-1 3835:-1 41121:1
unrolled counting 338:-1 153:-1 14102:-1 30741:1
compact counting 338:-1 153:-1 14102:-1 30741:1
xxh32 counting 00000000 d6a6cf02
xxh32 counting 00000001 6d4dedf7
xxh32 counting 6a09e667 ed8bfc14
xxh32 counting ffffffff e982e0e8
hash udp4 0000000000000000 6e5290a4c3c62da0 55739cfc
hash udp4 0000000000000001 260f233d6bcc7888 45bd554b
hash udp4 6a09e667f3bcc908 7211eeddcd80a0ba 5b6eb1dd
hash udp4 ffffffffffffffff b3da51cf188c2ce1 64b1db12
perrow udp4 45533:-1 58698:-1 30402:-1 21442:-1 57109:-1 40418:1 46223:1 14198:-1
unrolled udp4 8378:1 19840:1 28381:1 29201:-1
compact udp4 31375:-1 2654:-1 22599:-1 2327:-1
xxh32 udp4 00000000 c9fae216
xxh32 udp4 00000001 03711369
xxh32 udp4 6a09e667 f7b4602e
xxh32 udp4 ffffffff c73d0cda
hash tcp6 0000000000000000 b2bb3587f8b7574e 45fc21c7
hash tcp6 0000000000000001 4867526faa75308e 620dde1f
hash tcp6 6a09e667f3bcc908 6442c565e9a58119 8562bbb4
hash tcp6 ffffffffffffffff 262cd70b6ef8b3d5 48cbdcca
perrow tcp6 48052:1 26601:-1 55246:1 43610:-1 37399:1 58334:-1 57632:1 19247:1
unrolled tcp6 281:1 27045:1 17765:1 25666:-1
compact tcp6 281:1 27045:1 17765:1 25666:-1
xxh32 tcp6 00000000 e35349dc
xxh32 tcp6 00000001 6c779617
xxh32 tcp6 6a09e667 5bd38027
xxh32 tcp6 ffffffff 56bc8d28
`;

const hex8 = (x: number) => x.toString(16).padStart(8, '0');

/** What the TS side prints for the same table: must equal the C output line for line. */
function tsVectors(): string {
  const seeds = defaultParams().seeds;
  const lines: string[] = [];
  for (const [name, key] of Object.entries(KEYS)) {
    for (const seed of [0n, 1n, 0x6a09e667f3bcc908n, 0xffffffffffffffffn]) {
      const h = fasthash64(key, seed);
      lines.push(`hash ${name} ${seed.toString(16).padStart(16, '0')} ${h.toString(16).padStart(16, '0')} ${fasthash32(h).toString(16).padStart(8, '0')}`);
    }
    const pr = cellsFor(key, { rows: 8, columns: 1 << 16, seeds, hashing: 'fasthash32' });
    lines.push(`perrow ${name} ${pr.map((c) => `${c.col}:${c.sign}`).join(' ')}`);
    const un = cellsFor(key, { rows: 4, columns: 1 << 15, seeds, hashing: 'fasthash64-sliced' });
    lines.push(`unrolled ${name} ${un.map((c) => `${c.col}:${c.sign}`).join(' ')}`);
    const co = cellsFor(key, { rows: 4, columns: 1 << 15, seeds, hashing: 'fasthash64-compact' });
    lines.push(`compact ${name} ${co.map((c) => `${c.col}:${c.sign}`).join(' ')}`);
    for (const s32 of [0, 1, 0x6a09e667, 0xffffffff]) lines.push(`xxh32 ${name} ${hex8(s32)} ${hex8(xxhash32(key, s32))}`);
  }
  return lines.join('\n');
}

test('fasthash64, fasthash32 and cells match the recorded gcc vectors of fasthash.h', () => {
  assert.equal(tsVectors(), VECTORS.trim());
});

test('fasthash.h compiled with gcc now still prints the same vectors', (t) => {
  let gccOk = true;
  try { execFileSync('gcc', ['--version'], { stdio: 'ignore' }); } catch { gccOk = false; }
  if (!gccOk) return t.skip('gcc not installed: the recorded vectors above still apply');
  mkdirSync(buildDir, { recursive: true });
  const exe = join(buildDir, 'hash_vectors');
  execFileSync('gcc', ['-O2', '-Wall', '-Werror', '-I', join(projectRoot, 'variants/include'),
    join(projectRoot, 'test/fixtures/hash_vectors.c'), '-o', exe]);
  assert.equal(execFileSync(exe, { encoding: 'utf8' }).trim(), tsVectors());
});

test('reference checks: empty input and the length/seed mixing of fasthash', () => {
  // len 0, seed 0: h = 0 and mix(0) = 0.
  assert.equal(fasthash64Big(new Uint8Array(0), 0n), 0n);
  // len 0: only the seed is mixed: mix(seed).
  const mix = (h: bigint) => { h ^= h >> 23n; h = BigInt.asUintN(64, h * 0x2127599bf4325c37n); return h ^ (h >> 47n); };
  assert.equal(fasthash64Big(new Uint8Array(0), 12345n), mix(12345n));
  assert.equal(fasthash32(0n), 0);
  assert.equal(fasthash32(0x0000000100000000n), 0xffffffff);
  assert.equal(fold32(1, 0), 0xffffffff);
});

test('the fast 32-bit-halves path equals the BigInt reference on random keys and seeds', () => {
  let state = 0x9e3779b9;
  const rnd = () => (state = (Math.imul(state, 1664525) + 1013904223) >>> 0);
  for (let t = 0; t < 2000; t++) {
    const key = Uint8Array.from({ length: 40 }, () => rnd() & 0xff);
    const seed = (BigInt(rnd()) << 32n) | BigInt(rnd());
    assert.equal(fasthash64(key, seed), fasthash64Big(key, seed));
  }
});

test('the compact hash is fasthash64 of saddr, daddr, ports, protocol (16 bytes) for IPv4 keys only', () => {
  const key = flowKeyBytes({ src: '198.18.0.7', dst: '198.19.1.2', sport: 1234, dport: 53, proto: 17 });
  const msg = compactMessage(key, new Uint8Array(16))!;
  assert.deepEqual([...msg], [198, 18, 0, 7, 198, 19, 1, 2, 0x04, 0xd2, 0, 53, 17, 0, 0, 0]);
  const seeds = defaultParams().seeds;
  const h = fasthash64Big(msg, seeds[0]);
  const cells = cellsFor(key, { rows: 4, columns: 1 << 15, seeds, hashing: 'fasthash64-compact' });
  assert.deepEqual(cells.map((c) => c.col), [0, 1, 2, 3].map((r) => Number((h >> BigInt(16 * r)) & 0x7fffn)));
  assert.equal(compactMessage(flowKeyBytes({ src: '2001:db8::1', dst: '198.19.1.2', sport: 1, dport: 2, proto: 6 }), new Uint8Array(16)), undefined);
});

test('flowKeyBytes: IPv4-mapped addresses, ports in network order, zero pad', () => {
  const k = flowKeyBytes({ src: '10.1.2.3', dst: '::ffff:10.3.2.1', sport: 0x1234, dport: 80, proto: 6 });
  assert.deepEqual([...k.subarray(0, 16)], [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 10, 1, 2, 3]);
  assert.deepEqual([...k.subarray(16, 32)], [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 10, 3, 2, 1]);
  assert.deepEqual([...k.subarray(32)], [0x12, 0x34, 0, 80, 6, 0, 0, 0]);
  assert.deepEqual([...addressBytes('2001:db8::a:1')], [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x0a, 0, 1]);
  assert.deepEqual([...addressBytes('::')], new Array(16).fill(0));
  assert.throws(() => addressBytes('300.1.1.1'), /not an IPv4 or IPv6 address/);
});

test('cells: per-row uses bit 31 for the sign, unrolled uses bit 15 of each slice', () => {
  const seeds = defaultParams().seeds;
  for (const key of Object.values(KEYS)) {
    const h = fasthash64(key, seeds[0]);
    const un = cellsFor(key, { rows: 4, columns: 512, seeds, hashing: 'fasthash64-sliced' });
    un.forEach((c, r) => {
      const slice = Number((h >> BigInt(16 * r)) & 0xffffn);
      assert.deepEqual(c, { row: r, col: slice & 511, sign: slice & 0x8000 ? 1 : -1 });
    });
    const pr = cellsFor(key, { rows: 4, columns: 512, seeds, hashing: 'fasthash32' });
    pr.forEach((c, r) => {
      const h32 = fasthash32(fasthash64(key, seeds[r]));
      assert.deepEqual(c, { row: r, col: h32 & 511, sign: h32 >= 0x80000000 ? 1 : -1 });
    });
  }
});

// Speed is npm run bench:userspace's business; here, that 1M flows spread over every column.
test('1M flows x 4 rows map into range and cover every column of every row', () => {
  const key = new Uint8Array(40);
  const seeds = defaultParams().seeds;
  const seen = new Uint8Array(4 * 512);
  for (let i = 0; i < 1_000_000; i++) {
    key[0] = i & 0xff; key[1] = (i >> 8) & 0xff; key[2] = i >> 16;
    for (const c of cellsFor(key, { rows: 4, columns: 512, seeds, hashing: 'fasthash32' })) {
      assert.ok(c.col >= 0 && c.col < 512 && c.row >= 0 && c.row < 4);
      seen[c.row * 512 + c.col] = 1;
    }
  }
  assert.equal(seen.reduce((a, b) => a + b, 0), 4 * 512);
});
