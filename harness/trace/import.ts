/** pcap/pcapng -> .trace: one streaming pass, flows numbered in order of first appearance. */
import { readCapture, type CaptureStats } from './capture.ts';
import { FlowTable } from './flowtable.ts';
import { TraceWriter } from './format.ts';
import { BAD_IP, NOT_IP, parseFrame } from './parse.ts';
import type { TraceHeader } from './types.ts';

export interface ImportStats extends CaptureStats {
  /** Packets written to the trace. */
  packets: number;
  bytes: number;
  flows: number;
  /** Frames that are not IPv4/IPv6 (ARP, LLDP, ...): counted and left out. */
  nonIp: number;
  /** Frames that claim IP but whose header is cut short or invalid: counted and left out. */
  badIp: number;
}

export function importCapture(input: string, output: string, opts: { skipBad?: boolean } = {}): { header: TraceHeader; stats: ImportStats } {
  const table = new FlowTable();
  const key = table.key;
  const writer = new TraceWriter(output);
  let nonIp = 0, badIp = 0;
  let cap: CaptureStats;
  try {
    cap = readCapture(input, (buf, off, caplen, origlen, linktype) => {
      const len = parseFrame(buf, off, caplen, origlen, linktype, key);
      if (len < 0) {
        if (len === NOT_IP) nonIp++; else if (len === BAD_IP) badIp++;
        return;
      }
      writer.push(table.lookup(), len);
    }, opts);
  } catch (err) {
    writer.abort();
    throw err;
  }
  const header = writer.finish(table.flows());
  return {
    header,
    stats: { ...cap, packets: header.packetCount, bytes: header.byteCount, flows: header.flowCount, nonIp, badIp },
  };
}
