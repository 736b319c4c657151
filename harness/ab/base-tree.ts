/**
 * The base side of an A/B run: a directory holding a sketchbench tree, or a git
 * ref of this checkout whose variants/ folder is extracted into a temporary
 * directory (removed at the end, on error and on signals). Only the eBPF
 * sources come from the base: one harness measures both sides, so the A/B
 * compares programs, not measurement code.
 *
 * Programs from outside the repository have a base of their own: the same file
 * in the directory given (at its path relative to the working directory), or
 * at the ref in the git repository that holds it (its folder's files
 * extracted, so its own headers come along). When the ref or directory is not
 * a sketchbench tree (the user's own repository), the built-in variants are
 * this tree's on both sides.
 */
import { existsSync, mkdtempSync, realpathSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { execa } from 'execa';
import { badInput } from '../errors.ts';
import { registerCleanup } from '../cleanup.ts';
import { projectRoot } from '../paths.ts';

export interface BaseTree {
  /** Root whose variants/ folder the base variants build from. */
  root: string;
  /** What the user named, and what it resolved to (a commit for a ref). */
  label: string;
  commit?: string;
  /** Program file of this tree -> the same program at the base (absent: none there). */
  programs: Map<string, string>;
  dispose(): void;
}

/** A temporary folder removed at the end, on error and on signals. */
function scratch(): { dir: string; dispose(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'sketchbench-base-'));
  const remove = () => rmSync(dir, { recursive: true, force: true });
  const unregister = registerCleanup(`A/B base tree ${dir}`, remove);
  return { dir, dispose() { unregister(); remove(); } };
}

async function commitOf(repo: string, ref: string): Promise<string | undefined> {
  const rev = await execa('git', ['-C', repo, 'rev-parse', '--verify', '--quiet', `${ref}^{commit}`], { reject: false });
  return rev.exitCode === 0 ? rev.stdout.trim() : undefined;
}

async function extract(repo: string, commit: string, path: string, into: string): Promise<boolean> {
  const archive = await execa('git', ['-C', repo, 'archive', '--format=tar', commit, '--', path], { encoding: 'buffer', reject: false });
  if (archive.exitCode !== 0) return false;
  await execa('tar', ['-x', '-C', into], { input: archive.stdout });
  return true;
}

/** The base of each program file at a git ref of the repository that holds it. */
async function programsAtRef(ref: string, files: string[], into: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const file of files) {
    const top = await execa('git', ['-C', dirname(file), 'rev-parse', '--show-toplevel'], { reject: false });
    if (top.exitCode !== 0) throw badInput(`--base ${ref}: ${file} is not in a git repository; give --base a directory that holds the base version instead`);
    const repo = top.stdout.trim();
    const commit = await commitOf(repo, ref);
    if (!commit) throw badInput(`--base ${ref}: not a git ref of ${repo}, which holds ${basename(file)} (try a branch, tag, commit or HEAD~1)`);
    // git prints the top level resolved: compare it with the program's folder resolved too (a symlinked checkout).
    const rel = relative(repo, realpathSync(dirname(file))) || '.';
    const dest = join(into, 'programs', String(out.size));
    await execa('mkdir', ['-p', dest]);
    if (await extract(repo, commit, rel, dest)) {
      const at = join(dest, rel, basename(file));
      if (existsSync(at)) out.set(file, at);
    }
  }
  return out;
}

export async function openBaseTree(refOrDir: string, programFiles: string[] = []): Promise<BaseTree> {
  if (existsSync(refOrDir) && statSync(refOrDir).isDirectory()) {
    const dir = resolve(refOrDir);
    const programs = new Map<string, string>();
    for (const f of programFiles) {
      const at = join(dir, relative(process.cwd(), f));
      if (existsSync(at)) programs.set(f, at);
    }
    const isTree = existsSync(join(dir, 'variants', 'manifest.json'));
    if (!isTree && !programFiles.length) {
      throw badInput(`--base ${refOrDir}: a directory without variants/manifest.json is not a sketchbench tree`);
    }
    return { root: isTree ? dir : projectRoot, label: refOrDir, programs, dispose() {} };
  }
  const commit = await commitOf(projectRoot, refOrDir);
  if (!commit && !programFiles.length) {
    throw badInput(`--base ${refOrDir}: neither a directory nor a git ref of ${projectRoot} (try a branch, tag, commit or HEAD~1)`);
  }
  const tmp = scratch();
  try {
    let root = projectRoot;
    if (commit) {
      if (!(await extract(projectRoot, commit, 'variants', tmp.dir))) throw badInput(`--base ${refOrDir}: commit ${commit.slice(0, 12)} has no variants/ folder to build`);
      root = tmp.dir;
    }
    const programs = await programsAtRef(refOrDir, programFiles, tmp.dir);
    return { root, label: refOrDir, commit, programs, dispose: tmp.dispose };
  } catch (err) {
    tmp.dispose();
    throw err;
  }
}
