import { cpus } from 'node:os';
import { join } from 'node:path';
import type { CommandSpec } from '../command.ts';
import { bool, int, list, str } from '../command.ts';
import { badInput } from '../../errors.ts';
import { resultsDir } from '../../paths.ts';
import { FAMILIES, ENVS, MICRO_BLOCKS, MICRO_REPS, MICRO_SLICE_NS, MICRO_TRACE, references, selectGroups, type MicroEnv } from '../../micro/groups.ts';
import { runMicro } from '../../micro/campaign.ts';
import { RunWriter } from '../../results/writer.ts';
import { runStatistics } from '../../analyse/run-statistics.ts';
import { formatLoopCosts, formatMicroTable, microTable } from '../../analyse/micro-table.ts';
import { collectEnv } from '../../run/env.ts';
import { timestampName } from '../../run/options.ts';

export const microCommand: CommandSpec = {
  flags: [
    { name: 'family', type: 'string', multiple: true, arg: 'LIST', description: `families to run: ${FAMILIES.join(',')} (default: all)` },
    { name: 'env', type: 'string', arg: 'LIST', description: 'ebpf, native or both (default: ebpf,native)' },
    { name: 'reps', type: 'string', arg: 'N', description: `repetitions; each is --blocks paired blocks (default: ${MICRO_REPS})` },
    { name: 'blocks', type: 'string', arg: 'N', description: `paired blocks per repetition (default: ${MICRO_BLOCKS})` },
    { name: 'slice-us', type: 'string', arg: 'US', description: `target length of one slice in microseconds (default: ${MICRO_SLICE_NS / 1000})` },
    { name: 'cpu', type: 'string', arg: 'N', description: 'CPU both sides run on (default: the last one)' },
    { name: 'seed', type: 'string', arg: 'N', description: 'seed of the inputs and block orders (default: 1)' },
    { name: 'out', type: 'string', arg: 'DIR', description: 'run folder (default: results/<timestamp>-micro)' },
    { name: 'json', type: 'boolean', description: 'print {summary, ratios, table} as JSON on stdout' },
  ],
  async run(flags) {
    const families = list(flags, 'family');
    for (const f of families) if (!(FAMILIES as readonly string[]).includes(f)) throw badInput(`--family: unknown family '${f}' (${FAMILIES.join(', ')})`);
    const envs = (str(flags, 'env') ?? ENVS.join(',')).split(',').map((e) => e.trim());
    for (const e of envs) if (!(ENVS as string[]).includes(e)) throw badInput(`--env: unknown environment '${e}' (ebpf, native)`);
    const ncpu = cpus().length;
    const opts = {
      groups: selectGroups(families),
      envs: envs as MicroEnv[],
      reps: int(flags, 'reps', { min: 1, max: 1000 }) ?? MICRO_REPS,
      blocks: int(flags, 'blocks', { min: 1, max: 10000 }) ?? MICRO_BLOCKS,
      sliceNs: 1000 * (int(flags, 'slice-us', { min: 10, max: 100_000 }) ?? MICRO_SLICE_NS / 1000),
      cpu: int(flags, 'cpu', { min: 0, max: ncpu - 1 }) ?? ncpu - 1,
      seed: int(flags, 'seed', { min: 0 }) ?? 1,
    };
    const reference = references(opts.groups);
    const env = { ...(await collectEnv('micro', [opts.seed], process.argv.slice(2))), reference };
    const outDir = str(flags, 'out') ?? join(resultsDir, `${timestampName()}-micro`);
    const writer = RunWriter.open(outDir, { env, suite: 'micro' });
    const stats = () => runStatistics({ rows: writer.rows, slices: writer.slices, env: writer.env });
    const t0 = Date.now();
    await runMicro(opts, (g, e, r) => {
      writer.append(r.rows.map((row) => ({ ...row, trace: MICRO_TRACE })));
      writer.appendSlices(r.slices);
      writer.checkpoint(stats());
      const line = `micro: ${g.name} ${e}: ${r.slices.length} slices (${((Date.now() - t0) / 1000).toFixed(1)} s)`;
      writer.log(line);
      if (!bool(flags, 'json')) process.stderr.write(line + '\n');
    });
    const final = writer.finish(stats());
    const table = microTable(final.summary, final.ratios);
    if (bool(flags, 'json')) console.log(JSON.stringify({ summary: final.summary, ratios: final.ratios, table }, null, 2));
    else {
      console.log(formatMicroTable(table));
      console.log('\n' + formatLoopCosts(final.summary));
      console.log(`\nop_ns: median over ${opts.reps} repetitions of ${opts.blocks} paired blocks, the loop without the operation subtracted per block; x ref: median of per-block ratios to the group's reference (${reference.join(', ')}); #: rank, 1 = cheapest.`);
    }
    process.stderr.write(`results: ${outDir} (${((Date.now() - t0) / 1000).toFixed(1)} s)\n`);
    return 0;
  },
};
