/**
 * How much the host's speed moved during a run's cost passes, read off the
 * method's own program: baseline-drop does nearly nothing but the replay, so
 * its cost from pass to pass is the host's speed. Paired ratios cancel a
 * common slowdown but not all of it (docs/measurement.md, "The host's noise"):
 * programs that hash slow down less than programs that only move packets, so a
 * ratio moves with the host's speed. A wide interval with a wide range here is
 * the host, not the method, and a calmer hour narrows it.
 */
import type { Row } from '../types/results.ts';
import { OVERHEAD_VARIANT, paramsKey } from '../types/results.ts';

/**
 * From this spread on (slowest pass over fastest) the summary says the ratios moved
 * with it. Calm hours on the development VM spread 1.2-1.4x, with cost intervals of
 * +-0.5-1.8%; a spread of 1.7x came with +-1.2-4.5%.
 */
export const MOVED = 1.5;

export interface PassRange {
  variant: string;
  passes: number;
  /** Cost per packet of the fastest and the slowest pass. */
  fastest: number;
  slowest: number;
  unit: string;
}

/** The probe's cost per pass, fastest to slowest, over its first configuration's rows (the main phase's). */
export function costPassRange(rows: readonly Row[]): PassRange | undefined {
  const probe = rows.filter((r) => r.variant === OVERHEAD_VARIANT && r.metric === 'cost_ns' && Number.isFinite(r.value) && r.value > 0);
  if (probe.length < 2) return undefined;
  const key = paramsKey(probe[0].params);
  const own = probe.filter((r) => r.trace === probe[0].trace && paramsKey(r.params) === key).map((r) => r.value);
  if (own.length < 2) return undefined;
  return { variant: OVERHEAD_VARIANT, passes: own.length, fastest: Math.min(...own), slowest: Math.max(...own), unit: probe[0].unit };
}

/** "the host's speed during the cost passes: baseline-drop 51.5 to 91.6 ns per packet (1.78x) over 20 passes; ..." */
export function passRangeSentence(r: PassRange): string {
  const spread = r.slowest / r.fastest;
  const unit = r.unit === 'ns/packet' ? 'ns per packet' : r.unit;
  const head = `the host's speed during the cost passes: ${r.variant} ${r.fastest.toFixed(1)} to ${r.slowest.toFixed(1)} ${unit} (${spread.toFixed(2)}x) over ${r.passes} passes`;
  return spread >= MOVED
    ? `${head}; cost ratios move with the host's speed, so their intervals cover that range, and a calmer hour gives narrower ones`
    : head;
}
