/**
 * The inputs every primitive reads, as the bytes of `struct micro_inputs`
 * (variants/micro/micro_kern_user.h): written into the kernel object's
 * `.data.inputs` and handed to the native build as a file, so both compute on
 * the same keys, random words and tables.
 */
import { Xoshiro128 } from '../trace/prng.ts';
import { geometricTable } from '../build/geometric.ts';

export const MICRO_KEYS = 256;
export const KEY13_STRIDE = 16;
export const KEY37_STRIDE = 40;
export const RAND_ENTRIES = 4096;
export const GEO_MIN = 32;
export const GEO_MAX = 4096;
export const GEO_TOTAL = 2 * GEO_MAX - GEO_MIN;
/** The sampling probability of the geometric tables: NitroSketch's default, 1/16. */
export const GEO_P = 1 / 16;

const OFF_KEY13 = 0;
const OFF_KEY37 = OFF_KEY13 + MICRO_KEYS * KEY13_STRIDE;
const OFF_RND = OFF_KEY37 + MICRO_KEYS * KEY37_STRIDE;
const OFF_GEO = OFF_RND + RAND_ENTRIES * 4;
const OFF_SEED = OFF_GEO + GEO_TOTAL * 4;
export const INPUTS_BYTES = OFF_SEED + 16;

export interface MicroInputs {
  bytes: Buffer;
  key13(i: number): Uint8Array;
  key37(i: number): Uint8Array;
  rnd(i: number): number;
  /** Entry `i` of the table of `n` entries. */
  geo(n: number, i: number): number;
  seed: bigint;
  seed2: bigint;
}

/** Sizes of the geometric tables: 32, 64, ..., 4096. */
export function geoSizes(): number[] {
  const out: number[] = [];
  for (let n = GEO_MIN; n <= GEO_MAX; n *= 2) out.push(n);
  return out;
}

/**
 * Random 5-tuples (IPv4 for 13 bytes: addresses, ports, protocol; IPv6 the
 * same with 16-byte addresses), random words, and the geometric quantile
 * tables of each size, all from one seed.
 */
export function makeInputs(seed: number): MicroInputs {
  const rng = new Xoshiro128(seed);
  const b = Buffer.alloc(INPUTS_BYTES);
  const fill = (off: number, n: number) => { for (let i = 0; i < n; i++) b[off + i] = rng.u32() & 0xff; };
  for (let k = 0; k < MICRO_KEYS; k++) {
    fill(OFF_KEY13 + k * KEY13_STRIDE, 12);
    b[OFF_KEY13 + k * KEY13_STRIDE + 12] = k & 1 ? 17 : 6;
    fill(OFF_KEY37 + k * KEY37_STRIDE, 36);
    b[OFF_KEY37 + k * KEY37_STRIDE + 36] = k & 1 ? 17 : 6;
  }
  for (let i = 0; i < RAND_ENTRIES; i++) b.writeUInt32LE(rng.u32() >>> 0, OFF_RND + 4 * i);
  for (const n of geoSizes()) {
    const t = geometricTable(GEO_P, n);
    t.forEach((v, i) => b.writeUInt32LE(v, OFF_GEO + 4 * (n - GEO_MIN + i)));
  }
  const u64 = () => (BigInt(rng.u32() >>> 0) << 32n) | BigInt(rng.u32() >>> 0);
  const s1 = u64();
  const s2 = u64();
  b.writeBigUInt64LE(s1, OFF_SEED);
  b.writeBigUInt64LE(s2, OFF_SEED + 8);
  return {
    bytes: b,
    key13: (i) => b.subarray(OFF_KEY13 + i * KEY13_STRIDE, OFF_KEY13 + i * KEY13_STRIDE + 13),
    key37: (i) => b.subarray(OFF_KEY37 + i * KEY37_STRIDE, OFF_KEY37 + i * KEY37_STRIDE + 37),
    rnd: (i) => b.readUInt32LE(OFF_RND + 4 * i),
    geo: (n, i) => b.readUInt32LE(OFF_GEO + 4 * (n - GEO_MIN + i)),
    seed: s1,
    seed2: s2,
  };
}
