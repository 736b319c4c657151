/**
 * Compressed captures, recognised by their first bytes and streamed through the system's
 * decompressor: never decompressed to disk. The decompressor writes into a FIFO that the
 * synchronous record readers read like a file, so it runs on another core and the
 * per-packet loop stays free of promises.
 */
import { closeSync, existsSync, mkdtempSync, openSync, readSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { execa, execaSync, type ResultPromise } from 'execa';
import { badInput } from '../errors.ts';
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

/** A decompressor's output, open for synchronous reads, and the process behind it. */
export interface Decompressed {
  fd: number;
  /**
   * Closes the pipe and waits for the decompressor. When the reader got to the end of the
   * output, a failed decompressor is an error (corrupt or cut input); when the reader stopped
   * early, the decompressor's broken pipe is expected and not reported.
   */
  close(reachedEnd: boolean): Promise<void>;
}

export function openDecompressed(path: string, kind: Compression): Decompressed {
  const tool = TOOLS[kind];
  if (!onPath(tool)) {
    const pkg = SYSTEM_PACKAGES.find((p) => p.provides.endsWith(`/${tool}`))?.pkg ?? tool;
    throw badInput(`${path}: ${kind}-compressed, but the '${tool}' command is missing: install it with apt-get install ${pkg} (or run 'npx sketchbench setup' as root)`);
  }
  const dir = mkdtempSync(join(tmpdir(), 'sketchbench-fifo-'));
  let child: ResultPromise | undefined;
  let fd: number;
  try {
    const fifo = join(dir, 'data');
    execaSync('mkfifo', ['-m', '600', fifo]);
    // The shell opens the FIFO before it runs the tool, so our open below cannot wait forever.
    child = execa('sh', ['-c', 'exec "$1" -dc -- "$2" > "$3"', 'sh', tool, path, fifo],
      { stdin: 'ignore', stdout: 'ignore', stderr: 'pipe', reject: false, buffer: { stderr: true } });
    fd = openSync(fifo, 'r');
  } catch (err) {
    child?.kill();
    throw err;
  } finally {
    // Both ends are open (or never will be): the name is no longer needed.
    rmSync(dir, { recursive: true, force: true });
  }
  const proc = child;
  let closed = false;
  return {
    fd,
    async close(reachedEnd) {
      if (closed) return;
      closed = true;
      if (!reachedEnd) { closeSync(fd); await proc; return; }
      const r = await proc;
      closeSync(fd);
      if (r.exitCode !== 0) {
        const why = String(r.stderr ?? '').trim().split('\n').pop() || `exit code ${r.exitCode}`;
        throw badInput(`${path}: ${kind} decompression failed: ${why}`);
      }
    },
  };
}
