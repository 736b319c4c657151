import { linearRegression } from 'simple-statistics';

/** The fit uses ranks 1..FIT_MAX_RANKS: the head, where sampled counts are large enough to trust. */
export const FIT_MAX_RANKS = 1000;
/** Ranks below this many packets are left out: their counts are mostly sampling noise (and log 0). */
export const FIT_MIN_COUNT = 5;

/**
 * Fits the Zipf exponent s of count(rank) ~ rank^-s by least squares on log(rank) vs
 * log(count), over ranks 1..1000 and only while a flow has at least 5 packets.
 * Returns null when fewer than 3 ranks qualify (too few points for a meaningful slope).
 */
export function fitSkew(counts: ArrayLike<number>): number | null {
  const sorted = Float64Array.from(counts).sort().reverse();
  const points: [number, number][] = [];
  for (let r = 0; r < sorted.length && r < FIT_MAX_RANKS; r++) {
    if (sorted[r] < FIT_MIN_COUNT) break;
    points.push([Math.log(r + 1), Math.log(sorted[r])]);
  }
  if (points.length < 3) return null;
  const { m } = linearRegression(points);
  // -0 would print as "-0" in JSON-ish text; a perfectly flat head is skew 0.
  return m === 0 ? 0 : -m;
}
