/**
 * Hash seeds per accuracy repetition. With one fixed set of hash seeds, an
 * accuracy number is one draw of the hash functions: on a Zipf-1.1 trace the
 * top-100 ARE of the same sketch moves by +-40% between seed sets, more than
 * between hashing schemes (docs/measurement.md). Repetition 0 uses the given
 * seeds; repetition k > 0 uses seeds drawn by splitmix64 from k, the same for
 * every variant, so variants are compared on the same hash draws.
 */
const M64 = (1n << 64n) - 1n;

function splitmix64(x: bigint): bigint {
  let z = (x + 0x9e3779b97f4a7c15n) & M64;
  z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & M64;
  z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & M64;
  return z ^ (z >> 31n);
}

export function seedsForRep(base: readonly bigint[], rep: number): bigint[] {
  if (rep === 0) return [...base];
  return base.map((_, i) => splitmix64(BigInt(rep) * 0x100n + BigInt(i)));
}
