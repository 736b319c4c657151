/**
 * A `link` testbed: interfaces the user already has (a NIC pair, or any two
 * interfaces joined by a wire), named with --dut-iface and --gen-iface, each in
 * this host's namespace or in a named one (--dut-netns, --gen-netns). Nothing is
 * created, and nothing is changed on an interface the user did not name. On the
 * DUT interface the harness turns on threaded NAPI (so the XDP work runs in a
 * kthread it can pin) and pins those kthreads; both are put back as they were
 * on success, error and signals: the `threaded` setting written back, each
 * kthread's CPU affinity restored if it still exists.
 */
import { readdirSync } from 'node:fs';
import { SketchbenchError, badInput } from '../errors.ts';
import { registerCleanup } from '../cleanup.ts';
import { nsExec, sh } from './exec.ts';
import { cpuAffinity, enableThreadedNapi, findNapiThreads, pinNapiThreads } from './napi.ts';
import { newId } from '../system/run-state.ts';
import type { Testbed, TestbedSide } from './testbed.ts';

export interface LinkEnd {
  /** Network namespace, '' for this host's. */
  ns: string;
  dev: string;
}

async function sideOf(end: LinkEnd, role: string): Promise<TestbedSide> {
  const r = await nsExec(end.ns, 'ip', ['-j', 'link', 'show', 'dev', end.dev], { allowFail: true });
  if (r.exitCode !== 0) {
    throw badInput(`--${role}-iface ${end.dev}: no such interface${end.ns ? ` in namespace ${end.ns}` : ' on this host'}; 'ip link' lists them`);
  }
  const [l] = JSON.parse(r.stdout) as { ifindex: number; address: string; operstate: string }[];
  const a = await nsExec(end.ns, 'ip', ['-j', '-4', 'addr', 'show', 'dev', end.dev], { allowFail: true });
  const v4 = (JSON.parse(a.stdout || '[]') as { addr_info?: { local: string }[] }[])[0]?.addr_info?.[0]?.local ?? '';
  return { ns: end.ns, dev: end.dev, ifindex: l.ifindex, mac: l.address, ipv4: v4, ipv6: '' };
}

async function remoteSide(end: LinkEnd, run: (cmd: string, what: string) => Promise<string>): Promise<TestbedSide> {
  const ns = end.ns ? `ip netns exec ${end.ns} ` : '';
  const mac = (await run(`${ns}cat /sys/class/net/${end.dev}/address`, `finding --gen-iface ${end.dev} there`)).trim();
  return { ns: end.ns, dev: end.dev, ifindex: 0, mac, ipv4: '', ipv6: '' };
}

/** Receive queues of an interface, from sysfs as its namespace sees it. */
async function rxQueues(end: LinkEnd): Promise<number> {
  const r = await nsExec(end.ns, 'sh', ['-c', `ls -d /sys/class/net/${end.dev}/queues/rx-* | wc -l`]);
  return Math.max(1, Number(r.stdout.trim()) || 1);
}

/**
 * `remoteGen` runs a command on the generator's host when it is another one
 * (--gen-host): its interface is looked up there.
 */
export async function openLinkTestbed(dut: LinkEnd, gen: LinkEnd, remoteGen?: (cmd: string, what: string) => Promise<string>): Promise<Testbed> {
  if (process.getuid?.() !== 0) throw new SketchbenchError('testbed', 'a link testbed needs root (XDP, threaded NAPI, pinning kthreads); run with sudo');
  if (!remoteGen && dut.ns === gen.ns && dut.dev === gen.dev) throw badInput(`--dut-iface and --gen-iface name the same interface ${dut.dev}`);
  const d = await sideOf(dut, 'dut');
  const g = remoteGen ? await remoteSide(gen, remoteGen) : await sideOf(gen, 'gen');
  const queues = await rxQueues(dut);
  const threadedPath = `/sys/class/net/${dut.dev}/threaded`;
  const threadedBefore = (await nsExec(dut.ns, 'cat', [threadedPath], { allowFail: true })).stdout.trim();
  /** Each NAPI kthread's affinity before the harness first pinned it. */
  const affinity = new Map<number, string>();
  let restored: Promise<void> | undefined;
  const restore = (): Promise<void> => {
    restored ??= (async () => {
      unregister();
      for (const [pid, cpus] of affinity) {
        if (readdirSync('/proc').includes(String(pid))) await sh('taskset', ['-p', '-c', cpus, String(pid)], { allowFail: true });
      }
      // Written the way it was enabled: a device without NAPI at this moment (veth after its XDP detach) takes it only through GRO.
      if (threadedBefore === '0' && (await nsExec(dut.ns, 'cat', [threadedPath], { allowFail: true })).stdout.trim() !== '0') {
        await enableThreadedNapi(dut.ns, dut.dev, { value: 0 }).catch((err) => console.error(`sketchbench: ${dut.dev}: ${(err as Error).message}`));
      }
    })();
    return restored;
  };
  const unregister = registerCleanup(`link testbed ${dut.dev}: restore threaded NAPI and kthread affinity`, restore);
  try {
    if (threadedBefore !== '1') await enableThreadedNapi(dut.ns, dut.dev);
  } catch (err) {
    await restore();
    throw err;
  }
  return {
    id: newId(),
    kind: 'link',
    gen: g,
    dut: d,
    options: { queues, threadedNapi: true, gro: false, mtu: undefined, sink: false },
    run: (ns, cmd, args, o) => nsExec(ns === 'gen' ? gen.ns : ns === 'dut' ? dut.ns : ns, cmd, args, o),
    napiThreads: () => findNapiThreads(dut.dev),
    pinNapi: async (cpus, o) => {
      // The kthreads appear on XDP attach: wait for them, note how they were, then pin.
      const deadline = Date.now() + (o?.timeoutMs ?? 2000);
      let threads = findNapiThreads(dut.dev);
      while (threads.length < queues && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 20));
        threads = findNapiThreads(dut.dev);
      }
      for (const t of threads) if (!affinity.has(t.pid)) affinity.set(t.pid, await cpuAffinity(t.pid));
      return pinNapiThreads(dut.dev, cpus, { expect: queues, timeoutMs: o?.timeoutMs });
    },
    keep: () => { throw new SketchbenchError('testbed', 'a link testbed is the user\'s: there is nothing to keep'); },
    destroy: restore,
  };
}
