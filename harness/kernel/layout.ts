/**
 * Byte layouts of the structs in variants/include/sketch_kern_user.h.
 * Little-endian x86-64; the contracts below are checked against every object's BTF at open.
 */
import { packed, type StructContract } from './btf-layout.ts';

export const SKETCH_MAX_ROWS = 8;
export const GEO_TABLE_SIZE = 4096;
export const SKETCH_CFG_BYTES = 32 + 8 * SKETCH_MAX_ROWS; // 96

/** struct sketch_cfg as encodeSketchCfg writes it (checked against each object's BTF at open). */
export const SKETCH_CFG_CONTRACT: StructContract = packed('sketch_cfg', 'harness/kernel/layout.ts', [
  ['rows', 4], ['cols_mask', 4], ['p_threshold', 4], ['p_one', 4], ['action', 4], ['redirect_ifindex', 4],
  ['extra_hash_rounds', 4], ['layers', 2], ['topk', 2], ['seeds', 8 * SKETCH_MAX_ROWS],
]);

/** struct sketch_stats as decodeSketchStats reads it. */
export const SKETCH_STATS_CONTRACT: StructContract = packed('sketch_stats', 'harness/kernel/layout.ts', [
  ['packets', 8], ['bytes', 8], ['ip_packets', 8], ['non_ip', 8], ['truncated', 8], ['row_updates', 8],
]);

export const SKETCH_STATS_BYTES = 48;

/** struct geo_state as LoadedVariant.reset writes it (per CPU). */
export const GEO_STATE_CONTRACT: StructContract = packed('geo_state', 'harness/build/load-variant.ts', [['skip', 4], ['rng', 4]]);

/** struct sketch_meta (layout=struct) as LoadedVariant.reset writes and stats() reads it. */
export const SKETCH_META_CONTRACT: StructContract = packed('sketch_meta', 'harness/build/load-variant.ts', [
  ['stats', SKETCH_STATS_BYTES], ['geo', 8], ['draws', 4 * GEO_TABLE_SIZE],
]);

/** UnivMon's limits and derived seeds (sketch_kern_user.h). */
export const UNIVMON_MAX_TOPK = 32;
export const UNIVMON_LAYER_SEED_STEP = 0x9e3779b97f4a7c15n;
export const UNIVMON_LEVEL_SALT = 0xd1b54a32d192ed03n;
export const UNIVMON_ENTRY_BYTES = 56;

/** struct univmon_entry and struct univmon_heavy (map `heavy`, one per layer, per CPU) as readHeavy decodes them. */
export const UNIVMON_ENTRY_CONTRACT: StructContract = packed('univmon_entry', 'harness/kernel/layout.ts', [['key', 40], ['est2', 8], ['hits', 4], ['pad', 4]]);
export const UNIVMON_HEAVY_CONTRACT: StructContract = packed('univmon_heavy', 'harness/kernel/layout.ts', [
  ['n', 4], ['pad', 4], ['e', UNIVMON_ENTRY_BYTES * UNIVMON_MAX_TOPK],
]);

/** One listed key: its 40-byte flow key, twice its Count Sketch median when last updated, and the updates it got since it was listed. */
export interface HeavyEntry {
  key: Uint8Array;
  est2: number;
  hits: number;
}

/** One CPU's list of one layer, in slot order. */
export function decodeUnivmonHeavy(b: Buffer): HeavyEntry[] {
  const n = Math.min(b.readUInt32LE(0), UNIVMON_MAX_TOPK);
  const out: HeavyEntry[] = [];
  for (let i = 0; i < n; i++) {
    const at = 8 + i * UNIVMON_ENTRY_BYTES;
    out.push({ key: Uint8Array.from(b.subarray(at, at + 40)), est2: Number(b.readBigInt64LE(at + 40)), hits: b.readUInt32LE(at + 48) });
  }
  return out;
}

export const ACTIONS = { drop: 0, pass: 1, redirect: 2, tx: 3 } as const;
export type Action = keyof typeof ACTIONS;

export interface SketchCfg {
  rows: number;
  columns: number;
  /** Update probability, 0 < p <= 1. */
  p: number;
  seeds: bigint[];
  action: Action;
  redirectIfindex?: number;
  /** Test-only slowdown: extra hash rounds per packet. */
  extraHashRounds?: number;
  /** UnivMon: layers and keys listed per layer (0 for other families). */
  layers?: number;
  topk?: number;
}

/** Coin sampling compares a u32 draw against this; p = 1 uses the p_one flag instead. */
export function pThreshold(p: number): number {
  return p >= 1 ? 0xffffffff : Math.min(0xffffffff, Math.floor(p * 2 ** 32));
}

export function encodeSketchCfg(cfg: SketchCfg): Buffer {
  const b = Buffer.alloc(SKETCH_CFG_BYTES);
  b.writeUInt32LE(cfg.rows, 0);
  b.writeUInt32LE(cfg.columns - 1, 4);
  b.writeUInt32LE(pThreshold(cfg.p), 8);
  b.writeUInt32LE(cfg.p >= 1 ? 1 : 0, 12);
  b.writeUInt32LE(ACTIONS[cfg.action], 16);
  b.writeUInt32LE(cfg.redirectIfindex ?? 0, 20);
  b.writeUInt32LE(cfg.extraHashRounds ?? 0, 24);
  b.writeUInt16LE(cfg.layers ?? 0, 28);
  b.writeUInt16LE(cfg.topk ?? 0, 30);
  for (let i = 0; i < SKETCH_MAX_ROWS; i++) b.writeBigUInt64LE(BigInt.asUintN(64, cfg.seeds[i] ?? 0n), 32 + 8 * i);
  return b;
}

/** struct sketch_stats, per-CPU copies already summed. */
export interface SketchStats {
  packets: number;
  bytes: number;
  ipPackets: number;
  nonIp: number;
  truncated: number;
  rowUpdates: number;
}

export function decodeSketchStats(fields: bigint[]): SketchStats {
  const [packets, bytes, ipPackets, nonIp, truncated, rowUpdates] = fields.map(Number);
  return { packets, bytes, ipPackets, nonIp, truncated, rowUpdates };
}

/** enum xdp_action (uapi linux/bpf.h). */
export const XDP_ACTIONS = ['XDP_ABORTED', 'XDP_DROP', 'XDP_PASS', 'XDP_TX', 'XDP_REDIRECT'] as const;
export const XDP_DROP = 1;

/** The XDP return code each --action expects of a program. */
export const XDP_CODE_OF: Record<Action, number> = { drop: 1, pass: 2, tx: 3, redirect: 4 };

export function xdpActionName(code: number): string {
  return XDP_ACTIONS[code] ?? `action ${code}`;
}
