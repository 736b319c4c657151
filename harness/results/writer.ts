/**
 * Writes a run folder as measurements arrive, so an interrupted run keeps everything it
 * measured (hyperfine rewrites its exports after every benchmark for the same reason).
 *
 *   results.jsonl  one row per line, appended the moment a row is measured
 *   slices.jsonl   the paired slices behind the rows (cost, throughput), appended likewise
 *   results.csv    the rows, appended likewise
 *   results.json   {schemaVersion, env, suite, rows, summary, ratios}: written at checkpoints
 *                  (after each measurement group) and at the end, with the statistics the
 *                  caller computed once; a reader of an interrupted run recomputes them
 *   run.log        free-text progress and warnings, appended
 *
 * Writes are synchronous on purpose: a SIGINT handler can run between two awaits, and a
 * synchronous append + rename leaves the files consistent whenever the process stops.
 * The writer computes no statistics: that is analyse/'s job, done once, not per row.
 */
import { appendFileSync, existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'csv-stringify/sync';
import { badInput } from '../errors.ts';
import { RESULTS_SCHEMA_VERSION, type Env, type PairedRatio, type ResultsFile, type Row, type SliceRow, type SummaryRow } from '../types/results.ts';

export const RESULTS_JSONL = 'results.jsonl';
export const SLICES_JSONL = 'slices.jsonl';
export const RESULTS_JSON = 'results.json';
export const RESULTS_CSV = 'results.csv';
export const RUN_LOG = 'run.log';

/** CSV columns: the row fields, the common params flattened, then all params as JSON. */
export const CSV_COLUMNS = ['variant', 'metric', 'rep', 'value', 'unit', 'trace', 'rows', 'columns', 'p', 'params'] as const;

export function rowsToCsv(rows: Row[], header = true): string {
  return stringify(
    rows.map((r) => [r.variant, r.metric, r.rep, r.value, r.unit, r.trace, r.params.rows ?? '', r.params.columns ?? '', r.params.p ?? '', JSON.stringify(r.params)]),
    { header, columns: [...CSV_COLUMNS] },
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

/** Statistics of the rows so far, computed by the caller (analyse/). */
export interface Statistics {
  summary: SummaryRow[];
  ratios: PairedRatio[];
}

export class RunWriter {
  readonly dir: string;
  readonly env: Env;
  readonly suite: string;
  private readonly rowsSoFar: Row[] = [];
  private readonly slicesSoFar: SliceRow[] = [];

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
    writeFileSync(join(dir, SLICES_JSONL), '');
    writeFileSync(join(dir, RESULTS_CSV), rowsToCsv([]));
    const w = new RunWriter(dir, opts);
    w.checkpoint({ summary: [], ratios: [] });
    return w;
  }

  /** Rows appended so far, in order. */
  get rows(): readonly Row[] {
    return this.rowsSoFar;
  }

  get slices(): readonly SliceRow[] {
    return this.slicesSoFar;
  }

  /** Record one row or a batch: appended to results.jsonl and results.csv at once. */
  append(rows: Row | Row[]): void {
    const batch = Array.isArray(rows) ? rows : [rows];
    if (batch.length === 0) return;
    appendFileSync(join(this.dir, RESULTS_JSONL), batch.map((r) => JSON.stringify(r) + '\n').join(''));
    appendFileSync(join(this.dir, RESULTS_CSV), rowsToCsv(batch, false));
    this.rowsSoFar.push(...batch);
  }

  /** Record the paired slices behind rows (slices.jsonl). */
  appendSlices(slices: SliceRow[]): void {
    if (slices.length === 0) return;
    appendFileSync(join(this.dir, SLICES_JSONL), slices.map((s) => JSON.stringify(s) + '\n').join(''));
    this.slicesSoFar.push(...slices);
  }

  /** Append a timestamped line to run.log. */
  log(line: string): void {
    appendFileSync(join(this.dir, RUN_LOG), `${new Date().toISOString()} ${line}\n`);
  }

  /** Rewrite results.json with the rows so far and their statistics. */
  checkpoint(stats: Statistics): ResultsFile {
    const file: ResultsFile = { schemaVersion: RESULTS_SCHEMA_VERSION, env: this.env, suite: this.suite, rows: [...this.rowsSoFar], ...stats };
    writeFileAtomic(join(this.dir, RESULTS_JSON), JSON.stringify(file, null, 2) + '\n');
    return file;
  }

  /** Mark the run finished (env.finishedAt) and write the final results.json. */
  finish(stats: Statistics, extra: Partial<Env> = {}): ResultsFile {
    Object.assign(this.env, extra, { finishedAt: extra.finishedAt ?? new Date().toISOString() });
    return this.checkpoint(stats);
  }
}
