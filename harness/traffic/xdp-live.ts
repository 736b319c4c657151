/**
 * `xdp-live`: our own live-frame traffic generator (Debian's xdp-trafficgen
 * fails on this kernel). The replay program, in TX mode, rewrites each frame
 * from the trace and returns XDP_TX; in live-frames mode the kernel turns that
 * into a redirect out of the generator veth, so frames reach the DUT veth's
 * NAPI, where the variant runs. One worker thread per generator core.
 */
import { Worker } from 'node:worker_threads';
import { SketchbenchError } from '../errors.ts';
import { registerCleanup } from '../cleanup.ts';
import type { Replay } from './replay.ts';
import type { LiveWorkerData } from './xdp-live-worker.ts';

export interface LiveOptions {
  /** Generator namespace and the ifindex of its veth end, as seen inside it. */
  ns: string;
  ifindex: number;
  /** One generator thread per listed CPU. */
  cpus: number[];
  /** Total offered rate in packets/s, split across threads; 0 = unlimited. */
  ratePps?: number;
  chunk?: number;
  batchSize?: number;
}

export interface LiveStop {
  /** Frames the generator threads asked the kernel to send (claimed + overrun). */
  frames: number;
  calls: number;
}

/** A packet limit no run reaches: the generator then runs until stop(). */
const UNLIMITED = 2 ** 62;

export class XdpLiveGenerator {
  private workers: Worker[] = [];
  private results: Promise<{ ok: boolean; frames?: number; calls?: number; error?: string }>[] = [];
  private control = new SharedArrayBuffer(4);
  private unregister?: () => void;
  /** Set when any generator thread has ended (done, failed or exited). */
  private threadEnded = false;

  constructor(private readonly replay: Replay, private readonly opts: LiveOptions) {}

  /** Start sending; `packets` bounds the total (default: until stop()). */
  start(packets?: number): void {
    if (this.workers.length) throw new SketchbenchError('traffic', 'generator already running');
    const rate = this.opts.ratePps ?? 0;
    this.replay.arm(packets ?? UNLIMITED, 'tx', rate);
    Atomics.store(new Int32Array(this.control), 0, 0);
    this.threadEnded = false;
    // Each live-frames call pays ~20 ms of page-pool setup and teardown in the
    // kernel: calls must be long for that to vanish (pacing is done in BPF).
    const chunk = this.opts.chunk ?? (1 << 20);
    for (const cpu of this.opts.cpus) {
      const data: LiveWorkerData = {
        entry: new URL('./xdp-live-worker.ts', import.meta.url).href,
        progFd: this.replay.progFd,
        ns: this.opts.ns,
        ifindex: this.opts.ifindex,
        cpu,
        frameBytes: this.replay.frameBytes,
        chunk,
        batchSize: this.opts.batchSize ?? 64,
        control: this.control,
      };
      const w = new Worker(new URL('../kernel/worker-bootstrap.mjs', import.meta.url), { workerData: data });
      this.workers.push(w);
      this.results.push(new Promise<{ ok: boolean; frames?: number; calls?: number; error?: string }>((resolve) => {
        w.once('message', (m) => { this.threadEnded = true; resolve(m); });
        w.once('error', (err) => { this.threadEnded = true; resolve({ ok: false, error: err.message }); });
        w.once('exit', (code) => { this.threadEnded = true; resolve({ ok: false, error: `generator thread exited with code ${code}` }); });
      }));
    }
    this.unregister = registerCleanup('xdp-live generator threads', () => this.stopNow());
  }

  /** Frames the replay has claimed so far (sent or attempted). */
  claimed(): number {
    const st = this.replay.state();
    return Number(st.next < st.limit ? st.next : st.limit);
  }

  private stopNow(): void {
    Atomics.store(new Int32Array(this.control), 0, 1);
  }

  async stop(): Promise<LiveStop> {
    this.stopNow();
    const res = await Promise.all(this.results);
    await Promise.all(this.workers.map((w) => w.terminate()));
    this.workers = [];
    this.results = [];
    this.unregister?.();
    const failed = res.find((r) => !r.ok);
    if (failed) throw new SketchbenchError('traffic', `xdp-live generator failed: ${failed.error}`);
    return { frames: res.reduce((s, r) => s + (r.frames ?? 0), 0), calls: res.reduce((s, r) => s + (r.calls ?? 0), 0) };
  }

  /** Run until `packets` have been claimed (the whole trace once by default). */
  async sendExactly(packets = this.replay.total, pollMs = 5): Promise<number> {
    this.start(packets);
    while (this.claimed() < packets) {
      await new Promise((r) => setTimeout(r, pollMs));
      if (this.threadEnded) break; // a failed thread: stop() reports why
    }
    await this.stop();
    return this.claimed();
  }
}
