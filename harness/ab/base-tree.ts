/**
 * The base side of an A/B run: a directory holding a sketchbench tree, or a git
 * ref of this checkout whose variants/ folder is extracted into a temporary
 * directory (removed at the end, on error and on signals). Only the eBPF
 * sources come from the base: one harness measures both sides, so the A/B
 * compares programs, not measurement code.
 */
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
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
  dispose(): void;
}

export async function openBaseTree(refOrDir: string): Promise<BaseTree> {
  if (existsSync(refOrDir) && statSync(refOrDir).isDirectory()) {
    const root = resolve(refOrDir);
    if (!existsSync(join(root, 'variants', 'manifest.json'))) {
      throw badInput(`--base ${refOrDir}: a directory without variants/manifest.json is not a sketchbench tree`);
    }
    return { root, label: refOrDir, dispose() {} };
  }
  const rev = await execa('git', ['-C', projectRoot, 'rev-parse', '--verify', '--quiet', `${refOrDir}^{commit}`], { reject: false });
  if (rev.exitCode !== 0) {
    throw badInput(`--base ${refOrDir}: neither a directory nor a git ref of ${projectRoot} (try a branch, tag, commit or HEAD~1)`);
  }
  const commit = rev.stdout.trim();
  const root = mkdtempSync(join(tmpdir(), 'sketchbench-base-'));
  const remove = () => rmSync(root, { recursive: true, force: true });
  const unregister = registerCleanup(`A/B base tree ${root}`, remove);
  try {
    const archive = await execa('git', ['-C', projectRoot, 'archive', '--format=tar', commit, 'variants'], { encoding: 'buffer', reject: false });
    if (archive.exitCode !== 0) throw badInput(`--base ${refOrDir}: commit ${commit.slice(0, 12)} has no variants/ folder to build`);
    await execa('tar', ['-x', '-C', root], { input: archive.stdout });
  } catch (err) {
    unregister();
    remove();
    throw err;
  }
  return { root, label: refOrDir, commit, dispose() { unregister(); remove(); } };
}
