/**
 * The kernel's sketches against the TypeScript reference models after a real
 * replay of a trace: cell for cell where the variant is deterministic (or its
 * randomness is ours: the geometric table), by distribution where it draws
 * coins from bpf_get_prandom_u32.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { kernelTest } from './helpers.ts';
import { generateTrace, GEN_DEFAULTS } from '../../harness/trace/gen.ts';
import { openTraceSync, truthOf, type Trace } from '../../harness/trace/format.ts';
import { Replay } from '../../harness/traffic/replay.ts';
import { TestRunLane } from '../../harness/kernel/test-run-lane.ts';
import { replayInputOf } from '../../harness/traffic/trace-input.ts';
import { replayObject } from '../../harness/build/support-objects.ts';
import { LoadedVariant } from '../../harness/build/load-variant.ts';
import { defaultParams, resolveVariant, type SketchParams } from '../../harness/build/manifest.ts';
import { pinThisThread, unpinThisThread } from '../../harness/kernel/affinity.ts';
import { flowKeys } from '../../harness/sketch/flow-keys.ts';
import { flowCells, estimateFromCells, topK } from '../../harness/sketch/estimate.ts';
import { simulateFromCells } from '../../harness/sketch/model.ts';
import { compareEstimateDistributions } from '../../harness/sketch/accuracy.ts';

function withTrace(fn: (trace: Trace, replay: Replay) => Promise<void>): Promise<void> {
  return (async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sb-acc-'));
    const path = join(dir, 't.trace');
    generateTrace(path, { ...GEN_DEFAULTS, flows: 5000, packets: 50_000, seed: 9, ipv6Fraction: 0.25, proto: 'mix' });
    const trace = openTraceSync(path);
    const replay = Replay.load(await replayObject(), replayInputOf(trace));
    try {
      await fn(trace, replay);
    } finally {
      replay.close();
      trace.close();
      rmSync(dir, { recursive: true, force: true });
    }
  })();
}

/** One replay of the whole trace through v, on one CPU (geometric state is per CPU). */
function replayOnce(replay: Replay, v: LoadedVariant, seed: number): number[] {
  v.reset(seed);
  replay.setTarget(v.progFd);
  pinThisThread(1);
  try {
    const r = replay.runInKernel();
    assert.equal(r.bad, 0);
  } finally {
    unpinThisThread();
  }
  assert.equal(v.stats().packets, replay.total, 'every packet reached the sketch');
  return v.readSketch();
}

const CASES: [name: string, p: number][] = [
  ['countmin', 1], ['countsketch', 1],
  ['countmin[maps=percpu,hash=fasthash64-sliced]', 1], ['countsketch[maps=shared,hash=xxhash32,layout=struct]', 1],
  ['nitro-naive', 1], ['nitro-sliced', 1],
  ['nitro-geo', 1 / 16], ['nitro-fasthash', 1 / 4], ['nitro-sliced', 1 / 16], ['nitro-sample-first', 1 / 16], ['nitro-final', 1 / 16],
  ['nitro[maps=shared,hash=xxhash32,order=sample-first,layout=struct]', 1 / 8],
];

kernelTest('after a replay, deterministic and geometric sketches equal the reference model cell for cell', async () => {
  await withTrace(async (trace, replay) => {
    const { flowIds } = trace.readSequence();
    const keys = flowKeys(trace.flows);
    for (const [name, p] of CASES) {
      const variant = resolveVariant(name);
      const params: SketchParams = { ...defaultParams(), p };
      const v = await LoadedVariant.load(variant, params);
      try {
        const kernel = replayOnce(replay, v, 77);
        // The replay runs on CPU 1, whose geometric stream is its own.
        const cpuOf = new Uint8Array(flowIds.length).fill(1);
        const model = simulateFromCells(variant, params, flowCells(variant, params, keys), flowIds, { samplingSeed: 77, cpuOf });
        assert.deepEqual(kernel, Array.from(model), `${name} p=${p}: kernel and model counters differ`);
      } finally {
        v.close();
      }
    }
  });
});

kernelTest('two replays at once on pinned lanes (accuracy\'s): each sketch equals the model of its lane\'s core, cell for cell', async () => {
  await withTrace(async (trace) => {
    // Two copies of the trace, encoded once, as accuracy's setup loads them.
    const [replay, second] = Replay.loadCopies(await replayObject(), replayInputOf(trace), 2);
    const lanes = [await TestRunLane.start(0), await TestRunLane.start(1)];
    const { flowIds } = trace.readSequence();
    const keys = flowKeys(trace.flows);
    // Geometric sampling draws from each CPU's own stream: the model must be told the lane's core.
    const cases: [string, number][] = [['nitro-final', 1 / 16], ['nitro-sliced', 1 / 8], ['countmin', 1], ['countsketch[maps=percpu]', 1]];
    const loaded: { v: LoadedVariant; params: SketchParams }[] = [];
    try {
      for (const [n, p] of cases) {
        const params: SketchParams = { ...defaultParams(), p };
        loaded.push({ v: await LoadedVariant.load(resolveVariant(n), params), params });
      }
      for (let i = 0; i < loaded.length; i += 2) {
        const pair = [[replay, loaded[i]], [second, loaded[i + 1]]] as const;
        const runs = await Promise.all(pair.map(async ([r, { v }], lane) => {
          v.reset(5);
          r.setTarget(v.progFd);
          return r.runInKernelOn(lanes[lane]);
        }));
        for (const [lane, [r, { v, params }]] of pair.entries()) {
          assert.deepEqual([runs[lane].packets, runs[lane].bad, v.stats().packets], [r.total, 0, r.total], v.variant.name);
          const cpuOf = new Uint8Array(flowIds.length).fill(lanes[lane].cpu);
          const model = simulateFromCells(v.variant, params, flowCells(v.variant, params, keys), flowIds, { samplingSeed: 5, cpuOf });
          assert.deepEqual(v.readSketch(), Array.from(model), `${v.variant.name} on CPU ${lanes[lane].cpu}: kernel and model counters differ`);
        }
      }
    } finally {
      for (const { v } of loaded) v.close();
      await Promise.all(lanes.map((l) => l.close()));
      replay.close();
      second.close();
    }
  });
});

kernelTest('coin sampling: kernel estimates are distributed like the model\'s (KS per top flow, Bonferroni), and a wrong p is caught', async () => {
  await withTrace(async (trace, replay) => {
    const variant = resolveVariant('nitro-naive');
    const params: SketchParams = { ...defaultParams(), p: 1 / 4 };
    const keys = flowKeys(trace.flows);
    const cells = flowCells(variant, params, keys);
    const { flowIds } = trace.readSequence();
    const truth = truthOf(trace).packets;
    const track = topK(truth, 20);
    const REPS = 30;
    const v = await LoadedVariant.load(variant, params);
    const kernel: Float64Array[] = [];
    try {
      for (let rep = 0; rep < REPS; rep++) {
        const est = estimateFromCells(variant, params, replayOnce(replay, v, rep), cells);
        kernel.push(Float64Array.from(track, (id) => est[id]));
      }
    } finally {
      v.close();
    }
    const modelReps = (sampleP: number) => Array.from({ length: REPS }, (_, rep) => {
      // Sample at sampleP, estimate as if p: a wrong rate the test must notice.
      const counters = simulateFromCells(variant, { ...params, p: sampleP }, cells, flowIds, { samplingSeed: 1000 + rep });
      const est = estimateFromCells(variant, params, counters, cells);
      return Float64Array.from(track, (id) => est[id]);
    });
    const trackedTruth = Float64Array.from(track, (id) => truth[id]);
    const same = compareEstimateDistributions(kernel, modelReps(params.p), trackedTruth);
    assert.ok(same.consistent, `kernel vs model at the same p: min p ${same.minP} < ${same.threshold} or ARE p ${same.repAre.p}`);
    const wrong = compareEstimateDistributions(kernel, modelReps(params.p * 0.8), trackedTruth);
    assert.equal(wrong.consistent, false, 'a model sampling at 0.8 p must be told apart');
  });
});
