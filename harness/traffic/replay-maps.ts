/**
 * Encode a trace for the replay program's maps (variants/replay/replay_kern_user.h):
 * one prebuilt Ethernet/IP/L4 header per flow, and the packet sequence.
 */
import { SketchbenchError } from '../errors.ts';
import { packed, type StructContract } from '../kernel/btf-layout.ts';

export const REPLAY_HDR_MAX = 80;
export const REPLAY_MIN_FRAME = 64;
export const REPLAY_FLOW_BYTES = 88; // sizeof(struct replay_flow)
export const REPLAY_PKT_BYTES = 8;   // sizeof(struct replay_pkt)
export const REPLAY_STATE_BYTES = 112;
/** The structs this file encodes and decodes, checked against the replay object's BTF at open. */
export const REPLAY_CONTRACTS: StructContract[] = [
  packed('replay_flow', 'harness/traffic/replay-maps.ts', [['hdr', REPLAY_HDR_MAX], ['hdr_len', 2], ['l3_off', 2], ['l4_off', 2], ['family', 1], ['proto', 1]], REPLAY_FLOW_BYTES),
  packed('replay_pkt', 'harness/traffic/replay-maps.ts', [['flow', 4], ['len', 4]]),
  packed('replay_state', 'harness/traffic/replay-maps.ts', ['next', 'limit', 'total', 'mode', 't_first', 't_last', 'overrun', 'bad', 'interval_ps', 't_base', 'paced_skips', 'start', 'timed_from', 'slot'].map((n) => [n, 8] as [string, number])),
];
export const REPLAY_MODE_TAILCALL = 0;
export const REPLAY_MODE_TX = 1;

/** A flow as the replay needs it: addresses as bytes (IPv4: 4 bytes, IPv6: 16). */
export interface ReplayFlow {
  family: 4 | 6;
  src: Uint8Array;
  dst: Uint8Array;
  sport: number;
  dport: number;
  proto: number;
}

export interface ReplayInput {
  flows: ReplayFlow[];
  /** Flow id per packet, in trace order. */
  flowIds: Uint32Array;
  /** L2 frame length (no FCS) per packet. */
  lengths: Uint16Array | Uint32Array;
}

export interface Macs {
  src: Uint8Array;
  dst: Uint8Array;
}

const DEFAULT_MACS: Macs = {
  src: Uint8Array.from([0x02, 0x53, 0x42, 0x00, 0x00, 0x01]),
  dst: Uint8Array.from([0x02, 0x53, 0x42, 0x00, 0x00, 0x02]),
};

/** Header length of a flow's packets: Ethernet + IP + (TCP 20 | UDP 8 | none). */
export function headerLength(f: ReplayFlow): number {
  return 14 + (f.family === 4 ? 20 : 40) + (f.proto === 6 ? 20 : f.proto === 17 ? 8 : 0);
}

function ipv4Checksum(h: Buffer, off: number): number {
  let sum = 0;
  for (let i = 0; i < 20; i += 2) sum += h.readUInt16BE(off + i);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

export function encodeFlows(flows: ReplayFlow[], macs: Macs = DEFAULT_MACS): Buffer {
  const out = Buffer.alloc(flows.length * REPLAY_FLOW_BYTES);
  flows.forEach((f, i) => {
    const b = out.subarray(i * REPLAY_FLOW_BYTES, (i + 1) * REPLAY_FLOW_BYTES);
    const addrLen = f.family === 4 ? 4 : 16;
    if (f.src.length !== addrLen || f.dst.length !== addrLen) {
      throw new SketchbenchError('traffic', `flow ${i}: IPv${f.family} addresses must be ${addrLen} bytes`);
    }
    b.set(macs.dst, 0);
    b.set(macs.src, 6);
    const l3 = 14;
    let l4: number;
    if (f.family === 4) {
      b.writeUInt16BE(0x0800, 12);
      b[l3] = 0x45;
      b.writeUInt16BE(REPLAY_MIN_FRAME - l3, l3 + 2); // patched per packet
      b[l3 + 8] = 64; // TTL
      b[l3 + 9] = f.proto;
      b.set(f.src, l3 + 12);
      b.set(f.dst, l3 + 16);
      // Checksum of the minimum-length header: correct for 64-byte frames, and
      // the variants never verify it (pcap export recomputes per packet).
      b.writeUInt16BE(ipv4Checksum(b, l3), l3 + 10);
      l4 = l3 + 20;
    } else {
      b.writeUInt16BE(0x86dd, 12);
      b.writeUInt32BE(0x60000000, l3);
      b[l3 + 6] = f.proto;
      b[l3 + 7] = 64; // hop limit
      b.set(f.src, l3 + 8);
      b.set(f.dst, l3 + 24);
      l4 = l3 + 40;
    }
    if (f.proto === 6 || f.proto === 17) {
      b.writeUInt16BE(f.sport, l4);
      b.writeUInt16BE(f.dport, l4 + 2);
      if (f.proto === 6) {
        b[l4 + 12] = 0x50; // data offset 5 words
        b[l4 + 13] = 0x10; // ACK
        b.writeUInt16BE(0xffff, l4 + 14);
      }
    }
    const hdrLen = headerLength(f);
    b.writeUInt16LE(hdrLen, REPLAY_HDR_MAX);
    b.writeUInt16LE(l3, REPLAY_HDR_MAX + 2);
    b.writeUInt16LE(l4, REPLAY_HDR_MAX + 4);
    b[REPLAY_HDR_MAX + 6] = f.family;
    b[REPLAY_HDR_MAX + 7] = f.proto;
  });
  return out;
}

export function encodeSequence(input: ReplayInput): Buffer {
  const n = input.flowIds.length;
  if (input.lengths.length !== n) throw new SketchbenchError('traffic', 'trace sequence: flow ids and lengths differ in count');
  const out = Buffer.alloc(n * REPLAY_PKT_BYTES);
  const hdr = input.flows.map(headerLength);
  for (let i = 0; i < n; i++) {
    const fid = input.flowIds[i];
    if (fid >= input.flows.length) throw new SketchbenchError('traffic', `trace packet ${i} names flow ${fid} of ${input.flows.length}`);
    out.writeUInt32LE(fid, i * 8);
    out.writeUInt32LE(Math.max(input.lengths[i], REPLAY_MIN_FRAME, hdr[fid]), i * 8 + 4);
  }
  return out;
}

export interface ReplayState {
  next: bigint;
  limit: bigint;
  total: bigint;
  mode: bigint;
  tFirst: bigint;
  tLast: bigint;
  overrun: bigint;
  bad: bigint;
  pacedSkips: bigint;
  start: bigint;
  timedFrom: bigint;
  slot: bigint;
}

export function encodeState(s: { limit: number; total: number; mode: number; ratePps?: number; start?: number; timedFrom?: number; slot?: number }): Buffer {
  const b = Buffer.alloc(REPLAY_STATE_BYTES);
  if (s.ratePps && s.ratePps > 0) b.writeBigUInt64LE(BigInt(Math.round(1e12 / s.ratePps)), 64);
  const start = BigInt(s.start ?? 0);
  b.writeBigUInt64LE(start, 0);
  b.writeBigUInt64LE(start, 88);
  b.writeBigUInt64LE(BigInt(s.timedFrom ?? s.start ?? 0), 96);
  b.writeBigUInt64LE(BigInt(s.slot ?? 0), 104);
  b.writeBigUInt64LE(BigInt(s.limit), 8);
  b.writeBigUInt64LE(BigInt(s.total), 16);
  b.writeBigUInt64LE(BigInt(s.mode), 24);
  return b;
}

export function decodeState(b: Buffer): ReplayState {
  const f = (i: number) => b.readBigUInt64LE(i * 8);
  return { next: f(0), limit: f(1), total: f(2), mode: f(3), tFirst: f(4), tLast: f(5), overrun: f(6), bad: f(7), pacedSkips: f(10), start: f(11), timedFrom: f(12), slot: f(13) };
}
