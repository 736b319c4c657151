import { parseArgs } from 'node:util';
import { badInput } from '../errors.ts';

/** One flag, declared once: parsing, validation and help text all come from this. */
export interface FlagSpec {
  name: string;
  type: 'string' | 'boolean';
  /** Repeatable flags collect into an array (`--variant a --variant b`). */
  multiple?: boolean;
  short?: string;
  /** Placeholder in help, e.g. FILE. */
  arg?: string;
  description: string;
  default?: string | boolean;
  /** Parsed but left out of --help: test-only switches. */
  hidden?: boolean;
}

export type ParsedFlags = Record<string, string | boolean | string[] | undefined>;

/** What a command's own module defines: its flags and what it does. */
export interface CommandSpec {
  /** Positional arguments, for help text: e.g. ['FILE']. */
  positionals?: string[];
  flags: FlagSpec[];
  /** Returns the exit code. Throw SketchbenchError for failures. */
  run(flags: ParsedFlags, positionals: string[]): Promise<number>;
}

/** How the command table names a command: enough for dispatch and the top-level help, without loading it. */
export interface CommandEntry {
  /** Words that select the command, e.g. ['trace', 'gen']. */
  path: string[];
  summary: string;
  /** Imports the command's module (and with it only what that command needs). */
  load(): Promise<CommandSpec>;
}

export type Command = CommandSpec & Pick<CommandEntry, 'path' | 'summary'>;

export function parseCommandArgs(cmd: Command, argv: string[]): { flags: ParsedFlags; positionals: string[] } {
  const options: Record<string, { type: 'string' | 'boolean'; multiple?: boolean; short?: string }> = {};
  for (const f of cmd.flags) {
    options[f.name] = { type: f.type, ...(f.multiple ? { multiple: true } : {}), ...(f.short ? { short: f.short } : {}) };
  }
  options.help = { type: 'boolean', short: 'h' };
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (err) {
    throw badInput(`${(err as Error).message.split('\n')[0]} (see 'sketchbench ${cmd.path.join(' ')} --help')`, err);
  }
  const flags: ParsedFlags = { ...parsed.values } as ParsedFlags;
  for (const f of cmd.flags) {
    if (flags[f.name] === undefined && f.default !== undefined) flags[f.name] = f.default;
  }
  return { flags, positionals: parsed.positionals };
}

export function helpText(cmd: Command): string {
  const usage = `usage: sketchbench ${cmd.path.join(' ')}${cmd.positionals?.length ? ' ' + cmd.positionals.join(' ') : ''} [options]`;
  const lines = [usage, '', cmd.summary, '', 'options:'];
  const flags = [...cmd.flags.filter((f) => !f.hidden), { name: 'help', type: 'boolean', short: 'h', description: 'show this help' } as FlagSpec];
  const left = flags.map((f) => `${f.short ? `-${f.short}, ` : '    '}--${f.name}${f.type === 'string' ? ` ${f.arg ?? 'VALUE'}` : ''}`);
  const width = Math.max(...left.map((l) => l.length)) + 2;
  flags.forEach((f, i) => {
    const def = f.default !== undefined && f.default !== false ? ` (default: ${f.default})` : '';
    const rep = f.multiple ? ' (repeatable)' : '';
    lines.push(`  ${left[i].padEnd(width)}${f.description}${rep}${def}`);
  });
  return lines.join('\n');
}

/** Helpers to read typed values out of parsed flags. */
export function str(flags: ParsedFlags, name: string): string | undefined {
  const v = flags[name];
  return typeof v === 'string' ? v : undefined;
}
/**
 * Comma-separated values of a (repeatable) flag. Commas inside brackets belong to
 * the value: `nitro[sampling=coin,maps=percpu],countmin` is two variants.
 */
export function list(flags: ParsedFlags, name: string): string[] {
  const v = flags[name];
  if (v === undefined || typeof v === 'boolean') return [];
  const arr = Array.isArray(v) ? v : [v];
  return arr.flatMap(splitOutsideBrackets).map((s) => s.trim()).filter(Boolean);
}

export function splitOutsideBrackets(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of s) {
    if (ch === '[') depth++;
    if (ch === ']') depth = Math.max(0, depth - 1);
    if (ch === ',' && depth === 0) { out.push(cur); cur = ''; } else cur += ch;
  }
  out.push(cur);
  return out;
}

/** A list of CPU numbers, each checked to be a whole number (ranges are checked against the machine later). */
export function cpuList(flags: ParsedFlags, name: string): number[] | undefined {
  const l = list(flags, name);
  if (l.length === 0) return undefined;
  return l.map((x) => {
    const n = Number(x);
    if (!/^\d+$/.test(x) || !Number.isInteger(n)) throw badInput(`--${name} takes CPU numbers such as 1 or 1,2; got '${x}'`);
    return n;
  });
}
export function bool(flags: ParsedFlags, name: string): boolean {
  return flags[name] === true;
}
export function int(flags: ParsedFlags, name: string, opts: { min?: number; max?: number } = {}): number | undefined {
  const v = str(flags, name);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n)) throw badInput(`--${name} must be an integer, got '${v}'`);
  if (opts.min !== undefined && n < opts.min) throw badInput(`--${name} must be at least ${opts.min}, got ${n}`);
  if (opts.max !== undefined && n > opts.max) throw badInput(`--${name} must be at most ${opts.max}, got ${n}`);
  return n;
}
export function num(flags: ParsedFlags, name: string): number | undefined {
  const v = str(flags, name);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n)) throw badInput(`--${name} must be a number, got '${v}'`);
  return n;
}
