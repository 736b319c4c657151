/**
 * Accuracy of per-flow estimates against the trace's exact counts, as the
 * metrics of harness/types/results.ts, plus the rows of estimates.csv and the
 * kernel-vs-model distribution test for sampled variants.
 *
 * Definitions (N = total packets = sum of truth; flows are the trace's flows,
 * all with truth >= 1; a flow with truth 0 is left out of ARE, which divides by it):
 *   ARE(S) = mean over flows f in S of |est_f - true_f| / true_f
 *   AAE(S) = mean over flows f in S of |est_f - true_f|          (packets)
 *   S = all flows ("_all") or the K = 100 largest true flows ("_top100"; ties to the
 *       smaller flow id; all flows when there are fewer than K).
 *   Heavy hitters at threshold t (0.01%, 0.1%, 1%): T = t * N;
 *     true HH     H = { f : true_f >= T }
 *     reported HH R = { f : est_f  >= T }  (every trace flow is queried: the kernel
 *                                           sketches keep no candidate list)
 *     precision = |H ∩ R| / |R|, recall = |H ∩ R| / |H|, F1 = 2PR / (P + R).
 *   Empty sets: a ratio over an empty set is 1 (nothing reported means no false
 *   report; nothing to find means nothing missed). So no HH and none reported gives
 *   P = R = F1 = 1; HH exist but none reported gives P = 1, R = 0, F1 = 0; none exist
 *   but some reported gives P = 0, R = 1, F1 = 0. F1 is 0 when P + R = 0. Values stay
 *   finite, so every repetition yields a row and medians are defined.
 */
import * as ss from 'simple-statistics';
import { badInput } from '../errors.ts';
import { topK } from './estimate.ts';
import { Xoshiro128 } from '../trace/prng.ts';
import type { Flow } from '../trace/types.ts';

/** Thresholds as fractions of N, keyed by the metric-name suffix. */
export const HH_THRESHOLDS: Readonly<Record<string, number>> = { '0.01pct': 0.0001, '0.1pct': 0.001, '1pct': 0.01 };

/** K of the "_top100" metrics. */
export const TOP_K = 100;

export interface HeavyHitterScore {
  precision: number;
  recall: number;
  f1: number;
  /** |H|, |R| and |H ∩ R|, for logs and tests. */
  trueCount: number;
  reportedCount: number;
  hits: number;
}

function checkLengths(truth: ArrayLike<number>, estimates: ArrayLike<number>): void {
  if (truth.length !== estimates.length) throw badInput(`truth has ${truth.length} flows, estimates ${estimates.length}`);
}

/** ARE and AAE over the flows `ids` (all flows when omitted). NaN for an empty set. */
export function errorsOver(truth: ArrayLike<number>, estimates: ArrayLike<number>, ids?: ArrayLike<number>): { are: number; aae: number } {
  checkLengths(truth, estimates);
  const n = ids ? ids.length : truth.length;
  let rel = 0, abs = 0, nRel = 0;
  for (let k = 0; k < n; k++) {
    const i = ids ? ids[k] : k;
    const e = Math.abs(estimates[i] - truth[i]);
    abs += e;
    if (truth[i] > 0) { rel += e / truth[i]; nRel++; }
  }
  return { are: nRel ? rel / nRel : NaN, aae: n ? abs / n : NaN };
}

/** Heavy-hitter precision/recall/F1 at `fraction` of N (see the definitions above). */
export function heavyHitterScore(truth: ArrayLike<number>, estimates: ArrayLike<number>, fraction: number, total?: number): HeavyHitterScore {
  checkLengths(truth, estimates);
  const N = total ?? sum(truth);
  const T = fraction * N;
  let trueCount = 0, reportedCount = 0, hits = 0;
  for (let i = 0; i < truth.length; i++) {
    const h = truth[i] >= T, r = estimates[i] >= T;
    if (h) trueCount++;
    if (r) reportedCount++;
    if (h && r) hits++;
  }
  const precision = reportedCount ? hits / reportedCount : 1;
  const recall = trueCount ? hits / trueCount : 1;
  const f1 = precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
  return { precision, recall, f1, trueCount, reportedCount, hits };
}

function sum(a: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i];
  return s;
}

export interface AccuracyOptions {
  /** Sketch memory to report as memory_bytes (rows x columns x 4 x copies); left out when absent. */
  memoryBytes?: number;
  /** K of the top metrics; default 100 (the metric names keep "top100"). */
  topK?: number;
}

/**
 * Every accuracy metric of one repetition: are_all, are_top100, aae_all, aae_top100,
 * hh_{precision,recall,f1}_{0.01pct,0.1pct,1pct} and, if given, memory_bytes.
 */
export function accuracyMetrics(truth: ArrayLike<number>, estimates: ArrayLike<number>, opts: AccuracyOptions = {}): Record<string, number> {
  checkLengths(truth, estimates);
  if (truth.length === 0) throw badInput('accuracy of an empty trace: no flows to compare');
  const N = sum(truth);
  const all = errorsOver(truth, estimates);
  const top = errorsOver(truth, estimates, topK(truth, opts.topK ?? TOP_K));
  const out: Record<string, number> = { are_all: all.are, are_top100: top.are, aae_all: all.aae, aae_top100: top.aae };
  for (const [name, t] of Object.entries(HH_THRESHOLDS)) {
    const s = heavyHitterScore(truth, estimates, t, N);
    out[`hh_precision_${name}`] = s.precision;
    out[`hh_recall_${name}`] = s.recall;
    out[`hh_f1_${name}`] = s.f1;
  }
  if (opts.memoryBytes !== undefined) out.memory_bytes = opts.memoryBytes;
  return out;
}

/** One line of estimates.csv (docs/design.md, Contracts); `true` is the exact packet count. */
export interface EstimateCsvRow {
  variant: string;
  rep: number;
  src: string;
  dst: string;
  sport: number;
  dport: number;
  proto: number;
  true: number;
  estimate: number;
}

export const ESTIMATES_CSV_COLUMNS = ['variant', 'rep', 'src', 'dst', 'sport', 'dport', 'proto', 'true', 'estimate'] as const;

/**
 * Rows of estimates.csv for one repetition: the `largest` (1000) largest true flows,
 * largest first, then a uniform sample without replacement of `sampled` (1000) of the
 * other flows, in flow-id order. The sample depends on `seed` only (not on rep), so the
 * same flows appear in every repetition and can be followed across them.
 */
export function estimatesCsvRows(
  trace: { flows: readonly Flow[] }, truth: ArrayLike<number>, estimates: ArrayLike<number>,
  rep: number, variant: string, seed: number, largest = 1000, sampled = 1000,
): EstimateCsvRow[] {
  checkLengths(truth, estimates);
  if (trace.flows.length !== truth.length) throw badInput(`trace has ${trace.flows.length} flows, truth ${truth.length}`);
  const top = topK(truth, largest);
  const inTop = new Uint8Array(truth.length);
  for (const id of top) inTop[id] = 1;
  const rest = new Uint32Array(truth.length - top.length);
  for (let i = 0, k = 0; i < truth.length; i++) if (!inTop[i]) rest[k++] = i;
  // Partial Fisher-Yates: the first m slots become a uniform m-subset.
  const m = Math.min(sampled, rest.length);
  const rng = new Xoshiro128(seed);
  for (let i = 0; i < m; i++) {
    const j = i + rng.below(rest.length - i);
    const t = rest[i]; rest[i] = rest[j]; rest[j] = t;
  }
  const pick = rest.subarray(0, m).sort();
  const row = (id: number): EstimateCsvRow => {
    const f = trace.flows[id];
    return { variant, rep, src: f.src, dst: f.dst, sport: f.sport, dport: f.dport, proto: f.proto, true: truth[id], estimate: estimates[id] };
  };
  return [...Array.from(top, row), ...Array.from(pick, row)];
}

// ---- kernel vs model, for variants whose randomness the model cannot replay ----

export interface KsTest {
  /** sup |F_a - F_b|. */
  d: number;
  /** P(D >= d) under "same distribution"; conservative (too large) when values tie. */
  p: number;
  method: 'exact' | 'asymptotic';
}

/** Above this n*m the Kolmogorov limit replaces exact lattice-path counting. */
export const KS_EXACT_LIMIT = 10_000;

/**
 * Two-sample Kolmogorov-Smirnov test, two-sided. Exact p for n*m <= KS_EXACT_LIMIT by
 * counting the lattice paths that stay within d (as R's psmirnov), else the Kolmogorov
 * distribution with Stephens' small-sample correction.
 */
export function ksTwoSample(a: ArrayLike<number>, b: ArrayLike<number>): KsTest {
  const n = a.length, m = b.length;
  if (n === 0 || m === 0) throw badInput('KS test needs two non-empty samples');
  const x = Float64Array.from(a).sort(), y = Float64Array.from(b).sort();
  let i = 0, j = 0, d = 0;
  while (i < n && j < m) {
    // Step past every copy of the smaller value on both sides: ties move together.
    const v = Math.min(x[i], y[j]);
    while (i < n && x[i] === v) i++;
    while (j < m && y[j] === v) j++;
    d = Math.max(d, Math.abs(i / n - j / m));
  }
  if (n * m <= KS_EXACT_LIMIT) return { d, p: Math.min(1, Math.max(0, 1 - smirnovCdfBelow(d, n, m))), method: 'exact' };
  const en = Math.sqrt((n * m) / (n + m));
  return { d, p: kolmogorovQ((en + 0.12 + 0.11 / en) * d), method: 'asymptotic' };
}

/** P(D < d) for samples of n and m without ties: paths from (0,0) to (n,m) staying inside |i/n - j/m| < d. */
function smirnovCdfBelow(d: number, n: number, m: number): number {
  if (m > n) [n, m] = [m, n];
  // Just below d, so lattice points at exactly d count as outside (D >= d).
  const q = (0.5 + Math.floor(d * n * m - 1e-7)) / (n * m);
  const u = new Float64Array(m + 1);
  for (let j = 0; j <= m; j++) u[j] = j / m > q ? 0 : 1;
  for (let i = 1; i <= n; i++) {
    // Probabilities, not counts: multiply by i/(i+m) each step so nothing overflows.
    const w = i / (i + m);
    u[0] = i / n > q ? 0 : w * u[0];
    for (let j = 1; j <= m; j++) u[j] = Math.abs(i / n - j / m) > q ? 0 : w * u[j] + u[j - 1];
  }
  return u[m];
}

/** Q_KS(λ) = 2 Σ (-1)^(k-1) exp(-2 k² λ²). */
function kolmogorovQ(lambda: number): number {
  if (lambda < 0.2) return 1;
  let s = 0;
  for (let k = 1; k <= 100; k++) {
    const t = 2 * (k % 2 ? 1 : -1) * Math.exp(-2 * k * k * lambda * lambda);
    s += t;
    if (Math.abs(t) < 1e-12) break;
  }
  return Math.min(1, Math.max(0, s));
}

export interface DistributionComparison {
  /** Per tracked flow: KS of its estimates across kernel reps vs model reps. */
  perFlow: KsTest[];
  /** Smallest per-flow p, and the Bonferroni threshold alpha / flows it is held to. */
  minP: number;
  threshold: number;
  /** KS on one scalar per repetition: the ARE over the tracked flows. */
  repAre: KsTest;
  /** Mean estimate minus mean truth, per side, averaged over tracked flows (a readable bias). */
  meanErrorKernel: number;
  meanErrorModel: number;
  /**
   * True when neither the per-flow family (Bonferroni at alpha) nor the ARE test (at
   * alpha) rejects; the chance of a false alarm is at most 2 * alpha.
   */
  consistent: boolean;
}

/**
 * Are the kernel's estimates distributed like the model's? For coin sampling, where
 * only distributions can match. Inputs: per repetition, the estimates of the same
 * tracked flows (e.g. the top 20 true flows), kernel and model, same trace and hash
 * seeds, so the only randomness on either side is sampling.
 *
 * Why this design:
 * - Independence. Within one repetition the errors of different flows are dependent
 *   (they share counters and colliding traffic), so pooling flows x reps into one
 *   sample and testing it as if i.i.d. overstates the sample size and rejects too
 *   often. Repetitions are independent (fresh randomness each), so each test here
 *   compares values that are i.i.d. within a side: one flow across repetitions, or
 *   one per-repetition summary (ARE over the tracked flows).
 * - KS, not Mann-Whitney. With the same hashes, the kernel and the model differ only
 *   if sampling differs; a wrong rate with the matching 1/p shifts the location, but
 *   correlated coins across rows or CPUs, or a rate error compensated elsewhere, leave
 *   the mean alone and change the spread. Mann-Whitney sees only a shift in location;
 *   KS sees any difference between the distribution functions.
 * - Many flows. The per-flow tests are dependent on each other, so they are combined
 *   with Bonferroni (valid under any dependence): reject if the smallest p < alpha/flows.
 * - Ties. Estimates are multiples of 1/p and tie often; KS p-values are then
 *   conservative, which errs towards "consistent", never towards a false alarm.
 */
export function compareEstimateDistributions(
  kernel: readonly ArrayLike<number>[], model: readonly ArrayLike<number>[], truthOfTracked: ArrayLike<number>, alpha = 0.01,
): DistributionComparison {
  if (kernel.length < 2 || model.length < 2) throw badInput(`need at least 2 repetitions per side, got ${kernel.length} kernel and ${model.length} model`);
  const k = truthOfTracked.length;
  if (k === 0) throw badInput('no tracked flows to compare');
  for (const r of [...kernel, ...model]) if (r.length !== k) throw badInput(`every repetition must hold ${k} tracked flows, one holds ${r.length}`);
  const perFlow: KsTest[] = [];
  for (let f = 0; f < k; f++) perFlow.push(ksTwoSample(kernel.map((r) => r[f]), model.map((r) => r[f])));
  const are = (r: ArrayLike<number>): number => errorsOver(truthOfTracked, r).are;
  const repAre = ksTwoSample(kernel.map(are), model.map(are));
  const meanErr = (reps: readonly ArrayLike<number>[]): number =>
    ss.mean(reps.map((r) => ss.mean(Array.from(r, (v, f) => v - truthOfTracked[f]))));
  const minP = Math.min(...perFlow.map((t) => t.p));
  const threshold = alpha / k;
  return {
    perFlow, minP, threshold, repAre,
    meanErrorKernel: meanErr(kernel), meanErrorModel: meanErr(model),
    consistent: minP >= threshold && repAre.p >= alpha,
  };
}
