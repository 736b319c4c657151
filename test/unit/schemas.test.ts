/**
 * The JSON Schemas in docs/schemas/ describe what sketchbench reads and writes: the
 * built-in suites and a results.json written by the writer validate, and files the
 * harness refuses are refused by the schemas too.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { RunWriter } from '../../harness/results/writer.ts';
import { runStatistics } from '../../harness/analyse/run-statistics.ts';
import { loadResults } from '../../harness/results/reader.ts';
import type { SliceRow } from '../../harness/types/results.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const ajv = new Ajv2020({ allErrors: true, strict: false });
const schema = (name: string) => ajv.compile(JSON.parse(readFileSync(join(root, 'docs/schemas', name), 'utf8')));

test('suite schema: the built-in suites validate; an unknown key or a bad value does not', () => {
  const suite = schema('suite.schema.json');
  for (const name of ['default', 'quick', 'univmon']) {
    const s = JSON.parse(readFileSync(join(root, 'harness/suites', `${name}.json`), 'utf8'));
    assert.ok(suite(s), `${name}: ${ajv.errorsText(suite.errors)}`);
  }
  assert.ok(!suite({ name: 'x', repetitions: 5 }));
  assert.ok(!suite({ name: 'x', reps: 0 }));
  assert.ok(suite({ name: 'x', micro: { families: ['hash', 'maps'], reps: 5, blocks: 20 } }), ajv.errorsText(suite.errors));
  assert.ok(!suite({ name: 'x', micro: { families: ['crypto'] } }));
  assert.ok(!suite({ name: 'x', sweeps: [{ variants: ['a'], param: 'q', values: [1], metrics: ['cost'] }] }));
});

test('results schema: a results.json from the writer validates, with ratios from slices', () => {
  const dir = join(mkdtempSync(join(tmpdir(), 'sb-schema-')), 'run');
  const env = { ...loadResults(join(root, 'test/fixtures/results/run-a')).env, reference: 'a' };
  const w = RunWriter.open(dir, { env, suite: 's' });
  const slices: SliceRow[] = [];
  for (let rep = 0; rep < 3; rep++) {
    w.append(['a', 'b'].map((variant) => ({ variant, metric: 'cost_ns', rep, value: 50 + rep, unit: 'ns/packet', trace: 't', params: { rows: 4 } })));
    for (let block = 0; block < 10; block++) {
      for (const variant of ['a', 'b']) slices.push({ phase: 'main', variant, metric: 'cost_ns', rep, block, position: 0, value: variant === 'a' ? 50 : 60, unit: 'ns/packet', packets: 1000, params: { rows: 4 } });
    }
  }
  w.appendSlices(slices);
  const file = w.finish(runStatistics({ rows: w.rows, slices: w.slices, env: w.env }));
  assert.equal(file.ratios.length, 1);
  const results = schema('results.schema.json');
  const onDisk: Record<string, unknown> = JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8'));
  assert.ok(results(onDisk), ajv.errorsText(results.errors));
  assert.ok(!results({ ...onDisk, schemaVersion: 3 }), 'an unknown schema version is refused');
});
