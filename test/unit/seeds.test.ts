import test from 'node:test';
import assert from 'node:assert/strict';
import { seedsForRep } from '../../harness/sketch/seeds.ts';
import { defaultParams } from '../../harness/build/manifest.ts';

test('repetition 0 keeps the configured hash seeds; later ones draw new, distinct, reproducible u64 seeds', () => {
  const base = defaultParams().seeds;
  assert.deepEqual(seedsForRep(base, 0), [...base]);
  const seen = new Set<bigint>(base);
  for (let rep = 1; rep <= 20; rep++) {
    const s = seedsForRep(base, rep);
    assert.equal(s.length, base.length);
    assert.deepEqual(s, seedsForRep(base, rep), 'deterministic');
    for (const x of s) {
      assert.ok(x >= 0n && x < 1n << 64n);
      assert.ok(!seen.has(x), `seed ${x} repeats`);
      seen.add(x);
    }
  }
});
