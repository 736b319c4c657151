// Real kernel: builds a testbed, pings across it, checks threaded NAPI with a
// native XDP program, and checks that destroy leaves nothing behind.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { createTestbed } from '../../harness/testbed/testbed.ts';
import { cpuAffinity } from '../../harness/testbed/napi.ts';
import { listObjects } from '../../harness/testbed/leftovers.ts';
import { runId, statePath } from '../../harness/system/run-state.ts';

const isRoot = process.getuid?.() === 0;
// In CI a missing root is a broken runner, not a reason to skip.
const skip = !isRoot && !process.env.CI ? 'needs root: creates network namespaces, veth pairs and XDP attachments' : false;
function requireRoot(): void {
  if (!isRoot) assert.fail('kernel tests must run as root (CI is set, so this is not skipped)');
}

async function netnsNames(): Promise<string[]> {
  return (await execa('ip', ['netns', 'list'])).stdout.split('\n').map((l) => l.split(' ')[0]);
}
async function rootLinkNames(): Promise<string[]> {
  return (JSON.parse((await execa('ip', ['-j', 'link', 'show'])).stdout) as { ifname: string }[]).map((l) => l.ifname);
}

test('a testbed has both namespaces, the veth with addresses and neighbours, answers ping, and destroy leaves nothing', { skip }, async () => {
  requireRoot();
  const tb = await createTestbed({ queues: 2 });
  try {
    assert.ok((await netnsNames()).includes(tb.gen.ns));
    assert.ok((await netnsNames()).includes(tb.dut.ns));
    assert.ok(tb.gen.dev.length <= 15 && tb.dut.dev.length <= 15);
    assert.ok(/^sketchbench-[0-9a-f]{8}-gen$/.test(tb.gen.ns));

    for (const side of [tb.gen, tb.dut]) {
      const [link] = JSON.parse((await execa('ip', ['-n', side.ns, '-j', 'addr', 'show', 'dev', side.dev])).stdout) as
        { ifindex: number; address: string; operstate: string; num_tx_queues?: number; addr_info: { local: string; prefixlen: number }[] }[];
      assert.equal(link.ifindex, side.ifindex);
      assert.equal(link.address, side.mac);
      const addrs = link.addr_info.map((a) => `${a.local}/${a.prefixlen}`);
      assert.ok(addrs.includes(`${side.ipv4}/30`), addrs.join(' '));
      assert.ok(addrs.includes(`${side.ipv6}/64`), addrs.join(' '));
      // No link-local: the testbed must not need ND.
      assert.ok(!addrs.some((a) => a.startsWith('fe80')), addrs.join(' '));
    }
    const neigh = (await tb.run('gen', 'ip', ['neigh', 'show', 'dev', tb.gen.dev])).stdout;
    assert.match(neigh, new RegExp(`${tb.dut.ipv4.replaceAll('.', '\\.')} lladdr ${tb.dut.mac} PERMANENT`));
    assert.match(neigh, new RegExp(`${tb.dut.ipv6} lladdr ${tb.dut.mac} PERMANENT`));
    const q = await tb.run('dut', 'ls', [`/sys/class/net/${tb.dut.dev}/queues`]);
    assert.deepEqual(q.stdout.split('\n').sort(), ['rx-0', 'rx-1', 'tx-0', 'tx-1']);

    const ping4 = await tb.run('gen', 'ping', ['-c', '1', '-W', '1', tb.dut.ipv4], { allowFail: true });
    assert.equal(ping4.exitCode, 0, ping4.stdout + ping4.stderr);
    const ping6 = await tb.run('gen', 'ping', ['-6', '-c', '1', '-W', '1', tb.dut.ipv6], { allowFail: true });
    assert.equal(ping6.exitCode, 0, ping6.stdout + ping6.stderr);

    assert.equal(existsSync(statePath(runId())), true, 'the run state file names the testbed while it exists');
  } finally {
    await tb.destroy();
  }
  await tb.destroy(); // idempotent

  const ns = await netnsNames();
  assert.ok(!ns.includes(tb.gen.ns) && !ns.includes(tb.dut.ns), ns.join(' '));
  const links = await rootLinkNames();
  assert.ok(!links.includes(tb.gen.dev) && !links.includes(tb.dut.dev));
  assert.ok(!readdirSync('/sys/fs/bpf').some((n) => n.startsWith(`sketchbench-${runId()}`)));
  assert.equal(existsSync(statePath(runId())), false, 'state file goes when the run owns nothing');
  assert.deepEqual((await listObjects()).filter((o) => o.testbedId === tb.id), []);
});

test('threaded NAPI: kthreads exist only with native XDP attached, are pinnable, and come back on re-attach', { skip }, async () => {
  requireRoot();
  const dir = mkdtempSync(join(tmpdir(), 'sb-xdp-'));
  const src = join(dir, 'drop.bpf.c');
  const obj = join(dir, 'drop.bpf.o');
  writeFileSync(src, [
    '#include <linux/bpf.h>',
    '__attribute__((section("xdp"), used)) int xdp_drop(struct xdp_md *ctx) { return XDP_DROP; }',
    '__attribute__((section("license"), used)) char _license[] = "GPL";',
  ].join('\n'));
  await execa('clang', ['-O2', '-g', '-target', 'bpf', `-I/usr/include/${process.arch === 'arm64' ? 'aarch64' : 'x86_64'}-linux-gnu`, '-c', src, '-o', obj]);
  const tb = await createTestbed({ queues: 2 });
  try {
    assert.equal((await tb.run('dut', 'cat', [`/sys/class/net/${tb.dut.dev}/threaded`])).stdout.trim(), '1');
    assert.deepEqual(tb.napiThreads(), [], 'no NAPI without XDP or GRO');

    const attach = () => tb.run('dut', 'ip', ['link', 'set', 'dev', tb.dut.dev, 'xdpdrv', 'obj', obj, 'sec', 'xdp']);
    const detach = () => tb.run('dut', 'ip', ['link', 'set', 'dev', tb.dut.dev, 'xdpdrv', 'off']);
    await attach();
    const cpu = 1 % (await import('node:os')).availableParallelism();
    const first = await tb.pinNapi(cpu);
    assert.equal(first.length, 2, 'one kthread per rx queue');
    for (const t of first) assert.equal(await cpuAffinity(t.pid), String(cpu));

    // Frames from the generator are handled in the DUT's kthreads (and dropped by XDP).
    const ping = await tb.run('gen', 'ping', ['-c', '3', '-i', '0.05', '-W', '1', tb.dut.ipv4], { allowFail: true });
    assert.notEqual(ping.exitCode, 0, 'XDP_DROP on the DUT end must eat the pings');

    await detach();
    assert.deepEqual(tb.napiThreads(), [], 'detach removes the kthreads');
    await attach();
    const second = await tb.pinNapi(cpu);
    assert.equal(second.length, 2);
    assert.ok(second.every((t) => !first.some((f) => f.pid === t.pid)), 're-attach makes new kthreads: pin again after each attach');
    await detach();
  } finally {
    await tb.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('withBpfStats sets kernel.bpf_stats_enabled for the call only, also when the call throws', { skip }, async () => {
  requireRoot();
  const { withBpfStats, getSysctl } = await import('../../harness/system/sysctl.ts');
  const before = getSysctl('kernel.bpf_stats_enabled');
  const want = before === '0';
  const seen = await withBpfStats(want, () => getSysctl('kernel.bpf_stats_enabled'));
  assert.equal(seen, want ? '1' : '0');
  assert.equal(getSysctl('kernel.bpf_stats_enabled'), before);
  await assert.rejects(withBpfStats(want, () => { throw new Error('boom'); }), /boom/);
  assert.equal(getSysctl('kernel.bpf_stats_enabled'), before);
  assert.equal(existsSync(statePath(runId())), false, 'the recorded original is dropped once restored');
});
