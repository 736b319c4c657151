/**
 * User-space reference model of the kernel sketches (variants/include/sketch_rows.h),
 * fed the trace's flow-id sequence with the same seeds and cells.
 *
 * Exactness, by sampling mode:
 * - none (countmin, countsketch, and nitro at p = 1 with either sampling): every
 *   (packet,row) slot is updated, so the counters equal the kernel's cell for cell
 *   whatever CPUs the packets ran on (per-CPU copies are summed; shared maps add atomically).
 * - geometric: the kernel keeps the slot stream state (skip, idx) in a PER-CPU map,
 *   every CPU starting at {skip: table[0], idx: 1} (the loader copies one value to all
 *   CPUs). The model replays that stream exactly, so with the same table it equals the
 *   kernel cell for cell when the packets reach sketch_update in trace order and each
 *   packet's CPU is known: all on one CPU (the default), or per packet via `cpuOf`.
 *   Packets that do not parse as IP never reach sketch_update, so they must not be in
 *   the sequence given here. Without reset() between replays the kernel continues its
 *   stream, the model always starts fresh.
 * - coin: bpf_get_prandom_u32 cannot be reproduced, so the model draws its coins from
 *   a seeded xoshiro128** against the kernel's own threshold (pThreshold); only the
 *   distributions of kernel and model estimates can be compared (see
 *   harness/sketch/accuracy.ts, compareEstimateDistributions).
 */
import { badInput } from '../errors.ts';
import type { ResolvedVariant, SketchParams } from '../build/manifest.ts';
import { geometricTable } from '../build/geometric.ts';
import { pThreshold } from '../kernel/layout.ts';
import { Xoshiro128 } from '../trace/prng.ts';
import { estimateFromCells, estimatorOf, flowCells, type FlowCells } from './estimate.ts';

export type Sampling = 'none' | 'geometric' | 'coin';

/** What the model depends on; a ResolvedVariant fits. */
export type ModelVariant = Pick<ResolvedVariant, 'family' | 'hashing' | 'switches'>;

export interface ModelOptions {
  /** Geometric skips; default geometricTable(p, samplingSeed), what LoadedVariant.reset(samplingSeed) writes. */
  geoTable?: Uint32Array;
  /** Seeds the geometric table (when not given) or the coin PRNG. Default 1, as LoadedVariant.load. */
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

  if (sampling === 'none') {
    for (let i = 0; i < n; i++) {
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
      const base = flowIds[i] * rows;
      for (let r = 0; r < rows; r++) if (rng.u32() < threshold) add(base + r);
    }
    return counters;
  }

  const table = opts.geoTable ?? geometricTable(p, opts.samplingSeed ?? 1);
  const size = table.length;
  if (size === 0 || (size & (size - 1)) !== 0) throw badInput(`geometric table size must be a power of two, got ${size}`);
  const mask = size - 1;
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
  const skipOf = new Float64Array(cpus).fill(table[0]);
  const idxOf = new Float64Array(cpus).fill(1);
  for (let i = 0; i < n; i++) {
    const cpu = cpuOf ? cpuOf[i] : 0;
    let skip = skipOf[cpu];
    // Fast path of sketch_update: the whole packet is passed over.
    if (skip >= rows) {
      skipOf[cpu] = skip - rows;
      continue;
    }
    let idx = idxOf[cpu];
    const base = flowIds[i] * rows;
    for (let r = 0; r < rows; r++) {
      if (skip === 0) {
        const next = table[idx & mask];
        idx = (idx + 1) >>> 0;
        add(base + r);
        skip = next;
      } else {
        skip--;
      }
    }
    skipOf[cpu] = skip;
    idxOf[cpu] = idx;
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
