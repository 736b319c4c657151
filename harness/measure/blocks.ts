/**
 * The block schedule of a paired measurement: in every block each variant runs
 * once, in a fresh random order (seeded, so a run can be repeated). Random
 * order keeps a fixed position (first after a switch, say) from favouring one
 * variant; pairing inside blocks keeps the host's drift out of the ratios.
 */
import { Xoshiro128 } from '../trace/prng.ts';

/** Fisher-Yates shuffle of indexes 0..n-1 with a seeded generator. */
export function shuffledOrder(n: number, rng: Xoshiro128): number[] {
  const order = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = rng.below(i + 1);
    [order[i], order[j]] = [order[j], order[i]];
  }
  return order;
}

/** Generator of one repetition's block orders. */
export function blockOrders(n: number, seed: number): () => number[] {
  const rng = new Xoshiro128(seed);
  return () => shuffledOrder(n, rng);
}

/** [start, end) packet ranges that cut `total` packets into slices of about `slice` packets. */
export function sliceRanges(total: number, slice: number): [number, number][] {
  const count = Math.max(1, Math.round(total / Math.max(1, slice)));
  const out: [number, number][] = [];
  for (let i = 0; i < count; i++) out.push([Math.floor((i * total) / count), Math.floor(((i + 1) * total) / count)]);
  return out.filter(([a, b]) => b > a);
}
