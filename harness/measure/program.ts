/** program: what the verifier and JIT made of each variant (one row per variant). */
import type { Measurement } from './types.ts';
import { rowParams } from './types.ts';

export const programMeasurement: Measurement<null> = {
  name: 'program',
  metrics: ['verified_insns', 'xlated_bytes', 'jited_bytes', 'map_bytes', 'load_ms'],
  reps: 1,
  stepSeconds() {
    return 0.01; // reads what the load already measured
  },
  async setup() {
    return null;
  },
  async measure(_s, v, rep) {
    const m = v.programMetrics();
    const params = rowParams(v);
    const row = (metric: string, value: number, unit: string) => ({ variant: v.variant.name, metric, rep, value, unit, params });
    return [
      row('verified_insns', m.verifiedInsns, 'instructions'),
      row('xlated_bytes', m.xlatedBytes, 'bytes'),
      row('jited_bytes', m.jitedBytes, 'bytes'),
      row('map_bytes', m.mapBytes, 'bytes'),
      row('load_ms', m.loadMs, 'ms'),
    ];
  },
  async teardown() {},
};
