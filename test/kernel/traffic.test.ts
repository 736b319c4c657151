/**
 * The measurement core in the real kernel: the replay delivers exactly the
 * trace (per-flow counts from an exact counting program equal the trace's
 * ground truth), in-kernel and through the veth; and the paired cost method
 * covers the trace exactly once per variant in randomly ordered blocks.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { kernelTest } from './helpers.ts';
import { generateTrace, GEN_DEFAULTS } from '../../harness/trace/gen.ts';
import { openTraceSync, truthOf, type Trace } from '../../harness/trace/format.ts';
import { BpfObject } from '../../harness/kernel/bpf-object.ts';
import { Replay } from '../../harness/traffic/replay.ts';
import { replayInputOf } from '../../harness/traffic/trace-input.ts';
import { XdpLiveGenerator } from '../../harness/traffic/xdp-live.ts';
import { flowCountObject, replayObject } from '../../harness/build/support-objects.ts';
import { flowKeyBytes } from '../../harness/sketch/hash.ts';
import { createTestbed } from '../../harness/testbed/testbed.ts';
import { withNetns } from '../../harness/kernel/netns.ts';
import { LoadedVariant } from '../../harness/build/load-variant.ts';
import { defaultParams, resolveVariant } from '../../harness/build/manifest.ts';
import { costMeasurement } from '../../harness/measure/cost.ts';
import type { MeasureContext } from '../../harness/measure/types.ts';
import type { SliceRow } from '../../harness/types/results.ts';
import { pairedRatios } from '../../harness/analyse/paired.ts';

function makeTrace(dir: string, opts: Partial<typeof GEN_DEFAULTS> = {}): Trace {
  const path = join(dir, 't.trace');
  generateTrace(path, { ...GEN_DEFAULTS, flows: 5000, packets: 200_000, seed: 42, ...opts });
  return openTraceSync(path);
}

/** Per-flow counts of the counting program, keyed by trace flow id. */
function countsByFlow(obj: BpfObject, trace: Trace): Float64Array {
  const m = obj.map('flow_counts');
  const out = new Float64Array(trace.flows.length);
  trace.flows.forEach((f, i) => {
    const copies = m.lookupPerCpu(Buffer.from(flowKeyBytes(f)));
    out[i] = (copies ?? []).reduce((s, b) => s + Number(b.readBigUInt64LE(0)), 0);
  });
  return out;
}

kernelTest('in-kernel replay delivers every packet of the trace exactly once (IPv4 and IPv6, UDP and TCP)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sb-traffic-'));
  const trace = makeTrace(dir, { ipv6Fraction: 0.3, proto: 'mix', size: 'imix' });
  const counter = BpfObject.open(await flowCountObject(), { label: 'flowcount' });
  const replay = Replay.load(await replayObject(), replayInputOf(trace));
  try {
    counter.load();
    replay.setTarget(counter.program('sketch_xdp').fd);
    const r = replay.runInKernel();
    assert.equal(r.packets, trace.header.packetCount);
    assert.equal(r.bad, 0);
    const truth = truthOf(trace);
    const got = countsByFlow(counter, trace);
    assert.deepEqual(Array.from(got), Array.from(truth.packets));
    // Iterating the map finds nothing but the trace's flows.
    assert.equal(counter.map('flow_counts').keys().length, trace.flows.length);
    const stats = counter.map('stats').readU64StructSummed();
    assert.equal(Number(stats[1]), trace.header.byteCount, 'bytes seen equal the trace byte count');
  } finally {
    replay.close();
    counter.close();
    trace.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

kernelTest('xdp-live sends exactly the trace through the veth; the DUT counts what arrived, per flow never more than sent', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sb-traffic-'));
  const trace = makeTrace(dir, { packets: 100_000 });
  const tb = await createTestbed();
  const counter = BpfObject.open(await flowCountObject(), { label: 'flowcount' });
  const replay = Replay.load(await replayObject(), replayInputOf(trace));
  try {
    counter.load();
    withNetns(tb.dut.ns, () => counter.attachXdp('sketch_xdp', tb.dut.ifindex, 'native'));
    await tb.pinNapi(0);
    // Paced far below the DUT's capacity: the veth ring then drops (almost) nothing.
    const gen = new XdpLiveGenerator(replay, { ns: tb.gen.ns, ifindex: tb.gen.ifindex, cpus: [1], ratePps: 50_000 });
    const sent = await gen.sendExactly(trace.header.packetCount);
    assert.equal(sent, trace.header.packetCount, 'the generator claims exactly the trace');
    await new Promise((r) => setTimeout(r, 100));
    const got = countsByFlow(counter, trace);
    const truth = truthOf(trace).packets;
    let total = 0;
    for (let i = 0; i < truth.length; i++) {
      assert.ok(got[i] <= truth[i], `flow ${i}: ${got[i]} received > ${truth[i]} sent`);
      total += got[i];
    }
    assert.ok(total >= 0.9 * trace.header.packetCount, `only ${total} of ${trace.header.packetCount} arrived at 50 kpps`);
  } finally {
    replay.close();
    counter.close();
    await tb.destroy();
    trace.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

kernelTest('cost: paired slices cover the trace exactly once per variant and repetition, every block holds every variant once, orders vary', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sb-traffic-'));
  const trace = makeTrace(dir, { packets: 300_000, flows: 20_000 });
  const variants = await Promise.all(['baseline-drop', 'baseline-parse', 'countmin'].map((n) => LoadedVariant.load(resolveVariant(n), defaultParams())));
  const ctx: MeasureContext = {
    trace, traceName: 't', variants, cpus: { dut: [0], gen: [1], cost: 1 }, durationS: 1, action: 'drop', generator: 'xdp-live', outDir: dir, log: () => {},
  };
  const state = await costMeasurement.setup(ctx);
  try {
    for (const v of variants) await costMeasurement.warmup!(state, v);
    const all: SliceRow[] = [];
    for (let rep = 0; rep < 3; rep++) {
      const { rows, slices } = await costMeasurement.measureRound!(state, variants, rep, 'main');
      all.push(...slices);
      // Every variant saw every packet of the trace once (its own counter says so).
      for (const v of variants) assert.equal(v.stats().packets, trace.header.packetCount, v.variant.name);
      assert.equal(rows.filter((r) => r.metric === 'cost_ns').length, 3);
      assert.equal(rows.filter((r) => r.metric === 'cost_net_ns').length, 3);
      assert.equal(rows.find((r) => r.variant === 'baseline-drop' && r.metric === 'cost_net_ns')!.value, 0);
      for (const v of variants) {
        const mine = slices.filter((x) => x.variant === v.variant.name);
        assert.equal(mine.reduce((n, x) => n + x.packets, 0), trace.header.packetCount, `${v.variant.name} slices add up to the trace`);
        assert.ok(mine.every((x) => Number.isFinite(x.value) && x.value > 0));
      }
      const blocks = new Map<number, SliceRow[]>();
      for (const x of slices) blocks.set(x.block, [...(blocks.get(x.block) ?? []), x]);
      assert.ok(blocks.size >= 2, 'a repetition has several blocks');
      for (const b of blocks.values()) {
        assert.deepEqual(b.map((x) => x.variant).sort(), ['baseline-drop', 'baseline-parse', 'countmin']);
        assert.deepEqual(b.map((x) => x.position).sort(), [0, 1, 2]);
        assert.equal(new Set(b.map((x) => x.packets)).size, 1, 'the variants of a block replay the same packets');
      }
    }
    const orders = new Set<string>();
    for (const rep of [0, 1, 2]) {
      for (const b of new Set(all.filter((x) => x.rep === rep).map((x) => x.block))) {
        orders.add(all.filter((x) => x.rep === rep && x.block === b).sort((p, q) => p.position - q.position).map((x) => x.variant).join(','));
      }
    }
    assert.ok(orders.size >= 3, `block orders are drawn at random (${orders.size} distinct)`);
    const ratios = pairedRatios(all, { reference: 'baseline-drop' });
    assert.deepEqual(ratios.filter((r) => r.metric === 'cost_ns').map((r) => r.variant).sort(), ['baseline-parse', 'countmin']);
    assert.ok(ratios.every((r) => r.n === all.filter((x) => x.variant === 'baseline-drop').length));
  } finally {
    await costMeasurement.teardown(state);
    for (const v of variants) v.close();
    trace.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
