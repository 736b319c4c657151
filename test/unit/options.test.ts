/** Run options: names given by the user resolve through the manifest, references included. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { normalizeRunOptions } from '../../harness/run/options.ts';
import { manifestPath } from '../../harness/build/manifest.ts';
import { progressMode } from '../../harness/run/progress.ts';

// Options only check that the trace exists: any file of the project stands in for one.
const base = () => ({ tracePath: manifestPath, metrics: ['cost'], outDir: join(mkdtempSync(join(tmpdir(), 'sb-opts-')), 'run'), progress: progressMode({ quiet: true }) });

test('an old name is measured under its new one, and the default reference follows it', () => {
  const o = normalizeRunOptions({ ...base(), variants: ['nitro-unrolled', 'nitro-naive'] });
  assert.deepEqual(o.reference, ['nitro-sliced']);
  assert.ok(o.phases[0].variants.some((v) => v.variant.name === 'nitro-sliced'));
  const given = normalizeRunOptions({ ...base(), variants: ['nitro-sliced', 'nitro-naive'], reference: ['nitro-naive', 'nitro-unrolled'] });
  assert.deepEqual(given.reference, ['nitro-naive', 'nitro-sliced']);
  assert.throws(() => normalizeRunOptions({ ...base(), variants: ['nitro-naive'], reference: ['countmin'] }), /--reference countmin is not among the variants measured/);
});

test("a suite's micro section becomes a plan of groups with defaults filled in", () => {
  const req = { tracePath: manifestPath, metrics: ['program'], outDir: join(tmpdir(), `sb-opts-micro-${process.pid}`, 'run'), progress: progressMode({ quiet: true }) };
  assert.equal(normalizeRunOptions(req).micro, undefined);
  const o = normalizeRunOptions({ ...req, micro: { families: ['hash'], blocks: 7 } });
  assert.deepEqual(o.micro?.groups.map((g) => g.name), ['hash13', 'hash37']);
  assert.equal(o.micro?.blocks, 7);
  assert.equal(o.micro?.reps, 10);
  assert.equal(normalizeRunOptions({ ...req, micro: {} }).micro?.groups.length, 5);
});
