/** Synthetic workloads: skewed (Zipf) or uniform flow popularity, deterministic per seed. */
import { badInput } from '../errors.ts';
import { formatAddr, parsePrefix, type Prefix } from './addr.ts';
import { TraceWriter } from './format.ts';
import { Xoshiro128 } from './prng.ts';
import type { Flow, TraceHeader } from './types.ts';

export type SizeSpec = '64' | 'imix' | number;

export interface GenOptions {
  dist: 'zipf' | 'uniform';
  /** Zipf exponent s: P(rank r) ~ r^-s. Ignored for uniform. */
  skew: number;
  /** Flows in the distribution; flows that draw no packet are left out of the trace. */
  flows: number;
  packets: number;
  size: SizeSpec;
  seed: number;
  prefix4: string;
  prefix6: string;
  /** Share of flows that are IPv6, 0..1. */
  ipv6Fraction: number;
  proto: 'udp' | 'tcp' | 'mix';
}

export const GEN_DEFAULTS: GenOptions = {
  dist: 'zipf', skew: 1.1, flows: 100_000, packets: 1_000_000, size: '64', seed: 1,
  prefix4: '198.18.0.0/15', prefix6: '2001:db8::/32', ipv6Fraction: 0, proto: 'udp',
};

/** Simple IMIX: frame lengths (no FCS) and weights 7:4:1. */
export const IMIX = [{ len: 64, weight: 7 }, { len: 576, weight: 4 }, { len: 1500, weight: 1 }];
/** Largest untagged Ethernet frame without FCS. */
export const MAX_FRAME = 1514;

function randomAddr(rng: Xoshiro128, p: Prefix): string {
  const b = new Uint8Array(p.bytes.length);
  for (let i = 0; i < b.length; i++) {
    const keep = Math.max(0, Math.min(8, p.bits - i * 8));
    const mask = (0xff << (8 - keep)) & 0xff;
    b[i] = (p.bytes[i] & mask) | (rng.u32() & 0xff & ~mask);
  }
  return formatAddr(b, 0, p.family);
}

/** Distinct random 5-tuples, rank order (flow 0 is the most popular). */
export function makeFlows(n: number, o: Pick<GenOptions, 'prefix4' | 'prefix6' | 'ipv6Fraction' | 'proto'>, rng: Xoshiro128): Flow[] {
  const p4 = parsePrefix(o.prefix4), p6 = parsePrefix(o.prefix6);
  if (p4.family !== 4) throw badInput(`--prefix4 '${o.prefix4}' is not an IPv4 prefix`);
  if (p6.family !== 6) throw badInput(`--prefix6 '${o.prefix6}' is not an IPv6 prefix`);
  const seen = new Set<string>();
  const flows: Flow[] = [];
  let attempts = 0;
  while (flows.length < n) {
    if (++attempts > n * 20 + 1000) throw badInput(`cannot draw ${n} distinct flows from ${o.prefix4} and ${o.prefix6}`);
    const family: 4 | 6 = rng.float() < o.ipv6Fraction ? 6 : 4;
    const p = family === 4 ? p4 : p6;
    const proto = o.proto === 'udp' ? 17 : o.proto === 'tcp' ? 6 : (rng.u32() & 1 ? 6 : 17);
    const f: Flow = {
      src: randomAddr(rng, p), dst: randomAddr(rng, p),
      sport: 1024 + rng.below(65536 - 1024), dport: 1 + rng.below(65535), proto, family,
    };
    const key = `${f.src}|${f.dst}|${f.sport}|${f.dport}|${f.proto}`;
    if (seen.has(key)) continue;
    seen.add(key);
    flows.push(f);
  }
  return flows;
}

/** Vose's alias method: O(1) per draw, so 10 M packets over 100 k flows take well under a second. */
export class AliasSampler {
  private readonly prob: Float64Array;
  private readonly alias: Uint32Array;
  readonly n: number;

  constructor(weights: Float64Array) {
    const n = weights.length;
    this.n = n;
    this.prob = new Float64Array(n);
    this.alias = new Uint32Array(n);
    let sum = 0;
    for (let i = 0; i < n; i++) sum += weights[i];
    const scaled = new Float64Array(n);
    const small = new Uint32Array(n), large = new Uint32Array(n);
    let ns = 0, nl = 0;
    for (let i = 0; i < n; i++) {
      scaled[i] = (weights[i] * n) / sum;
      if (scaled[i] < 1) small[ns++] = i; else large[nl++] = i;
    }
    while (ns > 0 && nl > 0) {
      const s = small[--ns], l = large[--nl];
      this.prob[s] = scaled[s];
      this.alias[s] = l;
      scaled[l] = scaled[l] + scaled[s] - 1;
      if (scaled[l] < 1) small[ns++] = l; else large[nl++] = l;
    }
    // Leftovers are 1 up to rounding error.
    while (nl > 0) this.prob[large[--nl]] = 1;
    while (ns > 0) this.prob[small[--ns]] = 1;
  }

  sample(rng: Xoshiro128): number {
    const i = Math.floor(rng.float() * this.n);
    return rng.float() < this.prob[i] ? i : this.alias[i];
  }
}

export function zipfWeights(n: number, s: number): Float64Array {
  const w = new Float64Array(n);
  for (let r = 0; r < n; r++) w[r] = Math.pow(r + 1, -s);
  return w;
}

export function validateGen(o: GenOptions): void {
  if (!Number.isInteger(o.flows) || o.flows < 1 || o.flows > 50_000_000) throw badInput(`--flows must be 1..50000000, got ${o.flows}`);
  if (!Number.isInteger(o.packets) || o.packets < 1 || o.packets > 500_000_000) throw badInput(`--packets must be 1..500000000, got ${o.packets}`);
  if (!(o.skew >= 0 && o.skew <= 10)) throw badInput(`--skew must be in 0..10, got ${o.skew}`);
  if (!(o.ipv6Fraction >= 0 && o.ipv6Fraction <= 1)) throw badInput(`--ipv6 must be a fraction in 0..1, got ${o.ipv6Fraction}`);
  if (typeof o.size === 'number' && (!Number.isInteger(o.size) || o.size < 64 || o.size > MAX_FRAME)) {
    throw badInput(`--size must be 64, imix or an integer 64..${MAX_FRAME}, got ${o.size}`);
  }
}

/** Draws the sequence in memory: flow ids by rank (before dropping unused flows) and frame lengths. */
export function drawSequence(o: GenOptions, rng: Xoshiro128): { ranks: Uint32Array; lengths: Uint16Array } {
  const ranks = new Uint32Array(o.packets);
  const lengths = new Uint16Array(o.packets);
  if (o.dist === 'uniform' || o.skew === 0) {
    for (let i = 0; i < o.packets; i++) ranks[i] = rng.below(o.flows);
  } else {
    const alias = new AliasSampler(zipfWeights(o.flows, o.skew));
    for (let i = 0; i < o.packets; i++) ranks[i] = alias.sample(rng);
  }
  if (o.size === 'imix') {
    const total = IMIX.reduce((a, b) => a + b.weight, 0);
    for (let i = 0; i < o.packets; i++) {
      let x = rng.below(total);
      let k = 0;
      while (x >= IMIX[k].weight) { x -= IMIX[k].weight; k++; }
      lengths[i] = IMIX[k].len;
    }
  } else {
    lengths.fill(o.size === '64' ? 64 : o.size);
  }
  return { ranks, lengths };
}

/** Generates a trace file. Flow ids are dense and follow rank order among flows that got packets. */
export function generateTrace(path: string, o: GenOptions): TraceHeader {
  validateGen(o);
  const rng = new Xoshiro128(o.seed);
  // Flows first, then the sequence: the tuples for a seed do not depend on --packets.
  const flows = makeFlows(o.flows, o, rng);
  const { ranks, lengths } = drawSequence(o, rng);
  const used = new Uint8Array(o.flows);
  for (let i = 0; i < ranks.length; i++) used[ranks[i]] = 1;
  const newId = new Uint32Array(o.flows);
  const kept: Flow[] = [];
  for (let r = 0; r < o.flows; r++) if (used[r]) { newId[r] = kept.length; kept.push(flows[r]); }
  // A frame must hold its headers (IPv6 + TCP needs 74 bytes): raise short ones so that
  // export -> import gives back exactly the lengths stored here.
  const minLen = new Uint16Array(kept.length);
  kept.forEach((f, i) => { minLen[i] = minFrameLength(f); });
  for (let i = 0; i < ranks.length; i++) {
    const id = newId[ranks[i]];
    ranks[i] = id;
    if (lengths[i] < minLen[id]) lengths[i] = minLen[id];
  }
  const w = new TraceWriter(path);
  try {
    w.write(ranks, lengths);
  } catch (err) {
    w.abort();
    throw err;
  }
  return w.finish(kept);
}

/** Smallest untagged Ethernet frame (no FCS) that carries this flow's IP and L4 headers. */
export function minFrameLength(f: Pick<Flow, 'family' | 'proto'>): number {
  return 14 + (f.family === 4 ? 20 : 40) + (f.proto === 6 ? 20 : f.proto === 17 ? 8 : 0);
}
