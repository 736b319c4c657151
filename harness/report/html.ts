/**
 * index.html: one self-contained page (inline SVG figures and CSS, no scripts, no web
 * fonts) so it can be mailed, archived or opened offline and still show everything.
 */
import type { Env, PairedRatio, SummaryRow } from '../types/results.ts';
import { metricInfo } from '../types/results.ts';
import { sortVariants, variantColour } from './palette.ts';
import { outlierWarning } from '../analyse/statistics.ts';

export interface HtmlFigure {
  id: string;
  title: string;
  caption: string;
  svg: string;
}

export interface HtmlInput {
  name: string;
  source: string;
  suite: string;
  env: Env;
  summary: SummaryRow[];
  ratios?: PairedRatio[];
  figures: HtmlFigure[];
  skipped: { id: string; needs: string }[];
  warnings: string[];
}

export const esc = (s: unknown): string =>
  String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** Numbers with 4 significant digits, large ones grouped: tables are for reading, JSON is for precision. */
export function num(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  if (a >= 1e4) return Math.round(v).toLocaleString('en-US');
  return Number(v.toPrecision(4)).toString();
}

/** Params that tell cells of one variant apart, short: "p=1/16 columns=512". */
export function paramsText(p: SummaryRow['params']): string {
  const parts: string[] = [];
  if (typeof p.rows === 'number') parts.push(`rows=${p.rows}`);
  if (typeof p.columns === 'number') parts.push(`columns=${p.columns}`);
  if (typeof p.p === 'number') parts.push(`p=${p.p >= 1 ? '1' : p.p === 1 / Math.round(1 / p.p) ? `1/${Math.round(1 / p.p)}` : num(p.p)}`);
  return parts.join(' ');
}

function summaryTable(metric: string, rows: SummaryRow[]): string {
  const info = metricInfo(metric, rows[0].unit);
  const order = sortVariants(rows.map((r) => r.variant));
  const sorted = [...rows].sort((a, b) => order.indexOf(a.variant) - order.indexOf(b.variant));
  const better = info.better === 'none' ? '' : ` <span class="dir">(${info.better} is better)</span>`;
  const body = sorted.map((r) => `<tr><td><span class="sw" style="background:${variantColour(r.variant)}"></span>${esc(r.variant)}</td>` +
    `<td class="p">${esc(paramsText(r.params))}</td><td>${r.n}</td>` +
    `<td class="num"><b>${num(r.median)}</b> [${num(r.ciLow)}, ${num(r.ciHigh)}]</td>` +
    `<td class="num">${num(r.iqr)}</td><td>${r.ciMethod === 'order-statistic' ? `order stat. (${(r.ciLevel * 100).toFixed(1)}%)` : esc(r.ciMethod)}</td>` +
    `<td>${r.outliers.length ? `<span class="warn">rep ${r.outliers.join(', ')}</span>` : ''}</td></tr>`).join('\n');
  return `<h3 id="t-${esc(metric)}">${esc(metric)} <span class="unit">${esc(rows[0].unit)}</span>${better}</h3>
<table><thead><tr><th>variant</th><th>params</th><th>n</th><th>median [95% CI]</th><th>IQR</th><th>CI method</th><th>outliers</th></tr></thead>
<tbody>
${body}
</tbody></table>`;
}

const CSS = `
body{font-family:"DejaVu Sans",Verdana,Arial,sans-serif;max-width:60rem;margin:1.5rem auto;padding:0 1rem;color:#222;line-height:1.4}
h1{font-size:1.5rem}h2{font-size:1.2rem;margin-top:2rem;border-bottom:1px solid #ddd}h3{font-size:1rem;margin-bottom:.3rem}
table{border-collapse:collapse;font-size:.85rem;margin-bottom:1rem}td,th{border-bottom:1px solid #eee;padding:.2rem .6rem;text-align:left}
td.num{text-align:right;font-variant-numeric:tabular-nums}td.p{color:#555}.unit,.dir{font-weight:normal;color:#666;font-size:.85rem}
.sw{display:inline-block;width:.8em;height:.8em;margin-right:.4em;vertical-align:-.05em;border-radius:2px}
.warn{color:#a15c00}figure{margin:1rem 0 2rem;max-width:36rem}figure svg{width:100%;height:auto}figcaption{font-size:.85rem;color:#444}
code,pre{font-family:"DejaVu Sans Mono",monospace;font-size:.85rem}pre{background:#f6f6f6;padding:.5rem;overflow-x:auto}
.files a{margin-right:.6rem}ul.warnings li{color:#a15c00}
`;

function ratioTable(ratios: PairedRatio[]): string {
  if (ratios.length === 0) return '';
  const f = (x: number) => (Number.isFinite(x) ? x.toFixed(4) : String(x));
  const body = ratios.map((r) => `<tr><td>${esc(r.phase)}</td><td>${esc(r.metric)}</td><td><span class="sw" style="background:${variantColour(r.variant)}"></span>${esc(r.variant)}${paramsText(r.params) ? ` <span class="p">${esc(paramsText(r.params))}</span>` : ''}</td><td>${esc(r.reference)}</td><td class="num">${f(r.ratio)} [${f(r.ciLow)}, ${f(r.ciHigh)}]</td><td class="num">${r.n}</td></tr>`).join('\n');
  return `<h2>Paired ratios</h2>
<p>Median of the per-block ratios of each variant to the reference, with a 95% interval: the variants of a block ran milliseconds apart over the same packets or traffic, so the host's drift cancels.</p>
<table><thead><tr><th>phase</th><th>metric</th><th>variant</th><th>reference</th><th>ratio [95% CI]</th><th>blocks</th></tr></thead>
<tbody>
${body}
</tbody></table>`;
}

export function renderHtml(i: HtmlInput): string {
  const metrics = [...new Set(i.summary.map((s) => s.metric))];
  const kinds = ['throughput', 'cost', 'accuracy', 'program', 'other'] as const;
  const byKind = kinds.map((k) => [k, metrics.filter((m) => metricInfo(m).kind === k)] as const).filter(([, ms]) => ms.length);
  // One line for all outliers: a line per cell buries the advice under repetition.
  const flagged = i.summary.filter((s) => s.outliers.length);
  const outlierLine = flagged.length === 1
    ? [outlierWarning(flagged[0])!]
    : flagged.length
      ? [`${flagged.length} of ${i.summary.length} cells have statistical outliers (modified z-score > 3.5; marked in the tables), e.g. ${flagged.slice(0, 4).map((s) => `${s.variant} ${s.metric}${paramsText(s.params) ? ` [${paramsText(s.params)}]` : ''}`).join('; ')}${flagged.length > 4 ? ` and ${flagged.length - 4} more` : ''}. ` +
        'Other programs, interrupts or CPU frequency changes may have disturbed the run: close other workloads, pin the generator and the XDP core, fix the CPU frequency (disable turbo), or run more repetitions.']
      : [];
  const warnings = [...i.warnings, ...outlierLine];
  const envRows = Object.entries(i.env).map(([k, v]) => `<tr><th>${esc(k)}</th><td>${esc(Array.isArray(v) ? v.join(', ') : typeof v === 'object' ? JSON.stringify(v) : v)}</td></tr>`).join('\n');
  const figures = i.figures.map((f) => `<figure id="fig-${esc(f.id)}">
<h3>${esc(f.title)}</h3>
${f.svg}
<figcaption>${esc(f.caption)} <span class="files"><a href="figures/${esc(f.id)}.svg">svg</a><a href="figures/${esc(f.id)}.png">png</a><a href="figures/${esc(f.id)}.pdf">pdf</a><a href="figures/${esc(f.id)}.vl.json">Vega-Lite</a></span></figcaption>
</figure>`).join('\n');
  const skipped = i.skipped.length
    ? `<p>Not drawn (data absent): ${i.skipped.map((s) => `<b>${esc(s.id)}</b> (needs ${esc(s.needs)})`).join('; ')}.</p>`
    : '';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>sketchbench report: ${esc(i.name)}</title>
<style>${CSS}</style></head>
<body>
<h1>sketchbench report: ${esc(i.name)}</h1>
<p>Suite <b>${esc(i.suite)}</b>, from <code>${esc(i.source)}</code>. Values are medians of repetitions with a 95% confidence interval of the median in brackets.</p>
<p>Produced by:</p><pre>${esc(i.env.command)}</pre>
${warnings.length ? `<h2>Warnings</h2><ul class="warnings">${warnings.map((w) => `<li>${esc(w)}</li>`).join('')}</ul>` : ''}
<h2>Figures</h2>
${figures || '<p>No figure could be drawn from these results.</p>'}
${skipped}
${ratioTable(i.ratios ?? [])}
<h2>Summary</h2>
${byKind.map(([k, ms]) => `<h2 class="kind">${esc(k)}</h2>\n${ms.map((m) => summaryTable(m, i.summary.filter((s) => s.metric === m))).join('\n')}`).join('\n')}
<h2>Environment</h2>
<table>${envRows}</table>
</body></html>
`;
}
