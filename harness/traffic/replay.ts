/**
 * The trace replay program, loaded with a trace in its maps. Two uses:
 * - in-kernel replay (BPF_PROG_TEST_RUN, tail call into the variant): every
 *   packet of the trace exactly once, timed inside BPF — cost and accuracy;
 * - live frames (XDP_TX out of the generator veth) — throughput, see xdp-live.ts.
 */
import { BpfObject } from '../kernel/bpf-object.ts';
import { SketchbenchError } from '../errors.ts';
import type { TestRunLane } from '../kernel/test-run-lane.ts';
import {
  encodeFlows, encodeSequence, encodeState, decodeState, REPLAY_CONTRACTS, REPLAY_MODE_TAILCALL, REPLAY_MODE_TX,
  type ReplayInput, type ReplayState, type Macs,
} from './replay-maps.ts';

export const REPLAY_PROG = 'replay_xdp';
/** repeat is a signed int in the uapi: very long runs go in chunks. */
const RUN_CHUNK = 1 << 30;

export interface InKernelRun {
  /** Packets the replay claimed and wrote. */
  packets: number;
  /** Time from the first timed packet's start to the last packet's start, from bpf_ktime_get_ns. */
  spanNs: number;
  /** Packet intervals spanNs covers: packets - 1 - the untimed warm packets. */
  timedIntervals: number;
  /** spanNs / timedIntervals: per-packet time including the replay's own work. */
  nsPerPacket: number;
  bad: number;
  /** XDP action the target returned for the last packet (the test run's retval). */
  lastAction: number;
}

export class Replay {
  readonly total: number;
  readonly frameBytes: number;
  private frame?: Buffer;

  private constructor(readonly obj: BpfObject, total: number, frameBytes: number) {
    this.total = total;
    this.frameBytes = frameBytes;
  }

  /** Load the replay object and copy the trace into its maps. */
  static load(objPath: string, input: ReplayInput, macs?: Macs, slots = 1): Replay {
    return Replay.loadCopies(objPath, input, 1, macs, slots)[0];
  }

  /**
   * `copies` replay objects over one trace, each with its own maps and cursor (runs
   * that go on at once), the trace encoded once for all of them.
   */
  static loadCopies(objPath: string, input: ReplayInput, copies: number, macs?: Macs, slots = 1): Replay[] {
    const total = input.flowIds.length;
    if (total === 0) throw new SketchbenchError('input', 'the trace has no packets to replay');
    const flows = encodeFlows(input.flows, macs);
    const seq = encodeSequence(input);
    let maxLen = 64;
    for (let i = 0; i < total; i++) maxLen = Math.max(maxLen, seq.readUInt32LE(i * 8 + 4));
    const out: Replay[] = [];
    try {
      for (let c = 0; c < copies; c++) {
        const obj = BpfObject.open(objPath, {
          label: 'replay',
          contracts: REPLAY_CONTRACTS,
          maxEntries: { flows: Math.max(1, input.flows.length), seq: total, jmp: Math.max(1, slots) },
        });
        // Owned by `out` from here, so a failure below closes it with the others.
        out.push(new Replay(obj, total, maxLen));
        obj.load();
        obj.map('flows').fillArray(flows);
        obj.map('seq').fillArray(seq);
      }
      return out;
    } catch (err) {
      for (const r of out) r.close();
      throw err;
    }
  }

  get progFd(): number {
    return this.obj.program(REPLAY_PROG).fd;
  }

  /** The program the replay tail-calls after writing each packet, in a slot (runs choose the slot). */
  setTarget(progFd: number, slot = 0): void {
    const jmp = this.obj.map('jmp');
    const v = Buffer.alloc(4);
    v.writeUInt32LE(progFd, 0);
    jmp.update(jmp.u32Key(slot), v);
  }

  /** Set the sequence cursor: the next run replays packets [start, limit) (indexes past the trace wrap). */
  arm(limit: number, mode: 'tailcall' | 'tx', ratePps = 0, start = 0, timedFrom = start, slot = 0): void {
    const st = this.obj.map('state');
    st.update(st.u32Key(0), encodeState({ start, timedFrom, slot, limit, total: this.total, mode: mode === 'tx' ? REPLAY_MODE_TX : REPLAY_MODE_TAILCALL, ratePps }));
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
    return this.runSlice(0, packets);
  }

  /**
   * runInKernel on a lane's pinned thread (untimed work only): the calling thread is
   * free meanwhile. Each Replay has its own cursor, so two of them replay at once,
   * each on its lane's core.
   */
  async runInKernelOn(lane: TestRunLane, packets = this.total): Promise<InKernelRun> {
    this.arm(packets, 'tailcall', 0, 0, 0, 0);
    let lastAction = -1;
    for (let done = 0; done < packets; done += RUN_CHUNK) {
      lastAction = await lane.run(this.progFd, this.frameBytes, Math.min(RUN_CHUNK, packets - done), 'replay');
    }
    return this.result(0, lastAction);
  }

  /**
   * Replay packets [start, end) of the trace through the tail-call target: a
   * slice, timed from its first packet (or, with `warm` > 0, from packet
   * start + warm: the packets before it bring the target's code and maps into
   * the caches untimed) to its last. Slices of one trace, run one after another
   * for one target, cover it exactly once.
   */
  runSlice(start: number, end: number, warm = 0, slot = 0): InKernelRun {
    const packets = end - start;
    const w = Math.max(0, Math.min(warm, packets - 2));
    this.arm(end, 'tailcall', 0, start, start + w, slot);
    this.frame ??= Buffer.alloc(this.frameBytes);
    let lastAction = -1;
    for (let done = 0; done < packets; done += RUN_CHUNK) {
      lastAction = this.obj.testRun(REPLAY_PROG, { data: this.frame, repeat: Math.min(RUN_CHUNK, packets - done) }).retval;
    }
    return this.result(w, lastAction);
  }

  /** What the replay's state says about the run just done. */
  private result(w: number, lastAction: number): InKernelRun {
    const st = this.state();
    const claimed = Number((st.next > st.limit ? st.limit : st.next) - st.start);
    const spanNs = Number(st.tLast - st.tFirst);
    const timedIntervals = claimed - 1 - w;
    return {
      packets: claimed,
      spanNs,
      timedIntervals,
      nsPerPacket: timedIntervals > 0 ? spanNs / timedIntervals : NaN,
      bad: Number(st.bad),
      lastAction,
    };
  }

  close(): void {
    this.obj.close();
  }
}
