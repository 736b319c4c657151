/** From an opened trace to what the replay program's maps need. */
import type { Trace } from '../trace/format.ts';
import { parseAddr } from '../trace/addr.ts';
import type { ReplayFlow, ReplayInput } from './replay-maps.ts';

export function replayInputOf(trace: Trace): ReplayInput {
  const flows: ReplayFlow[] = trace.flows.map((f) => {
    const src = new Uint8Array(16);
    const dst = new Uint8Array(16);
    parseAddr(f.src, src, 0);
    parseAddr(f.dst, dst, 0);
    const n = f.family === 4 ? 4 : 16;
    return { family: f.family, src: src.subarray(0, n), dst: dst.subarray(0, n), sport: f.sport, dport: f.dport, proto: f.proto };
  });
  const { flowIds, lengths } = trace.readSequence();
  return { flows, flowIds, lengths };
}
