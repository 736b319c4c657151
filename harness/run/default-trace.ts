/**
 * Traces named by a generation spec are generated once into traces/ and
 * reused: the file name holds every parameter, so a cached file is the file
 * the spec describes.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { GEN_DEFAULTS, generateTrace, type GenOptions } from '../trace/gen.ts';
import { tracesDir } from '../paths.ts';

export interface GeneratedTraceSpec {
  dist: 'zipf' | 'uniform';
  skew: number;
  flows: number;
  packets: number;
  seed: number;
  size?: GenOptions['size'];
}

/** The default run's trace: Zipf 1.1 over 100k flows, 64-byte UDP packets. */
export const DEFAULT_TRACE: GeneratedTraceSpec = { dist: 'zipf', skew: 1.1, flows: 100_000, packets: 2_000_000, seed: 1 };

export function generatedTraceName(s: GeneratedTraceSpec): string {
  return `${s.dist}${s.dist === 'zipf' ? `-s${s.skew}` : ''}-f${s.flows}-p${s.packets}-${s.size ?? 64}B-seed${s.seed}.trace`;
}

export function ensureGeneratedTrace(s: GeneratedTraceSpec, log: (l: string) => void = () => {}): string {
  mkdirSync(tracesDir, { recursive: true });
  const path = join(tracesDir, generatedTraceName(s));
  if (!existsSync(path)) {
    log(`generating trace ${path}`);
    generateTrace(path, { ...GEN_DEFAULTS, dist: s.dist, skew: s.skew, flows: s.flows, packets: s.packets, seed: s.seed, size: s.size ?? '64' });
  }
  return path;
}
