/**
 * .trace -> classic pcap (Ethernet, microsecond stamps), for tcpreplay, MoonGen or pktgen.
 * Each packet is an untagged Ethernet frame of exactly the stored length (no FCS): headers
 * from a per-flow template, zero payload, valid IPv4 header and UDP/TCP checksums.
 */
import { writeSync } from 'node:fs';
import { parseAddr } from './addr.ts';
import { withAtomicFile } from './atomic.ts';
import { minFrameLength } from './gen.ts';
import { openTraceSync } from './format.ts';
import type { Flow } from './types.ts';

/** Source and destination MACs: locally administered, so they never clash with real NICs. */
export const EXPORT_SRC_MAC = [0x02, 0x00, 0x00, 0x00, 0x00, 0x01];
export const EXPORT_DST_MAC = [0x02, 0x00, 0x00, 0x00, 0x00, 0x02];
/** Gap between packet timestamps; replay tools pace with their own flags (--pps, --topspeed). */
export const EXPORT_GAP_US = 1;

interface Template {
  hdr: Buffer;
  l3: number;
  l4: number;
  family: 4 | 6;
  proto: number;
  /** Ones'-complement partial sums that do not depend on the length. */
  ipSum: number;
  l4Sum: number;
  min: number;
}

function sum16(b: Buffer, from: number, to: number, acc = 0): number {
  for (let i = from; i < to; i += 2) acc += (b[i] << 8) | (i + 1 < to ? b[i + 1] : 0);
  return acc;
}
function fold(s: number): number {
  while (s > 0xffff) s = (s & 0xffff) + Math.floor(s / 65536);
  return s;
}

function template(f: Flow): Template {
  const l3 = 14, ipLen = f.family === 4 ? 20 : 40;
  const l4 = l3 + ipLen;
  const l4Len = f.proto === 6 ? 20 : f.proto === 17 ? 8 : 0;
  const hdr = Buffer.alloc(l4 + l4Len);
  EXPORT_DST_MAC.forEach((v, i) => { hdr[i] = v; });
  EXPORT_SRC_MAC.forEach((v, i) => { hdr[6 + i] = v; });
  hdr.writeUInt16BE(f.family === 4 ? 0x0800 : 0x86dd, 12);
  let addrSum: number;
  if (f.family === 4) {
    hdr[l3] = 0x45; hdr[l3 + 8] = 64; hdr[l3 + 9] = f.proto;
    parseAddr(f.src, hdr, l3 + 12); parseAddr(f.dst, hdr, l3 + 16);
    addrSum = sum16(hdr, l3 + 12, l3 + 20);
  } else {
    hdr[l3] = 0x60; hdr[l3 + 6] = f.proto; hdr[l3 + 7] = 64;
    parseAddr(f.src, hdr, l3 + 8); parseAddr(f.dst, hdr, l3 + 24);
    addrSum = sum16(hdr, l3 + 8, l3 + 40);
  }
  if (l4Len > 0) {
    hdr.writeUInt16BE(f.sport, l4);
    hdr.writeUInt16BE(f.dport, l4 + 2);
    if (f.proto === 6) { hdr[l4 + 12] = 0x50; hdr[l4 + 13] = 0x10; hdr.writeUInt16BE(65535, l4 + 14); } // ACK, window
  }
  const ipSum = f.family === 4 ? sum16(hdr, l3, l3 + 20) : 0;
  const l4Sum = addrSum + f.proto + sum16(hdr, l4, l4 + l4Len);
  return { hdr, l3, l4, family: f.family, proto: f.proto, ipSum, l4Sum, min: minFrameLength(f) };
}

export interface ExportStats { packets: number; bytes: number; padded: number }

/** The trace as pcap; `maxPackets` keeps its head only (a replay tool loops over it). */
export async function exportTrace(input: string, output: string, opts: { maxPackets?: number } = {}): Promise<ExportStats> {
  const max = opts.maxPackets ?? Infinity;
  const trace = openTraceSync(input);
  try {
    const tpl = trace.flows.map(template);
    return await withAtomicFile(output, (file) => {
      const fh = Buffer.alloc(24);
      fh.writeUInt32LE(0xa1b2c3d4, 0);
      fh.writeUInt16LE(2, 4); fh.writeUInt16LE(4, 6);
      fh.writeUInt32LE(65535, 16);
      fh.writeUInt32LE(1, 20);
      let pos = 0;
      writeSync(file.fd, fh, 0, 24, pos); pos += 24;
      const out = Buffer.alloc(8 << 20);
      let fill = 0, packets = 0, bytes = 0, padded = 0, usec = 0;
      const flush = (): void => { writeSync(file.fd, out, 0, fill, pos); pos += fill; fill = 0; };
      for (const c of trace.chunksSync()) {
        if (packets >= max) break;
        for (let i = 0; i < c.flowIds.length && packets < max; i++) {
          const t = tpl[c.flowIds[i]];
          let len = c.lengths[i];
          // Shorter than its own headers (only hand-made traces): grow it rather than write a cut frame.
          if (len < t.min) { len = t.min; padded++; }
          if (fill + 16 + len > out.length) flush();
          const sec = Math.floor(usec / 1e6);
          out.writeUInt32LE(sec, fill); out.writeUInt32LE(usec - sec * 1e6, fill + 4);
          out.writeUInt32LE(len, fill + 8); out.writeUInt32LE(len, fill + 12);
          const f = fill + 16;
          t.hdr.copy(out, f);
          out.fill(0, f + t.hdr.length, f + len);
          const l3len = len - 14;
          if (t.family === 4) {
            out.writeUInt16BE(l3len, f + t.l3 + 2);
            out.writeUInt16BE(~fold(t.ipSum + l3len) & 0xffff, f + t.l3 + 10);
          } else {
            out.writeUInt16BE(l3len - 40, f + t.l3 + 4);
          }
          const l4len = len - t.l4;
          if (t.proto === 17) {
            out.writeUInt16BE(l4len, f + t.l4 + 4);
            // Pseudo-header length and UDP length field both count; 0 means "no checksum", so send 0xffff.
            const cs = ~fold(t.l4Sum + l4len + l4len) & 0xffff;
            out.writeUInt16BE(cs === 0 ? 0xffff : cs, f + t.l4 + 6);
          } else if (t.proto === 6) {
            out.writeUInt16BE(~fold(t.l4Sum + l4len) & 0xffff, f + t.l4 + 16);
          }
          fill += 16 + len;
          packets++; bytes += len; usec += EXPORT_GAP_US;
        }
      }
      flush();
      return { packets, bytes, padded };
    });
  } finally {
    trace.close();
  }
}
