/**
 * The TypeScript xxHash32 is the standard XXH32: checked here against values of
 * an independent implementation. That it equals the kernel's xxhash32.h bit for
 * bit is checked with the other hashes in test/unit/hash.test.ts (the xxh32
 * lines of test/fixtures/hash_vectors.c).
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { xxhash32 } from '../../harness/sketch/xxhash32.ts';

/*
 * Reference values from an independent implementation: python3-xxhash 3.0.0
 * (Debian package, binding to libxxhash 0.8.1, Yann Collet's C library),
 * `xxhash.xxh32(data, seed=s).hexdigest()`; the empty and counting ones were
 * also confirmed with `xxhsum -H0` 0.8.1. counting(n) is the bytes 0..n-1.
 * The 16 xxh32 lines of hash.test.ts's vectors equal python3-xxhash's output as well.
 */
const counting = (n: number) => Uint8Array.from({ length: n }, (_, i) => i);

test('reference XXH32 values: empty input, the 40-byte counting key, "abc"', () => {
  assert.equal(xxhash32(new Uint8Array(0), 0), 0x02cc5d05);
  assert.equal(xxhash32(new Uint8Array(0), 1), 0x0b2cb792);
  assert.equal(xxhash32(counting(40), 0), 0xd6a6cf02);
  assert.equal(xxhash32(counting(40), 1), 0x6d4dedf7);
  assert.equal(xxhash32(new TextEncoder().encode('abc'), 0), 0x32d153ff);
});

test('reference XXH32 values at other lengths: short input, stripes, word and byte tails', () => {
  // [length of counting(n), XXH32 seed 0, XXH32 seed 0x9e3779b1]
  const REF: [number, number, number][] = [
    [1, 0xcf65b03e, 0xb4545aa4],
    [3, 0x663e9a55, 0x24302793],
    [4, 0x80691e66, 0x968ee649],
    [15, 0x57c01ece, 0x987c1d76],
    [16, 0xb72837f4, 0x2fbdeaf3],
    [17, 0x7c77adc2, 0x5efdea16],
    [39, 0xddd46630, 0xabec64a6],
    [41, 0xd313e3a0, 0x4e76c5b9],
    [64, 0x31120435, 0xd22dae28],
  ];
  for (const [n, h0, h1] of REF) {
    assert.equal(xxhash32(counting(n), 0), h0, `length ${n}, seed 0`);
    assert.equal(xxhash32(counting(n), 0x9e3779b1), h1, `length ${n}, seed 0x9e3779b1`);
  }
});

test('xxhash32 reads only its view: a subarray hashes like a copy', () => {
  const buf = counting(48);
  assert.equal(xxhash32(buf.subarray(3, 43), 7), xxhash32(buf.slice(3, 43), 7));
});
