/** Axis titles wrap at word boundaries so a rotated title fits the plot's height. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { wrapTitle } from '../../harness/report/figures/figure.ts';

test('a long axis title wraps into lines of at most 24 characters, a short one stays whole', () => {
  assert.deepEqual(wrapTitle('Capacity per DUT CPU-second (Mpps)'), ['Capacity per DUT', 'CPU-second (Mpps)']);
  assert.equal(wrapTitle('Cost (ns/packet)'), 'Cost (ns/packet)');
  // A word longer than the limit gets its own line rather than being cut.
  assert.deepEqual(wrapTitle('a averyveryveryverylongwordindeed b', 10), ['a', 'averyveryveryverylongwordindeed', 'b']);
});
