/** Programs from outside the repository: naming, the spec beside them, suites that name them. */
import test from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isProgramPath, parseSpec, paramsFor, programStem, resolveExternal, specPathOf } from '../../harness/build/external.ts';
import { defaultParams, manifestPath } from '../../harness/build/manifest.ts';
import { parseSuite } from '../../harness/suites/suites.ts';
import { normalizeRunOptions } from '../../harness/run/options.ts';
import { progressMode } from '../../harness/run/progress.ts';
import { SketchbenchError } from '../../harness/errors.ts';

const badInput = (re: RegExp) => (err: unknown) => err instanceof SketchbenchError && err.exitCode === 2 && re.test(err.message);

test('a variant argument is a program file when it has a path or a .c/.o name', () => {
  assert.equal(isProgramPath('./x.bpf.c'), true);
  assert.equal(isProgramPath('/a/b.o'), true);
  assert.equal(isProgramPath('prog.bpf.o'), true);
  assert.equal(isProgramPath('nitro-final'), false);
  assert.equal(isProgramPath('countmin[maps=percpu]'), false);
  assert.equal(programStem('/a/mine.bpf.c'), 'mine');
  assert.equal(programStem('mine.c'), 'mine');
  assert.equal(programStem('mine.bpf.o'), 'mine');
  assert.equal(specPathOf('/a/mine.bpf.o'), '/a/mine.sketch.json');
});

test('the spec: fields checked one by one, with the file named', () => {
  const ok = parseSpec('{"program":"p","sketch":{"map":"m","counter":"s32","hash":"xxhash32","estimator":"countsketch","rows":3,"columns":256,"seeds":["0x10",7],"p":0.5}}', 'S');
  assert.deepEqual(ok, { program: 'p', sketch: { map: 'm', counter: 's32', hash: 'xxhash32', estimator: 'countsketch', rows: 3, columns: 256, seeds: [16n, 7n], p: 0.5 } });
  assert.deepEqual(parseSpec('{}', 'S'), { program: undefined });
  assert.throws(() => parseSpec('{', 'S.json'), badInput(/^S\.json: not valid JSON/));
  assert.throws(() => parseSpec('{"sketchy":{}}', 'S'), badInput(/unknown field "sketchy"/));
  assert.throws(() => parseSpec('{"sketch":{"map":"m","counter":"u64","hash":"xxhash32","estimator":"countmin"}}', 'S'), badInput(/sketch\.counter must be one of u32, s32/));
  assert.throws(() => parseSpec('{"sketch":{"map":"m","counter":"u32","hash":"crc32","estimator":"countmin"}}', 'S'), badInput(/sketch\.hash must be one of/));
  assert.throws(() => parseSpec('{"sketch":{"map":"m","counter":"u32","hash":"xxhash32","estimator":"min"}}', 'S'), badInput(/sketch\.estimator/));
  assert.throws(() => parseSpec('{"sketch":{"map":"m","counter":"u32","hash":"xxhash32","estimator":"countmin","rows":0}}', 'S'), badInput(/sketch\.rows must be a positive integer/));
  assert.throws(() => parseSpec('{"sketch":{"map":"m","counter":"u32","hash":"xxhash32","estimator":"nitro","p":2}}', 'S'), badInput(/sketch\.p must satisfy/));
  assert.throws(() => parseSpec('{"sketch":{"map":"m","counter":"u32","hash":"xxhash32","estimator":"nitro","seeds":["x"]}}', 'S'), badInput(/sketch\.seeds/));
});

test('a program resolves to a variant named after its file; its spec supplies fixed settings', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sb-ext-'));
  try {
    const prog = join(dir, 'fixed.bpf.c');
    writeFileSync(prog, '/* not compiled here */\n');
    writeFileSync(join(dir, 'fixed.sketch.json'), '{"sketch":{"map":"c","counter":"u32","hash":"fasthash32","estimator":"countmin","rows":2,"columns":64,"seeds":["1","2"]}}');
    const v = resolveExternal(prog);
    assert.equal(v.name, 'fixed');
    assert.equal(v.family, 'external');
    assert.equal(v.estimator, 'countmin');
    assert.equal(v.counter, 'u32');
    assert.deepEqual(paramsFor(v, defaultParams()), { rows: 2, columns: 64, p: defaultParams().p, seeds: [1n, 2n] });
    assert.throws(() => resolveExternal(join(dir, 'missing.bpf.c')), badInput(/no such program file/));
    const clash = join(dir, 'countmin.bpf.c');
    writeFileSync(clash, '');
    assert.throws(() => resolveExternal(clash), badInput(/name of a built-in variant/));
    const txt = join(dir, 'notes.txt');
    writeFileSync(txt, '');
    assert.throws(() => resolveExternal(txt), badInput(/a C source \(\.c\) or a BPF object \(\.o\)/));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a suite names programs relative to its own folder', () => {
  const s = parseSuite('{"name":"mine","variants":["./mine.bpf.c","nitro-final"],"sweeps":[{"variants":["sub/x.bpf.o"],"param":"p","values":[1],"metrics":["cost"]}]}', '/home/u/bench/suite.json');
  assert.deepEqual(s.variants, ['/home/u/bench/mine.bpf.c', 'nitro-final']);
  assert.deepEqual(s.sweeps?.[0].variants, ['/home/u/bench/sub/x.bpf.o']);
  assert.throws(() => parseSuite('{"name":"x","throughput":{"action":"forward"}}', 'S'), /throughput\.action/);
});

test('--action: one of drop, pass, tx, redirect; the loss search only for drop', () => {
  // Any existing file passes the trace check; nothing is read or written.
  const req = { tracePath: manifestPath, variants: ['baseline-drop'], metrics: ['throughput'], outDir: join(tmpdir(), 'sb-never-written', 'run'), progress: progressMode({ quiet: true }) };
  assert.equal(normalizeRunOptions(req).action, 'drop');
  assert.equal(normalizeRunOptions({ ...req, action: 'redirect' }).action, 'redirect');
  assert.throws(() => normalizeRunOptions({ ...req, action: 'forward' }), badInput(/--action must be one of drop, pass, redirect, tx/));
  assert.throws(() => normalizeRunOptions({ ...req, action: 'tx', maxLoss: 0.01 }), badInput(/--max-loss searches the rate of programs that drop/));
});

test('a sweep over DUT cores: a phase per count, each with its cores; the generator feeds every queue', () => {
  const req = {
    tracePath: manifestPath, variants: ['nitro-final'], metrics: ['throughput'], outDir: join(tmpdir(), 'sb-never-written', 'run'), progress: progressMode({ quiet: true }),
    dutCpus: [0, 1], genCpus: [0, 1],
    sweeps: [{ variants: ['nitro-final', 'nitro-shared'], param: 'dutCores' as const, values: [1, 2], metrics: ['throughput'] }],
  };
  const o = normalizeRunOptions(req);
  assert.deepEqual(o.cpus.dut, [0, 1]);
  const sweeps = o.phases.filter((p) => p.cpus);
  assert.deepEqual(sweeps.map((p) => [p.label, p.cpus]), [['sweep dutCores=1', { dut: [0], gen: [1] }], ['sweep dutCores=2', { dut: [0, 1], gen: [0, 1] }]]);
  assert.throws(() => normalizeRunOptions({ ...req, sweeps: [{ ...req.sweeps[0], values: [3] }] }), badInput(/not a core count from 1 to 2/));
  assert.throws(() => normalizeRunOptions({ ...req, sweeps: [{ ...req.sweeps[0], metrics: ['cost'] }] }), badInput(/measures throughput only/));
  assert.throws(() => normalizeRunOptions({ ...req, genCpus: [1] }), badInput(/reach only 1 of them/));
  assert.throws(() => normalizeRunOptions({ ...req, dutCpus: [0], genCpus: [0] }), badInput(/overlaps --dut-cpus 0/));
});
