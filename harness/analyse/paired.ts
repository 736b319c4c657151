/**
 * Ratios from paired slices. A paired measurement splits each repetition into
 * blocks; in a block every variant runs one short slice (milliseconds of the
 * same packets for cost, a fraction of a second of the same traffic for
 * throughput), in a random order. The host's speed drifts slowly compared with
 * a block, so the ratio of two variants inside one block cancels the drift;
 * across blocks those ratios are close to independent draws of the true ratio.
 *
 * Statistic: the median of the per-block ratios, with the distribution-free
 * order-statistic 95% interval of the median (the same method as every cell's
 * interval). A block hit by an interrupt moves one ratio, not the median.
 * Tests: the sign test on the same ratios, and Holm's step-down adjustment when
 * many cells are tested at once.
 *
 * Blocks are not quite independent: the ratio itself wanders with the host's
 * state over seconds (throughput ratios here moved by +-5% between quarters of
 * one repetition), so neighbouring blocks agree more than distant ones. Both
 * the interval and the sign test therefore count effective blocks, n divided by
 * the integrated autocorrelation of the signs about the median (the variance
 * of a sample median under dependence; Sen 1968), not raw blocks.
 */
import { binomialCdfHalf, medianCi, medianCiRank, quantileSorted } from './statistics.ts';
import type { PairedRatio, SliceRow } from '../types/results.ts';
import { OVERHEAD_VARIANT, paramsKey } from '../types/results.ts';

/** Identity of a measured configuration: variant name plus params (sweeps load one name with several params). */
function sliceCellKey(s: Pick<SliceRow, 'variant' | 'params'>): string {
  return `${s.variant}\u0000${paramsKey(s.params)}`;
}

export interface RatioEstimate {
  /** Median of the per-block ratios. */
  ratio: number;
  ciLow: number;
  ciHigh: number;
  /** Blocks that held both sides. */
  n: number;
  /** Independent blocks they are worth (effectiveBlocks), rounded down. */
  nEffective: number;
}

/**
 * How many independent blocks a time-ordered series of ratios is worth for its
 * median: n / (1 + 2 sum of the lag-k autocorrelations of the signs about the
 * median, or about `center`), the sum taken while it stays positive (past that, estimates are
 * noise) and up to lag n/4. Never more than n, never below 1.
 */
export function effectiveBlocks(series: number[], center?: number): number {
  const n = series.length;
  if (n < 8) return n;
  const med = center ?? quantileSorted([...series].sort((a, b) => a - b), 0.5);
  const sign = series.map((x): number => (x > med ? 1 : x < med ? -1 : 0));
  const mean = sign.reduce((a, b) => a + b, 0) / n;
  const c = sign.map((x) => x - mean);
  const var0 = c.reduce((a, x) => a + x * x, 0) / n;
  if (var0 === 0) return n;
  let sum = 0;
  for (let k = 1; k <= Math.floor(n / 4); k++) {
    let acc = 0;
    for (let i = 0; i + k < n; i++) acc += c[i] * c[i + k];
    const rho = acc / n / var0;
    if (rho <= 0) break;
    sum += rho;
  }
  return Math.max(1, Math.min(n, n / (1 + 2 * sum)));
}

/** Median and 95% interval of per-block ratios, in time order; the interval is widened to the effective number of blocks. */
export function estimateRatio(ratios: number[]): RatioEstimate {
  const finite = ratios.filter((r) => Number.isFinite(r));
  const n = finite.length;
  if (n === 0) return { ratio: NaN, ciLow: NaN, ciHigh: NaN, n: 0, nEffective: 0 };
  const sorted = [...finite].sort((a, b) => a - b);
  const ratio = quantileSorted(sorted, 0.5);
  const m = Math.floor(effectiveBlocks(finite));
  if (m >= n) {
    const ci = medianCi(finite);
    return { ratio, ciLow: ci.low, ciHigh: ci.high, n, nEffective: n };
  }
  // The order-statistic ranks for m independent blocks, carried to the same quantiles of the n observed.
  const best = medianCiRank(m);
  if (best === 0) return { ratio, ciLow: sorted[0], ciHigh: sorted[n - 1], n, nEffective: m };
  const lowIndex = Math.floor(((best - 1) * n) / m);
  return { ratio, ciLow: sorted[lowIndex], ciHigh: sorted[n - 1 - lowIndex], n, nEffective: m };
}

/**
 * One-sided sign test: how surely do the per-block ratios (in time order) lie
 * above `bound`? H0: the median ratio is at most `bound`. Ratios equal to the
 * bound carry no sign and are dropped, as the sign test prescribes; the counts
 * are scaled to the effective number of blocks.
 */
export function signTestAbove(ratios: number[], bound: number): number {
  const kept = ratios.filter((r) => r !== bound && Number.isFinite(r));
  const n = kept.length;
  if (n === 0) return 1;
  const above = kept.filter((r) => r > bound).length;
  const m = Math.max(1, Math.floor(effectiveBlocks(kept, bound)));
  const aboveEff = Math.round((above * m) / n);
  // P(X >= above) for X ~ Bin(m, 1/2) = P(X <= m - above) by symmetry.
  return binomialCdfHalf(m - aboveEff, m);
}

/**
 * Holm's step-down adjustment: adjusted p-values that control the family-wise
 * error at alpha for any dependence between the tests (Holm 1979). Uniformly
 * more powerful than Bonferroni; needs no independence, which our cells lack
 * (they share the host's drift).
 */
export function holmAdjust(pValues: number[]): number[] {
  const m = pValues.length;
  const order = pValues.map((p, i) => ({ p, i })).sort((a, b) => a.p - b.p);
  const out = new Array<number>(m);
  let running = 0;
  order.forEach(({ p, i }, rank) => {
    running = Math.max(running, Math.min(1, (m - rank) * p));
    out[i] = running;
  });
  return out;
}

/** Per-block values of each cell in a group of slices: cell key -> (rep:block -> value). */
function blocksOf(slices: SliceRow[]): Map<string, Map<string, number>> {
  const cells = new Map<string, Map<string, number>>();
  for (const s of slices) {
    const k = sliceCellKey(s);
    let m = cells.get(k);
    if (!m) cells.set(k, (m = new Map()));
    m.set(`${s.rep}:${s.block}`, s.value);
  }
  return cells;
}

/** Per-block ratios num/den over the blocks both cells ran in; `offset` values are subtracted from both first (net costs). */
export function blockRatios(num: Map<string, number>, den: Map<string, number>, offset?: Map<string, number>): number[] {
  const out: number[] = [];
  for (const [b, x] of num) {
    const y = den.get(b);
    if (y === undefined) continue;
    const o = offset ? offset.get(b) : 0;
    if (o === undefined) continue;
    out.push((x - o) / (y - o));
  }
  return out;
}

export interface RatioOptions {
  /** Reference variant names; a phase with none of them uses its first variant. */
  reference?: string | string[];
  /** Variant whose per-block cost is the method's overhead (cost_net_ns ratios). */
  overheadVariant?: string;
  /** Ladders of variants: each one present is also compared with the step before it (on its own ladder) that ran in the same blocks. */
  steps?: string[][];
}

/**
 * Ratios of every cell to the reference, per phase and metric, from paired slices.
 * cost_ns slices also give cost_net_ns ratios (each block's overhead subtracted
 * from both sides) when the overhead variant ran in the same blocks.
 */
export function pairedRatios(slices: SliceRow[], opts: RatioOptions = {}): PairedRatio[] {
  const overhead = opts.overheadVariant ?? OVERHEAD_VARIANT;
  const groups = new Map<string, SliceRow[]>();
  for (const s of slices) {
    const k = `${s.phase}\u0000${s.metric}`;
    let g = groups.get(k);
    if (!g) groups.set(k, (g = []));
    g.push(s);
  }
  const out: PairedRatio[] = [];
  for (const group of groups.values()) {
    const { phase, metric, unit } = group[0];
    const cells = blocksOf(group);
    const firstOf = new Map<string, SliceRow>();
    for (const s of group) if (!firstOf.has(sliceCellKey(s))) firstOf.set(sliceCellKey(s), s);
    const wanted = opts.reference === undefined ? [] : Array.isArray(opts.reference) ? opts.reference : [opts.reference];
    const keys = [...firstOf.keys()];
    const refNames = wanted.filter((name) => keys.some((k) => firstOf.get(k)!.variant === name));
    if (refNames.length === 0) refNames.push(firstOf.get(keys[0])!.variant);
    const overheadKey = keys.find((k) => firstOf.get(k)!.variant === overhead);
    const sketchParams = (k: string) => paramsKey({ ...firstOf.get(k)!.params, switches: undefined });
    const pairs: [string, string][] = [];
    const paired = new Set<string>();
    const pair = (key: string, refKey: string) => {
      if (key === refKey || paired.has(`${key}\u0000${refKey}`)) return;
      paired.add(`${key}\u0000${refKey}`);
      pairs.push([key, refKey]);
    };
    // Step-to-step pairs of the ladder (same sketch params; the switches are what differs),
    // unless the step before is a reference, whose own pairs below cover them.
    for (const steps of opts.steps ?? []) {
      const onLadder = steps.map((name) => keys.filter((k) => firstOf.get(k)!.variant === name));
      for (let i = 1; i < onLadder.length; i++) {
        const prev = onLadder.slice(0, i).reverse().find((ks) => ks.length > 0);
        for (const key of onLadder[i]) {
          const refKey = prev?.find((k) => sketchParams(k) === sketchParams(key));
          if (refKey && !refNames.includes(firstOf.get(refKey)!.variant)) pair(key, refKey);
        }
      }
    }
    // Each cell against the reference run at the same sketch params where a sweep ran
    // it at several (nitro-final at p = 1/4 against nitro-naive at p = 1/4: the sweep's
    // own comparison), else against the reference's first configuration; the
    // reference's other configurations against its first (what the swept value does to it).
    for (const name of refNames) {
      const refKeys = keys.filter((k) => firstOf.get(k)!.variant === name);
      for (const key of keys) {
        const own = firstOf.get(key)!.variant === name;
        pair(key, (own ? undefined : refKeys.find((k) => sketchParams(k) === sketchParams(key))) ?? refKeys[0]);
      }
    }
    for (const [key, refKey] of pairs) {
      const first = firstOf.get(key)!;
      const ref = firstOf.get(refKey)!;
      const base = { phase, variant: first.variant, reference: ref.variant, params: first.params, referenceParams: ref.params, unit };
      out.push({ ...base, metric, ...estimateRatio(blockRatios(cells.get(key)!, cells.get(refKey)!)) });
      if (metric === 'cost_ns' && overheadKey && key !== overheadKey && refKey !== overheadKey) {
        out.push({ ...base, metric: 'cost_net_ns', ...estimateRatio(blockRatios(cells.get(key)!, cells.get(refKey)!, cells.get(overheadKey)!)) });
      }
    }
  }
  return out;
}
