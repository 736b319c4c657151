import { basename, join } from 'node:path';
import type { CommandSpec } from '../command.ts';
import { bool } from '../command.ts';
import { runFlags, runSuiteOrFlags } from './run.ts';
import { printSummary } from '../../run/summary.ts';
import { writeReport } from '../../report/index.ts';
import { reportsDir } from '../../paths.ts';
import { requireSystemPackages } from '../../system/packages.ts';

/** `npm run bench`: the default suite, then its report. */
export const benchCommand: CommandSpec = {
  flags: runFlags.map((f) => (f.name === 'suite' ? { ...f, default: 'default' } : f)),
  async run(flags) {
    requireSystemPackages();
    const t0 = Date.now();
    const { outDir, results } = await runSuiteOrFlags(flags);
    if (!bool(flags, 'quiet')) printSummary(results, { json: bool(flags, 'json') });
    const report = await writeReport(outDir, join(reportsDir, basename(outDir)));
    for (const w of report.warnings) process.stderr.write(`warning: ${w}\n`);
    const mins = ((Date.now() - t0) / 60000).toFixed(1);
    process.stderr.write(`\nresults: ${outDir}\nreport:  ${report.indexHtml}\n(${results.rows.length} rows, ${report.figures.length} figures, ${mins} min)\n`);
    return 0;
  },
};
