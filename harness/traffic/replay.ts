/**
 * The trace replay program, loaded with a trace in its maps. Two uses:
 * - in-kernel replay (BPF_PROG_TEST_RUN, tail call into the variant): every
 *   packet of the trace exactly once, timed inside BPF — cost and accuracy;
 * - live frames (XDP_TX out of the generator veth) — throughput, see xdp-live.ts.
 */
import { BpfObject } from '../kernel/bpf-object.ts';
import { SketchbenchError } from '../errors.ts';
import {
  encodeFlows, encodeSequence, encodeState, decodeState, REPLAY_MODE_TAILCALL, REPLAY_MODE_TX,
  type ReplayInput, type ReplayState, type Macs,
} from './replay-maps.ts';

export const REPLAY_PROG = 'replay_xdp';

export interface InKernelRun {
  /** Packets the replay claimed and wrote. */
  packets: number;
  /** Time from the first packet's start to the last packet's start, from bpf_ktime_get_ns. */
  spanNs: number;
  /** spanNs / (packets - 1): per-packet time including the replay's own work. */
  nsPerPacket: number;
  bad: number;
}

export class Replay {
  readonly total: number;
  readonly frameBytes: number;

  private constructor(readonly obj: BpfObject, total: number, frameBytes: number) {
    this.total = total;
    this.frameBytes = frameBytes;
  }

  /** Load the replay object and copy the trace into its maps. */
  static load(objPath: string, input: ReplayInput, macs?: Macs): Replay {
    const total = input.flowIds.length;
    if (total === 0) throw new SketchbenchError('input', 'the trace has no packets to replay');
    const obj = BpfObject.open(objPath, {
      label: 'replay',
      maxEntries: { flows: Math.max(1, input.flows.length), seq: total },
    });
    try {
      obj.load();
      obj.map('flows').fillArray(encodeFlows(input.flows, macs));
      const seq = encodeSequence(input);
      obj.map('seq').fillArray(seq);
      let maxLen = 64;
      for (let i = 0; i < total; i++) maxLen = Math.max(maxLen, seq.readUInt32LE(i * 8 + 4));
      return new Replay(obj, total, maxLen);
    } catch (err) {
      obj.close();
      throw err;
    }
  }

  get progFd(): number {
    return this.obj.program(REPLAY_PROG).fd;
  }

  /** The program the replay tail-calls after writing each packet. */
  setTarget(progFd: number): void {
    const jmp = this.obj.map('jmp');
    const v = Buffer.alloc(4);
    v.writeUInt32LE(progFd, 0);
    jmp.update(jmp.u32Key(0), v);
  }

  /** Reset the sequence cursor: the next run starts at packet 0. */
  arm(limit: number, mode: 'tailcall' | 'tx', ratePps = 0): void {
    const st = this.obj.map('state');
    st.update(st.u32Key(0), encodeState({ limit, total: this.total, mode: mode === 'tx' ? REPLAY_MODE_TX : REPLAY_MODE_TAILCALL, ratePps }));
  }

  state(): ReplayState {
    const st = this.obj.map('state');
    return decodeState(st.lookupRaw(st.u32Key(0))!);
  }

  /**
   * Replay `packets` packets (default: the whole trace once) through the tail-call
   * target on the calling thread. Blocking: pin the thread first for timing.
   */
  runInKernel(packets = this.total): InKernelRun {
    this.arm(packets, 'tailcall');
    const frame = Buffer.alloc(this.frameBytes);
    // repeat is a signed int in the uapi: chunk very long runs.
    const CHUNK = 1 << 30;
    for (let done = 0; done < packets; done += CHUNK) {
      this.obj.testRun(REPLAY_PROG, { data: frame, repeat: Math.min(CHUNK, packets - done) });
    }
    const st = this.state();
    const claimed = Number(st.next > st.limit ? st.limit : st.next);
    const spanNs = Number(st.tLast - st.tFirst);
    return {
      packets: claimed,
      spanNs,
      nsPerPacket: claimed > 1 ? spanNs / (claimed - 1) : NaN,
      bad: Number(st.bad),
    };
  }

  close(): void {
    this.obj.close();
  }
}
