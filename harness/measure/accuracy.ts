/**
 * accuracy: the trace goes through the variant exactly once per repetition
 * (the in-kernel replay: no ring, no loss; checked, and a lossy replay is an
 * error, not a number), the sketch is read back from the kernel with per-CPU
 * copies merged, every flow is estimated with the kernel's own hashes, and the
 * estimates are scored against the trace's exact ground truth. Each repetition
 * draws a different geometric table, so sampled variants vary as they should.
 */
import { appendFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'csv-stringify/sync';
import type { Measurement, MeasureContext } from './types.ts';
import { rowParams } from './types.ts';
import { Replay } from '../traffic/replay.ts';
import { replayInputOf } from '../traffic/trace-input.ts';
import { replayObject } from '../build/support-objects.ts';
import { truthOf } from '../trace/format.ts';
import { flowKeys } from '../sketch/flow-keys.ts';
import { flowCells, estimateFromCells, type FlowCells } from '../sketch/estimate.ts';
import { accuracyMetrics, estimatesCsvRows, ESTIMATES_CSV_COLUMNS } from '../sketch/accuracy.ts';
import { metricInfo } from '../types/results.ts';
import { univmonCandidates } from '../sketch/univmon-estimate.ts';
import { keyIndex, univmonMetrics } from '../sketch/univmon-accuracy.ts';
import { UNIVMON_ENTRY_BYTES } from '../kernel/layout.ts';
import { SketchbenchError } from '../errors.ts';
import { LoadedVariant } from '../build/load-variant.ts';
import { seedsForRep } from '../sketch/seeds.ts';
import { checkAction } from './expected-action.ts';
import { TestRunLane } from '../kernel/test-run-lane.ts';
import type { Row } from '../types/results.ts';

export const ESTIMATES_CSV = 'estimates.csv';

interface AccuracyState {
  ctx: MeasureContext;
  /** Per lane a replay (trace copy and cursor) and the thread pinned to the lane's core: two variants replay at once. */
  lanes: AccuracyLane[];
  keys: Uint8Array;
  truth: Float64Array;
  cells: Map<string, FlowCells>;
  csvPath: string;
  /** Flow id of each key, built when a UnivMon variant first needs it. */
  keyIds?: Map<string, number>;
}

function cellsFor(s: AccuracyState, v: LoadedVariant): FlowCells {
  const p = v.params;
  const key = `${v.variant.hashing}:${p.rows}:${p.columns}:${p.seeds.join(',')}`;
  let c = s.cells.get(key);
  if (!c) {
    c = flowCells(v.variant, p, s.keys);
    s.cells.set(key, c);
  }
  return c;
}

/**
 * Counter memory: rows x columns x 4 bytes, once per CPU for per-CPU maps. UnivMon:
 * every layer's counters, plus each layer's list of topk keys (48 bytes each and
 * its count) on every CPU.
 */
export function sketchMemoryBytes(v: LoadedVariant): number {
  const counters = v.params.rows * v.params.columns * 4 * v.obj.map(v.variant.external?.sketch?.map ?? 'sketch').copies;
  if (!v.variant.univmon) return counters;
  const layers = v.params.layers!;
  return layers * counters + layers * (8 + UNIVMON_ENTRY_BYTES * v.params.topk!) * v.obj.map('heavy').copies;
}

export const accuracyMeasurement: Measurement<AccuracyState> = {
  name: 'accuracy',
  metrics: ['are_all', 'are_top100', 'aae_all', 'hh_f1_0.1pct', 'memory_bytes'],
  async setup(ctx) {
    const cores = accuracyCpus();
    const replays = Replay.loadCopies(await replayObject(), replayInputOf(ctx.trace), cores.length);
    const threads = await Promise.allSettled(cores.map((cpu) => TestRunLane.start(cpu)));
    const lanes = replays.map((replay, i) => ({ replay, thread: threads[i].status === 'fulfilled' ? threads[i].value : undefined }));
    const failed = threads.find((t) => t.status === 'rejected');
    if (failed) {
      await closeLanes(lanes);
      throw failed.reason;
    }
    const csvPath = join(ctx.outDir, ESTIMATES_CSV);
    writeFileSync(csvPath, stringify([[...ESTIMATES_CSV_COLUMNS]]));
    return { ctx, lanes: lanes as AccuracyLane[], keys: flowKeys(ctx.trace.flows), truth: truthOf(ctx.trace).packets, cells: new Map(), csvPath };
  },
  lanes: (s) => s.lanes.length,
  stepSeconds(_kind, plan) {
    // One in-kernel pass of the trace, about 150 ns a packet, then reading back and
    // estimating; two variants at a time, one per core.
    return plan.sketch ? (plan.packets * 150e-9 + 0.3) / accuracyCpus().length : 0.01;
  },
  async measure(s, base, rep, lane) {
    if (!base.hasSketch) return []; // baselines keep no sketch: nothing to estimate
    // Each repetition draws the hash functions anew (the same draw for every
    // variant) unless the run pins them: see harness/sketch/seeds.ts.
    // A program that does not take the run's settings hashes with its compiled-in seeds, every time.
    const v = s.ctx.fixedHashSeeds || rep === 0 || !base.takesSettings ? base
      : await LoadedVariant.load(base.variant, { ...base.params, seeds: seedsForRep(base.params.seeds, rep) }, base.loadOptions);
    try {
      return await measureOnce(s, v, rep, lane);
    } finally {
      if (v !== base) v.close();
    }
  },
  async teardown(s) {
    await closeLanes(s.lanes);
  },
};

/**
 * The cores accuracy replays on, one lane each: the first two. Accuracy times nothing,
 * so its passes (most of the default bench's accuracy minutes: 10M packets a pass) may
 * share the machine's cores; a variant's per-CPU counters are summed when read back.
 */
function accuracyCpus(): number[] {
  return cpus().length > 1 ? [0, 1] : [0];
}

interface AccuracyLane {
  replay: Replay;
  thread: TestRunLane;
}

async function closeLanes(lanes: { replay: Replay; thread?: TestRunLane }[]): Promise<void> {
  for (const l of lanes) l.replay.close();
  await Promise.all(lanes.map((l) => l.thread?.close()));
}

async function measureOnce(s: AccuracyState, v: LoadedVariant, rep: number, lane: number): Promise<Omit<Row, 'trace'>[]> {
    const seed = 3000 + rep;
    const { replay, thread } = s.lanes[lane];
    v.reset(seed);
    replay.setTarget(v.progFd);
    const r = await replay.runInKernelOn(thread, replay.total);
    checkAction(v, r.lastAction, s.ctx.action, 'accuracy');
    const seen = v.hasStats ? v.stats() : { packets: r.packets };
    if (r.bad > 0 || seen.packets !== replay.total || r.packets !== replay.total) {
      throw new SketchbenchError('measure', `${v.variant.name}: lossy replay (${seen.packets} of ${replay.total} packets reached the sketch, ${r.bad} failed): accuracy would be wrong, not reported`);
    }
    const counters = v.readSketch();
    const estimates = estimateFromCells(v.variant, v.params, counters, cellsFor(s, v));
    const metrics = accuracyMetrics(s.truth, estimates, { memoryBytes: sketchMemoryBytes(v) });
    if (v.variant.univmon) {
      // N is what the sketch counted itself (equal to the trace's, checked above).
      const c = univmonCandidates(v.variant, { ...v.params, layers: v.params.layers!, topk: v.params.topk! }, counters, v.readHeavy());
      Object.assign(metrics, univmonMetrics(s.truth, c, (s.keyIds ??= keyIndex(s.keys)), seen.packets));
    }
    const csvRows = estimatesCsvRows(s.ctx.trace, s.truth, estimates, rep, v.variant.name, 1);
    appendFileSync(s.csvPath, stringify(csvRows.map((c) => ESTIMATES_CSV_COLUMNS.map((k) => c[k]))));
    // Whether hash seeds vary per repetition is a run setting (env.accuracyHashSeeds), not a
    // cell parameter: a key here would split accuracy cells from the rest of the variant's.
    const params = rowParams(v);
    return Object.entries(metrics).map(([metric, value]) => ({
      variant: v.variant.name, metric, rep, value, unit: metricInfo(metric).unit || 'ratio', params,
    }));
}
