/**
 * k-way merge of capture records by timestamp, as mergecap does: each input is read in its
 * own order and the earliest head goes next. On equal stamps mergecap takes the input named
 * last (its scan keeps the last of equal candidates); this merge does the same, so a merged
 * trace equals the import of mergecap's output. Only one record per input is held, so
 * memory does not grow with the captures.
 */
import type { RecordReader } from './capture.ts';

export function mergeRecords(readers: RecordReader[], sink: (r: RecordReader) => void): void {
  if (readers.length === 1) {
    const r = readers[0];
    while (r.next()) sink(r);
    return;
  }
  // Binary min-heap of reader indices that have a current record.
  const heap: number[] = [];
  const before = (a: number, b: number): boolean => {
    const ra = readers[a], rb = readers[b];
    return ra.tsSec !== rb.tsSec ? ra.tsSec < rb.tsSec : ra.tsNsec !== rb.tsNsec ? ra.tsNsec < rb.tsNsec : a > b;
  };
  const down = (i: number): void => {
    for (;;) {
      const l = 2 * i + 1, r = l + 1;
      let m = i;
      if (l < heap.length && before(heap[l], heap[m])) m = l;
      if (r < heap.length && before(heap[r], heap[m])) m = r;
      if (m === i) return;
      [heap[i], heap[m]] = [heap[m], heap[i]];
      i = m;
    }
  };
  for (let i = 0; i < readers.length; i++) {
    if (!readers[i].next()) continue;
    heap.push(i);
    for (let j = heap.length - 1; j > 0;) {
      const p = (j - 1) >> 1;
      if (!before(heap[j], heap[p])) break;
      [heap[j], heap[p]] = [heap[p], heap[j]];
      j = p;
    }
  }
  while (heap.length > 0) {
    const top = heap[0];
    sink(readers[top]);
    if (!readers[top].next()) {
      const last = heap.pop()!;
      if (heap.length === 0) break;
      heap[0] = last;
    }
    down(0);
  }
}
