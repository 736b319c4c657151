/**
 * Captures -> .trace: one streaming pass over one or several captures (merged in timestamp
 * order), one flow table and one ground truth for the whole; flows numbered in order of
 * first appearance.
 */
import type { CaptureStats, RecordReader } from './capture.ts';
import { openCaptureInput, type CaptureInput } from './capture-input.ts';
import { FlowTable } from './flowtable.ts';
import { TraceWriter } from './format.ts';
import { mergeRecords } from './merge.ts';
import { BAD_IP, NOT_IP, parseFrame } from './parse.ts';
import type { TraceHeader } from './types.ts';

export interface ImportStats {
  /** How many captures were read. */
  inputs: number;
  /** Capture formats seen, e.g. "pcap" or "pcap+pcapng". */
  format: string;
  /** Compressions seen ("gzip", "zstd", "xz"), empty for plain files. */
  compression: string[];
  /** Size of the inputs on disk (compressed size where compressed). */
  fileBytes: number;
  /** Bad records (or blocks) skipped with skipBad; 0 otherwise. */
  skippedRecords: number;
  /** File, byte offset and message of the first skipped record, to point the user at it. */
  firstSkip?: string;
  /** Records longer than their snapshot length, cut to it as libpcap does. */
  truncatedRecords: number;
  /** Empty records, passed over as libpcap's readers would see nothing in them. */
  zeroLengthRecords: number;
  /** Packets written to the trace. */
  packets: number;
  bytes: number;
  flows: number;
  /** Frames that are not IPv4/IPv6 (ARP, LLDP, 802.11 management, ...): counted and left out. */
  nonIp: number;
  /** Frames that claim IP but whose header is cut short or invalid: counted and left out. */
  badIp: number;
}

/** Read buffers share this budget when many captures are merged (each gets at least 1 MiB). */
const BUFFER_BUDGET = 64 << 20;

export async function importCaptures(inputs: string[], output: string, opts: { skipBad?: boolean } = {}): Promise<{ header: TraceHeader; stats: ImportStats }> {
  if (inputs.length === 0) throw new Error('importCaptures: no inputs');
  const bufferBytes = Math.max(1 << 20, Math.min(8 << 20, Math.floor(BUFFER_BUDGET / inputs.length)));
  const opened: CaptureInput[] = [];
  const table = new FlowTable();
  const key = table.key;
  let writer: TraceWriter | undefined;
  let nonIp = 0, badIp = 0;
  try {
    for (const path of inputs) opened.push(await openCaptureInput(path, { skipBad: opts.skipBad, bufferBytes }));
    writer = new TraceWriter(output);
    const w = writer;
    mergeRecords(opened.map((i) => i.reader), (r: RecordReader) => {
      const len = parseFrame(r.buf, r.off, r.caplen, r.origlen, r.linktype, key);
      if (len < 0) {
        if (len === NOT_IP) nonIp++; else if (len === BAD_IP) badIp++;
        return;
      }
      w.push(table.lookup(), len);
    });
  } catch (err) {
    writer?.abort();
    // A decompressor that failed explains a cut record better than the record does.
    await Promise.all(opened.map((i) => i.close()));
    throw err;
  }
  try {
    await Promise.all(opened.map((i) => i.close()));
  } catch (err) {
    writer.abort();
    throw err;
  }
  const caps = opened.map((i) => i.reader.stats);
  const notes = { truncatedRecords: sum(caps, 'truncatedRecords'), zeroLengthRecords: sum(caps, 'zeroLengthRecords') };
  const header = writer.finish(table.records(), notes);
  const firstSkipAt = caps.findIndex((c) => c.firstSkip !== undefined);
  return {
    header,
    stats: {
      inputs: opened.length,
      format: [...new Set(caps.map((c) => c.format))].join('+'),
      compression: [...new Set(opened.flatMap((i) => (i.compression ? [i.compression] : [])))],
      fileBytes: opened.reduce((a, i) => a + i.fileBytes, 0),
      skippedRecords: sum(caps, 'skippedRecords'),
      ...(firstSkipAt >= 0 ? { firstSkip: `${opened[firstSkipAt].reader.name}: ${caps[firstSkipAt].firstSkip}` } : {}),
      ...notes,
      packets: header.packetCount, bytes: header.byteCount, flows: header.flowCount, nonIp, badIp,
    },
  };
}

function sum(caps: CaptureStats[], k: 'skippedRecords' | 'truncatedRecords' | 'zeroLengthRecords'): number {
  return caps.reduce((a, c) => a + c[k], 0);
}
