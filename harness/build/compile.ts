/**
 * Compile a variant with clang into build/<key>/<stem>.bpf.o.
 *
 * The key is a sha256 over every file under variants/, the full clang command
 * line and `clang --version`: change a header, a switch or the compiler and
 * the object is rebuilt; change nothing and it is reused. Objects are written
 * to a temp file and renamed, so parallel builds and a crash mid-compile never
 * leave a half-written object under the final name.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { execa } from 'execa';
import { SketchbenchError } from '../errors.ts';
import { buildDir, projectRoot } from '../paths.ts';
import type { ResolvedVariant } from './manifest.ts';

export const variantsDir = join(projectRoot, 'variants');

/**
 * Flags for every variant. -mcpu=v3: with clang 14's default v1 some variants
 * fail the verifier (no 32-bit jumps / atomics encodings it expects).
 */
export const BASE_CFLAGS = [
  '-O2', '-g', '-target', 'bpf', '-mcpu=v3', '-D__TARGET_ARCH_x86',
  '-Wall', '-Werror=implicit-function-declaration',
  // uapi headers under /usr/include need asm/types.h from the multiarch dir.
  '-I', '/usr/include/x86_64-linux-gnu',
];

/** The variants folder a variant builds from: its tree's (an A/B base) or this checkout's. */
function variantsDirOf(variant: ResolvedVariant): string {
  return variant.root ? join(variant.root, 'variants') : variantsDir;
}

export interface CompileOptions {
  /** Extra -D macros (NAME or NAME=VALUE), after the variant's own. */
  extraDefines?: string[];
  /** clang binary (default `clang`). */
  clang?: string;
}

export interface CompileResult {
  variant: string;
  objectPath: string;
  /** True when an existing object with the same key was reused. */
  cached: boolean;
  /** The exact clang arguments (without the output path). */
  args: string[];
  /** Cache key (first 16 hex digits of the sha256). */
  key: string;
}

const clangVersions = new Map<string, string>();

async function clangVersion(clang: string): Promise<string> {
  let v = clangVersions.get(clang);
  if (v === undefined) {
    try {
      v = (await execa(clang, ['--version'])).stdout;
    } catch (err) {
      throw new SketchbenchError('build', `cannot run ${clang}: ${(err as Error).message.split('\n')[0]}; apt-get install clang (see 'sketchbench doctor')`, { cause: err });
    }
    clangVersions.set(clang, v);
  }
  return v;
}

function listFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    return e.isDirectory() ? listFiles(p) : e.isFile() ? [p] : [];
  }).sort();
}

/** sha256 over all variant sources (paths and contents): any edit invalidates every object. */
export function sourcesDigest(dir = variantsDir): string {
  const h = createHash('sha256');
  for (const f of listFiles(dir)) {
    h.update(relative(dir, f)).update('\0').update(readFileSync(f)).update('\0');
  }
  return h.digest('hex');
}

/** clang arguments for a variant (source last, no -o). */
export function compileArgs(variant: ResolvedVariant, opts: CompileOptions = {}): string[] {
  const defines = [...variant.defines, ...(opts.extraDefines ?? [])];
  for (const d of defines) {
    if (!/^[A-Za-z_]\w*(=[\w.+-]*)?$/.test(d)) throw new SketchbenchError('input', `${variant.name}: bad -D macro '${d}' (NAME or NAME=VALUE)`, { exitCode: 2 });
  }
  // A program from outside the repository finds sketchbench.h, and its own headers beside it.
  const own = variant.external ? ['-I', dirname(variant.source)] : [];
  return [...BASE_CFLAGS, '-I', join(variantsDirOf(variant), 'include'), ...own, ...defines.map((d) => `-D${d}`), '-c', variant.source];
}

/** sha256 over a program's own folder (its .c and .h files, not below): what its build can include besides ours. */
function programDirDigest(file: string): string {
  const dir = dirname(file);
  const h = createHash('sha256');
  for (const e of readdirSync(dir, { withFileTypes: true }).filter((e) => e.isFile() && /\.(c|h)$/.test(e.name)).sort((a, b) => a.name.localeCompare(b.name))) {
    h.update(e.name).update('\0').update(readFileSync(join(dir, e.name))).update('\0');
  }
  return h.digest('hex');
}

/** The first line of clang's output that says what is wrong. */
function firstError(stderr: string): string {
  const lines = stderr.split('\n');
  return (lines.find((l) => /\berror\b/.test(l)) ?? lines.find((l) => l.trim()) ?? 'no output').trim();
}

/** Compile (or reuse) the object of a variant. */
export async function compileVariant(variant: ResolvedVariant, opts: CompileOptions = {}): Promise<CompileResult> {
  // A prebuilt object is used as it is.
  if (variant.external?.kind === 'o') return { variant: variant.name, objectPath: variant.external.file, cached: true, args: [], key: '' };
  const args = compileArgs(variant, opts);
  const r = await cachedClang(variant.name, opts.clang ?? 'clang', args, variantsDirOf(variant), `${variant.stem}.bpf.o`, {
    extraDigest: variant.external ? programDirDigest(variant.source) : '',
    // A program from outside the repository that does not compile is the user's to fix: bad input.
    failExitCode: variant.external ? 2 : undefined,
  });
  return { variant: variant.name, args, ...r };
}

/**
 * Flags of a native build of shared C (variants/micro/): the optimisation user
 * space gets, for this CPU's baseline ISA (no -march=native: a run must mean
 * the same on every x86-64 host).
 */
export const NATIVE_CFLAGS = ['-O2', '-Wall', '-Werror=implicit-function-declaration', '-I', '/usr/include/x86_64-linux-gnu'];

/** Compile (or reuse) a native executable from one C file under variants/, with its include folder. */
export async function compileNative(source: string, stem: string, opts: { clang?: string } = {}): Promise<CompileResult> {
  const args = [...NATIVE_CFLAGS, '-I', join(variantsDir, 'include'), source];
  const r = await cachedClang(stem, opts.clang ?? 'clang', args, variantsDir, stem);
  return { variant: stem, args, ...r };
}

/** One clang run into build/<key>/<outName>, skipped when that file exists. */
async function cachedClang(
  label: string, clang: string, args: string[], sourcesDir: string, outName: string,
  more: { extraDigest?: string; failExitCode?: number } = {},
): Promise<Pick<CompileResult, 'objectPath' | 'cached' | 'key'>> {
  const key = createHash('sha256')
    .update(sourcesDigest(sourcesDir)).update('\0')
    .update(more.extraDigest ?? '').update('\0')
    .update(JSON.stringify([clang, ...args])).update('\0')
    .update(await clangVersion(clang))
    .digest('hex').slice(0, 16);
  const dir = join(buildDir, key);
  const objectPath = join(dir, outName);
  if (existsSync(objectPath)) return { objectPath, cached: true, key };

  mkdirSync(dir, { recursive: true });
  const tmp = `${objectPath}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  try {
    const r = await execa(clang, [...args, '-o', tmp], { reject: false, cwd: projectRoot });
    if (r.exitCode !== 0) {
      throw new SketchbenchError('build', `${label}: clang failed: ${firstError(String(r.stderr || r.stdout || r.message))}`,
        { detail: String(r.stderr || r.message), exitCode: more.failExitCode });
    }
    renameSync(tmp, objectPath);
  } finally {
    rmSync(tmp, { force: true });
  }
  return { objectPath, cached: false, key };
}
