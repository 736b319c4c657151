/**
 * Progress of a run: a one-line bar on a terminal, plain per-step lines in
 * logs; each shows the step, the ETA and the latest measured figure.
 *
 * Steps carry a weight, their expected seconds: a run's steps range from a
 * program load (milliseconds) to a cost pass over every variant (tens of
 * seconds), and an ETA that counts them as equal said 45 s at the start of a
 * 9-minute bench. Percent and ETA follow the weights; the weights need only
 * be right relative to each other, since the ETA scales them by the time
 * the steps done so far actually took.
 */
export type ProgressMode = 'bar' | 'lines' | 'quiet' | 'json';

export class Progress {
  private done = 0;
  private doneWeight = 0;
  private totalWeight: number;
  private firstStep?: { at: number; weight: number };
  private lastLen = 0;

  constructor(private total: number, private readonly mode: ProgressMode) {
    this.totalWeight = total;
  }

  /** n more steps, each expected to take `seconds` (any unit, the same for every step). */
  addSteps(n: number, seconds = 1): void {
    this.total += n;
    this.totalWeight += n * seconds;
  }

  /** Share of the expected work done, 0 to 1. */
  get fraction(): number {
    return this.totalWeight > 0 ? Math.min(1, this.doneWeight / this.totalWeight) : 1;
  }

  /**
   * Seconds left, from the pace since the first step (the setup before it, a trace to
   * generate and every program to load, is not work the weights describe); unknown
   * until a hundredth of the expected work is done, since the first steps (program
   * loads, warm-ups) are too small to time the rest by.
   */
  etaSeconds(now = Date.now()): number | undefined {
    if (this.firstStep === undefined || this.fraction < 0.01) return undefined;
    const paced = this.doneWeight - this.firstStep.weight;
    if (paced <= 0) return undefined;
    return Math.max(0, ((now - this.firstStep.at) / paced) * (this.totalWeight - this.doneWeight) / 1000);
  }

  private eta(): string {
    const left = this.etaSeconds();
    if (left === undefined) return '?';
    return left >= 60 ? `${Math.floor(left / 60)}m${Math.round(left % 60).toString().padStart(2, '0')}s` : `${Math.round(left)}s`;
  }

  /** One step done; `seconds` is the weight it was added with. */
  step(label: string, latest?: string, seconds = 1): void {
    this.done++;
    this.doneWeight += seconds;
    this.firstStep ??= { at: Date.now(), weight: this.doneWeight };
    const pct = Math.round(this.fraction * 100);
    const text = `[${this.done}/${this.total} ${pct}% ETA ${this.eta()}] ${label}${latest ? `: ${latest}` : ''}`;
    if (this.mode === 'json') {
      process.stderr.write(JSON.stringify({ step: this.done, total: this.total, label, latest, etaS: this.eta(), fraction: Number(this.fraction.toFixed(4)) }) + '\n');
    } else if (this.mode === 'lines') {
      process.stderr.write(text + '\n');
    } else if (this.mode === 'bar') {
      const width = 20;
      const fill = Math.round((pct / 100) * width);
      const line = `${'#'.repeat(fill)}${'.'.repeat(width - fill)} ${text}`.slice(0, (process.stderr.columns ?? 120) - 1);
      process.stderr.write(`\r${line.padEnd(this.lastLen)}`);
      this.lastLen = line.length;
    }
  }

  /** A message that must not be overwritten by the bar. */
  note(line: string): void {
    if (this.mode === 'quiet' || this.mode === 'json') return;
    if (this.mode === 'bar' && this.lastLen) process.stderr.write('\n');
    this.lastLen = 0;
    process.stderr.write(line + '\n');
  }

  finish(): void {
    if (this.mode === 'bar' && this.lastLen) process.stderr.write('\n');
  }
}

export function progressMode(opts: { quiet?: boolean; json?: boolean }): ProgressMode {
  if (opts.json) return 'json';
  if (opts.quiet) return 'quiet';
  return process.stderr.isTTY ? 'bar' : 'lines';
}
