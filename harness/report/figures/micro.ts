/**
 * sketchbench micro: per family, each primitive's cost per operation in eBPF
 * and in native code side by side (bars, 95% intervals), and each primitive's
 * rank in each environment (does the cheapest natively stay the cheapest in
 * the kernel?). Key sizes (hash) and other groups of a family are side-by-side panels.
 */
import type { FigureModule, FigureSpec } from './figure.ts';
import { VL_SCHEMA } from './figure.ts';
import { PLOT_HEIGHT, VL_CONFIG } from '../style.ts';
import { microTable, type MicroTableRow } from '../../analyse/micro-table.ts';

const ENV_LABEL = { ebpf: 'eBPF', native: 'native' } as const;
const ENV_COLOUR = { domain: ['eBPF', 'native'], range: ['#1f6fb4', '#e07b16'] };

const GROUP_TITLE: Record<string, string> = {
  hash13: '13-byte IPv4 5-tuple', hash37: '37-byte IPv6 5-tuple', random: 'random numbers', maps: 'map layouts (4 counters per op)', geo: 'geometric table draw',
};

function byFamily(rows: MicroTableRow[]): Map<string, MicroTableRow[]> {
  const out = new Map<string, MicroTableRow[]>();
  for (const r of rows) out.set(r.family, [...(out.get(r.family) ?? []), r]);
  return out;
}

function points(rows: MicroTableRow[]) {
  return rows.flatMap((r) => (['ebpf', 'native'] as const).flatMap((env) => {
    const c = r.cells[env];
    return c ? [{ group: GROUP_TITLE[r.group] ?? r.group, primitive: r.primitive, env: ENV_LABEL[env], median: c.medianNs, ciLow: c.ciLowNs, ciHigh: c.ciHighNs, rank: c.rank, ratio: c.ratio?.ratio }] : [];
  }));
}

/** Rows of each group of a family, in the table's order: one panel each (hconcat, not facet, so each panel keeps its own band and offset scales). */
function panels(rows: MicroTableRow[]): MicroTableRow[][] {
  return [...new Set(rows.map((r) => r.group))].map((g) => rows.filter((r) => r.group === g));
}

function barsSpec(rows: MicroTableRow[]): Record<string, unknown> {
  const colour = { field: 'env', type: 'nominal', scale: ENV_COLOUR, title: null, legend: { orient: 'top' } };
  const xOffset = { field: 'env', type: 'nominal', sort: ['eBPF', 'native'] };
  const yTitle = 'ns per operation (loop subtracted)';
  return {
    $schema: VL_SCHEMA,
    config: VL_CONFIG,
    hconcat: panels(rows).map((group) => {
      const order = group.map((r) => r.primitive);
      const x = { field: 'primitive', type: 'nominal', sort: order, title: null, axis: { labelAngle: -40 } };
      return {
        title: GROUP_TITLE[group[0].group] ?? group[0].group,
        width: Math.max(120, 26 * order.length),
        height: PLOT_HEIGHT,
        data: { values: points(group) },
        layer: [
          {
            mark: { type: 'bar' },
            encoding: {
              x, xOffset, color: colour,
              y: { field: 'median', type: 'quantitative', title: yTitle },
              tooltip: [{ field: 'primitive' }, { field: 'env' }, { field: 'median', format: '.3~f' }, { field: 'ciLow', format: '.3~f' }, { field: 'ciHigh', format: '.3~f' }, { field: 'ratio', format: '.3~f', title: 'x reference' }, { field: 'rank' }],
            },
          },
          {
            mark: { type: 'errorbar', ticks: { width: 4 }, color: '#222', thickness: 1 },
            encoding: { x, xOffset, y: { field: 'ciLow', type: 'quantitative', title: yTitle }, y2: { field: 'ciHigh' } },
          },
        ],
      };
    }),
  };
}

function rankSpec(rows: MicroTableRow[]): Record<string, unknown> {
  const groups = panels(rows.filter((r) => r.cells.ebpf && r.cells.native));
  const y = { field: 'rank', type: 'quantitative', scale: { reverse: true, zero: false, nice: false }, axis: null };
  const x = { field: 'env', type: 'nominal', sort: ['eBPF', 'native'], title: null, axis: { labelAngle: 0 }, scale: { padding: 0.6 } };
  return {
    $schema: VL_SCHEMA,
    config: VL_CONFIG,
    hconcat: groups.map((group) => ({
      title: GROUP_TITLE[group[0].group] ?? group[0].group,
      width: 150,
      height: Math.max(100, 18 * Math.max(...groups.map((g) => g.length))),
      data: { values: points(group) },
      transform: [{ calculate: "datum.rank + '. ' + datum.primitive", as: 'label' }],
      layer: [
        { mark: { type: 'line', color: '#888', strokeWidth: 1 }, encoding: { x, y, detail: { field: 'primitive' } } },
        { mark: { type: 'point', filled: true, size: 40 }, encoding: { x, y, color: { field: 'env', type: 'nominal', scale: ENV_COLOUR, legend: null } } },
        { transform: [{ filter: "datum.env === 'eBPF'" }], mark: { type: 'text', align: 'right', dx: -8, fontSize: 9 }, encoding: { x, y, text: { field: 'label' } } },
        { transform: [{ filter: "datum.env === 'native'" }], mark: { type: 'text', align: 'left', dx: 8, fontSize: 9 }, encoding: { x, y, text: { field: 'label' } } },
      ],
    })),
  };
}

export const microFigure: FigureModule = {
  id: 'micro',
  needs: 'op_ns rows of sketchbench micro',
  build(summary, ratios = []) {
    const rows = microTable(summary, ratios);
    const out: FigureSpec[] = [];
    for (const [family, fam] of byFamily(rows)) {
      out.push({
        id: `micro-${family}`,
        title: `Primitives: ${family}, eBPF and native`,
        caption: `Cost per operation of each ${family} primitive (median over repetitions, 95% interval), in eBPF under BPF_PROG_TEST_RUN and compiled natively from the same C; the same loop without the operation is subtracted in every block.`,
        spec: barsSpec(fam),
      });
      if (fam.some((r) => r.cells.ebpf && r.cells.native)) {
        out.push({
          id: `micro-${family}-rank`,
          title: `Primitives: ${family}, rank in each environment`,
          caption: `Each ${family} primitive's rank by median cost among its group's primitives in each environment (1 = cheapest; shown for those both run): a line that crosses is a primitive whose standing changes between user space and the kernel. Ranks of primitives within each other's intervals are ties in all but name.`,
          spec: rankSpec(fam),
        });
      }
    }
    return out;
  },
};
