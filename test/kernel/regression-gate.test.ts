/**
 * The CI regression gate end to end: real runs of a real variant. A build made
 * slower with the test-only switch (extra hash rounds per packet) is flagged
 * by `compare` (exit 1); a second run of the same build is not (exit 0).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { kernelTest } from './helpers.ts';
import { generateTrace, GEN_DEFAULTS } from '../../harness/trace/gen.ts';

const root = new URL('../..', import.meta.url).pathname;

function sketchbench(args: string[]): { code: number; out: string } {
  const r = spawnSync(process.execPath, ['bin/sketchbench.js', ...args], { cwd: root, encoding: 'utf8' });
  return { code: r.status ?? -1, out: `${r.stdout}\n${r.stderr}` };
}

kernelTest('compare flags a slowed-down build as a regression and passes an identical one', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sb-gate-'));
  try {
    const trace = join(dir, 't.trace');
    generateTrace(trace, { ...GEN_DEFAULTS, flows: 20_000, packets: 500_000 });
    const run = (name: string, extra: string[] = []) => {
      const r = sketchbench(['run', '--trace', trace, '--variants', 'countmin', '--metrics', 'cost', '--reps', '5', '--quiet', '--out', join(dir, name), ...extra]);
      assert.equal(r.code, 0, r.out);
    };
    run('base');
    run('same');
    run('slow', ['--slowdown-rounds', '16']);
    // A 25% threshold: separate runs on this VM differ by up to ~11% (docs/measurement.md),
    // and 16 extra hash rounds make countmin about twice as slow.
    const same = sketchbench(['compare', join(dir, 'base'), join(dir, 'same'), '--metric', 'cost', '--threshold', '25']);
    assert.equal(same.code, 0, `identical builds flagged:\n${same.out}`);
    const slow = sketchbench(['compare', join(dir, 'base'), join(dir, 'slow'), '--metric', 'cost', '--threshold', '25']);
    assert.equal(slow.code, 1, `slowed build not flagged:\n${slow.out}`);
    assert.match(slow.out, /countmin.*cost_ns.*slower/s);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}, { timeout: 120_000 });
