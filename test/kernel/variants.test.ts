/**
 * Every variant in the real kernel: each build loads at default and largest
 * legal sizes; packets sent with BPF_PROG_TEST_RUN land in exactly the cells
 * the TypeScript model (harness/sketch/cells.ts) computes, for every hash
 * function and layout; NitroSketch at p = 1 is a Count Sketch; geometric
 * sampling follows each CPU's skip stream, sampling before or after parsing;
 * the parser finds the right flow key behind VLAN/QinQ tags, IPv4
 * options, IPv6 extension headers and fragments, and counts what it cannot
 * parse without touching the sketch. Bad sizes never reach the kernel.
 */
import assert from 'node:assert/strict';
import { LoadedVariant } from '../../harness/build/load-variant.ts';
import { geoDraw, geometricTable, geoStart, type GeoState } from '../../harness/build/geometric.ts';
import {
  allCombinations, defaultParams, resolveVariant, validateParams, variantNames,
  type ResolvedVariant, type SketchParams,
} from '../../harness/build/manifest.ts';
import { pinThisThread, unpinThisThread } from '../../harness/kernel/affinity.ts';
import { GEO_TABLE_SIZE, SKETCH_STATS_BYTES } from '../../harness/kernel/layout.ts';
import { cellMapper } from '../../harness/sketch/cells.ts';
import { flowKeyBytes, type FlowTuple } from '../../harness/sketch/hash.ts';
import { SketchbenchError, EXIT_BAD_INPUT } from '../../harness/errors.ts';
import { frame, packetCases, type PacketCase } from '../fixtures/packets.ts';
import { kernelTest, openFds } from './helpers.ts';

const XDP_DROP = 1;
const XDP_PASS = 2;
const cases = packetCases();
const ipCases = cases.filter((c) => c.cls === 'ip');
const badCases = cases.filter((c) => c.cls !== 'ip');

function params(rows: number, columns: number, p = 1): SketchParams {
  return { ...defaultParams(), rows, columns, p };
}

/** Load, run, close: the one cleanup path. */
async function withVariant<T>(v: ResolvedVariant, prm: SketchParams, fn: (lv: LoadedVariant) => T | Promise<T>): Promise<T> {
  const lv = await LoadedVariant.load(v, prm);
  try {
    return await fn(lv);
  } finally {
    lv.close();
  }
}

function send(lv: LoadedVariant, pkts: PacketCase[]): void {
  for (const c of pkts) {
    const r = lv.obj.testRun('sketch_xdp', { data: c.pkt });
    assert.equal(r.retval, XDP_DROP, `${lv.variant.name}: retval for '${c.name}'`);
  }
}

/** Counters after every ip case once: +1 (Count-Min) or +sign (Count Sketch) in each row's cell. */
function modelSketch(v: ResolvedVariant, prm: SketchParams, flows: FlowTuple[]): number[] {
  const cellsOf = cellMapper({ rows: prm.rows, columns: prm.columns, seeds: prm.seeds, hashing: v.hashing });
  const out = new Array<number>(prm.rows * prm.columns).fill(0);
  for (const f of flows) for (const c of cellsOf(flowKeyBytes(f))) out[c.row * prm.columns + c.col] += v.counter === 's32' ? c.sign : 1;
  return out;
}

/** The first differing cell, for a readable failure; the full arrays are compared after. */
function assertSketch(got: number[], want: number[], what: string): void {
  const i = want.findIndex((w, j) => w !== got[j]);
  assert.ok(i < 0, `${what}: cell ${i} is ${got[i]}, the model says ${want[i]}`);
  assert.deepEqual(got, want);
}

function expectedStats(pkts: PacketCase[], rowUpdates: number, v?: ResolvedVariant) {
  return {
    packets: pkts.length,
    // A build that counts packets only (nitro-lean) leaves bytes at 0.
    bytes: v?.defines.includes('STATS_PACKETS_ONLY') ? 0 : pkts.reduce((s, c) => s + c.pkt.length, 0),
    ipPackets: pkts.filter((c) => c.cls === 'ip').length,
    nonIp: pkts.filter((c) => c.cls === 'non_ip').length,
    truncated: pkts.filter((c) => c.cls === 'truncated').length,
    rowUpdates,
  };
}

/** Largest legal sketch of a build: its most rows, then the most columns that fit (layout=struct caps rows x columns). */
function largest(v: ResolvedVariant): SketchParams {
  const rows = v.limits.maxRows;
  let columns = 2 ** v.limits.maxColumnsLog2;
  while (v.limits.maxCells !== undefined && rows * columns > v.limits.maxCells) columns /= 2;
  return params(rows, columns, defaultParams().p);
}

const sampleFirst = (v: ResolvedVariant): boolean => v.switches.order === 'sample-first';

/**
 * Named variants and every switch combination, one per distinct build (a named variant is one of the
 * combinations). UnivMon's layers and key lists have tests of their own (univmon.test.ts).
 */
function everyBuild(): ResolvedVariant[] {
  const named = variantNames().map((n) => resolveVariant(n)).filter((v) => !v.univmon);
  const combos = ['nitro', 'countmin', 'countsketch'].flatMap(allCombinations);
  const seen = new Set<string>();
  return [...named, ...combos].filter((v) => !seen.has(v.stem) && seen.add(v.stem));
}

kernelTest('every named variant and every switch combination loads with default params and with the largest legal sizes', async () => {
  const builds = everyBuild();
  // 2 baselines + 64 nitro + 16 countmin + 16 countsketch combinations + nitro-lean and nitro-packet (every other named variant is a combination).
  assert.equal(builds.length, 100);
  for (const v of builds) {
    const max = largest(v);
    for (const [what, prm] of [['default', defaultParams()], [`largest ${max.rows}x${max.columns}`, max]] as const) {
      await withVariant(v, prm, (lv) => {
        const m = lv.programMetrics();
        assert.ok(m.verifiedInsns > 0 && m.jitedBytes > 0, `${v.name} (${what}): ${JSON.stringify(m)}`);
        assert.equal(lv.hasSketch, v.counter !== 'none', v.name);
        // The flat map is sized to the params; with layout=struct the sketch is one value of fixed size.
        if (lv.hasSketch && v.layout === 'maps') assert.equal(lv.obj.map('sketch').maxEntries, prm.rows * prm.columns, `${v.name} (${what}): sketch size`);
        if (v.counter !== 'none') assert.equal(lv.readSketch().length, prm.rows * prm.columns, `${v.name} (${what}): cells read back`);
        // It runs, too: one packet goes through and is counted.
        send(lv, [ipCases[0]]);
        const st = lv.stats();
        assert.equal(st.packets, 1, `${v.name} (${what})`);
        // Sampling first, an unsampled packet is never parsed.
        if (v.family !== 'baseline-drop') assert.equal(st.ipPackets, sampleFirst(v) ? Math.min(1, st.rowUpdates) : 1, `${v.name} (${what})`);
      });
    }
  }
  // The named variants are exactly the documented combinations.
  assert.equal(resolveVariant('nitro-unrolled').stem, 'nitro-geometric-percpu-fasthash64-sliced-parse-first-maps');
  assert.equal(resolveVariant('nitro-naive').stem, 'nitro-coin-percpu-xxhash32-parse-first-maps');
  assert.equal(resolveVariant('nitro-final').stem, 'nitro-geometric-percpu-fasthash64-sliced-sample-first-struct');
});

kernelTest('countmin and countsketch: every packet lands in exactly the cells of the TS model (each hash, shared and percpu, each layout)', async () => {
  const flows = ipCases.map((c) => c.flow!);
  for (const v of [...allCombinations('countmin'), ...allCombinations('countsketch')]) {
    // Default shape, a narrow one (many collisions, so adds must accumulate), and the most rows.
    for (const [rows, columns] of [[4, 512], [3, 16], [v.limits.maxRows, 64]]) {
      const prm = params(rows, columns);
      await withVariant(v, prm, (lv) => {
        send(lv, cases);
        const what = `${v.name} ${rows}x${columns}`;
        assertSketch(lv.readSketch(), modelSketch(v, prm, flows), what);
        assert.deepEqual(lv.stats(), expectedStats(cases, rows * ipCases.length), what);
      });
    }
  }
});

kernelTest('NitroSketch with p = 1 updates every row of every packet and equals the Count Sketch model (coin and geometric)', async () => {
  const flows = ipCases.map((c) => c.flow!);
  // nitro-lean: its IPv4 fast path and the full parser behind it must land in the same cells as the model.
  const combos = [...allCombinations('nitro'), resolveVariant('nitro-lean'), resolveVariant('nitro-packet')];
  assert.deepEqual(new Set(combos.map((v) => v.switches.sampling)), new Set(['coin', 'geometric']));
  for (const v of combos) {
    for (const [rows, columns] of [[4, 512], [2, 8], [v.limits.maxRows, 128]]) {
      const prm = params(rows, columns, 1);
      // p = 1 samples every row, so sampling first parses every packet too: the same stats.
      await withVariant(v, prm, (lv) => {
        send(lv, cases);
        const what = `${v.name} ${rows}x${columns} p=1`;
        const st = lv.stats();
        assert.equal(st.rowUpdates, rows * ipCases.length, `${what}: row_updates = rows x packets`);
        assert.deepEqual(st, expectedStats(cases, rows * ipCases.length, v), what);
        assertSketch(lv.readSketch(), modelSketch(v, prm, flows), what);
      });
    }
  }
});

/**
 * The (packet, row) slots form one stream: `skip` slots are passed over
 * before each sampled one, and each sample draws the next skip (geoDraw).
 * A packet without a flow did not parse: sampling first, it still spends its
 * slots; parsing first, it never reaches the sampler.
 */
function skipStreamModel(v: ResolvedVariant, prm: SketchParams, flows: (FlowTuple | null)[], table: ArrayLike<number>, start: GeoState) {
  const cellsOf = cellMapper({ rows: prm.rows, columns: prm.columns, seeds: prm.seeds, hashing: v.hashing });
  const sketch = new Array<number>(prm.rows * prm.columns).fill(0);
  const s = { ...start };
  let updates = 0;
  // nitro-packet (GEO_PACKET): a stream of packets; a sampled packet updates every row.
  const perPacket = v.defines.includes('GEO_PACKET');
  for (const f of flows) {
    if (!f && !sampleFirst(v)) continue;
    if (perPacket) {
      if (s.skip > 0) {
        s.skip--;
        continue;
      }
      const cells = f ? cellsOf(flowKeyBytes(f)) : [];
      for (let r = 0; r < prm.rows && f; r++, updates++) sketch[r * prm.columns + cells[r].col] += cells[r].sign;
      s.skip = geoDraw(table, s);
      continue;
    }
    if (s.skip >= prm.rows) {
      s.skip -= prm.rows;
      continue;
    }
    const cells = f ? cellsOf(flowKeyBytes(f)) : [];
    for (let r = 0; r < prm.rows; r++) {
      if (s.skip === 0) {
        if (f) {
          sketch[r * prm.columns + cells[r].col] += cells[r].sign;
          updates++;
        }
        s.skip = geoDraw(table, s);
      } else {
        s.skip--;
      }
    }
  }
  return { sketch, updates, state: s };
}

/** CPU 0's geometric state, wherever the layout keeps it. */
function readGeo(lv: LoadedVariant): GeoState {
  const [map, at] = lv.variant.layout === 'struct' ? ['meta', SKETCH_STATS_BYTES] : ['geo_state', 0];
  const cpu0 = lv.obj.map(map).lookupPerCpu(Buffer.alloc(4))![0];
  return { skip: cpu0.readUInt32LE(at), rng: cpu0.readUInt32LE(at + 4) };
}

/** Every CPU starts from `state` and draws from `table`. */
function writeGeo(lv: LoadedVariant, table: Uint32Array, state: GeoState): void {
  const m = lv.obj.map(lv.variant.layout === 'struct' ? 'meta' : 'geo_state');
  const one = Buffer.alloc(m.valueSize);
  const at = lv.variant.layout === 'struct' ? SKETCH_STATS_BYTES : 0;
  one.writeUInt32LE(state.skip, at);
  one.writeUInt32LE(state.rng, at + 4);
  if (lv.variant.layout === 'struct') Buffer.from(table.buffer).copy(one, at + 8);
  else lv.obj.map('geo_table').fillArray(Buffer.from(table.buffer));
  m.update(m.u32Key(0), one);
}

kernelTest('geometric sampling reproduces each CPU\'s skip stream, sampling before or after parsing (given table and reset(seed))', async () => {
  const flows: FlowTuple[] = Array.from({ length: 300 }, (_, i) => ({ src: `198.18.${i >> 8}.${i & 255}`, dst: '198.19.0.1', sport: 1000 + i, dport: 53, proto: 17 }));
  // Every 7th packet does not parse: sampling first must spend its slots, parsing first must not.
  const stream: (FlowTuple | null)[] = flows.flatMap((f, i) => (i % 7 === 3 ? [null, f] : [f]));
  const pkts = stream.map((f, i) => (f ? frame(f) : badCases[i % badCases.length].pkt));
  // nitro-lean walks the same stream by sampled slot (GEO_JUMP): the same draws, updates and state after.
  // nitro-packet's stream is one of packets (GEO_PACKET): its own draws, every row of a sampled packet.
  const geometric = [...allCombinations('nitro').filter((v) => v.switches.sampling === 'geometric'), resolveVariant('nitro-lean'), resolveVariant('nitro-packet')];
  assert.equal(geometric.length, 34);
  // Geometric state is per-CPU and test runs execute on the calling CPU: keep them all on CPU 0.
  pinThisThread(0);
  try {
    for (const v of geometric) {
      const prm = params(3, 64, 0.25);
      await withVariant(v, prm, (lv) => {
        const run = (table: ArrayLike<number>, start: GeoState, what: string): void => {
          for (const p of pkts) assert.equal(lv.obj.testRun('sketch_xdp', { data: p }).retval, XDP_DROP);
          const model = skipStreamModel(v, prm, stream, table, start);
          const st = lv.stats();
          assert.equal(st.packets, pkts.length);
          assert.equal(st.rowUpdates, model.updates, `${what}: row_updates`);
          assertSketch(lv.readSketch(), model.sketch, what);
          assert.deepEqual(readGeo(lv), model.state, `${what}: geometric state after the run`);
        };

        // A given table of varied skips 0..6 (some longer than a packet's 3 rows), from a chosen state.
        lv.reset(1);
        const given = Uint32Array.from({ length: GEO_TABLE_SIZE }, (_, i) => (i * 5) % 7);
        writeGeo(lv, given, { skip: 0, rng: 12345 });
        run(given, { skip: 0, rng: 12345 }, `${v.name}: given table`);

        // reset(seed) writes the quantile table and CPU 0's start for that seed.
        lv.reset(7);
        const table = geometricTable(prm.p);
        assert.deepEqual(readGeo(lv), geoStart(table, 7, 0));
        run(table, geoStart(table, 7, 0), `${v.name}: reset(7)`);
      });
    }
  } finally {
    unpinThisThread();
  }
});

kernelTest('truncated and non-IP frames are counted and leave the sketch untouched (every build)', async () => {
  for (const v of everyBuild()) {
    // p = 1: sampling first then parses every packet as well, so every frame is classified.
    await withVariant(v, params(Math.min(4, v.limits.maxRows), 64, 1), (lv) => {
      send(lv, badCases);
      const st = lv.stats();
      if (v.family === 'baseline-drop') {
        // Reads nothing of the packet: counts frames and bytes only.
        assert.deepEqual({ packets: st.packets, bytes: st.bytes }, { packets: badCases.length, bytes: badCases.reduce((s, c) => s + c.pkt.length, 0) });
        return;
      }
      assert.deepEqual(st, expectedStats(badCases, 0, v), v.name);
      assert.ok(lv.readSketch().every((x) => x === 0), `${v.name}: the sketch was touched`);
      if (v.family === 'baseline-parse') assert.equal(lv.obj.map('key_sink').readArraySummed('u64')[0], 0);
    });
  }
});

kernelTest('VLAN, QinQ, IPv4 options, IPv6 extension headers and fragments parse to the right flow key (ports 0 for non-first fragments)', async () => {
  const v = resolveVariant('countmin');
  const prm = params(4, 1 << 12);
  const cellsOf = cellMapper({ rows: prm.rows, columns: prm.columns, seeds: prm.seeds, hashing: v.hashing });
  const touched = (f: FlowTuple): number[] => cellsOf(flowKeyBytes(f)).map((c) => c.row * prm.columns + c.col).sort((a, b) => a - b);
  await withVariant(v, prm, (lv) => {
    const sketch = lv.obj.map('sketch');
    for (const c of ipCases) {
      lv.reset(1);
      send(lv, [c]);
      // Read only the cells the model names: each holds 1, and with exactly `rows` updates of +1
      // (row_updates below) no other cell can have moved.
      const want = touched(c.flow!);
      const got = want.map((i) => sketch.lookupPerCpu(sketch.u32Key(i))!.reduce((s, b) => s + b.readUInt32LE(0), 0));
      assert.deepEqual(got, [1, 1, 1, 1], `'${c.name}': cells of ${JSON.stringify(c.flow)}`);
      assert.deepEqual(lv.stats(), expectedStats([c], prm.rows), c.name);
      if (c.name.includes('non-first fragment')) {
        // The fragment's real ports are not in the key: the header bytes there are payload.
        assert.equal(c.flow!.sport, 0);
        assert.equal(c.flow!.dport, 0);
      }
    }
    const all = lv.readSketch().reduce((s, x) => s + x, 0);
    assert.equal(all, prm.rows, 'after the last case only its own cells are non-zero');
  });

  // baseline-parse folds each key (five u64 words XORed) into key_sink: the same parser, checked word for word.
  await withVariant(resolveVariant('baseline-parse'), defaultParams(), (lv) => {
    send(lv, cases);
    let want = 0n;
    for (const c of ipCases) {
      const k = Buffer.from(flowKeyBytes(c.flow!));
      let w = 0n;
      for (let i = 0; i < 5; i++) w ^= k.readBigUInt64LE(8 * i);
      want = BigInt.asUintN(64, want + w);
    }
    assert.equal(lv.obj.map('key_sink').readU64StructSummed()[0], want);
    assert.deepEqual(lv.stats(), expectedStats(cases, 0));
  });
});

kernelTest('impossible sizes are refused with exit code 2 before anything reaches the kernel', async () => {
  const perRow = resolveVariant('countmin');
  const unrolled = resolveVariant('nitro-unrolled');
  const bad: [ResolvedVariant, Partial<SketchParams>, RegExp][] = [
    [perRow, { columns: 500 }, /columns must be a power of two from 1 to 65536 \(2\^16\), got 500/],
    [perRow, { columns: 1 << 17 }, /columns must be a power of two from 1 to 65536/],
    [unrolled, { columns: 1 << 16 }, /columns must be a power of two from 1 to 32768 \(2\^15\), got 65536/],
    [unrolled, { rows: 5 }, /rows must be an integer from 1 to 4 \(sliced hashing: one 64-bit hash, 16 bits per row\), got 5/],
    [resolveVariant('nitro-final'), { columns: 4096 }, /rows x columns must be at most 8192 .*got 4 x 4096 = 16384/],
    [perRow, { rows: 9 }, /rows must be an integer from 1 to 8, got 9/],
    [perRow, { rows: 0 }, /rows must be an integer from 1 to 8, got 0/],
    [unrolled, { p: 0 }, /p must satisfy 0 < p <= 1 .*got 0$/],
    [unrolled, { p: 1.5 }, /p must satisfy 0 < p <= 1 .*got 1.5$/],
    [resolveVariant('nitro-naive'), { p: Number.NaN }, /got NaN$/],
  ];
  const before = openFds();
  for (const [v, change, message] of bad) {
    const prm = { ...defaultParams(), ...change };
    const check = (err: unknown): boolean => {
      assert.ok(err instanceof SketchbenchError, String(err));
      assert.equal(err.exitCode, EXIT_BAD_INPUT);
      assert.equal(err.phase, 'input');
      assert.match(err.message, message);
      assert.ok(err.message.startsWith(`${v.name}: `) && !err.message.includes('\n'));
      return true;
    };
    assert.throws(() => validateParams(prm, v), check);
    await assert.rejects(LoadedVariant.load(v, prm), check);
  }
  assert.equal(openFds(), before, 'no object was opened');
});
