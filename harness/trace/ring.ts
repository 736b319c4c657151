/**
 * The reading end of a byte ring shared with a worker thread. Reads block (Atomics.wait)
 * so the record readers stay synchronous while the writer decompresses on another core.
 * Layout of the SharedArrayBuffer: Int32 [write count, read count, state, closed, error
 * length, started] at 0 (counts wrap at 2^32, so the ring size is a power of two), error text
 * (1024 bytes) at 32, data at 1056.
 */
const W = 0, R = 1, STATE = 2, CLOSED = 3, ERRLEN = 4, STARTED = 5;
/** A writer that has not started by then never will (its module failed to load). */
const START_TIMEOUT_MS = 60_000;
const DATA = 1056;

/** Writer states. */
export const RUNNING = 0, DONE = 1, FAILED = 2;

export class RingReader {
  readonly sab: SharedArrayBuffer;
  private readonly ctrl: Int32Array;
  private readonly data: Uint8Array;

  constructor(readonly size = 8 << 20) {
    if (size & (size - 1)) throw new Error('ring size must be a power of two');
    this.sab = new SharedArrayBuffer(DATA + size);
    this.ctrl = new Int32Array(this.sab, 0, 8);
    this.data = new Uint8Array(this.sab, DATA, size);
  }

  /** Up to len bytes into buf at off; waits for the writer; 0 at the end of its output. */
  read(buf: Uint8Array, off: number, len: number): number {
    const c = this.ctrl;
    const t0 = Date.now();
    for (;;) {
      const w = Atomics.load(c, W), r = Atomics.load(c, R);
      const avail = (w - r) | 0;
      if (avail > 0) {
        const at = (r >>> 0) % this.size;
        const n = Math.min(avail, len, this.size - at);
        buf.set(this.data.subarray(at, at + n), off);
        Atomics.store(c, R, (r + n) | 0);
        Atomics.notify(c, R);
        return n;
      }
      // The writer stores its last count before its state, so a final state means w is final.
      if (Atomics.load(c, STATE) !== RUNNING) {
        if (Atomics.load(c, W) === w) return 0;
        continue;
      }
      // The blocked event loop cannot see the worker's 'error' event: a timeout stands in.
      if (Atomics.load(c, STARTED) === 0 && Date.now() - t0 > START_TIMEOUT_MS) {
        throw new Error(`the decompression worker did not start within ${START_TIMEOUT_MS / 1000} s`);
      }
      Atomics.wait(c, W, w, 200);
    }
  }

  state(): number { return Atomics.load(this.ctrl, STATE); }
  error(): string {
    return Buffer.from(this.sab, 32, Atomics.load(this.ctrl, ERRLEN)).toString();
  }
  /** Tells the writer to stop. */
  close(): void {
    Atomics.store(this.ctrl, CLOSED, 1);
    Atomics.notify(this.ctrl, R);
  }
}
