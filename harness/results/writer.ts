/**
 * Writes a run folder as measurements arrive, so an interrupted run keeps everything it
 * measured (hyperfine rewrites its exports after every benchmark for the same reason).
 *
 *   results.jsonl  one row per line, appended the moment a row is measured
 *   results.json   {env, suite, rows, summary}, rewritten atomically after every append
 *   results.csv    the rows, rewritten atomically after every append
 *   run.log        free-text progress and warnings, appended
 *
 * Writes are synchronous on purpose: a SIGINT handler can run between two awaits, and a
 * synchronous append + rename leaves the files consistent whenever the process stops.
 */
import { appendFileSync, existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'csv-stringify/sync';
import { badInput } from '../errors.ts';
import { summarise } from '../analyse/statistics.ts';
import type { Env, ResultsFile, Row } from './types.ts';

export const RESULTS_JSONL = 'results.jsonl';
export const RESULTS_JSON = 'results.json';
export const RESULTS_CSV = 'results.csv';
export const RUN_LOG = 'run.log';

/** CSV columns: the row fields, the common params flattened, then all params as JSON. */
export const CSV_COLUMNS = ['variant', 'metric', 'rep', 'value', 'unit', 'trace', 'rows', 'columns', 'p', 'params'] as const;

export function rowsToCsv(rows: Row[]): string {
  return stringify(
    rows.map((r) => [r.variant, r.metric, r.rep, r.value, r.unit, r.trace, r.params.rows ?? '', r.params.columns ?? '', r.params.p ?? '', JSON.stringify(r.params)]),
    { header: true, columns: [...CSV_COLUMNS] },
  );
}

/** Write via a temp file in the same folder and rename: readers see the old or the new file, never half. */
export function writeFileAtomic(path: string, data: string): void {
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, data);
  renameSync(tmp, path);
}

export interface RunWriterOptions {
  env: Env;
  suite: string;
  /** Allow a folder that already holds results (its rows are NOT reloaded: use the reader to resume). */
  overwrite?: boolean;
}

export class RunWriter {
  readonly dir: string;
  readonly env: Env;
  readonly suite: string;
  private readonly rowsSoFar: Row[] = [];

  private constructor(dir: string, opts: RunWriterOptions) {
    this.dir = dir;
    this.env = { ...opts.env };
    this.suite = opts.suite;
  }

  /** Create the run folder and write an empty results.json (so env is on disk before the first row). */
  static open(dir: string, opts: RunWriterOptions): RunWriter {
    mkdirSync(dir, { recursive: true });
    const jsonl = join(dir, RESULTS_JSONL);
    if (existsSync(jsonl) && !opts.overwrite) {
      throw badInput(`${dir} already holds results (${RESULTS_JSONL}); choose a new run folder or remove it`);
    }
    writeFileSync(jsonl, '');
    const w = new RunWriter(dir, opts);
    w.rewrite();
    return w;
  }

  /** Rows appended so far, in order. */
  get rows(): readonly Row[] {
    return this.rowsSoFar;
  }

  /** Record one row or a batch: appended to results.jsonl first, then results.json/csv are rewritten. */
  append(rows: Row | Row[]): void {
    const batch = Array.isArray(rows) ? rows : [rows];
    if (batch.length === 0) return;
    appendFileSync(join(this.dir, RESULTS_JSONL), batch.map((r) => JSON.stringify(r) + '\n').join(''));
    this.rowsSoFar.push(...batch);
    this.rewrite();
  }

  /** Append a timestamped line to run.log. */
  log(line: string): void {
    appendFileSync(join(this.dir, RUN_LOG), `${new Date().toISOString()} ${line}\n`);
  }

  /** Mark the run finished (env.finishedAt) and write the final files. */
  finish(extra: Partial<Env> = {}): ResultsFile {
    Object.assign(this.env, extra, { finishedAt: extra.finishedAt ?? new Date().toISOString() });
    return this.rewrite();
  }

  /** The current results as results.json holds them. */
  snapshot(): ResultsFile {
    return { env: this.env, suite: this.suite, rows: [...this.rowsSoFar], summary: summarise(this.rowsSoFar) };
  }

  private rewrite(): ResultsFile {
    const file = this.snapshot();
    writeFileAtomic(join(this.dir, RESULTS_JSON), JSON.stringify(file, null, 2) + '\n');
    writeFileAtomic(join(this.dir, RESULTS_CSV), rowsToCsv(file.rows));
    return file;
  }
}
