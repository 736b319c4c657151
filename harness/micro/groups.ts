/**
 * The micro-benchmark families as data: each family is one or more groups,
 * and a group is what runs in paired blocks (its primitives and its `loop`,
 * the same loop without the operation). Which primitives a group has comes
 * from the C list (variants/micro/micro_prims.h), through the built programs;
 * this table only names groups, their parameters and their reference.
 */
import type { RowParams } from '../types/results.ts';

export const FAMILIES = ['hash', 'random', 'maps', 'geo'] as const;
export type Family = (typeof FAMILIES)[number];
export type MicroEnv = 'ebpf' | 'native';
export const ENVS: MicroEnv[] = ['ebpf', 'native'];

export interface MicroGroup {
  /** The C group name (program names are `<group>__<primitive>`). */
  name: string;
  family: Family;
  /** Ratios are taken to this primitive, per environment (the first one present). */
  reference: string[];
  /** Recorded with every row of the group (key size, table size is per primitive). */
  params: RowParams;
}

export const GROUPS: MicroGroup[] = [
  { name: 'hash13', family: 'hash', reference: ['xxhash32'], params: { keyBytes: 13 } },
  { name: 'hash37', family: 'hash', reference: ['xxhash32'], params: { keyBytes: 37 } },
  // Each environment's own generator is the reference: the helper in eBPF, rand() natively.
  { name: 'random', family: 'random', reference: ['prandom', 'libc-rand'], params: {} },
  { name: 'maps', family: 'maps', reference: ['array'], params: {} },
  { name: 'geo', family: 'geo', reference: ['geo-32'], params: {} },
];

/** Defaults of `sketchbench micro` and of a suite's micro section: repetitions, paired blocks per repetition, slice length. */
export const MICRO_REPS = 10;
export const MICRO_BLOCKS = 40;
export const MICRO_SLICE_NS = 200_000;
/** Rows of a micro run carry this as their trace: the inputs are generated, not a trace file. */
export const MICRO_TRACE = 'micro-inputs';

/** The primitive that is the loop alone in every group. */
export const LOOP = 'loop';

/** Primitive name as shown and stored: the C identifier with hyphens (`percpu_atomic` -> `percpu-atomic`). */
export function displayName(cName: string): string {
  return cName.replace(/_/g, '-');
}

/** Every reference name, for the run's env.reference (paired ratios find the one in each phase). */
export function references(groups: MicroGroup[] = GROUPS): string[] {
  return [...new Set(groups.flatMap((g) => g.reference))];
}

/** Parse `--family hash,maps`: known names only, in the canonical order. */
export function selectGroups(families: string[]): MicroGroup[] {
  return GROUPS.filter((g) => families.length === 0 || families.includes(g.family));
}

/** Phase of a group in one environment: blocks pair only inside one phase. */
export function phaseOf(group: string, env: MicroEnv): string {
  return `micro-${group}-${env}`;
}

/** Entries of a geometric table primitive (`geo-512` -> 512). */
export function tableEntriesOf(primitive: string): number | undefined {
  const m = /^geo-(\d+)$/.exec(primitive);
  return m ? Number(m[1]) : undefined;
}
