/**
 * The CI regression gate end to end: `sketchbench ab` builds a base tree and
 * this tree, measures both interleaved in one run, and flags a build made
 * slower with the test-only switch (16 extra hash rounds per packet: countmin
 * costs about 1.6x to 2x as much, while the gate's threshold is 2% and the
 * paired interval about +-1%, so a miss would take a measurement off by
 * tens of standard errors). Bad input exits 2 and leaves nothing behind.
 * Whether an identical base stays unflagged is a rate, measured and stated in
 * docs/measurement.md, not a test that could fail by chance.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { kernelTest } from './helpers.ts';
import { generateTrace, GEN_DEFAULTS } from '../../harness/trace/gen.ts';

const root = new URL('../..', import.meta.url).pathname;

function sketchbench(args: string[]): { code: number; out: string } {
  const r = spawnSync(process.execPath, ['bin/sketchbench.js', ...args], { cwd: root, encoding: 'utf8' });
  return { code: r.status ?? -1, out: `${r.stdout}\n${r.stderr}` };
}

const baseTrees = () => readdirSync(tmpdir()).filter((n) => n.startsWith('sketchbench-base-'));

kernelTest('ab flags a slowed-down build against its base in one paired run, with the exports', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sb-gate-'));
  try {
    const trace = join(dir, 't.trace');
    generateTrace(trace, { ...GEN_DEFAULTS, flows: 20_000, packets: 300_000 });
    const base = join(dir, 'base');
    cpSync(join(root, 'variants'), join(base, 'variants'), { recursive: true });
    const md = join(dir, 'ab.md');
    const r = sketchbench(['ab', '--base', base, '--trace', trace, '--variants', 'countmin', '--metrics', 'cost', '--cost-reps', '4',
      '--slowdown-rounds', '16', '--quiet', '--out', join(dir, 'run'), '--markdown', md]);
    assert.equal(r.code, 1, `slowed build not flagged:\n${r.out}`);
    assert.match(r.out, /\| countmin \| cost_ns.*slower/);
    const ab = JSON.parse(readFileSync(join(dir, 'run', 'ab.json'), 'utf8'));
    const cm = ab.rows.find((x: { variant: string; metric: string }) => x.variant === 'countmin' && x.metric === 'cost_ns');
    assert.ok(cm.ratioCiLow > 1.2, `countmin with 16 extra rounds costs ${cm.ratio}x its base`);
    assert.equal(cm.testMethod, 'sign-holm');
    assert.match(readFileSync(md, 'utf8'), /Holm-adjusted/);
    // baseline-drop rode along on both sides (cost_net_ns needs it) and is unchanged.
    assert.equal(ab.rows.find((x: { variant: string }) => x.variant === 'baseline-drop').regression, false);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}, { timeout: 180_000 });

kernelTest('ab: a base that is neither a directory nor a ref is bad input; a ref is extracted and removed again', async () => {
  const before = baseTrees().length;
  const bad = sketchbench(['ab', '--base', 'no-such-ref-or-dir', '--quiet']);
  assert.equal(bad.code, 2, bad.out);
  assert.match(bad.out, /neither a directory nor a git ref/);
  const notTree = sketchbench(['ab', '--base', tmpdir(), '--quiet']);
  assert.equal(notTree.code, 2, notTree.out);
  assert.match(notTree.out, /not a sketchbench tree/);
  const dir = mkdtempSync(join(tmpdir(), 'sb-gate-'));
  try {
    const trace = join(dir, 't.trace');
    generateTrace(trace, { ...GEN_DEFAULTS, flows: 5_000, packets: 100_000 });
    const r = sketchbench(['ab', '--base', 'HEAD', '--trace', trace, '--variants', 'baseline-drop', '--metrics', 'cost', '--cost-reps', '2', '--quiet', '--out', join(dir, 'run')]);
    assert.ok(r.code === 0 || r.code === 1, r.out);
    assert.ok(existsSync(join(dir, 'run', 'ab.json')));
    assert.equal(baseTrees().length, before, 'the extracted base tree is removed');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}, { timeout: 120_000 });
