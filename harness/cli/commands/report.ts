import { basename, join, resolve } from 'node:path';
import type { CommandSpec } from '../command.ts';
import { str } from '../command.ts';
import { badInput } from '../../errors.ts';
import { reportsDir } from '../../paths.ts';
import { writeReport } from '../../report/index.ts';

export const reportCommand: CommandSpec = {
  positionals: ['RESULTS'],
  flags: [{ name: 'out', type: 'string', arg: 'DIR', description: 'report folder (default: reports/<name of the run>)' }],
  async run(flags, positionals) {
    if (positionals.length !== 1) throw badInput('expected one RESULTS argument: a run folder, results.json or results.jsonl');
    const input = positionals[0];
    const name = basename(resolve(input)).replace(/\.(jsonl?)$/, '');
    const out = str(flags, 'out') ?? join(reportsDir, name === 'results' ? basename(resolve(input, '..')) : name);
    const r = await writeReport(input, out);
    for (const w of r.warnings) console.error(`warning: ${w}`);
    console.log(`report: ${r.indexHtml}`);
    console.log(`figures: ${r.figures.length} in ${join(r.outDir, 'figures')} (svg, png, pdf, vl.json)` +
      (r.skipped.length ? `; skipped for lack of data: ${r.skipped.map((s) => s.id).join(', ')}` : ''));
    return 0;
  },
};
