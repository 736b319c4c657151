// No root needed: option validation, names, and the cleanup registry's signal behaviour.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveTestbedOptions, testbedNames } from '../../harness/testbed/testbed.ts';
import { newId, procStartTime, isAlive } from '../../harness/system/run-state.ts';
import { registerCleanup, runCleanupHandlers } from '../../harness/cleanup.ts';
import { SketchbenchError } from '../../harness/errors.ts';

const root = new URL('../..', import.meta.url).pathname;

test('testbed options: defaults, and bad values are bad input (exit 2) before anything is created', () => {
  assert.deepEqual(resolveTestbedOptions(), { queues: 1, threadedNapi: true, gro: false, mtu: undefined, sink: false });
  for (const bad of [{ queues: 0 }, { queues: 1.5 }, { queues: 65 }, { mtu: 10 }, { mtu: 70000 }]) {
    assert.throws(() => resolveTestbedOptions(bad), (e: unknown) => e instanceof SketchbenchError && e.exitCode === 2);
  }
});

test('testbed names share the project prefix and fit IFNAMSIZ', () => {
  const id = newId();
  assert.match(id, /^[0-9a-f]{8}$/);
  const n = testbedNames(id);
  assert.equal(n.genNs, `sketchbench-${id}-gen`);
  assert.equal(n.dutNs, `sketchbench-${id}-dut`);
  assert.ok(n.genDev.length <= 15 && n.dutDev.length <= 15);
  assert.notEqual(n.genDev, n.dutDev);
});

test('a run is alive only while its pid runs with the recorded start time', () => {
  const start = procStartTime(process.pid)!;
  assert.ok(start);
  assert.equal(isAlive({ pid: process.pid, pidStart: start }), true);
  assert.equal(isAlive({ pid: process.pid, pidStart: String(Number(start) + 1) }), false, 'a reused pid is not the owner');
});

test('cleanup runs newest first, once, and unregistered undos do not run', async () => {
  const order: string[] = [];
  registerCleanup('a', () => { order.push('a'); });
  const un = registerCleanup('b', () => { order.push('b'); });
  registerCleanup('c', async () => { order.push('c'); });
  un();
  await Promise.all([runCleanupHandlers(), runCleanupHandlers()]);
  await runCleanupHandlers();
  assert.deepEqual(order, ['c', 'a']);
});

// The child registers a slow undo; signals arrive while it runs.
const CHILD = (marker: string) => `
import { writeFileSync } from 'node:fs';
import { registerCleanup } from './harness/cleanup.ts';
registerCleanup('slow', async () => {
  await new Promise((r) => setTimeout(r, 400));
  writeFileSync(${JSON.stringify(marker)}, 'done');
});
console.log('ready');
setInterval(() => {}, 1000);
`;

test('a second SIGINT during cleanup is ignored and the cleanup completes', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sb-cleanup-'));
  const marker = join(dir, 'marker');
  try {
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', CHILD(marker)], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d) => { err += d; });
    await once(child.stdout, 'data');
    const exited = once(child, 'exit');
    child.kill('SIGINT');
    while (!err.includes('cleaning up')) await new Promise((r) => setTimeout(r, 5));
    child.kill('SIGINT');
    child.kill('SIGTERM');
    const [code] = await exited;
    assert.equal(code, 130);
    assert.equal(existsSync(marker) && readFileSync(marker, 'utf8'), 'done');
    assert.match(err, /received again/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('with nothing registered, the cleanup registry leaves no signal handlers behind', () => {
  const before = process.listenerCount('SIGINT');
  const un = registerCleanup('x', () => {});
  assert.equal(process.listenerCount('SIGINT'), before + 1);
  un();
  assert.equal(process.listenerCount('SIGINT'), before);
});
