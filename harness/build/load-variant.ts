/**
 * Compile (cached), configure and load one variant: the single place where
 * sketch parameters become .rodata and map sizes. Parameters are validated
 * before anything reaches the kernel.
 */
import { BpfObject } from '../kernel/bpf-object.ts';
import { encodeSketchCfg, decodeSketchStats, GEO_STATE_CONTRACT, SKETCH_CFG_CONTRACT, SKETCH_META_CONTRACT, SKETCH_STATS_CONTRACT, SKETCH_STATS_BYTES, type Action, type SketchStats } from '../kernel/layout.ts';
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
    const flatSketch = variant.counter !== 'none' && variant.maps.includes('sketch') && variant.layout === 'maps';
    const obj = BpfObject.open(objectPath, {
      label: variant.name,
      contracts: [SKETCH_CFG_CONTRACT, SKETCH_STATS_CONTRACT, GEO_STATE_CONTRACT, SKETCH_META_CONTRACT],
      rodata: encodeSketchCfg({
        rows: params.rows, columns: params.columns, p: params.p, seeds: [...params.seeds],
        action: opts.action ?? 'drop', redirectIfindex: opts.redirectIfindex, extraHashRounds: opts.extraHashRounds,
      }),
      maxEntries: flatSketch ? { sketch: params.rows * params.columns } : {},
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
    // Each CPU's start of the stream, at `at` in its copy of the value.
    const writeGeo = (copy: Buffer, cpu: number, at: number): void => {
      if (!table) return;
      const g = geoStart(table, samplingSeed, cpu);
      copy.writeUInt32LE(g.skip, at);
      copy.writeUInt32LE(g.rng, at + 4);
    };
    if (this.variant.layout === 'struct') {
      // struct sketch_meta: stats (zeroed), geo_state, then the draws.
      this.obj.map('meta').updatePerCpu(Buffer.alloc(4), (copy, cpu) => {
        writeGeo(copy, cpu, SKETCH_STATS_BYTES);
        if (table) Buffer.from(table.buffer, table.byteOffset, table.byteLength).copy(copy, SKETCH_STATS_BYTES + 8);
      });
      return;
    }
    this.obj.map('stats').clearArray();
    if (table) {
      this.obj.map('geo_table').fillArray(Buffer.from(table.buffer, table.byteOffset, table.byteLength));
      this.obj.map('geo_state').updatePerCpu(Buffer.alloc(4), (copy, cpu) => writeGeo(copy, cpu, 0));
    }
  }

  stats(): SketchStats {
    // layout=struct: the same counters start struct sketch_meta.
    if (this.variant.layout === 'struct') return decodeSketchStats(this.obj.map('meta').readU64StructSummed(0, SKETCH_STATS_BYTES / 8));
    return decodeSketchStats(this.obj.map('stats').readU64StructSummed());
  }

  /** Counters, per-CPU copies summed, index = row * columns + col. */
  readSketch(): number[] {
    if (!this.hasSketch) return [];
    const kind = this.variant.counter === 's32' ? 's32' : 'u32';
    if (this.variant.layout === 'struct') return this.obj.map('sketch').readCellsSummed(kind, this.params.rows * this.params.columns);
    return this.obj.map('sketch').readArraySummed(kind);
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
