/**
 * Compile (cached), configure and load one variant: the single place where
 * sketch parameters become .rodata and map sizes. Parameters are validated
 * before anything reaches the kernel.
 */
import { BpfObject } from '../kernel/bpf-object.ts';
import { encodeSketchCfg, decodeSketchStats, GEO_STATE_CONTRACT, GEO_TABLE_SIZE, SKETCH_CFG_CONTRACT, SKETCH_META_CONTRACT, SKETCH_STATS_CONTRACT, SKETCH_STATS_BYTES, type Action, type SketchStats } from '../kernel/layout.ts';
import { compileVariant } from './compile.ts';
import { validateParams, type ResolvedVariant, type SketchParams } from './manifest.ts';
import { geometricTable, geoStart } from './geometric.ts';

export const SKETCH_PROG = 'sketch_xdp';

export interface LoadOptions {
  action?: Action;
  redirectIfindex?: number;
  /** Test-only slowdown (regression-gate tests). */
  extraHashRounds?: number;
}

export interface ProgramMetrics {
  verifiedInsns: number;
  xlatedBytes: number;
  jitedBytes: number;
  mapBytes: number;
  loadMs: number;
}

export class LoadedVariant {
  private constructor(
    readonly variant: ResolvedVariant,
    readonly params: SketchParams,
    readonly obj: BpfObject,
    readonly objectPath: string,
    readonly loadOptions: LoadOptions = {},
  ) {}

  /** The test-only slowdown this variant was loaded with. */
  get extraHashRounds(): number | undefined {
    return this.loadOptions.extraHashRounds;
  }

  static async load(variant: ResolvedVariant, params: SketchParams, opts: LoadOptions = {}): Promise<LoadedVariant> {
    validateParams(params, variant);
    const { objectPath } = await compileVariant(variant);
    // layout=struct: the sketch is one value of fixed size; only the flat map is sized to the params.
    const hasSketch = variant.counter !== 'none' && variant.maps.includes('sketch') && variant.layout === 'maps';
    const obj = BpfObject.open(objectPath, {
      label: variant.name,
      contracts: [SKETCH_CFG_CONTRACT, SKETCH_STATS_CONTRACT, GEO_STATE_CONTRACT, SKETCH_META_CONTRACT],
      rodata: encodeSketchCfg({
        rows: params.rows, columns: params.columns, p: params.p, seeds: [...params.seeds],
        action: opts.action ?? 'drop', redirectIfindex: opts.redirectIfindex, extraHashRounds: opts.extraHashRounds,
      }),
      maxEntries: hasSketch ? { sketch: params.rows * params.columns } : {},
    });
    try {
      obj.load();
    } catch (err) {
      obj.close();
      throw err;
    }
    const lv = new LoadedVariant(variant, params, obj, objectPath, opts);
    lv.reset(1);
    return lv;
  }

  get progFd(): number {
    return this.obj.program(SKETCH_PROG).fd;
  }

  get geometric(): boolean {
    return this.variant.switches.sampling === 'geometric';
  }

  /** Keeps a sketch to read back and estimate from (a flat map of rows x columns, or one value with layout=struct). */
  get hasSketch(): boolean {
    return this.variant.counter !== 'none' && this.obj.hasMap('sketch');
  }

  /**
   * Zero counters and sketch; start every CPU's geometric stream where
   * geoStart(table, samplingSeed, cpu) says (each repetition its own seed, so
   * sampled variants vary as they should). Coin sampling uses
   * bpf_get_prandom_u32, which the kernel seeds itself.
   */
  reset(samplingSeed: number): void {
    if (this.hasSketch) this.obj.map('sketch').clearArray();
    const table = this.geometric ? geometricTable(this.params.p) : undefined;
    if (this.variant.layout === 'struct') {
      // One value per CPU: stats, then geo_state, then the draws (struct sketch_meta).
      const meta = this.obj.map('meta');
      const buf = Buffer.alloc(meta.lookupBytes);
      const stride = meta.lookupBytes / meta.copies;
      for (let c = 0; c < meta.copies; c++) {
        if (!table) continue;
        const o = c * stride + SKETCH_STATS_BYTES;
        const g = geoStart(table, samplingSeed, c);
        buf.writeUInt32LE(g.skip, o);
        buf.writeUInt32LE(g.rng, o + 4);
        for (let i = 0; i < GEO_TABLE_SIZE; i++) buf.writeUInt32LE(table[i], o + 8 + 4 * i);
      }
      meta.update(meta.u32Key(0), buf);
      return;
    }
    this.obj.map('stats').clearArray();
    if (table) {
      this.obj.map('geo_table').fillArray(Buffer.from(table.buffer, table.byteOffset, table.byteLength));
      const gs = this.obj.map('geo_state');
      const buf = Buffer.alloc(gs.lookupBytes);
      const stride = gs.lookupBytes / gs.copies;
      for (let c = 0; c < gs.copies; c++) {
        const g = geoStart(table, samplingSeed, c);
        buf.writeUInt32LE(g.skip, c * stride);
        buf.writeUInt32LE(g.rng, c * stride + 4);
      }
      gs.update(gs.u32Key(0), buf);
    }
  }

  stats(): SketchStats {
    if (this.variant.layout === 'struct') {
      const copies = this.obj.map('meta').lookupPerCpu(Buffer.alloc(4)) ?? [];
      const sums = new Array<bigint>(SKETCH_STATS_BYTES / 8).fill(0n);
      for (const b of copies) for (let i = 0; i < sums.length; i++) sums[i] += b.readBigUInt64LE(i * 8);
      return decodeSketchStats(sums);
    }
    return decodeSketchStats(this.obj.map('stats').readU64StructSummed());
  }

  /** Counters, per-CPU copies summed, index = row * columns + col. */
  readSketch(): number[] {
    if (!this.hasSketch) return [];
    const signed = this.variant.counter === 's32';
    if (this.variant.layout === 'struct') {
      const n = this.params.rows * this.params.columns;
      const out = new Array<number>(n).fill(0);
      for (const b of this.obj.map('sketch').lookupPerCpu(Buffer.alloc(4)) ?? []) {
        for (let i = 0; i < n; i++) out[i] += signed ? b.readInt32LE(4 * i) : b.readUInt32LE(4 * i);
      }
      return out;
    }
    return this.obj.map('sketch').readArraySummed(signed ? 's32' : 'u32');
  }

  programMetrics(): ProgramMetrics {
    const info = this.obj.programInfo(SKETCH_PROG);
    return {
      verifiedInsns: info.verifiedInsns,
      xlatedBytes: info.xlatedBytes,
      jitedBytes: info.jitedBytes,
      mapBytes: this.obj.mapBytes(),
      loadMs: this.obj.loadMs,
    };
  }

  close(): void {
    this.obj.close();
  }
}
