/**
 * Suites are data: a JSON file naming variants, a trace, metrics, repetitions,
 * sketch parameters and sweeps. Built-in suites live beside this file; a user
 * passes a path. Validated before anything runs, with one-line errors.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { isProgramPath } from '../build/external.ts';
import { fileURLToPath } from 'node:url';
import { badInput } from '../errors.ts';
import type { GeneratedTraceSpec } from '../run/default-trace.ts';
import type { SweepRequest } from '../run/options.ts';
import { FAMILIES } from '../micro/groups.ts';

export interface Suite {
  name: string;
  description?: string;
  variants?: string[];
  trace?: { generate: GeneratedTraceSpec } | { file: string };
  metrics?: string[];
  reps?: number;
  /** Variants the paired ratios are taken against. */
  reference?: string | string[];
  params?: { rows?: number; columns?: number; p?: number };
  throughput?: { durationS?: number; maxLoss?: number; action?: string; generator?: string };
  cost?: { reps?: number };
  sweeps?: SweepRequest[];
  /** sketchbench micro as part of the run: primitives in eBPF and natively, rows in the same folder. */
  micro?: { families?: string[]; reps?: number; blocks?: number };
}

const here = dirname(fileURLToPath(import.meta.url));
export const BUILTIN_SUITES = ['default', 'quick', 'univmon'];

type Json = unknown;

function fail(file: string, path: string, msg: string): never {
  throw badInput(`suite ${file}: ${path}: ${msg}`);
}

function obj(file: string, path: string, v: Json, keys: string[]): Record<string, Json> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) fail(file, path, 'must be an object');
  const o = v as Record<string, Json>;
  const unknown = Object.keys(o).filter((k) => !keys.includes(k) && !k.startsWith('$'));
  if (unknown.length) fail(file, path, `unknown key '${unknown[0]}'; allowed: ${keys.join(', ')}`);
  return o;
}

function optNum(file: string, path: string, v: Json, check: (n: number) => boolean, what: string): number | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !check(v)) fail(file, path, `must be ${what}, got ${JSON.stringify(v)}`);
  return v;
}

function strList(file: string, path: string, v: Json): string[] | undefined {
  if (v === undefined) return undefined;
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string') || v.length === 0) fail(file, path, 'must be a non-empty list of strings');
  return v as string[];
}

const isInt = (lo: number, hi: number) => (n: number) => Number.isInteger(n) && n >= lo && n <= hi;

/** A program file named in a suite is relative to the suite's folder, as its trace file is. */
function programsFrom(file: string, names: string[] | undefined): string[] | undefined {
  return names?.map((n) => (isProgramPath(n) && !isAbsolute(n) ? resolve(dirname(file), n) : n));
}

export function parseSuite(text: string, file: string): Suite {
  let raw: Json;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw badInput(`suite ${file}: not valid JSON: ${(err as Error).message}`);
  }
  const o = obj(file, '(top)', raw, ['name', 'description', 'variants', 'trace', 'metrics', 'reps', 'reference', 'params', 'throughput', 'cost', 'sweeps', 'micro']);
  if (typeof o.name !== 'string' || !/^[\w.-]+$/.test(o.name)) fail(file, 'name', 'must be a word (letters, digits, . _ -)');
  const suite: Suite = { name: o.name, description: typeof o.description === 'string' ? o.description : undefined };
  suite.variants = programsFrom(file, strList(file, 'variants', o.variants));
  suite.metrics = strList(file, 'metrics', o.metrics);
  suite.reps = optNum(file, 'reps', o.reps, isInt(1, 1000), 'an integer from 1 to 1000');
  if (o.reference !== undefined && typeof o.reference !== 'string') suite.reference = programsFrom(file, strList(file, 'reference', o.reference));
  else suite.reference = o.reference === undefined ? undefined : programsFrom(file, [o.reference as string])![0];
  if (o.trace !== undefined) {
    const t = obj(file, 'trace', o.trace, ['generate', 'file']);
    if (typeof t.file === 'string') {
      suite.trace = { file: isAbsolute(t.file) ? t.file : resolve(dirname(file), t.file) };
    } else if (t.generate !== undefined) {
      const g = obj(file, 'trace.generate', t.generate, ['dist', 'skew', 'flows', 'packets', 'seed']);
      if (g.dist !== 'zipf' && g.dist !== 'uniform') fail(file, 'trace.generate.dist', "must be 'zipf' or 'uniform'");
      suite.trace = {
        generate: {
          dist: g.dist,
          skew: optNum(file, 'trace.generate.skew', g.skew, (n) => n > 0 && n <= 5, 'in (0, 5]') ?? 1.1,
          flows: optNum(file, 'trace.generate.flows', g.flows, isInt(1, 1 << 24), 'an integer from 1 to 2^24') ?? 100_000,
          packets: optNum(file, 'trace.generate.packets', g.packets, isInt(1, 1 << 27), 'an integer from 1 to 2^27') ?? 1_000_000,
          seed: optNum(file, 'trace.generate.seed', g.seed, isInt(0, 2 ** 32 - 1), 'a 32-bit integer') ?? 1,
        },
      };
    } else fail(file, 'trace', "needs 'file' or 'generate'");
  }
  if (o.params !== undefined) {
    const p = obj(file, 'params', o.params, ['rows', 'columns', 'p']);
    suite.params = {
      rows: optNum(file, 'params.rows', p.rows, isInt(1, 64), 'an integer'),
      columns: optNum(file, 'params.columns', p.columns, isInt(1, 1 << 24), 'an integer'),
      p: optNum(file, 'params.p', p.p, (n) => n > 0 && n <= 1, 'in (0, 1]'),
    };
  }
  if (o.cost !== undefined) {
    const c = obj(file, 'cost', o.cost, ['reps']);
    suite.cost = { reps: optNum(file, 'cost.reps', c.reps, isInt(1, 1000), 'an integer from 1 to 1000') };
  }
  if (o.throughput !== undefined) {
    const t = obj(file, 'throughput', o.throughput, ['durationS', 'maxLoss', 'action', 'generator']);
    suite.throughput = {
      durationS: optNum(file, 'throughput.durationS', t.durationS, (n) => n > 0 && n <= 600, 'seconds in (0, 600]'),
      maxLoss: optNum(file, 'throughput.maxLoss', t.maxLoss, (n) => n >= 0 && n < 1, 'in [0, 1)'),
      generator: t.generator === undefined ? undefined : typeof t.generator === 'string' ? t.generator : fail(file, 'throughput.generator', 'must be a generator name'),
      action: t.action === undefined ? undefined : typeof t.action === 'string' && ['drop', 'pass', 'tx', 'redirect'].includes(t.action) ? t.action : fail(file, 'throughput.action', "must be 'drop', 'pass', 'tx' or 'redirect'"),
    };
  }
  if (o.micro !== undefined) {
    const m = obj(file, 'micro', o.micro, ['families', 'reps', 'blocks']);
    const families = strList(file, 'micro.families', m.families);
    const unknown = families?.find((f) => !(FAMILIES as readonly string[]).includes(f));
    if (unknown) fail(file, 'micro.families', `unknown family '${unknown}'; allowed: ${FAMILIES.join(', ')}`);
    suite.micro = {
      families,
      reps: optNum(file, 'micro.reps', m.reps, isInt(1, 1000), 'an integer from 1 to 1000'),
      blocks: optNum(file, 'micro.blocks', m.blocks, isInt(1, 10000), 'an integer from 1 to 10000'),
    };
  }
  if (o.sweeps !== undefined) {
    if (!Array.isArray(o.sweeps)) fail(file, 'sweeps', 'must be a list');
    suite.sweeps = o.sweeps.map((s, i) => {
      const w = obj(file, `sweeps[${i}]`, s, ['variants', 'param', 'values', 'metrics']);
      if (!['p', 'columns', 'rows', 'layers', 'topk', 'dutCores'].includes(w.param as string)) fail(file, `sweeps[${i}].param`, "must be 'p', 'columns', 'rows', 'layers', 'topk' or 'dutCores'");
      if (!Array.isArray(w.values) || w.values.length === 0 || w.values.some((x) => typeof x !== 'number')) fail(file, `sweeps[${i}].values`, 'must be a non-empty list of numbers');
      return {
        variants: programsFrom(file, strList(file, `sweeps[${i}].variants`, w.variants))!,
        param: w.param as SweepRequest['param'],
        values: w.values as number[],
        metrics: strList(file, `sweeps[${i}].metrics`, w.metrics) ?? ['throughput'],
      };
    });
  }
  return suite;
}

/** A built-in suite by name, or a suite file by path. */
export function loadSuite(nameOrPath: string): Suite {
  const builtin = BUILTIN_SUITES.includes(nameOrPath) ? join(here, `${nameOrPath}.json`) : undefined;
  const file = builtin ?? nameOrPath;
  if (!existsSync(file)) throw badInput(`no suite '${nameOrPath}': use ${BUILTIN_SUITES.join(' or ')}, or the path of a suite file`);
  return parseSuite(readFileSync(file, 'utf8'), file);
}
