/** The ratio-against-p figure takes only same-p pairs, against the reference most widely paired. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sweepRatios, sweepRatiosFigure } from '../../harness/report/figures/sweep-ratios.ts';
import type { PairedRatio } from '../../harness/types/results.ts';

const r = (phase: string, variant: string, p: number, reference: string, refP: number, ratio: number): PairedRatio => ({
  phase, variant, reference, metric: 'capacity_pps', unit: 'packets/s', params: { p }, referenceParams: { p: refP }, ratio, ciLow: ratio - 0.01, ciHigh: ratio + 0.01, n: 100,
});

test('sweep ratios: same-p pairs only, a sweep phase before the main phase, three values or no line', () => {
  const ratios = [
    r('main', 'nitro-final', 0.0625, 'nitro-naive', 0.0625, 1.7),
    r('main', 'nitro-lean', 0.0625, 'nitro-naive', 0.0625, 1.75), // one value of p only: no line
    r('sweep p', 'nitro-final', 0.25, 'nitro-naive', 0.25, 1.6),
    r('sweep p', 'nitro-final', 1, 'nitro-naive', 1, 1.3),
    r('sweep p', 'nitro-final', 1, 'nitro-naive', 0.25, 9.9), // across values of p: not this figure's
    r('sweep p', 'nitro-naive', 1, 'nitro-naive', 0.25, 1.1), // the reference itself
    r('sweep columns', 'nitro-final', 0.0625, 'baseline-drop', 0.0625, 0.9),
  ];
  const found = sweepRatios(ratios, 'capacity_pps')!;
  assert.equal(found.reference, 'nitro-naive');
  assert.deepEqual(found.rows.map((x) => [x.variant, x.params.p, x.ratio]).sort(), [['nitro-final', 0.0625, 1.7], ['nitro-final', 0.25, 1.6], ['nitro-final', 1, 1.3]]);
  assert.equal(sweepRatios(ratios.slice(0, 3), 'capacity_pps'), undefined); // two values of p
  const figs = sweepRatiosFigure.build([], ratios);
  assert.deepEqual(figs.map((f) => f.id), ['capacity-ratio-vs-p']);
  assert.match(figs[0].title, /Capacity relative to nitro-naive/);
});
