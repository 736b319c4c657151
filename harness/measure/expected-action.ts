/**
 * A program from outside the repository must do what the run measures: the
 * run's --action (drop unless told otherwise) for every packet. One that
 * aborts (a failed bounds check, a bug), passes packets up the stack or sends
 * them elsewhere would be timed on another path than the one reported, so it
 * is an error, not a number. The project's own variants return their
 * cfg.action by construction, and are not checked here.
 */
import type { LoadedVariant } from '../build/load-variant.ts';
import { XDP_CODE_OF, xdpActionName, type Action } from '../kernel/layout.ts';
import { SketchbenchError } from '../errors.ts';

function mismatch(v: LoadedVariant, action: Action, what: string): SketchbenchError {
  const want = xdpActionName(XDP_CODE_OF[action]);
  return new SketchbenchError('measure',
    `${v.variant.name}: ${what}; this run measures programs that return ${want} (--action ${action}): return ${want}${v.variant.external?.sketch || action !== 'drop' ? ", or sketchbench.h's sb_action()," : ''} for every packet (in ${v.variant.external!.file})`,
    { exitCode: 2 });
}

/** The action a test run returned (its last packet's) must be the run's. */
export function checkAction(v: LoadedVariant, returned: number, action: Action, where: string): void {
  if (!v.variant.external || returned === XDP_CODE_OF[action]) return;
  throw mismatch(v, action, `returned ${xdpActionName(returned)} for a packet (${where})`);
}

/** What the DUT driver counted over a window, per action (veth's rx_queue_N_xdp_* statistics). */
export interface ActionCounts { packets: number; drops: number; tx: number; txErrors: number; redirect: number }

/**
 * Every frame XDP ran on under the program went the run's way. veth counts an
 * abort as a drop, an XDP_TX the peer's ring had no room for as a tx error,
 * and a redirect that found no room at the target as a drop: so a redirect
 * run accepts drops beside redirects, as long as some frames were redirected.
 */
export function checkDriverActions(v: LoadedVariant, d: ActionCounts, action: Action, queues = 1): void {
  if (!v.variant.external || d.packets === 0) return;
  const passed = d.packets - d.drops - d.tx - d.txErrors - d.redirect;
  // veth adds a poll's packets, drops and redirects together, but its tx counts when the
  // poll's bulk queue is flushed: a window may open or close between the two, by at most
  // a NAPI budget (64 frames) per queue at each end.
  const txSlack = 2 * 64 * queues;
  const ok = {
    drop: d.drops === d.packets,
    tx: Math.abs(d.tx + d.txErrors - d.packets) <= txSlack,
    redirect: d.redirect > 0 && d.redirect + d.drops === d.packets,
    pass: passed === d.packets,
  }[action];
  if (ok) return;
  throw mismatch(v, action, `the DUT ran it on ${d.packets} frames: ${d.drops} dropped or aborted, ${d.tx + d.txErrors} sent back, ${d.redirect} redirected, ${passed} passed`);
}
