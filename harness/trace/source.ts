/**
 * A buffered reader over a file or a pipe. A fixed buffer (grown only for one oversized
 * record) keeps memory flat however large the input is; records are parsed in place in buf.
 * Reads are synchronous so the per-packet loop never waits on a promise: a decompressor
 * feeding a pipe runs in its own process, on another core.
 */
import { readSync } from 'node:fs';

export class Source {
  buf: Buffer;
  /** Input offset of buf[0]. */
  base = 0;
  lo = 0;
  hi = 0;
  private eof = false;

  /** stream: a pipe (read sequentially); otherwise a regular file (positional reads). */
  constructor(readonly fd: number, readonly stream: boolean, bufferBytes = 8 << 20) {
    this.buf = Buffer.allocUnsafe(bufferBytes);
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
      const r = readSync(this.fd, this.buf, this.hi, this.buf.length - this.hi, this.stream ? null : this.base + this.hi);
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
