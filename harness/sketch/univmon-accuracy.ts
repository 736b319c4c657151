/**
 * UnivMon's accuracy metrics of one repetition (names in harness/types/results.ts):
 *   distinct_rel_err, entropy_rel_err, f2_rel_err = |estimate - true| / true
 *   hh_sketch_{precision,recall,f1}_{0.01pct,0.1pct,1pct}: heavy hitters as the sketch
 *     names them, not as a query of every true flow finds them. Reported set R = the
 *     listed keys whose layer-0 estimate is at least T = t * N; a listed key that is
 *     not a trace flow can only be a false report. H, precision, recall, F1 and the
 *     empty-set conventions as harness/sketch/accuracy.ts.
 */
import { HH_THRESHOLDS } from './accuracy.ts';
import { trueStatistics, univmonStatistics, type UnivmonCandidates } from './univmon-estimate.ts';

/** Flow id of each 40-byte key of the trace, by its hex (a sketch names keys, the truth is by id). */
export type KeyIndex = ReadonlyMap<string, number>;

export function keyIndex(keys: Uint8Array): Map<string, number> {
  const m = new Map<string, number>();
  for (let i = 0; i * 40 < keys.length; i++) m.set(Buffer.from(keys.subarray(40 * i, 40 * i + 40)).toString('hex'), i);
  return m;
}

/** Precision, recall and F1 of the keys a sketch reports at `fraction` of N. */
export function sketchHeavyHitterScore(truth: ArrayLike<number>, c: UnivmonCandidates, index: KeyIndex, fraction: number, total: number): { precision: number; recall: number; f1: number } {
  const T = fraction * total;
  let trueCount = 0;
  for (let i = 0; i < truth.length; i++) if (truth[i] >= T) trueCount++;
  let reported = 0, hits = 0;
  for (const k of c.heavy) {
    if (k.estimate < T) continue;
    reported++;
    const id = index.get(Buffer.from(k.key).toString('hex'));
    if (id !== undefined && truth[id] >= T) hits++;
  }
  const precision = reported ? hits / reported : 1;
  const recall = trueCount ? hits / trueCount : 1;
  return { precision, recall, f1: precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0 };
}

/** Every UnivMon metric of one repetition; `packets` is the N the sketch saw (its stats). */
export function univmonMetrics(truth: ArrayLike<number>, c: UnivmonCandidates, index: KeyIndex, packets: number): Record<string, number> {
  const t = trueStatistics(truth);
  const e = univmonStatistics(c, packets);
  const rel = (est: number, want: number): number => Math.abs(est - want) / want;
  const out: Record<string, number> = {
    distinct_rel_err: rel(e.distinct, t.distinct),
    entropy_rel_err: rel(e.entropy, t.entropy),
    f2_rel_err: rel(e.f2, t.f2),
  };
  for (const [name, frac] of Object.entries(HH_THRESHOLDS)) {
    const s = sketchHeavyHitterScore(truth, c, index, frac, t.packets);
    out[`hh_sketch_precision_${name}`] = s.precision;
    out[`hh_sketch_recall_${name}`] = s.recall;
    out[`hh_sketch_f1_${name}`] = s.f1;
  }
  return out;
}
