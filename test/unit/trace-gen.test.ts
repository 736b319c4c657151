import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { generateTrace, GEN_DEFAULTS, AliasSampler, zipfWeights } from '../../harness/trace/gen.ts';
import { openTraceSync } from '../../harness/trace/format.ts';
import { fitSkew } from '../../harness/trace/skew.ts';
import { Xoshiro128 } from '../../harness/trace/prng.ts';
import { cli, tmp } from '../trace/helpers.ts';

const dir = tmp();
after(() => rmSync(dir, { recursive: true, force: true }));

test('same seed, same bytes; another seed, another trace', () => {
  const o = { ...GEN_DEFAULTS, flows: 5000, packets: 100_000, size: 'imix' as const, ipv6Fraction: 0.3, proto: 'mix' as const };
  generateTrace(join(dir, 'a.trace'), o);
  generateTrace(join(dir, 'b.trace'), o);
  generateTrace(join(dir, 'c.trace'), { ...o, seed: 2 });
  const a = readFileSync(join(dir, 'a.trace'));
  assert.ok(a.equals(readFileSync(join(dir, 'b.trace'))));
  assert.ok(!a.equals(readFileSync(join(dir, 'c.trace'))));
});

test('flow ranks follow the Zipf law: the fitted skew comes back', () => {
  for (const s of [0.8, 1.1, 1.4]) {
    const p = join(dir, `z${s}.trace`);
    generateTrace(p, { ...GEN_DEFAULTS, skew: s, flows: 100_000, packets: 2_000_000, seed: 11 });
    const t = openTraceSync(p);
    const fit = fitSkew(t.flows.map((f) => f.packets))!;
    t.close();
    assert.ok(Math.abs(fit - s) < 0.05, `skew ${s}: fitted ${fit}`);
  }
});

test('uniform popularity fits a skew near 0; alias sampler matches its weights', () => {
  const p = join(dir, 'u.trace');
  generateTrace(p, { ...GEN_DEFAULTS, dist: 'uniform', flows: 1000, packets: 1_000_000 });
  const t = openTraceSync(p);
  assert.equal(t.flows.length, 1000);
  assert.ok(fitSkew(t.flows.map((f) => f.packets))! < 0.05);
  t.close();
  const w = zipfWeights(10, 1.2);
  const a = new AliasSampler(w);
  const rng = new Xoshiro128(5);
  const c = new Float64Array(10);
  const n = 1_000_000;
  for (let i = 0; i < n; i++) c[a.sample(rng)]++;
  const sum = w.reduce((x, y) => x + y, 0);
  for (let i = 0; i < 10; i++) assert.ok(Math.abs(c[i] / n - w[i] / sum) < 0.003, `rank ${i + 1}`);
});

test('addresses come from 198.18.0.0/15 and 2001:db8::/32, or the prefixes given; tuples distinct', () => {
  const p = join(dir, 'addr.trace');
  generateTrace(p, { ...GEN_DEFAULTS, flows: 3000, packets: 30000, ipv6Fraction: 0.5 });
  let t = openTraceSync(p);
  const keys = new Set(t.flows.map((f) => `${f.src} ${f.dst} ${f.sport} ${f.dport} ${f.proto}`));
  assert.equal(keys.size, t.flows.length);
  for (const f of t.flows) {
    for (const a of [f.src, f.dst]) {
      if (f.family === 4) assert.match(a, /^198\.1[89]\./);
      else assert.match(a, /^2001:db8:/);
    }
  }
  t.close();
  generateTrace(p, { ...GEN_DEFAULTS, flows: 100, packets: 1000, prefix4: '10.1.2.0/24' });
  t = openTraceSync(p);
  assert.ok(t.flows.every((f) => f.src.startsWith('10.1.2.') && f.dst.startsWith('10.1.2.')));
  t.close();
});

// Generation speed is a benchmark (bench:userspace), not a test: here, that a large trace comes out whole.
test('2 M packets over 100 k flows: counts add up, ranked flows', () => {
  const path = join(dir, 'big.trace');
  generateTrace(path, { ...GEN_DEFAULTS, flows: 100_000, packets: 2_000_000 });
  const t = openTraceSync(path);
  assert.equal(t.header.packetCount, 2_000_000);
  assert.equal(t.flows.reduce((n, f) => n + f.packets, 0), 2_000_000);
  assert.ok(t.flows[0].packets >= t.flows[t.flows.length - 1].packets, 'flow ids follow rank order');
  t.close();
});

test('CLI: gen + info --json follows the docs/design.md contract; bad flags exit 2', () => {
  const p = join(dir, 'cli.trace');
  assert.equal(cli('trace', 'gen', '--flows', '1000', '--packets', '100000', '--seed', '9', '-o', p).code, 0);
  const r = cli('trace', 'info', p, '--json', '--top', '3');
  assert.equal(r.code, 0, r.stderr);
  const j = JSON.parse(r.stdout);
  assert.deepEqual(Object.keys(j), ['packets', 'bytes', 'flows', 'skew', 'truncatedRecords', 'zeroLengthRecords', 'top']);
  assert.equal(j.packets, 100000);
  assert.deepEqual([j.truncatedRecords, j.zeroLengthRecords], [0, 0]);
  assert.equal(j.bytes, 6400000);
  assert.equal(j.top.length, 3);
  assert.deepEqual(Object.keys(j.top[0]), ['src', 'dst', 'sport', 'dport', 'proto', 'packets', 'bytes']);
  assert.ok(j.top[0].packets >= j.top[1].packets);
  for (const bad of [['--dist', 'pareto'], ['--flows', '0'], ['--size', '20'], ['--skew', 'x'], ['--prefix4', '2001:db8::/32']]) {
    const b = cli('trace', 'gen', ...bad, '-o', join(dir, 'x.trace'));
    assert.equal(b.code, 2, `${bad.join(' ')}: ${b.stderr}`);
    assert.equal(b.stderr.trim().split('\n').length, 1);
  }
});

test('CLI: gen makes the output folder when it does not exist yet (a fresh clone has no traces/)', () => {
  const out = join(dir, 'fresh', 'traces', 'z.trace');
  const r = cli('trace', 'gen', '--flows', '100', '--packets', '1000', '-o', out);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(openTraceSync(out).header.packetCount, 1000);
});
