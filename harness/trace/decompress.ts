/**
 * Compressed captures, recognised by their first bytes and streamed, never decompressed to
 * disk: a worker thread inflates gzip with Node's zlib, or pipes the system's zstd or xz,
 * into a shared ring that the synchronous record readers drain. Decompression thus runs on
 * another core and the per-packet loop stays free of promises.
 */
import { existsSync, readSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { badInput } from '../errors.ts';
import { FAILED, RingReader } from './ring.ts';
import { SYSTEM_PACKAGES } from '../system/packages.ts';

export type Compression = 'gzip' | 'zstd' | 'xz';

const TOOLS: Record<Compression, string> = { gzip: 'gzip', zstd: 'zstd', xz: 'xz' };

/** The compression a file's first bytes announce, or null for anything else. */
export function sniffCompression(head: Uint8Array): Compression | null {
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  if (head.length >= 4 && head[0] === 0x28 && head[1] === 0xb5 && head[2] === 0x2f && head[3] === 0xfd) return 'zstd';
  if (head.length >= 6 && head[0] === 0xfd && head[1] === 0x37 && head[2] === 0x7a && head[3] === 0x58 && head[4] === 0x5a && head[5] === 0x00) return 'xz';
  return null;
}

/** Reads the first bytes of a file to sniff its compression. */
export function sniffFile(fd: number): Compression | null {
  const head = Buffer.alloc(6);
  const n = readSync(fd, head, 0, 6, 0);
  return sniffCompression(head.subarray(0, n));
}

function onPath(cmd: string): boolean {
  return (process.env.PATH ?? '').split(delimiter).some((d) => d !== '' && existsSync(join(d, cmd)));
}

/** A decompressor's output, read synchronously, and the worker behind it. */
export interface Decompressed {
  /** Up to len bytes into buf at off, waiting for the decompressor; 0 at the end. */
  read(buf: Uint8Array, off: number, len: number): number;
  /**
   * Stops the decompressor and waits for it. When the reader got to the end of the output, a
   * failed decompressor is an error (corrupt or cut input); when the reader stopped early
   * (its own error), the decompressor's state does not matter.
   */
  close(reachedEnd: boolean): Promise<void>;
}

export function openDecompressed(path: string, kind: Compression): Decompressed {
  const tool = TOOLS[kind];
  if (kind !== 'gzip' && !onPath(tool)) {
    const pkg = SYSTEM_PACKAGES.find((p) => p.provides.endsWith(`/${tool}`))?.pkg ?? tool;
    throw badInput(`${path}: ${kind}-compressed, but the '${tool}' command is missing: install it with apt-get install ${pkg} (or run 'npx sketchbench setup' as root)`);
  }
  const ring = new RingReader();
  // Plain JavaScript: the worker needs none of the loaders (tsx) the parent runs under; inheriting them made it start in 160-210 ms instead of 35-70.
  const worker = new Worker(new URL('./decompress-worker.mjs', import.meta.url), { workerData: { sab: ring.sab, ring: ring.size, path, kind, tool }, execArgv: [] });
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  let crashed: Error | undefined;
  worker.once('error', (err) => { crashed = err; });
  let closed = false;
  return {
    read: (buf, off, len) => ring.read(buf, off, len),
    async close(reachedEnd) {
      if (closed) return;
      closed = true;
      ring.close();
      await exited;
      if (!reachedEnd) return;
      if (crashed) throw crashed;
      if (ring.state() === FAILED) throw badInput(`${path}: ${kind} decompression failed: ${ring.error()}`);
    },
  };
}
