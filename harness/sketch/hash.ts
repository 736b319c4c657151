/**
 * fasthash64 over the 40-byte flow key, bit for bit as variants/include/fasthash.h
 * computes it in the kernel: the harness recomputes every flow's cells to
 * estimate it from the counters, so any drift here silently ruins accuracy.
 *
 * The hot path works on 32-bit halves with exact 64-bit multiplication (no
 * BigInt allocation per step): estimating 1M flows x 4 rows stays well under
 * a second. `fasthash64Big` is the plain BigInt transcription, kept as the
 * readable reference the fast path is tested against.
 */
import { isIPv4, isIPv6 } from 'node:net';
import { badInput } from '../errors.ts';

/** Bytes of struct flow_key (sketch_kern_user.h): five 64-bit words. */
export const FLOW_KEY_BYTES = 40;

/** A flow as traces describe it: addresses as text, ports in host order. */
export interface FlowTuple {
  /** IPv4 dotted quad or IPv6 text. */
  src: string;
  dst: string;
  /** 0..65535, host order; 0 for protocols without ports. */
  sport: number;
  dport: number;
  /** IP protocol number (6 TCP, 17 UDP...). */
  proto: number;
}

const M = 0x880355f21e6d1965n;
const MIX_MUL = 0x2127599bf4325c37n;
const U64 = (x: bigint): bigint => BigInt.asUintN(64, x);

function mixBig(h: bigint): bigint {
  h ^= h >> 23n;
  h = U64(h * MIX_MUL);
  h ^= h >> 47n;
  return h;
}

/** Reference fasthash64 (BigInt): any length, little-endian words, fasthash's tail rule. */
export function fasthash64Big(buf: Uint8Array, seed: bigint): bigint {
  const len = buf.length;
  let h = U64(U64(seed) ^ U64(BigInt(len) * M));
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const words = Math.floor(len / 8);
  for (let i = 0; i < words; i++) {
    h ^= mixBig(view.getBigUint64(8 * i, true));
    h = U64(h * M);
  }
  const rest = len & 7;
  if (rest) {
    let v = 0n;
    for (let i = rest - 1; i >= 0; i--) v = (v << 8n) | BigInt(buf[8 * words + i]);
    h ^= mixBig(v);
    h = U64(h * M);
  }
  return mixBig(h);
}

// ---- fast path: 64-bit values as (hi, lo) unsigned 32-bit halves ----

const M_HI = 0x880355f2, M_LO = 0x1e6d1965;
const X_HI = 0x2127599b, X_LO = 0xf4325c37;

// seed ^ (len * m), for the two message lengths the kernel hashes (40: a key, 16: a compact IPv4 key).
const lenM = (len: number): [number, number] => {
  const v = U64(BigInt(len) * M);
  return [Number(v >> 32n), Number(v & 0xffffffffn)];
};
const LEN_M_OF: Record<number, [number, number]> = { 40: lenM(40), 16: lenM(16) };

// Results of mul64/mix64 land here: returning pairs would allocate per call.
let rHi = 0, rLo = 0;

/** (aHi:aLo * bHi:bLo) mod 2^64 into rHi:rLo. */
function mul64(aHi: number, aLo: number, bHi: number, bLo: number): void {
  // aLo * bLo needs all 64 bits: split into 16-bit limbs so every product is exact in a double.
  const a0 = aLo & 0xffff, a1 = aLo >>> 16, b0 = bLo & 0xffff, b1 = bLo >>> 16;
  const mid = a0 * b1 + a1 * b0; // < 2^33
  const lo = a0 * b0 + (mid % 65536) * 65536; // < 2^33
  const hi = a1 * b1 + Math.floor(mid / 65536) + Math.floor(lo / 4294967296);
  // The cross terms only matter mod 2^32 in the high half.
  rHi = (hi + Math.imul(aHi, bLo) + Math.imul(aLo, bHi)) >>> 0;
  rLo = lo >>> 0;
}

function mix64(hi: number, lo: number): void {
  // h ^= h >> 23
  lo = (lo ^ ((lo >>> 23) | (hi << 9))) >>> 0;
  hi = (hi ^ (hi >>> 23)) >>> 0;
  mul64(hi, lo, X_HI, X_LO);
  // h ^= h >> 47: only the high half's top 17 bits move, into the low half.
  rLo = (rLo ^ (rHi >>> 15)) >>> 0;
}

/**
 * fasthash64 of a 40-byte key (or of the first `len` bytes, 16 or 40) into rHi:rLo.
 * seedHi/seedLo are the seed's halves. Exported for cells.ts; everyone else uses fasthash64().
 */
export function fasthash64Parts(key: Uint8Array, seedHi: number, seedLo: number, len: 16 | 40 = FLOW_KEY_BYTES): void {
  const [lmHi, lmLo] = LEN_M_OF[len];
  let hi = (seedHi ^ lmHi) >>> 0;
  let lo = (seedLo ^ lmLo) >>> 0;
  for (let o = 0; o < len; o += 8) {
    const vLo = (key[o] | (key[o + 1] << 8) | (key[o + 2] << 16) | (key[o + 3] << 24)) >>> 0;
    const vHi = (key[o + 4] | (key[o + 5] << 8) | (key[o + 6] << 16) | (key[o + 7] << 24)) >>> 0;
    mix64(vHi, vLo);
    mul64((hi ^ rHi) >>> 0, (lo ^ rLo) >>> 0, M_HI, M_LO);
    hi = rHi; lo = rLo;
  }
  mix64(hi, lo);
}

/** Halves of a u64 seed. */
export function seedHalves(seed: bigint): [hi: number, lo: number] {
  const s = U64(seed);
  return [Number(s >> 32n), Number(s & 0xffffffffn)];
}

/** High half of the last fasthash64Parts() result. */
export function lastHashHi(): number {
  return rHi;
}

/** Low half of the last fasthash64Parts() result. */
export function lastHashLo(): number {
  return rLo;
}

/** fasthash64 of a 40-byte flow key, as the kernel computes it. */
export function fasthash64(key: Uint8Array, seed: bigint): bigint {
  if (key.length !== FLOW_KEY_BYTES) return fasthash64Big(key, seed);
  const [sHi, sLo] = seedHalves(seed);
  fasthash64Parts(key, sHi, sLo);
  return (BigInt(rHi) << 32n) | BigInt(rLo);
}

/**
 * The message fasthash64_compact (variants/include/fasthash.h) hashes for a 40-byte key:
 * for an IPv4-mapped key the 16 bytes saddr, daddr, ports, protocol, pad; otherwise
 * undefined (the whole key is hashed). `out` is reused.
 */
export function compactMessage(key: Uint8Array, out: Uint8Array): Uint8Array | undefined {
  for (const base of [0, 16]) {
    for (let i = 0; i < 10; i++) if (key[base + i] !== 0) return undefined;
    if (key[base + 10] !== 0xff || key[base + 11] !== 0xff) return undefined;
  }
  out.set(key.subarray(12, 16), 0);
  out.set(key.subarray(28, 32), 4);
  out.set(key.subarray(32, 40), 8);
  return out;
}

/** fasthash's 64 -> 32 fold: (u32)(h - (h >> 32)). */
export function fasthash32(h: bigint): number {
  return Number(BigInt.asUintN(32, h - (h >> 32n)));
}

/** The same fold on halves: the low 32 bits of h - (h >> 32) are lo - hi. */
export function fold32(hi: number, lo: number): number {
  return (lo - hi) >>> 0;
}

/** 16 bytes of an address; IPv4 becomes ::ffff:a.b.c.d as in the kernel key. */
export function addressBytes(addr: string): Uint8Array {
  const out = new Uint8Array(16);
  if (isIPv4(addr)) {
    out[10] = 0xff;
    out[11] = 0xff;
    addr.split('.').forEach((part, i) => { out[12 + i] = Number(part); });
    return out;
  }
  if (!isIPv6(addr)) throw badInput(`not an IPv4 or IPv6 address: '${addr}'`);
  let text = addr.replace(/%.*$/, '');
  // An embedded dotted quad (::ffff:1.2.3.4) stands for the last two groups.
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted) {
    const b = dotted[1].split('.').map(Number);
    text = text.slice(0, dotted.index) + `${((b[0] << 8) | b[1]).toString(16)}:${((b[2] << 8) | b[3]).toString(16)}`;
  }
  const [head, tail] = text.includes('::') ? text.split('::') : [text, undefined];
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = tail === undefined ? h : [...h, ...Array(8 - h.length - t.length).fill('0'), ...t];
  groups.forEach((g, i) => {
    const v = parseInt(g, 16);
    out[2 * i] = v >> 8;
    out[2 * i + 1] = v & 0xff;
  });
  return out;
}

/** struct flow_key bytes: addresses, ports in network order, proto, zero pad. */
export function flowKeyBytes(flow: FlowTuple, out: Uint8Array = new Uint8Array(FLOW_KEY_BYTES)): Uint8Array {
  out.set(addressBytes(flow.src), 0);
  out.set(addressBytes(flow.dst), 16);
  out[32] = (flow.sport >>> 8) & 0xff;
  out[33] = flow.sport & 0xff;
  out[34] = (flow.dport >>> 8) & 0xff;
  out[35] = flow.dport & 0xff;
  out[36] = flow.proto & 0xff;
  out[37] = out[38] = out[39] = 0;
  return out;
}
