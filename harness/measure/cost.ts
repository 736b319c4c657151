/**
 * cost: in-kernel nanoseconds per packet of a variant over a whole trace.
 *
 * Method: the replay program runs under BPF_PROG_TEST_RUN on one pinned core;
 * each invocation writes the next trace packet into the frame and tail-calls
 * the variant, so packets come from many flows, with no NIC, ring or
 * interrupt in between. Time comes from two bpf_ktime_get_ns() reads, at the
 * first and the last packet of a slice (bench_bpf_timing style).
 *
 * Paired slices: a repetition cuts the trace into slices of about
 * SLICE_TARGET_NS of packets. Block b replays slice b through every variant,
 * one after another in a fresh random order, so the variants of a block see
 * the same packets milliseconds apart: the host's drift (tens to hundreds of
 * milliseconds here) is nearly the same for all of them, and per-block ratios
 * cancel it (analyse/paired.ts). Blocks are mirrored: the slice's first half
 * runs in the random order, its second half in the reverse order. Every variant
 * then sits at the middle of the block on average, so drift that is linear
 * over the block's 16 ms cancels too; with one pass in order, the per-block
 * log-ratio of two variants scattered 0.10-0.11 when they ran next to each other
 * and 0.19-0.22 when 7 slices apart (2026-12-07). Over the repetition every
 * variant sees every packet of the trace exactly once, which its own counter
 * must confirm.
 * The method's own cost (frame rewrite, map reads, tail call, drop) is what
 * `baseline-drop` measures; it runs in every block, and cost_net_ns subtracts
 * it within the same repetition.
 */
import type { Measurement, MeasureContext, RoundResult } from './types.ts';
import { rowParams } from './types.ts';
import { blockOrders, sliceRanges } from './blocks.ts';
import { Replay, REPLAY_PROG } from '../traffic/replay.ts';
import { replayInputOf } from '../traffic/trace-input.ts';
import { replayObject } from '../build/support-objects.ts';
import { pinThisThread, unpinThisThread } from '../kernel/affinity.ts';
import type { LoadedVariant } from '../build/load-variant.ts';
import type { Row, SliceRow } from '../types/results.ts';
import { OVERHEAD_VARIANT } from '../types/results.ts';
import { SketchbenchError } from '../errors.ts';
import { holdInXdpDispatcher, type DispatcherHold } from './dispatcher-hold.ts';
import { checkAction } from './expected-action.ts';

/** A slice lasts about this long for the average variant: far shorter than the host's drift, far longer than a syscall. */
export const SLICE_TARGET_NS = 2e6;
/** Fewer packets than this per slice and the two clock reads and cold caches start to show. */
const MIN_SLICE_PACKETS = 8192;
/**
 * Packets at the head of each slice that run untimed: a switch of program
 * leaves its code, maps and branch history cold, and timing that start would
 * pull every ratio toward 1 the more, the shorter the slices.
 */
const WARM_PACKETS = 1024;

export interface CostState {
  ctx: MeasureContext;
  replay: Replay;
  /** ns/packet of each variant's warm-up pass: sizes the slices. */
  warmNs: Map<LoadedVariant, number>;
  /** Packets per slice, fixed at the first repetition of a run. */
  slicePackets?: number;
  hold: DispatcherHold;
}

/** Packets of the untimed warm-up pass: enough to warm code, maps and the flow table, and to size the slices. */
const WARMUP_PACKETS = 500_000;

function warmPass(s: CostState, v: LoadedVariant, seed: number): number {
  const n = Math.min(s.replay.total, WARMUP_PACKETS);
  v.reset(seed);
  pinThisThread(s.ctx.cpus.cost);
  try {
    s.replay.setTarget(v.progFd, 0);
    const r = s.replay.runSlice(0, n, 0, 0);
    checkAction(v, r.lastAction, s.ctx.action, 'cost warm-up');
    checkDelivery(v, r.packets, n, r.bad);
    return r.nsPerPacket;
  } finally {
    unpinThisThread();
  }
}


function checkDelivery(v: LoadedVariant, got: number, want: number, bad: number): void {
  // A program from outside the repository keeps no counters of ours: the replay's own count is the check.
  const seen = v.hasStats ? v.stats().packets : got;
  if (bad > 0 || got !== want || seen !== want) {
    throw new SketchbenchError('measure', `${v.variant.name}: the replay delivered ${seen} of ${want} packets (${bad} failed); cost would not cover the trace`);
  }
}

/** Packets per slice so that the average variant spends about SLICE_TARGET_NS on one. */
export function slicePacketsFor(nsPerPacket: number[], total: number): number {
  const finite = nsPerPacket.filter((x) => Number.isFinite(x) && x > 0);
  const mean = finite.length ? finite.reduce((a, b) => a + b, 0) / finite.length : 100;
  return Math.min(total, Math.max(MIN_SLICE_PACKETS, Math.round(SLICE_TARGET_NS / mean)));
}

export const costMeasurement: Measurement<CostState> = {
  name: 'cost',
  metrics: ['cost_ns', 'cost_net_ns'],
  async setup(ctx) {
    const replay = Replay.load(await replayObject(), replayInputOf(ctx.trace), undefined, ctx.variants.length);
    let hold: DispatcherHold;
    try {
      hold = await holdInXdpDispatcher([{ obj: replay.obj, prog: REPLAY_PROG }]);
    } catch (err) {
      replay.close();
      throw err;
    }
    return { ctx, replay, warmNs: new Map(), hold };
  },
  stepSeconds(kind, plan) {
    // About 150 ns a packet and variant here, replay included (UnivMon's 16 layers the most).
    const packets = kind === 'warmup' ? 2 * Math.min(plan.packets, WARMUP_PACKETS) : plan.variants * plan.packets;
    return packets * 150e-9;
  },
  async warmup(s, v) {
    // Code, maps and the flow table in cache, and the variant's speed for sizing the slices.
    warmPass(s, v, 7);
    s.warmNs.set(v, warmPass(s, v, 7));
  },
  async measureRound(s, variants, rep, phase): Promise<RoundResult> {
    const total = s.replay.total;
    s.slicePackets ??= slicePacketsFor(variants.map((v) => s.warmNs.get(v) ?? NaN), total);
    const ranges = sliceRanges(total, s.slicePackets);
    if (rep === 0) s.ctx.log(`cost: ${ranges.length} blocks of about ${s.slicePackets} packets per repetition, ${variants.length} variants in a random order per block`);
    // Slot i holds variant i for the repetition: a slice only names its slot.
    variants.forEach((v, i) => { v.reset(1000 + rep); s.replay.setTarget(v.progFd, i); });
    const nextOrder = blockOrders(variants.length, 0xc057 + rep);
    const span = new Float64Array(variants.length);
    const intervals = new Float64Array(variants.length);
    const delivered = new Float64Array(variants.length);
    const slices: SliceRow[] = [];
    pinThisThread(s.ctx.cpus.cost);
    try {
      ranges.forEach(([a, b], block) => {
        // A mirrored block: the first half of its packets in a random order, the second half in
        // the reverse order, so every variant sits at the block's middle on average and a drift
        // that is linear over the block cancels from every pair, however far apart in the order.
        const order = nextOrder();
        const mid = a + Math.floor((b - a) / 2);
        const blockSpan = new Float64Array(variants.length);
        const blockIntervals = new Float64Array(variants.length);
        const halves: [number, number, number[]][] = [[a, mid, order], [mid, b, [...order].reverse()]];
        for (const [from, to, halfOrder] of halves) {
          for (const i of halfOrder) {
            const v = variants[i];
            const r = s.replay.runSlice(from, to, WARM_PACKETS, i);
            if (r.bad > 0 || r.packets !== to - from) {
              throw new SketchbenchError('measure', `${v.variant.name}: the replay delivered ${r.packets} of ${to - from} packets of a slice (${r.bad} failed); cost would not cover the trace`);
            }
            checkAction(v, r.lastAction, s.ctx.action, `cost, block ${block}`);
            blockSpan[i] += r.spanNs;
            blockIntervals[i] += r.timedIntervals;
            delivered[i] += r.packets;
          }
        }
        order.forEach((i, position) => {
          const v = variants[i];
          span[i] += blockSpan[i];
          intervals[i] += blockIntervals[i];
          slices.push({ phase, variant: v.variant.name, metric: 'cost_ns', rep, block, position, value: blockSpan[i] / blockIntervals[i], unit: 'ns/packet', packets: b - a, params: rowParams(v) });
        });
      });
    } finally {
      unpinThisThread();
    }
    variants.forEach((v, i) => checkDelivery(v, delivered[i], total, 0));

    const costs = variants.map((_, i) => span[i] / intervals[i]);
    const overheadAt = variants.findIndex((v) => v.variant.name === OVERHEAD_VARIANT);
    const rows: Omit<Row, 'trace'>[] = [];
    variants.forEach((v, i) => {
      const params = rowParams(v);
      rows.push({ variant: v.variant.name, metric: 'cost_ns', rep, value: costs[i], unit: 'ns/packet', params });
      if (overheadAt >= 0) rows.push({ variant: v.variant.name, metric: 'cost_net_ns', rep, value: costs[i] - costs[overheadAt], unit: 'ns/packet', params });
    });
    return { rows, slices };
  },
  async teardown(s) {
    await s.hold.release();
    s.replay.close();
  },
};
