/**
 * Typed view of variants/manifest.json: which variants exist, which -D macros
 * each switch value maps to, and the sketch limits each build accepts.
 * Everything that names a variant (CLI, compile, loader, reports) goes
 * through resolveVariant() so a typo fails here, before any kernel object exists.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { badInput } from '../errors.ts';
import { projectRoot } from '../paths.ts';

/** Limits compiled into a build (see SKETCH_MAX_* in sketch_kern_user.h). */
export interface Limits {
  /** Largest allowed `rows`. */
  maxRows: number;
  /** Largest allowed log2(columns). */
  maxColumnsLog2: number;
  /** Largest rows x columns, when the whole sketch is one map value (layout=struct). */
  maxCells?: number;
  /** UnivMon: largest `layers` (UNIVMON_MAX_LAYERS: the level hash has 32 bits). */
  maxLayers?: number;
  /** UnivMon: largest `topk`, keys listed per layer (UNIVMON_MAX_TOPK). */
  maxTopk?: number;
  /** UnivMon: largest layers x rows x columns, the one counter array (UNIVMON_MAX_CELLS). */
  maxSketchCells?: number;
}

/** Hash function of the rows (variants/include/fasthash.h, xxhash32.h; harness/sketch/cells.ts). */
export type HashKind = 'xxhash32' | 'fasthash32' | 'fasthash64-sliced' | 'fasthash64-compact';

/** One 64-bit hash sliced into 16-bit rows (at most 4 rows, seeds[0] only). */
export function slicedHash(h: HashKind): boolean {
  return h === 'fasthash64-sliced' || h === 'fasthash64-compact';
}

/** One value of a switch, e.g. sampling=geometric. */
export interface SwitchValue {
  /** -D macros this value adds (none for the plain default code path). */
  defines: string[];
  /** Extra maps the program has with this value (e.g. geo_table). */
  maps?: string[];
  /** Maps the program no longer has with this value (layout=struct folds them into `meta`). */
  drops?: string[];
  /** Tighter limits this value imposes (unrolled hashing: 4 rows, 2^15 columns). */
  limits?: Partial<Limits>;
}

export interface SwitchSpec {
  /** Value used when a combination name leaves the switch out. */
  default: string;
  values: Record<string, SwitchValue>;
}

/** Kind of the `sketch` map's cells; "none" for baselines without a sketch. */
export type CounterKind = 's32' | 'u32' | 'none';

export interface Family {
  /** Source file, relative to the project root. */
  source: string;
  description: string;
  counter: CounterKind;
  /** True when the family updates rows with probability p (estimates scale by 1/p). */
  samples: boolean;
  limits: Limits;
  /** Maps every build of the family has. */
  maps: string[];
  /** Switch name -> spec, in the order used in combination names. */
  switches: Record<string, SwitchSpec>;
}

export interface Manifest {
  defaults: { rows: number; columns: number; p: number; seeds: string[]; layers: number; topk: number };
  families: Record<string, Family>;
  /** A named variant may add -D macros of its own, outside the switches (a design that is not a combination). */
  variants: Record<string, { family: string; switches: Record<string, string>; defines?: string[] }>;
  /** Old names that still resolve: alias -> named variant. */
  aliases?: Record<string, string>;
  /** The paper's drill-down in its order: each step one change more than the last. */
  ladder?: { variant: string; step: string }[];
  /** Other families' drill-downs on the same switches (nitro-univmon), by name. */
  ladders?: Record<string, { variant: string; step: string }[]>;
}

/** A variant with everything needed to build, load and interpret it. */
export interface ResolvedVariant {
  /** The name given (named variant) or the canonical combination name. */
  name: string;
  family: string;
  /** Every switch of the family with its value (defaults filled in). */
  switches: Record<string, string>;
  /** -D macros, sorted, without the leading -D. */
  defines: string[];
  /** Absolute path of the source. */
  source: string;
  /** The source tree it comes from (this checkout, or the base of an A/B run); its variants/include is on the include path. */
  root?: string;
  counter: CounterKind;
  samples: boolean;
  limits: Limits;
  /** How cells are computed (harness/sketch/cells.ts). */
  hashing: HashKind;
  /** Separate maps, or stats/sampling state in `meta` and the whole sketch one value. */
  layout: 'maps' | 'struct';
  /** Map names the object has. */
  maps: string[];
  /** File-name-safe stem: family and switch values joined with '-'. */
  stem: string;
  /** The estimator its counters need, when the family does not say (a program from outside the repository; UnivMon's layers). */
  estimator?: 'countmin' | 'countsketch' | 'nitro';
  /** Layers of Count Sketches with key lists in the kernel (univmon, nitro-univmon). */
  univmon?: boolean;
  /** A program from outside the repository (build/external.ts). */
  external?: ExternalProgram;
}

/** Where a program from outside the repository keeps its sketch, and how to read it (its spec, build/external.ts). */
export interface ExternalSketchSpec {
  map: string;
  counter: 'u32' | 's32';
  hash: HashKind;
  estimator: 'countmin' | 'countsketch' | 'nitro';
  /** The program's compiled-in size, seeds and p, when it does not take them from sketchbench.h's cfg. */
  rows?: number;
  columns?: number;
  seeds?: bigint[];
  p?: number;
}

export interface ExternalProgram {
  /** Absolute path of the .c or .o the user named. */
  file: string;
  kind: 'c' | 'o';
  /** XDP program name from the spec; otherwise the object's only XDP program. */
  program?: string;
  /** Where the sketch is and how to read it (accuracy only). */
  sketch?: ExternalSketchSpec;
  /** The spec file read, if any. */
  specPath?: string;
}

/** Sketch parameters as the user gives them. */
export interface SketchParams {
  rows: number;
  /** A power of two. */
  columns: number;
  /** Update probability, 0 < p <= 1 (used by sampling families only). */
  p: number;
  seeds: readonly bigint[];
  /** UnivMon: layers (each a Count Sketch of rows x columns); other families ignore it. */
  layers?: number;
  /** UnivMon: keys each layer lists in the kernel; other families ignore it. */
  topk?: number;
}

export const manifestPath = join(projectRoot, 'variants', 'manifest.json');

const cached = new Map<string, Manifest>();

/**
 * The manifest of a source tree (default: this checkout), read once. Another
 * tree is the base side of an A/B run: its names mean what its manifest says.
 */
export function loadManifest(root = projectRoot): Manifest {
  let m = cached.get(root);
  if (!m) {
    const path = join(root, 'variants', 'manifest.json');
    try {
      m = JSON.parse(readFileSync(path, 'utf8')) as Manifest;
    } catch (err) {
      throw badInput(`${path}: cannot read a variant manifest (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); is ${root} a sketchbench tree?`, err);
    }
    cached.set(root, m);
  }
  return m;
}

/** Default sketch parameters (paper artifact: 4 x 512, p = 1/16; seeds: SHA-512 IVs). */
export function defaultParams(): SketchParams {
  const d = loadManifest().defaults;
  return { rows: d.rows, columns: d.columns, p: d.p, seeds: d.seeds.map((s) => BigInt(s)), layers: d.layers, topk: d.topk };
}

/** The paper's drill-down steps, in order (the drill-down figures, and the step-to-step ratios). */
export function ladder(): { variant: string; step: string }[] {
  return loadManifest().ladder ?? [];
}

/** Every drill-down: nitro's (the paper's) first, then the others the manifest names. */
export function ladders(): { name: string; steps: { variant: string; step: string }[] }[] {
  const m = loadManifest();
  return [{ name: 'nitro', steps: ladder() }, ...Object.entries(m.ladders ?? {}).map(([name, steps]) => ({ name, steps }))];
}

/** Names of the named variants, in manifest order. */
export function variantNames(): string[] {
  return Object.keys(loadManifest().variants);
}

function family(name: string, root = projectRoot): Family {
  const f = loadManifest(root).families[name];
  if (!f) throw badInput(`unknown variant family '${name}'; families: ${Object.keys(loadManifest(root).families).join(', ')}`);
  return f;
}

/** Canonical combination name, e.g. nitro[sampling=coin,maps=shared,hash=xxhash32,order=parse-first,layout=maps]. */
export function combinationName(familyName: string, switches: Record<string, string>): string {
  const keys = Object.keys(family(familyName).switches);
  return keys.length ? `${familyName}[${keys.map((k) => `${k}=${switches[k]}`).join(',')}]` : familyName;
}

function resolve(name: string, familyName: string, given: Record<string, string>, root = projectRoot, extraDefines: string[] = []): ResolvedVariant {
  const f = family(familyName, root);
  const switches: Record<string, string> = {};
  const defines: string[] = [...extraDefines];
  let maps = [...f.maps];
  const limits: Limits = { ...f.limits };
  for (const key of Object.keys(given)) {
    if (!(key in f.switches)) {
      throw badInput(`variant '${name}': family ${familyName} has no switch '${key}'; switches: ${Object.keys(f.switches).join(', ') || 'none'}`);
    }
  }
  for (const [key, spec] of Object.entries(f.switches)) {
    const value = given[key] ?? spec.default;
    const v = spec.values[value];
    if (!v) throw badInput(`variant '${name}': ${key}=${value} is not allowed; use one of ${Object.keys(spec.values).join(', ')}`);
    switches[key] = value;
    defines.push(...v.defines);
    maps.push(...(v.maps ?? []));
    if (v.limits?.maxRows !== undefined) limits.maxRows = Math.min(limits.maxRows, v.limits.maxRows);
    if (v.limits?.maxColumnsLog2 !== undefined) limits.maxColumnsLog2 = Math.min(limits.maxColumnsLog2, v.limits.maxColumnsLog2);
    if (v.limits?.maxCells !== undefined) limits.maxCells = Math.min(limits.maxCells ?? Infinity, v.limits.maxCells);
  }
  const univmon = limits.maxLayers !== undefined;
  const dropped = new Set(Object.entries(f.switches).flatMap(([key, spec]) => spec.values[switches[key]].drops ?? []));
  maps = maps.filter((m) => !dropped.has(m));
  return {
    name,
    family: familyName,
    switches,
    defines: defines.sort(),
    source: join(root, f.source),
    root,
    counter: f.counter,
    samples: f.samples,
    limits,
    hashing: (switches.hash ?? 'fasthash32') as HashKind,
    layout: switches.layout === 'struct' ? 'struct' : 'maps',
    maps,
    // Layer 0 is a plain Count Sketch (NitroSketch when sampled): per-flow queries read it.
    ...(univmon ? { univmon: true, estimator: f.samples ? 'nitro' as const : 'countsketch' as const } : {}),
    // A named variant's own macros make it a build of its own.
    stem: [familyName, ...Object.values(switches), ...extraDefines.map((d) => d.toLowerCase())].join('-'),
  };
}

/**
 * A variant by name: a named variant (`nitro-geo`), a family alone (its
 * defaults), or a combination `family[key=value,...]` (left-out switches take
 * their defaults). Throws badInput naming what exists.
 */
export function resolveVariant(name: string, root = projectRoot): ResolvedVariant {
  const m = loadManifest(root);
  const aliased = m.aliases?.[name];
  if (aliased && m.variants[aliased]) return resolve(aliased, m.variants[aliased].family, m.variants[aliased].switches, root, m.variants[aliased].defines);
  const named = m.variants[name];
  if (named) return resolve(name, named.family, named.switches, root, named.defines);
  const combo = /^([\w-]+)(?:\[([^\]]*)\])?$/.exec(name.trim());
  if (!combo || !(combo[1] in m.families)) {
    throw badInput(`unknown variant '${name}'; use one of ${variantNames().join(', ')} or family[switch=value,...] with family ${Object.keys(m.families).join('|')}`);
  }
  const given: Record<string, string> = {};
  for (const part of (combo[2] ?? '').split(',').map((s) => s.trim()).filter(Boolean)) {
    const [k, v, extra] = part.split('=').map((s) => s.trim());
    if (!k || !v || extra !== undefined) throw badInput(`variant '${name}': '${part}' is not switch=value`);
    // The switch's name before the hash functions were told apart.
    if (k === 'hashing' && (v === 'per-row' || v === 'unrolled') && !(k in m.families[combo[1]].switches)) given.hash = v === 'unrolled' ? 'fasthash64-sliced' : 'fasthash32';
    else given[k] = v;
  }
  const r = resolve(name, combo[1], given, root);
  // Always name combinations canonically, so results group the same build together.
  return { ...r, name: combinationName(combo[1], r.switches) };
}

/** Every switch combination of a family (2 x 2 x 3 x 2 x 2 = 48 for nitro), canonically named. */
export function allCombinations(familyName: string): ResolvedVariant[] {
  const f = family(familyName);
  let combos: Record<string, string>[] = [{}];
  for (const [key, spec] of Object.entries(f.switches)) {
    combos = combos.flatMap((c) => Object.keys(spec.values).map((v) => ({ ...c, [key]: v })));
  }
  return combos.map((c) => resolve(combinationName(familyName, c), familyName, c));
}

const U64_MAX = (1n << 64n) - 1n;
/** struct sketch_cfg holds SKETCH_MAX_ROWS seeds whatever the family uses. */
const SEED_SLOTS = 8;

/**
 * Check sketch parameters against what the variant's build accepts. Throws
 * badInput with a one-line message saying what is allowed.
 */
export function validateParams(params: SketchParams, variant: ResolvedVariant): SketchParams {
  const { rows, columns, p, seeds } = params;
  const { maxRows, maxColumnsLog2, maxCells } = variant.limits;
  const v = variant.name;
  const sliced = slicedHash(variant.hashing);
  if (!Number.isInteger(rows) || rows < 1 || rows > maxRows) {
    throw badInput(`${v}: rows must be an integer from 1 to ${maxRows}${sliced ? ' (sliced hashing: one 64-bit hash, 16 bits per row)' : ''}, got ${rows}`);
  }
  if (!Number.isInteger(columns) || columns < 1 || columns > 2 ** maxColumnsLog2 || (columns & (columns - 1)) !== 0) {
    throw badInput(`${v}: columns must be a power of two from 1 to ${2 ** maxColumnsLog2} (2^${maxColumnsLog2}), got ${columns}`);
  }
  if (variant.univmon) checkUnivmon(params, variant);
  if (maxCells !== undefined && rows * columns > maxCells) {
    throw badInput(`${v}: rows x columns must be at most ${maxCells} (layout=struct: the whole sketch is one map value of at most 32 KiB), got ${rows} x ${columns} = ${rows * columns}`);
  }
  if (!(typeof p === 'number' && p > 0 && p <= 1)) {
    throw badInput(`${v}: p must satisfy 0 < p <= 1 (e.g. 0.0625 for 1/16), got ${p}`);
  }
  const needSeeds = sliced ? 1 : rows;
  if (seeds.length < needSeeds || seeds.length > SEED_SLOTS) {
    throw badInput(`${v}: give ${needSeeds} to ${SEED_SLOTS} seeds (${sliced ? 'sliced hashing uses seeds[0]' : 'one per row'}), got ${seeds.length}`);
  }
  const bad = seeds.find((s) => typeof s !== 'bigint' || s < 0n || s > U64_MAX);
  if (bad !== undefined) throw badInput(`${v}: seeds must be unsigned 64-bit integers, got ${String(bad)}`);
  return params;
}

/** UnivMon's sizes: layers, keys per layer, and the one counter array within the map limit the program is built for. */
function checkUnivmon(params: SketchParams, variant: ResolvedVariant): void {
  const { rows, columns, layers, topk } = params;
  const { maxLayers = 0, maxTopk = 0, maxSketchCells = 0 } = variant.limits;
  const v = variant.name;
  if (layers === undefined || !Number.isInteger(layers) || layers < 1 || layers > maxLayers) {
    throw badInput(`${v}: layers must be an integer from 1 to ${maxLayers} (the level hash has 32 bits), got ${layers}`);
  }
  if (topk === undefined || !Number.isInteger(topk) || topk < 1 || topk > maxTopk) {
    throw badInput(`${v}: topk (keys listed per layer) must be an integer from 1 to ${maxTopk}, got ${topk}`);
  }
  if (layers * rows * columns > maxSketchCells) {
    throw badInput(`${v}: layers x rows x columns must be at most ${maxSketchCells} (the counter array's size in the program), got ${layers} x ${rows} x ${columns} = ${layers * rows * columns}`);
  }
}
