/**
 * NitroSketch's geometric sampling, the arithmetic shared by the loader (which
 * writes the table and each CPU's start into the kernel's maps) and the
 * reference model (which replays the stream), so the model needs nothing of
 * the loader.
 *
 * The table holds Geometric(p) at 4096 evenly spaced quantiles (the midpoints
 * (i + 0.5) / 4096), not 4096 random draws: a random table's mean skip is off
 * by about 1.6% at p = 1/16, and so is every estimate scaled by 1/p; the
 * quantiles' mean is within 0.02% of (1 - p) / p for p from 0.01 to 0.9. The
 * randomness is each CPU's own xorshift32, whose top 12 bits pick the entry
 * (variants/include/sketch_rows.h, geo_draw): CPUs start from different states
 * and the sequence repeats only after 2^32 - 1 draws, where the artifact's
 * cycled table repeated every 4096 draws (about 16k packets at p = 1/16).
 */
import { GEO_TABLE_SIZE } from '../kernel/layout.ts';

const TABLE_LOG2 = Math.log2(GEO_TABLE_SIZE);
/** The largest skip: far beyond any run (2^32 slots), and room for row + 1 + skip in a u32. */
const MAX_SKIP = 0xffffffff - 16;

/** Skips at the quantiles of Geometric(p) on {0,1,2,...}: failures before the first success. */
export function geometricTable(p: number, size = GEO_TABLE_SIZE): Uint32Array {
  const t = new Uint32Array(size);
  if (p >= 1) return t;
  const denom = Math.log1p(-p);
  for (let i = 0; i < size; i++) {
    // Descending u, so the table is ascending; which entry a draw takes is the xorshift's business.
    const u = 1 - (i + 0.5) / size;
    // Capped below 2^32 by a packet's rows: the kernel adds a draw to a row number (GEO_JUMP), which must not wrap.
    t[i] = Math.min(MAX_SKIP, Math.floor(Math.log(u) / denom));
  }
  return t;
}

/** One xorshift32 step (13, 17, 5): the kernel's geo_draw. Never returns 0 from a non-zero state. */
export function xorshift32(x: number): number {
  x ^= x << 13;
  x ^= x >>> 17;
  x ^= x << 5;
  return x >>> 0;
}

/** The table index a state names: its top bits (xorshift32's low bits are its weakest). */
export function drawIndex(state: number): number {
  return state >>> (32 - TABLE_LOG2);
}

/**
 * The xorshift32 state CPU `cpu` starts from for sampling seed `seed`: a
 * splitmix-style mix of both, never 0 (xorshift's fixed point).
 */
export function cpuSeed(seed: number, cpu: number): number {
  let z = (Math.imul(seed >>> 0, 0x9e3779b1) + Math.imul(cpu + 1, 0x85ebca77)) >>> 0;
  z = Math.imul(z ^ (z >>> 16), 0x7feb352d) >>> 0;
  z = Math.imul(z ^ (z >>> 15), 0x846ca68b) >>> 0;
  z = (z ^ (z >>> 16)) >>> 0;
  return z === 0 ? 1 : z;
}

/** A CPU's geometric state as the kernel holds it: the countdown and the xorshift state. */
export interface GeoState {
  skip: number;
  rng: number;
}

/** Where reset(seed) puts CPU `cpu`: its first skip already drawn, so slot 0 is not always sampled. */
export function geoStart(table: ArrayLike<number>, seed: number, cpu: number): GeoState {
  const rng = xorshift32(cpuSeed(seed, cpu));
  return { skip: table[drawIndex(rng)], rng };
}

/** The next skip of a state (advances it), as geo_draw does. */
export function geoDraw(table: ArrayLike<number>, s: GeoState): number {
  s.rng = xorshift32(s.rng);
  return table[drawIndex(s.rng)];
}
