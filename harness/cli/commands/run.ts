import type { CommandSpec } from '../command.ts';
import { bool, cpuList, int, list, num, str } from '../command.ts';
import { normalizeRunOptions, type RunRequest } from '../../run/options.ts';
import { runPlan } from '../../run/runner.ts';
import { printSummary } from '../../run/summary.ts';
import { progressMode } from '../../run/progress.ts';
import { DEFAULT_TRACE, ensureGeneratedTrace } from '../../run/default-trace.ts';
import { loadSuite, type Suite } from '../../suites/suites.ts';
import type { ResultsFile } from '../../types/results.ts';

export const runFlags: CommandSpec['flags'] = [
  { name: 'variants', type: 'string', multiple: true, arg: 'A,B,...', description: 'variants to measure (named or family[switch=value,...]); default: every named variant' },
  { name: 'trace', type: 'string', arg: 'FILE', description: 'a .trace file; default: a generated Zipf-1.1 trace (100k flows, 2M packets)' },
  { name: 'suite', type: 'string', arg: 'NAME|FILE', description: 'a built-in suite (default, quick, univmon) or a suite file; other flags override it' },
  { name: 'metrics', type: 'string', multiple: true, arg: 'M,...', description: 'program, cost, throughput, accuracy (default: program,cost,throughput)' },
  { name: 'reps', type: 'string', arg: 'N', description: 'repetitions per variant and metric (default: 5)' },
  { name: 'cost-reps', type: 'string', arg: 'N', description: 'cost repetitions, each one pass of the trace in paired slices (default: 20)' },
  { name: 'out', type: 'string', arg: 'DIR', description: 'run folder; default: results/<timestamp>' },
  { name: 'rows', type: 'string', arg: 'N', description: 'sketch rows (default: 4)' },
  { name: 'columns', type: 'string', arg: 'N', description: 'sketch columns, a power of two (default: 512)' },
  { name: 'p', type: 'string', arg: 'P', description: 'NitroSketch update probability, 0 < p <= 1 (default: 0.0625)' },
  { name: 'layers', type: 'string', arg: 'N', description: 'UnivMon layers, 1 to 32 (default: 16)' },
  { name: 'topk', type: 'string', arg: 'K', description: 'UnivMon keys listed per layer in the kernel, 1 to 32 (default: 16)' },
  { name: 'duration', type: 'string', arg: 'S', description: 'throughput: seconds per sample (default: 2)' },
  { name: 'max-loss', type: 'string', arg: 'X', description: 'throughput: search the highest rate with loss <= X (e.g. 0.02)' },
  { name: 'action', type: 'string', arg: 'A', description: 'what every program does with a packet: drop, pass, tx (back to the generator) or redirect (to a third veth, counted) (default: drop)' },
  { name: 'generator', type: 'string', arg: 'NAME', description: "throughput's traffic generator: xdp-live (built in), tcpreplay, dpdk, pktgen-dpdk, moongen, pktgen ('sketchbench doctor' lists which run here) (default: xdp-live)" },
  { name: 'dut-iface', type: 'string', arg: 'IF', description: 'a link testbed: the DUT receives on this interface of yours (with --gen-iface; nothing else on it is changed)' },
  { name: 'dut-netns', type: 'string', arg: 'NS', description: "--dut-iface's network namespace (default: this host's)" },
  { name: 'gen-iface', type: 'string', arg: 'IF', description: 'a link testbed: the generator sends on this interface' },
  { name: 'gen-netns', type: 'string', arg: 'NS', description: "--gen-iface's network namespace (default: this host's)" },
  { name: 'gen-host', type: 'string', arg: 'USER@HOST', description: 'a link testbed whose generator (tcpreplay or dpdk) runs on another host, reached with ssh from the DUT; --gen-iface is that host\'s' },
  { name: 'ssh-config', type: 'string', arg: 'FILE', description: 'an ssh_config for --gen-host (default: your own)' },
  { name: 'dut-cpus', type: 'string', multiple: true, arg: 'CPU,...', description: 'DUT cores: one veth queue and one pinned NAPI kthread per core; with several, the generator may share them (default: 0)' },
  { name: 'dut-cpu', type: 'string', arg: 'CPU', description: 'one DUT core (the same as --dut-cpus CPU)', hidden: true },
  { name: 'gen-cpu', type: 'string', multiple: true, arg: 'CPU,...', description: 'generator cores, one thread each (default: 1)' },
  { name: 'cost-cpu', type: 'string', arg: 'CPU', description: 'core the cost replay runs on (default: 1)' },
  { name: 'reference', type: 'string', multiple: true, arg: 'NAME,...', description: 'variants that paired ratios (cost, throughput) are taken against (default: the first named)' },
  { name: 'fixed-hash-seeds', type: 'boolean', description: 'accuracy: keep the hash seeds in every repetition (default: a new draw per repetition, shared by all variants)' },
  { name: 'slowdown-rounds', type: 'string', arg: 'N', description: 'extra hash rounds per packet, to check the regression gate (tests only)', hidden: true },
  { name: 'quiet', type: 'boolean', description: 'no progress output' },
  { name: 'json', type: 'boolean', description: 'progress as JSON lines on stderr, {summary, ratios} as JSON on stdout' },
];

export function runRequestFromFlags(flags: Parameters<CommandSpec['run']>[0]): Omit<RunRequest, 'tracePath'> & { tracePath?: string } {
  return {
    variants: list(flags, 'variants'),
    tracePath: str(flags, 'trace'),
    metrics: list(flags, 'metrics'),
    reps: int(flags, 'reps', { min: 1 }),
    costRepetitions: int(flags, 'cost-reps', { min: 1, max: 1000 }),
    outDir: str(flags, 'out'),
    rows: int(flags, 'rows'),
    columns: int(flags, 'columns'),
    p: num(flags, 'p'),
    layers: int(flags, 'layers'),
    topk: int(flags, 'topk'),
    durationS: num(flags, 'duration'),
    maxLoss: num(flags, 'max-loss'),
    action: str(flags, 'action'),
    generator: str(flags, 'generator'),
    dutIface: str(flags, 'dut-iface'),
    dutNetns: str(flags, 'dut-netns'),
    genIface: str(flags, 'gen-iface'),
    genNetns: str(flags, 'gen-netns'),
    genHost: str(flags, 'gen-host'),
    sshConfig: str(flags, 'ssh-config'),
    dutCpus: cpuList(flags, 'dut-cpus') ?? (int(flags, 'dut-cpu') === undefined ? undefined : [int(flags, 'dut-cpu')!]),
    genCpus: cpuList(flags, 'gen-cpu'),
    costCpu: int(flags, 'cost-cpu'),
    extraHashRounds: int(flags, 'slowdown-rounds', { min: 0, max: 64 }),
    fixedHashSeeds: bool(flags, 'fixed-hash-seeds') || undefined,
    reference: list(flags, 'reference').length ? list(flags, 'reference') : undefined,
    progress: progressMode({ quiet: bool(flags, 'quiet'), json: bool(flags, 'json') }),
  };
}

/** A suite's settings, then the flags the user typed on top. */
export function mergeSuite(suite: Suite | undefined, req: ReturnType<typeof runRequestFromFlags>): ReturnType<typeof runRequestFromFlags> {
  if (!suite) return req;
  const pick = <T,>(flag: T | undefined, fromSuite: T | undefined) => (flag === undefined || (Array.isArray(flag) && flag.length === 0) ? fromSuite : flag);
  return {
    ...req,
    suite: suite.name,
    variants: pick(req.variants, suite.variants),
    metrics: pick(req.metrics, suite.metrics),
    reps: pick(req.reps, suite.reps),
    costRepetitions: pick(req.costRepetitions, suite.cost?.reps),
    rows: pick(req.rows, suite.params?.rows),
    columns: pick(req.columns, suite.params?.columns),
    p: pick(req.p, suite.params?.p),
    durationS: pick(req.durationS, suite.throughput?.durationS),
    maxLoss: pick(req.maxLoss, suite.throughput?.maxLoss),
    action: pick(req.action, suite.throughput?.action),
    generator: pick(req.generator, suite.throughput?.generator),
    reference: pick(req.reference, suite.reference === undefined ? undefined : [suite.reference].flat()),
    // Naming variants or metrics narrows the run: the suite's sweeps would widen it again.
    sweeps: req.variants?.length || req.metrics?.length ? undefined : suite.sweeps,
    micro: suite.micro,
    tracePath: req.tracePath ?? (suite.trace && 'file' in suite.trace ? suite.trace.file : undefined),
  };
}

/** The trace a request runs over (generated when needed) and, for a generated one, its seed. */
export function traceOf(req: { tracePath?: string }, suite: Suite | undefined): { tracePath: string; traceSeed?: number } {
  const tracePath = resolveTrace(req, suite, (l) => process.stderr.write(l + '\n'));
  const traceSeed = req.tracePath ? undefined : (suite?.trace && 'generate' in suite.trace ? suite.trace.generate : DEFAULT_TRACE).seed;
  return { tracePath, traceSeed };
}

/** Resolve the trace: a file, the suite's generated trace, or the default one. */
export function resolveTrace(req: { tracePath?: string }, suite: Suite | undefined, log: (l: string) => void): string {
  if (req.tracePath) return req.tracePath;
  const spec = suite?.trace && 'generate' in suite.trace ? suite.trace.generate : DEFAULT_TRACE;
  return ensureGeneratedTrace(spec, log);
}

export async function runSuiteOrFlags(flags: Parameters<CommandSpec['run']>[0]): Promise<{ outDir: string; results: ResultsFile }> {
  const suiteName = str(flags, 'suite');
  const suite = suiteName ? loadSuite(suiteName) : undefined;
  const req = mergeSuite(suite, runRequestFromFlags(flags));
  const opts = normalizeRunOptions({ ...req, ...traceOf(req, suite) });
  const results = await runPlan(opts, process.argv.slice(2));
  return { outDir: opts.outDir, results };
}

export const runCommand: CommandSpec = {
  flags: runFlags,
  async run(flags) {
    const { outDir, results } = await runSuiteOrFlags(flags);
    printSummary(results, { json: bool(flags, 'json') });
    process.stderr.write(`results: ${outDir}\n`);
    return 0;
  },
};
