/**
 * The native side: the same primitives (variants/micro/micro_prims.h)
 * compiled with clang -O2 into an executable that times them in user space,
 * in the same paired-slice schedule, on the same input bytes (a file the
 * executable reads). Its output lines are parsed here; nothing else crosses.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { compileNative, variantsDir } from '../build/compile.ts';
import { SketchbenchError } from '../errors.ts';
import type { MicroInputs } from './inputs.ts';
import type { SliceSchedule } from './kernel.ts';
import type { TimedSlice } from './slices.ts';

export class MicroNative {
  private constructor(private readonly exe: string, private readonly dir: string) {}

  /** Build (or reuse) the executable and write the inputs file; close() removes it. */
  static async prepare(inputs: MicroInputs): Promise<MicroNative> {
    const { objectPath } = await compileNative(join(variantsDir, 'micro', 'micro_native.c'), 'micro_native');
    const dir = mkdtempSync(join(tmpdir(), 'sketchbench-micro-'));
    writeFileSync(join(dir, 'inputs.bin'), inputs.bytes);
    return new MicroNative(objectPath, dir);
  }

  private async call(args: string[]): Promise<string[]> {
    const r = await execa(this.exe, [join(this.dir, 'inputs.bin'), ...args], { reject: false });
    if (r.exitCode !== 0) throw new SketchbenchError('measure', `micro native ${args.slice(0, 2).join(' ')}: ${String(r.stderr || r.message).split('\n')[0]}`);
    return String(r.stdout).split('\n').filter(Boolean);
  }

  /** Each primitive's accumulator after `warm` then `iters` iterations from xorshift state x0. */
  async check(group: string, iters: number, warm: number, x0: number): Promise<Map<string, bigint>> {
    const lines = await this.call(['check', group, String(iters), String(warm), String(x0)]);
    return new Map(lines.map((l) => l.split(' ')).map(([, name, acc]) => [name, BigInt(acc)]));
  }

  /** C names of a group's primitives, in source order (the loop first). */
  async primitives(group: string): Promise<string[]> {
    return (await this.call(['list'])).map((l) => l.split(' ')).filter(([g]) => g === group).map(([, name]) => name);
  }

  async measureGroup(group: string, s: SliceSchedule): Promise<TimedSlice[]> {
    const lines = await this.call(['run', group, String(s.reps), String(s.blocks), String(s.sliceNs), String(s.seed), String(s.cpu)]);
    const head = lines.shift()?.split(' ');
    if (head?.[0] !== 'K') throw new SketchbenchError('measure', `micro native ${group}: unexpected output '${head?.join(' ')}'`);
    const iters = Number(head[1]);
    return lines.map((l) => {
      const [, rep, block, position, name, ns] = l.split(' ');
      return { rep: Number(rep), block: Number(block), position: Number(position), name, ns: Number(ns), iters };
    });
  }

  close(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}
