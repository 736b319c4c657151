/**
 * An interface's transmit counters as seen from inside a namespace, without
 * entering it: /proc/PID/net/dev shows the network namespace of process PID, so
 * the counters of a tool running in the generator's namespace are one file read
 * away (microseconds: fast enough for every 12 ms throughput slice).
 */
import { readFileSync } from 'node:fs';
import { SketchbenchError } from '../../errors.ts';

export interface TxCounters { packets: number; dropped: number }

/** Parse /proc/net/dev text for one interface's transmit packets and drops. */
export function txCountersOf(text: string, dev: string): TxCounters | undefined {
  for (const line of text.split('\n')) {
    const at = line.indexOf(':');
    if (at < 0 || line.slice(0, at).trim() !== dev) continue;
    // receive: bytes packets errs drop fifo frame compressed multicast; transmit: bytes packets errs drop ...
    const f = line.slice(at + 1).trim().split(/\s+/).map(Number);
    return { packets: f[9], dropped: f[11] };
  }
  return undefined;
}

export function readTxCounters(pid: number, dev: string): TxCounters {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/net/dev`, 'utf8');
  } catch (err) {
    throw new SketchbenchError('traffic', `the generator process ${pid} is gone: cannot read ${dev}'s counters`, { cause: err });
  }
  const c = txCountersOf(text, dev);
  if (!c) throw new SketchbenchError('traffic', `interface ${dev} is not in the namespace of generator process ${pid}`);
  return c;
}
