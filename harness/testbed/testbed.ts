/**
 * The built-in testbed: two network namespaces (generator, DUT) joined by one veth
 * pair, addressed from the benchmarking ranges, with static neighbours so that no
 * ARP/ND is needed and no packet can leave the pair.
 *
 * Native XDP and threaded NAPI on veth, measured on 6.18 (this VM, 2 CPUs):
 * - A native (xdpdrv) program on the DUT end needs nothing on the generator end.
 *   Frames sent by the generator (veth_xmit on the generator's CPU) go into the
 *   DUT end's per-rx-queue ptr_ring and are processed by the DUT end's NAPI,
 *   which runs the XDP program. No XDP program on the peer is required for this.
 * - veth has NAPI instances only while an XDP program is attached or GRO is on.
 *   Without either, frames take netif_rx on the sending CPU: there is nothing to
 *   put on a dedicated core, and `echo 1 > /sys/class/net/<dev>/threaded` fails
 *   with EIO.
 * - With XDP attached, writing `threaded` = 1 creates one kthread per rx queue,
 *   `napi/<dev>-<napi id>` (2 queues -> 2 kthreads), and their run counts go up as
 *   packets arrive: the XDP program runs there, not on the generator's CPU.
 * - The threaded setting sticks to the device across NAPI lifetimes: enabled once
 *   (here with GRO switched on for the moment of the write), a later XDP attach
 *   starts kthreads straight away. An XDP detach destroys them; the next attach
 *   makes new ones with new pids and default affinity, so pin (pinNapi) after
 *   every attach.
 * - /proc/<pid>/comm shows the full kthread name on 6.18 (longer than 15 chars).
 * - Redirecting (XDP_REDIRECT / XDP_TX) *into* a veth needs NAPI on the end that
 *   receives the frames (the target's peer): an XDP program there or GRO
 *   (from veth.c: veth_xdp_xmit refuses with -ENXIO when the peer has no NAPI).
 *   Not needed for the drop/pass variants measured here.
 * - Generic (xdpgeneric) mode does not use veth's NAPI at all: throughput runs
 *   must attach in driver mode.
 * - Native XDP on veth needs the MTU to fit a page (about 3.5 kB) unless the
 *   program supports frags; the default 1500 is fine.
 *
 * So a throughput run: create (threadedNapi on by default) -> attach the variant
 * in native mode on dut.dev inside dut.ns -> pinNapi(dutCpu) -> generator pinned
 * to another CPU sends from gen.ns.
 */
import { existsSync, rmSync } from 'node:fs';
import { registerCleanup } from '../cleanup.ts';
import { SketchbenchError, badInput } from '../errors.ts';
import { nsExec, sh, type ExecResult } from './exec.ts';
import { enableThreadedNapi, findNapiThreads, pinNapiThreads, type NapiThread } from './napi.ts';
import { keepTestbed, keptRunId, newId, statePath, updateRunState, type TestbedRecord } from '../system/run-state.ts';

export interface TestbedOptions {
  /** tx and rx queues on each veth end: one per generator thread. Default 1, at most 64. */
  queues?: number;
  /** Enable threaded NAPI on the DUT end so its XDP work runs in a pinnable kthread. Default true (needs ethtool). */
  threadedNapi?: boolean;
  /** Leave GRO on on the DUT end, giving it NAPI even without XDP. Default false. */
  gro?: boolean;
  /** MTU of both ends; default: the kernel's (1500). */
  mtu?: number;
  /**
   * A third namespace that redirected traffic goes to (--action redirect): a veth
   * pair from the DUT namespace (its DUT end at ifindex SINK_IFINDEX, so programs
   * can be configured before the testbed exists) to the sink, where it is counted.
   */
  sink?: boolean;
}

/** Options after validation: what the testbed was actually built with. */
export interface ResolvedTestbedOptions {
  queues: number;
  threadedNapi: boolean;
  gro: boolean;
  mtu: number | undefined;
  sink: boolean;
}

export interface TestbedSide {
  /** Network namespace name (ip netns). */
  ns: string;
  /** veth end inside `ns`. */
  dev: string;
  /** ifindex of `dev` as seen inside `ns` (what XDP attach and test runs take). */
  ifindex: number;
  /** Fixed, locally administered MAC. */
  mac: string;
  /** Address without prefix length, e.g. 198.18.0.1 (prefix /30). */
  ipv4: string;
  /** Address without prefix length, e.g. 2001:db8::1 (prefix /64). */
  ipv6: string;
}

export interface TestbedInfo {
  id: string;
  /** veth: namespaces and a veth pair made for the run; link: interfaces the user named (testbed/link.ts). */
  kind?: 'veth' | 'link';
  gen: TestbedSide;
  dut: TestbedSide;
  /** With options.sink: the sink namespace's end, and the DUT namespace's end toward it (`dev` of `dutSink`, in the DUT namespace). */
  sink?: TestbedSide;
  dutSink?: { ns: string; dev: string; ifindex: number };
  options: ResolvedTestbedOptions;
}

export interface Testbed extends TestbedInfo {
  /** Run a command inside a namespace: 'gen', 'dut' or a namespace name of this testbed. */
  run(ns: 'gen' | 'dut' | string, cmd: string, args: string[], opts?: { allowFail?: boolean; input?: string }): Promise<ExecResult>;
  /** NAPI kthreads of the DUT end right now (none until an XDP program is attached in native mode). */
  napiThreads(): NapiThread[];
  /** Pin the DUT end's NAPI kthreads to `cpu`; call after each XDP attach. */
  /** Pin the DUT end's NAPI kthreads, thread i (by NAPI id, i.e. queue order) to cpus[i mod n]; call after each XDP attach. */
  pinNapi(cpus: number | number[], opts?: { timeoutMs?: number }): Promise<NapiThread[]>;
  /** Hand the testbed over to the user (`testbed up`): this process no longer removes it on exit. Returns the kept run id. */
  keep(): string;
  /** Remove everything the testbed created. Idempotent. */
  destroy(): Promise<void>;
}

export const NETNS_PREFIX = 'sketchbench-';
/** ifindex of the DUT namespace's end toward the sink: fixed, so a program's redirect target is known before the testbed exists. */
export const SINK_IFINDEX = 4000;
export const SINK_IPV4 = '198.18.0.6';
export const DUT_SINK_IPV4 = '198.18.0.5';
export const GEN_IPV4 = '198.18.0.1';
export const DUT_IPV4 = '198.18.0.2';
export const GEN_IPV6 = '2001:db8::1';
export const DUT_IPV6 = '2001:db8::2';

export function testbedNames(id: string): TestbedRecord {
  // veth names must fit IFNAMSIZ (15): 'sbg' + 8 hex digits.
  return {
    id, genNs: `${NETNS_PREFIX}${id}-gen`, dutNs: `${NETNS_PREFIX}${id}-dut`, genDev: `sbg${id}`, dutDev: `sbd${id}`,
    sinkNs: `${NETNS_PREFIX}${id}-snk`, sinkDev: `sbs${id}`, dutSinkDev: `sbr${id}`,
  };
}

/** 02:xx:xx:xx:xx:0N: locally administered, unicast, derived from the id so it is unique per testbed. */
function macFor(id: string, side: 1 | 2 | 3 | 4): string {
  return `02:${id.match(/../g)!.join(':')}:0${side}`;
}

export function resolveTestbedOptions(opts: TestbedOptions = {}): ResolvedTestbedOptions {
  const queues = opts.queues ?? 1;
  if (!Number.isInteger(queues) || queues < 1 || queues > 64) throw badInput(`queues must be an integer from 1 to 64, got ${queues}`);
  if (opts.mtu !== undefined && (!Number.isInteger(opts.mtu) || opts.mtu < 68 || opts.mtu > 65535)) {
    throw badInput(`mtu must be an integer from 68 to 65535, got ${opts.mtu}`);
  }
  return { queues, threadedNapi: opts.threadedNapi ?? true, gro: opts.gro ?? false, mtu: opts.mtu, sink: opts.sink ?? false };
}

/**
 * Remove a testbed's objects by name. Used by destroy() and by leftover cleaning.
 * The veth is deleted explicitly because a namespace outlives `ip netns del` while
 * any process is still inside it, and would keep the veth with it.
 */
export async function removeTestbedObjects(rec: Pick<TestbedRecord, 'genNs' | 'dutNs' | 'genDev' | 'dutDev' | 'sinkNs' | 'sinkDev'>): Promise<void> {
  const ends: [string, string][] = [[rec.dutNs, rec.dutDev], [rec.genNs, rec.genDev]];
  if (rec.sinkNs && rec.sinkDev) ends.push([rec.sinkNs, rec.sinkDev]);
  for (const [ns, dev] of ends) {
    if (existsSync(`/run/netns/${ns}`)) {
      await sh('ip', ['-n', ns, 'link', 'del', dev], { allowFail: true });
      // Only this code runs things in our namespaces (generators): end them so the namespace really goes.
      const pids = (await sh('ip', ['netns', 'pids', ns], { allowFail: true })).stdout.split('\n').filter(Boolean);
      for (const pid of pids) {
        // Never this process: one of its threads (a generator worker) can be in the
        // namespace, which lists the whole process, and killing it here ended the
        // cleanup half way and left both namespaces behind. Its threads leave with it.
        if (Number(pid) === process.pid) continue;
        try { process.kill(Number(pid), 'SIGKILL'); } catch { /* already gone */ }
      }
      await sh('ip', ['netns', 'del', ns]);
    }
    // Creation failing half way could leave an end in the root namespace.
    const inRoot = await sh('ip', ['link', 'show', 'dev', dev], { allowFail: true });
    if (inRoot.exitCode === 0) await sh('ip', ['link', 'del', 'dev', dev]);
  }
}

/**
 * The sink: a namespace, and a veth pair from the DUT namespace to it. Its sink end
 * gets threaded NAPI (an XDP program there, attached by the measurement, makes veth
 * accept redirected frames and counts them), so its work can be pinned off the DUT core.
 */
async function createSink(rec: TestbedRecord, create: (args: string[]) => Promise<unknown>, id: string): Promise<void> {
  const { dutNs, sinkNs, sinkDev, dutSinkDev } = rec as Required<TestbedRecord>;
  await create(['netns', 'add', sinkNs]);
  await create(['link', 'add', dutSinkDev, 'index', String(SINK_IFINDEX), 'address', macFor(id, 3), 'netns', dutNs,
    'type', 'veth', 'peer', 'name', sinkDev, 'address', macFor(id, 4), 'netns', sinkNs]);
  for (const [ns, dev, v4] of [[dutNs, dutSinkDev, DUT_SINK_IPV4], [sinkNs, sinkDev, SINK_IPV4]]) {
    await sh('ip', ['-n', ns, 'link', 'set', 'dev', dev, 'addrgenmode', 'none']);
    await sh('ip', ['-n', ns, 'addr', 'add', `${v4}/30`, 'dev', dev]);
    await sh('ip', ['-n', ns, 'link', 'set', 'dev', 'lo', 'up']);
    await sh('ip', ['-n', ns, 'link', 'set', 'dev', dev, 'up']);
  }
  await enableThreadedNapi(sinkNs, sinkDev);
}

async function linkInfo(ns: string, dev: string): Promise<{ ifindex: number; address: string }> {
  const { stdout } = await sh('ip', ['-n', ns, '-j', 'link', 'show', 'dev', dev]);
  const [l] = JSON.parse(stdout) as { ifindex: number; address: string }[];
  return { ifindex: l.ifindex, address: l.address };
}

export async function createTestbed(opts: TestbedOptions = {}): Promise<Testbed> {
  const options = resolveTestbedOptions(opts);
  if (process.getuid?.() !== 0) {
    throw new SketchbenchError('testbed', 'creating a testbed needs root (network namespaces, veth, XDP); run with sudo');
  }
  const id = newId();
  const rec = testbedNames(id);
  const { genNs, dutNs, genDev, dutDev } = rec;
  // Only a testbed with a sink records its names: leftover cleaning looks for what is recorded.
  if (!options.sink) { delete rec.sinkNs; delete rec.sinkDev; delete rec.dutSinkDev; }

  // Recorded before anything exists, so a run killed at any point is recognisable as the owner.
  updateRunState((s) => { s.testbeds.push(rec); });
  let destroyed: Promise<void> | undefined;
  let kept = false;
  // A signal can arrive while `ip netns add` runs: removal must wait for it, or the
  // namespace appears after the cleanup looked for it and outlives the run.
  let creating: Promise<unknown> = Promise.resolve();
  const create = (args: string[]): Promise<unknown> => {
    if (destroyed) return Promise.reject(new SketchbenchError('testbed', `testbed ${id}: creation interrupted by cleanup`));
    const p = sh('ip', args);
    creating = p.catch(() => undefined);
    return p;
  };
  const destroy = (): Promise<void> => {
    destroyed ??= (async () => {
      await creating;
      await removeTestbedObjects(rec);
      if (kept) rmSync(statePath(keptRunId(id)), { force: true });
      else updateRunState((s) => { s.testbeds = s.testbeds.filter((t) => t.id !== id); });
    })().finally(() => {
      // Registered until removed, not just until removal began: a signal that arrives while
      // the run tears its testbed down must wait for this same removal before the process
      // exits (the cleanup pass awaits this promise), or the namespaces outlive the run.
      unregister();
    });
    return destroyed;
  };
  const unregister = registerCleanup(`testbed ${id}`, destroy);

  const genMac = macFor(id, 1);
  const dutMac = macFor(id, 2);
  const q = String(options.queues);
  try {
    await create(['netns', 'add', genNs]);
    await create(['netns', 'add', dutNs]);
    // Created with both ends already in their namespaces: the root namespace never sees them.
    await create(['link', 'add', genDev, 'address', genMac, 'netns', genNs, 'numtxqueues', q, 'numrxqueues', q,
      'type', 'veth', 'peer', 'name', dutDev, 'address', dutMac, 'netns', dutNs, 'numtxqueues', q, 'numrxqueues', q]);
    for (const [ns, dev, v4, v6, peerV4, peerV6, peerMac] of [
      [genNs, genDev, GEN_IPV4, GEN_IPV6, DUT_IPV4, DUT_IPV6, dutMac],
      [dutNs, dutDev, DUT_IPV4, DUT_IPV6, GEN_IPV4, GEN_IPV6, genMac],
    ]) {
      // No link-local address: nothing needs ND (neighbours are static), and it keeps
      // router solicitations and DAD probes out of the measured traffic.
      await sh('ip', ['-n', ns, 'link', 'set', 'dev', dev, 'addrgenmode', 'none']);
      if (options.mtu !== undefined) await sh('ip', ['-n', ns, 'link', 'set', 'dev', dev, 'mtu', String(options.mtu)]);
      await sh('ip', ['-n', ns, 'addr', 'add', `${v4}/30`, 'dev', dev]);
      await sh('ip', ['-n', ns, '-6', 'addr', 'add', `${v6}/64`, 'dev', dev, 'nodad']);
      await sh('ip', ['-n', ns, 'link', 'set', 'dev', 'lo', 'up']);
      await sh('ip', ['-n', ns, 'link', 'set', 'dev', dev, 'up']);
      await sh('ip', ['-n', ns, 'neigh', 'replace', peerV4, 'lladdr', peerMac, 'dev', dev, 'nud', 'permanent']);
      await sh('ip', ['-n', ns, '-6', 'neigh', 'replace', peerV6, 'lladdr', peerMac, 'dev', dev, 'nud', 'permanent']);
    }
    if (options.threadedNapi) await enableThreadedNapi(dutNs, dutDev, { keepGro: options.gro });
    else if (options.gro) await nsExec(dutNs, 'ethtool', ['-K', dutDev, 'gro', 'on']);
    if (options.sink) await createSink(rec, create, id);

    const [g, d] = await Promise.all([linkInfo(genNs, genDev), linkInfo(dutNs, dutDev)]);
    const info: TestbedInfo = {
      id,
      gen: { ns: genNs, dev: genDev, ifindex: g.ifindex, mac: g.address, ipv4: GEN_IPV4, ipv6: GEN_IPV6 },
      dut: { ns: dutNs, dev: dutDev, ifindex: d.ifindex, mac: d.address, ipv4: DUT_IPV4, ipv6: DUT_IPV6 },
      options,
    };
    if (options.sink) {
      const k = await linkInfo(rec.sinkNs!, rec.sinkDev!);
      info.sink = { ns: rec.sinkNs!, dev: rec.sinkDev!, ifindex: k.ifindex, mac: k.address, ipv4: SINK_IPV4, ipv6: '' };
      info.dutSink = { ns: dutNs, dev: rec.dutSinkDev!, ifindex: SINK_IFINDEX };
    }
    updateRunState((s) => { const t = s.testbeds.find((x) => x.id === id); if (t) t.info = info; });

    const resolveNs = (ns: string): string => {
      if (ns === 'gen') return genNs;
      if (ns === 'dut') return dutNs;
      if (ns === 'sink' && rec.sinkNs) return rec.sinkNs;
      if (ns === genNs || ns === dutNs || (rec.sinkNs && ns === rec.sinkNs)) return ns;
      throw badInput(`'${ns}' is not a namespace of testbed ${id} (use 'gen', 'dut', ${genNs} or ${dutNs})`);
    };
    return {
      ...info,
      run: (ns, cmd, args, o) => nsExec(resolveNs(ns), cmd, args, o),
      napiThreads: () => findNapiThreads(dutDev),
      pinNapi: (cpus, o) => pinNapiThreads(dutDev, cpus, { expect: options.queues, timeoutMs: o?.timeoutMs }),
      keep: () => {
        if (destroyed) throw new SketchbenchError('testbed', `testbed ${id} is already destroyed`);
        kept = true;
        unregister();
        return keepTestbed(id);
      },
      destroy,
    };
  } catch (err) {
    await destroy().catch((e) => console.error(`sketchbench: removing half-built testbed ${id} failed: ${(e as Error).message}`));
    if (err instanceof SketchbenchError) throw err;
    throw new SketchbenchError('testbed', `cannot create testbed ${id}: ${(err as Error).message}`, { cause: err });
  }
}
