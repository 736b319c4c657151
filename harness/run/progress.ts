/**
 * Progress of a run: a one-line bar on a terminal, plain per-step lines in
 * logs; each shows the step, the ETA and the latest measured figure.
 */
export type ProgressMode = 'bar' | 'lines' | 'quiet' | 'json';

export class Progress {
  private done = 0;
  private readonly t0 = Date.now();
  private lastLen = 0;

  constructor(private total: number, private readonly mode: ProgressMode) {}

  addSteps(n: number): void {
    this.total += n;
  }

  private eta(): string {
    if (this.done === 0) return '?';
    const left = ((Date.now() - this.t0) / this.done) * (this.total - this.done) / 1000;
    return left >= 60 ? `${Math.floor(left / 60)}m${Math.round(left % 60).toString().padStart(2, '0')}s` : `${Math.round(left)}s`;
  }

  step(label: string, latest?: string): void {
    this.done++;
    const pct = Math.min(100, Math.round((this.done / this.total) * 100));
    const text = `[${this.done}/${this.total} ${pct}% ETA ${this.eta()}] ${label}${latest ? `: ${latest}` : ''}`;
    if (this.mode === 'json') {
      process.stderr.write(JSON.stringify({ step: this.done, total: this.total, label, latest, etaS: this.eta() }) + '\n');
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
