/** Pin the calling OS thread (not the whole process) to one CPU. */
import { SketchbenchError } from '../errors.ts';
import { libbpf } from './libbpf.ts';

export function pinThisThread(cpu: number): void {
  const mask = Buffer.alloc(128);
  mask[cpu >> 3] |= 1 << (cpu & 7);
  const rc = libbpf().schedSetaffinity(0, mask.length, mask);
  if (rc !== 0) throw new SketchbenchError('testbed', `cannot pin thread to CPU ${cpu}: errno ${libbpf().errno()}; is CPU ${cpu} online?`);
}
