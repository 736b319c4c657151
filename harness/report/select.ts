/**
 * Picks what a figure shows from summary rows: the "main" configuration of each variant
 * and any parameter sweeps. Figures never reach back to rows they were not given.
 */
import type { RowParams, SummaryRow } from '../types/results.ts';
import { paramsKey } from '../types/results.ts';
import { sortVariants } from './palette.ts';

/**
 * For each variant, the params measured for the most metrics: the default configuration
 * gets every metric, sweep points only a few. Ties go to the first seen.
 */
export function mainParams(summary: SummaryRow[]): Map<string, string> {
  const counts = new Map<string, Map<string, number>>();
  for (const s of summary) {
    const byParams = counts.get(s.variant) ?? new Map<string, number>();
    const k = paramsKey(s.params);
    byParams.set(k, (byParams.get(k) ?? 0) + 1);
    counts.set(s.variant, byParams);
  }
  const out = new Map<string, string>();
  for (const [v, byParams] of counts) {
    let best = '';
    let n = -1;
    for (const [k, c] of byParams) if (c > n) [best, n] = [k, c];
    out.set(v, best);
  }
  return out;
}

/** Summary rows of one metric at each variant's main params, in display order. */
export function mainCells(summary: SummaryRow[], metric: string): SummaryRow[] {
  const main = mainParams(summary);
  const cells = summary.filter((s) => s.metric === metric && paramsKey(s.params) === main.get(s.variant));
  const order = sortVariants(cells.map((c) => c.variant));
  return cells.sort((a, b) => order.indexOf(a.variant) - order.indexOf(b.variant));
}

/**
 * Cells of `metric` forming a sweep over params[key]: per variant, cells that differ from
 * the main params only in `key`, kept when at least 3 distinct values exist.
 */
export function sweepCells(summary: SummaryRow[], metric: string, key: string, minValues = 3): SummaryRow[] {
  const main = mainParams(summary);
  const without = (p: RowParams) => paramsKey({ ...p, [key]: undefined });
  const out: SummaryRow[] = [];
  for (const variant of sortVariants(summary.map((s) => s.variant))) {
    const mainKey = main.get(variant);
    const mainP = summary.find((s) => s.variant === variant && paramsKey(s.params) === mainKey)?.params ?? {};
    const cells = summary.filter((s) => s.variant === variant && s.metric === metric && typeof s.params[key] === 'number' && without(s.params) === without(mainP));
    if (new Set(cells.map((c) => c.params[key])).size >= minValues) out.push(...cells);
  }
  return out;
}
