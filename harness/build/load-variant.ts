/**
 * Compile (cached), configure and load one variant: the single place where
 * sketch parameters become .rodata and map sizes. Parameters are validated
 * before anything reaches the kernel.
 */
import { BpfObject } from '../kernel/bpf-object.ts';
import { BPF_MAP_TYPE_ARRAY, BPF_MAP_TYPE_PERCPU_ARRAY } from '../kernel/libbpf.ts';
import { SKETCH_CFG_BYTES, encodeSketchCfg, decodeSketchStats, GEO_STATE_CONTRACT, SKETCH_CFG_CONTRACT, SKETCH_META_CONTRACT, SKETCH_STATS_CONTRACT, SKETCH_STATS_BYTES, UNIVMON_ENTRY_CONTRACT, UNIVMON_HEAVY_CONTRACT, decodeUnivmonHeavy, type Action, type HeavyEntry, type SketchStats } from '../kernel/layout.ts';
import { compileVariant } from './compile.ts';
import { validateParams, type ResolvedVariant, type SketchParams } from './manifest.ts';
import { geometricTable, geoStart } from './geometric.ts';
import { specPathOf } from './external.ts';
import { badInput, SketchbenchError } from '../errors.ts';

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

/** Whether a variant declares a sketch to read back (the baselines do not): what can be known before it is built. */
export function declaresSketch(v: ResolvedVariant): boolean {
  return v.external ? v.external.sketch !== undefined : v.counter !== 'none';
}

export class LoadedVariant {
  private constructor(
    readonly variant: ResolvedVariant,
    readonly params: SketchParams,
    readonly obj: BpfObject,
    readonly objectPath: string,
    readonly loadOptions: LoadOptions = {},
    /** The XDP program to run: `sketch_xdp` for the project's variants. */
    readonly progName: string = SKETCH_PROG,
    /** The run's settings reach the program (always for ours; for a program from outside, when it declares sketchbench.h's cfg). */
    readonly takesSettings = true,
  ) {}

  /**
   * Keeps the project's `stats` counters (its own variants). A program from outside
   * the repository does not: the replay and the DUT's driver count for it.
   */
  get hasStats(): boolean {
    return !this.variant.external;
  }

  /** The test-only slowdown this variant was loaded with. */
  get extraHashRounds(): number | undefined {
    return this.loadOptions.extraHashRounds;
  }

  static async load(variant: ResolvedVariant, params: SketchParams, opts: LoadOptions = {}): Promise<LoadedVariant> {
    validateParams(params, variant);
    if (variant.external) return LoadedVariant.loadExternal(variant, params, opts);
    const { objectPath } = await compileVariant(variant);
    // layout=struct: the sketch is one value of fixed size; only the flat map is sized to the params.
    const flatSketch = variant.counter !== 'none' && variant.maps.includes('sketch') && variant.layout === 'maps';
    const obj = BpfObject.open(objectPath, {
      label: variant.name,
      contracts: [SKETCH_CFG_CONTRACT, SKETCH_STATS_CONTRACT, GEO_STATE_CONTRACT, SKETCH_META_CONTRACT, UNIVMON_ENTRY_CONTRACT, UNIVMON_HEAVY_CONTRACT],
      rodata: encodeSketchCfg({
        rows: params.rows, columns: params.columns, p: params.p, seeds: [...params.seeds],
        action: opts.action ?? 'drop', redirectIfindex: opts.redirectIfindex, extraHashRounds: opts.extraHashRounds,
        ...(variant.univmon ? { layers: params.layers, topk: params.topk } : {}),
      }),
      maxEntries: variant.univmon
        ? { sketch: params.layers! * params.rows * params.columns, heavy: params.layers! }
        : flatSketch ? { sketch: params.rows * params.columns } : {},
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

  /**
   * A program from outside the repository: its only XDP program (or the spec's),
   * the run's settings written where it declares sketchbench.h's cfg, its sketch
   * map checked against the spec before anything loads.
   */
  private static async loadExternal(variant: ResolvedVariant, params: SketchParams, opts: LoadOptions): Promise<LoadedVariant> {
    const ext = variant.external!;
    const { objectPath } = await compileVariant(variant);
    const obj = BpfObject.open(objectPath, { label: variant.name, contracts: [SKETCH_CFG_CONTRACT] });
    try {
      const xdp = obj.xdpPrograms();
      const prog = ext.program ?? (xdp.length === 1 ? xdp[0] : undefined);
      if (!xdp.length) throw badInput(`${ext.file}: no XDP program in this object (a function in SEC("xdp")); is it an XDP program?`);
      if (!prog) throw badInput(`${ext.file}: ${xdp.length} XDP programs (${xdp.join(', ')}); name the one to measure in ${specPathOf(ext.file)} as {"program": "NAME"}`);
      if (!xdp.includes(prog)) throw badInput(`${ext.specPath ?? ext.file}: program '${prog}' is not an XDP program of the object (it has ${xdp.join(', ')})`);
      for (const other of obj.programNames()) if (other !== prog) obj.setAutoload(other, false);
      const cfg = declaresCfg(obj, ext.file);
      if (cfg) {
        obj.setRodata(encodeSketchCfg({
          rows: params.rows, columns: params.columns, p: params.p, seeds: [...params.seeds],
          action: opts.action ?? 'drop', redirectIfindex: opts.redirectIfindex, extraHashRounds: opts.extraHashRounds,
        }));
      }
      if (ext.sketch) {
        const sk = ext.sketch;
        const fixed = (['rows', 'columns', 'seeds', 'p'] as const).filter((k) => sk[k] !== undefined);
        const where = ext.specPath ?? ext.file;
        if (cfg && fixed.length) throw badInput(`${where}: the program takes ${fixed.join(', ')} from sketchbench.h's cfg (the run's settings); remove them from the spec`);
        const missing = (['rows', 'columns', 'seeds'] as const).filter((k) => sk[k] === undefined);
        if (sk.estimator === 'nitro' && sk.p === undefined) missing.push('p' as never);
        if (!cfg && missing.length) throw badInput(`${where}: the program does not include sketchbench.h's cfg, so the spec must give its compiled-in ${missing.join(', ')}`);
        checkSketchMap(obj, ext, params);
        if (cfg) obj.setMaxEntries(ext.sketch.map, params.rows * params.columns);
      }
      try {
        obj.load();
      } catch (err) {
        // The user's program, not ours: bad input, and the fix is in their file.
        if (!(err instanceof SketchbenchError)) throw err;
        throw new SketchbenchError('load', err.message.replace('or rebuild with other switches', `and fix ${ext.file}`), { detail: err.detail, exitCode: 2, cause: err });
      }
      return new LoadedVariant(variant, params, obj, objectPath, opts, prog, cfg);
    } catch (err) {
      obj.close();
      throw err;
    }
  }

  get progFd(): number {
    return this.obj.program(this.progName).fd;
  }

  get geometric(): boolean {
    return this.variant.switches.sampling === 'geometric';
  }

  /** Keeps a sketch to read back and estimate from (a flat map of rows x columns, or one value with layout=struct). */
  get hasSketch(): boolean {
    return declaresSketch(this.variant) && (this.variant.external !== undefined || this.obj.hasMap('sketch'));
  }

  /**
   * Zero counters and sketch; start every CPU's geometric stream where
   * geoStart(table, samplingSeed, cpu) says (each repetition its own seed, so
   * sampled variants vary as they should). Coin sampling uses
   * bpf_get_prandom_u32, which the kernel seeds itself.
   */
  reset(samplingSeed: number): void {
    if (this.variant.external) {
      if (this.hasSketch) this.obj.map(this.variant.external.sketch!.map).clearArray();
      return;
    }
    if (this.hasSketch) this.obj.map('sketch').clearArray();
    if (this.variant.univmon) this.obj.map('heavy').clearArray();
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
    if (!this.hasStats) throw new Error(`${this.variant.name}: a program from outside the repository keeps no sketchbench stats; count with the replay or the driver`);
    // layout=struct: the same counters start struct sketch_meta.
    if (this.variant.layout === 'struct') return decodeSketchStats(this.obj.map('meta').readU64StructSummed(0, SKETCH_STATS_BYTES / 8));
    return decodeSketchStats(this.obj.map('stats').readU64StructSummed());
  }

  /**
   * UnivMon's key lists: per layer, per CPU, the entries in slot order (each CPU
   * lists the keys it saw; the counters, not the lists, are merged).
   */
  readHeavy(): HeavyEntry[][][] {
    if (!this.variant.univmon) throw new Error(`${this.variant.name}: keeps no key lists (univmon families only)`);
    const m = this.obj.map('heavy');
    return Array.from({ length: this.params.layers! }, (_, j) => (m.lookupPerCpu(m.u32Key(j)) ?? []).map(decodeUnivmonHeavy));
  }

  /** Counters, per-CPU copies summed, index = row * columns + col (UnivMon: (layer * rows + row) * columns + col). */
  readSketch(): number[] {
    if (!this.hasSketch) return [];
    const kind = this.variant.counter === 's32' ? 's32' : 'u32';
    if (this.variant.external) return this.obj.map(this.variant.external.sketch!.map).readArraySummed(kind).slice(0, this.params.rows * this.params.columns);
    // UnivMon's counters stay one array whatever its layout (layout=struct moves only its bookkeeping).
    if (this.variant.layout === 'struct' && !this.variant.univmon) return this.obj.map('sketch').readCellsSummed(kind, this.params.rows * this.params.columns);
    return this.obj.map('sketch').readArraySummed(kind);
  }

  programMetrics(): ProgramMetrics {
    const info = this.obj.programInfo(this.progName);
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

/**
 * The program declares sketchbench.h's cfg: the run's settings are written there. It
 * must be the whole .rodata (other const data would sit where the harness writes).
 */
function declaresCfg(obj: BpfObject, file: string): boolean {
  if (obj.structLayout('sketch_cfg') === undefined) return false;
  const size = obj.rodataSize();
  if (size !== SKETCH_CFG_BYTES) {
    throw badInput(`${file}: .rodata is ${size ?? 0} bytes, not the ${SKETCH_CFG_BYTES} of sketchbench.h's cfg alone; move other const data out (e.g. into a map), so the run's settings can be written`);
  }
  return true;
}

/** The spec's sketch map against the object: exists, an array of 4-byte cells, large enough. */
function checkSketchMap(obj: BpfObject, ext: NonNullable<ResolvedVariant['external']>, params: SketchParams): void {
  const spec = ext.sketch!;
  const where = ext.specPath ?? ext.file;
  const info = obj.mapInfo(spec.map);
  if (!info) throw badInput(`${where}: sketch.map '${spec.map}' is not a map of the object (it has ${obj.mapNames().join(', ') || 'no maps'})`);
  if (info.type !== BPF_MAP_TYPE_ARRAY && info.type !== BPF_MAP_TYPE_PERCPU_ARRAY) throw badInput(`${where}: map '${spec.map}' must be an array or a per-CPU array of counters (index row * columns + col)`);
  if (info.valueSize !== 4) throw badInput(`${where}: map '${spec.map}' has ${info.valueSize}-byte values; sketch.counter ${spec.counter} needs one 4-byte counter per entry`);
  const cells = params.rows * params.columns;
  if (!declaresCfg(obj, ext.file) && info.maxEntries < cells) {
    throw badInput(`${where}: map '${spec.map}' holds ${info.maxEntries} counters, fewer than rows x columns = ${params.rows} x ${params.columns}; correct sketch.rows/columns`);
  }
}
