/**
 * What a UnivMon sketch answers from what the kernel holds: the counters of every
 * layer (per-CPU copies summed) and each layer's key lists (one per CPU).
 *
 * Candidates: layer j's keys Q_j are the union of its lists over CPUs, each
 * estimated from layer j's merged counters (Count Sketch median over rows, / p
 * when sampled) and taken as at least 1: a listed key was seen at least once.
 *
 * G-sum (Braverman and Ostrovsky's recursion, as UnivMon, Liu et al., SIGCOMM 2016):
 *   Y_{L-1} = sum over k in Q_{L-1} of g(w_k)
 *   Y_j     = 2 Y_{j+1} + sum over k in Q_j of (1 - 2 [k in layer j+1]) g(w_k)
 * and Y_0 estimates sum over all flows of g(f). When every list holds every key of
 * its layer and the estimates are exact, each Y_j is exactly layer j's sum, so the
 * recursion adds no error of its own (test/unit/univmon-estimate.test.ts).
 *   distinct flows  g(x) = 1
 *   entropy         H = log2 N - (1/N) Y_0 with g(x) = x log2 x (bits; N packets)
 *   F2              g(x) = x^2
 * Heavy hitters: every listed key of every layer, estimated from layer 0 (all the
 * traffic), reported when its estimate is at least the threshold.
 *
 * Flows never sampled (nitro-univmon): a flow reaches the lists only through a
 * packet with a sampled row (probability q = 1 - (1 - p)^rows per packet), so the
 * recursion with g = 1 counts the flows that had one, not all of them. On the
 * default Zipf trace that is 29k of 64k flows at p = 1/16 and 4 rows, an error
 * of 0.55 that no amount of memory removes: a never-sampled flow left no trace.
 * How many there are is the classic unseen-species problem; the lists' update
 * counts give Chao's estimate of the unseen (Chao 1984, bias-corrected form
 * Chao 1987), f1 (f1 - 1) / (2 (f2 + 1)), from the flows seen once (f1) and
 * twice (f2). It is a lower bound in expectation but blows up when f2 is tiny
 * (a trace of mostly one-packet flows), so it is capped by f1 (1 - q) / q, which
 * bounds the unseen from above in expectation whatever the flow sizes (each
 * flow of n packets adds (1 - q)^n to the unseen and n q (1 - q)^(n-1) to f1) and
 * is exact when every unseen flow has one packet. The counts are complete only
 * in a list that never filled (it listed every sampled flow of its layer since
 * the start), and layers are uniform samples of the flows (the level hash), so
 * the ratio (seen + unseen) / seen in those lists scales the whole count. Only
 * p < 1 variants are scaled; with more keys per layer more flows enter the
 * estimate and its error falls.
 */
import { badInput } from '../errors.ts';
import type { HeavyEntry } from '../kernel/layout.ts';
import { inLayer, layerMappers, levelHasher, type UnivmonParams } from './univmon-model.ts';
import type { ResolvedVariant } from '../build/manifest.ts';

/** A candidate key of one layer with its estimate there. */
export interface LayerKey {
  key: Uint8Array;
  /** Packets, at least 1. */
  estimate: number;
  /** Whether the key is also in the next layer (its level hash says so). */
  inNext: boolean;
}

/** What the recursion and the heavy-hitter report need, per layer. */
export interface UnivmonCandidates {
  layers: LayerKey[][];
  /** Factor from flows with a sampled packet to all flows (1 without sampling). */
  unseenScale: number;
  /** Every listed key once, with its layer-0 estimate. */
  heavy: { key: Uint8Array; estimate: number }[];
}

const hexOf = (k: Uint8Array): string => Buffer.from(k).toString('hex');

/**
 * Q_j for every layer and the heavy-hitter candidates, from merged counters and
 * the per-CPU lists (lists[j][cpu]).
 */
export function univmonCandidates(
  variant: Pick<ResolvedVariant, 'hashing' | 'samples'>, params: UnivmonParams & { topk: number },
  counters: ArrayLike<number>, lists: readonly (readonly (readonly HeavyEntry[])[])[],
): UnivmonCandidates {
  const { rows, columns, layers, p } = params;
  if (counters.length < layers * rows * columns) throw badInput(`UnivMon sketch has ${counters.length} counters, ${layers} x ${rows} x ${columns} needed`);
  if (lists.length !== layers) throw badInput(`UnivMon read ${lists.length} key lists for ${layers} layers`);
  const mappers = layerMappers(variant, params);
  const level = levelHasher(params.seeds);
  const scale = variant.samples ? p : 1;
  const estimateIn = (j: number, key: Uint8Array): number => {
    const v = mappers[j](key).map((c) => c.sign * counters[(j * rows + c.row) * columns + c.col]).sort((a, b) => a - b);
    const h = rows >> 1;
    return (rows & 1 ? v[h] : (v[h - 1] + v[h]) / 2) / scale;
  };
  const out: LayerKey[][] = [];
  const all = new Map<string, Uint8Array>();
  for (let j = 0; j < layers; j++) {
    const seen = new Map<string, Uint8Array>();
    for (const cpu of lists[j]) for (const e of cpu) seen.set(hexOf(e.key), e.key);
    out.push([...seen.values()].map((key) => ({ key, estimate: Math.max(1, estimateIn(j, key)), inNext: inLayer(level(key), j + 1) })));
    for (const [h, k] of seen) all.set(h, k);
  }
  const heavy = [...all.values()].map((key) => ({ key, estimate: estimateIn(0, key) }));
  return { layers: out, heavy, unseenScale: variant.samples && p < 1 ? unseenFlowScale(lists, params.topk, 1 - (1 - p) ** rows) : 1 };
}

/**
 * (seen + unseen) / seen over the flows of the lists that never filled (see the top
 * of this file), q the chance that a packet reaches the lists; 1 when no such list has a flow.
 */
export function unseenFlowScale(lists: readonly (readonly (readonly HeavyEntry[])[])[], topk: number, q: number): number {
  const hits = new Map<string, number>();
  for (const cpus of lists) {
    if (cpus.some((l) => l.length >= topk)) continue;
    const layer = new Map<string, number>();
    for (const cpu of cpus) {
      for (const e of cpu) {
        const k = hexOf(e.key);
        layer.set(k, (layer.get(k) ?? 0) + e.hits);
      }
    }
    // A flow is in every layer up to its level, listed in each at its first sampled packet: the same count.
    for (const [k, h] of layer) hits.set(k, Math.max(hits.get(k) ?? 0, h));
  }
  const seen = hits.size;
  if (seen === 0) return 1;
  let f1 = 0, f2 = 0;
  for (const h of hits.values()) {
    if (h === 1) f1++;
    else if (h === 2) f2++;
  }
  const unseen = Math.min((f1 * (f1 - 1)) / (2 * (f2 + 1)), (f1 * (1 - q)) / q);
  return (seen + unseen) / seen;
}

/** Y_0 of the recursion for g. */
export function gSum(layers: readonly (readonly LayerKey[])[], g: (x: number) => number): number {
  const L = layers.length;
  if (L === 0) throw badInput('UnivMon G-sum of no layers');
  let y = 0;
  for (const k of layers[L - 1]) y += g(k.estimate);
  for (let j = L - 2; j >= 0; j--) {
    let s = 0;
    for (const k of layers[j]) s += (k.inNext ? -1 : 1) * g(k.estimate);
    y = 2 * y + s;
  }
  return y;
}

export interface UnivmonStatistics {
  distinct: number;
  /** Bits. */
  entropy: number;
  f2: number;
}

/** Distinct flows, entropy (bits, over N packets) and F2 from the candidates. */
export function univmonStatistics(c: UnivmonCandidates, packets: number): UnivmonStatistics {
  if (!(packets > 0)) throw badInput(`entropy needs the packet count N > 0, got ${packets}`);
  const xlogx = gSum(c.layers, (x) => x * Math.log2(x));
  return {
    distinct: gSum(c.layers, () => 1) * c.unseenScale,
    entropy: Math.log2(packets) - xlogx / packets,
    f2: gSum(c.layers, (x) => x * x),
  };
}

/** The same statistics of exact counts (flows with count 0 left out). */
export function trueStatistics(counts: ArrayLike<number>): UnivmonStatistics & { packets: number } {
  let distinct = 0, n = 0, xlogx = 0, f2 = 0;
  for (let i = 0; i < counts.length; i++) {
    const x = counts[i];
    if (x <= 0) continue;
    distinct++;
    n += x;
    xlogx += x * Math.log2(x);
    f2 += x * x;
  }
  if (n === 0) throw badInput('statistics of an empty trace');
  return { distinct, entropy: Math.log2(n) - xlogx / n, f2, packets: n };
}
