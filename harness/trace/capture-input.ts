/** One capture file opened for reading: plain, or streamed through its decompressor. */
import { closeSync, fstatSync } from 'node:fs';
import { openCapture, type RecordReader } from './capture.ts';
import { openDecompressed, sniffFile, type Compression } from './decompress.ts';
import { openInput } from './open-input.ts';
import { Source } from './source.ts';

export interface CaptureInput {
  path: string;
  compression: Compression | null;
  /** Size on disk (compressed size for a compressed file). */
  fileBytes: number;
  reader: RecordReader;
  /** Releases the file (and waits for the decompressor, reporting its own failure). */
  close(): Promise<void>;
}

export async function openCaptureInput(path: string, opts: { skipBad?: boolean; bufferBytes?: number } = {}): Promise<CaptureInput> {
  const fd = openInput(path);
  let fileBytes: number, compression: Compression | null;
  try {
    fileBytes = fstatSync(fd).size;
    compression = sniffFile(fd);
  } catch (err) {
    closeSync(fd);
    throw err;
  }
  if (compression === null) {
    try {
      const reader = openCapture(path, new Source(fd, opts.bufferBytes), opts);
      return { path, compression, fileBytes, reader, async close() { closeSync(fd); } };
    } catch (err) {
      closeSync(fd);
      throw err;
    }
  }
  closeSync(fd);
  const dec = openDecompressed(path, compression);
  const src = new Source(dec, opts.bufferBytes);
  // Offsets in errors count decompressed bytes; the name says so.
  const name = `${path} (${compression}-decompressed)`;
  const close = (): Promise<void> => dec.close(src.reachedEnd);
  let reader: RecordReader;
  try {
    reader = openCapture(name, src, opts);
  } catch (err) {
    await close(); // a header that makes no sense may be the decompressor's failure: that error wins
    throw err;
  }
  return { path, compression, fileBytes, reader, close };
}
