/**
 * Verdicts of an A/B run: per variant and gated metric, the ratio current/base
 * from the blocks in which both builds ran (paired), its 95% interval, and a
 * test of "worse by more than the threshold".
 *
 * The test: a one-sided sign test that the per-block ratio (current/base for
 * costs, base/current for rates) lies above 1 + threshold, i.e. that the change
 * is surely beyond the threshold, not just surely non-zero. Every cell is
 * tested, and Holm's step-down adjustment holds the family-wise error at alpha
 * over all of them (docs/measurement.md). Improvements are tested the same way
 * in the other direction and reported, never gated.
 */
import { estimateRatio, blockRatios, holmAdjust, signTestAbove } from '../analyse/paired.ts';
import { summarise } from '../analyse/statistics.ts';
import type { Row, SliceRow } from '../types/results.ts';
import { metricInfo } from '../types/results.ts';
import type { Comparison, ComparisonRow, RunId, SideStats } from '../compare/compare.ts';

export const BASE_SUFFIX = '@base';
/** Metrics an A/B run gates: what the variant costs or sustains (context metrics such as loss are not gated). */
export const AB_METRICS = ['cost_ns', 'capacity_pps', 'throughput_pps'];

export interface AbInput {
  rows: Row[];
  slices: SliceRow[];
  /** Variant names measured on both sides (the base side is named name + BASE_SUFFIX). */
  names: string[];
  thresholdPct: number;
  alpha: number;
  base: RunId;
  current: RunId;
  onlyInCurrent: string[];
  onlyInBase: string[];
}

function side(rows: Row[]): SideStats {
  if (rows.length === 0) return { n: 0, median: NaN, ciLow: NaN, ciHigh: NaN };
  const s = summarise(rows)[0];
  return { n: s.n, median: s.median, ciLow: s.ciLow, ciHigh: s.ciHigh };
}

function perBlock(slices: SliceRow[], variant: string, metric: string): Map<string, number> {
  const m = new Map<string, number>();
  for (const s of slices) if (s.variant === variant && s.metric === metric && s.phase === 'main') m.set(`${s.rep}:${s.block}`, s.value);
  return m;
}

export function abVerdicts(i: AbInput): Comparison {
  const bound = 1 + i.thresholdPct / 100;
  const cells: (Omit<ComparisonRow, 'p' | 'verdict' | 'regression'> & { pWorse: number; pBetter: number })[] = [];
  for (const name of i.names) {
    for (const metric of AB_METRICS) {
      const cur = perBlock(i.slices, name, metric);
      const base = perBlock(i.slices, name + BASE_SUFFIX, metric);
      const ratios = blockRatios(cur, base);
      if (ratios.length === 0) continue;
      const info = metricInfo(metric);
      const e = estimateRatio(ratios);
      // "Worse" ratios: above 1 means the current build is worse.
      const worse = info.better === 'lower' ? ratios : ratios.map((r) => 1 / r);
      const better = worse.map((r) => 1 / r);
      const curRows = i.rows.filter((r) => r.variant === name && r.metric === metric);
      const baseRows = i.rows.filter((r) => r.variant === name + BASE_SUFFIX && r.metric === metric);
      const ref = curRows[0] ?? baseRows[0];
      cells.push({
        variant: name, metric, unit: ref?.unit ?? info.unit, params: ref?.params ?? {}, kind: info.kind, better: info.better as 'higher' | 'lower',
        baseline: side(baseRows), current: side(curRows),
        ratio: e.ratio, ratioCiLow: e.ciLow, ratioCiHigh: e.ciHigh, changePct: (e.ratio - 1) * 100,
        testMethod: 'sign-holm', pWorse: signTestAbove(worse, bound), pBetter: signTestAbove(better, bound),
      });
    }
  }
  const adjWorse = holmAdjust(cells.map((c) => c.pWorse));
  const adjBetter = holmAdjust(cells.map((c) => c.pBetter));
  const rows: ComparisonRow[] = cells.map(({ pWorse, pBetter, ...c }, k) => {
    const regression = adjWorse[k] < i.alpha;
    const improved = !regression && adjBetter[k] < i.alpha;
    const speed = c.kind === 'cost' || c.kind === 'throughput';
    return {
      ...c, p: regression ? adjWorse[k] : improved ? adjBetter[k] : Math.min(adjWorse[k], adjBetter[k]),
      verdict: regression ? (speed ? 'slower' : 'worse') : improved ? (speed ? 'faster' : 'better') : 'unchanged',
      regression,
    };
  });
  return {
    baseline: i.base, current: i.current, thresholdPct: i.thresholdPct, alpha: i.alpha, kinds: ['cost', 'throughput'], rows,
    regressions: rows.filter((r) => r.regression).length, onlyInBaseline: i.onlyInBase, onlyInCurrent: i.onlyInCurrent,
    test: `one-sided sign test beyond ${i.thresholdPct}% on paired blocks, Holm-adjusted over ${rows.length} cells`,
  };
}
