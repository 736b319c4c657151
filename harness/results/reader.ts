/**
 * Loads results from a run folder, a results.json or a results.jsonl, checking shape so
 * that later stages can trust the types. Errors are one line, name the file, and exit 2.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { badInput } from '../errors.ts';
import { RESULTS_SCHEMA_VERSION, type Env, type Row, type SliceRow } from '../types/results.ts';
import { RESULTS_JSON, RESULTS_JSONL, SLICES_JSONL } from './writer.ts';

/**
 * A run as stored: env, suite, rows and the paired slices behind them. Statistics
 * are not stored state: analyse/ computes them from these (analyseResults).
 */
export interface LoadedResults {
  env: Env;
  suite: string;
  rows: Row[];
  slices: SliceRow[];
  /** The file the rows came from. */
  source: string;
  /** A name for the run: the folder's (or file's) basename. */
  name: string;
  /** Notes about what was repaired while reading (e.g. a truncated last line). */
  warnings: string[];
}

function describeValue(v: unknown): string {
  const s = JSON.stringify(v);
  return s === undefined ? String(v) : s.length > 40 ? s.slice(0, 37) + '...' : s;
}

/** Check one row's shape; throws badInput naming the file and where. */
export function validateRow(v: unknown, where: string): Row {
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw badInput(`${where}: a row must be an object, got ${describeValue(v)}`);
  const r = v as Record<string, unknown>;
  for (const k of ['variant', 'metric', 'unit', 'trace'] as const) {
    if (typeof r[k] !== 'string' || (k !== 'unit' && r[k] === '')) throw badInput(`${where}: '${k}' must be a non-empty string, got ${describeValue(r[k])}`);
  }
  if (!Number.isInteger(r.rep) || (r.rep as number) < 0) throw badInput(`${where}: 'rep' must be an integer >= 0, got ${describeValue(r.rep)}`);
  if (typeof r.value !== 'number' || !Number.isFinite(r.value)) throw badInput(`${where}: 'value' must be a finite number, got ${describeValue(r.value)}`);
  if (r.params === undefined) r.params = {};
  if (!r.params || typeof r.params !== 'object' || Array.isArray(r.params)) throw badInput(`${where}: 'params' must be an object, got ${describeValue(r.params)}`);
  return r as unknown as Row;
}

function readText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw badInput(`cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, err);
  }
}

/**
 * The JSON values of a .jsonl file, each checked by `validate`. A run killed mid-append
 * leaves a partial last line; everything before it is good, so that line is dropped
 * with a warning and any other bad line is an error naming file and line.
 */
function parseJsonLines<T>(path: string, warnings: string[], validate: (v: unknown, where: string) => T): T[] {
  const lines = readText(path).split('\n');
  const out: T[] = [];
  lines.forEach((line, i) => {
    if (line.trim() === '') return;
    let v: unknown;
    try {
      v = JSON.parse(line);
    } catch (err) {
      if (i === lines.length - 1) {
        warnings.push(`${path}:${i + 1}: ignored a truncated last line (the run was interrupted while writing)`);
        return;
      }
      throw badInput(`${path}:${i + 1}: not valid JSON (${(err as Error).message})`, err);
    }
    out.push(validate(v, `${path}:${i + 1}`));
  });
  return out;
}

function validateSlice(v: unknown, where: string): SliceRow {
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw badInput(`${where}: a slice must be an object, got ${describeValue(v)}`);
  const o = v as Record<string, unknown>;
  for (const k of ['phase', 'variant', 'metric', 'unit'] as const) {
    if (typeof o[k] !== 'string') throw badInput(`${where}: '${k}' must be a string, got ${describeValue(o[k])}`);
  }
  for (const k of ['rep', 'block', 'value', 'packets'] as const) {
    if (typeof o[k] !== 'number' || !Number.isFinite(o[k])) throw badInput(`${where}: '${k}' must be a finite number, got ${describeValue(o[k])}`);
  }
  return o as unknown as SliceRow;
}

function parseSlices(path: string, warnings: string[]): SliceRow[] {
  return existsSync(path) ? parseJsonLines(path, warnings, validateSlice) : [];
}

function parseJsonl(path: string, warnings: string[]): Row[] {
  return parseJsonLines(path, warnings, validateRow);
}

function unknownEnv(suite: string): Env {
  return { kernel: 'unknown', cpuModel: 'unknown', cores: 0, clang: 'unknown', libbpf: 'unknown', node: 'unknown', gitCommit: 'unknown', suite, seeds: [], command: 'unknown', startedAt: 'unknown' };
}

function parseResultsJson(path: string): { env: Env; suite: string; rows: Row[] } {
  let v: unknown;
  try {
    v = JSON.parse(readText(path));
  } catch (err) {
    if ((err as { exitCode?: number }).exitCode) throw err;
    throw badInput(`${path}: not valid JSON (${(err as Error).message})`, err);
  }
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw badInput(`${path}: expected an object {env, suite, rows, summary}`);
  const o = v as Record<string, unknown>;
  const version = o.schemaVersion ?? 1;
  if (version !== 1 && version !== RESULTS_SCHEMA_VERSION) {
    throw badInput(`${path}: results schema version ${describeValue(version)} is not one this sketchbench reads (1 or ${RESULTS_SCHEMA_VERSION}); use the sketchbench that wrote it, or re-run`);
  }
  if (!Array.isArray(o.rows)) throw badInput(`${path}: 'rows' must be an array`);
  if (typeof o.suite !== 'string') throw badInput(`${path}: 'suite' must be a string, got ${describeValue(o.suite)}`);
  if (!o.env || typeof o.env !== 'object' || Array.isArray(o.env)) throw badInput(`${path}: 'env' must be an object`);
  const rows = o.rows.map((r, i) => validateRow(r, `${path}: rows[${i}]`));
  return { env: { ...unknownEnv(o.suite), ...(o.env as Env) }, suite: o.suite, rows };
}

/**
 * Load results. A folder reads results.json for env and suite, and takes the rows from
 * results.jsonl when that holds more (the run stopped between the append and the rewrite).
 * Slices come from slices.jsonl beside them (none in runs before paired measurement).
 */
export function loadResults(path: string): LoadedResults {
  if (!existsSync(path)) throw badInput(`${path}: no such file or folder`);
  const warnings: string[] = [];
  let env: Env;
  let suite: string;
  let rows: Row[];
  let source = path;
  const name = basename(path.replace(/\/+$/, '')).replace(/\.(json|jsonl)$/, '');
  if (statSync(path).isDirectory()) {
    const json = join(path, RESULTS_JSON);
    const jsonl = join(path, RESULTS_JSONL);
    if (!existsSync(json) && !existsSync(jsonl)) throw badInput(`${path}: not a run folder (no ${RESULTS_JSON} or ${RESULTS_JSONL})`);
    if (existsSync(json)) {
      ({ env, suite, rows } = parseResultsJson(json));
      source = json;
      if (existsSync(jsonl)) {
        const lines = parseJsonl(jsonl, warnings);
        if (lines.length > rows.length) {
          warnings.push(`${jsonl} holds ${lines.length - rows.length} rows more than ${json}; using ${RESULTS_JSONL}`);
          rows = lines;
          source = jsonl;
        }
      }
    } else {
      rows = parseJsonl(jsonl, warnings);
      suite = 'unknown';
      env = unknownEnv(suite);
      source = jsonl;
    }
  } else if (path.endsWith('.jsonl')) {
    rows = parseJsonl(path, warnings);
    suite = 'unknown';
    env = unknownEnv(suite);
  } else {
    ({ env, suite, rows } = parseResultsJson(path));
  }
  if (rows.length === 0) warnings.push(`${source}: holds no rows yet`);
  const dir = statSync(path).isDirectory() ? path : join(path, '..');
  const slices = parseSlices(join(dir, SLICES_JSONL), warnings);
  return { env, suite, rows, slices, source, name, warnings };
}
