/**
 * The micro-benchmark table: per group and primitive, each environment's
 * op_ns (median over repetitions, 95% interval), its paired ratio to the
 * group's reference, and its rank among the group's primitives there
 * (1 = cheapest). Built from summary rows and paired ratios alone, so the
 * CLI, the report and a re-analysis of a run folder agree.
 */
import type { PairedRatio, SummaryRow } from '../types/results.ts';

export type MicroEnvName = 'ebpf' | 'native';

export interface MicroCell {
  medianNs: number;
  ciLowNs: number;
  ciHighNs: number;
  n: number;
  rank: number;
  /** Ratio of op_ns to the group's reference in this environment (1 for the reference itself). */
  ratio?: { reference: string; ratio: number; ciLow: number; ciHigh: number; nEffective?: number };
}

export interface MicroTableRow {
  family: string;
  group: string;
  primitive: string;
  cells: Partial<Record<MicroEnvName, MicroCell>>;
}

const isMicro = (s: { metric: string; params: Record<string, unknown> }) => s.metric === 'op_ns' && typeof s.params.group === 'string';

/** Ranks 1..n by ascending value (ties share the lower rank). */
export function ranks(values: number[]): number[] {
  return values.map((v) => 1 + values.filter((w) => w < v).length);
}

export function microTable(summary: SummaryRow[], ratios: PairedRatio[]): MicroTableRow[] {
  const cells = summary.filter(isMicro);
  const out: MicroTableRow[] = [];
  const rowOf = new Map<string, MicroTableRow>();
  for (const c of cells) {
    const key = `${c.params.group}\u0000${c.variant}`;
    let row = rowOf.get(key);
    if (!row) {
      row = { family: String(c.params.family), group: String(c.params.group), primitive: c.variant, cells: {} };
      rowOf.set(key, row);
      out.push(row);
    }
    const env = c.params.env as MicroEnvName;
    const r = ratios.find((x) => isMicro(x) && x.variant === c.variant && x.params.group === c.params.group && x.params.env === env);
    const isRef = ratios.some((x) => isMicro(x) && x.reference === c.variant && x.params.group === c.params.group && x.params.env === env);
    row.cells[env] = {
      medianNs: c.median, ciLowNs: c.ciLow, ciHighNs: c.ciHigh, n: c.n, rank: 0,
      ratio: r ? { reference: r.reference, ratio: r.ratio, ciLow: r.ciLow, ciHigh: r.ciHigh, nEffective: r.nEffective }
        : isRef ? { reference: c.variant, ratio: 1, ciLow: 1, ciHigh: 1 } : undefined,
    };
  }
  // Rows of a group together (a primitive only one environment has comes after the rest of its group).
  const groupAt = new Map<string, number>();
  out.forEach((r, i) => { if (!groupAt.has(r.group)) groupAt.set(r.group, i); });
  out.sort((a, b) => groupAt.get(a.group)! - groupAt.get(b.group)!);
  // Ranks within each (group, environment).
  for (const env of ['ebpf', 'native'] as const) {
    for (const group of new Set(out.map((r) => r.group))) {
      const members = out.filter((r) => r.group === group && r.cells[env]);
      const rk = ranks(members.map((r) => r.cells[env]!.medianNs));
      members.forEach((r, i) => { r.cells[env]!.rank = rk[i]; });
    }
  }
  return out;
}

const f = (v: number, d = 2) => (Math.abs(v) >= 100 ? v.toFixed(0) : v.toFixed(d));

/** Plain-text table, one block per group. */
export function formatMicroTable(rows: MicroTableRow[]): string {
  const head = ['group', 'primitive', 'eBPF ns/op [95% CI]', 'x ref [95% CI]', '#', 'native ns/op [95% CI]', 'x ref [95% CI]', '#'];
  const cell = (c: MicroCell | undefined): string[] => c
    ? [`${f(c.medianNs)} [${f(c.ciLowNs)}, ${f(c.ciHighNs)}]`, c.ratio ? `${f(c.ratio.ratio)} [${f(c.ratio.ciLow)}, ${f(c.ratio.ciHigh)}]` : '-', String(c.rank)]
    : ['-', '-', '-'];
  const body = rows.map((r) => [r.group, r.primitive, ...cell(r.cells.ebpf), ...cell(r.cells.native)]);
  const w = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cols: string[]) => cols.map((c, i) => (i < 2 ? c.padEnd(w[i]) : c.padStart(w[i]))).join('  ');
  const lines = [line(head)];
  body.forEach((b, i) => {
    if (i > 0 && rows[i - 1].group !== rows[i].group) lines.push('');
    lines.push(line(b));
  });
  return lines.join('\n');
}

/** One line per group: what the loop alone costs per iteration in each environment (what every op_ns has had subtracted). */
export function formatLoopCosts(summary: SummaryRow[]): string {
  const loops = summary.filter((s) => s.metric === 'loop_ns' && typeof s.params.group === 'string');
  const groups = [...new Set(loops.map((s) => String(s.params.group)))];
  return groups.map((g) => {
    const parts = (['ebpf', 'native'] as const).flatMap((env) => {
      const c = loops.find((s) => s.params.group === g && s.params.env === env);
      return c ? [`${env === 'ebpf' ? 'eBPF' : 'native'} ${f(c.median)} [${f(c.ciLow)}, ${f(c.ciHigh)}]`] : [];
    });
    return `${g} loop alone, ns/iteration: ${parts.join(', ')}`;
  }).join('\n');
}
