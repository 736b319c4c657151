/**
 * Baseline against current: per cell, both medians, the ratio current/baseline with a 95%
 * interval, a rank test, and a verdict. A change counts only when it is both significant
 * (Mann-Whitney p < alpha) and larger than the threshold: significance alone flags tiny
 * real changes, a threshold alone flags noise.
 */
import { badInput } from '../errors.ts';
import { cellKey, mannWhitney, ratioOfMedians, summarise } from '../analyse/statistics.ts';
import { runStatistics } from '../analyse/run-statistics.ts';
import type { PairedRatio } from '../types/results.ts';
import type { LoadedResults } from '../results/reader.ts';
import type { MetricKind, Row, RowParams } from '../types/results.ts';
import { metricInfo } from '../types/results.ts';
import { sortVariants } from '../report/palette.ts';

export type Verdict = 'faster' | 'slower' | 'better' | 'worse' | 'unchanged';
export const COMPARABLE_KINDS = ['cost', 'throughput', 'accuracy'] as const;
export type ComparableKind = (typeof COMPARABLE_KINDS)[number];

export interface CompareOptions {
  /** Smallest relative change that counts, in percent (default 5). */
  thresholdPct?: number;
  /** Metric kinds to compare (default: cost, throughput, accuracy). */
  kinds?: ComparableKind[];
  /** Significance level of the rank test (default 0.05). */
  alpha?: number;
}

export interface SideStats {
  n: number;
  median: number;
  ciLow: number;
  ciHigh: number;
}

export interface ComparisonRow {
  variant: string;
  metric: string;
  unit: string;
  params: RowParams;
  kind: MetricKind;
  better: 'higher' | 'lower';
  baseline: SideStats;
  current: SideStats;
  /** current median / baseline median, with a seeded bootstrap 95% CI. */
  ratio: number;
  ratioCiLow: number;
  ratioCiHigh: number;
  /** (ratio - 1) * 100. */
  changePct: number;
  /** Two-sided Mann-Whitney p-value. */
  p: number;
  /** exact/normal: Mann-Whitney between runs; sign-holm: paired blocks of one A/B run, Holm-adjusted p. */
  testMethod: 'exact' | 'normal' | 'sign-holm';
  verdict: Verdict;
  /** A significant change beyond the threshold in the worse direction. */
  regression: boolean;
}

export interface RunId {
  name: string;
  source: string;
  suite: string;
  gitCommit: string;
  traces: string[];
}

export interface Comparison {
  baseline: RunId;
  current: RunId;
  thresholdPct: number;
  alpha: number;
  kinds: ComparableKind[];
  rows: ComparisonRow[];
  regressions: number;
  /** Cells measured on one side only, as "variant metric params". */
  onlyInBaseline: string[];
  onlyInCurrent: string[];
  /** How significance was decided, for the exports (default: Mann-Whitney between two runs). */
  test?: string;
  /**
   * The paired ratios each run measured inside itself (variant to reference), side by
   * side: drift-free within each run, so a ratio that moved is a sharper signal than two
   * medians minutes apart. Shown, not gated.
   */
  ratioChanges?: RatioChange[];
}

export interface RatioChange {
  variant: string;
  reference: string;
  metric: string;
  baseline: Pick<PairedRatio, 'ratio' | 'ciLow' | 'ciHigh' | 'n'>;
  current: Pick<PairedRatio, 'ratio' | 'ciLow' | 'ciHigh' | 'n'>;
  /** The two intervals do not overlap. */
  separated: boolean;
}

/** Main-phase paired ratios found in both runs. */
export function ratioChanges(base: LoadedResults, cur: LoadedResults): RatioChange[] {
  const key = (r: PairedRatio) => `${r.variant}\u0000${r.reference}\u0000${r.metric}`;
  const b = new Map(runStatistics(base).ratios.filter((r) => r.phase === 'main').map((r) => [key(r), r]));
  const pick = (r: PairedRatio) => ({ ratio: r.ratio, ciLow: r.ciLow, ciHigh: r.ciHigh, n: r.n });
  return runStatistics(cur).ratios.filter((r) => r.phase === 'main' && b.has(key(r))).map((r) => {
    const o = b.get(key(r))!;
    return { variant: r.variant, reference: r.reference, metric: r.metric, baseline: pick(o), current: pick(r), separated: r.ciLow > o.ciHigh || r.ciHigh < o.ciLow };
  });
}

const traces = (rows: Row[]) => [...new Set(rows.map((r) => r.trace))].sort();

function runId(r: LoadedResults): RunId {
  return { name: r.name, source: r.source, suite: r.suite, gitCommit: String(r.env.gitCommit ?? 'unknown'), traces: traces(r.rows) };
}

function side(values: number[]): SideStats {
  const s = summarise(values.map((value, rep) => ({ variant: '', metric: '', rep, value, unit: '', trace: '', params: {} })))[0];
  return { n: s.n, median: s.median, ciLow: s.ciLow, ciHigh: s.ciHigh };
}

export function cellLabel(r: Pick<Row, 'variant' | 'metric' | 'params'>): string {
  const p = r.params;
  const extra = [p.rows !== undefined ? `rows=${p.rows}` : '', p.columns !== undefined ? `columns=${p.columns}` : '', p.p !== undefined ? `p=${Number((p.p as number).toPrecision(4))}` : ''].filter(Boolean).join(',');
  return `${r.variant} ${r.metric}${extra ? ` [${extra}]` : ''}`;
}

export function compareResults(base: LoadedResults, cur: LoadedResults, opts: CompareOptions = {}): Comparison {
  const thresholdPct = opts.thresholdPct ?? 5;
  const alpha = opts.alpha ?? 0.05;
  const kinds = opts.kinds?.length ? opts.kinds : [...COMPARABLE_KINDS];
  if (base.suite !== cur.suite) {
    throw badInput(`different suites: baseline ${base.source} ran '${base.suite}', current ${cur.source} ran '${cur.suite}'; compare runs of one suite`);
  }
  const bt = traces(base.rows).join(', ');
  const ct = traces(cur.rows).join(', ');
  if (bt !== ct) throw badInput(`different traces: baseline ${base.source} used [${bt}], current ${cur.source} used [${ct}]; compare runs over the same traces`);

  const wanted = (r: Row) => {
    const info = metricInfo(r.metric, r.unit);
    return info.better !== 'none' && (kinds as string[]).includes(info.kind);
  };
  const group = (rows: Row[]) => {
    const m = new Map<string, Row[]>();
    for (const r of rows.filter(wanted)) {
      const k = cellKey(r);
      m.set(k, [...(m.get(k) ?? []), r]);
    }
    return m;
  };
  const b = group(base.rows);
  const c = group(cur.rows);
  const rows: ComparisonRow[] = [];
  for (const [k, bRows] of b) {
    const cRows = c.get(k);
    if (!cRows) continue;
    const { variant, metric, unit, params } = bRows[0];
    const info = metricInfo(metric, unit);
    const bv = bRows.map((r) => r.value);
    const cv = cRows.map((r) => r.value);
    const ratio = ratioOfMedians(cv, bv);
    const test = mannWhitney(cv, bv);
    const changePct = (ratio.ratio - 1) * 100;
    const changed = test.p < alpha && Math.abs(changePct) > thresholdPct;
    const improved = info.better === 'lower' ? ratio.ratio < 1 : ratio.ratio > 1;
    const speed = info.kind === 'cost' || info.kind === 'throughput';
    const verdict: Verdict = !changed ? 'unchanged' : improved ? (speed ? 'faster' : 'better') : speed ? 'slower' : 'worse';
    rows.push({
      variant, metric, unit, params, kind: info.kind, better: info.better as 'higher' | 'lower',
      baseline: side(bv), current: side(cv),
      ratio: ratio.ratio, ratioCiLow: ratio.ciLow, ratioCiHigh: ratio.ciHigh, changePct,
      p: test.p, testMethod: test.method, verdict, regression: changed && !improved,
    });
  }
  const order = sortVariants(rows.map((r) => r.variant));
  rows.sort((x, y) => order.indexOf(x.variant) - order.indexOf(y.variant));
  const label = (m: Map<string, Row[]>, other: Map<string, Row[]>) => [...m].filter(([k]) => !other.has(k)).map(([, rs]) => cellLabel(rs[0]));
  return {
    baseline: runId(base), current: runId(cur), thresholdPct, alpha, kinds, rows,
    regressions: rows.filter((r) => r.regression).length,
    onlyInBaseline: label(b, c), onlyInCurrent: label(c, b),
    ratioChanges: ratioChanges(base, cur),
  };
}
