/**
 * The kernel/user contract is read from each object's BTF at open: the real objects
 * match their TypeScript mirrors field for field, and a struct with two fields
 * swapped fails with a load error naming the field. Opening parses the object in
 * user space only; nothing reaches the kernel.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BpfObject } from '../../harness/kernel/bpf-object.ts';
import { SKETCH_CFG_CONTRACT, SKETCH_STATS_CONTRACT } from '../../harness/kernel/layout.ts';
import { REPLAY_CONTRACTS } from '../../harness/traffic/replay-maps.ts';
import { compileVariant } from '../../harness/build/compile.ts';
import { resolveVariant } from '../../harness/build/manifest.ts';
import { replayObject } from '../../harness/build/support-objects.ts';
import { compileFixture } from '../kernel/helpers.ts';

function layoutsOf(path: string, structs: string[]) {
  const o = BpfObject.open(path);
  try {
    return structs.map((s) => o.structLayout(s));
  } finally {
    o.close();
  }
}

test('the real objects describe every contracted struct, and match it', async () => {
  const nitro = (await compileVariant(resolveVariant('nitro-unrolled'))).objectPath;
  const [cfg, stats] = layoutsOf(nitro, ['sketch_cfg', 'sketch_stats']);
  assert.ok(cfg && stats, 'the structs are in the BTF, so the check is not skipped');
  assert.equal(cfg.fields.get('seeds')!.offset, 32);
  assert.equal(stats.size, 48);
  BpfObject.open(nitro, { contracts: [SKETCH_CFG_CONTRACT, SKETCH_STATS_CONTRACT] }).close();
  const replay = await replayObject();
  assert.ok(layoutsOf(replay, REPLAY_CONTRACTS.map((c) => c.struct)).every(Boolean));
  BpfObject.open(replay, { contracts: REPLAY_CONTRACTS }).close();
});

test('a reordered field is a one-line load error that names it', () => {
  const obj = compileFixture('reordered_cfg');
  assert.throws(() => BpfObject.open(obj, { label: 'reordered', contracts: [SKETCH_CFG_CONTRACT] }),
    /^SketchbenchError: reordered: struct sketch_cfg field 'cols_mask' is 4 bytes at offset 8 in the object's BTF, but harness\/kernel\/layout.ts assumes 4 at 4/);
});
