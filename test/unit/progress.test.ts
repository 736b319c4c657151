/** The run progress: percent and ETA follow the steps' expected seconds. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Progress } from '../../harness/run/progress.ts';

test('progress weighs steps by their expected seconds, not by their count', () => {
  const p = new Progress(0, 'quiet');
  p.addSteps(9, 0.01); // program loads
  p.addSteps(1, 20); // one cost pass of every variant
  for (let i = 0; i < 9; i++) p.step('load', undefined, 0.01);
  assert.ok(Math.abs(p.fraction - 0.09 / 20.09) < 1e-12, `nine loads are ${p.fraction} of the run, not 90%`);
  p.step('cost rep 1/1', undefined, 20);
  assert.equal(p.fraction, 1);
});

test('unweighted steps count one each, as before', () => {
  const p = new Progress(4, 'quiet');
  p.step('a');
  assert.equal(p.fraction, 0.25);
  p.addSteps(4);
  p.step('b');
  assert.equal(p.fraction, 0.25);
});

test('the ETA is unknown until a hundredth of the work is done, then paced from the first step', () => {
  const p = new Progress(0, 'quiet');
  p.addSteps(1, 0.01); // a program load: too small to time the run by
  p.addSteps(1, 10);
  p.addSteps(1, 90);
  p.step('load', undefined, 0.01);
  assert.equal(p.etaSeconds(), undefined);
  p.step('first 10 s', undefined, 10);
  // 10 of 100 expected seconds took (now - first step); 90 are left, at the same pace.
  const now = Date.now() + 5000;
  const eta = p.etaSeconds(now)!;
  // 45 s, plus 9x whatever time passed between the two steps above (microseconds).
  assert.ok(eta >= 45 && eta < 60, `eta ${eta}`);
});
