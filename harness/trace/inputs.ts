/** The captures named on the command line: files, folders (their files) and quoted globs. */
import { readdirSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { badInput } from '../errors.ts';

const WILD = /[*?[]/;

/** Paths in the order given; a folder's files and a glob's matches in name order. */
export function expandInputs(args: string[]): string[] {
  const out: string[] = [];
  for (const a of args) {
    let st;
    try { st = statSync(a); } catch { st = undefined; }
    if (st?.isDirectory()) {
      const files = readdirSync(a).filter((n) => !n.startsWith('.')).sort().map((n) => join(a, n)).filter((p) => statSync(p).isFile());
      if (files.length === 0) throw badInput(`${a}: folder holds no capture files`);
      out.push(...files);
    } else if (st === undefined && WILD.test(a)) {
      out.push(...glob(a));
    } else {
      out.push(a); // missing files are reported when opened, with the reason
    }
  }
  return out;
}

/** A glob whose wildcards are in the last path component only (what a shell left unexpanded). */
function glob(pattern: string): string[] {
  const dir = dirname(pattern), base = basename(pattern);
  if (WILD.test(dir)) throw badInput(`${pattern}: wildcards are read in the file name only; let the shell expand the rest`);
  const re = new RegExp('^' + base.replace(/[.+^${}()|\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.') + '$');
  let names: string[];
  try { names = readdirSync(dir); } catch (err) {
    throw badInput(`${pattern}: cannot list ${dir}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, err);
  }
  const files = names.filter((n) => re.test(n) && !n.startsWith('.')).sort().map((n) => join(dir, n)).filter((p) => statSync(p).isFile());
  if (files.length === 0) throw badInput(`${pattern}: no file matches`);
  return files;
}
