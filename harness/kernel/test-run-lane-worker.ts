/** The thread of a TestRunLane: pin to the lane's core, then run each requested test run there, one at a time. */
import { parentPort, workerData } from 'node:worker_threads';
import { testRunFd } from './bpf-object.ts';
import { pinThisThread } from './affinity.ts';

export interface LaneWorkerData {
  entry: string;
  cpu: number;
}
export interface LaneRequest {
  id: number;
  progFd: number;
  frameBytes: number;
  repeat: number;
  label: string;
}
export type LaneReply = { id: number; ok: true; retval: number } | { id: number; ok: false; error: string };

const d = workerData as LaneWorkerData;
const port = parentPort!;
const frames = new Map<number, Buffer>();

try {
  pinThisThread(d.cpu);
  port.postMessage({ id: 0, ok: true, retval: 0 } satisfies LaneReply);
} catch (err) {
  port.postMessage({ id: 0, ok: false, error: (err as Error).message } satisfies LaneReply);
}

port.on('message', (req: LaneRequest) => {
  try {
    let frame = frames.get(req.frameBytes);
    if (!frame) frames.set(req.frameBytes, (frame = Buffer.alloc(req.frameBytes)));
    const { retval } = testRunFd(req.progFd, { data: frame, repeat: req.repeat }, req.label);
    port.postMessage({ id: req.id, ok: true, retval } satisfies LaneReply);
  } catch (err) {
    port.postMessage({ id: req.id, ok: false, error: (err as Error).message } satisfies LaneReply);
  }
});
