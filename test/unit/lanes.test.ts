/** inLanes: a fixed lane per item, at most N at once, and after a failure none started and the running ones awaited. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { inLanes } from '../../harness/run/lanes.ts';

const tick = () => new Promise<void>((r) => setImmediate(r));

test('lanes: every item once, item i in lane i mod lanes, each lane in order, never more than the lanes at once', async () => {
  const seen: [number, number][] = [];
  let running = 0;
  let most = 0;
  await inLanes([1, 2, 3, 4, 5], 2, async (x, lane) => {
    seen.push([x, lane]);
    most = Math.max(most, ++running);
    for (let i = 0; i < 6 - x; i++) await tick(); // later items finish sooner
    running--;
  });
  assert.deepEqual([...seen].sort((a, b) => a[0] - b[0]), [[1, 0], [2, 1], [3, 0], [4, 1], [5, 0]]);
  assert.deepEqual(seen.filter(([, l]) => l === 0).map(([x]) => x), [1, 3, 5]);
  assert.equal(most, 2);
  const one: [number, number][] = [];
  await inLanes([1, 2, 3], 1, async (x, lane) => { one.push([x, lane]); await tick(); });
  assert.deepEqual(one, [[1, 0], [2, 0], [3, 0]]);
  await inLanes([], 2, async () => assert.fail('no items, no calls'));
});

test('lanes: a failure stops new starts, waits for the lane still running, and throws the first error', async () => {
  const started: number[] = [];
  let finishedSlow = false;
  await assert.rejects(inLanes([1, 2, 3, 4], 2, async (x) => {
    started.push(x);
    if (x === 1) {
      for (let i = 0; i < 5; i++) await tick();
      finishedSlow = true;
      return;
    }
    await tick();
    throw new Error(`item ${x}`);
  }), /item 2/);
  assert.deepEqual(started, [1, 2]);
  assert.ok(finishedSlow, 'the running lane finished before the error came back');
});
