/**
 * One generator thread of the xdp-live driver: enter the generator namespace,
 * pin to a core, and push live frames (BPF_PROG_TEST_RUN with
 * BPF_F_TEST_XDP_LIVE_FRAMES) until told to stop or the trace is exhausted.
 * The replay program claims packets from a shared cursor, so threads never
 * send the same packet twice.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { testRunFd } from '../kernel/bpf-object.ts';
import { withNetns } from '../kernel/netns.ts';
import { pinThisThread } from '../kernel/affinity.ts';

export interface LiveWorkerData {
  entry: string;
  progFd: number;
  ns: string;
  ifindex: number;
  cpu: number;
  frameBytes: number;
  /** Frames per BPF_PROG_TEST_RUN call. */
  chunk: number;
  /** Frames per kernel batch (page pool refill). */
  batchSize: number;
  /** Int32Array view: [0] stop flag. */
  control: SharedArrayBuffer;
}

const d = workerData as LiveWorkerData;
const control = new Int32Array(d.control);

function main(): { calls: number; frames: number } {
  pinThisThread(d.cpu);
  const frame = Buffer.alloc(d.frameBytes);
  // struct xdp_md: data, data_end, data_meta, ingress_ifindex, rx_queue_index, egress_ifindex
  const ctx = Buffer.alloc(24);
  ctx.writeUInt32LE(d.frameBytes, 4);
  ctx.writeUInt32LE(d.ifindex, 12);
  let calls = 0;
  let frames = 0;
  return withNetns(d.ns, () => {
    while (Atomics.load(control, 0) === 0) {
      testRunFd(d.progFd, { data: frame, ctx, repeat: d.chunk, liveFrames: true, batchSize: d.batchSize }, 'xdp-live generator');
      calls++;
      frames += d.chunk;
    }
    return { calls, frames };
  });
}

try {
  parentPort!.postMessage({ ok: true, ...main() });
} catch (err) {
  parentPort!.postMessage({ ok: false, error: (err as Error).message });
}
