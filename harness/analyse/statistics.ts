/**
 * Statistics of repetitions: medians, quartiles, confidence intervals, outliers,
 * ratios and a rank test. Timings of eBPF programs are skewed (interrupts, frequency
 * changes, cache misses only ever add time) and we usually have 5 repetitions, so
 * everything here is rank- or resampling-based rather than assuming normality.
 */
import * as ss from 'simple-statistics';
import type { CiMethod, Row, SummaryRow } from '../types/results.ts';
import { paramsKey } from '../types/results.ts';

/** Seed of every resampling in the harness: the same rows always give the same intervals. */
export const DEFAULT_SEED = 0x5eed;
export const DEFAULT_RESAMPLES = 10_000;
/** Iglewicz & Hoaglin's cut-off for the modified z-score. */
export const OUTLIER_Z = 3.5;

/** mulberry32: a tiny, well-mixed 32-bit PRNG; Math.random cannot be seeded. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Quantile of sorted values by linear interpolation between order statistics (R type 7,
 * numpy's default), so figures and tables agree with what readers compute themselves.
 * simple-statistics' quantile uses a different (nearest-rank) definition.
 */
export function quantileSorted(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) throw new RangeError('quantile of no values');
  const h = (sorted.length - 1) * p;
  const lo = Math.floor(h);
  const hi = Math.ceil(h);
  return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
}

/**
 * P(Bin(n, 1/2) <= k). Summed in log space: paired measurements give thousands of
 * pairs, and 2^n overflows a double past n = 1023.
 */
export function binomialCdfHalf(k: number, n: number): number {
  if (k < 0) return 0;
  if (k >= n) return 1;
  let logPmf = -n * Math.LN2; // log P(X = 0)
  let sum = 0;
  for (let i = 0; i <= k; i++) {
    if (i > 0) logPmf += Math.log(n - i + 1) - Math.log(i);
    sum += Math.exp(logPmf);
  }
  return Math.min(1, sum);
}

export interface Interval {
  low: number;
  high: number;
  method: CiMethod;
  /** Achieved (order-statistic) or nominal (bootstrap) confidence. */
  level: number;
}

export interface CiOptions {
  level?: number;
  seed?: number;
  resamples?: number;
}

/**
 * The rank k (1-based) of the order-statistic interval [x_k, x_(n+1-k)] of a median of n
 * independent values: the largest k whose coverage 1 - 2 P(Bin(n, 1/2) <= k-1) is still
 * >= level; 0 when even [min, max] falls short.
 */
export function medianCiRank(n: number, level = 0.95): number {
  const key = `${n}:${level}`;
  const known = rankCache.get(key);
  if (known !== undefined) return known;
  // One pass: P(Bin(n, 1/2) <= k-1) grows by one term per k, summed exactly as
  // binomialCdfHalf sums it. Calling that per k was quadratic in n, and a run
  // asks for thousands of blocks' ranks at every checkpoint.
  let best = 0;
  let logPmf = -n * Math.LN2;
  let cdf = 0;
  for (let k = 1; k <= Math.floor(n / 2); k++) {
    if (k > 1) logPmf += Math.log(n - k + 2) - Math.log(k - 1);
    cdf += Math.exp(logPmf);
    if (1 - 2 * Math.min(1, cdf) >= level) best = k;
    else break;
  }
  rankCache.set(key, best);
  return best;
}

const rankCache = new Map<string, number>();

/**
 * Confidence interval of the median.
 *
 * Method: the distribution-free order-statistic interval [x(k), x(n-k+1)], with the
 * largest k whose coverage 1 - 2 P(Bin(n, 1/2) <= k-1) is still >= level. It assumes only
 * independent repetitions, which suits skewed timings. It does not exist for n <= 5 at
 * 95% (n = 5 reaches 93.75% at best), so there we fall back to a percentile bootstrap of
 * the median with a seeded PRNG. For n = 5 that bootstrap interval is in effect
 * [min, max]: be aware its true coverage is nearer 94% than 95%, which is as good as
 * five repetitions allow. Use 6 or more repetitions for an exact interval.
 */
export function medianCi(values: number[], opts: CiOptions = {}): Interval {
  const level = opts.level ?? 0.95;
  const x = [...values].sort((a, b) => a - b);
  const n = x.length;
  if (n === 0) throw new RangeError('median CI of no values');
  if (n === 1) return { low: x[0], high: x[0], method: 'none', level: 0 };
  const best = medianCiRank(n, level);
  if (best > 0) {
    return { low: x[best - 1], high: x[n - best], method: 'order-statistic', level: 1 - 2 * binomialCdfHalf(best - 1, n) };
  }
  return { ...percentileInterval(bootstrapMedian(values, opts), level), method: 'bootstrap', level };
}

function resample(values: number[], rand: () => number): number[] {
  const out = new Array<number>(values.length);
  for (let i = 0; i < values.length; i++) out[i] = values[Math.floor(rand() * values.length)];
  return out;
}

/**
 * bootstrap(() => [values], ([s]) => ss.median(s), opts), the same draws in the same
 * order and so the same interval, without an array per resample: every cell of a
 * 5-repetition run takes this path, 10,000 times, at every checkpoint.
 */
function bootstrapMedian(values: number[], opts: CiOptions): Float64Array {
  const rand = seededRandom(opts.seed ?? DEFAULT_SEED);
  const b = opts.resamples ?? DEFAULT_RESAMPLES;
  const n = values.length;
  const buf = new Float64Array(n);
  const out = new Float64Array(b);
  for (let i = 0; i < b; i++) {
    // Insertion as drawn: n is at most 5 here (above, the order-statistic interval exists).
    for (let j = 0; j < n; j++) {
      const v = values[Math.floor(rand() * n)];
      let k = j;
      while (k > 0 && buf[k - 1] > v) {
        buf[k] = buf[k - 1];
        k--;
      }
      buf[k] = v;
    }
    out[i] = n % 2 ? buf[(n - 1) / 2] : (buf[n / 2 - 1] + buf[n / 2]) / 2;
  }
  return out.sort();
}

function bootstrap(samples: () => number[][], stat: (s: number[][]) => number, opts: CiOptions): number[] {
  const rand = seededRandom(opts.seed ?? DEFAULT_SEED);
  const b = opts.resamples ?? DEFAULT_RESAMPLES;
  const data = samples();
  const out = new Array<number>(b);
  for (let i = 0; i < b; i++) out[i] = stat(data.map((s) => resample(s, rand)));
  return out.sort((p, q) => p - q);
}

function percentileInterval(sortedBoots: ArrayLike<number>, level: number): { low: number; high: number } {
  const alpha = (1 - level) / 2;
  return { low: quantileSorted(sortedBoots, alpha), high: quantileSorted(sortedBoots, 1 - alpha) };
}

/**
 * Indexes of values whose modified z-score 0.6745 (x - median) / MAD exceeds `z`
 * (Iglewicz & Hoaglin). MAD ignores the outliers themselves, unlike a standard deviation.
 * With MAD = 0 (most values equal) the score is undefined and nothing is flagged.
 */
export function madOutliers(values: number[], z = OUTLIER_Z): number[] {
  if (values.length < 3) return [];
  const med = ss.median(values);
  const mad = ss.median(values.map((v) => Math.abs(v - med)));
  if (mad === 0) return [];
  return values.flatMap((v, i) => (Math.abs((0.6745 * (v - med)) / mad) > z ? [i] : []));
}

/** A warning that says what to do about outliers, or undefined when there are none. */
export function outlierWarning(s: Pick<SummaryRow, 'variant' | 'metric' | 'n' | 'outliers'>): string | undefined {
  if (s.outliers.length === 0) return undefined;
  return `warning: ${s.outliers.length} of ${s.n} repetitions of ${s.variant} ${s.metric} are statistical outliers ` +
    `(modified z-score > ${OUTLIER_Z}; reps ${s.outliers.join(', ')}). Other programs, interrupts or CPU frequency changes ` +
    'may have disturbed the run: close other workloads, pin the generator and the XDP core, fix the CPU frequency ' +
    '(disable turbo), or run more repetitions.';
}

/** Statistics of one cell's values (n >= 1). */
export function describe(values: number[], opts: CiOptions = {}): Omit<SummaryRow, 'variant' | 'metric' | 'unit' | 'trace' | 'params'> {
  if (values.length === 0) throw new RangeError('describe of no values');
  const x = [...values].sort((a, b) => a - b);
  const q1 = quantileSorted(x, 0.25);
  const q3 = quantileSorted(x, 0.75);
  const ci = medianCi(values, opts);
  return {
    n: x.length,
    median: quantileSorted(x, 0.5),
    q1,
    q3,
    iqr: q3 - q1,
    ciLow: ci.low,
    ciHigh: ci.high,
    ciMethod: ci.method,
    ciLevel: ci.level,
    mean: ss.mean(x),
    stddev: x.length > 1 ? ss.sampleStandardDeviation(x) : 0,
    min: x[0],
    max: x[x.length - 1],
    outliers: [],
  };
}

/** Key of a cell: rows with equal variant, metric, trace and params are repetitions of one thing. */
export function cellKey(r: Pick<Row, 'variant' | 'metric' | 'trace' | 'params'>): string {
  return `${r.variant}\u0000${r.metric}\u0000${r.trace}\u0000${paramsKey(r.params)}`;
}

/** Group rows into cells, keeping first-seen order so tables follow the run's order. */
export function groupCells(rows: Row[]): Row[][] {
  const cells = new Map<string, Row[]>();
  for (const r of rows) {
    const k = cellKey(r);
    let c = cells.get(k);
    if (!c) cells.set(k, (c = []));
    c.push(r);
  }
  return [...cells.values()];
}

/** One SummaryRow per (variant, metric, trace, params) cell. Outliers are reported by rep index. */
export function summarise(rows: Row[], opts: CiOptions = {}): SummaryRow[] {
  return groupCells(rows).map((cell) => {
    const values = cell.map((r) => r.value);
    const d = describe(values, opts);
    const { variant, metric, unit, trace, params } = cell[0];
    return { variant, metric, unit, trace, params, ...d, outliers: madOutliers(values).map((i) => cell[i].rep) };
  });
}

export interface Ratio {
  /** median(num) / median(den). */
  ratio: number;
  ciLow: number;
  ciHigh: number;
  level: number;
}

/**
 * Ratio of medians num/den with a 95% percentile-bootstrap interval: each sample is
 * resampled independently (the runs are independent), seeded so the interval is stable.
 * Chosen over Fieller's interval because Fieller needs normal means; our statistic is
 * the median. A zero median in `den` gives an infinite ratio and interval.
 */
export function ratioOfMedians(num: number[], den: number[], opts: CiOptions = {}): Ratio {
  if (num.length === 0 || den.length === 0) throw new RangeError('ratio of empty samples');
  const level = opts.level ?? 0.95;
  const ratio = ss.median(num) / ss.median(den);
  if (num.length === 1 && den.length === 1) return { ratio, ciLow: ratio, ciHigh: ratio, level: 0 };
  const boots = bootstrap(() => [num, den], ([a, b]) => ss.median(a) / ss.median(b), opts);
  const { low, high } = percentileInterval(boots, level);
  return { ratio, ciLow: low, ciHigh: high, level };
}

export interface RankTest {
  /** Mann-Whitney U of sample a (number of pairs a_i > b_j, ties counting 1/2). */
  u: number;
  /** Two-sided p-value. */
  p: number;
  method: 'exact' | 'normal';
}

/** Up to this many values in total, p is computed from the exact permutation distribution. */
export const EXACT_LIMIT = 50;

/**
 * Two-sided Mann-Whitney U (Wilcoxon rank-sum) test.
 *
 * Why this test: repetitions of a timing are few, skewed and not normal, and we ask
 * "does one variant tend to give larger values than the other"; the rank-sum test answers
 * that without a distribution assumption and with little power lost against the t-test.
 *
 * For n1 + n2 <= 50 the p-value is exact: the permutation distribution of the rank sum is
 * counted by dynamic programming over (doubled) midranks, which stays exact with ties.
 * Beyond that the normal approximation with tie and continuity corrections is accurate.
 * Note that with 5 vs 5 repetitions the smallest possible p is 2/252 = 0.0079.
 */
export function mannWhitney(a: number[], b: number[]): RankTest {
  const n1 = a.length;
  const n2 = b.length;
  if (n1 === 0 || n2 === 0) throw new RangeError('rank test of an empty sample');
  const all = [...a.map((v) => ({ v, g: 0 })), ...b.map((v) => ({ v, g: 1 }))].sort((x, y) => x.v - y.v);
  const N = all.length;
  // Doubled midranks are integers, which the exact DP needs.
  const rank2 = new Array<number>(N);
  const tieSizes: number[] = [];
  for (let i = 0; i < N; ) {
    let j = i;
    while (j + 1 < N && all[j + 1].v === all[i].v) j++;
    for (let k = i; k <= j; k++) rank2[k] = i + j + 2;
    tieSizes.push(j - i + 1);
    i = j + 1;
  }
  let r1x2 = 0;
  all.forEach((e, i) => { if (e.g === 0) r1x2 += rank2[i]; });
  const u = r1x2 / 2 - (n1 * (n1 + 1)) / 2;

  if (N <= EXACT_LIMIT) {
    // ways[k][s]: number of k-subsets of the items seen so far with doubled rank sum s.
    const maxS = rank2.reduce((s, r) => s + r, 0);
    let ways: Float64Array[] = Array.from({ length: n1 + 1 }, () => new Float64Array(maxS + 1));
    ways[0][0] = 1;
    for (let i = 0; i < N; i++) {
      const r = rank2[i];
      for (let k = Math.min(i + 1, n1); k >= 1; k--) {
        const row = ways[k];
        const prev = ways[k - 1];
        for (let s = maxS; s >= r; s--) if (prev[s - r]) row[s] += prev[s - r];
      }
    }
    const dist = ways[n1];
    let total = 0, le = 0, ge = 0;
    for (let s = 0; s <= maxS; s++) {
      total += dist[s];
      if (s <= r1x2) le += dist[s];
      if (s >= r1x2) ge += dist[s];
    }
    ways = [];
    return { u, p: Math.min(1, (2 * Math.min(le, ge)) / total), method: 'exact' };
  }

  const mu = (n1 * n2) / 2;
  const tieTerm = tieSizes.reduce((s, t) => s + (t ** 3 - t), 0) / (N * (N - 1));
  const sigma = Math.sqrt(((n1 * n2) / 12) * (N + 1 - tieTerm));
  if (sigma === 0) return { u, p: 1, method: 'normal' };
  const z = Math.max(0, Math.abs(u - mu) - 0.5) / sigma;
  return { u, p: Math.min(1, 2 * (1 - normalCdf(z))), method: 'normal' };
}

/** Standard normal CDF via erf; simple-statistics' cumulativeStdNormalProbability is a 2-decimal table. */
export function normalCdf(z: number): number {
  return 0.5 * (1 + ss.errorFunction(z / Math.SQRT2));
}
