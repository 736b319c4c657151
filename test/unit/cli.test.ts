/** CLI rough edges: a bare call, --version, bracketed variants with commas, CPU lists. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { cpuList, list } from '../../harness/cli/command.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const cli = (args: string[]) => spawnSync(process.execPath, ['bin/sketchbench.js', ...args], { cwd: root, encoding: 'utf8' });

test('a bare sketchbench prints the help and exits 0', () => {
  const r = cli([]);
  assert.equal(r.status, 0);
  assert.match(r.stdout, /usage: sketchbench COMMAND/);
  assert.match(r.stdout, /\bab\b.*A\/B in one run/);
});

test('--version prints the package version', () => {
  const r = cli(['--version']);
  assert.equal(r.status, 0);
  assert.equal(r.stdout.trim(), `sketchbench ${JSON.parse(readFileSync(`${root}/package.json`, 'utf8')).version}`);
});

test('variant lists keep commas inside brackets', () => {
  assert.deepEqual(list({ variants: 'nitro[sampling=coin,maps=percpu,hashing=unrolled],countmin' }, 'variants'),
    ['nitro[sampling=coin,maps=percpu,hashing=unrolled]', 'countmin']);
  assert.deepEqual(list({ variants: ['a', 'b[x=1,y=2]'] }, 'variants'), ['a', 'b[x=1,y=2]']);
});

test('--gen-cpu takes CPU numbers and names itself when given something else', () => {
  assert.deepEqual(cpuList({ 'gen-cpu': '1,0' }, 'gen-cpu'), [1, 0]);
  assert.equal(cpuList({}, 'gen-cpu'), undefined);
  assert.throws(() => cpuList({ 'gen-cpu': 'x' }, 'gen-cpu'), /--gen-cpu takes CPU numbers .* got 'x'/);
  const r = cli(['run', '--gen-cpu', 'x', '--metrics', 'cost']);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /--gen-cpu takes CPU numbers/);
});

test('list: variants, switches, suites and metrics, as text and JSON', () => {
  const all = JSON.parse(cli(['list', '--json']).stdout);
  assert.deepEqual(Object.keys(all), ['variants', 'switches', 'suites', 'metrics']);
  assert.ok(all.variants.some((v: { name: string; family: string }) => v.name === 'nitro-final' && v.family === 'nitro'));
  assert.ok(all.switches.some((s: { family: string; switch: string }) => s.family === 'nitro' && s.switch === 'sampling'));
  assert.deepEqual(all.suites.map((s: { name: string }) => s.name), ['default', 'quick', 'univmon']);
  assert.ok(all.metrics.some((m: { name: string; better: string }) => m.name === 'cost_ns' && m.better === 'lower'));
  const text = cli(['list', 'variants']);
  assert.equal(text.status, 0);
  assert.match(text.stdout, /^baseline-drop\s+baseline-drop$/m);
  const bad = cli(['list', 'flavours']);
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /not one of variants, switches, suites, metrics/);
});

test('setup --check lists nothing missing after setup (npm test runs setup first)', () => {
  const r = cli(['setup', '--check', '--test']);
  assert.equal(r.status, 0, r.stdout);
  assert.equal(r.stdout, '');
});

test('test-only flags stay out of the help; build checks sketch parameters before compiling', () => {
  const help = cli(['run', '--help']).stdout;
  assert.match(help, /--reference/);
  assert.doesNotMatch(help, /slowdown/);
  const r = cli(['build', '--variant', 'countmin', '--columns', '1000']);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /columns must be a power of two/);
});
