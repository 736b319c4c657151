/**
 * Byte layouts of the structs in variants/include/sketch_kern_user.h.
 * Little-endian x86-64; a kernel test checks sizes against the compiled objects.
 */
export const SKETCH_MAX_ROWS = 8;
export const GEO_TABLE_SIZE = 4096;
export const SKETCH_CFG_BYTES = 32 + 8 * SKETCH_MAX_ROWS; // 96

export const ACTIONS = { drop: 0, pass: 1, redirect: 2 } as const;
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
