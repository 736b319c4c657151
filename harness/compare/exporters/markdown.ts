/** A Markdown table for pull requests and $GITHUB_STEP_SUMMARY. */
import type { Exporter } from './exporter.ts';
import { cellLabel } from '../compare.ts';

const n = (v: number) => (Math.abs(v) >= 1e4 ? Math.round(v).toLocaleString('en-US') : Number(v.toPrecision(4)).toString());
const ICON: Record<string, string> = { faster: '✅ faster', better: '✅ better', slower: '❌ slower', worse: '❌ worse', unchanged: 'unchanged' };

export const markdownExporter: Exporter = {
  id: 'markdown',
  render(c) {
    const test = c.test ?? 'Mann-Whitney';
    const head = c.regressions > 0
      ? `**${c.regressions} regression${c.regressions > 1 ? 's' : ''}** beyond ${c.thresholdPct}% (${test}, p < ${c.alpha})`
      : `No regression beyond ${c.thresholdPct}% (${test}, p < ${c.alpha})`;
    const lines = [
      `### sketchbench compare: ${c.current.name} against ${c.baseline.name}`,
      '',
      `${head}. Suite \`${c.current.suite}\`, baseline \`${c.baseline.gitCommit}\`, current \`${c.current.gitCommit}\`.`,
      '',
      '| variant | metric | baseline median [95% CI] | current median [95% CI] | ratio [95% CI] | change | p | verdict |',
      '|---|---|---:|---:|---:|---:|---:|---|',
      ...c.rows.map((r) => {
        const label = cellLabel(r).slice(r.variant.length + 1);
        return `| ${r.variant} | ${label} (${r.unit}, ${r.better} is better) | ${n(r.baseline.median)} [${n(r.baseline.ciLow)}, ${n(r.baseline.ciHigh)}] | ` +
          `${n(r.current.median)} [${n(r.current.ciLow)}, ${n(r.current.ciHigh)}] | ${r.ratio.toFixed(3)} [${r.ratioCiLow.toFixed(3)}, ${r.ratioCiHigh.toFixed(3)}] | ` +
          `${r.changePct >= 0 ? '+' : ''}${r.changePct.toFixed(1)}% | ${r.p.toFixed(4)} | ${ICON[r.verdict]} |`;
      }),
    ];
    const moved = (c.ratioChanges ?? []).filter((r) => r.metric !== 'throughput_pps');
    if (moved.length) {
      const f = (x: number) => x.toFixed(3);
      lines.push('', '#### Paired ratios inside each run (drift-free; shown, not gated)', '',
        '| variant | reference | metric | baseline [95% CI] | current [95% CI] | |', '|---|---|---|---:|---:|---|',
        ...moved.map((r) => `| ${r.variant} | ${r.reference} | ${r.metric} | ${f(r.baseline.ratio)} [${f(r.baseline.ciLow)}, ${f(r.baseline.ciHigh)}] | ${f(r.current.ratio)} [${f(r.current.ciLow)}, ${f(r.current.ciHigh)}] | ${r.separated ? 'moved' : ''} |`));
    }
    if (c.onlyInBaseline.length) lines.push('', `Only in baseline: ${c.onlyInBaseline.join('; ')}`);
    if (c.onlyInCurrent.length) lines.push('', `Only in current: ${c.onlyInCurrent.join('; ')}`);
    return lines.join('\n') + '\n';
  },
};
