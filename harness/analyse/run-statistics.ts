/**
 * Every statistic of a run, computed once from its rows and slices: the per-cell
 * summary, the paired ratios to the run's reference (env.reference), and each
 * step of the paper's ladder to the step before it.
 */
import { summarise } from './statistics.ts';
import { pairedRatios } from './paired.ts';
import type { Env, PairedRatio, Row, SliceRow, SummaryRow } from '../types/results.ts';
import { ladders } from '../build/manifest.ts';
import { references as microReferences } from '../micro/groups.ts';

export interface RunStatistics {
  summary: SummaryRow[];
  ratios: PairedRatio[];
}

export function runStatistics(run: { rows: readonly Row[]; slices: readonly SliceRow[]; env: Pick<Env, 'reference'> | Env }): RunStatistics {
  const r = run.env.reference as unknown;
  const named = typeof r === 'string' || Array.isArray(r) ? [r as string | string[]].flat() : [];
  // A micro group's reference is fixed by the group; a sketch phase has none of those names.
  const reference = named.length ? [...named, ...microReferences()] : undefined;
  const steps = ladders().map((l) => l.steps.map((s) => s.variant));
  return { summary: summarise([...run.rows]), ratios: pairedRatios([...run.slices], { reference, steps }) };
}
