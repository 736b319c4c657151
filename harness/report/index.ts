/** Builds a report folder from a results file alone: figures in four formats, specs, index.html. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadResults } from '../results/reader.ts';
import { runStatistics } from '../analyse/run-statistics.ts';
import { writeFileAtomic } from '../results/writer.ts';
import { FIGURES } from './figures/index.ts';
import { renderSvg, svgToPdf, svgToPng } from './render.ts';
import { renderHtml, type HtmlFigure } from './html.ts';
import { findFonts } from './fonts.ts';

export interface ReportResult {
  outDir: string;
  indexHtml: string;
  /** Ids of figures written (each as .svg, .png, .pdf, .vl.json under figures/). */
  figures: string[];
  skipped: { id: string; needs: string }[];
  warnings: string[];
}

export async function writeReport(resultsPath: string, outDir: string): Promise<ReportResult> {
  const loaded = loadResults(resultsPath);
  const res = { ...loaded, ...runStatistics(loaded) };
  findFonts(); // fail before writing anything when PNG/PDF cannot have text
  const figDir = join(outDir, 'figures');
  mkdirSync(figDir, { recursive: true });
  const figures: HtmlFigure[] = [];
  const skipped: ReportResult['skipped'] = [];
  for (const mod of FIGURES) {
    const specs = mod.build(res.summary, res.ratios);
    if (specs.length === 0) skipped.push({ id: mod.id, needs: mod.needs });
    for (const f of specs) {
      const r = await renderSvg(f.spec, f.id);
      writeFileSync(join(figDir, `${f.id}.vl.json`), JSON.stringify(f.spec, null, 2) + '\n');
      writeFileSync(join(figDir, `${f.id}.svg`), r.svg);
      writeFileSync(join(figDir, `${f.id}.png`), svgToPng(r.svg));
      writeFileSync(join(figDir, `${f.id}.pdf`), await svgToPdf(r.svg, r.widthPx, r.heightPx, f.title));
      figures.push({ id: f.id, title: f.title, caption: f.caption, svg: r.svg });
    }
  }
  const indexHtml = join(outDir, 'index.html');
  writeFileAtomic(indexHtml, renderHtml({ name: res.name, source: resolve(res.source), suite: res.suite, env: res.env, summary: res.summary, ratios: res.ratios, figures, skipped, warnings: res.warnings }));
  return { outDir, indexHtml, figures: figures.map((f) => f.id), skipped, warnings: res.warnings };
}
