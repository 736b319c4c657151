/**
 * Run options: normalized and validated in one place, before any kernel object
 * exists (execa style). The CLI and suites both produce a RunOptions.
 */
import { selectGroups, MICRO_BLOCKS, MICRO_REPS, type MicroGroup } from '../micro/groups.ts';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { cpus } from 'node:os';
import { badInput } from '../errors.ts';
import { paramsFor, resolveVariantRef } from '../build/external.ts';
import { ACTIONS, type Action } from '../kernel/layout.ts';
import { generatorDriver } from '../traffic/generators/index.ts';
import { defaultParams, resolveVariant, validateParams, variantNames, type ResolvedVariant, type SketchParams } from '../build/manifest.ts';
import { MEASUREMENTS } from '../measure/index.ts';
import { resultsDir } from '../paths.ts';
import type { ProgressMode } from './progress.ts';
import { OVERHEAD_VARIANT } from '../types/results.ts';

export interface VariantSpec {
  variant: ResolvedVariant;
  params: SketchParams;
  /** Test-only slowdown: extra hash rounds per packet. */
  extraHashRounds?: number;
}

/** A set of variants measured with a set of metrics; a sweep adds phases. */
export interface Phase {
  label: string;
  variants: VariantSpec[];
  metrics: string[];
  /** A DUT-cores sweep's phase: its own cores, and `dutCores` recorded in its throughput rows. */
  cpus?: { dut: number[]; gen: number[] };
}

export interface RunOptions {
  suite: string;
  phases: Phase[];
  tracePath: string;
  reps: number;
  /** Repetitions of a measurement group: cost has its own count (paired slices are cheap, and its intervals need many). */
  repsFor(group: string): number;
  outDir: string;
  cpus: { dut: number[]; gen: number[]; cost: number };
  durationS: number;
  maxLoss?: number;
  /** What every program does with a packet (default drop). */
  action: Action;
  /** Throughput's traffic generator (default xdp-live). */
  generator: string;
  /** A link testbed (--dut-iface, --gen-iface, the generator on --gen-host over ssh); absent: veth. */
  link?: LinkSpec;
  fixedHashSeeds: boolean;
  /** Variants the paired ratios are taken against. */
  reference: string[];
  seeds: number[];
  progress: ProgressMode;
  /** More facts for results' env (an A/B run names its base here). */
  envExtra?: Record<string, unknown>;
  /** Primitives to micro-benchmark after the phases (a suite's `micro` section). */
  micro?: MicroPlan;
}

export interface MicroPlan {
  groups: MicroGroup[];
  reps: number;
  blocks: number;
}

/** What a user (flags or a suite file) may say; everything optional. */
export interface RunRequest {
  suite?: string;
  variants?: string[];
  tracePath: string;
  metrics?: string[];
  reps?: number;
  /** Repetitions of the cost measurement (default: 20, each one pass of the trace in paired slices). */
  costRepetitions?: number;
  outDir?: string;
  rows?: number;
  columns?: number;
  p?: number;
  /** UnivMon: layers and keys listed per layer (other families ignore them). */
  layers?: number;
  topk?: number;
  /** DUT cores: one NAPI thread (and veth queue) per core. */
  dutCpus?: number[];
  genCpus?: number[];
  costCpu?: number;
  durationS?: number;
  maxLoss?: number;
  action?: string;
  generator?: string;
  dutIface?: string;
  dutNetns?: string;
  genIface?: string;
  genNetns?: string;
  genHost?: string;
  sshConfig?: string;
  extraHashRounds?: number;
  fixedHashSeeds?: boolean;
  /** References of the paired ratios (default: the first variant named). */
  reference?: string[];
  sweeps?: SweepRequest[];
  /** Seed of the generated trace, when the trace was generated. */
  traceSeed?: number;
  micro?: { families?: string[]; reps?: number; blocks?: number };
  progress: ProgressMode;
}

/** One parameter swept over values for some variants (suite files). */
export interface SweepRequest {
  variants: string[];
  /** A sketch parameter (layers and topk: UnivMon's; other families ignore them), or `dutCores`: the DUT's cores (a phase per value, each its own testbed). */
  param: 'p' | 'columns' | 'rows' | 'layers' | 'topk' | 'dutCores';
  values: number[];
  metrics: string[];
}

/**
 * A sweep over the DUT's cores: a phase per count n, the DUT on the first n of
 * the cores (--dut-cpus, else all), the generator on the other core for n = 1 and
 * on the DUT's own cores beyond (it must feed every queue).
 */
function dutCoresPhases(sw: SweepRequest, base: SketchParams, dutAll: number[], ncpu: number, extraHashRounds?: number): Phase[] {
  if (sw.metrics.some((m) => m !== 'throughput')) throw badInput('a sweep over dutCores measures throughput only: set its metrics to ["throughput"]');
  return sw.values.map((n) => {
    if (!Number.isInteger(n) || n < 1 || n > dutAll.length) throw badInput(`sweep over dutCores: ${n} is not a core count from 1 to ${dutAll.length} (the DUT's cores: ${dutAll.join(',')})`);
    const dut = dutAll.slice(0, n);
    const gen = n > 1 ? dut : [dutAll.find((c) => c !== dut[0]) ?? (dut[0] + 1) % ncpu];
    checkCores(dut, gen, ncpu);
    const variants = sw.variants.map((name) => {
      const variant = resolveVariantRef(name);
      return { variant, params: validateParams(paramsFor(variant, base), variant), extraHashRounds };
    });
    return { label: `sweep dutCores=${n}`, variants, metrics: sw.metrics, cpus: { dut, gen } };
  });
}

function sweepPhase(sw: SweepRequest, base: SketchParams, extraHashRounds?: number): Phase {
  for (const m of sw.metrics) {
    if (!(m in MEASUREMENTS)) throw badInput(`sweep over ${sw.param}: unknown metric group '${m}'`);
  }
  const variants: VariantSpec[] = [];
  for (const name of sw.variants) {
    const variant = resolveVariantRef(name);
    if (variant.external?.sketch?.[sw.param as 'rows' | 'columns' | 'p'] !== undefined) {
      throw badInput(`sweep over ${sw.param}: ${variant.name}'s ${sw.param} is compiled in (its spec says so); sweep a program that takes it from sketchbench.h's cfg`);
    }
    for (const value of sw.values) {
      variants.push({ variant, params: validateParams(paramsFor(variant, { ...base, [sw.param]: value }), variant), extraHashRounds });
    }
  }
  return { label: `sweep ${sw.param}`, variants, metrics: sw.metrics };
}

export const DEFAULT_METRICS = ['program', 'cost', 'throughput'];
/**
 * Cost repetitions: each is one pass of the trace in paired 2 ms slices. Per-block
 * ratios scatter by about 15% here (the host's noise is fast), so a 1% interval on a
 * ratio needs about a thousand blocks: some 20 passes of a 1M-packet trace.
 */
export const DEFAULT_COST_REPS = 20;

/**
 * One veth queue per DUT core (or per generator thread, if more). A live frame
 * (xdp-live) lands on the DUT queue numbered by the sending CPU modulo the queue
 * count, so its cores must cover every queue, or a DUT core gets no traffic; a
 * tool's socket buffers are spread by flow hash instead.
 */
export function checkCores(dut: number[], gen: number[], ncpu: number, byCpu = true): void {
  if (dut.length === 1 && gen.includes(dut[0]) && ncpu > 1) {
    throw badInput(`--gen-cpu ${gen.join(',')} overlaps --dut-cpus ${dut[0]}: the DUT needs a core of its own`);
  }
  const queues = Math.max(dut.length, gen.length);
  const fed = new Set(gen.map((c) => c % queues));
  if (byCpu && dut.length > 1 && fed.size < queues) {
    const suggestion = Array.from({ length: Math.min(queues, ncpu) }, (_, i) => i);
    throw badInput(`--dut-cpus ${dut.join(',')} makes ${queues} queues, but generator cores ${gen.join(',')} reach only ${fed.size} of them (a live frame goes to queue CPU mod ${queues}): give --gen-cpu with cores of every residue, e.g. ${suggestion.join(',')}`);
  }
}

export interface LinkSpec {
  dut: { ns: string; dev: string };
  /** On --gen-host, `ns` and `dev` are that host's. */
  gen: { ns: string; dev: string };
  genHost?: string;
  sshConfig?: string;
}

/** --dut-iface and --gen-iface together make a link testbed; each may sit in a named namespace. */
function linkOf(req: RunRequest, action: Action): RunOptions['link'] {
  if (!req.dutIface && !req.genIface) {
    if (req.dutNetns || req.genNetns) throw badInput('--dut-netns and --gen-netns go with --dut-iface and --gen-iface');
    if (req.genHost || req.sshConfig) throw badInput('--gen-host makes a link testbed: give --dut-iface (this host\'s interface) and --gen-iface (the generator host\'s)');
    return undefined;
  }
  if (!req.dutIface || !req.genIface) throw badInput('a link testbed needs both --dut-iface and --gen-iface (the generator sends on the second, the DUT receives on the first)');
  if (action === 'redirect') throw badInput('--action redirect needs the veth testbed\'s sink; on a link testbed use drop, pass or tx');
  if (action === 'tx') throw badInput('--action tx counts what comes back on the veth testbed\'s generator end; on a link testbed use drop or pass');
  if (req.sshConfig && !req.genHost) throw badInput('--ssh-config goes with --gen-host');
  return {
    dut: { ns: req.dutNetns ?? '', dev: req.dutIface }, gen: { ns: req.genNetns ?? '', dev: req.genIface },
    ...(req.genHost ? { genHost: req.genHost, sshConfig: req.sshConfig } : {}),
  };
}

export function timestampName(d = new Date()): string {
  return d.toISOString().replace(/[-:]/g, '').replace(/\..*$/, '').replace('T', '-');
}

export function normalizeRunOptions(req: RunRequest): RunOptions {
  const ncpu = cpus().length;
  const names = req.variants?.length ? req.variants : variantNames();
  const base = defaultParams();
  const params: SketchParams = {
    ...base, rows: req.rows ?? base.rows, columns: req.columns ?? base.columns, p: req.p ?? base.p,
    layers: req.layers ?? base.layers, topk: req.topk ?? base.topk,
  };
  const variants = [...new Set(names)].map((n) => {
    const variant = resolveVariantRef(n);
    return { variant, params: validateParams(paramsFor(variant, params), variant), extraHashRounds: req.extraHashRounds };
  });
  const metrics = req.metrics?.length ? req.metrics : DEFAULT_METRICS;
  for (const m of metrics) {
    if (!(m in MEASUREMENTS)) throw badInput(`unknown metric group '${m}'; use ${Object.keys(MEASUREMENTS).join(', ')}`);
  }
  // cost_net_ns needs the method's own overhead in every round.
  if (metrics.includes('cost') && !variants.some((v) => v.variant.name === OVERHEAD_VARIANT)) {
    const overhead = resolveVariant(OVERHEAD_VARIANT);
    variants.unshift({ variant: overhead, params: validateParams(params, overhead), extraHashRounds: undefined });
  }
  const reps = req.reps ?? 5;
  if (!Number.isInteger(reps) || reps < 1 || reps > 1000) throw badInput(`--reps must be an integer from 1 to 1000, got ${reps}`);
  const costReps = req.costRepetitions ?? DEFAULT_COST_REPS;
  if (!Number.isInteger(costReps) || costReps < 1 || costReps > 1000) throw badInput(`--cost-reps must be an integer from 1 to 1000, got ${costReps}`);
  const cpu = (name: string, v: number) => {
    if (!Number.isInteger(v) || v < 0 || v >= ncpu) throw badInput(`--${name} must be a CPU from 0 to ${ncpu - 1}, got ${v}`);
    return v;
  };
  const dut = (req.dutCpus?.length ? req.dutCpus : [0]).map((c) => cpu('dut-cpus', c));
  if (new Set(dut).size !== dut.length) throw badInput(`--dut-cpus ${dut.join(',')} names a core twice`);
  // Several DUT cores: the generator may share them (a 2-core machine has no other), and must feed every queue.
  // On another generator host, --gen-cpu names that host's cores: nothing here to check them against.
  const remoteGen = !!req.genHost;
  const gen = (req.genCpus ?? (dut.length > 1 && !remoteGen ? dut : [ncpu > 1 ? 1 : 0])).map((c) => (remoteGen ? c : cpu('gen-cpu', c)));
  if (metrics.includes('throughput') && !remoteGen) checkCores(dut, gen, ncpu, !req.dutIface && (req.generator ?? 'xdp-live') === 'xdp-live');
  const durationS = req.durationS ?? 2;
  if (!(durationS > 0 && durationS <= 600)) throw badInput(`--duration must be in (0, 600] seconds, got ${durationS}`);
  if (req.maxLoss !== undefined && !(req.maxLoss >= 0 && req.maxLoss < 1)) throw badInput(`--max-loss must be in [0, 1), got ${req.maxLoss}`);
  const action = (req.action ?? 'drop') as Action;
  if (!(action in ACTIONS)) throw badInput(`--action must be one of ${Object.keys(ACTIONS).join(', ')}, got ${req.action}`);
  if (action !== 'drop' && req.maxLoss !== undefined) throw badInput(`--max-loss searches the rate of programs that drop; use it without --action ${action}`);
  if (!existsSync(req.tracePath)) throw badInput(`trace ${req.tracePath} does not exist; make one with 'sketchbench trace gen' or 'trace import'`);
  const outDir = req.outDir ?? join(resultsDir, timestampName());
  if (existsSync(join(outDir, 'results.jsonl'))) throw badInput(`${outDir} already holds results; choose another --out`);
  // Through the manifest like the variants: an old name or a combination names what was measured.
  const canonical = (n: string): string => { try { return resolveVariantRef(n).name; } catch { return n; } };
  const reference = (req.reference?.length ? req.reference : [names[0]]).map(canonical);
  for (const ref of reference) {
    if (!variants.some((v) => v.variant.name === ref)) {
      throw badInput(`--reference ${ref} is not among the variants measured (${variants.map((v) => v.variant.name).join(', ')})`);
    }
  }
  const phases: Phase[] = [{ label: 'main', variants, metrics }];
  for (const sw of req.sweeps ?? []) {
    if (sw.param === 'dutCores') phases.push(...dutCoresPhases(sw, params, req.dutCpus?.length ? dut : Array.from({ length: ncpu }, (_, i) => i), ncpu, req.extraHashRounds));
    else phases.push(sweepPhase(sw, params, req.extraHashRounds));
  }
  return {
    suite: req.suite ?? 'custom',
    phases,
    tracePath: req.tracePath,
    reps,
    repsFor: (group) => (group === 'cost' ? costReps : reps),
    outDir,
    cpus: { dut, gen, cost: cpu('cost-cpu', req.costCpu ?? (ncpu > 1 ? 1 : 0)) },
    durationS,
    maxLoss: req.maxLoss,
    action,
    generator: generatorDriver(req.generator ?? 'xdp-live').name,
    link: linkOf(req, action),
    fixedHashSeeds: req.fixedHashSeeds ?? false,
    reference,
    seeds: req.traceSeed !== undefined ? [req.traceSeed] : [],
    progress: req.progress,
    micro: req.micro ? { groups: selectGroups(req.micro.families ?? []), reps: req.micro.reps ?? MICRO_REPS, blocks: req.micro.blocks ?? MICRO_BLOCKS } : undefined,
  };
}
