import { appendFileSync } from 'node:fs';
import type { CommandSpec } from '../command.ts';
import { bool, num, str } from '../command.ts';
import { runFlags, runRequestFromFlags, mergeSuite, traceOf } from './run.ts';
import { FILE_EXPORTS } from './compare.ts';
import { normalizeRunOptions, type VariantSpec } from '../../run/options.ts';
import { runPlan } from '../../run/runner.ts';
import { printSummary } from '../../run/summary.ts';
import { loadSuite } from '../../suites/suites.ts';
import { resolveVariant } from '../../build/manifest.ts';
import { isProgramPath, resolveExternal } from '../../build/external.ts';
import { resolve as resolvePath } from 'node:path';
import { LoadedVariant } from '../../build/load-variant.ts';
import { openBaseTree } from '../../ab/base-tree.ts';
import { abVerdicts, BASE_SUFFIX } from '../../ab/ab-verdicts.ts';
import { markdownExporter } from '../../compare/exporters/index.ts';
import { writeFileAtomic } from '../../results/writer.ts';
import { loadResults } from '../../results/reader.ts';
import { badInput, EXIT_FAILURE, EXIT_OK, SketchbenchError } from '../../errors.ts';

const AB_GROUPS = ['cost', 'throughput'];
/** Paired intervals here are about +-1% (cost): a 2% threshold flags real 5% changes and not the noise (docs/measurement.md). */
export const AB_DEFAULT_THRESHOLD = 2;
/**
 * Cost passes of an A/B run unless --cost-reps says otherwise. Each pass reloads both
 * builds, and a real change's size moves between passes with the host's state (a 5%
 * change measured 2% to 9% pass by pass here), so passes, not blocks, limit what the
 * gate can be sure of: with 10, 5 of 6 runs caught a 4-7% slower base, with 20, 6 of 6,
 * at no false alarm in 13 identical runs and about 2.5 minutes a run (docs/measurement.md).
 */
export const AB_COST_REPS = 20;

export const abFlags: CommandSpec['flags'] = [
  { name: 'base', type: 'string', arg: 'REF|DIR', description: 'the base tree: a git ref of this checkout (e.g. main, HEAD~1) or a directory holding a sketchbench tree' },
  ...runFlags.filter((f) => !['metrics', 'json'].includes(f.name)).map((f) => (f.name === 'suite' ? { ...f, default: 'quick' } : f)),
  { name: 'metrics', type: 'string', multiple: true, arg: 'M,...', description: 'cost, throughput (default: both)' },
  { name: 'threshold', type: 'string', arg: 'PCT', description: 'a regression is a change surely beyond this many percent', default: String(AB_DEFAULT_THRESHOLD) },
  { name: 'markdown', type: 'string', arg: 'FILE', description: 'write a Markdown table (also appended to $GITHUB_STEP_SUMMARY when set)' },
  { name: 'gab-smaller', type: 'string', arg: 'FILE', description: 'write github-action-benchmark customSmallerIsBetter JSON' },
  { name: 'gab-bigger', type: 'string', arg: 'FILE', description: 'write github-action-benchmark customBiggerIsBetter JSON' },
  { name: 'bencher', type: 'string', arg: 'FILE', description: 'write Bencher Metric Format (BMF) JSON' },
  { name: 'json', type: 'boolean', description: 'print the comparison as JSON instead of a table' },
];

/**
 * A/B in one run: the variants of a base tree and of this working tree, loaded
 * side by side and measured interleaved (paired slices), then per variant and
 * metric the ratio current/base with its interval and a verdict. Exit 1 on a
 * regression surely beyond the threshold, 0 otherwise, 2 on bad input.
 */
export async function runAb(flags: Parameters<CommandSpec['run']>[0]): Promise<number> {
  const baseArg = str(flags, 'base');
  if (!baseArg) throw badInput("ab needs --base REF|DIR: a git ref of this checkout or a directory with a sketchbench tree");
  const threshold = num(flags, 'threshold') ?? AB_DEFAULT_THRESHOLD;
  if (!(threshold >= 0 && threshold < 100)) throw badInput(`--threshold must be a percentage in [0, 100), got ${threshold}`);
  const suiteName = str(flags, 'suite') ?? 'quick';
  const suite = loadSuite(suiteName);
  const req = mergeSuite(suite, runRequestFromFlags(flags));
  const metrics = (req.metrics ?? AB_GROUPS).filter((m) => AB_GROUPS.includes(m));
  const typed = flags.metrics !== undefined;
  if (typed && metrics.length === 0) throw badInput(`ab measures ${AB_GROUPS.join(' and ')}; --metrics named neither`);
  const programFiles = (req.variants ?? []).filter(isProgramPath).map((f) => resolvePath(f));
  const base = await openBaseTree(baseArg, programFiles);
  try {
    const { tracePath, traceSeed } = traceOf(req, suite);
    const costRepetitions = flags['cost-reps'] === undefined ? AB_COST_REPS : req.costRepetitions;
    const opts = normalizeRunOptions({ ...req, costRepetitions, metrics: typed ? metrics : AB_GROUPS, sweeps: undefined, tracePath, traceSeed, suite: `ab:${suite.name}` });
    const main = opts.phases[0];
    const onlyInCurrent: string[] = [];
    const paired: VariantSpec[] = [];
    for (const spec of main.variants) {
      let baseVariant;
      let step = 'has no such variant';
      try {
        const ext = spec.variant.external;
        if (ext && !base.programs.has(ext.file)) throw badInput(`no ${ext.file} there`);
        baseVariant = ext ? resolveExternal(base.programs.get(ext.file)!) : resolveVariant(spec.variant.name, base.root);
        // Built and opened once before the run: a base whose kernel/user contract this
        // harness no longer speaks (a struct it reads or writes changed) is named here,
        // not found half way through the measurement.
        step = 'cannot be loaded by this harness';
        (await LoadedVariant.load(baseVariant, spec.params)).close();
      } catch (err) {
        if (err instanceof SketchbenchError) {
          process.stderr.write(`ab: ${spec.variant.name} is measured on this tree only: the base ${step} (${err.message.split('\n')[0]})\n`);
          onlyInCurrent.push(spec.variant.name);
          continue;
        }
        throw err;
      }
      // The test-only slowdown applies to this tree's side alone.
      paired.push({ ...spec, variant: { ...baseVariant, name: spec.variant.name + BASE_SUFFIX }, extraHashRounds: undefined });
    }
    opts.phases = [{ ...main, variants: [...main.variants, ...paired] }];
    opts.envExtra = { abBase: base.label, abBaseCommit: base.commit ?? 'a directory' };
    process.stderr.write(`ab: ${main.variants.length} variants of this tree against ${paired.length} of ${base.label}${base.commit ? ` (${base.commit.slice(0, 12)})` : ''}, interleaved in one run\n`);
    const results = await runPlan(opts, process.argv.slice(2));
    if (!bool(flags, 'quiet')) printSummary(results);
    const c = abVerdicts({
      rows: results.rows, slices: loadResults(opts.outDir).slices, names: paired.map((p) => p.variant.name.slice(0, -BASE_SUFFIX.length)),
      thresholdPct: threshold, alpha: 0.05,
      base: { name: base.label, source: base.root, suite: opts.suite, gitCommit: base.commit ?? base.label, traces: [opts.tracePath] },
      current: { name: 'working tree', source: opts.outDir, suite: opts.suite, gitCommit: String(results.env.gitCommit), traces: [opts.tracePath] },
      onlyInCurrent, onlyInBase: [],
    });
    for (const [flag, exp] of FILE_EXPORTS) {
      const file = str(flags, flag);
      if (file) writeFileAtomic(file, exp.render(c));
    }
    writeFileAtomic(`${opts.outDir}/ab.json`, JSON.stringify(c, null, 2) + '\n');
    const md = markdownExporter.render(c);
    if (process.env.GITHUB_STEP_SUMMARY) appendFileSync(process.env.GITHUB_STEP_SUMMARY, md + '\n');
    console.log(bool(flags, 'json') ? JSON.stringify(c, null, 2) : md);
    process.stderr.write(`results: ${opts.outDir}\n`);
    return c.regressions > 0 ? EXIT_FAILURE : EXIT_OK;
  } finally {
    base.dispose();
  }
}

export const abCommand: CommandSpec = {
  flags: abFlags,
  run: (flags) => runAb(flags),
};
