/**
 * A measurement is an object in a registry (kernel selftests' bench style):
 * setup once per run, measure one (variant, repetition), teardown. Suites and
 * sweeps are data that choose measurements; they never contain code.
 */
import type { Row, SliceRow } from '../types/results.ts';
import type { LoadedVariant } from '../build/load-variant.ts';
import type { Trace } from '../trace/format.ts';
import type { Action } from '../kernel/layout.ts';

export interface MeasureContext {
  trace: Trace;
  /** Trace name as recorded in rows. */
  traceName: string;
  variants: LoadedVariant[];
  /** DUT cores (one NAPI thread per queue, pinned round-robin), generator cores, the cost replay's core. */
  cpus: { dut: number[]; gen: number[]; cost: number };
  /** Throughput rows carry params.dutCores (a DUT-cores sweep), even at one core. */
  recordDutCores?: boolean;
  /** Throughput: seconds per sample, and the loss search tolerance when set. */
  durationS: number;
  maxLoss?: number;
  /** Accuracy: keep the variants' hash seeds in every repetition instead of drawing new ones. */
  fixedHashSeeds?: boolean;
  /** What every program does with a packet (--action): throughput builds the testbed for it, and programs from outside the repository are checked against it. */
  action: Action;
  /** The throughput generator's driver (`--generator`, harness/traffic/generators). */
  generator: string;
  /** A link testbed: the user's interfaces (ns '' = this host's namespace); absent: a veth testbed of our own. */
  link?: { dut: { ns: string; dev: string }; gen: { ns: string; dev: string }; genHost?: string; sshConfig?: string };
  /** Run folder, for side outputs such as estimates.csv. */
  outDir: string;
  log(line: string): void;
}

export interface Measurement<S = unknown> {
  name: 'cost' | 'throughput' | 'accuracy' | 'program';
  /** Metric names this measurement emits. */
  metrics: string[];
  /** Fixed repetitions (program metrics do not vary); default: the run's. */
  reps?: number;
  setup(ctx: MeasureContext): Promise<S>;
  /** Untimed runs whose results are dropped (caches, JIT, page pools). */
  warmup?(state: S, v: LoadedVariant): Promise<void>;
  /** One repetition of one variant (in `lane`, see lanes): rows to append at once. */
  measure?(state: S, v: LoadedVariant, rep: number, lane: number): Promise<Omit<Row, 'trace'>[]>;
  /**
   * One repetition of all variants at once, paired: blocks of short slices, one per
   * variant in a random order. Rows per variant as `measure` gives them, plus the
   * slices they were made of (ratios are computed from those). Takes precedence
   * over `measure` where the measurement has both.
   */
  measureRound?(state: S, variants: LoadedVariant[], rep: number, phase: string): Promise<RoundResult>;
  /**
   * How many `measure` calls (different variants, one repetition) may run at once: more
   * than one only for measurements that time nothing. The i-th variant always runs in
   * lane i mod lanes, so a lane bound to a core gives a run that repeats exactly.
   */
  lanes?(state: S): number;
  teardown(state: S): Promise<void>;
  /**
   * Roughly how long one step takes on the development VM, in seconds: a warm-up of
   * one variant, or one repetition (of all `variants` where the measurement pairs them,
   * else of the one variant, which keeps a sketch or not). Only the progress ETA uses
   * it, and only relative to the other steps' estimates.
   */
  stepSeconds(kind: 'warmup' | 'rep', plan: StepPlan): number;
}

export interface StepPlan {
  variants: number;
  packets: number;
  durationS: number;
  sketch: boolean;
}

export interface RoundResult {
  rows: Omit<Row, 'trace'>[];
  slices: SliceRow[];
}

/** Params recorded with every row of a variant. */
export function rowParams(v: LoadedVariant): Row['params'] {
  const univmon = v.variant.univmon ? { layers: v.params.layers, topk: v.params.topk } : {};
  return { rows: v.params.rows, columns: v.params.columns, p: v.params.p, ...univmon, switches: v.variant.switches };
}
