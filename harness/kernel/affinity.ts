/** Pin the calling OS thread (not the whole process) to CPUs. */
import { cpus } from 'node:os';
import { SketchbenchError } from '../errors.ts';
import { libbpf } from './libbpf.ts';

function setAffinity(list: number[]): void {
  const mask = Buffer.alloc(128);
  for (const cpu of list) mask[cpu >> 3] |= 1 << (cpu & 7);
  const rc = libbpf().schedSetaffinity(0, mask.length, mask);
  if (rc !== 0) throw new SketchbenchError('testbed', `cannot pin thread to CPU ${list.join(',')}: errno ${libbpf().errno()}; is the CPU online?`);
}

export function pinThisThread(cpu: number | number[]): void {
  setAffinity(Array.isArray(cpu) ? cpu : [cpu]);
}

/** Let the calling thread run anywhere again. */
export function unpinThisThread(): void {
  setAffinity(cpus().map((_, i) => i));
}
