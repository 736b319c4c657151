/**
 * A buffered reader over a file or a decompressor's output. A fixed buffer (grown only for one oversized
 * record) keeps memory flat however large the input is; records are parsed in place in buf.
 * Reads are synchronous so the per-packet loop never waits on a promise: a decompressor
 * runs in a worker thread, on another core.
 */
import { readSync } from 'node:fs';

/** Where a Source gets its bytes: a file descriptor (positional reads) or a blocking stream. */
export type ByteInput = number | { read(buf: Uint8Array, off: number, len: number): number };

export class Source {
  buf: Buffer;
  /** Input offset of buf[0]. */
  base = 0;
  lo = 0;
  hi = 0;
  private eof = false;

  private readonly stream: boolean;

  constructor(private readonly input: ByteInput, bufferBytes = 8 << 20) {
    this.buf = Buffer.allocUnsafe(bufferBytes);
    this.stream = typeof input !== 'number';
  }

  /** Input offset of the next unread byte. */
  get pos(): number { return this.base + this.lo; }
  avail(): number { return this.hi - this.lo; }
  /** The input has been read to its end (what is left is in the buffer). */
  get reachedEnd(): boolean { return this.eof; }

  /**
   * Makes n bytes available at lo; false only at end of input (then avail() is all that is
   * left). May move data: reread offsets after.
   */
  ensure(n: number): boolean {
    if (this.hi - this.lo >= n) return true;
    if (this.eof) return false;
    if (this.lo > 0) {
      this.buf.copy(this.buf, 0, this.lo, this.hi);
      this.base += this.lo; this.hi -= this.lo; this.lo = 0;
    }
    if (n > this.buf.length) {
      const nb = Buffer.allocUnsafe(Math.max(n, this.buf.length * 2));
      this.buf.copy(nb, 0, 0, this.hi);
      this.buf = nb;
    }
    while (this.hi < n || (!this.stream && this.hi < this.buf.length)) {
      const inp = this.input;
      const r = typeof inp === 'number'
        ? readSync(inp, this.buf, this.hi, this.buf.length - this.hi, this.base + this.hi)
        : inp.read(this.buf, this.hi, this.buf.length - this.hi);
      if (r === 0) { this.eof = true; break; }
      this.hi += r;
    }
    return this.hi - this.lo >= n;
  }

  skip(n: number): void {
    const a = this.hi - this.lo;
    if (n <= a) { this.lo += n; return; }
    n -= a;
    this.base += this.hi; this.lo = 0; this.hi = 0;
    if (!this.stream) { this.base += n; return; }
    while (n > 0 && this.ensure(1)) { // a pipe cannot seek: read and drop
      const k = Math.min(n, this.hi - this.lo);
      this.lo += k; n -= k;
    }
  }
}
