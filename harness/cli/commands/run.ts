import type { Command } from '../command.ts';
import { bool, int, list, num, str } from '../command.ts';
import { normalizeRunOptions, type RunRequest } from '../../run/options.ts';
import { runPlan } from '../../run/runner.ts';
import { printSummary } from '../../run/summary.ts';
import { progressMode } from '../../run/progress.ts';
import { DEFAULT_TRACE, ensureGeneratedTrace } from '../../run/default-trace.ts';

export const runFlags: Command['flags'] = [
  { name: 'variants', type: 'string', multiple: true, arg: 'A,B,...', description: 'variants to measure (named or family[switch=value,...]); default: every named variant' },
  { name: 'trace', type: 'string', arg: 'FILE', description: 'a .trace file; default: a generated Zipf-1.1 trace (100k flows, 2M packets)' },
  { name: 'metrics', type: 'string', multiple: true, arg: 'M,...', description: 'program, cost, throughput, accuracy', default: 'program,cost,throughput' },
  { name: 'reps', type: 'string', arg: 'N', description: 'repetitions per variant and metric', default: '5' },
  { name: 'out', type: 'string', arg: 'DIR', description: 'run folder; default: results/<timestamp>' },
  { name: 'rows', type: 'string', arg: 'N', description: 'sketch rows', default: '4' },
  { name: 'columns', type: 'string', arg: 'N', description: 'sketch columns (a power of two)', default: '512' },
  { name: 'p', type: 'string', arg: 'P', description: 'NitroSketch update probability, 0 < p <= 1', default: '0.0625' },
  { name: 'duration', type: 'string', arg: 'S', description: 'throughput: seconds per sample', default: '2' },
  { name: 'max-loss', type: 'string', arg: 'X', description: 'throughput: search the highest rate with loss <= X (e.g. 0.02)' },
  { name: 'dut-cpu', type: 'string', arg: 'CPU', description: 'core of the DUT veth NAPI kthread', default: '0' },
  { name: 'gen-cpu', type: 'string', multiple: true, arg: 'CPU,...', description: 'generator cores (one thread each)', default: '1' },
  { name: 'cost-cpu', type: 'string', arg: 'CPU', description: 'core the cost replay runs on', default: '1' },
  { name: 'slowdown-rounds', type: 'string', arg: 'N', description: 'TEST ONLY: extra hash rounds per packet, to check the regression gate' },
  { name: 'quiet', type: 'boolean', description: 'no progress output' },
  { name: 'json', type: 'boolean', description: 'progress as JSON lines on stderr, the summary as JSON on stdout' },
];

export function runRequestFromFlags(flags: Parameters<Command['run']>[0]): Omit<RunRequest, 'tracePath'> & { tracePath?: string } {
  return {
    variants: list(flags, 'variants'),
    tracePath: str(flags, 'trace'),
    metrics: list(flags, 'metrics'),
    reps: int(flags, 'reps', { min: 1 }),
    outDir: str(flags, 'out'),
    rows: int(flags, 'rows'),
    columns: int(flags, 'columns'),
    p: num(flags, 'p'),
    durationS: num(flags, 'duration'),
    maxLoss: num(flags, 'max-loss'),
    dutCpu: int(flags, 'dut-cpu'),
    genCpus: list(flags, 'gen-cpu').map(Number),
    costCpu: int(flags, 'cost-cpu'),
    extraHashRounds: int(flags, 'slowdown-rounds', { min: 0, max: 64 }),
    progress: progressMode({ quiet: bool(flags, 'quiet'), json: bool(flags, 'json') }),
  };
}

export const runCommand: Command = {
  path: ['run'],
  summary: 'measure variants over a trace in the kernel: cost, throughput, accuracy, program size',
  flags: runFlags,
  async run(flags) {
    const req = runRequestFromFlags(flags);
    const tracePath = req.tracePath ?? ensureGeneratedTrace(DEFAULT_TRACE, (l) => process.stderr.write(l + '\n'));
    const opts = normalizeRunOptions({ ...req, tracePath });
    const results = await runPlan(opts, process.argv.slice(2));
    printSummary(results, { json: bool(flags, 'json') });
    process.stderr.write(`results: ${opts.outDir}\n`);
    return 0;
  },
};
