/**
 * xxHash32 (XXH32, Yann Collet), mirroring variants/include/xxhash32.h bit for
 * bit: on a 40-byte flow key it equals the kernel's xxhash32_key(), and on any
 * other length it is the standard XXH32 (little-endian words), so it can also
 * be checked against reference values of the algorithm.
 *
 * Hot path: 32-bit integer arithmetic only (Math.imul, | 0), no BigInt and
 * no allocation per call.
 */

const P1 = 0x9e3779b1 | 0;
const P2 = 0x85ebca77 | 0;
const P3 = 0xc2b2ae3d | 0;
const P4 = 0x27d4eb2f | 0;
const P5 = 0x165667b1 | 0;

/** Little-endian 32-bit word at byte o, as a signed int32 (Math.imul takes either). */
function word(b: Uint8Array, o: number): number {
  return b[o] | (b[o + 1] << 8) | (b[o + 2] << 16) | (b[o + 3] << 24);
}

function round(acc: number, input: number): number {
  acc = (acc + Math.imul(input, P2)) | 0;
  acc = (acc << 13) | (acc >>> 19);
  return Math.imul(acc, P1);
}

/** XXH32 of all of `key` with a 32-bit seed (taken mod 2^32); unsigned result. */
export function xxhash32(key: Uint8Array, seed: number): number {
  const len = key.length;
  seed |= 0;
  let o = 0;
  let h: number;
  if (len >= 16) {
    let v1 = (seed + P1 + P2) | 0;
    let v2 = (seed + P2) | 0;
    let v3 = seed;
    let v4 = (seed - P1) | 0;
    const limit = len - 16;
    do {
      v1 = round(v1, word(key, o));
      v2 = round(v2, word(key, o + 4));
      v3 = round(v3, word(key, o + 8));
      v4 = round(v4, word(key, o + 12));
      o += 16;
    } while (o <= limit);
    h = (((v1 << 1) | (v1 >>> 31)) + ((v2 << 7) | (v2 >>> 25)) + ((v3 << 12) | (v3 >>> 20)) + ((v4 << 18) | (v4 >>> 14))) | 0;
  } else {
    h = (seed + P5) | 0;
  }
  // The total length (mod 2^32), not the tail's.
  h = (h + len) | 0;
  for (; o + 4 <= len; o += 4) {
    h = (h + Math.imul(word(key, o), P3)) | 0;
    h = Math.imul((h << 17) | (h >>> 15), P4);
  }
  for (; o < len; o++) {
    h = (h + Math.imul(key[o], P5)) | 0;
    h = Math.imul((h << 11) | (h >>> 21), P1);
  }
  h ^= h >>> 15;
  h = Math.imul(h, P2);
  h ^= h >>> 13;
  h = Math.imul(h, P3);
  h ^= h >>> 16;
  return h >>> 0;
}
