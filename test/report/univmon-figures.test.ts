// UnivMon's error-against-memory figures: one per metric present, a point and an interval per cell.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { univmonMemoryFigure } from '../../harness/report/figures/univmon-memory.ts';
import { drilldownFigure } from '../../harness/report/figures/drilldown.ts';
import { renderSvg } from '../../harness/report/render.ts';
import type { SummaryRow } from '../../harness/types/results.ts';

function cell(variant: string, metric: string, columns: number, median: number, unit = 'ratio'): SummaryRow {
  return {
    variant, metric, unit, trace: 't.trace', params: { rows: 4, columns, p: 0.0625, layers: 16, topk: 16 }, n: 5, median, q1: median, q3: median, iqr: 0,
    ciLow: median * 0.8, ciHigh: median * 1.2, ciMethod: 'order-statistic', ciLevel: 0.94, mean: median, stddev: 0, min: median, max: median, outliers: [],
  };
}

const summary: SummaryRow[] = ['univmon', 'nitro-univmon-final'].flatMap((v) => [128, 512, 2048].flatMap((c) => [
  cell(v, 'memory_bytes', c, c * 16 * 4 * 4 * 2, 'bytes'),
  cell(v, 'entropy_rel_err', c, 10 / c),
  cell(v, 'f2_rel_err', c, 5 / c),
  cell(v, 'hh_sketch_f1_0.1pct', c, 0.2 + c / 4096),
]));

/** All scenegraph items of one mark type outside the axes and the legend. */
function items(node: any, marktype: string, out: any[] = []): any[] {
  if (node?.marktype === marktype && !/^(axis|legend)/.test(String(node.role))) out.push(...(node.items ?? []));
  for (const i of node?.items ?? []) items(i, marktype, out);
  return out;
}

test('one figure per UnivMon metric present, none for absent ones', () => {
  const ids = univmonMemoryFigure.build(summary).map((f) => f.id);
  assert.deepEqual(ids, ['entropy-rel-err-memory', 'f2-rel-err-memory', 'hh-sketch-f1-0.1pct-memory']);
  // Without memory_bytes of the same cell there is nothing to draw against.
  assert.deepEqual(univmonMemoryFigure.build(summary.filter((s) => s.metric !== 'memory_bytes')), []);
});

test('each cell is a point at its memory with its interval', async () => {
  const fig = univmonMemoryFigure.build(summary).find((f) => f.id === 'entropy-rel-err-memory')!;
  const values = (fig.spec.data as { values: { variant: string; memoryKiB: number; median: number; ciLow: number; ciHigh: number }[] }).values;
  assert.equal(values.length, 6);
  const p = values.find((v) => v.variant === 'univmon' && v.memoryKiB === 512 * 16 * 4 * 4 * 2 / 1024)!;
  assert.deepEqual([p.median, p.ciLow, p.ciHigh], [10 / 512, 0.8 * 10 / 512, 1.2 * 10 / 512]);
  const out = await renderSvg(fig.spec);
  assert.equal(items((out.view.scenegraph() as any).root, 'symbol').length, 6);
});

test('NitroSketch-UnivMon\'s drill-down is a figure of its own, from its first step', () => {
  const cost = (v: string, median: number) => cell(v, 'cost_ns', 512, median, 'ns/packet');
  const figs = drilldownFigure.build([cost('nitro-univmon-naive', 200), cost('nitro-univmon-geo', 120), cost('nitro-univmon-final', 60)]);
  assert.deepEqual(figs.map((f) => f.id), ['drilldown-nitro-univmon-cost']);
  const values = (figs[0].spec.data as { values: { variant: string; gainLabel: string }[] }).values;
  assert.deepEqual(values.map((v) => `${v.variant} ${v.gainLabel}`), ['nitro-univmon-naive ', 'nitro-univmon-geo \u221240%', 'nitro-univmon-final \u221250%']);
  // Without its first step there is no baseline to state gains against.
  assert.deepEqual(drilldownFigure.build([cost('nitro-univmon-geo', 120), cost('nitro-univmon-final', 60)]), []);
});
