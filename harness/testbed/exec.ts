/** Running iproute2 and friends, with failures turned into one-line testbed errors. */
import { execa } from 'execa';
import { SketchbenchError } from '../errors.ts';

export interface ExecResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

/** Run a command in the root namespace; throws SketchbenchError('testbed') unless `allowFail`. */
export async function sh(cmd: string, args: string[], opts: { allowFail?: boolean; input?: string } = {}): Promise<ExecResult> {
  const r = await execa(cmd, args, { reject: false, input: opts.input, timeout: 30_000, stdin: opts.input === undefined ? 'ignore' : undefined });
  const res = { stdout: String(r.stdout ?? ''), stderr: String(r.stderr ?? ''), exitCode: r.exitCode ?? -1 };
  if (res.exitCode !== 0 && !opts.allowFail) {
    const why = res.stderr.trim().split('\n').at(-1) || (r.failed ? r.shortMessage : `exit ${res.exitCode}`);
    throw new SketchbenchError('testbed', `'${[cmd, ...args].join(' ')}' failed: ${why}`, { cause: r });
  }
  return res;
}

/** Run a command inside a network namespace (`ip netns exec`, which also remounts /sys for it). */
export function nsExec(ns: string, cmd: string, args: string[], opts: { allowFail?: boolean; input?: string } = {}): Promise<ExecResult> {
  // '' is this host's own namespace.
  return ns === '' ? sh(cmd, args, opts) : sh('ip', ['netns', 'exec', ns, cmd, ...args], opts);
}
