/**
 * Vega-Lite spec -> Vega -> SVG (the source of truth) -> PNG (resvg) and PDF (pdfkit).
 *
 * PDF through pdfkit + svg-to-pdfkit rather than headless Chromium: it is pure JavaScript
 * from npm, keeps the figure as vectors with the font embedded, needs no browser on the
 * testbed or in CI, and takes milliseconds per figure instead of a browser start.
 */
import * as vl from 'vega-lite';
import * as vega from 'vega';
import { Resvg } from '@resvg/resvg-js';
import PDFDocument from 'pdfkit';
import SVGtoPDF from 'svg-to-pdfkit';
import { SketchbenchError } from '../errors.ts';
import { findFonts } from './fonts.ts';
import { FIGURE_WIDTH_IN, FONT_FAMILY, PNG_DPI } from './style.ts';

export interface Rendered {
  vegaSpec: vega.Spec;
  /** The Vega view after running: tests inspect its scenegraph. */
  view: vega.View;
  svg: string;
  widthPx: number;
  heightPx: number;
}

export async function renderSvg(vlSpec: Record<string, unknown>, id = 'figure'): Promise<Rendered> {
  try {
    const vegaSpec = vl.compile(vlSpec as unknown as vl.TopLevelSpec).spec;
    // renderer 'none': no canvas in Node; toSVG renders the scenegraph itself.
    const view = new vega.View(vega.parse(vegaSpec), { renderer: 'none' });
    await view.runAsync();
    const svg = await view.toSVG();
    const m = /<svg[^>]*\bwidth="([\d.]+)"[^>]*\bheight="([\d.]+)"/.exec(svg);
    return { vegaSpec, view, svg, widthPx: Number(m?.[1] ?? 0), heightPx: Number(m?.[2] ?? 0) };
  } catch (err) {
    throw new SketchbenchError('report', `figure ${id}: cannot render its Vega-Lite spec: ${(err as Error).message}`, { cause: err });
  }
}

/** PNG at PNG_DPI for a figure FIGURE_WIDTH_IN wide. */
export function svgToPng(svg: string): Buffer {
  const fonts = findFonts();
  const resvg = new Resvg(svg, {
    fitTo: { mode: 'width', value: Math.round(FIGURE_WIDTH_IN * PNG_DPI) },
    background: 'white',
    font: { loadSystemFonts: false, fontFiles: [fonts.regular, fonts.bold], defaultFontFamily: FONT_FAMILY, sansSerifFamily: FONT_FAMILY },
  });
  return resvg.render().asPng();
}

/** Vector PDF, page exactly the figure, FIGURE_WIDTH_IN wide. */
export function svgToPdf(svg: string, widthPx: number, heightPx: number, title: string): Promise<Buffer> {
  const fonts = findFonts();
  const scale = (FIGURE_WIDTH_IN * 72) / widthPx;
  const doc = new PDFDocument({ size: [widthPx * scale, heightPx * scale], margin: 0, info: { Title: title, Creator: 'sketchbench' } });
  doc.registerFont('sans', fonts.regular);
  doc.registerFont('sans-bold', fonts.bold);
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  SVGtoPDF(doc, svg, 0, 0, {
    width: widthPx * scale,
    height: heightPx * scale,
    fontCallback: (_family, bold) => (bold ? 'sans-bold' : 'sans'),
  });
  doc.end();
  return done;
}
