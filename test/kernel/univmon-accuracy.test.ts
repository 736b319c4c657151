/**
 * UnivMon after a real replay of a trace (IPv4 and IPv6, TCP and UDP): the kernel's
 * counters and key lists equal the model's, and the statistics and heavy hitters
 * read back from the kernel are the model's numbers exactly.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { kernelTest } from './helpers.ts';
import { generateTrace, GEN_DEFAULTS } from '../../harness/trace/gen.ts';
import { openTraceSync, truthOf } from '../../harness/trace/format.ts';
import { Replay } from '../../harness/traffic/replay.ts';
import { replayInputOf } from '../../harness/traffic/trace-input.ts';
import { replayObject } from '../../harness/build/support-objects.ts';
import { LoadedVariant } from '../../harness/build/load-variant.ts';
import { geometricTable, geoStart } from '../../harness/build/geometric.ts';
import { defaultParams, resolveVariant } from '../../harness/build/manifest.ts';
import { pinThisThread, unpinThisThread } from '../../harness/kernel/affinity.ts';
import { flowKeys } from '../../harness/sketch/flow-keys.ts';
import { simulateUnivmon, type UnivmonParams } from '../../harness/sketch/univmon-model.ts';
import { univmonCandidates } from '../../harness/sketch/univmon-estimate.ts';
import { keyIndex, univmonMetrics } from '../../harness/sketch/univmon-accuracy.ts';

const CPU = 1;

kernelTest('after a replay, UnivMon\'s counters, key lists and every metric equal the model\'s (univmon, nitro-univmon at p = 1/16)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sb-um-acc-'));
  const path = join(dir, 't.trace');
  generateTrace(path, { ...GEN_DEFAULTS, flows: 5000, packets: 50_000, seed: 11, ipv6Fraction: 0.25, proto: 'mix' });
  const trace = openTraceSync(path);
  const replay = Replay.load(await replayObject(), replayInputOf(trace));
  try {
    const { flowIds } = trace.readSequence();
    const keys = flowKeys(trace.flows);
    const index = keyIndex(keys);
    const truth = truthOf(trace).packets;
    for (const [name, p] of [['univmon', 1], ['nitro-univmon-final', 1 / 16], ['nitro-univmon-geo', 1 / 16]] as const) {
      const variant = resolveVariant(name);
      const params = { ...defaultParams(), p, layers: 12, topk: 8 } as UnivmonParams & ReturnType<typeof defaultParams>;
      const v = await LoadedVariant.load(variant, params);
      try {
        v.reset(5);
        replay.setTarget(v.progFd);
        pinThisThread(CPU);
        try {
          assert.equal(replay.runInKernel().bad, 0);
        } finally {
          unpinThisThread();
        }
        assert.equal(v.stats().packets, replay.total);
        // The replay ran on CPU 1: its geometric stream and its lists.
        const model = simulateUnivmon(variant, params, keys, flowIds, { geoState: geoStart(geometricTable(p), 5, CPU) });
        const counters = v.readSketch();
        assert.deepEqual(counters, Array.from(model.counters), `${name}: counters`);
        const lists = v.readHeavy();
        const hex = (k: Uint8Array) => Buffer.from(k).toString('hex');
        model.lists.forEach((want, j) => assert.deepEqual(
          lists[j][CPU].map((e) => `${hex(e.key)}:${e.est2}:${e.hits}`),
          want.map((e) => `${hex(keys.subarray(40 * e.flow, 40 * e.flow + 40))}:${e.est2}:${e.hits}`), `${name}: layer ${j}'s list`));

        const fromKernel = univmonMetrics(truth, univmonCandidates(variant, params, counters, lists), index, v.stats().packets);
        const modelLists = model.lists.map((l) => [[], l.map((e) => ({ key: keys.subarray(40 * e.flow, 40 * e.flow + 40), est2: e.est2, hits: e.hits }))]);
        const fromModel = univmonMetrics(truth, univmonCandidates(variant, params, model.counters, modelLists), index, flowIds.length);
        assert.deepEqual(fromKernel, fromModel, name);
        assert.ok(Object.values(fromKernel).every(Number.isFinite), JSON.stringify(fromKernel));
      } finally {
        v.close();
      }
    }
  } finally {
    replay.close();
    trace.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
