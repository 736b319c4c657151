/**
 * Host sysctls changed by a run. The original value goes into the run state file
 * before the change, so a run killed with SIGKILL can still be undone by
 * `cleanLeftovers()`; the restore is also registered with the cleanup registry so
 * errors and SIGINT/SIGTERM put it back at once.
 *
 * Only the root namespace's view is handled here. net.* sysctls are per network
 * namespace: set those inside a testbed namespace with `testbed.run(...)`; they
 * vanish with the namespace and need no restore.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { registerCleanup } from '../cleanup.ts';
import { SketchbenchError, badInput } from '../errors.ts';
import { updateRunState } from './run-state.ts';

const NAME_RE = /^[a-z0-9_]+(\.[a-zA-Z0-9_-]+)+$/;

function sysctlPath(name: string): string {
  if (!NAME_RE.test(name)) throw badInput(`'${name}' is not a sysctl name (expected e.g. kernel.bpf_stats_enabled)`);
  return `/proc/sys/${name.replaceAll('.', '/')}`;
}

export function getSysctl(name: string): string {
  try {
    return readFileSync(sysctlPath(name), 'utf8').trim();
  } catch (err) {
    if (err instanceof SketchbenchError) throw err;
    throw new SketchbenchError('system', `cannot read sysctl ${name}: ${(err as Error).message}`, { cause: err });
  }
}

/** Write without bookkeeping: for restoring recorded values. */
export function writeSysctl(name: string, value: string): void {
  try {
    writeFileSync(sysctlPath(name), value + '\n');
  } catch (err) {
    if (err instanceof SketchbenchError) throw err;
    throw new SketchbenchError('system', `cannot set sysctl ${name}=${value}: ${(err as Error).message} (needs root)`, { cause: err });
  }
}

/** name -> restore function for sysctls this process changed and has not restored. */
const restores = new Map<string, () => void>();

/**
 * Set a sysctl for the rest of the run (or until the returned function is called,
 * which restores the original). Setting the same name again keeps the first original.
 */
export function setSysctl(name: string, value: string | number): () => void {
  const v = String(value);
  const existing = restores.get(name);
  if (!existing) {
    const original = getSysctl(name);
    if (original === v) return () => {};
    updateRunState((s) => { s.sysctls[name] ??= original; });
    let unregister = () => {};
    const restore = () => {
      if (restores.get(name) !== restore) return;
      restores.delete(name);
      unregister();
      writeSysctl(name, original);
      updateRunState((s) => { delete s.sysctls[name]; });
    };
    restores.set(name, restore);
    unregister = registerCleanup(`sysctl ${name}`, restore);
  }
  writeSysctl(name, v);
  return restores.get(name) ?? (() => {});
}

/**
 * Run `fn` with kernel.bpf_stats_enabled set as asked. Stats cost up to 20% of
 * throughput here, so measurements run with them off unless the method reads
 * run_time_ns; whatever was there before is put back afterwards.
 */
export async function withBpfStats<T>(enabled: boolean, fn: () => Promise<T> | T): Promise<T> {
  const want = enabled ? '1' : '0';
  if (getSysctl('kernel.bpf_stats_enabled') === want) return await fn();
  const restore = setSysctl('kernel.bpf_stats_enabled', want);
  try {
    return await fn();
  } finally {
    restore();
  }
}
