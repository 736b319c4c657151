/**
 * The eBPF side: variants/micro/micro.bpf.c loaded once, its inputs and
 * geometric tables written, and each primitive run under BPF_PROG_TEST_RUN
 * on one pinned CPU. A run is one call: `warm` untimed iterations, then
 * `iters` between two bpf_ktime_get_ns() reads inside the program, so the
 * syscall and the test-run setup are outside the timed span.
 */
import { BpfObject, testRunFd } from '../kernel/bpf-object.ts';
import { pinThisThread, unpinThisThread } from '../kernel/affinity.ts';
import { microObject } from '../build/support-objects.ts';
import { SketchbenchError } from '../errors.ts';
import { blockOrders } from '../measure/blocks.ts';
import { geoSizes, INPUTS_BYTES, type MicroInputs } from './inputs.ts';
import type { TimedSlice } from './slices.ts';

/** A tc program needs at least an Ethernet header of data; its content is never read. */
const FRAME = Buffer.alloc(64);

export interface RunResult {
  ns: number;
  acc: bigint;
}

export interface SliceSchedule {
  reps: number;
  blocks: number;
  /** Target span of one slice; iterations are sized from a calibration pass. */
  sliceNs: number;
  seed: number;
  cpu: number;
}

export class MicroKernel {
  private constructor(readonly obj: BpfObject, private readonly progs: Map<string, number>) {}

  static async load(inputs: MicroInputs): Promise<MicroKernel> {
    const obj = BpfObject.open(await microObject(), { label: 'micro' });
    try {
      obj.load();
      const data = obj.maps().find((m) => m.name.endsWith('.data.inputs'));
      if (!data || data.valueSize !== INPUTS_BYTES) {
        throw new SketchbenchError('load', `micro: .data.inputs is ${data?.valueSize ?? 'absent'}, the harness writes ${INPUTS_BYTES} bytes; variants/micro/micro_kern_user.h and harness/micro/inputs.ts disagree`);
      }
      data.update(data.u32Key(0), inputs.bytes);
      for (const n of geoSizes()) {
        const t = Buffer.alloc(4 * n);
        for (let i = 0; i < n; i++) t.writeUInt32LE(inputs.geo(n, i), 4 * i);
        obj.map(`geo_${n}`).fillArray(t);
      }
      const progs = new Map(obj.programNames().map((name) => [name, obj.program(name).fd]));
      return new MicroKernel(obj, progs);
    } catch (err) {
      obj.close();
      throw err;
    }
  }

  /** C names of a group's primitives, in source order (the loop first). */
  primitives(group: string): string[] {
    const prefix = `${group}__`;
    return [...this.progs.keys()].filter((p) => p.startsWith(prefix)).map((p) => p.slice(prefix.length));
  }

  /** One call of a primitive's program; the caller pins the thread. */
  run(group: string, name: string, warm: number, iters: number, x0: number): RunResult {
    const fd = this.progs.get(`${group}__${name}`);
    if (fd === undefined) throw new SketchbenchError('measure', `micro: no program ${group}__${name}`);
    const ctl = Buffer.alloc(16);
    ctl.writeUInt32LE(warm, 0);
    ctl.writeUInt32LE(iters, 4);
    ctl.writeUInt32LE(x0 >>> 0 || 1, 8);
    const ctlMap = this.obj.map('ctl');
    ctlMap.update(ctlMap.u32Key(0), ctl);
    const r = testRunFd(fd, { data: FRAME }, `micro ${group}__${name}`);
    if (r.retval !== 0) throw new SketchbenchError('measure', `micro ${group}__${name}: program returned ${r.retval} (a map lookup failed)`);
    const out = this.obj.map('out').lookupRaw(this.obj.map('out').u32Key(0))!;
    return { acc: out.readBigUInt64LE(0), ns: Number(out.readBigUInt64LE(8)) };
  }

  /**
   * Paired slices of every primitive of a group: per block, each once in a
   * fresh random order, the same iterations for all (sized so the average
   * slice lasts about sliceNs).
   */
  measureGroup(group: string, s: SliceSchedule): TimedSlice[] {
    const names = this.primitives(group);
    if (names.length < 2) throw new SketchbenchError('measure', `micro: group ${group} has no primitives in the object`);
    pinThisThread(s.cpu);
    try {
      const calib = 4096;
      let perOp = 0;
      for (const n of names) {
        this.run(group, n, calib, calib, 1);
        perOp += this.run(group, n, calib / 8, calib, 1).ns / calib / names.length;
      }
      const iters = Math.max(1024, Math.round(s.sliceNs / Math.max(perOp, 0.05)));
      const warm = iters >> 3;
      const out: TimedSlice[] = [];
      for (let rep = 0; rep < s.reps; rep++) {
        const nextOrder = blockOrders(names.length, s.seed + rep);
        for (let block = 0; block < s.blocks; block++) {
          nextOrder().forEach((i, position) => {
            const r = this.run(group, names[i], warm, iters, s.seed + rep * 7919 + block * 131 + position);
            out.push({ rep, block, position, name: names[i], ns: r.ns, iters });
          });
        }
      }
      return out;
    } finally {
      unpinThisThread();
    }
  }

  close(): void {
    this.obj.close();
  }
}
