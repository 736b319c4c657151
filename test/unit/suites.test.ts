import test from 'node:test';
import assert from 'node:assert/strict';
import { loadSuite, parseSuite, BUILTIN_SUITES } from '../../harness/suites/suites.ts';
import { SketchbenchError } from '../../harness/errors.ts';
import { mergeSuite } from '../../harness/cli/commands/run.ts';

function badSuite(text: string, pattern: RegExp): void {
  assert.throws(() => parseSuite(text, 'x.json'), (err: unknown) => {
    assert.ok(err instanceof SketchbenchError);
    assert.equal(err.exitCode, 2);
    assert.match(err.message, pattern);
    assert.ok(!err.message.includes('\n'), 'one line');
    return true;
  });
}

test('built-in suites parse and say what they run', () => {
  for (const name of BUILTIN_SUITES) {
    const s = loadSuite(name);
    assert.equal(s.name, name);
    assert.ok(s.metrics?.includes('cost') && s.metrics.includes('throughput') && s.metrics.includes('accuracy'));
    assert.ok(s.trace && 'generate' in s.trace && s.trace.generate.dist === 'zipf' && s.trace.generate.skew === 1.1);
  }
  assert.ok((loadSuite('quick').reps ?? 0) >= 5, 'the CI gate needs 5 reps for the rank test to reach p < 0.05');
  assert.ok(loadSuite('default').sweeps?.some((w) => w.param === 'p'));
});

test('bad suites get one-line errors with the path of the bad field', () => {
  badSuite('{', /not valid JSON/);
  badSuite('[]', /\(top\): must be an object/);
  badSuite('{"name": "a b"}', /name: must be a word/);
  badSuite('{"name": "a", "reps": 0}', /reps: must be an integer from 1 to 1000/);
  badSuite('{"name": "a", "rep": 3}', /unknown key 'rep'/);
  badSuite('{"name": "a", "trace": {"generate": {"dist": "pareto"}}}', /trace.generate.dist/);
  badSuite('{"name": "a", "params": {"p": 0}}', /params.p: must be in \(0, 1\]/);
  badSuite('{"name": "a", "sweeps": [{"variants": ["nitro-unrolled"], "param": "q", "values": [1]}]}', /sweeps\[0\].param/);
  badSuite('{"name": "a", "sweeps": [{"variants": ["nitro-unrolled"], "param": "p", "values": []}]}', /sweeps\[0\].values/);
  assert.throws(() => loadSuite('no-such-suite'), /no suite 'no-such-suite'/);
  badSuite('{"name": "a", "micro": {"families": ["hash", "crypto"]}}', /micro.families: unknown family 'crypto'/);
  badSuite('{"name": "a", "micro": {"blocks": 0}}', /micro.blocks: must be an integer from 1 to 10000/);
});

test('a micro section runs primitives after the phases, with its families, repetitions and blocks', () => {
  const s = parseSuite('{"name": "a", "micro": {"families": ["maps", "geo"], "reps": 3}}', 'x.json');
  assert.deepEqual(s.micro, { families: ['maps', 'geo'], reps: 3, blocks: undefined });
  const opts = mergeSuite(s, { progress: 'quiet' } as Parameters<typeof mergeSuite>[1]);
  assert.deepEqual(opts.micro, s.micro);
});

test('flags override a suite; naming variants or metrics drops its sweeps', () => {
  const suite = loadSuite('default');
  const base = { progress: 'quiet' as const };
  const merged = mergeSuite(suite, { ...base, reps: 7 });
  assert.equal(merged.reps, 7);
  assert.equal(merged.p, suite.params?.p);
  assert.ok(merged.sweeps?.length);
  assert.equal(mergeSuite(suite, { ...base, metrics: ['cost'] }).sweeps, undefined);
  assert.equal(mergeSuite(suite, { ...base, variants: ['countmin'] }).sweeps, undefined);
});
