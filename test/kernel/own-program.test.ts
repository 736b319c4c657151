/**
 * A program written outside the repository, the way a user writes one (its own
 * map and function names, no sketchbench stats map, sketchbench.h for the key,
 * hash and settings), measured for cost, throughput and accuracy with no edit
 * to the harness, gated by `ab`, and refused with one line when it is not
 * something the harness can measure. The accuracy checks are exact: with the
 * same hash and seeds, a user's Count-Min or Count Sketch must estimate every
 * flow as the built-in one does.
 */
import assert from 'node:assert/strict';
import { spawnSync, execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { kernelTest, fixturesDir } from './helpers.ts';
import { generateTrace, GEN_DEFAULTS } from '../../harness/trace/gen.ts';
import { findLeftovers } from '../../harness/testbed/leftovers.ts';

const root = new URL('../..', import.meta.url).pathname;
const userDir = join(fixturesDir, 'user-program');

function sketchbench(args: string[], cwd = root): { code: number; out: string } {
  const r = spawnSync(process.execPath, [join(root, 'bin/sketchbench.js'), ...args], { cwd, encoding: 'utf8' });
  return { code: r.status ?? -1, out: `${r.stdout}\n${r.stderr}` };
}

interface Summary { variant: string; metric: string; median: number; n: number }

function summary(runDir: string): Summary[] {
  return JSON.parse(readFileSync(join(runDir, 'results.json'), 'utf8')).summary;
}

function median(rows: Summary[], variant: string, metric: string): number {
  const r = rows.find((x) => x.variant === variant && x.metric === metric);
  assert.ok(r, `no ${metric} for ${variant}`);
  return r.median;
}

/** Namespaces, links and pins no live run owns: what a finished run left behind (other runs may be going on). */
async function leftovers(): Promise<string[]> {
  return (await findLeftovers()).filter((o) => o.kind !== 'state').map((o) => o.name);
}

function scratch(): string {
  return mkdtempSync(join(tmpdir(), 'sb-own-'));
}

kernelTest('a program from outside the repository is measured for cost, throughput and accuracy, unedited', async () => {
  const dir = scratch();
  try {
    cpSync(userDir, join(dir, 'prog'), { recursive: true });
    const trace = join(dir, 't.trace');
    generateTrace(trace, { ...GEN_DEFAULTS, flows: 5_000, packets: 100_000 });
    const out = join(dir, 'run');
    const r = sketchbench(['run', '--variants', `${join(dir, 'prog', 'mycountmin.bpf.c')},countmin[maps=percpu]`, '--trace', trace,
      '--metrics', 'cost,throughput,accuracy', '--reps', '2', '--cost-reps', '2', '--duration', '0.3', '--quiet', '--out', out]);
    assert.equal(r.code, 0, r.out);
    const s = summary(out);
    assert.ok(median(s, 'mycountmin', 'cost_ns') > 0);
    // Counted by the DUT driver, not by the program: it has no counters of ours.
    assert.ok(median(s, 'mycountmin', 'capacity_pps') > 0);
    assert.ok(median(s, 'mycountmin', 'throughput_pps') > 0);
    for (const metric of ['are_all', 'are_top100', 'aae_all']) {
      assert.equal(median(s, 'mycountmin', metric), median(s, 'countmin[maps=percpu,hash=fasthash32,layout=maps]', metric), `${metric}: the user's Count-Min and the built-in one count the same cells`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}, { timeout: 180_000 });

kernelTest('init writes a program that estimates every flow as the built-in Count Sketch it mirrors', async () => {
  const dir = scratch();
  try {
    const init = sketchbench(['init', join(dir, 'mine')]);
    assert.equal(init.code, 0, init.out);
    const again = sketchbench(['init', join(dir, 'mine')]);
    assert.equal(again.code, 2, 'init does not overwrite');
    const trace = join(dir, 't.trace');
    generateTrace(trace, { ...GEN_DEFAULTS, flows: 5_000, packets: 100_000 });
    const out = join(dir, 'run');
    const r = sketchbench(['run', '--suite', join(dir, 'mine', 'suite.json'), '--variants', `${join(dir, 'mine', 'mysketch.bpf.c')},countsketch[hash=xxhash32]`,
      '--trace', trace, '--metrics', 'accuracy', '--reps', '1', '--quiet', '--out', out]);
    assert.equal(r.code, 0, r.out);
    const s = summary(out);
    for (const metric of ['are_all', 'are_top100']) {
      assert.equal(median(s, 'mysketch', metric), median(s, 'countsketch[maps=shared,hash=xxhash32,layout=maps]', metric), metric);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}, { timeout: 120_000 });

kernelTest('what the harness cannot measure is one line and exit 2, with nothing left in the kernel', async () => {
  const dir = scratch();
  try {
    const trace = join(dir, 't.trace');
    generateTrace(trace, { ...GEN_DEFAULTS, flows: 1_000, packets: 20_000 });
    // The user's Count-Min with a spec that names a map it does not have.
    cpSync(join(userDir, 'mycountmin.bpf.c'), join(dir, 'wrongmap.bpf.c'));
    writeFileSync(join(dir, 'wrongmap.sketch.json'), '{ "sketch": { "map": "counters", "counter": "u32", "hash": "fasthash32", "estimator": "countmin" } }');
    const file = (name: string) => (name === 'wrongmap' ? join(dir, 'wrongmap.bpf.c') : join(userDir, 'bad', `${name}.bpf.c`));
    const bad = (name: string, metrics = 'cost') => sketchbench(['run', '--variants', file(name), '--trace', trace,
      '--metrics', metrics, '--reps', '1', '--cost-reps', '1', '--quiet', '--out', join(dir, name)]);
    const cases: [string, string, number, RegExp][] = [
      ['not_xdp', 'cost', 2, /no XDP program in this object/],
      ['wrongmap', 'accuracy', 2, /sketch\.map 'counters' is not a map of the object \(it has my_packets, my_counters\)/],
      ['passes', 'cost', 2, /returned XDP_PASS for a packet/],
      ['unchecked', 'cost', 2, /the verifier rejected the program.*invalid access to packet/],
    ];
    for (const [name, metrics, code, msg] of cases) {
      const r = bad(name, metrics);
      assert.equal(r.code, code, `${name}: ${r.out}`);
      assert.match(r.out, msg, name);
    }
    assert.deepEqual(await leftovers(), []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}, { timeout: 120_000 });

kernelTest('ab gates a program from outside the repository against a ref of its own repository', async () => {
  const dir = scratch();
  try {
    const repo = join(dir, 'repo');
    cpSync(userDir, repo, { recursive: true, filter: (src) => !src.includes('/bad') });
    const git = (...args: string[]) => execFileSync('git', ['-C', repo, ...args], { stdio: 'pipe' });
    git('init', '-q');
    git('-c', 'user.email=t@example.org', '-c', 'user.name=t', 'add', '.');
    git('-c', 'user.email=t@example.org', '-c', 'user.name=t', 'commit', '-qm', 'v1');
    // The change under review: 16 more hash rounds per parsed packet.
    const prog = join(repo, 'mycountmin.bpf.c');
    const src = readFileSync(prog, 'utf8');
    const slower = src
      .replace('SEC("xdp")', 'volatile __u32 sink = 0;\n\nSEC("xdp")')
      .replace('\tfor (__u32 row = 0;', '\tfor (__u32 i = 0; i < 16; i++)\n\t\tsink = sb_cell_fasthash32(&key, sink + i);\n\tfor (__u32 row = 0;');
    assert.notEqual(slower, src);
    writeFileSync(prog, slower);
    const trace = join(dir, 't.trace');
    generateTrace(trace, { ...GEN_DEFAULTS, flows: 20_000, packets: 300_000 });
    const r = sketchbench(['ab', '--base', 'HEAD', '--variants', prog, '--trace', trace, '--metrics', 'cost', '--cost-reps', '4', '--quiet', '--out', join(dir, 'run')]);
    assert.equal(r.code, 1, `slowed program not flagged:\n${r.out}`);
    const ab = JSON.parse(readFileSync(join(dir, 'run', 'ab.json'), 'utf8'));
    const row = ab.rows.find((x: { variant: string; metric: string }) => x.variant === 'mycountmin' && x.metric === 'cost_ns');
    assert.ok(row?.regression, JSON.stringify(row));
    assert.ok(row.ratioCiLow > 1.1, `16 extra hash rounds cost ${row.ratio}x the base`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}, { timeout: 180_000 });

kernelTest('--action redirect sends to a counted sink, tx back to the generator; a program that does otherwise is refused', async () => {
  const dir = scratch();
  try {
    const init = sketchbench(['init', join(dir, 'mine')]);
    assert.equal(init.code, 0, init.out);
    const trace = join(dir, 't.trace');
    generateTrace(trace, { ...GEN_DEFAULTS, flows: 5_000, packets: 100_000 });
    for (const action of ['redirect', 'tx']) {
      const out = join(dir, action);
      const r = sketchbench(['run', '--variants', `${join(dir, 'mine', 'mysketch.bpf.c')},nitro-final`, '--trace', trace, '--metrics', 'throughput',
        '--reps', '1', '--duration', '0.3', '--action', action, '--quiet', '--out', out]);
      assert.equal(r.code, 0, r.out);
      const s = summary(out);
      for (const v of ['mysketch', 'nitro-final']) {
        const fwd = median(s, v, 'forwarded_pps');
        assert.ok(fwd > 0 && fwd <= median(s, v, 'throughput_pps') * 1.01, `${action}: ${v} forwarded ${fwd} of ${median(s, v, 'throughput_pps')} pps`);
      }
    }
    // The user's Count-Min always drops: not what a redirect run measures.
    const wrong = sketchbench(['run', '--variants', join(userDir, 'mycountmin.bpf.c'), '--trace', trace, '--metrics', 'cost', '--cost-reps', '1',
      '--action', 'redirect', '--quiet', '--out', join(dir, 'wrong')]);
    assert.equal(wrong.code, 2, wrong.out);
    assert.match(wrong.out, /returned XDP_DROP for a packet .*--action redirect/);
    assert.deepEqual(await leftovers(), [], 'the sink namespace and its veth are gone');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}, { timeout: 180_000 });
