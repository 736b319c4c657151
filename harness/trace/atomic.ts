import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { badInput } from '../errors.ts';

/**
 * An output file that is complete or absent: everything goes to a temp file in the same
 * folder (so rename is atomic), and only commit() makes it visible under its real name.
 */
export class AtomicFile {
  readonly path: string;
  readonly tmpPath: string;
  readonly fd: number;
  private done = false;

  constructor(path: string) {
    this.path = path;
    this.tmpPath = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
    try {
      // `-o traces/x.trace` in a fresh clone: the folder is ours to make.
      mkdirSync(dirname(path), { recursive: true });
      this.fd = openSync(this.tmpPath, 'w');
    } catch (err) {
      throw badInput(`${path}: cannot create output: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, err);
    }
    // A crash or SIGINT must not leave a half-written temp file behind.
    activeFiles.add(this);
  }

  commit(): void {
    if (this.done) return;
    fsyncSync(this.fd);
    closeSync(this.fd);
    renameSync(this.tmpPath, this.path);
    this.done = true;
    activeFiles.delete(this);
  }

  abort(): void {
    if (this.done) return;
    this.done = true;
    activeFiles.delete(this);
    try { closeSync(this.fd); } catch { /* already closed */ }
    rmSync(this.tmpPath, { force: true });
  }
}

const activeFiles = new Set<AtomicFile>();
let hooked = false;
function hookSignals(): void {
  if (hooked) return;
  hooked = true;
  process.on('exit', () => { for (const f of [...activeFiles]) f.abort(); });
}
hookSignals();

/** Runs fn with an AtomicFile; commits on success, removes the temp file on any error. */
export async function withAtomicFile<T>(path: string, fn: (f: AtomicFile) => Promise<T> | T): Promise<T> {
  const f = new AtomicFile(path);
  try {
    const r = await fn(f);
    f.commit();
    return r;
  } catch (err) {
    f.abort();
    throw err;
  }
}
