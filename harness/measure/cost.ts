/**
 * cost: in-kernel nanoseconds per packet of a variant over a whole trace.
 *
 * Method: the replay program runs under BPF_PROG_TEST_RUN on one pinned core;
 * each invocation writes the next trace packet into the frame and tail-calls
 * the variant, so every packet of the trace is processed exactly once, from
 * many flows, with no NIC, ring or interrupt in between. Time comes from two
 * bpf_ktime_get_ns() reads, at the first and the last packet (bench_bpf_timing
 * style), not from the kernel's integer per-repeat average.
 * The method's own cost (frame rewrite, map reads, tail call, drop) is what
 * `baseline-drop` measures; it is always measured, and cost_net_ns subtracts it
 * within the same repetition round. Linearity (2N packets take 2x N within 5%)
 * is checked at warm-up.
 */
import type { Measurement, MeasureContext } from './types.ts';
import { rowParams } from './types.ts';
import { Replay } from '../traffic/replay.ts';
import { replayInputOf } from '../traffic/trace-input.ts';
import { replayObject } from '../build/support-objects.ts';
import { pinThisThread, unpinThisThread } from '../kernel/affinity.ts';
import type { LoadedVariant } from '../build/load-variant.ts';
import { SketchbenchError } from '../errors.ts';

export const LINEARITY_TOLERANCE = 0.05;

export interface CostState {
  ctx: MeasureContext;
  replay: Replay;
  /** Latest baseline-drop cost of the current round, for cost_net_ns. */
  overheadNs?: number;
  /** T(N) / T(N/2) relative to proportional, per variant (1 = linear). */
  linearity: Record<string, number>;
}

function runOnce(s: CostState, v: LoadedVariant, seed: number, packets: number): number {
  v.reset(seed);
  s.replay.setTarget(v.progFd);
  pinThisThread(s.ctx.cpus.cost);
  let r;
  try {
    r = s.replay.runInKernel(packets);
  } finally {
    unpinThisThread();
  }
  const seen = v.stats().packets;
  if (r.bad > 0 || seen !== packets) {
    throw new SketchbenchError('measure', `${v.variant.name}: the replay delivered ${seen} of ${packets} packets (${r.bad} failed); cost would not cover the trace`);
  }
  return r.nsPerPacket;
}

export const costMeasurement: Measurement<CostState> = {
  name: 'cost',
  metrics: ['cost_ns', 'cost_net_ns'],
  async setup(ctx) {
    const replay = Replay.load(await replayObject(), replayInputOf(ctx.trace));
    return { ctx, replay, linearity: {} };
  },
  async warmup(s, v) {
    // Half the trace, then all of it, three times each (the minimum is the run
    // least disturbed by anything else on the core): per-packet time must not
    // depend on how many packets a run has.
    const total = s.replay.total;
    const half = Math.floor(total / 2);
    runOnce(s, v, 7, half);
    let tHalf = Infinity;
    let tFull = Infinity;
    for (let i = 0; i < 3; i++) {
      tHalf = Math.min(tHalf, runOnce(s, v, 7, half) * (half - 1));
      tFull = Math.min(tFull, runOnce(s, v, 7, total) * (total - 1));
    }
    const ratio = tFull / tHalf / ((total - 1) / (half - 1));
    s.linearity[v.variant.name] = ratio;
    const ok = Math.abs(ratio - 1) <= LINEARITY_TOLERANCE;
    s.ctx.log(`cost linearity ${v.variant.name}: T(${total}) / T(${half}) is ${(ratio * 100).toFixed(1)}% of proportional${ok ? '' : ' (outside 5%: cost numbers for this variant are suspect)'}`);
  },
  async measure(s, v, rep) {
    const ns = runOnce(s, v, 1000 + rep, s.replay.total);
    const params = rowParams(v);
    if (v.variant.name === 'baseline-drop') s.overheadNs = ns;
    const rows = [{ variant: v.variant.name, metric: 'cost_ns', rep, value: ns, unit: 'ns/packet', params }];
    if (s.overheadNs !== undefined) {
      rows.push({ variant: v.variant.name, metric: 'cost_net_ns', rep, value: ns - s.overheadNs, unit: 'ns/packet', params });
    }
    return rows;
  },
  async teardown(s) {
    s.replay.close();
  },
};
