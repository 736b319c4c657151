/**
 * User-space reference model of the kernel sketches (variants/include/sketch_rows.h),
 * fed the trace's flow-id sequence with the same seeds and cells.
 *
 * Exactness, by sampling mode:
 * - none (countmin, countsketch, and nitro at p = 1 with either sampling): every
 *   (packet,row) slot is updated, so the counters equal the kernel's cell for cell
 *   whatever CPUs the packets ran on (per-CPU copies are summed; shared maps add atomically).
 * - geometric: the kernel keeps the slot stream state (skip, xorshift32 state) per
 *   CPU (with GEO_PACKET a stream of packets rather than of (packet,row) slots),
 *   each CPU starting where geoStart(table, seed, cpu) says (build/geometric.ts).
 *   The model replays those streams exactly, so with the same table it equals the
 *   kernel cell for cell when the packets reach the program in trace order and each
 *   packet's CPU is known: all on one CPU (the default), or per packet via `cpuOf`.
 *   A negative flow id is a packet that does not parse as IP: with order=parse-first
 *   it never reaches the sampler, with order=sample-first it spends its slots and
 *   updates nothing. Without reset() between replays the kernel continues its stream,
 *   the model always starts fresh.
 * - coin: bpf_get_prandom_u32 cannot be reproduced, so the model draws its coins from
 *   a seeded xoshiro128** against the kernel's own threshold (pThreshold); only the
 *   distributions of kernel and model estimates can be compared (see
 *   harness/sketch/accuracy.ts, compareEstimateDistributions).
 */
import { badInput } from '../errors.ts';
import type { ResolvedVariant, SketchParams } from '../build/manifest.ts';
import { geoDraw, geometricTable, geoStart, type GeoState } from '../build/geometric.ts';
import { GEO_TABLE_SIZE, pThreshold } from '../kernel/layout.ts';
import { Xoshiro128 } from '../trace/prng.ts';
import { estimateFromCells, estimatorOf, flowCells, type FlowCells } from './estimate.ts';

export type Sampling = 'none' | 'geometric' | 'coin';

/** What the model depends on; a ResolvedVariant fits. */
export type ModelVariant = Pick<ResolvedVariant, 'family' | 'hashing' | 'switches'> & Partial<Pick<ResolvedVariant, 'defines'>>;

export interface ModelOptions {
  /** Geometric skips; default geometricTable(p), what LoadedVariant.reset writes. */
  geoTable?: Uint32Array;
  /** Each CPU's geometric state at the start; default geoStart(table, samplingSeed, cpu), what reset(samplingSeed) writes. */
  geoStates?: readonly GeoState[];
  /** Seeds the CPUs' geometric streams or the coin PRNG. Default 1, as LoadedVariant.load. */
  samplingSeed?: number;
  /** CPU of each packet (geometric sampling keeps one stream per CPU). Default: all on CPU 0. */
  cpuOf?: ArrayLike<number>;
}

/** How a variant samples its (packet,row) slots. */
export function samplingOf(variant: Pick<ResolvedVariant, 'family' | 'switches'>): Sampling {
  if (variant.family !== 'nitro') return 'none';
  return variant.switches.sampling === 'coin' ? 'coin' : 'geometric';
}

/**
 * Counters after the packets `flowIds` (ids into `cells`) went through the sketch:
 * Int32Array for signed families, Uint32Array for Count-Min, so 32-bit wrap-around
 * matches the kernel's too. Index = row * columns + col.
 */
export function simulateFromCells(variant: ModelVariant, params: SketchParams, cells: FlowCells, flowIds: ArrayLike<number>, opts: ModelOptions = {}): Int32Array | Uint32Array {
  const kind = estimatorOf(variant);
  const { rows, columns, p } = params;
  if (cells.rows !== rows) throw badInput(`cells were computed for ${rows} rows, params have ${cells.rows}`);
  const signed = kind !== 'countmin';
  const counters = signed ? new Int32Array(rows * columns) : new Uint32Array(rows * columns);
  const { index, sign } = cells;
  const nFlows = index.length / rows;
  const n = flowIds.length;
  for (let i = 0; i < n; i++) {
    if (flowIds[i] >= nFlows) throw badInput(`packet ${i}: flow id ${flowIds[i]} but only ${nFlows} flows`);
  }
  const add = (o: number): void => {
    counters[index[o]] += signed ? sign[o] : 1;
  };
  const sampling = p >= 1 && samplingOf(variant) === 'coin' ? 'none' : samplingOf(variant);
  // Whether a packet that does not parse still spends its sampling slots.
  const sampleFirst = variant.switches.order === 'sample-first';

  if (sampling === 'none') {
    for (let i = 0; i < n; i++) {
      if (flowIds[i] < 0) continue;
      const base = flowIds[i] * rows;
      for (let r = 0; r < rows; r++) add(base + r);
    }
    return counters;
  }

  if (sampling === 'coin') {
    // cfg.p_one short-circuits p = 1 above; below it the kernel compares a u32 draw.
    const threshold = pThreshold(p);
    const rng = new Xoshiro128(opts.samplingSeed ?? 1);
    for (let i = 0; i < n; i++) {
      const id = flowIds[i];
      if (id < 0 && !sampleFirst) continue;
      const base = id * rows;
      for (let r = 0; r < rows; r++) if (rng.u32() < threshold && id >= 0) add(base + r);
    }
    return counters;
  }

  const table = opts.geoTable ?? geometricTable(p);
  if (table.length !== GEO_TABLE_SIZE) throw badInput(`the geometric table has ${GEO_TABLE_SIZE} entries (the kernel's draws index it by 12 bits), got ${table.length}`);
  // One stream per CPU, as geo_state is a per-CPU map; all start where reset() puts them.
  const cpuOf = opts.cpuOf;
  let cpus = 1;
  if (cpuOf) {
    for (let i = 0; i < n; i++) {
      const c = cpuOf[i];
      if (!Number.isInteger(c) || c < 0 || c > 65535) throw badInput(`packet ${i}: CPU ${c} is not an integer 0..65535`);
      if (c >= cpus) cpus = c + 1;
    }
  }
  const seed = opts.samplingSeed ?? 1;
  const states: GeoState[] = Array.from({ length: cpus }, (_, c) => ({ ...(opts.geoStates?.[c] ?? geoStart(table, seed, c)) }));
  // GEO_PACKET (nitro-packet): the stream is one of packets; a sampled packet updates every row.
  const perPacket = variant.defines?.includes('GEO_PACKET') ?? false;
  for (let i = 0; i < n; i++) {
    const id = flowIds[i];
    if (id < 0 && !sampleFirst) continue;
    const s = states[cpuOf ? cpuOf[i] : 0];
    if (perPacket) {
      if (s.skip > 0) {
        s.skip--;
        continue;
      }
      if (id >= 0) for (let r = 0; r < rows; r++) add(id * rows + r);
      s.skip = geoDraw(table, s);
      continue;
    }
    // geo_packet_skipped: the whole packet is passed over.
    if (s.skip >= rows) {
      s.skip -= rows;
      continue;
    }
    const base = id * rows;
    for (let r = 0; r < rows; r++) {
      if (s.skip === 0) {
        if (id >= 0) add(base + r);
        s.skip = geoDraw(table, s);
      } else {
        s.skip--;
      }
    }
  }
  return counters;
}

/** simulateFromCells from keys (flowKeys()). */
export function simulate(variant: ModelVariant, params: SketchParams, keys: Uint8Array, flowIds: ArrayLike<number>, opts: ModelOptions = {}): Int32Array | Uint32Array {
  return simulateFromCells(variant, params, flowCells(variant, params, keys), flowIds, opts);
}

/**
 * The model's estimates of the flows `track` over repetitions with sampling seeds
 * `samplingSeeds` (hash seeds fixed by params, as in a kernel run whose repetitions
 * only reset(rep)). One Float64Array per repetition, aligned with `track`: the model
 * side of a kernel-vs-model distribution comparison for coin sampling.
 */
export function modelEstimateReps(
  variant: ModelVariant, params: SketchParams, keys: Uint8Array, flowIds: ArrayLike<number>,
  track: ArrayLike<number>, samplingSeeds: readonly number[],
): Float64Array[] {
  const cells = flowCells(variant, params, keys);
  return samplingSeeds.map((seed) => {
    const counters = simulateFromCells(variant, params, cells, flowIds, { samplingSeed: seed });
    const est = estimateFromCells(variant, params, counters, cells);
    return Float64Array.from(track, (id) => est[id]);
  });
}
