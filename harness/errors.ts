/** Where in the pipeline an error happened; shown to the user and kept in run.log. */
export type Phase =
  | 'input' | 'system' | 'build' | 'load' | 'attach' | 'testbed' | 'traffic'
  | 'read' | 'measure' | 'analyse' | 'report' | 'compare';

/** Exit codes (docs/design.md): 0 success, 1 failure or regression, 2 bad input. */
export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_BAD_INPUT = 2;

/**
 * The one error class of the harness. `message` is a single line that says what
 * went wrong and what to do; `detail` holds long text (a verifier log tail).
 */
export class SketchbenchError extends Error {
  readonly phase: Phase;
  readonly exitCode: number;
  readonly detail?: string;

  constructor(phase: Phase, message: string, opts: { cause?: unknown; detail?: string; exitCode?: number } = {}) {
    super(message, { cause: opts.cause });
    this.name = 'SketchbenchError';
    this.phase = phase;
    this.detail = opts.detail;
    this.exitCode = opts.exitCode ?? (phase === 'input' ? EXIT_BAD_INPUT : EXIT_FAILURE);
  }
}

/** Bad user input: exit code 2. */
export function badInput(message: string, cause?: unknown): SketchbenchError {
  return new SketchbenchError('input', message, { cause, exitCode: EXIT_BAD_INPUT });
}
