/**
 * From timed slices to rows: per block, each primitive's time minus the
 * same block's `loop` time, over the slice's iterations, is its op_ns in that
 * block (a slice row); per repetition, summed times over summed iterations give
 * the op_ns row, and the loop's own per-iteration time the loop_ns row.
 * Shared by the kernel and the native side: both produce TimedSlice lists.
 */
import type { Row, RowParams, SliceRow } from '../types/results.ts';
import { SketchbenchError } from '../errors.ts';
import { displayName, LOOP, phaseOf, tableEntriesOf, type MicroEnv, type MicroGroup } from './groups.ts';

/** One primitive's run in one block: its C name, position in the block's order, and the clock's span. */
export interface TimedSlice {
  rep: number;
  block: number;
  position: number;
  /** C name of the primitive (`loop` for the reference loop). */
  name: string;
  ns: number;
  /** Timed iterations of the slice. */
  iters: number;
}

export interface MicroRows {
  rows: Omit<Row, 'trace'>[];
  slices: SliceRow[];
}

export const OP_UNIT = 'ns/op';

export function microParams(group: MicroGroup, env: MicroEnv, primitive: string): RowParams {
  const entries = tableEntriesOf(primitive);
  return { family: group.family, group: group.name, env, ...group.params, ...(entries ? { tableEntries: entries } : {}) };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/**
 * Rows and slices of one group in one environment; every block must hold the
 * loop. `order` (C names) fixes the order rows are written in: the source's.
 */
export function microRows(group: MicroGroup, env: MicroEnv, timed: TimedSlice[], order: string[]): MicroRows {
  const phase = phaseOf(group.name, env);
  const loopAt = new Map<string, TimedSlice>();
  for (const t of timed) if (t.name === LOOP) loopAt.set(`${t.rep}:${t.block}`, t);
  const slices: SliceRow[] = [];
  // Per primitive and repetition: the per-block values (net of the loop; the loop's own per iteration).
  const perRep = new Map<string, Map<number, number[]>>(order.map((n) => [n, new Map()]));
  for (const t of timed) {
    const loop = loopAt.get(`${t.rep}:${t.block}`);
    if (!loop) throw new SketchbenchError('measure', `micro ${phase}: block ${t.block} of repetition ${t.rep} has no loop slice`);
    const reps = perRep.get(t.name);
    if (!reps) throw new SketchbenchError('measure', `micro ${phase}: slice of '${t.name}', which is not one of ${order.join(', ')}`);
    const value = t.name === LOOP ? t.ns / t.iters : t.ns / t.iters - loop.ns / loop.iters;
    const values = reps.get(t.rep) ?? [];
    values.push(value);
    reps.set(t.rep, values);
    if (t.name === LOOP) continue;
    const variant = displayName(t.name);
    slices.push({ phase, variant, metric: 'op_ns', rep: t.rep, block: t.block, position: t.position, value, unit: OP_UNIT, packets: t.iters, params: microParams(group, env, variant) });
  }
  // A repetition's value is the median of its blocks, not their sum: a slice the
  // scheduler interrupted (native code is preemptible; a test run is not) is one block of many.
  const rows: Omit<Row, 'trace'>[] = [];
  for (const [name, reps] of perRep) {
    const variant = displayName(name);
    for (const [rep, values] of [...reps].sort((a, b) => a[0] - b[0])) {
      rows.push({ variant, metric: name === LOOP ? 'loop_ns' : 'op_ns', rep, value: median(values), unit: OP_UNIT, params: microParams(group, env, variant) });
    }
  }
  return { rows, slices };
}
