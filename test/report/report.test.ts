// The report renders from a results file alone and its figures hold the expected marks.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { writeReport } from '../../harness/report/index.ts';
import { renderSvg } from '../../harness/report/render.ts';
import { loadResults } from '../../harness/results/reader.ts';
import { runStatistics } from '../../harness/analyse/run-statistics.ts';

const withStats = <T extends Parameters<typeof runStatistics>[0]>(r: T) => ({ ...r, ...runStatistics(r) });
import { FIGURES } from '../../harness/report/figures/index.ts';
import { variantColour } from '../../harness/report/palette.ts';
import type { SummaryRow } from '../../harness/types/results.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const runA = join(root, 'test/fixtures/results/run-a');
export const reportOut = join(mkdtempSync(join(tmpdir(), 'sb-report-')), 'run-a');

/** All scenegraph items of marks of one type, outside axes. Bars are told from errorbar ticks (also rects) by mark name. */
function items(node: any, marktype: string, out: any[] = []): any[] {
  if (node?.marktype === marktype && !String(node.role).startsWith('axis')) out.push(...(node.items ?? []));
  for (const i of node?.items ?? []) items(i, marktype, out);
  return out;
}

test('report: writes index.html and every figure in four formats', async () => {
  const r = await writeReport(runA, reportOut);
  const expected = ['throughput', 'cost', 'drilldown-throughput', 'drilldown-cost', 'are-memory', 'hh-f1-0.1pct', 'throughput-vs-p', 'cost-vs-p'];
  for (const id of expected) {
    assert.ok(r.figures.includes(id), `figure ${id} missing from ${r.figures}`);
    for (const ext of ['svg', 'png', 'pdf', 'vl.json']) assert.ok(existsSync(join(reportOut, 'figures', `${id}.${ext}`)), `${id}.${ext}`);
  }
  const png = readFileSync(join(reportOut, 'figures', 'throughput.png'));
  assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  const width = png.readUInt32BE(16);
  const height = png.readUInt32BE(20);
  assert.equal(width, 990); // 3.3 in at 300 dpi
  assert.ok(height > 300 && height < 1500, `height ${height}`);
  assert.equal(readFileSync(join(reportOut, 'figures', 'throughput.pdf')).subarray(0, 5).toString(), '%PDF-');
  const html = readFileSync(r.indexHtml, 'utf8');
  assert.ok(!/<script|https?:\/\/(?!vega\.github\.io\/schema|www\.w3\.org)/.test(html), 'no scripts or external resources');
  assert.match(html, /sketchbench run --suite test\/fixtures\/results\/fixture-suite.json/);
  assert.match(html, /Paired ratios/);
  assert.equal((html.match(/<svg/g) ?? []).length, r.figures.length);
});

test('throughput figure: one bar per variant in the scenegraph and the SVG, plus the ceiling rule', async () => {
  const res = withStats(loadResults(runA));
  const [fig] = FIGURES.find((f) => f.id === 'throughput')!.build(res.summary);
  const out = await renderSvg(fig.spec);
  const bars = items((out.view.scenegraph() as any).root, 'rect').filter((i) => i.datum?.variant && i.mark.name === 'layer_0_marks');
  const measured = new Set(res.summary.filter((s) => s.metric === 'throughput_pps').map((s) => s.variant)).size;
  assert.ok(measured >= 8);
  assert.equal(bars.length, measured);
  assert.deepEqual(new Set(bars.map((b) => b.fill)), new Set(bars.map((b) => variantColour(b.datum.variant))));
  assert.equal((out.svg.match(/aria-roledescription="bar"/g) ?? []).length, measured);
  const ruleData = items((out.view.scenegraph() as any).root, 'rule').map((i) => i.datum).filter((d) => d?.label);
  assert.equal(ruleData[0].label, 'baseline-drop ceiling');
  const drop = res.summary.find((s) => s.variant === 'baseline-drop' && s.metric === 'throughput_pps')!;
  assert.ok(Math.abs(ruleData[0].value - drop.median / 1e6) < 1e-9);
});

test('drill-down: the paper\'s six steps with each gain labelled', async () => {
  const res = withStats(loadResults(runA));
  const figs = FIGURES.find((f) => f.id === 'drilldown')!.build(res.summary);
  const tp = figs.find((f) => f.id === 'drilldown-throughput')!;
  const out = await renderSvg(tp.spec);
  const texts = items((out.view.scenegraph() as any).root, 'text').map((t) => t.text).filter((t) => /%$/.test(String(t)));
  assert.equal(texts.length, 5);
  // A real run: each step's change is labelled with its sign, whichever way it went.
  assert.ok(texts.every((t) => /^[+\u2212]\d+%$/.test(t)), texts.join(' '));
});

test('figures are skipped cleanly when their data is absent', () => {
  const res = withStats(loadResults(runA));
  const only = (pred: (s: SummaryRow) => boolean) => res.summary.filter(pred);
  const noNitro = only((s) => !s.variant.startsWith('nitro-naive'));
  assert.deepEqual(FIGURES.find((f) => f.id === 'drilldown')!.build(noNitro), []);
  const costOnly = only((s) => s.metric === 'cost_ns');
  const built = FIGURES.flatMap((f) => f.build(costOnly)).map((f) => f.id);
  assert.deepEqual(built.sort(), ['cost', 'cost-vs-p', 'drilldown-cost']);
});

test('CLI: sketchbench report prints where the report is', () => {
  const out = join(mkdtempSync(join(tmpdir(), 'sb-cli-')), 'r');
  const r = spawnSync(process.execPath, [join(root, 'bin/sketchbench.js'), 'report', runA, '--out', out], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, new RegExp(`report: ${out}/index.html`));
  const bad = spawnSync(process.execPath, [join(root, 'bin/sketchbench.js'), 'report', join(root, 'test/fixtures/results/malformed.json'), '--out', out], { encoding: 'utf8' });
  assert.equal(bad.status, 2);
});
