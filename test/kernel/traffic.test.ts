/**
 * The measurement core in the real kernel: the replay delivers exactly the
 * trace (per-flow counts from an exact counting program equal the trace's
 * ground truth), in-kernel and through the veth; and the cost method orders
 * the baselines as it must.
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
import { median } from 'simple-statistics';

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

kernelTest('cost: baseline-drop < baseline-parse < countmin, and the method is linear', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sb-traffic-'));
  const trace = makeTrace(dir, { packets: 2_000_000, flows: 20_000 });
  const variants = await Promise.all(['baseline-drop', 'baseline-parse', 'countmin'].map((n) => LoadedVariant.load(resolveVariant(n), defaultParams())));
  const lines: string[] = [];
  const ctx: MeasureContext = {
    trace, traceName: 't', variants, cpus: { dut: 0, gen: [1], cost: 1 }, durationS: 1, outDir: dir, log: (l) => lines.push(l),
  };
  const state = await costMeasurement.setup(ctx);
  try {
    for (const v of variants) await costMeasurement.warmup!(state, v);
    const costs: Record<string, number[]> = {};
    for (let rep = 0; rep < 5; rep++) {
      for (const v of variants) {
        const rows = await costMeasurement.measure(state, v, rep);
        (costs[v.variant.name] ??= []).push(rows.find((r) => r.metric === 'cost_ns')!.value);
      }
    }
    const [drop, parse, cm] = ['baseline-drop', 'baseline-parse', 'countmin'].map((n) => median(costs[n]));
    assert.ok(drop < parse, `baseline-drop ${drop} ns < baseline-parse ${parse} ns`);
    assert.ok(parse < cm, `baseline-parse ${parse} ns < countmin ${cm} ns`);
    for (const [name, ratio] of Object.entries(state.linearity)) {
      assert.ok(Math.abs(ratio - 1) <= 0.05, `${name}: 2N packets took ${(ratio * 200).toFixed(1)}% of N's time, not 200% +- 10% (5% per N)`);
    }
    assert.equal(Object.keys(state.linearity).length, 3);
  } finally {
    await costMeasurement.teardown(state);
    for (const v of variants) v.close();
    trace.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
