#!/usr/bin/env node
// `npm test` (after `sketchbench setup --test`): run every test file with
// node's test runner. Kernel tests must run here: a skipped kernel test on a
// machine that can run eBPF fails the run (CI must prove the eBPF paths ran).
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { spawnSync } from 'node:child_process';
import { register } from 'tsx/esm/api';

register();
const root = new URL('..', import.meta.url).pathname;
const { requireSystemPackages } = await import('../harness/system/packages.ts');
try {
  requireSystemPackages({ includeTestOnly: true });
} catch (err) {
  console.error(`npm test: ${err.message}`);
  process.exit(2);
}

function find(dir) {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return name === 'fixtures' ? [] : find(p);
    return name.endsWith('.test.ts') ? [p] : [];
  });
}

const only = process.argv.slice(2);
const files = (only.length ? only : find(join(root, 'test'))).map((f) => relative(root, f)).sort();
// Every temporary file of the tests (and of the commands they run) goes under one
// folder that is removed afterwards, so a run leaves nothing in /tmp, even when a
// test fails before its own cleanup.
const scratch = mkdtempSync(join(tmpdir(), 'sketchbench-test-'));
// Kernel tests share one kernel and the testbed's cores: run files one at a time.
const res = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=1', '--test-reporter=spec', ...files], {
  cwd: root, stdio: ['inherit', 'pipe', 'inherit'], encoding: 'utf8', maxBuffer: 1 << 30,
  env: { ...process.env, TMPDIR: scratch },
});
rmSync(scratch, { recursive: true, force: true });
process.stdout.write(res.stdout);
const skipped = Number(/^ℹ skipped (\d+)/m.exec(res.stdout)?.[1] ?? 0);
const canRunEbpf = process.getuid?.() === 0;
if (res.status === 0 && skipped > 0 && canRunEbpf) {
  console.error(`\n${skipped} test(s) skipped on a machine that can run eBPF: that is a failure here`);
  process.exit(1);
}
process.exit(res.status ?? 1);
