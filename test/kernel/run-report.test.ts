/**
 * From a real run to a report: a small suite with every metric group and a sweep runs
 * in the kernel, and its report draws every figure the harness knows (none skipped),
 * the paired ratios among them, from rows and slices shaped as real runs shape them.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { kernelTest } from './helpers.ts';

const root = new URL('../..', import.meta.url).pathname;

function sketchbench(args: string[]): { code: number; out: string } {
  const r = spawnSync(process.execPath, ['bin/sketchbench.js', ...args], { cwd: root, encoding: 'utf8' });
  return { code: r.status ?? -1, out: `${r.stdout}\n${r.stderr}` };
}

kernelTest('run -> report: a small suite with every metric group and a sweep gives every figure', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sb-run-report-'));
  try {
    const suite = join(dir, 'small.json');
    writeFileSync(suite, JSON.stringify({
      name: 'small',
      trace: { generate: { dist: 'zipf', skew: 1.1, flows: 5000, packets: 100000, seed: 3 } },
      variants: ['nitro-naive', 'nitro-geo', 'nitro-sliced', 'nitro-final', 'countmin', 'baseline-parse', 'univmon'],
      metrics: ['program', 'cost', 'throughput', 'accuracy'],
      reps: 2,
      cost: { reps: 2 },
      throughput: { durationS: 0.2 },
      sweeps: [
        { variants: ['nitro-naive', 'nitro-final'], param: 'p', values: [0.25, 0.5, 1], metrics: ['throughput', 'cost', 'accuracy'] },
        { variants: ['nitro-final'], param: 'columns', values: [256, 1024, 2048], metrics: ['throughput', 'cost', 'accuracy'] },
        { variants: ['univmon'], param: 'columns', values: [128, 1024], metrics: ['accuracy'] },
      ],
      micro: { families: ['random'], reps: 2 },
    }));
    const run = join(dir, 'run');
    const r = sketchbench(['run', '--suite', suite, '--quiet', '--out', run]);
    assert.equal(r.code, 0, r.out);
    assert.match(r.out, /paired ratios/);
    const results = JSON.parse(readFileSync(join(run, 'results.json'), 'utf8'));
    assert.equal(results.schemaVersion, 2);
    assert.ok(results.ratios.some((x: { metric: string; reference: string }) => x.metric === 'capacity_pps' && x.reference === 'nitro-naive'));
    assert.ok(existsSync(join(run, 'slices.jsonl')) && existsSync(join(run, 'estimates.csv')));
    // Every sketch is estimated, wherever its layout keeps the counters.
    for (const v of ['nitro-naive', 'nitro-sliced', 'nitro-final', 'countmin']) {
      assert.ok(results.summary.some((s: { variant: string; metric: string }) => s.variant === v && s.metric === 'are_top100'), `${v}: no accuracy`);
    }

    const rep = sketchbench(['report', run, '--out', join(dir, 'report')]);
    assert.equal(rep.code, 0, rep.out);
    assert.doesNotMatch(rep.out, /skipped for lack of data/, 'no figure is skipped');
    for (const id of ['ratio-cost-ns', 'ratio-cost-net-ns', 'ratio-capacity-pps', 'throughput', 'cost', 'drilldown-cost', 'drilldown-throughput',
      'are-memory', 'are-top100-memory', 'hh-f1-0.1pct', 'throughput-vs-p', 'capacity-vs-p', 'are-vs-p', 'cost-vs-columns',
      'entropy-rel-err-memory', 'micro-random', 'micro-random-rank']) {
      for (const ext of ['svg', 'png', 'pdf', 'vl.json']) assert.ok(existsSync(join(dir, 'report', 'figures', `${id}.${ext}`)), `${id}.${ext}`);
    }
    const html = readFileSync(join(dir, 'report', 'index.html'), 'utf8');
    assert.match(html, /Paired ratios/);
    assert.match(html, /nitro-final sustains [\d.]+x the capacity of nitro-naive \[/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}, { timeout: 240_000 });
