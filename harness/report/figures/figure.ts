/** What every figure module provides: specs built from summary rows alone. */
import type { PairedRatio, SummaryRow } from '../../types/results.ts';
import { metricInfo } from '../../types/results.ts';

export interface FigureSpec {
  /** File stem: figures/<id>.svg|png|pdf|vl.json. */
  id: string;
  title: string;
  /** One or two sentences under the figure in index.html. */
  caption: string;
  /** A Vega-Lite spec (kept as plain JSON so it can be written out and re-rendered anywhere). */
  spec: Record<string, unknown>;
}

export interface FigureModule {
  id: string;
  /** What data the figure needs: said in the report when it is skipped. */
  needs: string;
  /** Empty when the data is absent: the figure is skipped, never drawn empty. */
  build(summary: SummaryRow[], ratios?: PairedRatio[]): FigureSpec[];
}

export const VL_SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';

/**
 * A y-axis title as lines of at most `max` characters. Rotated, a title longer than the
 * plot is high pushes the whole figure down and leaves blank space above it
 * ("Capacity per DUT CPU-second (Mpps)" is taller than a 150-pixel plot).
 */
export function wrapTitle(title: string, max = 24): string | string[] {
  if (title.length <= max) return title;
  const lines: string[] = [];
  for (const word of title.split(' ')) {
    const last = lines.length - 1;
    if (last >= 0 && lines[last].length + 1 + word.length <= max) lines[last] += ` ${word}`;
    else lines.push(word);
  }
  return lines;
}

/** Values shown in friendlier units than stored: packets/s as Mpps, bytes as KiB. */
export function display(metric: string, unit: string): { factor: number; label: string } {
  const info = metricInfo(metric, unit);
  // Every packet rate is labelled in Mpps (metricInfo), so every one is scaled to it.
  if (info.unit === 'packets/s') return { factor: 1e-6, label: info.label };
  if (metric === 'memory_bytes') return { factor: 1 / 1024, label: info.label };
  return { factor: 1, label: info.label };
}

/** A cell as a data point for specs, scaled for display. */
export function point(s: SummaryRow, factor: number): Record<string, unknown> {
  return {
    variant: s.variant,
    median: s.median * factor,
    ciLow: s.ciLow * factor,
    ciHigh: s.ciHigh * factor,
    n: s.n,
    p: s.params.p,
    columns: s.params.columns,
    rows: s.params.rows,
  };
}

export const fmt = (v: number, digits = 3): string => (Number.isFinite(v) ? Number(v.toPrecision(digits)).toString() : String(v));
