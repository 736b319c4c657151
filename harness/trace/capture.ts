/**
 * Streaming readers for classic pcap and pcapng. A fixed read buffer (grown only for one
 * oversized non-packet block) keeps memory flat however large the file is. Every defect is
 * reported as "FILE: byte OFFSET: what"; with skipBad the reader resynchronizes on the next
 * plausible record instead and counts what it skipped.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { openInput } from './open-input.ts';
import { badInput } from '../errors.ts';
import { knownLinkType } from './parse.ts';

/** Largest caplen accepted: libpcap's MAXIMUM_SNAPLEN. */
export const MAX_CAPLEN = 262144;
/** Largest pcapng block accepted (non-packet blocks such as name resolution can be big). */
export const MAX_BLOCK = 16 << 20;

export type PacketSink = (buf: Buffer, off: number, caplen: number, origlen: number, linktype: number) => void;

export interface CaptureStats {
  format: 'pcap' | 'pcapng';
  /** Bad records (or blocks) skipped with skipBad; 0 otherwise. */
  skippedRecords: number;
  /** Byte offset and message of the first skipped record, to point the user at it. */
  firstSkip?: string;
  fileBytes: number;
}

class Source {
  buf = Buffer.allocUnsafe(8 << 20);
  base = 0;
  lo = 0;
  hi = 0;
  constructor(readonly fd: number, readonly size: number) {}

  get pos(): number { return this.base + this.lo; }
  avail(): number { return this.hi - this.lo; }

  /** Makes n bytes available at lo; false at end of file. May move data: reread offsets after. */
  ensure(n: number): boolean {
    if (this.hi - this.lo >= n) return true;
    if (this.lo > 0) {
      this.buf.copy(this.buf, 0, this.lo, this.hi);
      this.base += this.lo; this.hi -= this.lo; this.lo = 0;
    }
    if (n > this.buf.length) {
      const nb = Buffer.allocUnsafe(Math.max(n, this.buf.length * 2));
      this.buf.copy(nb, 0, 0, this.hi);
      this.buf = nb;
    }
    while (this.hi < this.buf.length) {
      const r = readSync(this.fd, this.buf, this.hi, this.buf.length - this.hi, this.base + this.hi);
      if (r === 0) break;
      this.hi += r;
    }
    return this.hi - this.lo >= n;
  }

  skip(n: number): void {
    if (n <= this.hi - this.lo) { this.lo += n; return; }
    this.base = this.pos + n; this.lo = 0; this.hi = 0;
  }
}

/** Reads a pcap or pcapng file and calls sink for every packet record. */
export function readCapture(path: string, sink: PacketSink, opts: { skipBad?: boolean } = {}): CaptureStats {
  const fd = openInput(path);
  try {
    const src = new Source(fd, fstatSync(fd).size);
    if (src.size === 0) throw badInput(`${path}: byte 0: empty file (not a pcap or pcapng capture)`);
    if (!src.ensure(4)) throw badInput(`${path}: byte 0: truncated file (${src.size} bytes), not a pcap or pcapng capture`);
    const m = src.buf.readUInt32BE(0);
    if (m === 0x0a0d0d0a) return readPcapng(path, src, sink, !!opts.skipBad);
    if (m === 0xa1b2c3d4 || m === 0xd4c3b2a1 || m === 0xa1b23c4d || m === 0x4d3cb2a1) return readPcap(path, src, sink, !!opts.skipBad);
    throw badInput(`${path}: byte 0: not a pcap or pcapng capture (magic 0x${m.toString(16).padStart(8, '0')})`);
  } finally {
    closeSync(fd);
  }
}

function fail(path: string, offset: number, msg: string): Error {
  return badInput(`${path}: byte ${offset}: ${msg}`);
}

function readPcap(path: string, src: Source, sink: PacketSink, skipBad: boolean): CaptureStats {
  if (!src.ensure(24)) throw fail(path, src.avail(), `truncated pcap file header (${src.size} bytes, need 24)`);
  const m = src.buf.readUInt32BE(0);
  // Both timestamp resolutions share the record layout; the trace keeps no timestamps.
  const le = m === 0xd4c3b2a1 || m === 0x4d3cb2a1;
  const u32 = (o: number): number => (le ? src.buf.readUInt32LE(o) : src.buf.readUInt32BE(o));
  const snaplen = u32(16);
  // The upper bits may hold an FCS length (pcap-savefile(5)); the link type is the low 16.
  const linktype = u32(20) & 0xffff;
  if (!knownLinkType(linktype)) throw fail(path, 20, `unknown link type ${linktype}`);
  const limit = snaplen > 0 && snaplen < MAX_CAPLEN ? snaplen : MAX_CAPLEN;
  const stats: CaptureStats = { format: 'pcap', skippedRecords: 0, fileBytes: src.size };
  src.skip(24);

  const problem = (o: number): string | null => {
    const caplen = u32(o + 8);
    if (caplen === 0) return `zero-length record`;
    if (caplen > MAX_CAPLEN) return `caplen ${caplen} above 256 KiB`;
    if (caplen > limit) return `caplen ${caplen} above snaplen ${snaplen}`;
    return null;
  };
  // A record header that looks right and is followed by another one (or by the end of file).
  const plausible = (): boolean => {
    if (!src.ensure(16)) return false;
    if (problem(src.lo) !== null) return false;
    const c = u32(src.lo + 8), orig = u32(src.lo + 12);
    if (orig < c || orig > MAX_CAPLEN) return false;
    if (src.pos + 16 + c === src.size) return true;
    if (!src.ensure(16 + c + 16)) return false;
    return problem(src.lo + 16 + c) === null && u32(src.lo + 16 + c + 12) >= u32(src.lo + 16 + c + 8);
  };

  for (;;) {
    if (!src.ensure(16)) {
      if (src.avail() === 0) break;
      const msg = `truncated record header (${src.avail()} of 16 bytes)`;
      if (!skipBad) throw fail(path, src.pos, msg);
      noteSkip(stats, src.pos, msg);
      break;
    }
    let o = src.lo;
    let msg = problem(o);
    const caplen = u32(o + 8);
    if (msg === null && !src.ensure(16 + caplen)) msg = `truncated record (${caplen} bytes of data, file ends ${src.size - src.pos - 16} bytes later)`;
    if (msg !== null) {
      if (!skipBad) throw fail(path, src.pos, msg);
      noteSkip(stats, src.pos, msg);
      // A zero-length or over-snaplen record still has a trustworthy length: step over it.
      // Otherwise the length is garbage and the next record has to be searched for.
      if (caplen <= MAX_CAPLEN && src.ensure(16 + caplen)) {
        src.skip(16 + caplen);
        continue;
      }
      src.skip(1);
      while (src.avail() > 0 || src.ensure(1)) {
        if (plausible()) break;
        src.skip(1);
      }
      continue;
    }
    o = src.lo;
    sink(src.buf, o + 16, caplen, u32(o + 12), linktype);
    src.lo += 16 + caplen;
  }
  return stats;
}

function noteSkip(stats: CaptureStats, offset: number, msg: string): void {
  stats.skippedRecords++;
  if (stats.firstSkip === undefined) stats.firstSkip = `byte ${offset}: ${msg}`;
}

const SHB = 0x0a0d0d0a;
const KNOWN_BLOCKS = new Set([1, 2, 3, 4, 5, 6, 7, 9, 10, 0xbad, 0x40000bad, SHB]);

interface Iface { linktype: number; snaplen: number; known: boolean }

function readPcapng(path: string, src: Source, sink: PacketSink, skipBad: boolean): CaptureStats {
  const stats: CaptureStats = { format: 'pcapng', skippedRecords: 0, fileBytes: src.size };
  let le = true;
  let ifaces: Iface[] = [];
  let first = true;
  const u32 = (o: number): number => (le ? src.buf.readUInt32LE(o) : src.buf.readUInt32BE(o));
  const u16 = (o: number): number => (le ? src.buf.readUInt16LE(o) : src.buf.readUInt16BE(o));

  /** Checks the block at lo; returns its total length or an error message. Fills the buffer with it. */
  const frame = (): number | string => {
    if (!src.ensure(12)) return `truncated block header (${src.avail()} of 12 bytes)`;
    const type = u32(src.lo);
    if (type === SHB) {
      const bom = src.buf.readUInt32LE(src.lo + 8);
      if (bom === 0x1a2b3c4d) le = true;
      else if (bom === 0x4d3c2b1a) le = false;
      else return `bad section byte-order magic 0x${bom.toString(16)}`;
    }
    const total = u32(src.lo + 4);
    if (total < 12 || total % 4 !== 0 || total > MAX_BLOCK || ((type === 6 || type === 2 || type === 3) && total > MAX_CAPLEN + 64)) {
      return `absurd block length ${total}`;
    }
    if (!src.ensure(total)) return `truncated block (${total} bytes declared, file ends ${src.size - src.pos} bytes later)`;
    if (u32(src.lo + total - 4) !== total) return `block length ${total} does not match its trailer ${u32(src.lo + total - 4)}`;
    return total;
  };

  const resync = (): void => {
    const saveLe = le;
    src.skip(4);
    while (src.ensure(12)) {
      const type = u32(src.lo);
      if (KNOWN_BLOCKS.has(type)) {
        const r = frame();
        if (typeof r === 'number') return;
        le = saveLe;
      }
      src.skip(4);
    }
    src.skip(src.avail());
  };

  while (src.ensure(1)) {
    const at = src.pos;
    const r = frame();
    if (first && (typeof r === 'string' || u32(src.lo) !== SHB)) {
      throw fail(path, 0, typeof r === 'string' ? `bad pcapng section header: ${r}` : `pcapng file does not start with a section header`);
    }
    first = false;
    let msg: string | null = typeof r === 'string' ? r : null;
    const total = typeof r === 'number' ? r : 0;
    if (msg === null) {
      const o = src.lo;
      const type = u32(o);
      if (type === SHB) {
        ifaces = [];
        const major = u16(o + 12);
        if (major !== 1) msg = `unsupported pcapng version ${major}`;
      } else if (type === 1) {
        const lt = u16(o + 8);
        const known = knownLinkType(lt);
        if (!known && !skipBad) throw fail(path, at + 8, `unknown link type ${lt} (interface ${ifaces.length})`);
        ifaces.push({ linktype: lt, snaplen: u32(o + 12), known });
      } else if (type === 6 || type === 2 || type === 3) {
        let ifid: number, caplen: number, origlen: number, data: number;
        if (type === 3) {
          ifid = 0; origlen = u32(o + 8); data = o + 12;
          caplen = Math.min(origlen, total - 16);
          if (ifaces[0] && ifaces[0].snaplen > 0) caplen = Math.min(caplen, ifaces[0].snaplen);
        } else {
          ifid = type === 6 ? u32(o + 8) : u16(o + 8);
          caplen = u32(o + 20); origlen = u32(o + 24); data = o + 28;
        }
        const iface = ifaces[ifid];
        if (iface === undefined) msg = `packet on interface ${ifid}, but only ${ifaces.length} interfaces described`;
        else if (caplen === 0) msg = `zero-length record`;
        else if (caplen > MAX_CAPLEN) msg = `caplen ${caplen} above 256 KiB`;
        else if (iface.snaplen > 0 && caplen > iface.snaplen) msg = `caplen ${caplen} above snaplen ${iface.snaplen}`;
        else if (data + caplen + 4 > o + total) msg = `caplen ${caplen} does not fit its ${total}-byte block`;
        else if (!iface.known) msg = `packet on interface ${ifid} of unknown link type ${iface.linktype}`;
        else sink(src.buf, data, caplen, origlen, iface.linktype);
      }
    }
    if (msg !== null) {
      if (!skipBad) throw fail(path, at, msg);
      noteSkip(stats, at, msg);
      if (total > 0) src.skip(total); else resync();
      continue;
    }
    src.skip(total);
  }
  return stats;
}
