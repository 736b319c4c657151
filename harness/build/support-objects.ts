/**
 * Programs that are not sketch variants but run beside them: the trace replay
 * (cost, accuracy, live traffic). Built by the same cached compile step.
 */
import { join } from 'node:path';
import { compileVariant } from './compile.ts';
import type { ResolvedVariant } from './manifest.ts';
import { projectRoot } from '../paths.ts';

function supportProgram(name: string, source: string): ResolvedVariant {
  return {
    name, family: 'support', switches: {}, defines: [], source: join(projectRoot, source),
    counter: 'none', samples: false, limits: { maxRows: 0, maxColumnsLog2: 0 }, hashing: 'fasthash32', layout: 'maps', maps: [], stem: name,
  };
}

export async function replayObject(): Promise<string> {
  return (await compileVariant(supportProgram('replay', 'variants/replay/replay.bpf.c'))).objectPath;
}

/** Test instrument: exact per-flow packet counts (variants/testing/flowcount.bpf.c). */
export async function flowCountObject(): Promise<string> {
  return (await compileVariant(supportProgram('flowcount', 'variants/testing/flowcount.bpf.c'))).objectPath;
}

/** `sketchbench doctor`'s feature probe (variants/probe/probe.bpf.c). */
export async function probeObject(): Promise<string> {
  return (await compileVariant(supportProgram('probe', 'variants/probe/probe.bpf.c'))).objectPath;
}

/** The micro-benchmark programs of primitives (variants/micro/micro.bpf.c). */
export async function microObject(): Promise<string> {
  return (await compileVariant(supportProgram('micro', 'variants/micro/micro.bpf.c'))).objectPath;
}
