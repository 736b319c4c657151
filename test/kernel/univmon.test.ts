/**
 * UnivMon in the real kernel: every build of univmon and nitro-univmon loads at
 * default and largest sizes; a skewed packet stream lands in exactly the
 * counters of harness/sketch/univmon-model.ts, layer by layer, and leaves
 * exactly the model's key lists (keys, estimates, slot order) with lists small
 * enough that keys are replaced; geometric sampling follows the CPU's skip
 * stream; bad sizes never reach the kernel.
 */
import assert from 'node:assert/strict';
import { LoadedVariant } from '../../harness/build/load-variant.ts';
import { geometricTable, geoStart, type GeoState } from '../../harness/build/geometric.ts';
import { allCombinations, defaultParams, resolveVariant, validateParams, type ResolvedVariant, type SketchParams } from '../../harness/build/manifest.ts';
import { pinThisThread, unpinThisThread } from '../../harness/kernel/affinity.ts';
import { GEO_TABLE_SIZE, SKETCH_STATS_BYTES } from '../../harness/kernel/layout.ts';
import { flowKeys } from '../../harness/sketch/flow-keys.ts';
import { simulateUnivmon, type UnivmonModel, type UnivmonParams } from '../../harness/sketch/univmon-model.ts';
import type { FlowTuple } from '../../harness/sketch/hash.ts';
import { SketchbenchError, EXIT_BAD_INPUT } from '../../harness/errors.ts';
import { frame, packetCases } from '../fixtures/packets.ts';
import { kernelTest, openFds } from './helpers.ts';

const XDP_DROP = 1;
/**
 * Each of these tests loads all 64 builds through the verifier, some twice: about 50 s
 * of kernel time on an idle 2-core VM, far more while other work shares the cores. The
 * limit only guards against a hang; it says nothing about speed.
 */
const LOAD_EVERY_BUILD_MS = 300_000;
const badFrames = packetCases().filter((c) => c.cls !== 'ip').map((c) => c.pkt);

const builds = (): ResolvedVariant[] => [...allCombinations('univmon'), ...allCombinations('nitro-univmon')];

async function withVariant<T>(v: ResolvedVariant, prm: SketchParams, fn: (lv: LoadedVariant) => T | Promise<T>): Promise<T> {
  const lv = await LoadedVariant.load(v, prm);
  try {
    return await fn(lv);
  } finally {
    lv.close();
  }
}

/**
 * 200 flows, flow i sent about 400 / (i + 1) times in an interleaved order, and
 * every 9th packet a frame that does not parse (id -1): heavy keys to find,
 * many light ones to push them, collisions in a narrow sketch.
 */
function skewedStream(): { flows: FlowTuple[]; ids: number[] } {
  const flows: FlowTuple[] = Array.from({ length: 200 }, (_, i) => ({ src: `198.18.${i >> 8}.${i & 255}`, dst: '198.19.0.7', sport: 2000 + i, dport: 443, proto: 6 }));
  const left = flows.map((_, i) => Math.max(1, Math.round(400 / (i + 1))));
  const ids: number[] = [];
  for (let round = 0; left.some((c) => c > 0); round++) {
    for (let i = 0; i < flows.length; i++) {
      if (left[i] > 0) {
        ids.push(i);
        left[i]--;
      }
      if (ids.length % 9 === 4) ids.push(-1);
    }
  }
  return { flows, ids };
}

function sendStream(lv: LoadedVariant, flows: FlowTuple[], ids: number[]): void {
  const frames = flows.map(frame);
  ids.forEach((id, i) => {
    const r = lv.obj.testRun('sketch_xdp', { data: id < 0 ? badFrames[i % badFrames.length] : frames[id] });
    assert.equal(r.retval, XDP_DROP);
  });
}

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

/** Kernel against model: every counter, every layer's list on CPU 0, row updates. */
function assertEqualsModel(lv: LoadedVariant, model: UnivmonModel, keys: Uint8Array, what: string): void {
  const got = lv.readSketch();
  const i = Array.from(model.counters).findIndex((w, k) => w !== got[k]);
  assert.ok(i < 0, `${what}: counter ${i} is ${got[i]}, the model says ${model.counters[i]}`);
  const lists = lv.readHeavy();
  model.lists.forEach((want, j) => {
    const cpu0 = lists[j][0];
    assert.deepEqual(
      cpu0.map((e) => `${hex(e.key)}:${e.est2}:${e.hits}`),
      want.map((e) => `${hex(keys.subarray(40 * e.flow, 40 * e.flow + 40))}:${e.est2}:${e.hits}`),
      `${what}: layer ${j}'s list`,
    );
    for (const other of lists[j].slice(1)) assert.equal(other.length, 0, `${what}: layer ${j} listed keys on a CPU that ran nothing`);
  });
  assert.equal(lv.stats().rowUpdates, model.rowUpdates, `${what}: row_updates`);
}

function params(v: ResolvedVariant, over: Partial<UnivmonParams>): SketchParams & UnivmonParams {
  return validateParams({ ...defaultParams(), ...over }, v) as SketchParams & UnivmonParams;
}

kernelTest('every univmon and nitro-univmon build loads at default sizes and with the most layers, keys and rows; two at the most counters', async () => {
  const all = builds();
  assert.equal(all.length, 2 * 4 + 2 * 2 * 4 * 2 * 2);
  // The verifier's work grows with layers, keys and rows, not with columns; the counter
  // array's size is a map's, the same for every build (and 64 MiB to clear on 2 CPUs).
  const biggest = new Set(['univmon', 'nitro-univmon-naive'].map((n) => resolveVariant(n).stem));
  assert.equal(all.filter((v) => biggest.has(v.stem)).length, 2);
  for (const v of all) {
    const columns = Math.min(2 ** v.limits.maxColumnsLog2, v.limits.maxSketchCells! / (32 * 4));
    const most = [params(v, { layers: 32, topk: 32, rows: 4, columns: 64 }), ...(biggest.has(v.stem) ? [params(v, { layers: 32, topk: 32, rows: 4, columns })] : [])];
    for (const prm of [params(v, {}), ...most]) {
      await withVariant(v, prm, (lv) => {
        assert.ok(lv.programMetrics().verifiedInsns > 0);
        assert.equal(lv.obj.map('sketch').maxEntries, prm.layers * prm.rows * prm.columns, v.name);
        assert.equal(lv.readHeavy().length, prm.layers);
      });
    }
  }
}, { timeout: LOAD_EVERY_BUILD_MS });

kernelTest('p = 1: counters and key lists equal the model for every build (layers, rows, columns, list sizes that force replacements)', async () => {
  const { flows, ids } = skewedStream();
  const keys = flowKeys(flows);
  pinThisThread(0);
  try {
    for (const v of builds()) {
      for (const shape of [{ layers: 6, topk: 5, rows: 3, columns: 16 }, { layers: 16, topk: 16, rows: 4, columns: 64 }, { layers: 3, topk: 1, rows: 2, columns: 8 }]) {
        const prm = params(v, { ...shape, p: 1 });
        await withVariant(v, prm, (lv) => {
          sendStream(lv, flows, ids);
          const model = simulateUnivmon(v, prm, keys, ids);
          // The stream reaches past layer 0 and fills lists beyond their size, or the test shows little.
          assert.ok(model.lists[2].length > 0 && model.lists[0].length === shape.topk, 'the stream fills the lists');
          assertEqualsModel(lv, model, keys, `${v.name} ${JSON.stringify(shape)}`);
          // Every frame counted; the ones that do not parse classified and kept out of the sketch (the model above).
          const st = lv.stats();
          const bad = ids.filter((id) => id < 0).length;
          assert.deepEqual([st.packets, st.ipPackets, st.nonIp + st.truncated], [ids.length, ids.length - bad, bad], v.name);
          assert.ok(st.nonIp > 0 && st.truncated > 0);
        });
      }
    }
  } finally {
    unpinThisThread();
  }
}, { timeout: LOAD_EVERY_BUILD_MS });

/** CPU 0's geometric state, and writing one (table and state) for every CPU, wherever the layout keeps them. */
function readGeo(lv: LoadedVariant): GeoState {
  const [map, at] = lv.variant.layout === 'struct' ? ['meta', SKETCH_STATS_BYTES] : ['geo_state', 0];
  const b = lv.obj.map(map).lookupPerCpu(Buffer.alloc(4))![0];
  return { skip: b.readUInt32LE(at), rng: b.readUInt32LE(at + 4) };
}

function writeGeo(lv: LoadedVariant, table: Uint32Array, s: GeoState): void {
  const m = lv.obj.map(lv.variant.layout === 'struct' ? 'meta' : 'geo_state');
  const one = Buffer.alloc(m.valueSize);
  const at = lv.variant.layout === 'struct' ? SKETCH_STATS_BYTES : 0;
  one.writeUInt32LE(s.skip, at);
  one.writeUInt32LE(s.rng, at + 4);
  if (lv.variant.layout === 'struct') Buffer.from(table.buffer).copy(one, at + 8);
  else lv.obj.map('geo_table').fillArray(Buffer.from(table.buffer));
  m.update(m.u32Key(0), one);
}

kernelTest('nitro-univmon, geometric sampling: counters, lists and the skip stream equal the model (given table, and reset(seed))', async () => {
  const { flows, ids } = skewedStream();
  const keys = flowKeys(flows);
  const geometric = allCombinations('nitro-univmon').filter((v) => v.switches.sampling === 'geometric');
  assert.equal(geometric.length, 32);
  pinThisThread(0);
  try {
    for (const v of geometric) {
      const prm = params(v, { layers: 8, topk: 6, rows: 3, columns: 32, p: 0.25 });
      await withVariant(v, prm, (lv) => {
        const given = Uint32Array.from({ length: GEO_TABLE_SIZE }, (_, i) => (i * 5) % 7);
        const start = { skip: 0, rng: 12345 };
        lv.reset(1);
        writeGeo(lv, given, start);
        sendStream(lv, flows, ids);
        let model = simulateUnivmon(v, prm, keys, ids, { geoTable: given, geoState: start });
        assert.ok(model.rowUpdates > 0 && model.rowUpdates < prm.rows * ids.length, 'some rows sampled, not all');
        assertEqualsModel(lv, model, keys, `${v.name}: given table`);
        assert.deepEqual(readGeo(lv), model.geo);

        lv.reset(7);
        assert.deepEqual(readGeo(lv), geoStart(geometricTable(prm.p), 7, 0), 'reset(7) puts CPU 0 where the model starts');
        sendStream(lv, flows, ids);
        model = simulateUnivmon(v, prm, keys, ids, { samplingSeed: 7 });
        assertEqualsModel(lv, model, keys, `${v.name}: reset(7)`);
        assert.deepEqual(readGeo(lv), model.geo);
      });
    }
  } finally {
    unpinThisThread();
  }
}, { timeout: LOAD_EVERY_BUILD_MS });

kernelTest('impossible UnivMon sizes are refused with exit code 2 before anything reaches the kernel', async () => {
  const um = resolveVariant('univmon');
  const nitro = resolveVariant('nitro-univmon-naive');
  const bad: [ResolvedVariant, Partial<SketchParams>, RegExp][] = [
    [um, { layers: 0 }, /layers must be an integer from 1 to 32 \(the level hash has 32 bits\), got 0/],
    [um, { layers: 33 }, /layers must be an integer from 1 to 32 .*got 33/],
    [um, { layers: 2.5 }, /layers must be an integer .*got 2.5/],
    [um, { topk: 0 }, /topk \(keys listed per layer\) must be an integer from 1 to 32, got 0/],
    [um, { topk: 33 }, /topk .* got 33/],
    [um, { rows: 5 }, /rows must be an integer from 1 to 4/],
    [um, { columns: 1 << 16 }, /columns must be a power of two from 1 to 32768/],
    [nitro, { layers: 32, columns: 1 << 15 }, /layers x rows x columns must be at most 2097152 .*got 32 x 4 x 32768 = 4194304/],
  ];
  const before = openFds();
  for (const [v, change, message] of bad) {
    const prm = { ...defaultParams(), ...change };
    const check = (err: unknown): boolean => {
      assert.ok(err instanceof SketchbenchError, String(err));
      assert.equal(err.exitCode, EXIT_BAD_INPUT);
      assert.match(err.message, message);
      assert.ok(err.message.startsWith(`${v.name}: `) && !err.message.includes('\n'));
      return true;
    };
    assert.throws(() => validateParams(prm, v), check);
    await assert.rejects(LoadedVariant.load(v, prm), check);
  }
  assert.equal(openFds(), before, 'no object was opened');
});
