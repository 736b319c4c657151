/**
 * `sketchbench micro` end to end, short of writing: every selected group in
 * the kernel, then natively, each as paired slices turned into rows. The
 * kernel object and the native executable are built once; `onGroup` gets each
 * group's rows as soon as they exist, so a crash loses nothing measured.
 */
import { makeInputs } from './inputs.ts';
import { MicroKernel } from './kernel.ts';
import { MicroNative } from './native.ts';
import { microRows, type MicroRows } from './slices.ts';
import type { MicroEnv, MicroGroup } from './groups.ts';

export interface MicroOptions {
  groups: MicroGroup[];
  envs: MicroEnv[];
  reps: number;
  /** Blocks per repetition. */
  blocks: number;
  sliceNs: number;
  seed: number;
  cpu: number;
}

export async function runMicro(o: MicroOptions, onGroup: (group: MicroGroup, env: MicroEnv, r: MicroRows) => void): Promise<void> {
  const inputs = makeInputs(o.seed);
  const schedule = { reps: o.reps, blocks: o.blocks, sliceNs: o.sliceNs, seed: o.seed, cpu: o.cpu };
  // Both builds before any measurement: a missing compiler or a verifier rejection costs no time.
  const native = o.envs.includes('native') ? await MicroNative.prepare(inputs) : undefined;
  let kernel: MicroKernel | undefined;
  try {
    kernel = o.envs.includes('ebpf') ? await MicroKernel.load(inputs) : undefined;
    if (kernel) for (const g of o.groups) onGroup(g, 'ebpf', microRows(g, 'ebpf', kernel.measureGroup(g.name, schedule), kernel.primitives(g.name)));
    if (native) for (const g of o.groups) onGroup(g, 'native', microRows(g, 'native', await native.measureGroup(g.name, schedule), await native.primitives(g.name)));
  } finally {
    kernel?.close();
    native?.close();
  }
}
