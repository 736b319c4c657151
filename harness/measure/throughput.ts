/**
 * throughput: packets per second the variant sustains on its dedicated core.
 *
 * The variant is attached in native XDP mode to the DUT veth; the veth's NAPI
 * runs in a kthread pinned to the DUT core; the xdp-live generator replays the
 * trace from the other core. The rate is read from the variant's own `stats`
 * counters over a timed window after a short warm-up, so it is what the DUT
 * processed, not what the generator sent. kernel.bpf_stats_enabled is kept off:
 * its per-run accounting moves throughput by up to 20% here.
 *
 * Paired swaps: the generator keeps sending for a whole repetition while the
 * program on the DUT is swapped between the variants (BPF_LINK_UPDATE: atomic,
 * no detach, the NAPI kthread stays where it is pinned) in slices of
 * SLICE_S, one per variant per block in a random order. Per slice: the
 * packets that variant processed, the DUT CPU time and the wall time; ratios
 * come from pairs inside blocks (analyse/paired.ts), rows are the sums over a
 * repetition.
 *
 * When the generator, not the variant, is the bottleneck (the DUT core idles part
 * of the window), throughput_pps is the generator's rate; capacity_pps divides
 * the packets processed by the CPU time the DUT's NAPI kthread really ran
 * (/proc/PID/schedstat), i.e. the rate the core would sustain if never idle.
 *
 * Loss: frames the generator sent that the DUT never processed (veth ring full).
 * With --max-loss X, an RFC 2544-style binary search on the offered rate finds
 * the highest rate whose loss stays at or below X.
 */
import { readFileSync } from 'node:fs';
import type { Measurement, MeasureContext, RoundResult } from './types.ts';
import { rowParams } from './types.ts';
import { blockOrders } from './blocks.ts';
import type { Row, SliceRow } from '../types/results.ts';
import { Replay, REPLAY_PROG } from '../traffic/replay.ts';
import { replayInputOf } from '../traffic/trace-input.ts';
import { generatorDriver, type GeneratorDriver, type TrafficGenerator } from '../traffic/generators/index.ts';
import { exportTrace } from '../trace/export.ts';
import { registerCleanup } from '../cleanup.ts';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { replayObject } from '../build/support-objects.ts';
import { createTestbed, type Testbed } from '../testbed/testbed.ts';
import { openLinkTestbed } from '../testbed/link.ts';
import { SshSession } from '../traffic/generators/remote.ts';
import { badInput } from '../errors.ts';
import { withNetns } from '../kernel/netns.ts';
import { getSysctl, setSysctl } from '../system/sysctl.ts';
import type { LoadedVariant } from '../build/load-variant.ts';
import { EthtoolStats } from '../kernel/ethtool-stats.ts';
import { checkDriverActions, type ActionCounts } from './expected-action.ts';
import { openReceiver, type Receiver } from './receiver.ts';
import type { Action } from '../kernel/layout.ts';
import { holdInXdpDispatcher } from './dispatcher-hold.ts';
import { pinThisThread, unpinThisThread } from '../kernel/affinity.ts';
import { SketchbenchError } from '../errors.ts';

const WARMUP_MS = 300;
/**
 * A throughput slice: long against a NAPI poll and a syscall, short against the
 * host's drift; three scheduler ticks at HZ=250. With CPU time read at its
 * updates, 12 ms slices gave capacity ratios half as wide as 50 ms ones here.
 */
export const SLICE_S = 0.012;
/** After a swap, the previous program's last poll finishes before the window opens. */
const SETTLE_NS = 500_000;
/** Longer than a scheduler tick at HZ=100: a running thread's CPU time moves within it. */
const TICK_WAIT_NS = 11_000_000;
const SEARCH_STEPS = 7;

interface TputState {
  ctx: MeasureContext;
  testbed: Testbed;
  replay: Replay;
  driver: GeneratorDriver;
  /** The run's files for the generator: the trace as pcap, command files. */
  workDir: string;
  pcapPath?: string;
  unregisterWork: () => void;
  /** The generator's host, when it is another one (--gen-host). */
  ssh?: SshSession;
  receiver?: Receiver;
  restoreStats?: () => void;
}

export interface Sample {
  dutPps: number;
  offeredPps: number;
  loss: number;
  seconds: number;
  /** Share of the DUT core its NAPI kthread ran (0..1) during the window. */
  dutBusy: number;
  /** Packets per second of DUT CPU time: what the core would do if it were never idle. */
  capacityPps: number;
  /** Packets per second that reached the receiver of --action tx or redirect. */
  forwardedPps: number;
}

/** CPU time (ns) a thread has run, from /proc/PID/schedstat. */
function cpuTimeNs(pids: number[]): number {
  let sum = 0;
  for (const pid of pids) {
    try {
      sum += Number(readFileSync(`/proc/${pid}/schedstat`, 'utf8').split(' ')[0]);
    } catch {
      // A kthread that is gone ran no more.
    }
  }
  return sum;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The NAPI threads' CPU time at an instant the scheduler brought it up to date,
 * read no earlier than notBefore (hrtime ns). schedstat moves only at a tick
 * (every 4 ms at this kernel's HZ=250) or a context switch, so a plain read is
 * up to a tick stale: +-16% of a 25 ms slice, which was the largest noise in a
 * capacity slice here. Polling until the value moves catches the update within
 * microseconds, when it is exact; a thread that does not move for longer than a
 * tick is not running, and its time is exact already. The poll blocks this
 * thread for at most a tick; the generator runs in its own workers.
 */
function freshCpuTimeNs(pids: number[], notBefore: bigint): { ns: number; at: bigint } {
  while (process.hrtime.bigint() < notBefore) { /* the settle: microseconds, below a timer's resolution */ }
  const first = cpuTimeNs(pids);
  const until = process.hrtime.bigint() + BigInt(TICK_WAIT_NS);
  for (;;) {
    const ns = cpuTimeNs(pids);
    const at = process.hrtime.bigint();
    if (ns !== first || at > until) return { ns, at };
  }
}

/**
 * Packets a variant processed so far: its own `stats` counter, or, for a program
 * that keeps none (one from outside the repository), the DUT driver's count of
 * frames XDP ran on. Both count the same frames; only the first needs the
 * program's help. Deltas over a slice are what the rate is made of. For those
 * programs the driver's per-action counts also say whether each frame went the
 * run's way; `forwarded` is what reached the receiver of tx or redirect.
 */
interface Processed extends ActionCounts { forwarded: number }

interface ProcessedCounter {
  read(v: LoadedVariant): Processed;
  close(): void;
}

function processedCounter(testbed: Testbed, variants: LoadedVariant[], receiver: Receiver | undefined): ProcessedCounter {
  const driver = variants.some((v) => !v.hasStats) ? EthtoolStats.open(testbed.dut.ns, testbed.dut.dev) : undefined;
  if (driver && !driver.names.includes('rx_queue_0_xdp_packets')) {
    driver.close();
    throw new SketchbenchError('measure', `${testbed.dut.dev}'s driver does not count XDP packets per queue (veth does): a program from outside the repository is measured for throughput on the veth testbed`, { exitCode: 2 });
  }
  return {
    read: (v) => {
      const forwarded = receiver?.arrived() ?? 0;
      if (v.hasStats) return { packets: v.stats().packets, drops: 0, tx: 0, txErrors: 0, redirect: 0, forwarded };
      const d = driver!.rxQueueSums(['xdp_packets', 'xdp_drops', 'xdp_tx', 'xdp_tx_errors', 'xdp_redirect'] as const);
      return { packets: d.xdp_packets, drops: d.xdp_drops, tx: d.xdp_tx, txErrors: d.xdp_tx_errors, redirect: d.xdp_redirect, forwarded };
    },
    close: () => driver?.close(),
  };
}

function delta(a: Processed, b: Processed): Processed {
  return {
    packets: b.packets - a.packets, drops: b.drops - a.drops, tx: b.tx - a.tx, txErrors: b.txErrors - a.txErrors,
    redirect: b.redirect - a.redirect, forwarded: b.forwarded - a.forwarded,
  };
}

/** Packets of the trace's head that a replay tool loops over: long enough for every flow of a Zipf head to recur. */
const PCAP_PACKETS = 1_000_000;

function startGenerator(s: TputState, ratePps: number): Promise<TrafficGenerator> {
  const { testbed, ctx } = s;
  return s.driver.start({
    target: { ns: testbed.gen.ns, dev: testbed.gen.dev, ifindex: testbed.gen.ifindex, cpus: ctx.cpus.gen, pcapPath: s.pcapPath, dstMac: testbed.dut.mac, srcMac: testbed.gen.mac, ratePps, remote: s.ssh },
    replay: s.replay, workDir: s.workDir, trace: ctx.trace,
  });
}

/** Attach, pin, send for the window, detach. */
async function sample(s: TputState, v: LoadedVariant, seed: number, ratePps: number, seconds: number): Promise<Sample> {
  const { testbed, ctx } = s;
  v.reset(seed);
  // The counters first: a driver that cannot count for this program refuses before anything is attached.
  const processed = processedCounter(testbed, [v], s.receiver);
  let link;
  try {
    link = withNetns(testbed.dut.ns, () => v.obj.attachXdp(v.progName, testbed.dut.ifindex, 'native'));
    const napi = (await testbed.pinNapi(ctx.cpus.dut)).map((t) => t.pid);
    const gen = await startGenerator(s, ratePps);
    try {
      await sleep(WARMUP_MS);
      const a0 = gen.offered();
      const d0 = processed.read(v);
      const c0 = cpuTimeNs(napi);
      const t0 = process.hrtime.bigint();
      await sleep(seconds * 1000);
      const a1 = gen.offered();
      const d1 = processed.read(v);
      const c1 = cpuTimeNs(napi);
      const t1 = process.hrtime.bigint();
      const d = delta(d0, d1);
      checkDriverActions(v, d, ctx.action, testbed.options.queues);
      return sampleOf({ got: d.packets, forwarded: d.forwarded, sent: a1 - a0, busyNs: c1 - c0, seconds: Number(t1 - t0) / 1e9 });
    } finally {
      await gen.stop();
    }
  } finally {
    processed.close();
    link?.detach();
  }
}

/**
 * Highest offered rate whose loss is at most maxLoss: binary search between the
 * loss floor (a tenth of the unpaced rate) and the unpaced rate. When even the
 * floor loses more than maxLoss, no rate qualifies and that is an error, not a
 * number: on this kind of VM the veth ring (256 frames) overflows whenever the
 * DUT's NAPI kthread is not scheduled for 256/rate seconds, so some loss
 * appears far below the DUT's capacity (see docs/measurement.md).
 */
async function searchRate(s: TputState, v: LoadedVariant, seed: number, maxLoss: number): Promise<{ best: Sample; rate: number }> {
  const seconds = Math.max(0.5, s.ctx.durationS / 2);
  const top = await sample(s, v, seed, 0, seconds);
  if (top.loss <= maxLoss) return { best: top, rate: top.offeredPps };
  const floorRate = top.offeredPps / 10;
  const floor = await sample(s, v, seed, floorRate, seconds);
  if (floor.loss > maxLoss) {
    throw new SketchbenchError('measure', `${v.variant.name}: loss is ${(floor.loss * 100).toFixed(2)}% already at ${(floorRate / 1e6).toFixed(2)} Mpps (a tenth of the offered maximum), above --max-loss ${maxLoss}: this testbed's loss floor; raise --max-loss or drop it to measure saturated throughput`, { exitCode: 2 });
  }
  let lo = floorRate;
  let hi = top.offeredPps;
  let best = floor;
  for (let i = 0; i < SEARCH_STEPS; i++) {
    const rate = (lo + hi) / 2;
    const r = await sample(s, v, seed, rate, seconds);
    if (r.loss <= maxLoss) { lo = rate; best = r; } else { hi = rate; }
  }
  return { best, rate: lo };
}

/** What a window (or a sum of slices) counted: packets processed and sent, DUT CPU time, wall time. */
interface Totals { got: number; sent: number; busyNs: number; seconds: number; forwarded: number }

function sampleOf(t: Totals): Sample {
  const busyS = t.busyNs / 1e9;
  return {
    dutPps: t.got / t.seconds, offeredPps: t.sent / t.seconds, loss: t.sent > 0 ? Math.max(0, 1 - t.got / t.sent) : 0, seconds: t.seconds,
    dutBusy: Math.min(1, busyS / t.seconds), capacityPps: busyS > 0 ? t.got / busyS : 0, forwardedPps: t.forwarded / t.seconds,
  };
}

/**
 * One repetition of all variants with the traffic flowing throughout: blocks of
 * one slice per variant, in a random order, the program swapped in place.
 */
async function pairedRound(s: TputState, variants: LoadedVariant[], rep: number, phase: string): Promise<RoundResult> {
  const { testbed, ctx } = s;
  for (const v of variants) v.reset(2000 + rep);
  const blocks = Math.max(1, Math.round(ctx.durationS / SLICE_S));
  const nextOrder = blockOrders(variants.length, 0x7e57 + rep);
  const totals: Totals[] = variants.map(() => ({ got: 0, sent: 0, busyNs: 0, seconds: 0, forwarded: 0 }));
  const slices: SliceRow[] = [];
  const tStart = Date.now();
  // The counters first: a driver that cannot count for these programs refuses before anything is held or attached.
  const processed = processedCounter(testbed, variants, s.receiver);
  // With several queues, how the traffic spread over them (the driver's per-queue XDP counts).
  let queueStats: EthtoolStats | undefined;
  let hold: Awaited<ReturnType<typeof holdInXdpDispatcher>>;
  try {
    queueStats = testbed.options.queues > 1 ? EthtoolStats.open(testbed.dut.ns, testbed.dut.dev) : undefined;
    // Every variant and the generator's program stay known to the XDP dispatcher: a swap costs microseconds, and the
    // generator's calls follow each other without a gap (dispatcher-hold.ts). The holders are veths of ours: in the
    // testbed's DUT namespace, or, on the user's link, in a namespace of their own.
    hold = await holdInXdpDispatcher([{ obj: s.replay.obj, prog: REPLAY_PROG }, ...variants.map((v) => ({ obj: v.obj, prog: v.progName }))], testbed.kind === 'link' ? undefined : testbed);
  } catch (err) {
    queueStats?.close();
    processed.close();
    throw err;
  }
  const perQueue = (): number[] => {
    if (!queueStats) return [];
    const v = queueStats.read();
    return Array.from({ length: testbed.options.queues }, (_, q) => Number(v.get(`rx_queue_${q}_xdp_packets`) ?? 0n));
  };
  let tSlices = 0;
  let spread = '';
  let link;
  try {
    const queues0 = perQueue();
    link = withNetns(testbed.dut.ns, () => variants[0].obj.attachXdp(variants[0].progName, testbed.dut.ifindex, 'native'));
    const napi = (await testbed.pinNapi(ctx.cpus.dut)).map((t) => t.pid);
    const gen = await startGenerator(s, 0);
    // The CPU-time polls below must not land on the DUT's core.
    pinThisThread(ctx.cpus.gen);
    try {
      await sleep(WARMUP_MS);
      const tFirst = Date.now();
      let last = freshCpuTimeNs(napi, 0n).at;
      for (let block = 0; block < blocks; block++) {
        const order = nextOrder();
        for (let position = 0; position < order.length; position++) {
          const i = order[position];
          const v = variants[i];
          // Swapped right after the previous slice's closing update: the window
          // opens at the next one, a tick later while the DUT is saturated.
          link.update(v.progFd, v.variant.name);
          const c0 = freshCpuTimeNs(napi, last + BigInt(SETTLE_NS));
          const a0 = gen.offered(), d0 = processed.read(v);
          // Timers fire late by a few ms under load; the poll takes the window to its end.
          await sleep(Math.max(0, SLICE_S * 1000 - 7));
          const c1 = freshCpuTimeNs(napi, c0.at + BigInt(Math.round(SLICE_S * 1e9 * 0.8)));
          const a1 = gen.offered(), d1 = processed.read(v);
          last = c1.at;
          const dt = Number(c1.at - c0.at) / 1e9;
          const d = delta(d0, d1);
          checkDriverActions(v, d, ctx.action, testbed.options.queues);
          const got = d.packets;
          const busyNs = c1.ns - c0.ns;
          const t = totals[i];
          t.got += got; t.sent += a1 - a0; t.busyNs += busyNs; t.seconds += dt; t.forwarded += d.forwarded;
          const params = tputParams(v, ctx);
          const base = { phase, variant: v.variant.name, rep, block, position, packets: got, params, unit: 'packets/s' };
          slices.push({ ...base, metric: 'throughput_pps', value: got / dt });
          if (busyNs > 0) slices.push({ ...base, metric: 'capacity_pps', value: got / (busyNs / 1e9) });
        }
      }
      tSlices = Date.now() - tFirst;
    } finally {
      unpinThisThread();
      await gen.stop();
    }
    spread = perQueue().map((x, q) => `${q}: ${x - queues0[q]}`).join(', ');
  } finally {
    queueStats?.close();
    processed.close();
    link?.detach();
    await hold.release();
  }
  const measured = totals.reduce((a, t) => a + t.seconds, 0);
  ctx.log(`throughput rep ${rep}: ${blocks} blocks, ${measured.toFixed(1)} s measured in ${(tSlices / 1000).toFixed(1)} s of slices, ${((Date.now() - tStart) / 1000).toFixed(1)} s in all`);
  if (/: [1-9]/.test(spread)) ctx.log(`throughput rep ${rep}: packets per DUT queue ${spread}`);
  const rows: Omit<Row, 'trace'>[] = [];
  variants.forEach((v, i) => rows.push(...sampleRows(v, rep, tputParams(v, ctx), sampleOf(totals[i]), ctx.action)));
  return { rows, slices };
}

/** A variant's params, and the DUT's core count when it has several (a cell of its own: the scaling figure's x). */
function tputParams(v: LoadedVariant, ctx: MeasureContext): Row['params'] {
  return ctx.cpus.dut.length > 1 || ctx.recordDutCores ? { ...rowParams(v), dutCores: ctx.cpus.dut.length } : rowParams(v);
}

function sampleRows(v: LoadedVariant, rep: number, p: Row['params'], r: Sample, action: Action): Omit<Row, 'trace'>[] {
  const forwarded: Omit<Row, 'trace'>[] = action === 'tx' || action === 'redirect'
    ? [{ variant: v.variant.name, metric: 'forwarded_pps', rep, value: r.forwardedPps, unit: 'packets/s', params: p }] : [];
  return [
    ...forwarded,
    { variant: v.variant.name, metric: 'throughput_pps', rep, value: r.dutPps, unit: 'packets/s', params: p },
    { variant: v.variant.name, metric: 'offered_pps', rep, value: r.offeredPps, unit: 'packets/s', params: p },
    { variant: v.variant.name, metric: 'loss_ratio', rep, value: r.loss, unit: 'ratio', params: p },
    { variant: v.variant.name, metric: 'dut_busy_ratio', rep, value: r.dutBusy, unit: 'ratio', params: p },
    { variant: v.variant.name, metric: 'capacity_pps', rep, value: r.capacityPps, unit: 'packets/s', params: p },
  ];
}

/** --max-loss: a rate search per variant; a search cannot be interleaved, so these rows are unpaired. */
async function searchedRows(s: TputState, v: LoadedVariant, rep: number, maxLoss: number): Promise<Omit<Row, 'trace'>[]> {
  const found = await searchRate(s, v, 2000 + rep, maxLoss);
  return sampleRows(v, rep, { ...tputParams(v, s.ctx), maxLoss, offeredRateSearched: Math.round(found.rate) }, found.best, s.ctx.action);
}

export const throughputMeasurement: Measurement<TputState> = {
  name: 'throughput',
  metrics: ['throughput_pps', 'offered_pps', 'loss_ratio', 'dut_busy_ratio', 'capacity_pps'],
  async setup(ctx) {
    let restoreStats: (() => void) | undefined;
    if (getSysctl('kernel.bpf_stats_enabled') !== '0') restoreStats = setSysctl('kernel.bpf_stats_enabled', 0);
    const driver = generatorDriver(ctx.generator);
    const avail = await driver.available();
    if (!avail.ok) throw new SketchbenchError('traffic', `generator ${driver.name} cannot run here: ${avail.detail}`, { exitCode: 2 });
    const workDir = mkdtempSync(join(tmpdir(), 'sketchbench-gen-'));
    const unregisterWork = registerCleanup(`generator files ${workDir}`, () => rmSync(workDir, { recursive: true, force: true }));
    let pcapPath: string | undefined;
    if (driver.needsPcap) {
      pcapPath = join(workDir, 'trace.pcap');
      const st = await exportTrace(ctx.trace.path, pcapPath, { maxPackets: driver.pcapPackets ?? PCAP_PACKETS });
      ctx.log(`throughput: ${driver.name} replays the trace's first ${st.packets} packets as ${pcapPath}`);
    }
    let ssh: SshSession | undefined;
    if (ctx.link?.genHost) {
      if (driver.name !== 'tcpreplay' && driver.name !== 'dpdk') throw badInput(`--gen-host runs tcpreplay or dpdk on the other host; --generator ${driver.name} runs on this one`);
      ssh = new SshSession({ dest: ctx.link.genHost, sshConfig: ctx.link.sshConfig, fromNs: ctx.link.dut.ns });
    }
    let testbed: Testbed;
    try {
      testbed = ctx.link
        ? await openLinkTestbed(ctx.link.dut, ctx.link.gen, ssh ? (cmd, what) => ssh!.run(cmd, what) : undefined)
        : await createTestbed({ queues: Math.max(ctx.cpus.gen.length, ctx.cpus.dut.length), sink: ctx.action === 'redirect' });
    } catch (err) {
      ssh?.close();
      unregisterWork();
      rmSync(workDir, { recursive: true, force: true });
      throw err;
    }
    const queues = testbed.options.queues;
    let replay: Replay | undefined;
    try {
      replay = Replay.load(await replayObject(), replayInputOf(ctx.trace), { src: macBytes(testbed.gen.mac), dst: macBytes(testbed.dut.mac) });
      const receiver = await openReceiver(testbed, ctx.action, ctx.cpus.gen[0]);
      const shared = ctx.cpus.gen.filter((c) => ctx.cpus.dut.includes(c));
      if (shared.length) ctx.log(`throughput: the generator shares core ${shared.join(',')} with the DUT: rates are lower than on separate cores, capacity (per DUT CPU-second) still compares variants`);
      ctx.log(`throughput testbed ${testbed.gen.ns} -> ${testbed.dut.ns}: ${queues} queue${queues > 1 ? 's' : ''}, DUT NAPI on CPU ${ctx.cpus.dut.join(',')}, generator ${driver.name} (${avail.detail}) on CPU ${ctx.cpus.gen.join(',')}, action ${ctx.action}${receiver ? `, received on CPU ${ctx.cpus.gen[0]}` : ''}`);
      return { ctx, testbed, replay, receiver, restoreStats, driver, workDir, pcapPath, unregisterWork, ssh };
    } catch (err) {
      ssh?.close();
      replay?.close();
      await testbed.destroy();
      restoreStats?.();
      unregisterWork();
      rmSync(workDir, { recursive: true, force: true });
      throw err;
    }
  },
  stepSeconds(_kind, plan) {
    // Every variant's share of durationS in 12 ms slices; swaps, settling and the
    // generator's restarts make a repetition about 2.3x that.
    return plan.variants * plan.durationS * 2.3;
  },
  async measureRound(s, variants, rep, phase) {
    if (s.ctx.maxLoss === undefined) return pairedRound(s, variants, rep, phase);
    const rows: Omit<Row, 'trace'>[] = [];
    for (const v of variants) rows.push(...(await searchedRows(s, v, rep, s.ctx.maxLoss)));
    return { rows, slices: [] };
  },
  async teardown(s) {
    s.ssh?.close();
    s.receiver?.close();
    s.replay.close();
    s.unregisterWork();
    rmSync(s.workDir, { recursive: true, force: true });
    await s.testbed.destroy();
    s.restoreStats?.();
  },
};

function macBytes(mac: string): Uint8Array {
  return Uint8Array.from(mac.split(':').map((h) => parseInt(h, 16)));
}
