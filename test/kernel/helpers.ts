/**
 * Shared pieces of the real-kernel tests: the root gate (skip with a reason,
 * but fail under CI), fd counting for leak checks, and compiling the small
 * BPF fixtures of test/fixtures/bpf/ into a temp dir at test time.
 */
import test, { type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { BASE_CFLAGS, variantsDir } from '../../harness/build/compile.ts';

export const isRoot = process.getuid?.() === 0;

/** Why kernel tests cannot run here, or false when they can. */
export const kernelSkipReason: string | false = isRoot
  ? false
  : 'needs root (CAP_BPF, CAP_NET_ADMIN, CAP_SYS_ADMIN): loads eBPF programs, creates netns and XDP attachments';

/**
 * A test that runs in the real kernel. Not root: skipped with the reason,
 * except under CI, where it runs and fails (a runner that cannot run eBPF is
 * broken, and a skip would hide that).
 */
export function kernelTest(name: string, fn: (t: TestContext) => unknown | Promise<unknown>, opts: { timeout?: number } = {}): void {
  const skip = kernelSkipReason && !process.env.CI ? kernelSkipReason : false;
  test(name, { skip, timeout: opts.timeout ?? 60_000 }, async (t) => {
    if (kernelSkipReason) assert.fail(`kernel test cannot run: ${kernelSkipReason} (CI is set, so this is a failure, not a skip)`);
    await fn(t);
  });
}

/** Open file descriptors of this process right now. */
export function openFds(): number {
  return readdirSync('/proc/self/fd').length;
}

/** What the open fds point at (for a readable leak message). */
export function fdTargets(): string[] {
  return readdirSync('/proc/self/fd').map((fd) => {
    try { return execFileSync('readlink', [`/proc/self/fd/${fd}`], { encoding: 'utf8' }).trim(); } catch { return '?'; }
  });
}

export const fixturesDir = resolve(import.meta.dirname, '../fixtures');
let buildDir: string | undefined;

/** Compile test/fixtures/bpf/<name>.bpf.c with the variants' flags into a temp dir; returns the object path. */
export function compileFixture(name: string): string {
  buildDir ??= mkdtempSync(join(tmpdir(), 'sketchbench-kernel-test-'));
  const src = join(fixturesDir, 'bpf', `${name}.bpf.c`);
  const out = join(buildDir, `${basename(name)}.bpf.o`);
  execFileSync('clang', [...BASE_CFLAGS, '-I', join(variantsDir, 'include'), '-c', src, '-o', out], { stdio: ['ignore', 'ignore', 'pipe'] });
  return out;
}

/** Poll `read` until it returns `want` or `ms` pass; returns the last value. */
export async function waitFor<T>(read: () => T, want: T, ms = 2000): Promise<T> {
  const end = Date.now() + ms;
  let v = read();
  while (v !== want && Date.now() < end) {
    await new Promise((r) => setTimeout(r, 10));
    v = read();
  }
  return v;
}
