/** UnivMon's errors (distinct flows, entropy, F2) and sketch-named heavy-hitter F1 against memory, one figure each. */
import type { FigureModule } from './figure.ts';
import { memorySpec } from './accuracy-memory.ts';
import { metricInfo } from '../../types/results.ts';

const ERRORS = ['distinct_rel_err', 'entropy_rel_err', 'f2_rel_err'] as const;
const F1 = ['hh_sketch_f1_0.01pct', 'hh_sketch_f1_0.1pct', 'hh_sketch_f1_1pct'] as const;

export const univmonMemoryFigure: FigureModule = {
  id: 'univmon-memory',
  needs: 'distinct_rel_err, entropy_rel_err, f2_rel_err or hh_sketch_f1_* rows with memory_bytes of the same cell (univmon, nitro-univmon)',
  build(summary) {
    const errors = ERRORS.flatMap((metric) => {
      const spec = memorySpec(summary, metric, true);
      return spec ? [{
        id: `${metric.replace(/_/g, '-')}-memory`,
        title: `${metricInfo(metric).label} against memory`,
        caption: 'UnivMon\'s G-sum estimate from the kernel\'s key lists against the trace, by sketch memory (every layer\'s counters and key lists, all CPUs); median over repetitions, whiskers: 95% CI. Lower-left is better.',
        spec,
      }] : [];
    });
    const f1 = F1.flatMap((metric) => {
      const spec = memorySpec(summary, metric, false);
      const threshold = metric.replace('hh_sketch_f1_', '').replace('pct', '%');
      return spec ? [{
        id: `hh-sketch-f1-${metric.replace('hh_sketch_f1_', '')}-memory`,
        title: `Heavy-hitter F1 of the keys the sketch names (>${threshold}) against memory`,
        caption: `Only keys the kernel listed can be reported (no query of the true flows); median over repetitions, whiskers: 95% CI. Higher is better.`,
        spec,
      }] : [];
    });
    return [...errors, ...f1];
  },
};
