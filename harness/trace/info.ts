import { openTraceSync } from './format.ts';
import { fitSkew } from './skew.ts';

/** The JSON contract of `trace info --json` (docs/design.md, Contracts). */
export interface TraceInfo {
  packets: number;
  bytes: number;
  flows: number;
  /** Fitted Zipf exponent (see skew.ts for the ranks used), null if too few flows. */
  skew: number | null;
  /** Capture records the import cut to their snapshot length, and empty ones it passed over. */
  truncatedRecords: number;
  zeroLengthRecords: number;
  top: { src: string; dst: string; sport: number; dport: number; proto: number; packets: number; bytes: number }[];
}

/** Summary from the header and flow table alone: no pass over the sequence. */
export function traceInfo(path: string, topK = 10): TraceInfo {
  const t = openTraceSync(path);
  try {
    const counts = t.flows.map((f) => f.packets);
    const order = t.flows.map((_, i) => i).sort((a, b) => t.flows[b].packets - t.flows[a].packets || a - b);
    return {
      packets: t.header.packetCount,
      bytes: t.header.byteCount,
      flows: t.header.flowCount,
      skew: fitSkew(counts),
      truncatedRecords: t.header.truncatedRecords,
      zeroLengthRecords: t.header.zeroLengthRecords,
      top: order.slice(0, topK).map((i) => {
        const { src, dst, sport, dport, proto, packets, bytes } = t.flows[i];
        return { src, dst, sport, dport, proto, packets, bytes };
      }),
    };
  } finally {
    t.close();
  }
}
