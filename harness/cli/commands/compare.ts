import { appendFileSync } from 'node:fs';
import type { CommandSpec, ParsedFlags } from '../command.ts';
import { bool, list, num, str } from '../command.ts';
import { badInput, EXIT_FAILURE, EXIT_OK } from '../../errors.ts';
import { loadResults } from '../../results/reader.ts';
import { writeFileAtomic } from '../../results/writer.ts';
import { COMPARABLE_KINDS, compareResults, type ComparableKind } from '../../compare/compare.ts';
import { bencherExporter, gabBiggerExporter, gabSmallerExporter, markdownExporter, type Exporter } from '../../compare/exporters/index.ts';

export const FILE_EXPORTS: [flag: string, exporter: Exporter][] = [
  ['markdown', markdownExporter],
  ['gab-smaller', gabSmallerExporter],
  ['gab-bigger', gabBiggerExporter],
  ['bencher', bencherExporter],
];

export const compareFlags: CommandSpec['flags'] = [
  { name: 'threshold', type: 'string', arg: 'PCT', description: 'smallest relative change that counts, in percent (default: 5 for compare, 2 for an A/B run)' },
  { name: 'metric', type: 'string', multiple: true, arg: 'KIND', description: `metric kinds to compare: ${COMPARABLE_KINDS.join(', ')} (default: all)` },
  { name: 'markdown', type: 'string', arg: 'FILE', description: 'write a Markdown table (also appended to $GITHUB_STEP_SUMMARY when set)' },
  { name: 'gab-smaller', type: 'string', arg: 'FILE', description: 'write github-action-benchmark customSmallerIsBetter JSON' },
  { name: 'gab-bigger', type: 'string', arg: 'FILE', description: 'write github-action-benchmark customBiggerIsBetter JSON' },
  { name: 'bencher', type: 'string', arg: 'FILE', description: 'write Bencher Metric Format (BMF) JSON' },
];

/** Compare two runs, write the requested exports, print; returns the exit code. */
export function runCompare(basePath: string, curPath: string, flags: ParsedFlags): number {
  const threshold = num(flags, 'threshold') ?? 5;
  if (threshold < 0) throw badInput(`--threshold must be >= 0, got ${threshold}`);
  const kinds = list(flags, 'metric');
  for (const k of kinds) if (!(COMPARABLE_KINDS as readonly string[]).includes(k)) throw badInput(`--metric must be one of ${COMPARABLE_KINDS.join(', ')}, got '${k}'`);
  const base = loadResults(basePath);
  const cur = loadResults(curPath);
  for (const w of [...base.warnings, ...cur.warnings]) console.error(`warning: ${w}`);
  const c = compareResults(base, cur, { thresholdPct: threshold, kinds: kinds as ComparableKind[] });
  if (c.rows.length === 0) throw badInput(`${base.source} and ${cur.source} share no (variant, metric, params) cell to compare`);
  for (const [flag, exp] of FILE_EXPORTS) {
    const file = str(flags, flag);
    if (file) writeFileAtomic(file, exp.render(c));
  }
  const md = markdownExporter.render(c);
  if (process.env.GITHUB_STEP_SUMMARY) appendFileSync(process.env.GITHUB_STEP_SUMMARY, md + '\n');
  console.log(bool(flags, 'json') ? JSON.stringify(c, null, 2) : md);
  return c.regressions > 0 ? EXIT_FAILURE : EXIT_OK;
}

export const compareCommand: CommandSpec = {
  positionals: ['BASELINE', 'CURRENT'],
  flags: [...compareFlags, { name: 'json', type: 'boolean', description: 'print the comparison as JSON instead of a table' }],
  async run(flags, positionals) {
    if (positionals.length !== 2) throw badInput('expected two arguments: BASELINE CURRENT (run folders or results files)');
    return runCompare(positionals[0], positionals[1], flags);
  },
};
