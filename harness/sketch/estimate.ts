/**
 * Per-flow estimates from the counters read back from the kernel (per-CPU
 * copies already summed; index = row * columns + col), and the selections
 * accuracy needs: heavy hitters above a share of the traffic and the top K.
 *
 *   Count-Min     min over rows of counter[cell]           (never below the truth)
 *   Count Sketch  median over rows of sign * counter[cell] (unbiased per row)
 *   NitroSketch   Count Sketch median / p                  (each sampled slot adds ±1,
 *                 so a row holds p * (flow count) in expectation)
 *
 * With an even number of rows the median is the mean of the two middle values,
 * the usual Count Sketch convention: it keeps the estimator symmetric in the rows.
 */
import { badInput } from '../errors.ts';
import type { ResolvedVariant, SketchParams } from '../build/manifest.ts';
import { cellMapper } from './cells.ts';
import { FLOW_KEY_BYTES } from './hash.ts';
import { keyCount } from './flow-keys.ts';

/** Counters as read back: number[] from readSketch() or any typed array. */
export type Counters = ArrayLike<number>;

export type EstimatorKind = 'countmin' | 'countsketch' | 'nitro';

/** What the estimator depends on; a ResolvedVariant fits. */
export type EstimatorVariant = Pick<ResolvedVariant, 'family' | 'hashing'>;

/** Which estimator a family's counters need; baselines have none (badInput). */
export function estimatorOf(variant: Pick<ResolvedVariant, 'family' | 'estimator'>): EstimatorKind {
  const f = variant.estimator ?? variant.family;
  if (f === 'countmin' || f === 'countsketch' || f === 'nitro') return f;
  throw badInput(`variant family '${f}' keeps no sketch to estimate from (estimators exist for countmin, countsketch, nitro)`);
}

/** Count-Min estimate of one flow: idx[r] is its flat cell index in row r. */
export function countMinEstimate(counters: Counters, idx: ArrayLike<number>): number {
  let m = Infinity;
  for (let r = 0; r < idx.length; r++) {
    const v = counters[idx[r]];
    if (v < m) m = v;
  }
  return m;
}

/** Median in place of scratch[0..n); n is small (rows <= 8), so insertion sort. */
function medianInPlace(scratch: Float64Array, n: number): number {
  for (let i = 1; i < n; i++) {
    const v = scratch[i];
    let j = i - 1;
    while (j >= 0 && scratch[j] > v) { scratch[j + 1] = scratch[j]; j--; }
    scratch[j + 1] = v;
  }
  const h = n >> 1;
  return n & 1 ? scratch[h] : (scratch[h - 1] + scratch[h]) / 2;
}

/** Count Sketch estimate of one flow: median over rows of sign[r] * counters[idx[r]]. */
export function countSketchEstimate(counters: Counters, idx: ArrayLike<number>, sign: ArrayLike<number>): number {
  const scratch = new Float64Array(idx.length);
  for (let r = 0; r < idx.length; r++) scratch[r] = sign[r] * counters[idx[r]];
  return medianInPlace(scratch, idx.length);
}

/** NitroSketch estimate of one flow: the Count Sketch median scaled by 1/p. */
export function nitroEstimate(counters: Counters, idx: ArrayLike<number>, sign: ArrayLike<number>, p: number): number {
  return countSketchEstimate(counters, idx, sign) / p;
}

/**
 * Flat cell indices and signs of every key, rows per key: cells[i*rows + r].
 * Computed once per (params, trace) and shared by estimation and the model.
 */
export interface FlowCells {
  rows: number;
  index: Uint32Array;
  sign: Int8Array;
}

export function flowCells(variant: Pick<ResolvedVariant, 'hashing'>, params: Pick<SketchParams, 'rows' | 'columns' | 'seeds'>, keys: Uint8Array): FlowCells {
  const { rows, columns } = params;
  const n = keyCount(keys);
  const map = cellMapper({ rows, columns, seeds: params.seeds, hashing: variant.hashing });
  const index = new Uint32Array(n * rows);
  const sign = new Int8Array(n * rows);
  for (let i = 0; i < n; i++) {
    const cells = map(keys.subarray(i * FLOW_KEY_BYTES, (i + 1) * FLOW_KEY_BYTES));
    for (let r = 0; r < rows; r++) {
      index[i * rows + r] = cells[r].row * columns + cells[r].col;
      sign[i * rows + r] = cells[r].sign;
    }
  }
  return { rows, index, sign };
}

/**
 * Estimates of every flow (keys from flowKeys(): flow i's key at 40i).
 * Throws badInput when the counters do not cover rows x columns.
 */
export function estimateAll(variant: EstimatorVariant, params: SketchParams, counters: Counters, keys: Uint8Array): Float64Array {
  return estimateFromCells(variant, params, counters, flowCells(variant, params, keys));
}

/** estimateAll with the cells already computed (several reads of one sketch share them). */
export function estimateFromCells(variant: Pick<ResolvedVariant, 'family' | 'estimator'>, params: Pick<SketchParams, 'rows' | 'columns' | 'p'>, counters: Counters, cells: FlowCells): Float64Array {
  const kind = estimatorOf(variant);
  const { rows, columns, p } = params;
  if (counters.length < rows * columns) {
    throw badInput(`sketch has ${counters.length} counters, ${rows} x ${columns} = ${rows * columns} needed`);
  }
  if (cells.rows !== rows) throw badInput(`cells were computed for ${cells.rows} rows, params have ${rows}`);
  if (kind === 'nitro' && !(p > 0 && p <= 1)) throw badInput(`NitroSketch needs 0 < p <= 1, got ${p}`);
  const n = cells.index.length / rows;
  const out = new Float64Array(n);
  const { index, sign } = cells;
  if (kind === 'countmin') {
    for (let i = 0; i < n; i++) {
      let m = Infinity;
      for (let r = 0, o = i * rows; r < rows; r++, o++) {
        const v = counters[index[o]];
        if (v < m) m = v;
      }
      out[i] = m;
    }
    return out;
  }
  const scale = kind === 'nitro' ? 1 / p : 1;
  const scratch = new Float64Array(rows);
  for (let i = 0; i < n; i++) {
    for (let r = 0, o = i * rows; r < rows; r++, o++) scratch[r] = sign[o] * counters[index[o]];
    // Divide (not multiply by 1/p) so p = 1/16 and friends stay exact.
    out[i] = scale === 1 ? medianInPlace(scratch, rows) : medianInPlace(scratch, rows) / p;
  }
  return out;
}

/**
 * Flows whose value is at least `fraction` of `total` (e.g. 0.001 for 0.1%),
 * ascending ids. `>=`: a flow exactly at the threshold counts, in truth and in
 * estimates alike, so the two sides use the same rule.
 */
export function heavyHitters(values: ArrayLike<number>, total: number, fraction: number): Uint32Array {
  const t = fraction * total;
  let n = 0;
  for (let i = 0; i < values.length; i++) if (values[i] >= t) n++;
  const out = new Uint32Array(n);
  for (let i = 0, k = 0; i < values.length; i++) if (values[i] >= t) out[k++] = i;
  return out;
}

/**
 * Ids of the k largest values, largest first; ties go to the smaller id so the
 * choice is deterministic. A size-k heap: O(n log k), no sort of a million ids.
 */
export function topK(values: ArrayLike<number>, k: number): Uint32Array {
  const n = values.length;
  k = Math.max(0, Math.min(k, n));
  if (k === 0) return new Uint32Array(0);
  // "a ranks below b": smaller value, or equal value and larger id.
  const below = (a: number, b: number): boolean => values[a] < values[b] || (values[a] === values[b] && a > b);
  const heap = new Uint32Array(k); // min-heap by rank: heap[0] is the weakest kept
  let size = 0;
  const siftDown = (i: number): void => {
    for (;;) {
      const l = 2 * i + 1, r = l + 1;
      let m = i;
      if (l < size && below(heap[l], heap[m])) m = l;
      if (r < size && below(heap[r], heap[m])) m = r;
      if (m === i) return;
      const t = heap[i]; heap[i] = heap[m]; heap[m] = t;
      i = m;
    }
  };
  for (let id = 0; id < n; id++) {
    if (size < k) {
      let i = size++;
      heap[i] = id;
      while (i > 0) {
        const pa = (i - 1) >> 1;
        if (!below(heap[i], heap[pa])) break;
        const t = heap[i]; heap[i] = heap[pa]; heap[pa] = t;
        i = pa;
      }
    } else if (below(heap[0], id)) {
      heap[0] = id;
      siftDown(0);
    }
  }
  // Pop weakest first into the back: largest ends up first.
  const out = new Uint32Array(k);
  for (let i = k - 1; i >= 0; i--) {
    out[i] = heap[0];
    heap[0] = heap[--size];
    siftDown(0);
  }
  return out;
}
