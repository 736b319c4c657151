/**
 * Streaming readers for classic pcap and pcapng, pulled one record at a time so several
 * captures can be merged in timestamp order. Every defect is reported as "NAME: byte
 * OFFSET: what"; with skipBad the reader resynchronizes on the next plausible record instead
 * and counts what it skipped. Like libpcap, a record longer than the snapshot length is cut
 * to it and an empty record is passed over; both are counted.
 */
import { badInput } from '../errors.ts';
import { knownLinkType } from './parse.ts';
import type { Source } from './source.ts';

/** Largest caplen accepted: libpcap's MAXIMUM_SNAPLEN. */
export const MAX_CAPLEN = 262144;
/** Largest pcapng block accepted (non-packet blocks such as name resolution can be big). */
export const MAX_BLOCK = 16 << 20;

export interface CaptureStats {
  format: 'pcap' | 'pcapng';
  /** Bad records (or blocks) skipped with skipBad; 0 otherwise. */
  skippedRecords: number;
  /** Byte offset and message of the first skipped record, to point the user at it. */
  firstSkip?: string;
  /** Records longer than the snapshot length, cut to it (as libpcap does). */
  truncatedRecords: number;
  /** Records with no captured bytes, passed over (as libpcap's readers see nothing in them). */
  zeroLengthRecords: number;
}

/** One record at a time; buf[off, off + caplen) stays valid until the next call to next(). */
export interface RecordReader {
  readonly name: string;
  readonly stats: CaptureStats;
  buf: Buffer;
  off: number;
  caplen: number;
  origlen: number;
  linktype: number;
  /** Timestamp: whole seconds and nanoseconds within them (compared as a pair when merging). */
  tsSec: number;
  tsNsec: number;
  /** Advances to the next record; false at the end of the capture. */
  next(): boolean;
}

/**
 * Picks the reader by magic. name is how errors refer to the input (a path, or a path and
 * its compression, since offsets then count decompressed bytes).
 */
export function openCapture(name: string, src: Source, opts: { skipBad?: boolean } = {}): RecordReader {
  if (!src.ensure(1)) throw badInput(`${name}: byte 0: empty file (not a pcap or pcapng capture)`);
  if (!src.ensure(4)) throw badInput(`${name}: byte 0: truncated file (${src.avail()} bytes), not a pcap or pcapng capture`);
  const m = src.buf.readUInt32BE(src.lo);
  if (m === 0x0a0d0d0a) return new PcapngReader(name, src, !!opts.skipBad);
  if (m === 0xa1b2c3d4 || m === 0xd4c3b2a1 || m === 0xa1b23c4d || m === 0x4d3cb2a1) return new PcapReader(name, src, !!opts.skipBad);
  throw badInput(`${name}: byte 0: not a pcap or pcapng capture (magic 0x${m.toString(16).padStart(8, '0')}); gzip, zstd and xz compression are recognised`);
}

function fail(name: string, offset: number, msg: string): Error {
  return badInput(`${name}: byte ${offset}: ${msg}`);
}

function unknownLinkType(lt: number): string {
  return `unknown link type ${lt}; docs/trace-format.md lists the ones this importer reads`;
}

function noteSkip(stats: CaptureStats, offset: number, msg: string): void {
  stats.skippedRecords++;
  if (stats.firstSkip === undefined) stats.firstSkip = `byte ${offset}: ${msg}`;
}

class PcapReader implements RecordReader {
  readonly stats: CaptureStats = { format: 'pcap', skippedRecords: 0, truncatedRecords: 0, zeroLengthRecords: 0 };
  buf: Buffer;
  off = 0; caplen = 0; origlen = 0; tsSec = 0; tsNsec = 0;
  readonly linktype: number;
  private readonly le: boolean;
  private readonly nano: boolean;
  private readonly snaplen: number;
  private readonly limit: number;

  constructor(readonly name: string, private readonly src: Source, private readonly skipBad: boolean) {
    if (!src.ensure(24)) throw fail(name, src.avail(), `truncated pcap file header (${src.avail()} bytes, need 24)`);
    const m = src.buf.readUInt32BE(src.lo);
    this.le = m === 0xd4c3b2a1 || m === 0x4d3cb2a1;
    this.nano = m === 0xa1b23c4d || m === 0x4d3cb2a1;
    this.snaplen = this.u32(src.lo + 16);
    // The upper bits may hold an FCS length (pcap-savefile(5)); the link type is the low 16.
    this.linktype = this.u32(src.lo + 20) & 0xffff;
    if (!knownLinkType(this.linktype)) throw fail(name, 20, unknownLinkType(this.linktype));
    // libpcap treats a snaplen of 0 or above its maximum as its maximum.
    this.limit = this.snaplen > 0 && this.snaplen < MAX_CAPLEN ? this.snaplen : MAX_CAPLEN;
    this.buf = src.buf;
    src.skip(24);
  }

  private u32(o: number): number {
    return this.le ? this.src.buf.readUInt32LE(o) : this.src.buf.readUInt32BE(o);
  }

  next(): boolean {
    const src = this.src;
    for (;;) {
      if (!src.ensure(16)) {
        if (src.avail() === 0) return false;
        const msg = `truncated record header (${src.avail()} of 16 bytes)`;
        if (!this.skipBad) throw fail(this.name, src.pos, msg);
        noteSkip(this.stats, src.pos, msg);
        src.skip(src.avail());
        return false;
      }
      const caplen = this.u32(src.lo + 8);
      let msg: string | null = null;
      if (caplen > MAX_CAPLEN) msg = `caplen ${caplen} above 256 KiB (libpcap's maximum), the record length cannot be trusted`;
      else if (!src.ensure(16 + caplen)) msg = `truncated record (${caplen} bytes of data, the input ends ${src.avail() - 16} bytes later)`;
      if (msg !== null) {
        if (!this.skipBad) throw fail(this.name, src.pos, msg);
        noteSkip(this.stats, src.pos, msg);
        // The length is garbage: search for the next record that looks right.
        src.skip(1);
        while (src.ensure(1)) {
          if (this.plausible()) break;
          src.skip(1);
        }
        continue;
      }
      const o = src.lo;
      src.lo += 16 + caplen; // the data stays in place until the next ensure()
      if (caplen === 0) { this.stats.zeroLengthRecords++; continue; }
      this.buf = src.buf;
      this.off = o + 16;
      if (caplen > this.limit) { this.stats.truncatedRecords++; this.caplen = this.limit; } else this.caplen = caplen;
      this.origlen = this.u32(o + 12);
      this.tsSec = this.u32(o);
      this.tsNsec = this.nano ? this.u32(o + 4) : this.u32(o + 4) * 1000;
      return true;
    }
  }

  /** A record header that looks right and is followed by another one (or by the end). */
  private plausible(): boolean {
    const src = this.src;
    if (!src.ensure(16)) return false;
    const ok = (o: number): boolean => {
      const c = this.u32(o + 8), orig = this.u32(o + 12);
      return c > 0 && c <= this.limit && orig >= c && orig <= MAX_CAPLEN;
    };
    if (!ok(src.lo)) return false;
    const c = this.u32(src.lo + 8);
    if (!src.ensure(16 + c + 16)) return src.avail() === 16 + c;
    return ok(src.lo + 16 + c);
  }
}

const SHB = 0x0a0d0d0a;
const KNOWN_BLOCKS = new Set([1, 2, 3, 4, 5, 6, 7, 9, 10, 0xbad, 0x40000bad, SHB]);

interface Iface {
  linktype: number;
  snaplen: number;
  known: boolean;
  /** Timestamp units per second (if_tsresol) and offset in seconds (if_tsoffset). */
  unitsPerSec: number;
  offsetSec: number;
}

class PcapngReader implements RecordReader {
  readonly stats: CaptureStats = { format: 'pcapng', skippedRecords: 0, truncatedRecords: 0, zeroLengthRecords: 0 };
  buf: Buffer;
  off = 0; caplen = 0; origlen = 0; linktype = 0; tsSec = 0; tsNsec = 0;
  private le = true;
  private ifaces: Iface[] = [];
  private first = true;

  constructor(readonly name: string, private readonly src: Source, private readonly skipBad: boolean) {
    this.buf = src.buf;
  }

  private u32(o: number): number {
    return this.le ? this.src.buf.readUInt32LE(o) : this.src.buf.readUInt32BE(o);
  }
  private u16(o: number): number {
    return this.le ? this.src.buf.readUInt16LE(o) : this.src.buf.readUInt16BE(o);
  }

  /** Checks the block at lo; returns its total length or an error message. Buffers all of it. */
  private frame(): number | string {
    const src = this.src;
    if (!src.ensure(12)) return `truncated block header (${src.avail()} of 12 bytes)`;
    const type = this.u32(src.lo);
    if (type === SHB) {
      const bom = src.buf.readUInt32LE(src.lo + 8);
      if (bom === 0x1a2b3c4d) this.le = true;
      else if (bom === 0x4d3c2b1a) this.le = false;
      else return `bad section byte-order magic 0x${bom.toString(16)}`;
    }
    const total = this.u32(src.lo + 4);
    if (total < 12 || total % 4 !== 0 || total > MAX_BLOCK || ((type === 6 || type === 2 || type === 3) && total > MAX_CAPLEN + 64)) {
      return `absurd block length ${total}`;
    }
    if (!src.ensure(total)) return `truncated block (${total} bytes declared, the input ends ${src.avail()} bytes later)`;
    if (this.u32(src.lo + total - 4) !== total) return `block length ${total} does not match its trailer ${this.u32(src.lo + total - 4)}`;
    return total;
  }

  private resync(): void {
    const src = this.src;
    const saveLe = this.le;
    src.skip(4);
    while (src.ensure(12)) {
      if (KNOWN_BLOCKS.has(this.u32(src.lo))) {
        if (typeof this.frame() === 'number') return;
        this.le = saveLe;
      }
      src.skip(4);
    }
    src.skip(src.avail());
  }

  private iface(o: number, total: number): Iface {
    const lt = this.u16(o + 8);
    const f: Iface = { linktype: lt, snaplen: this.u32(o + 12), known: knownLinkType(lt), unitsPerSec: 1e6, offsetSec: 0 };
    // Options: code, length, value padded to 4 bytes; opt_endofopt (0) ends them.
    for (let p = o + 16; p + 4 <= o + total - 4;) {
      const code = this.u16(p), len = this.u16(p + 2);
      if (code === 0 || p + 4 + len > o + total - 4) break;
      if (code === 9 && len >= 1) { // if_tsresol: a power of 10, or of 2 with the top bit set
        const r = this.src.buf[p + 4];
        f.unitsPerSec = r & 0x80 ? 2 ** (r & 0x7f) : 10 ** r;
      } else if (code === 14 && len >= 8) {
        f.offsetSec = Number(this.le ? this.src.buf.readBigInt64LE(p + 4) : this.src.buf.readBigInt64BE(p + 4));
      }
      p += 4 + ((len + 3) & ~3);
    }
    return f;
  }

  private timestamp(f: Iface, hi: number, lo: number): void {
    const u = f.unitsPerSec;
    const t = hi * 4294967296 + lo;
    let sec: number, rem: number;
    if (t <= Number.MAX_SAFE_INTEGER) {
      sec = Math.floor(t / u); rem = t - sec * u;
    } else { // nanosecond (or finer) stamps of today's dates pass 2^53
      const bt = (BigInt(hi) << 32n) | BigInt(lo), bu = BigInt(u);
      sec = Number(bt / bu); rem = Number(bt % bu);
    }
    this.tsSec = sec + f.offsetSec;
    this.tsNsec = u <= 1e9 && 1e9 % u === 0 ? rem * (1e9 / u) : Math.floor((rem / u) * 1e9);
  }

  next(): boolean {
    const src = this.src;
    while (src.ensure(1)) {
      const at = src.pos;
      const r = this.frame();
      if (this.first && (typeof r === 'string' || this.u32(src.lo) !== SHB)) {
        throw fail(this.name, 0, typeof r === 'string' ? `bad pcapng section header: ${r}` : `pcapng file does not start with a section header`);
      }
      this.first = false;
      let msg: string | null = typeof r === 'string' ? r : null;
      const total = typeof r === 'number' ? r : 0;
      let got = false;
      if (msg === null) {
        const o = src.lo;
        const type = this.u32(o);
        if (type === SHB) {
          this.ifaces = [];
          const major = this.u16(o + 12);
          if (major !== 1) msg = `unsupported pcapng version ${major}`;
        } else if (type === 1) {
          const f = this.iface(o, total);
          if (!f.known && !this.skipBad) throw fail(this.name, at + 8, `${unknownLinkType(f.linktype)} (interface ${this.ifaces.length})`);
          this.ifaces.push(f);
        } else if (type === 6 || type === 2 || type === 3) {
          let ifid: number, caplen: number, origlen: number, data: number;
          if (type === 3) { // simple packet block: interface 0, no timestamp (keeps the last one)
            ifid = 0; origlen = this.u32(o + 8); data = o + 12;
            caplen = Math.min(origlen, total - 16);
          } else {
            ifid = type === 6 ? this.u32(o + 8) : this.u16(o + 8);
            caplen = this.u32(o + 20); origlen = this.u32(o + 24); data = o + 28;
          }
          const f = this.ifaces[ifid];
          if (f === undefined) msg = `packet on interface ${ifid}, but only ${this.ifaces.length} interfaces described`;
          else if (caplen > MAX_CAPLEN) msg = `caplen ${caplen} above 256 KiB (libpcap's maximum), the record length cannot be trusted`;
          else if (data + caplen + 4 > o + total) msg = `caplen ${caplen} does not fit its ${total}-byte block`;
          else if (!f.known) msg = `packet on interface ${ifid} of ${unknownLinkType(f.linktype)}`;
          else if (caplen === 0) this.stats.zeroLengthRecords++;
          else {
            if (f.snaplen > 0 && caplen > f.snaplen) { this.stats.truncatedRecords++; caplen = f.snaplen; }
            this.buf = src.buf; this.off = data; this.caplen = caplen; this.origlen = origlen; this.linktype = f.linktype;
            if (type !== 3) this.timestamp(f, this.u32(o + 12), this.u32(o + 16));
            got = true;
          }
        }
      }
      if (msg !== null) {
        if (!this.skipBad) throw fail(this.name, at, msg);
        noteSkip(this.stats, at, msg);
        if (total > 0) src.skip(total); else this.resync();
        continue;
      }
      src.skip(total);
      if (got) return true;
    }
    return false;
  }
}
