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
