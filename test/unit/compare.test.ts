// compare's verdicts, exit codes and exporters, on the synthetic fixture runs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { loadResults } from '../../harness/results/reader.ts';
import { compareResults } from '../../harness/compare/compare.ts';
import { bencherExporter, gabBiggerExporter, gabSmallerExporter, markdownExporter } from '../../harness/compare/exporters/index.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const fx = (name: string) => join(root, 'test/fixtures/results', name);

function cli(...args: string[]) {
  const env = { ...process.env };
  delete env.GITHUB_STEP_SUMMARY;
  return spawnSync(process.execPath, [join(root, 'bin/sketchbench.js'), 'compare', ...args], { encoding: 'utf8', env });
}

test('compare: identical runs exit 0 with every verdict unchanged', () => {
  const r = cli(fx('run-a'), fx('run-a'));
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /No regression beyond 5%/);
});

test('compare: an injected 20% slowdown exits 1 and names the variant', () => {
  const out = mkdtempSync(join(tmpdir(), 'sb-cmp-'));
  const summary = join(out, 'step-summary.md');
  const r = spawnSync(process.execPath, [join(root, 'bin/sketchbench.js'), 'compare', fx('run-a'), fx('run-a-slow20'), '--metric', 'cost',
    '--markdown', join(out, 'c.md'), '--bencher', join(out, 'bmf.json'), '--gab-smaller', join(out, 's.json'), '--json'],
  { encoding: 'utf8', env: { ...process.env, GITHUB_STEP_SUMMARY: summary } });
  assert.equal(r.status, 1, r.stderr);
  const c = JSON.parse(r.stdout);
  const slow = c.rows.filter((x: { regression: boolean }) => x.regression);
  assert.ok(slow.length >= 1);
  assert.ok(slow.every((x: { variant: string; verdict: string }) => x.variant === 'nitro-final' && x.verdict === 'slower'));
  assert.match(readFileSync(join(out, 'c.md'), 'utf8'), /nitro-final \| cost_ns .*slower/);
  assert.match(readFileSync(summary, 'utf8'), /sketchbench compare/);
  const bmf = JSON.parse(readFileSync(join(out, 'bmf.json'), 'utf8'));
  const key = Object.keys(bmf).find((k) => k.startsWith('nitro-final') && k.includes('p=0.0625'))!;
  assert.deepEqual(Object.keys(bmf[key].cost_ns).sort(), ['lower_value', 'upper_value', 'value']);
  const gab = JSON.parse(readFileSync(join(out, 's.json'), 'utf8'));
  assert.ok(gab.every((e: Record<string, unknown>) => typeof e.name === 'string' && typeof e.unit === 'string' && typeof e.value === 'number'));
});

test('compare: a higher threshold than the slowdown exits 0', () => {
  assert.equal(cli(fx('run-a'), fx('run-a-slow20'), '--threshold', '25').status, 0);
});

test('compare: bad input exits 2 and says which', () => {
  const suites = cli(fx('run-a'), fx('suite-accuracy'));
  assert.equal(suites.status, 2);
  assert.match(suites.stderr, /different suites: .*'fixture'.*'accuracy'/);
  const bad = cli(fx('run-a'), fx('malformed.json'));
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /malformed\.json/);
  assert.equal(cli(fx('run-a'), fx('missing')).status, 2);
  assert.equal(cli(fx('run-a')).status, 2);
  assert.equal(cli(fx('run-a'), fx('run-a'), '--metric', 'speed').status, 2);
});

test('compare: different traces are refused', () => {
  const a = loadResults(fx('run-a'));
  const b = { ...loadResults(fx('run-a')), rows: a.rows.map((r) => ({ ...r, trace: 'other.pcap' })) };
  assert.throws(() => compareResults(a, b), /different traces/);
});

test('compare: direction follows the metric (throughput down is slower, cost down is faster)', () => {
  const a = loadResults(fx('run-a'));
  // Halved, like throughput below: five real repetitions scatter too widely for a smaller step to be sure.
  const faster = { ...a, rows: a.rows.map((r) => (r.metric === 'cost_ns' && r.variant === 'countmin' ? { ...r, value: r.value * 0.5 } : r)) };
  const c = compareResults(a, faster, { kinds: ['cost'] });
  const row = c.rows.find((r) => r.variant === 'countmin' && r.metric === 'cost_ns')!;
  assert.equal(row.verdict, 'faster');
  assert.equal(c.regressions, 0);
  // Real throughput repetitions scatter by +-10% here: halve them, so the direction, not the noise, is tested.
  const halved = { ...a, rows: a.rows.map((r) => (r.metric === 'throughput_pps' && r.variant === 'nitro-final' ? { ...r, value: r.value * 0.5 } : r)) };
  const slow = compareResults(a, halved, { kinds: ['throughput'] });
  const t = slow.rows.find((r) => r.variant === 'nitro-final' && r.metric === 'throughput_pps' && r.params.p === 1 / 16)!;
  assert.equal(t.verdict, 'slower');
  assert.ok(t.ratioCiHigh < 1);
  // exporters render without throwing and keep their shapes
  assert.ok(Array.isArray(JSON.parse(gabBiggerExporter.render(slow))));
  assert.equal(typeof JSON.parse(bencherExporter.render(slow)), 'object');
  assert.match(markdownExporter.render(slow), /\| variant \| metric \|/);
  void gabSmallerExporter;
});

test('compare: the paired ratios of both runs are shown side by side, a moved one marked', async () => {
  const { RunWriter } = await import('../../harness/results/writer.ts');
  const mk = (name: string, factor: number) => {
    const dir = join(mkdtempSync(join(tmpdir(), 'sb-cmp-')), name);
    const w = RunWriter.open(dir, { env: { ...loadResults(fx('run-a')).env, reference: 'a' }, suite: 'paper' });
    w.append(loadResults(fx('run-a')).rows);
    const slices = [];
    for (let block = 0; block < 200; block++) {
      for (const [variant, v] of [['a', 100], ['b', 120 * factor]] as const) {
        slices.push({ phase: 'main', variant, metric: 'cost_ns', rep: 0, block, position: 0, value: v * (1 + 0.05 * Math.sin(block)), unit: 'ns/packet', packets: 1000, params: {} });
      }
    }
    w.appendSlices(slices);
    return loadResults(dir);
  };
  const c = compareResults(mk('base', 1), mk('cur', 1.1));
  const r = c.ratioChanges!.find((x) => x.variant === 'b' && x.metric === 'cost_ns')!;
  assert.ok(Math.abs(r.baseline.ratio - 1.2) < 1e-9 && Math.abs(r.current.ratio - 1.32) < 1e-9);
  assert.equal(r.separated, true);
  assert.match(markdownExporter.render(c), /Paired ratios inside each run[\s\S]*\| b \| a \| cost_ns \| 1\.200 .* 1\.320 .* moved \|/);
});
