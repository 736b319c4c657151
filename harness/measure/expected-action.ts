/**
 * A program from outside the repository must do what the measurement assumes:
 * drop every packet. One that aborts (a failed bounds check, a bug) or passes
 * packets up the stack would be timed on another path than the one reported,
 * so it is an error, not a number. The project's own variants drop by
 * construction (their cfg.action), and are not checked here.
 */
import type { LoadedVariant } from '../build/load-variant.ts';
import { XDP_DROP, xdpActionName } from '../kernel/layout.ts';
import { SketchbenchError } from '../errors.ts';

export function checkDropped(v: LoadedVariant, action: number, where: string): void {
  if (!v.variant.external || action === XDP_DROP) return;
  throw new SketchbenchError('measure',
    `${v.variant.name}: returned ${xdpActionName(action)} for a packet (${where}); sketchbench measures a program that drops every packet it sees: return XDP_DROP (in ${v.variant.external.file})`,
    { exitCode: 2 });
}

/** The driver's per-action counts over a window: every frame XDP ran on must have been dropped. */
export function checkDriverDropped(v: LoadedVariant, processed: number, dropped: number): void {
  if (!v.variant.external || processed === dropped) return;
  throw new SketchbenchError('measure',
    `${v.variant.name}: the DUT saw ${processed} frames under it but only ${dropped} dropped or aborted; sketchbench measures a program that drops every packet it sees: return XDP_DROP (in ${v.variant.external.file})`,
    { exitCode: 2 });
}
