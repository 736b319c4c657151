/**
 * The geometric skip table of NitroSketch's sampling: pure arithmetic, shared by the
 * loader (which writes it into the kernel's map) and the reference model (which replays
 * it), so the model needs nothing of the loader.
 */
import { GEO_TABLE_SIZE } from '../kernel/layout.ts';
import { Xoshiro128 } from '../trace/prng.ts';

/** Draws of Geometric(p) on {0,1,2,...}: failures before the first success. */
export function geometricTable(p: number, seed: number, size = GEO_TABLE_SIZE): Uint32Array {
  const t = new Uint32Array(size);
  if (p >= 1) return t;
  const rng = new Xoshiro128(seed);
  const denom = Math.log1p(-p);
  for (let i = 0; i < size; i++) {
    // 1 - u is in (0, 1]: log never sees 0.
    const u = 1 - rng.float();
    t[i] = Math.min(0xffffffff, Math.floor(Math.log(u) / denom));
  }
  return t;
}
