/**
 * Reference model of UnivMon in the kernel (variants/include/univmon_layers.h):
 * which layers a flow is in, which cell each layer's rows touch, the counters
 * after a packet sequence and each layer's key list, entry for entry.
 *
 *   level(key)   = fasthash32(fasthash64(key, seeds[0] ^ UNIVMON_LEVEL_SALT)); the
 *                  flow is in layer 0 and in layer j >= 1 when the low j bits are set.
 *   layer j, row r hashes with seeds[r] + j * UNIVMON_LAYER_SEED_STEP (mod 2^64),
 *                  cells as harness/sketch/cells.ts for the variant's hash.
 *   counter index (layer * rows + row) * columns + col.
 *
 * A packet's sampled rows (all of them for univmon; the CPU's geometric stream or
 * coins for nitro-univmon) are updated in every layer of the flow; then, per
 * layer, twice the median of sign * counter over the rows is offered to the
 * layer's list: kept in place if listed, appended while there is room, else it
 * replaces the first smallest entry if larger.
 *
 * Exact for univmon and for nitro-univmon at p = 1 or with geometric sampling from
 * a given table and start state, all packets on one CPU (the kernel's lists and
 * geometric state are per CPU; the tests pin to CPU 0). Coin sampling below p = 1
 * draws bpf_get_prandom_u32 and is not modelled.
 */
import { badInput } from '../errors.ts';
import type { ResolvedVariant, SketchParams } from '../build/manifest.ts';
import { geoDraw, geometricTable, geoStart, type GeoState } from '../build/geometric.ts';
import { UNIVMON_LAYER_SEED_STEP, UNIVMON_LEVEL_SALT } from '../kernel/layout.ts';
import { cellMapper, type Cell } from './cells.ts';
import { fasthash64Parts, fold32, lastHashHi, lastHashLo, seedHalves, FLOW_KEY_BYTES } from './hash.ts';
import { keyCount } from './flow-keys.ts';

const U64 = (1n << 64n) - 1n;

/** What the model depends on; a ResolvedVariant fits. */
export type UnivmonVariant = Pick<ResolvedVariant, 'family' | 'hashing' | 'switches'>;

export type UnivmonParams = Pick<SketchParams, 'rows' | 'columns' | 'p' | 'seeds'> & { layers: number; topk: number };

/** Row seeds of layer j: seeds[r] + j * step (u64 wrap-around); layer 0 is the plain sketch. */
export function layerSeeds(seeds: readonly bigint[], j: number): bigint[] {
  return seeds.map((s) => (s + BigInt(j) * UNIVMON_LAYER_SEED_STEP) & U64);
}

/** A mapper from a key to its level hash (the kernel's pk->level). */
export function levelHasher(seeds: readonly bigint[]): (key: Uint8Array) => number {
  const [hi, lo] = seedHalves(seeds[0] ^ UNIVMON_LEVEL_SALT);
  return (key) => {
    fasthash64Parts(key, hi, lo);
    return fold32(lastHashHi(), lastHashLo());
  };
}

/** Whether a key with level hash `level` is in layer j. */
export function inLayer(level: number, j: number): boolean {
  if (j === 0) return true;
  const m = j >= 32 ? 0xffffffff : (2 ** j) - 1;
  return ((level >>> 0) & m) === m;
}

/** The deepest layer (below `layers`) a key is in. */
export function levelOf(level: number, layers: number): number {
  let j = 0;
  while (j + 1 < layers && inLayer(level, j + 1)) j++;
  return j;
}

/** Cell mappers of every layer. */
export function layerMappers(variant: Pick<ResolvedVariant, 'hashing'>, params: UnivmonParams): ((key: Uint8Array) => Cell[])[] {
  return Array.from({ length: params.layers }, (_, j) => cellMapper({ rows: params.rows, columns: params.columns, seeds: layerSeeds(params.seeds, j), hashing: variant.hashing }));
}

/** Twice the median of v: the sum of the two middle values (the middle one doubled when odd). */
export function median2(v: readonly number[]): number {
  const s = [...v].sort((a, b) => a - b);
  const h = s.length >> 1;
  return s.length & 1 ? 2 * s[h] : s[h - 1] + s[h];
}

/** One list entry as the model keeps it: a flow id (into the keys), est2 and its updates since it was listed. */
export interface ModelEntry {
  flow: number;
  est2: number;
  hits: number;
}

/** The kernel's heavy_update on one list. */
export function offerToList(list: ModelEntry[], flow: number, est2: number, topk: number): void {
  let minI = 0, minE = Infinity;
  for (let i = 0; i < list.length; i++) {
    if (list[i].flow === flow) {
      list[i].est2 = est2;
      list[i].hits++;
      return;
    }
    if (list[i].est2 < minE) { minE = list[i].est2; minI = i; }
  }
  if (list.length < topk) list.push({ flow, est2, hits: 1 });
  else if (est2 > minE) list[minI] = { flow, est2, hits: 1 };
}

export interface UnivmonModelOptions {
  /** Geometric skips; default geometricTable(p). */
  geoTable?: Uint32Array;
  /** CPU 0's geometric start; default geoStart(table, samplingSeed, 0). */
  geoState?: GeoState;
  samplingSeed?: number;
}

export interface UnivmonModel {
  /** Counters, index (layer * rows + row) * columns + col. */
  counters: Int32Array;
  /** Per layer, the list in slot order. */
  lists: ModelEntry[][];
  rowUpdates: number;
  /** The geometric state after the run (nitro-univmon with geometric sampling). */
  geo?: GeoState;
}

/**
 * The kernel after packets `flowIds` (ids into `keys`; negative: a packet that does not
 * parse) went through one CPU's program, from reset.
 */
export function simulateUnivmon(variant: UnivmonVariant, params: UnivmonParams, keys: Uint8Array, flowIds: ArrayLike<number>, opts: UnivmonModelOptions = {}): UnivmonModel {
  const { rows, columns, layers, topk, p } = params;
  const n = keyCount(keys);
  const sampled = variant.family === 'nitro-univmon';
  const geometric = sampled && variant.switches.sampling === 'geometric';
  if (sampled && !geometric && p < 1) throw badInput('coin sampling below p = 1 draws bpf_get_prandom_u32: the model cannot replay it');
  const sampleFirst = sampled && variant.switches.order === 'sample-first';
  const mappers = layerMappers(variant, params);
  const level = levelHasher(params.seeds);
  const keyOf = (i: number): Uint8Array => keys.subarray(i * FLOW_KEY_BYTES, (i + 1) * FLOW_KEY_BYTES);
  const levels = Int32Array.from({ length: n }, (_, i) => levelOf(level(keyOf(i)), layers));
  const cellsOf = new Map<number, Cell[]>();
  const cells = (j: number, f: number): Cell[] => {
    let c = cellsOf.get(j * n + f);
    if (!c) cellsOf.set(j * n + f, (c = mappers[j](keyOf(f))));
    return c;
  };
  const counters = new Int32Array(layers * rows * columns);
  const lists: ModelEntry[][] = Array.from({ length: layers }, () => []);
  const table = geometric ? (opts.geoTable ?? geometricTable(p)) : undefined;
  const geo = table ? { ...(opts.geoState ?? geoStart(table, opts.samplingSeed ?? 1, 0)) } : undefined;
  const all = (1 << rows) - 1;
  let rowUpdates = 0;
  const sample = (): number => {
    if (!geo || !table) return all;
    if (geo.skip >= rows) {
      geo.skip -= rows;
      return 0;
    }
    let mask = 0;
    for (let r = 0; r < rows; r++) {
      if (geo.skip === 0) {
        mask |= 1 << r;
        geo.skip = geoDraw(table, geo);
      } else {
        geo.skip--;
      }
    }
    return mask;
  };
  for (let i = 0; i < flowIds.length; i++) {
    const f = flowIds[i];
    if (f >= n) throw badInput(`packet ${i}: flow id ${f} but only ${n} flows`);
    if (f < 0 && !sampleFirst) continue;
    const mask = sample();
    if (!mask || f < 0) continue;
    for (let j = 0; j <= levels[f]; j++) {
      const cs = cells(j, f);
      const v: number[] = [];
      for (let r = 0; r < rows; r++) {
        const at = (j * rows + r) * columns + cs[r].col;
        if (mask & (1 << r)) {
          counters[at] += cs[r].sign;
          rowUpdates++;
        }
        v.push(cs[r].sign * counters[at]);
      }
      offerToList(lists[j], f, median2(v), topk);
    }
  }
  return { counters, lists, rowUpdates, geo };
}
