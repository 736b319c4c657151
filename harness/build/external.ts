/**
 * A program from outside the repository as a variant: `--variants ./path/prog.bpf.c`
 * (compiled with the variants' cached step and flags) or `./path/prog.bpf.o`.
 *
 * Cost and throughput need nothing from the program: the replay counts what it
 * delivered, and the DUT's driver counts what XDP processed. Accuracy needs to
 * know where the sketch is and how to read it: a spec beside the program,
 * `<stem>.sketch.json` (docs/your-program.md):
 *
 *   { "program": "xdp_prog",          optional: the object's only XDP program otherwise
 *     "sketch": { "map": "counters",  an array (or per-CPU array) of rows x columns cells, index row * columns + col
 *                 "counter": "u32",   u32 | s32
 *                 "hash": "fasthash32", one of the project's hashes (sketchbench.h)
 *                 "estimator": "countmin", countmin | countsketch | nitro
 *                 "rows": 4, "columns": 1024, "seeds": ["0x..."], "p": 0.0625 } }
 *
 * rows, columns, seeds and p in the spec are the program's compiled-in values;
 * a program that declares sketchbench.h's `cfg` takes the run's instead.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, extname, resolve as resolvePath } from 'node:path';
import { badInput } from '../errors.ts';
import { projectRoot } from '../paths.ts';
import { loadManifest, resolveVariant, type ExternalSketchSpec, type HashKind, type ResolvedVariant, type SketchParams } from './manifest.ts';

type EstimatorName = ExternalSketchSpec['estimator'];

const HASHES: HashKind[] = ['xxhash32', 'fasthash32', 'fasthash64-sliced', 'fasthash64-compact'];
const ESTIMATORS: EstimatorName[] = ['countmin', 'countsketch', 'nitro'];
const COUNTERS = ['u32', 's32'] as const;

/** A variant argument that names a file rather than a variant of the manifest. */
export function isProgramPath(name: string): boolean {
  return name.includes('/') || /\.(c|o)$/.test(name);
}

/** prog.bpf.c, prog.c, prog.bpf.o, prog.o -> prog */
export function programStem(file: string): string {
  return basename(file).replace(/\.(bpf\.)?(c|o)$/, '');
}

/** The spec beside a program: prog.sketch.json for prog.bpf.c / prog.c / prog.bpf.o / prog.o. */
export function specPathOf(file: string): string {
  return resolvePath(dirname(file), `${programStem(file)}.sketch.json`);
}

/** Parse and check a spec's text; `where` names it in errors. */
export function parseSpec(text: string, where: string): { program?: string; sketch?: ExternalSketchSpec } {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw badInput(`${where}: not valid JSON (${(err as Error).message}); see docs/your-program.md for the spec's fields`, err);
  }
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw badInput(`${where}: the spec must be a JSON object with "program" and/or "sketch"`);
  const o = raw as Record<string, unknown>;
  for (const k of Object.keys(o)) if (k !== 'program' && k !== 'sketch') throw badInput(`${where}: unknown field "${k}" (allowed: program, sketch)`);
  if (o.program !== undefined && (typeof o.program !== 'string' || !/^\w+$/.test(o.program))) throw badInput(`${where}: "program" must be the XDP function's name`);
  if (o.sketch === undefined) return { program: o.program as string | undefined };
  const s = o.sketch as Record<string, unknown>;
  if (!s || typeof s !== 'object' || Array.isArray(s)) throw badInput(`${where}: "sketch" must be an object`);
  const allowed = ['map', 'counter', 'hash', 'estimator', 'rows', 'columns', 'seeds', 'p'];
  for (const k of Object.keys(s)) if (!allowed.includes(k)) throw badInput(`${where}: unknown sketch field "${k}" (allowed: ${allowed.join(', ')})`);
  const oneOf = <T extends string>(k: string, values: readonly T[]): T => {
    if (!values.includes(s[k] as T)) throw badInput(`${where}: sketch.${k} must be one of ${values.join(', ')}, got ${JSON.stringify(s[k])}`);
    return s[k] as T;
  };
  if (typeof s.map !== 'string' || !/^\w+$/.test(s.map)) throw badInput(`${where}: sketch.map must name the counters' map`);
  const spec: ExternalSketchSpec = { map: s.map, counter: oneOf('counter', COUNTERS), hash: oneOf('hash', HASHES), estimator: oneOf('estimator', ESTIMATORS) };
  const posInt = (k: 'rows' | 'columns'): number | undefined => {
    if (s[k] === undefined) return undefined;
    if (!Number.isInteger(s[k]) || (s[k] as number) < 1) throw badInput(`${where}: sketch.${k} must be a positive integer`);
    return s[k] as number;
  };
  spec.rows = posInt('rows');
  spec.columns = posInt('columns');
  if (s.p !== undefined) {
    if (typeof s.p !== 'number' || !(s.p > 0 && s.p <= 1)) throw badInput(`${where}: sketch.p must satisfy 0 < p <= 1`);
    spec.p = s.p;
  }
  if (s.seeds !== undefined) {
    if (!Array.isArray(s.seeds) || s.seeds.some((x) => typeof x !== 'string' && typeof x !== 'number')) throw badInput(`${where}: sketch.seeds must be an array of integers (strings like "0x6a09e667f3bcc908" for 64-bit values)`);
    try {
      spec.seeds = s.seeds.map((x) => BigInt(x as string | number));
    } catch (err) {
      throw badInput(`${where}: sketch.seeds: ${(err as Error).message}`, err);
    }
  }
  return { program: o.program as string | undefined, sketch: spec };
}

/** Resolve a program file (and the spec beside it) into a variant. */
export function resolveExternal(path: string): ResolvedVariant {
  const file = resolvePath(path);
  if (!existsSync(file) || !statSync(file).isFile()) throw badInput(`${path}: no such program file; give a .bpf.c source or a .bpf.o object`);
  const ext = extname(file);
  if (ext !== '.c' && ext !== '.o') throw badInput(`${path}: a program is a C source (.c) or a BPF object (.o)`);
  const name = programStem(file);
  if (!/^[\w.-]+$/.test(name)) throw badInput(`${path}: the file name makes the variant's name; use letters, digits, '.', '_' and '-'`);
  const manifest = loadManifest();
  if (name in manifest.variants || name in (manifest.aliases ?? {}) || name in manifest.families) {
    throw badInput(`${path}: '${name}' is the name of a built-in variant; rename the file so results tell them apart`);
  }
  const specPath = specPathOf(file);
  const spec = existsSync(specPath) ? parseSpec(readFileSync(specPath, 'utf8'), specPath) : {};
  const sketch = spec.sketch;
  return {
    name,
    family: 'external',
    switches: {},
    defines: [],
    source: file,
    root: projectRoot,
    counter: sketch?.counter ?? 'none',
    samples: sketch?.estimator === 'nitro',
    // What struct sketch_cfg can carry, for a program that declares it.
    limits: { maxRows: 8, maxColumnsLog2: 16 },
    hashing: sketch?.hash ?? 'fasthash32',
    layout: 'maps',
    maps: sketch ? [sketch.map] : [],
    stem: name,
    estimator: sketch?.estimator,
    external: { file, kind: ext === '.c' ? 'c' : 'o', program: spec.program, sketch, specPath: spec.sketch || spec.program ? specPath : undefined },
  };
}

/**
 * The settings a variant runs with: the run's, except that a program from outside the
 * repository whose spec gives its compiled-in rows, columns, seeds or p keeps those.
 */
export function paramsFor(variant: ResolvedVariant, params: SketchParams): SketchParams {
  const sk = variant.external?.sketch;
  if (!sk) return params;
  return { rows: sk.rows ?? params.rows, columns: sk.columns ?? params.columns, p: sk.p ?? params.p, seeds: sk.seeds ?? params.seeds };
}

/** A variant argument: a program file, or a name the manifest knows. */
export function resolveVariantRef(name: string, root = projectRoot): ResolvedVariant {
  return isProgramPath(name) ? resolveExternal(name) : resolveVariant(name, root);
}
