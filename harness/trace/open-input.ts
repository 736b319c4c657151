import { openSync } from 'node:fs';
import { badInput } from '../errors.ts';

/** Open an input file for reading; a missing or unreadable one is bad input (exit 2). */
export function openInput(path: string): number {
  try {
    return openSync(path, 'r');
  } catch (err) {
    throw badInput(`${path}: cannot open: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, err);
  }
}
