/** The host's speed over the cost passes, from baseline-drop's rows: the main configuration only, and what the summary says. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { costPassRange, passRangeSentence } from '../../harness/analyse/host-speed.ts';
import type { Row } from '../../harness/types/results.ts';

const row = (variant: string, metric: string, rep: number, value: number, p = 0.0625, trace = 't.trace'): Row => ({ variant, metric, rep, value, unit: 'ns/packet', trace, params: { rows: 4, columns: 512, p } });

test('host speed: baseline-drop cost_ns of the first configuration, fastest and slowest pass', () => {
  const rows = [
    row('baseline-drop', 'cost_ns', 0, 55), row('baseline-drop', 'cost_ns', 1, 91.6), row('baseline-drop', 'cost_ns', 2, 51.5),
    row('baseline-drop', 'cost_net_ns', 0, 0), row('nitro-naive', 'cost_ns', 0, 400),
    row('baseline-drop', 'cost_ns', 0, 10, 0.25), // another configuration (a sweep): not mixed in
    row('baseline-drop', 'cost_ns', 1, 500, 0.0625, 'other.trace'),
  ];
  assert.deepEqual(costPassRange(rows), { variant: 'baseline-drop', passes: 3, fastest: 51.5, slowest: 91.6, unit: 'ns/packet' });
  assert.equal(costPassRange(rows.slice(1, 2)), undefined); // one pass says nothing about a range
  assert.equal(costPassRange([row('countmin', 'cost_ns', 0, 1), row('countmin', 'cost_ns', 1, 2)]), undefined);
});

test('host speed: the summary line says the ratios moved from a 1.5x spread on', () => {
  const moved = passRangeSentence({ variant: 'baseline-drop', passes: 20, fastest: 51.5, slowest: 91.6, unit: 'ns/packet' });
  assert.match(moved, /51\.5 to 91\.6 ns per packet \(1\.78x\) over 20 passes; cost ratios move/);
  const calm = passRangeSentence({ variant: 'baseline-drop', passes: 20, fastest: 51.5, slowest: 70, unit: 'ns/packet' });
  assert.match(calm, /\(1\.36x\) over 20 passes$/);
});
