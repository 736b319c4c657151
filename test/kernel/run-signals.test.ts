/**
 * A real `sketchbench run` interrupted in the middle of a throughput
 * measurement (testbed up, variant attached, generator threads sending)
 * leaves no namespace, link, XDP attachment, pin or changed sysctl behind.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { execa } from 'execa';
import { kernelTest } from './helpers.ts';
import { generateTrace, GEN_DEFAULTS } from '../../harness/trace/gen.ts';

const root = new URL('../..', import.meta.url).pathname;
const SYSCTL = '/proc/sys/kernel/bpf_stats_enabled';

async function sketchbenchObjects(): Promise<string[]> {
  const ns = (await execa('ip', ['netns', 'list'])).stdout.split('\n').filter((l) => l.startsWith('sketchbench'));
  const links = (await execa('ip', ['-br', 'link'])).stdout.split('\n').filter((l) => /^sb[gdh]/.test(l));
  const xdp = (await execa('bpftool', ['net', 'show'], { reject: false })).stdout.split('\n').filter((l) => /sb[gdh]|sketch_xdp|replay_xdp/.test(l));
  const pins = existsSync('/sys/fs/bpf') ? readdirSync('/sys/fs/bpf').filter((n) => n.startsWith('sketchbench')) : [];
  return [...ns, ...links, ...xdp, ...pins];
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  kernelTest(`${signal} in the middle of a throughput run leaves no kernel state and restores bpf_stats`, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sb-signal-'));
    const trace = join(dir, 't.trace');
    generateTrace(trace, { ...GEN_DEFAULTS, flows: 2000, packets: 100_000 });
    const original = readFileSync(SYSCTL, 'utf8').trim();
    // The run turns bpf_stats off for throughput: start from on, so a restore is visible.
    writeFileSync(SYSCTL, '1');
    try {
      const child = spawn(process.execPath, ['bin/sketchbench.js', 'run', '--trace', trace, '--metrics', 'throughput',
        '--variants', 'nitro-unrolled', '--reps', '20', '--duration', '2', '--out', join(dir, 'run')], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
      let err = '';
      child.stderr!.on('data', (d) => { err += d; });
      // Wait until a measurement is really in flight: testbed up, generator sending.
      const deadline = Date.now() + 30_000;
      while (!/throughput rep 1\/20/.test(err)) {
        if (Date.now() > deadline || child.exitCode !== null) assert.fail(`run did not reach a repetition: ${err}`);
        await new Promise((r) => setTimeout(r, 50));
      }
      assert.equal(readFileSync(SYSCTL, 'utf8').trim(), '0', 'bpf_stats is off while measuring');
      child.kill(signal);
      const [code, sig] = await once(child, 'exit');
      assert.ok(code !== 0 || sig !== null, 'an interrupted run does not exit 0');
      assert.deepEqual(await sketchbenchObjects(), [], `left behind after ${signal}: ${err}`);
      assert.equal(readFileSync(SYSCTL, 'utf8').trim(), '1', 'kernel.bpf_stats_enabled restored');
      // What was measured before the signal is on disk.
      const rows = readFileSync(join(dir, 'run', 'results.jsonl'), 'utf8').trim().split('\n').filter(Boolean);
      assert.ok(rows.length >= 3, `rows measured before the signal kept: ${rows.length}`);
    } finally {
      writeFileSync(SYSCTL, original);
      rmSync(dir, { recursive: true, force: true });
    }
  }, { timeout: 90_000 });
}
