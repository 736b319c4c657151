/**
 * The libbpf loader against the real kernel: fds are released over many
 * load/close and attach/detach cycles, verifier rejections come back as one
 * readable error with the log tail, per-CPU values merge, program info is
 * read, and live frames really leave through a veth.
 */
import assert from 'node:assert/strict';
import { BpfObject } from '../../harness/kernel/bpf-object.ts';
import { withNetns } from '../../harness/kernel/netns.ts';
import { pinThisThread, unpinThisThread } from '../../harness/kernel/affinity.ts';
import { encodeSketchCfg, SKETCH_CFG_BYTES } from '../../harness/kernel/layout.ts';
import { compileVariant } from '../../harness/build/compile.ts';
import { defaultParams, resolveVariant } from '../../harness/build/manifest.ts';
import { createTestbed } from '../../harness/testbed/testbed.ts';
import { SketchbenchError } from '../../harness/errors.ts';
import { cpus } from 'node:os';
import { compileFixture, fdTargets, kernelTest, openFds, waitFor } from './helpers.ts';

const params = defaultParams();
const rodata = encodeSketchCfg({ rows: params.rows, columns: params.columns, p: 1, seeds: [...params.seeds], action: 'drop' });

function assertNoLeak(before: number, what: string): void {
  const after = openFds();
  assert.equal(after, before, `${what}: ${after - before} fd(s) leaked; open now: ${fdTargets().join(', ')}`);
}

kernelTest('100 open/load/close cycles of a variant object leak no fd', async () => {
  const v = resolveVariant('countmin');
  const { objectPath } = await compileVariant(v);
  const cycle = (): void => {
    const obj = BpfObject.open(objectPath, { rodata, label: v.name, maxEntries: { sketch: 4 * 512 } });
    try {
      obj.load();
      obj.map('stats').readU64StructSummed();
    } finally {
      obj.close();
    }
  };
  cycle(); // first use opens libbpf, koffi and the like once
  const before = openFds();
  for (let i = 0; i < 100; i++) cycle();
  assertNoLeak(before, '100 load cycles');
});

kernelTest('100 XDP attach/detach cycles on a veth in a throwaway netns leak no fd and leave nothing attached', async () => {
  const obj = BpfObject.open(compileFixture('count'), { label: 'count fixture' });
  const tb = await createTestbed({ threadedNapi: false });
  try {
    obj.load();
    const cycle = (mode: 'native' | 'generic'): void => withNetns(tb.dut.ns, () => obj.attachXdp('count_drop', tb.dut.ifindex, mode).detach());
    cycle('native');
    const before = openFds();
    for (let i = 0; i < 100; i++) cycle(i % 2 ? 'generic' : 'native');
    assertNoLeak(before, '100 attach/detach cycles');
    const link = (await tb.run('dut', 'ip', ['-j', 'link', 'show', 'dev', tb.dut.dev])).stdout;
    assert.ok(!/"xdp"/.test(link), `an XDP program is still attached: ${link}`);
  } finally {
    obj.close();
    await tb.destroy();
  }
});

kernelTest('a program the verifier rejects: one-line message with the reason, log tail in detail, nothing leaks', () => {
  const path = compileFixture('reject');
  const attempt = (): unknown => {
    const obj = BpfObject.open(path, { label: 'reject fixture' });
    try {
      obj.load();
      return undefined;
    } catch (err) {
      return err;
    } finally {
      obj.close();
    }
  };
  attempt();
  const before = openFds();
  let err: unknown;
  for (let i = 0; i < 20; i++) err = attempt();
  assertNoLeak(before, '20 rejected loads');
  assert.ok(err instanceof SketchbenchError, `expected a SketchbenchError, got ${String(err)}`);
  assert.equal(err.phase, 'load');
  assert.equal(err.exitCode, 1);
  assert.ok(!err.message.includes('\n'), `message is one line: ${err.message}`);
  assert.match(err.message, /^reject fixture: the verifier rejected the program \(errno 13\): /);
  // The verifier's own words: an unchecked packet read is "invalid access to packet".
  assert.match(err.message, /invalid access to packet/);
  assert.ok(err.detail, 'detail holds the log tail');
  assert.match(err.detail, /--- verifier log of reject_xdp \(last \d+ of \d+ lines\) ---/);
  assert.match(err.detail, /invalid access to packet/);
  assert.ok(err.detail.split('\n').length <= 26, 'detail is a tail, not the whole log');
});

kernelTest('a .rodata size mismatch is refused at open with one line naming both sizes', async () => {
  const { objectPath } = await compileVariant(resolveVariant('nitro-naive'));
  const before = openFds();
  for (const bytes of [SKETCH_CFG_BYTES - 8, SKETCH_CFG_BYTES + 4]) {
    assert.throws(() => BpfObject.open(objectPath, { rodata: Buffer.alloc(bytes), label: 'nitro-naive' }), (err: unknown) => {
      assert.ok(err instanceof SketchbenchError);
      assert.equal(err.phase, 'load');
      assert.ok(!err.message.includes('\n'));
      assert.equal(err.message, `nitro-naive: .rodata is ${SKETCH_CFG_BYTES} bytes but the config is ${bytes}; variants/include/sketch_kern_user.h and harness/kernel/layout.ts disagree`);
      return true;
    });
  }
  assertNoLeak(before, 'refused opens');
});

kernelTest('per-CPU map values are merged: BPF_PROG_TEST_RUN on two CPUs sums to the repeat count', () => {
  const obj = BpfObject.open(compileFixture('count'), { label: 'count fixture' });
  const nCpus = cpus().length;
  try {
    obj.load();
    const seen = obj.map('seen');
    assert.ok(seen.perCpu);
    const runs = [300, 700];
    runs.forEach((repeat, i) => {
      // Pin so each batch lands in a known CPU's copy (test runs execute on the calling CPU).
      pinThisThread(i % nCpus);
      try {
        assert.equal(obj.testRun('count_drop', { data: Buffer.alloc(64), repeat }).retval, 1 /* XDP_DROP */);
      } finally {
        unpinThisThread();
      }
    });
    const copies = seen.lookupPerCpu(seen.u32Key(0))!.map((b) => Number(b.readBigUInt64LE(0)));
    if (nCpus >= 2) assert.deepEqual(copies.slice(0, 2), runs, 'each CPU kept its own count');
    assert.deepEqual(seen.readArraySummed('u64'), [1000, 0, 0]);
  } finally {
    obj.close();
  }
});

kernelTest('program info: verified instructions, xlated and JIT sizes of a loaded variant', async () => {
  const { objectPath } = await compileVariant(resolveVariant('nitro-unrolled'));
  const obj = BpfObject.open(objectPath, { rodata, label: 'nitro-unrolled', maxEntries: { sketch: 4 * 512 } });
  try {
    obj.load();
    const info = obj.programInfo('sketch_xdp');
    assert.equal(info.name, 'sketch_xdp');
    assert.ok(info.id > 0);
    assert.ok(info.verifiedInsns > 0, `verifiedInsns ${info.verifiedInsns}`);
    assert.ok(info.jitedBytes > 0, `jitedBytes ${info.jitedBytes} (is the JIT on?)`);
    assert.ok(info.xlatedBytes > 0 && info.xlatedBytes % 8 === 0, `xlatedBytes ${info.xlatedBytes}`);
    assert.ok(obj.loadMs > 0);
  } finally {
    obj.close();
  }
});

kernelTest('live frames: BPF_PROG_TEST_RUN in the generator netns delivers exactly N frames to XDP on the peer veth', async () => {
  const N = 200; // below the veth ring (256): one burst cannot overflow it
  const sender = BpfObject.open(compileFixture('count'), { label: 'live sender' });
  const receiver = BpfObject.open(compileFixture('count'), { label: 'live receiver' });
  const tb = await createTestbed({ threadedNapi: false });
  try {
    sender.load();
    receiver.load();
    withNetns(tb.dut.ns, () => receiver.attachXdp('count_marked', tb.dut.ifindex, 'native'));
    // A frame addressed to the DUT end; ctx names the ingress device, which XDP_TX sends back out of.
    const frame = Buffer.alloc(64);
    Buffer.from(tb.dut.mac.split(':').map((h) => parseInt(h, 16))).copy(frame, 0);
    Buffer.from(tb.gen.mac.split(':').map((h) => parseInt(h, 16))).copy(frame, 6);
    frame.writeUInt16BE(0x88b5, 12); // local experimental EtherType: count_marked counts only these
    const ctx = Buffer.alloc(24);
    ctx.writeUInt32LE(frame.length, 4);
    ctx.writeUInt32LE(tb.gen.ifindex, 12);
    const r = withNetns(tb.gen.ns, () => sender.testRun('count_tx', { data: frame, ctx, repeat: N, liveFrames: true }));
    assert.equal(r.retval, 0);
    assert.equal(sender.map('seen').readArraySummed('u64')[1], N, 'the sender ran once per frame');
    const received = await waitFor(() => receiver.map('seen').readArraySummed('u64')[2], N);
    assert.equal(received, N, 'frames seen by the XDP program on the peer veth');
    // Nothing more trickles in afterwards.
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(receiver.map('seen').readArraySummed('u64')[2], N);
  } finally {
    sender.close();
    receiver.close();
    await tb.destroy();
  }
});
