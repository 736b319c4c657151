/**
 * The manifest names every variant, every switch combination builds, and bad
 * sketch parameters are refused with a message that says what is allowed.
 * The compile test needs clang (no root, no kernel); it skips with the reason
 * when clang is missing.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import {
  allCombinations, resolveVariant, validateParams, defaultParams, variantNames, loadManifest,
} from '../../harness/build/manifest.ts';
import { compileVariant } from '../../harness/build/compile.ts';
import { SketchbenchError, EXIT_BAD_INPUT } from '../../harness/errors.ts';

test('named variants resolve to the documented switches and -D macros', () => {
  assert.deepEqual(variantNames(), ['nitro-naive', 'nitro-geo', 'nitro-fasthash', 'nitro-sliced', 'nitro-sample-first', 'nitro-final',
    'nitro-lean', 'nitro-packet', 'nitro-shared', 'countmin', 'countsketch', 'univmon', 'nitro-univmon-naive', 'nitro-univmon-geo',
    'nitro-univmon-fasthash', 'nitro-univmon-sliced', 'nitro-univmon-sample-first', 'nitro-univmon-final', 'baseline-drop', 'baseline-parse']);
  const naive = resolveVariant('nitro-naive');
  assert.deepEqual(naive.switches, { sampling: 'coin', maps: 'percpu', hash: 'xxhash32', order: 'parse-first', layout: 'maps' });
  assert.deepEqual(naive.defines, ['HASH_XXHASH32', 'MAPS_PERCPU']);
  const opt = resolveVariant('nitro-sliced');
  assert.deepEqual(opt.defines, ['HASH_UNROLLED', 'MAPS_PERCPU', 'SAMPLING_GEOMETRIC']);
  assert.deepEqual(opt.limits, { maxRows: 4, maxColumnsLog2: 15 });
  assert.equal(opt.hashing, 'fasthash64-sliced');
  assert.ok(opt.maps.includes('geo_table') && opt.maps.includes('geo_state'));
  assert.ok(!naive.maps.includes('geo_table'));
  // The paper's final step: sampling before parsing, everything per packet in one value.
  const final = resolveVariant('nitro-final');
  assert.deepEqual(final.defines, ['HASH_UNROLLED', 'LAYOUT_STRUCT', 'MAPS_PERCPU', 'ORDER_SAMPLE_FIRST', 'SAMPLING_GEOMETRIC']);
  assert.deepEqual(final.maps.sort(), ['meta', 'sketch']);
  assert.deepEqual(final.limits, { maxRows: 4, maxColumnsLog2: 15, maxCells: 8192 });
  assert.equal(final.layout, 'struct');
  // Old names still resolve, to the build they named.
  assert.equal(resolveVariant('nitro-unrolled').stem, opt.stem);
  assert.equal(resolveVariant('nitro-percpu').name, 'nitro-fasthash');
  assert.deepEqual(resolveVariant('countmin').limits, { maxRows: 8, maxColumnsLog2: 16 });
  assert.equal(resolveVariant('countmin').counter, 'u32');
  assert.equal(resolveVariant('nitro-geo').samples, true);
  assert.equal(resolveVariant('countsketch').samples, false);
  // UnivMon's drill-down: each named step one switch more than the last; layer 0 answers per-flow queries.
  const um = resolveVariant('nitro-univmon');
  assert.equal(um.name, 'nitro-univmon-final');
  assert.deepEqual(um.switches, { sampling: 'geometric', maps: 'percpu', hash: 'fasthash64-sliced', order: 'sample-first', layout: 'struct' });
  // layout=struct moves stats and sampling state into `meta`; the counters stay an array (no maxCells).
  assert.deepEqual(um.maps.sort(), ['heavy', 'meta', 'sketch']);
  assert.deepEqual(resolveVariant('nitro-univmon-naive').switches, { sampling: 'coin', maps: 'percpu', hash: 'xxhash32', order: 'parse-first', layout: 'maps' });
  assert.equal(um.estimator, 'nitro');
  assert.equal(resolveVariant('univmon').estimator, 'countsketch');
  assert.ok(um.univmon && !resolveVariant('nitro-final').univmon);
  assert.deepEqual(um.limits, { maxRows: 4, maxColumnsLog2: 15, maxLayers: 32, maxTopk: 32, maxSketchCells: 2097152 });
});

test('all 64 nitro switch combinations enumerate with canonical names', () => {
  const names = allCombinations('nitro').map((v) => v.name);
  assert.equal(names.length, 64);
  assert.equal(new Set(names).size, 64);
  assert.ok(names.includes('nitro[sampling=coin,maps=shared,hash=xxhash32,order=parse-first,layout=maps]'));
  assert.ok(names.includes('nitro[sampling=geometric,maps=percpu,hash=fasthash64-sliced,order=sample-first,layout=struct]'));
  // A combination name resolves to the same build as the named variant.
  assert.deepEqual(resolveVariant('nitro[sampling=geometric,maps=percpu,hash=fasthash64-sliced,order=sample-first,layout=struct]').defines,
    resolveVariant('nitro-final').defines);
  // Left-out switches take the family default; names come back canonical.
  assert.equal(resolveVariant('nitro[hash=xxhash32]').name, 'nitro[sampling=geometric,maps=percpu,hash=xxhash32,order=parse-first,layout=maps]');
  // The switch's old name and values still work.
  assert.equal(resolveVariant('nitro[hashing=per-row]').name, 'nitro[sampling=geometric,maps=percpu,hash=fasthash32,order=parse-first,layout=maps]');
  assert.equal(resolveVariant('countmin[hashing=unrolled]').hashing, 'fasthash64-sliced');
  assert.equal(allCombinations('countmin').length, 16);
  // A named variant with macros of its own is a build of its own, not a combination.
  const lean = resolveVariant('nitro-lean');
  assert.ok(lean.defines.includes('STATS_PACKETS_ONLY') && lean.defines.includes('HASH_COMPACT'));
  assert.ok(!allCombinations('nitro').some((v) => v.stem === lean.stem));
  assert.equal(allCombinations('baseline-drop').length, 1);
});

test('unknown variants and switch values are bad input naming what exists', () => {
  const bad = (name: string, re: RegExp) => assert.throws(() => resolveVariant(name),
    (e: unknown) => e instanceof SketchbenchError && e.exitCode === EXIT_BAD_INPUT && re.test(e.message) && !e.message.includes('\n'));
  bad('nitro-fast', /unknown variant 'nitro-fast'; use one of nitro-naive/);
  bad('nitro[sampling=dice]', /sampling=dice is not allowed; use one of coin, geometric/);
  bad('countmin[sampling=coin]', /has no switch 'sampling'/);
  bad('nitro[hashing]', /is not switch=value/);
});

test('validateParams accepts the defaults and refuses what the build cannot hold', () => {
  const d = defaultParams();
  assert.deepEqual({ rows: d.rows, columns: d.columns, p: d.p, n: d.seeds.length }, { rows: 4, columns: 512, p: 1 / 16, n: 8 });
  for (const v of variantNames()) validateParams(d, resolveVariant(v));
  const refuse = (params: object, variant: string, re: RegExp) => assert.throws(
    () => validateParams({ ...d, ...params }, resolveVariant(variant)),
    (e: unknown) => e instanceof SketchbenchError && e.exitCode === EXIT_BAD_INPUT && re.test(e.message) && !e.message.includes('\n'));
  refuse({ rows: 5 }, 'nitro-unrolled', /rows must be an integer from 1 to 4/);
  refuse({ columns: 4096 }, 'nitro-final', /rows x columns must be at most 8192 \(layout=struct: .*\), got 4 x 4096 = 16384/);
  refuse({ rows: 9 }, 'nitro-geo', /rows must be an integer from 1 to 8/);
  refuse({ rows: 0 }, 'countmin', /rows must be/);
  refuse({ columns: 500 }, 'countmin', /columns must be a power of two from 1 to 65536/);
  refuse({ columns: 1 << 16 }, 'nitro-unrolled', /power of two from 1 to 32768 \(2\^15\)/);
  refuse({ p: 0 }, 'nitro-geo', /0 < p <= 1/);
  refuse({ p: 1.5 }, 'nitro-naive', /0 < p <= 1/);
  refuse({ p: Number.NaN }, 'nitro-naive', /0 < p <= 1/);
  refuse({ seeds: [1n, 2n] }, 'nitro-geo', /give 4 to 8 seeds \(one per row\), got 2/);
  refuse({ seeds: [-1n, 2n, 3n, 4n] }, 'nitro-geo', /unsigned 64-bit/);
  // Sliced hashing needs only seeds[0].
  validateParams({ ...d, seeds: [7n] }, resolveVariant('nitro-unrolled'));
  validateParams({ ...d, rows: 8, columns: 1 << 16 }, resolveVariant('countsketch'));
});

test('every named variant and every switch combination compiles with clang', async (t) => {
  try { execFileSync('clang', ['--version'], { stdio: 'ignore' }); } catch {
    return t.skip('clang not installed (apt-get install clang): cannot build variants');
  }
  const m = loadManifest();
  const all = [...variantNames().map((n) => resolveVariant(n)), ...Object.keys(m.families).flatMap(allCombinations)];
  const results = await Promise.all(all.map((v) => compileVariant(v)));
  for (const r of results) {
    // ELF magic: a real object, not an empty file left by an interrupted build.
    assert.deepEqual([...readFileSync(r.objectPath).subarray(0, 4)], [0x7f, 0x45, 0x4c, 0x46], r.variant);
  }
  // Same sources, flags and compiler: the second build is a cache hit.
  assert.equal((await compileVariant(resolveVariant('nitro-geo'))).cached, true);
});

test('a clang error is one build-phase line naming the variant, full stderr in detail', async (t) => {
  try { execFileSync('clang', ['--version'], { stdio: 'ignore' }); } catch {
    return t.skip('clang not installed');
  }
  await assert.rejects(compileVariant(resolveVariant('nitro-geo'), { extraDefines: ['SAMPLING_COIN'] }),
    (e: unknown) => e instanceof SketchbenchError && e.phase === 'build' && /^nitro-geo: clang failed: .*error: .*exclusive/.test(e.message)
      && !e.message.includes('\n') && (e.detail ?? '').includes('sketch_rows.h'));
});

test('build --all-combinations: every combination and every named build once (nitro-lean and nitro-packet are builds of their own)', async () => {
  const { variantsToBuild } = await import('../../harness/cli/commands/build.ts');
  const builds = variantsToBuild([], true);
  assert.equal(new Set(builds.map((v) => v.stem)).size, builds.length);
  // 64 + 16 + 16 combinations, 8 univmon and 64 nitro-univmon ones, 2 baselines, nitro-lean, nitro-packet.
  assert.equal(builds.length, 172);
  assert.ok(builds.some((v) => v.name === 'nitro-lean'));
  assert.ok(builds.some((v) => v.name === 'nitro-packet'));
  assert.ok(builds.some((v) => v.name === 'nitro[sampling=geometric,maps=percpu,hash=fasthash64-compact,order=sample-first,layout=struct]'));
});
