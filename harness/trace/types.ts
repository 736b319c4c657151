/** Shared types of the trace module. Units are in the names or the JSDoc. */

/** A 5-tuple. Ports are host-order numbers; addresses are text (dotted quad or RFC 5952). */
export interface Flow {
  src: string;
  dst: string;
  sport: number;
  dport: number;
  /** IP protocol number (final next-header for IPv6). */
  proto: number;
  family: 4 | 6;
}

/** A flow with its exact ground truth, as stored in the flow table. */
export interface TraceFlow extends Flow {
  /** Packets of this flow in the sequence. */
  packets: number;
  /** Sum of the L2 frame lengths (bytes, no FCS) of this flow's packets. */
  bytes: number;
}

export interface TraceHeader {
  version: number;
  flowCount: number;
  packetCount: number;
  /** Sum of all frame lengths, bytes. */
  byteCount: number;
  flowTableOffset: number;
  sequenceOffset: number;
  /** Capture records cut to their file's snapshot length on import (0 for generated traces). */
  truncatedRecords: number;
  /** Empty capture records passed over on import. */
  zeroLengthRecords: number;
}

/** What an importer knows about its input that the sequence does not show; kept in the header. */
export interface ImportNotes {
  truncatedRecords: number;
  zeroLengthRecords: number;
}

/** A run of packets: flowIds[i] and lengths[i] describe packet i of the run. */
export interface PacketChunk {
  flowIds: Uint32Array;
  /** L2 frame length in bytes, excluding FCS. */
  lengths: Uint16Array;
}
