/**
 * Compile (cached), configure and load one variant: the single place where
 * sketch parameters become .rodata and map sizes. Parameters are validated
 * before anything reaches the kernel.
 */
import { BpfObject } from '../kernel/bpf-object.ts';
import { encodeSketchCfg, decodeSketchStats, SKETCH_CFG_CONTRACT, SKETCH_STATS_CONTRACT, type Action, type SketchStats } from '../kernel/layout.ts';
import { compileVariant } from './compile.ts';
import { validateParams, type ResolvedVariant, type SketchParams } from './manifest.ts';
import { geometricTable } from './geometric.ts';

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
    const hasSketch = variant.counter !== 'none' && variant.maps.includes('sketch');
    const obj = BpfObject.open(objectPath, {
      label: variant.name,
      contracts: [SKETCH_CFG_CONTRACT, SKETCH_STATS_CONTRACT],
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
    return this.variant.maps.includes('geo_table');
  }

  get hasSketch(): boolean {
    return this.variant.counter !== 'none' && this.obj.hasMap('sketch');
  }

  /**
   * Zero counters and sketch; draw a fresh geometric table from `samplingSeed`
   * (each repetition gets its own, so sampled variants vary as they should).
   * Coin sampling uses bpf_get_prandom_u32, which the kernel seeds itself.
   */
  reset(samplingSeed: number): void {
    this.obj.map('stats').clearArray();
    if (this.hasSketch) this.obj.map('sketch').clearArray();
    if (this.geometric) {
      const table = geometricTable(this.params.p, samplingSeed);
      this.obj.map('geo_table').fillArray(Buffer.from(table.buffer, table.byteOffset, table.byteLength));
      const gs = this.obj.map('geo_state');
      // Start at the first draw so the very first slot is not always sampled.
      const st = Buffer.alloc(8);
      st.writeUInt32LE(table[0], 0);
      st.writeUInt32LE(1, 4);
      gs.update(gs.u32Key(0), st);
    }
  }

  stats(): SketchStats {
    return decodeSketchStats(this.obj.map('stats').readU64StructSummed());
  }

  /** Counters, per-CPU copies summed, index = row * columns + col. */
  readSketch(): number[] {
    if (!this.hasSketch) return [];
    return this.obj.map('sketch').readArraySummed(this.variant.counter === 's32' ? 's32' : 'u32');
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
