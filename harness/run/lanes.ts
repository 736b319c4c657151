/** A few async jobs at a time: the runner's lanes for measurements that may share the cores. */

/**
 * `fn` for every item, `lanes` at once: item i always in lane i mod lanes, each lane
 * taking its items in order (so what ran where is the same every run). After a failure
 * no more start, and the running ones are waited for before the first error is thrown:
 * teardown must not free what a lane still uses.
 */
export async function inLanes<T>(items: readonly T[], lanes: number, fn: (item: T, lane: number) => Promise<void>): Promise<void> {
  let failed: { err: unknown } | undefined;
  const n = Math.max(1, Math.min(lanes, items.length));
  const lane = async (k: number) => {
    for (let i = k; i < items.length && !failed; i += n) {
      try {
        await fn(items[i], k);
      } catch (err) {
        failed ??= { err };
      }
    }
  };
  await Promise.all(Array.from({ length: n }, (_, k) => lane(k)));
  if (failed) throw failed.err;
}
