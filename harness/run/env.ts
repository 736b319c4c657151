/** What a run records about the machine and software it ran on. */
import { cpus, release } from 'node:os';
import { execa } from 'execa';
import type { Env } from '../types/results.ts';
import { libbpfVersion } from '../kernel/libbpf.ts';
import { projectRoot } from '../paths.ts';

async function firstLine(cmd: string, args: string[]): Promise<string> {
  const r = await execa(cmd, args, { reject: false, cwd: projectRoot });
  return r.exitCode === 0 ? String(r.stdout).split('\n')[0].trim() : 'unknown';
}

export async function collectEnv(suite: string, seeds: number[], argv: string[]): Promise<Env> {
  const commit = await firstLine('git', ['rev-parse', '--short=12', 'HEAD']);
  const dirty = (await execa('git', ['status', '--porcelain', '--untracked-files=no'], { reject: false, cwd: projectRoot })).stdout;
  return {
    kernel: release(),
    cpuModel: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    clang: await firstLine('clang', ['--version']),
    libbpf: (() => { try { return libbpfVersion(); } catch { return 'unknown'; } })(),
    node: process.version,
    gitCommit: commit + (dirty ? '+dirty' : ''),
    suite,
    seeds,
    command: ['sketchbench', ...argv].join(' '),
    startedAt: new Date().toISOString(),
  };
}
