/**
 * Threaded NAPI on a veth and pinning its kthreads. See the top of testbed.ts for
 * what was measured on 6.18; the short version:
 * - veth has NAPI instances only while an XDP program is attached (native mode)
 *   or GRO is on; otherwise frames take netif_rx on the sender's CPU.
 * - writing `threaded` while there is no NAPI fails (EIO from sysfs), but once
 *   written the setting sticks to the device: NAPI instances created later (on XDP
 *   attach) start as kthreads `napi/<dev>-<napi id>`, one per rx queue.
 * - those kthreads are destroyed on XDP detach and created anew (new pids, default
 *   affinity) on the next attach, so pinning happens after every attach.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { SketchbenchError, badInput } from '../errors.ts';
import { nsExec, sh } from './exec.ts';

export interface NapiThread {
  pid: number;
  /** Kernel thread name, e.g. napi/sbd1a2b3c4d-262. */
  name: string;
  napiId: number;
}

/** Is a NAPI instance present? Inferred from the kthreads when threaded, which is the only case we care about. */
export function findNapiThreads(dev: string): NapiThread[] {
  const prefix = `napi/${dev}-`;
  const out: NapiThread[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let comm: string;
    try {
      comm = readFileSync(`/proc/${entry}/comm`, 'utf8').trim();
    } catch {
      continue; // exited while we looked
    }
    // 6.18 reports full kthread names here; older kernels cut comm at 15 chars, so accept a cut prefix too.
    const full = comm.startsWith(prefix);
    const cut = comm.length === 15 && prefix.startsWith(comm.slice(0, Math.min(15, prefix.length))) && comm.startsWith('napi/');
    if (!full && !cut) continue;
    const id = full ? Number(comm.slice(prefix.length)) : NaN;
    out.push({ pid: Number(entry), name: comm, napiId: id });
  }
  return out.sort((a, b) => a.napiId - b.napiId);
}

/**
 * Turn on threaded NAPI for `dev` inside `ns`. When the device has no NAPI yet
 * (no XDP, GRO off) GRO is switched on for the moment of the write, which creates
 * the NAPI instances, and then put back, so later XDP attaches get kthreads.
 */
export async function enableThreadedNapi(ns: string, dev: string, opts: { keepGro?: boolean; value?: 0 | 1 } = {}): Promise<void> {
  const value = opts.value ?? 1;
  const write = () => nsExec(ns, 'sh', ['-c', `echo ${value} > /sys/class/net/${dev}/threaded`], { allowFail: true });
  let r = await write();
  if (r.exitCode !== 0) {
    const gro = await nsExec(ns, 'ethtool', ['-K', dev, 'gro', 'on'], { allowFail: true });
    if (gro.exitCode !== 0) {
      throw new SketchbenchError('testbed',
        `cannot enable threaded NAPI on ${dev}: veth has no NAPI without XDP or GRO, and 'ethtool -K ${dev} gro on' failed (${gro.stderr.trim() || 'is ethtool installed? apt-get install ethtool'}); or pass threadedNapi: false`);
    }
    r = await write();
    if (!opts.keepGro) await nsExec(ns, 'ethtool', ['-K', dev, 'gro', 'off']);
    if (r.exitCode !== 0) throw new SketchbenchError('testbed', `cannot set threaded NAPI on ${dev} to ${value}: ${r.stderr.trim()}`);
  }
  const now = (await nsExec(ns, 'cat', [`/sys/class/net/${dev}/threaded`])).stdout.trim();
  if (now !== String(value)) throw new SketchbenchError('testbed', `threaded NAPI on ${dev} reads back as ${now} after setting it to ${value}`);
}

/**
 * Pin every NAPI kthread of `dev` to `cpu`, waiting up to `timeoutMs` for them
 * to appear (they are created asynchronously on XDP attach). Call after each
 * XDP attach: a detach destroys the kthreads and their affinity.
 */
export async function pinNapiThreads(dev: string, cpuOrCpus: number | number[], opts: { expect?: number; timeoutMs?: number } = {}): Promise<NapiThread[]> {
  const ncpu = availableParallelism();
  const cpus = Array.isArray(cpuOrCpus) ? cpuOrCpus : [cpuOrCpus];
  for (const cpu of cpus) if (!Number.isInteger(cpu) || cpu < 0 || cpu >= ncpu) throw badInput(`CPU ${cpu} does not exist (this machine has CPUs 0-${ncpu - 1})`);
  const expect = opts.expect ?? 1;
  const deadline = Date.now() + (opts.timeoutMs ?? 2000);
  let threads = findNapiThreads(dev);
  while (threads.length < expect && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 20));
    threads = findNapiThreads(dev);
  }
  if (threads.length === 0) {
    throw new SketchbenchError('testbed',
      `no NAPI kthread for ${dev}: attach an XDP program in native mode (or turn GRO on) with threaded NAPI enabled before pinning`);
  }
  // Threads come sorted by NAPI id, which veth assigns in queue order.
  for (const [i, t] of threads.entries()) await sh('taskset', ['-p', '-c', String(cpus[i % cpus.length]), String(t.pid)]);
  return threads;
}

/** Affinity list of a pid as taskset prints it, e.g. "1" or "0,1". */
export async function cpuAffinity(pid: number): Promise<string> {
  const r = await sh('taskset', ['-p', '-c', String(pid)]);
  return r.stdout.trim().split(':').at(-1)!.trim();
}
