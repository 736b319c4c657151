// Real kernel: a child process builds a testbed and flips kernel.bpf_stats_enabled,
// then is interrupted. SIGINT/SIGTERM must leave nothing; after SIGKILL,
// cleanLeftovers() must find and remove everything and restore the sysctl.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { execa } from 'execa';
import { cleanLeftovers, findLeftovers } from '../../harness/testbed/leftovers.ts';
import { statePath } from '../../harness/system/run-state.ts';

const isRoot = process.getuid?.() === 0;
const skip = !isRoot && !process.env.CI ? 'needs root: creates network namespaces and changes kernel.bpf_stats_enabled' : false;
function requireRoot(): void {
  if (!isRoot) assert.fail('kernel tests must run as root (CI is set, so this is not skipped)');
}

const root = new URL('../..', import.meta.url).pathname;
const SYSCTL = '/proc/sys/kernel/bpf_stats_enabled';

// The child is inline so the test needs no fixture file; it imports the harness through tsx.
const CHILD = `
import { createTestbed } from './harness/testbed/testbed.ts';
import { setSysctl, getSysctl } from './harness/system/sysctl.ts';
import { runId } from './harness/system/run-state.ts';
const tb = await createTestbed();
const before = getSysctl('kernel.bpf_stats_enabled');
setSysctl('kernel.bpf_stats_enabled', before === '0' ? '1' : '0');
console.log('ready ' + JSON.stringify({ id: tb.id, gen: tb.gen, dut: tb.dut, runId: runId(), before }));
setInterval(() => {}, 1000);
`;

interface Ready { id: string; runId: string; before: string; gen: { ns: string; dev: string }; dut: { ns: string; dev: string } }

async function startChild(): Promise<{ child: ChildProcess; ready: Ready; stderr: () => string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', CHILD], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr!.on('data', (d) => { err += d; });
  let out = '';
  const ready = await new Promise<Ready>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`child not ready in 20 s: ${err}`)), 20_000);
    child.stdout!.on('data', (d) => {
      out += d;
      const m = /^ready (.*)$/m.exec(out);
      if (m) { clearTimeout(timer); resolve(JSON.parse(m[1]) as Ready); }
    });
    child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`child exited ${code} before ready: ${err}`)); });
  });
  return { child, ready, stderr: () => err };
}

async function assertGone(r: Ready): Promise<void> {
  const ns = (await execa('ip', ['netns', 'list'])).stdout;
  assert.ok(!ns.includes(r.gen.ns) && !ns.includes(r.dut.ns), `namespaces left: ${ns}`);
  const links = (await execa('ip', ['-br', 'link'])).stdout;
  assert.ok(!links.includes(r.gen.dev) && !links.includes(r.dut.dev), `links left: ${links}`);
  assert.equal((await execa('cat', [SYSCTL])).stdout.trim(), r.before, 'kernel.bpf_stats_enabled restored');
  assert.equal(existsSync(statePath(r.runId)), false, 'run state file removed');
}

for (const [sig, code] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
  test(`${sig} to a run with a testbed and a changed sysctl leaves nothing behind`, { skip, timeout: 60_000 }, async () => {
    requireRoot();
    const { child, ready } = await startChild();
    assert.notEqual((await execa('cat', [SYSCTL])).stdout.trim(), ready.before, 'child changed the sysctl');
    const exited = once(child, 'exit');
    child.kill(sig);
    const [exitCode] = await exited;
    assert.equal(exitCode, code);
    await assertGone(ready);
  });
}

test('a second SIGINT during cleanup does not cut it short', { skip, timeout: 60_000 }, async () => {
  requireRoot();
  const { child, ready, stderr } = await startChild();
  const exited = once(child, 'exit');
  child.kill('SIGINT');
  // Wait until the child says it is cleaning up, then interrupt it again.
  const deadline = Date.now() + 5000;
  while (!stderr().includes('cleaning up') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
  child.kill('SIGINT');
  const [exitCode] = await exited;
  assert.equal(exitCode, 130);
  assert.match(stderr(), /received again/, 'the second signal arrived while cleaning up');
  await assertGone(ready);
});

test('after SIGKILL, findLeftovers reports the run and cleanLeftovers removes everything and restores the sysctl', { skip, timeout: 60_000 }, async () => {
  requireRoot();
  const { child, ready } = await startChild();
  const exited = once(child, 'exit');
  child.kill('SIGKILL');
  await exited;

  const left = (await findLeftovers()).filter((o) => o.runId === ready.runId);
  const kinds = left.map((o) => `${o.kind}:${o.name}`).sort();
  assert.ok(kinds.includes(`netns:${ready.gen.ns}`) && kinds.includes(`netns:${ready.dut.ns}`), kinds.join(' '));
  assert.ok(kinds.includes('sysctl:kernel.bpf_stats_enabled'), kinds.join(' '));
  assert.ok(left.every((o) => o.owner === 'dead'));

  // Limited to the killed run: other people's runs on this host are not this test's business.
  const report = await cleanLeftovers({ runIds: [ready.runId] });
  assert.deepEqual(report.failed, []);
  await assertGone(ready);
  assert.deepEqual((await findLeftovers()).filter((o) => o.runId === ready.runId), []);
});
