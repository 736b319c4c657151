// Run folders survive interruption; the reader rejects bad input with one line naming the file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { RunWriter } from '../../harness/results/writer.ts';
import { loadResults } from '../../harness/results/reader.ts';
import { runStatistics } from '../../harness/analyse/run-statistics.ts';

import { SketchbenchError } from '../../harness/errors.ts';
import type { Env, Row } from '../../harness/types/results.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const fixtures = join(root, 'test/fixtures/results');
const withStats = <T extends Parameters<typeof runStatistics>[0]>(r: T) => ({ ...r, ...runStatistics(r) });
const env: Env = { kernel: 'k', cpuModel: 'c', cores: 2, clang: 'cl', libbpf: 'l', node: 'n', gitCommit: 'g', suite: 's', seeds: [1], command: 'sketchbench bench', startedAt: '2024-01-01T00:00:00Z' };
const row = (rep: number): Row => ({ variant: 'countmin', metric: 'cost_ns', rep, value: 90 + rep, unit: 'ns/packet', trace: 't.pcap', params: { rows: 4, columns: 512 } });

test('writer: jsonl and csv hold the rows after each append, results.json the statistics at checkpoints', () => {
  const dir = join(mkdtempSync(join(tmpdir(), 'sb-')), 'run');
  const w = RunWriter.open(dir, { env, suite: 's' });
  assert.equal(JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')).rows.length, 0);
  w.append(row(0));
  w.append([row(1), row(2)]);
  w.log('hello');
  assert.equal(readFileSync(join(dir, 'results.jsonl'), 'utf8').trim().split('\n').length, 3);
  assert.equal(readFileSync(join(dir, 'results.csv'), 'utf8').trim().split('\n').length, 4);
  assert.match(readFileSync(join(dir, 'run.log'), 'utf8'), /hello/);
  w.checkpoint(runStatistics({ rows: w.rows, slices: w.slices, env: w.env }));
  const json = JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8'));
  assert.equal(json.rows.length, 3);
  assert.equal(json.summary[0].median, 91);
  assert.equal(json.schemaVersion, 2);
  assert.ok(w.finish({ summary: [], ratios: [] }).env.finishedAt);
  assert.throws(() => RunWriter.open(dir, { env, suite: 's' }), /already holds results/);
});

test('writer: a run killed mid-way keeps the rows it measured', () => {
  const dir = join(mkdtempSync(join(tmpdir(), 'sb-')), 'run');
  const script = join(dir, '..', 'child.mts');
  writeFileSync(script, `
import { RunWriter } from ${JSON.stringify(join(root, 'harness/results/writer.ts'))};
const w = RunWriter.open(${JSON.stringify(dir)}, { env: ${JSON.stringify(env)}, suite: 's' });
for (let rep = 0; rep < 3; rep++) w.append({ variant: 'nitro-geo', metric: 'cost_ns', rep, value: 50 + rep, unit: 'ns/packet', trace: 't', params: {} });
process.kill(process.pid, 'SIGKILL');
`);
  const r = spawnSync(process.execPath, ['--import', 'tsx', script], { cwd: root });
  assert.equal(r.signal, 'SIGKILL');
  const loaded = withStats(loadResults(dir));
  assert.equal(loaded.rows.length, 3);
  assert.equal(loaded.summary[0].median, 51);
  assert.equal(loaded.env.finishedAt, undefined);
  // A partial line from a kill during an append is dropped with a warning, not an error.
  appendFileSync(join(dir, 'results.jsonl'), '{"variant":"nitro-geo","met');
  const again = withStats(loadResults(join(dir, 'results.jsonl')));
  assert.equal(again.rows.length, 3);
  assert.match(again.warnings.join('\n'), /truncated last line/);
  assert.ok(!existsSync(join(dir, `results.json.tmp-${r.pid}`)));
});

test('reader: prefers results.jsonl when it holds more rows than results.json', () => {
  const dir = join(mkdtempSync(join(tmpdir(), 'sb-')), 'run');
  const w = RunWriter.open(dir, { env, suite: 's' });
  w.append(row(0));
  appendFileSync(join(dir, 'results.jsonl'), JSON.stringify(row(1)) + '\n'); // killed before the rewrite
  const r = withStats(loadResults(dir));
  assert.equal(r.rows.length, 2);
  assert.equal(r.suite, 's');
});

function badInputMessage(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof SketchbenchError);
    assert.equal(err.exitCode, 2);
    assert.ok(!err.message.includes('\n'), 'one line');
    return err.message;
  }
  assert.fail('expected an error');
}

test('reader: bad input names the file and what is wrong', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sb-'));
  assert.match(badInputMessage(() => withStats(loadResults(join(fixtures, 'malformed.json')))), /malformed\.json: rows\[0\]: 'value' must be a finite number, got "fast"/);
  assert.match(badInputMessage(() => withStats(loadResults(join(dir, 'nope')))), /nope: no such file/);
  assert.match(badInputMessage(() => withStats(loadResults(dir))), /not a run folder/);
  writeFileSync(join(dir, 'x.json'), '{"rows": [');
  assert.match(badInputMessage(() => withStats(loadResults(join(dir, 'x.json')))), /x\.json: not valid JSON/);
  writeFileSync(join(dir, 'y.json'), '{"env": {}, "suite": "s", "rows": {}}');
  assert.match(badInputMessage(() => withStats(loadResults(join(dir, 'y.json')))), /y\.json: 'rows' must be an array/);
  writeFileSync(join(dir, 'z.jsonl'), `${JSON.stringify(row(0))}\nnot json\n${JSON.stringify(row(1))}\n`);
  assert.match(badInputMessage(() => withStats(loadResults(join(dir, 'z.jsonl')))), /z\.jsonl:2: not valid JSON/);
  writeFileSync(join(dir, 'w.jsonl'), JSON.stringify({ ...row(0), rep: -1 }) + '\n');
  assert.match(badInputMessage(() => withStats(loadResults(join(dir, 'w.jsonl')))), /w\.jsonl:1: 'rep' must be an integer >= 0/);
});

test('reader: the fixture run (a real run) loads whole, rows and slices', () => {
  const dir = join(fixtures, 'run-a');
  const r = withStats(loadResults(dir));
  assert.equal(r.suite, 'fixture');
  assert.equal(r.rows.length, readFileSync(join(dir, 'results.jsonl'), 'utf8').trim().split('\n').length);
  assert.equal(r.slices.length, readFileSync(join(dir, 'slices.jsonl'), 'utf8').trim().split('\n').length);
  assert.deepEqual(r.warnings, []);
  // Every variant's cells share one params object across its metrics (report selection relies on it).
  const main = r.rows.filter((x) => x.params.p === 1 / 16 && x.params.columns === 512);
  for (const v of new Set(main.map((x) => x.variant))) {
    assert.equal(new Set(main.filter((x) => x.variant === v).map((x) => JSON.stringify(x.params))).size, 1, v);
  }
  assert.ok(r.ratios.some((x) => x.metric === 'cost_ns') && r.ratios.some((x) => x.metric === 'capacity_pps'));
});

test('reader: an unknown results schema version is refused with what to do; compare exits 2', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sb-'));
  const f = join(dir, 'results.json');
  writeFileSync(f, JSON.stringify({ schemaVersion: 9, env, suite: 's', rows: [], summary: [], ratios: [] }));
  assert.throws(() => loadResults(f), /results schema version 9 is not one this sketchbench reads \(1 or 2\)/);
  const r = spawnSync(process.execPath, [join(root, 'bin/sketchbench.js'), 'compare', f, f], { encoding: 'utf8' });
  assert.equal(r.status, 2);
  assert.match(r.stderr, /schema version 9/);
});
