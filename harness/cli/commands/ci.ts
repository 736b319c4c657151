import { existsSync } from 'node:fs';
import type { CommandSpec } from '../command.ts';
import { bool, str } from '../command.ts';
import { runFlags, runSuiteOrFlags } from './run.ts';
import { compareFlags, runCompare } from './compare.ts';
import { printSummary } from '../../run/summary.ts';
import { badInput, EXIT_OK } from '../../errors.ts';
import { requireSystemPackages } from '../../system/packages.ts';
import { abFlags, runAb } from './ab.ts';

/**
 * `npm run bench:ci`: with --base REF (or $SKETCHBENCH_BASE) an A/B of that ref
 * against the working tree in one paired run (`sketchbench ab`), the gate that
 * holds on a noisy host. Otherwise the quick suite, then a comparison with a
 * baseline run folder (--baseline or $SKETCHBENCH_BASELINE); without either the
 * run is kept and named, so it can become one. Exit 1 on a regression.
 */
export const ciCommand: CommandSpec = {
  flags: [
    { name: 'base', type: 'string', arg: 'REF|DIR', description: 'A/B against this git ref or tree in one paired run (default: $SKETCHBENCH_BASE); the recommended gate' },
    { name: 'baseline', type: 'string', arg: 'DIR', description: 'baseline run folder or results file to compare a new run with (default: $SKETCHBENCH_BASELINE)' },
    ...runFlags.map((f) => (f.name === 'suite' ? { ...f, default: 'quick' } : f)),
    ...compareFlags,
  ],
  async run(flags) {
    const base = str(flags, 'base') ?? process.env.SKETCHBENCH_BASE;
    if (base) {
      requireSystemPackages();
      const known = new Set(abFlags.map((f) => f.name));
      const abOnly = Object.fromEntries(Object.entries(flags).filter(([k]) => known.has(k)));
      return runAb({ ...abOnly, base });
    }
    const baseline = str(flags, 'baseline') ?? process.env.SKETCHBENCH_BASELINE;
    if (baseline && !existsSync(baseline)) throw badInput(`baseline ${baseline} does not exist; give a run folder from an earlier 'sketchbench run' or 'ci'`);
    requireSystemPackages();
    const { outDir, results } = await runSuiteOrFlags(flags);
    if (!bool(flags, 'quiet')) printSummary(results);
    if (!baseline) {
      process.stderr.write(`\nno baseline given (--baseline or SKETCHBENCH_BASELINE): nothing compared.\nthis run can be the next baseline: ${outDir}\n`);
      return EXIT_OK;
    }
    process.stderr.write(`\ncomparing ${baseline} (baseline) with ${outDir}\n`);
    return runCompare(baseline, outDir, flags);
  },
};
