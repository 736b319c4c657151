/**
 * The `.trace` format (version 1), documented in docs/trace-format.md. Little-endian
 * throughout; addresses in network byte order. Layout:
 *   header (64 B) | sequence blocks | flow table (56 B per flow)
 * The flow table comes last so an importer can stream packets out before it knows every flow.
 */
import { closeSync, fstatSync, openSync, readSync, writeSync } from 'node:fs';
import { openInput } from './open-input.ts';
import { endianness } from 'node:os';
import { badInput } from '../errors.ts';
import { formatAddr, parseAddr } from './addr.ts';
import { AtomicFile } from './atomic.ts';
import type { Flow, ImportNotes, PacketChunk, TraceFlow, TraceHeader } from './types.ts';

export type { Flow, ImportNotes, PacketChunk, TraceFlow, TraceHeader } from './types.ts';

export const TRACE_MAGIC = 'SKBTRACE';
export const TRACE_VERSION = 1;
export const HEADER_BYTES = 64;
export const FLOW_RECORD_BYTES = 56;
/** Packets per sequence block: bounds reader memory and keeps blocks map-sized. */
export const BLOCK_PACKETS = 65536;
const BLOCK_HEADER_BYTES = 8;

// Typed arrays go to disk as raw memory, so the host must match the file's byte order.
if (endianness() !== 'LE') throw new Error('sketchbench traces need a little-endian host');

function blockBytes(count: number): number {
  const raw = BLOCK_HEADER_BYTES + count * 6;
  return (raw + 7) & ~7;
}

/**
 * Streams a trace to disk. The writer counts per-flow packets and bytes itself, so the
 * ground truth in the flow table always matches the sequence, whoever produced it.
 */
/** Flows the writer stores: how many, and one's addresses, ports, proto and family written at off (bytes 0-37 of its record). */
export interface FlowRecords {
  readonly length: number;
  encode(i: number, out: Buffer, off: number): void;
}

function textRecords(flows: Flow[]): FlowRecords {
  return {
    length: flows.length,
    encode(i, table, o) {
      const f = flows[i];
      const fam = parseAddr(f.src, table, o);
      if (parseAddr(f.dst, table, o + 16) !== fam || fam !== f.family) {
        throw new Error(`trace writer: flow ${i} mixes address families`);
      }
      table.writeUInt16LE(f.sport, o + 32);
      table.writeUInt16LE(f.dport, o + 34);
      table.writeUInt8(f.proto, o + 36);
      table.writeUInt8(f.family, o + 37);
    },
  };
}

export class TraceWriter {
  private readonly file: AtomicFile;
  private pos = HEADER_BYTES;
  private readonly ids = new Uint32Array(BLOCK_PACKETS);
  private readonly lens = new Uint16Array(BLOCK_PACKETS);
  private fill = 0;
  private truthPackets = new Float64Array(1024);
  private truthBytes = new Float64Array(1024);
  private maxId = -1;
  private packetCount = 0;
  private byteCount = 0;

  constructor(path: string) {
    this.file = new AtomicFile(path);
  }

  /** Appends count packets (flow id and frame length each). */
  write(flowIds: Uint32Array, lengths: Uint16Array, count = flowIds.length): void {
    let i = 0;
    while (i < count) {
      const n = Math.min(count - i, BLOCK_PACKETS - this.fill);
      this.ids.set(flowIds.subarray(i, i + n), this.fill);
      this.lens.set(lengths.subarray(i, i + n), this.fill);
      this.fill += n;
      i += n;
      if (this.fill === BLOCK_PACKETS) this.flushBlock();
    }
  }

  /** Appends one packet; for importers that produce packets one at a time. */
  push(flowId: number, length: number): void {
    this.ids[this.fill] = flowId;
    this.lens[this.fill] = length;
    if (++this.fill === BLOCK_PACKETS) this.flushBlock();
  }

  private grow(id: number): void {
    let n = this.truthPackets.length;
    while (n <= id) n *= 2;
    const p = new Float64Array(n); p.set(this.truthPackets); this.truthPackets = p;
    const b = new Float64Array(n); b.set(this.truthBytes); this.truthBytes = b;
  }

  private flushBlock(): void {
    const n = this.fill;
    if (n === 0) return;
    const ids = this.ids, lens = this.lens;
    let maxId = this.maxId, bytes = 0;
    for (let i = 0; i < n; i++) { const id = ids[i]; if (id > maxId) maxId = id; }
    if (maxId >= this.truthPackets.length) this.grow(maxId);
    const tp = this.truthPackets, tb = this.truthBytes;
    for (let i = 0; i < n; i++) { const id = ids[i], l = lens[i]; tp[id]++; tb[id] += l; bytes += l; }
    this.maxId = maxId;
    this.packetCount += n;
    this.byteCount += bytes;
    const buf = Buffer.alloc(blockBytes(n));
    buf.writeUInt32LE(n, 0);
    Buffer.from(ids.buffer, 0, n * 4).copy(buf, BLOCK_HEADER_BYTES);
    Buffer.from(lens.buffer, 0, n * 2).copy(buf, BLOCK_HEADER_BYTES + n * 4);
    writeSync(this.file.fd, buf, 0, buf.length, this.pos);
    this.pos += buf.length;
    this.fill = 0;
  }

  /**
   * Writes the flow table and the header, then makes the file visible. flows[i] is flow
   * id i, as text 5-tuples or as records that write their own address bytes (the
   * importer's flow table: no text round trip, which for 100k flows cost about a third
   * of a second per import).
   */
  finish(flows: Flow[] | FlowRecords, notes: ImportNotes = { truncatedRecords: 0, zeroLengthRecords: 0 }): TraceHeader {
    try {
      this.flushBlock();
      if (this.maxId >= flows.length) {
        throw new Error(`trace writer: packet refers to flow ${this.maxId} but only ${flows.length} flows given`);
      }
      if (flows.length >= this.truthPackets.length) this.grow(flows.length);
      const table = Buffer.alloc(flows.length * FLOW_RECORD_BYTES);
      const records = Array.isArray(flows) ? textRecords(flows) : flows;
      for (let i = 0; i < records.length; i++) {
        const o = i * FLOW_RECORD_BYTES;
        records.encode(i, table, o);
        table.writeBigUInt64LE(BigInt(this.truthPackets[i]), o + 40);
        table.writeBigUInt64LE(BigInt(this.truthBytes[i]), o + 48);
      }
      const flowTableOffset = this.pos;
      writeSync(this.file.fd, table, 0, table.length, flowTableOffset);
      const header: TraceHeader = {
        version: TRACE_VERSION, flowCount: flows.length, packetCount: this.packetCount,
        byteCount: this.byteCount, flowTableOffset, sequenceOffset: HEADER_BYTES,
        truncatedRecords: notes.truncatedRecords, zeroLengthRecords: notes.zeroLengthRecords,
      };
      writeSync(this.file.fd, encodeHeader(header), 0, HEADER_BYTES, 0);
      this.file.commit();
      return header;
    } catch (err) {
      this.file.abort();
      throw err;
    }
  }

  abort(): void {
    this.file.abort();
  }
}

function encodeHeader(h: TraceHeader): Buffer {
  const b = Buffer.alloc(HEADER_BYTES);
  b.write(TRACE_MAGIC, 0, 'latin1');
  b.writeUInt16LE(h.version, 8);
  b.writeUInt16LE(HEADER_BYTES, 10);
  b.writeUInt16LE(FLOW_RECORD_BYTES, 12);
  b.writeUInt32LE(h.flowCount, 16);
  b.writeUInt32LE(BLOCK_PACKETS, 20);
  b.writeBigUInt64LE(BigInt(h.packetCount), 24);
  b.writeBigUInt64LE(BigInt(h.byteCount), 32);
  b.writeBigUInt64LE(BigInt(h.flowTableOffset), 40);
  b.writeBigUInt64LE(BigInt(h.sequenceOffset), 48);
  // Formerly reserved (zero), so traces written before these counts read as "none".
  b.writeUInt32LE(Math.min(h.truncatedRecords, 0xffffffff), 56);
  b.writeUInt32LE(Math.min(h.zeroLengthRecords, 0xffffffff), 60);
  return b;
}

/** An open trace: header and flow table in memory, the sequence read on demand. */
export interface Trace {
  path: string;
  header: TraceHeader;
  /** flows[i] is flow id i, with its ground truth. */
  flows: TraceFlow[];
  /** The whole sequence in two arrays (6 bytes per packet), ready for BPF array maps. */
  readSequence(): { flowIds: Uint32Array; lengths: Uint16Array };
  /** The sequence block by block (at most BLOCK_PACKETS packets each); memory stays flat. */
  chunks(): AsyncIterable<PacketChunk>;
  chunksSync(): Iterable<PacketChunk>;
  /** One packet at a time: convenient, slower than chunks(). */
  packets(): AsyncIterable<{ flowId: number; len: number }>;
  close(): void;
}

function bad(path: string, offset: number, msg: string): Error {
  return badInput(`${path}: byte ${offset}: ${msg}`);
}

function readAt(fd: number, len: number, pos: number): Buffer {
  const b = Buffer.alloc(len);
  let got = 0;
  while (got < len) {
    const n = readSync(fd, b, got, len - got, pos + got);
    if (n === 0) break;
    got += n;
  }
  return got === len ? b : b.subarray(0, got);
}

/** Opens and validates a trace. Every defect is a badInput naming the file and byte offset. */
export async function openTrace(path: string): Promise<Trace> {
  return openTraceSync(path);
}

export function openTraceSync(path: string): Trace {
  const fd = openInput(path);
  try {
    return readTrace(path, fd);
  } catch (err) {
    closeSync(fd);
    throw err;
  }
}

function readTrace(path: string, fd: number): Trace {
  const size = fstatSync(fd).size;
  const hb = readAt(fd, HEADER_BYTES, 0);
  if (hb.length >= 8 && hb.toString('latin1', 0, 8) !== TRACE_MAGIC) throw bad(path, 0, `not a sketchbench trace (wrong magic)`);
  if (hb.length < HEADER_BYTES) throw bad(path, hb.length, `truncated header (${size} bytes, need ${HEADER_BYTES})`);
  const version = hb.readUInt16LE(8);
  if (version !== TRACE_VERSION) throw bad(path, 8, `unsupported trace version ${version} (this build reads ${TRACE_VERSION})`);
  if (hb.readUInt16LE(10) !== HEADER_BYTES || hb.readUInt16LE(12) !== FLOW_RECORD_BYTES) {
    throw bad(path, 10, `unexpected header or flow record size`);
  }
  const header: TraceHeader = {
    version,
    flowCount: hb.readUInt32LE(16),
    packetCount: Number(hb.readBigUInt64LE(24)),
    byteCount: Number(hb.readBigUInt64LE(32)),
    flowTableOffset: Number(hb.readBigUInt64LE(40)),
    sequenceOffset: Number(hb.readBigUInt64LE(48)),
    truncatedRecords: hb.readUInt32LE(56),
    zeroLengthRecords: hb.readUInt32LE(60),
  };
  if (header.sequenceOffset !== HEADER_BYTES) throw bad(path, 48, `sequence offset ${header.sequenceOffset} is not ${HEADER_BYTES}`);
  if (header.flowTableOffset < HEADER_BYTES || header.flowTableOffset > size) {
    throw bad(path, 40, `flow table offset ${header.flowTableOffset} outside the file (${size} bytes)`);
  }
  const tableEnd = header.flowTableOffset + header.flowCount * FLOW_RECORD_BYTES;
  if (tableEnd !== size) {
    throw bad(path, tableEnd > size ? size : tableEnd, tableEnd > size ? `truncated flow table (${header.flowCount} flows declared)` : `${size - tableEnd} stray bytes after the flow table`);
  }
  // Upper bound of packets that fit the sequence area: catches absurd counts before allocating.
  if (header.packetCount > (header.flowTableOffset - HEADER_BYTES) / 6) {
    throw bad(path, 24, `packet count ${header.packetCount} does not fit the sequence area`);
  }
  const tb = readAt(fd, header.flowCount * FLOW_RECORD_BYTES, header.flowTableOffset);
  const flows: TraceFlow[] = new Array(header.flowCount);
  let sumPackets = 0;
  for (let i = 0; i < header.flowCount; i++) {
    const o = i * FLOW_RECORD_BYTES;
    const family = tb[o + 37];
    if (family !== 4 && family !== 6) throw bad(path, header.flowTableOffset + o + 37, `flow ${i}: family ${family} is not 4 or 6`);
    const packets = Number(tb.readBigUInt64LE(o + 40));
    sumPackets += packets;
    flows[i] = {
      src: formatAddr(tb, o, family), dst: formatAddr(tb, o + 16, family),
      sport: tb.readUInt16LE(o + 32), dport: tb.readUInt16LE(o + 34), proto: tb[o + 36], family,
      packets, bytes: Number(tb.readBigUInt64LE(o + 48)),
    };
  }
  if (sumPackets !== header.packetCount) {
    throw bad(path, header.flowTableOffset, `flow table counts ${sumPackets} packets, header says ${header.packetCount}`);
  }

  function* chunksSync(): Generator<PacketChunk> {
    let pos = header.sequenceOffset;
    let seen = 0;
    const hdr = Buffer.alloc(BLOCK_HEADER_BYTES);
    while (pos < header.flowTableOffset) {
      if (pos + BLOCK_HEADER_BYTES > header.flowTableOffset) throw bad(path, pos, `truncated sequence block header`);
      readSync(fd, hdr, 0, BLOCK_HEADER_BYTES, pos);
      const n = hdr.readUInt32LE(0);
      if (n === 0 || n > BLOCK_PACKETS) throw bad(path, pos, `sequence block of ${n} packets (must be 1..${BLOCK_PACKETS})`);
      const len = blockBytes(n);
      if (pos + len > header.flowTableOffset) throw bad(path, pos, `sequence block of ${n} packets runs past the sequence area`);
      const body = readAt(fd, n * 6, pos + BLOCK_HEADER_BYTES);
      // Copy into fresh aligned arrays: the caller may keep them.
      const flowIds = new Uint32Array(n);
      const lengths = new Uint16Array(n);
      new Uint8Array(flowIds.buffer).set(body.subarray(0, n * 4));
      new Uint8Array(lengths.buffer).set(body.subarray(n * 4, n * 6));
      const fc = header.flowCount;
      for (let i = 0; i < n; i++) {
        if (flowIds[i] >= fc) throw bad(path, pos + BLOCK_HEADER_BYTES + i * 4, `flow id ${flowIds[i]} but only ${fc} flows`);
      }
      seen += n;
      pos += len;
      yield { flowIds, lengths };
    }
    if (seen !== header.packetCount) throw bad(path, pos, `sequence holds ${seen} packets, header says ${header.packetCount}`);
  }

  return {
    path, header, flows,
    chunksSync,
    async *chunks() { yield* chunksSync(); },
    async *packets() {
      for (const c of chunksSync()) {
        for (let i = 0; i < c.flowIds.length; i++) yield { flowId: c.flowIds[i], len: c.lengths[i] };
      }
    },
    readSequence() {
      const flowIds = new Uint32Array(header.packetCount);
      const lengths = new Uint16Array(header.packetCount);
      let at = 0;
      for (const c of chunksSync()) {
        if (at + c.flowIds.length > header.packetCount) throw bad(path, header.sequenceOffset, `sequence holds more packets than the header's ${header.packetCount}`);
        flowIds.set(c.flowIds, at);
        lengths.set(c.lengths, at);
        at += c.flowIds.length;
      }
      return { flowIds, lengths };
    },
    close() { closeSync(fd); },
  };
}

/** Ground truth per flow id, straight from the flow table (no sequence scan). */
export function truthOf(trace: Pick<Trace, 'flows'>): { packets: Float64Array; bytes: Float64Array } {
  const packets = new Float64Array(trace.flows.length);
  const bytes = new Float64Array(trace.flows.length);
  trace.flows.forEach((f, i) => { packets[i] = f.packets; bytes[i] = f.bytes; });
  return { packets, bytes };
}
