/**
 * The one result type shared by measure, analyse, report and compare.
 * Everything after measurement is computed from these rows alone, so a run folder
 * (or a fixture) is enough to re-analyse, re-render or compare.
 */

/** Sketch parameters and compile-time switches of the variant that produced a row. */
export interface RowParams {
  /** Sketch rows (hash functions). */
  rows?: number;
  /** Counters per row. */
  columns?: number;
  /** Update probability p (0 < p <= 1); NitroSketch samples a row with this probability. */
  p?: number;
  /** UnivMon: layers, and keys each layer lists in the kernel. */
  layers?: number;
  topk?: number;
  /** Entries in the precomputed geometric-skip table. */
  geoTable?: number;
  /** Packet size in bytes of the generated traffic. */
  packetBytes?: number;
  /** Switches, e.g. {sampling: 'geometric', maps: 'percpu', hashing: 'unrolled'}. */
  switches?: Record<string, string | boolean>;
  /** Anything else a measurement wants to keep with the row (seed, cpu, rate...). */
  [key: string]: unknown;
}

/** One repetition of one metric of one variant: the unit of measurement, never aggregated. */
export interface Row {
  /** Variant name from the manifest, e.g. 'nitro-unrolled', 'baseline-drop'. */
  variant: string;
  /** Metric name, one of METRICS' keys (other names are accepted and treated as 'other'). */
  metric: string;
  /** Repetition index, 0-based, after warm-up has been dropped. */
  rep: number;
  /** The measured value in `unit`. */
  value: number;
  /** Unit of `value`, e.g. 'ns/packet', 'packets/s', 'ratio', 'bytes'. */
  unit: string;
  /** Trace name (file basename) the value was measured over. */
  trace: string;
  /** Sketch parameters and switches; rows with different params are different cells. */
  params: RowParams;
}

/** The machine and software a run happened on, plus how it was started. */
export interface Env {
  /** `uname -r`. */
  kernel: string;
  cpuModel: string;
  /** Online logical CPUs. */
  cores: number;
  /** `clang --version` first line. */
  clang: string;
  /** libbpf version string. */
  libbpf: string;
  /** `process.version`. */
  node: string;
  /** Commit of the checkout that ran; '+dirty' suffix when the tree had changes. */
  gitCommit: string;
  /** Suite name (also at ResultsFile.suite, kept here so env alone tells the story). */
  suite: string;
  /** Seeds used for traces and sketches. */
  seeds: number[];
  /** The command line that produced the run, as typed. */
  command: string;
  /** ISO 8601 start time. */
  startedAt: string;
  /** Variants that paired ratios are taken against (the first named when not set). */
  reference?: string | string[];
  /** ISO 8601 end time, absent while running or when interrupted. */
  finishedAt?: string;
  [key: string]: unknown;
}

/** Statistics of one cell: a (variant, metric, params) group of repetitions. */
export interface SummaryRow {
  variant: string;
  metric: string;
  unit: string;
  /** Trace of the repetitions (all rows of a cell share one trace). */
  trace: string;
  /** Params of the cell; equal for all its rows. */
  params: RowParams;
  /** Repetitions in the cell. */
  n: number;
  /** All values below are in `unit`. */
  median: number;
  /** First and third quartiles (R type 7, linear interpolation). */
  q1: number;
  q3: number;
  iqr: number;
  /** 95% confidence interval of the median (see analyse/statistics.ts for the method). */
  ciLow: number;
  ciHigh: number;
  /** How ciLow/ciHigh were obtained: 'order-statistic' (exact, distribution-free) or 'bootstrap'. */
  ciMethod: CiMethod;
  /** Achieved confidence of the interval (order-statistic intervals are >= 0.95, not exactly). */
  ciLevel: number;
  mean: number;
  /** Sample standard deviation (n-1); 0 when n = 1. */
  stddev: number;
  min: number;
  max: number;
  /** Repetition indexes whose modified z-score (MAD-based) exceeds 3.5. */
  outliers: number[];
}

export type CiMethod = 'order-statistic' | 'bootstrap' | 'none';

/**
 * One slice of a paired measurement (results' slices.jsonl): one variant's value in one
 * block of one repetition. The variants of a block ran milliseconds apart, in a random
 * order, over the same packets (cost) or the same traffic (throughput).
 */
export interface SliceRow {
  /** Phase of the run (main, or a sweep): blocks pair only inside one phase. */
  phase: string;
  variant: string;
  /** cost_ns (ns/packet over the slice), throughput_pps or capacity_pps. */
  metric: string;
  rep: number;
  /** Block index inside the repetition. */
  block: number;
  /** Position of this variant in the block's random order (0 = first); a mirrored cost block runs that order, then its reverse. */
  position: number;
  value: number;
  unit: string;
  /** Packets the slice covered. */
  packets: number;
  params: RowParams;
}

/** A variant's ratio to a reference from paired slices: median of per-block ratios, with its 95% interval. */
export interface PairedRatio {
  phase: string;
  variant: string;
  reference: string;
  metric: string;
  /** Unit of the underlying values (the ratio itself is dimensionless). */
  unit: string;
  params: RowParams;
  referenceParams: RowParams;
  ratio: number;
  ciLow: number;
  ciHigh: number;
  /** Blocks (pairs) the ratio is taken over. */
  n: number;
  /** What those blocks are worth as independent ones, given how the ratio wandered during the run (analyse/paired.ts). */
  nEffective?: number;
}

/**
 * The method's own program: it counts and drops, so its cost is the replay's. cost_net_ns
 * subtracts it, and its cost from pass to pass is the host's speed.
 */
export const OVERHEAD_VARIANT = 'baseline-drop';

/** Version of results.json's shape; readers refuse versions they do not know. */
export const RESULTS_SCHEMA_VERSION = 2;

/** What a run folder's results.json holds (docs/design.md, Contracts). */
export interface ResultsFile {
  /** RESULTS_SCHEMA_VERSION of the writer (absent in version-1 files). */
  schemaVersion?: number;
  env: Env;
  suite: string;
  rows: Row[];
  summary: SummaryRow[];
  /** Ratios of each variant to the run's reference, from paired slices (cost, throughput). */
  ratios: PairedRatio[];
}

/** Whether larger values of a metric are better; decides what "regression" means. */
export type Direction = 'higher' | 'lower' | 'none';

export type MetricKind = 'cost' | 'throughput' | 'accuracy' | 'program' | 'other';

export interface MetricInfo {
  unit: string;
  /** Axis label with unit, for figures and tables. */
  label: string;
  better: Direction;
  kind: MetricKind;
}

const HH_THRESHOLDS = ['0.01pct', '0.1pct', '1pct'] as const;

/** hh_*: every true flow queried; hh_sketch_*: only the keys the sketch lists itself (UnivMon). */
function hhMetrics(): Record<string, MetricInfo> {
  const out: Record<string, MetricInfo> = {};
  for (const t of HH_THRESHOLDS) {
    const pct = t.replace('pct', '%');
    for (const [m, name] of [['f1', 'F1'], ['precision', 'precision'], ['recall', 'recall']] as const) {
      out[`hh_${m}_${t}`] = { unit: 'ratio', label: `Heavy-hitter ${name} (>${pct})`, better: 'higher', kind: 'accuracy' };
      out[`hh_sketch_${m}_${t}`] = { unit: 'ratio', label: `Heavy-hitter ${name}, keys the sketch names (>${pct})`, better: 'higher', kind: 'accuracy' };
    }
  }
  return out;
}

/** Metric metadata, keyed by the metric names fixed in docs/design.md. */
export const METRICS: Record<string, MetricInfo> = {
  cost_ns: { unit: 'ns/packet', label: 'Cost (ns/packet)', better: 'lower', kind: 'cost' },
  // Derived from cost_ns and the round's baseline-drop: shown, not gated (cost_ns is).
  cost_net_ns: { unit: 'ns/packet', label: 'Cost minus replay overhead (ns/packet)', better: 'none', kind: 'cost' },
  throughput_pps: { unit: 'packets/s', label: 'Throughput (Mpps)', better: 'higher', kind: 'throughput' },
  capacity_pps: { unit: 'packets/s', label: 'Capacity per DUT CPU-second (Mpps)', better: 'higher', kind: 'throughput' },
  // Context of a throughput sample, not a property of the variant: never gated
  // (a loss of 1% becoming 1.5% is +50% relative, and is the testbed's noise).
  forwarded_pps: { unit: 'packets/s', label: 'Forwarded (Mpps)', better: 'higher', kind: 'throughput' },
  offered_pps: { unit: 'packets/s', label: 'Offered load (Mpps)', better: 'none', kind: 'throughput' },
  loss_ratio: { unit: 'ratio', label: 'Loss ratio', better: 'none', kind: 'throughput' },
  dut_busy_ratio: { unit: 'ratio', label: 'DUT core busy share', better: 'none', kind: 'throughput' },
  are_all: { unit: 'ratio', label: 'ARE, all flows', better: 'lower', kind: 'accuracy' },
  are_top100: { unit: 'ratio', label: 'ARE, top-100 flows', better: 'lower', kind: 'accuracy' },
  aae_all: { unit: 'packets', label: 'AAE, all flows (packets)', better: 'lower', kind: 'accuracy' },
  aae_top100: { unit: 'packets', label: 'AAE, top-100 flows (packets)', better: 'lower', kind: 'accuracy' },
  // UnivMon's G-sum estimates against the trace (harness/sketch/univmon-accuracy.ts).
  distinct_rel_err: { unit: 'ratio', label: 'Distinct flows, relative error', better: 'lower', kind: 'accuracy' },
  entropy_rel_err: { unit: 'ratio', label: 'Entropy, relative error', better: 'lower', kind: 'accuracy' },
  f2_rel_err: { unit: 'ratio', label: 'F2 (second moment), relative error', better: 'lower', kind: 'accuracy' },
  ...hhMetrics(),
  // sketchbench micro: one primitive's ns per operation, the loop around it subtracted (params.env: ebpf or native).
  op_ns: { unit: 'ns/op', label: 'Cost per operation (ns)', better: 'lower', kind: 'cost' },
  loop_ns: { unit: 'ns/op', label: 'Loop without the operation (ns per iteration)', better: 'none', kind: 'cost' },
  memory_bytes: { unit: 'bytes', label: 'Sketch memory (KiB)', better: 'lower', kind: 'accuracy' },
  verified_insns: { unit: 'insns', label: 'Verified instructions', better: 'lower', kind: 'program' },
  xlated_bytes: { unit: 'bytes', label: 'Translated size (bytes)', better: 'lower', kind: 'program' },
  jited_bytes: { unit: 'bytes', label: 'JIT size (bytes)', better: 'lower', kind: 'program' },
  map_bytes: { unit: 'bytes', label: 'Map memory (bytes)', better: 'lower', kind: 'program' },
  load_ms: { unit: 'ms', label: 'Load time (ms)', better: 'lower', kind: 'program' },
};

/** Metadata for any metric name; unknown names get a neutral entry so nothing is dropped. */
export function metricInfo(metric: string, unit = ''): MetricInfo {
  return METRICS[metric] ?? { unit, label: unit ? `${metric} (${unit})` : metric, better: 'none', kind: 'other' };
}

/** Stable text key of params, so cells with equal params group together whatever the key order. */
export function paramsKey(params: RowParams | undefined): string {
  if (!params) return '{}';
  let key = paramsKeys.get(params);
  if (key === undefined) {
    const sort = (v: unknown): unknown =>
      v && typeof v === 'object' && !Array.isArray(v)
        ? Object.fromEntries(Object.keys(v as object).sort().map((k) => [k, sort((v as Record<string, unknown>)[k])]))
        : v;
    key = JSON.stringify(sort(params));
    paramsKeys.set(params, key);
  }
  return key;
}

// Rows and slices of one configuration share their params object, and a run's statistics
// key each of its hundred thousand slices; rows are never changed once written.
const paramsKeys = new WeakMap<RowParams, string>();
