/**
 * The kernel's XDP dispatcher and why we hold programs in it.
 *
 * Whenever the set of XDP programs the kernel knows changes (a BPF_PROG_TEST_RUN
 * adds its program for the call and removes it after; an attach or a link
 * update swaps one for another), bpf_prog_change_xdp rewrites the dispatcher's
 * trampoline and waits for an RCU grace period: 16 to 35 ms per change on this
 * kind of VM. A program that is already attached somewhere is only counted
 * again, and nothing is rewritten. So every program a paired measurement
 * switches between is attached (generic XDP, no traffic ever reaches it) to an
 * end of a veth pair in a namespace of a testbed while it runs: a 2 ms cost
 * slice then takes 2 ms, not 18, and swapping the DUT's program takes
 * microseconds, not 35 ms.
 */
import { createTestbed, type Testbed } from '../testbed/testbed.ts';
import { withNetns } from '../kernel/netns.ts';
import type { BpfObject, XdpLink } from '../kernel/bpf-object.ts';

/** The dispatcher keeps at most this many programs (BPF_DISPATCHER_MAX); more still run, through its fallback. */
const DISPATCHER_MAX = 48;

export interface HeldProgram {
  obj: BpfObject;
  prog: string;
}

export interface DispatcherHold {
  release(): Promise<void>;
}

let pairs = 0;

/**
 * Hold `progs` in the dispatcher until release(). Holder interfaces are made in
 * the DUT namespace of `testbed` when given (and removed on release), else in a
 * testbed of their own; either way a crashed run's leftovers go with its testbed.
 */
export async function holdInXdpDispatcher(progs: HeldProgram[], testbed?: Testbed): Promise<DispatcherHold> {
  const own = testbed ? undefined : await createTestbed({ queues: 1 });
  const tb = (testbed ?? own)!;
  const ns = tb.dut.ns;
  const links: XdpLink[] = [];
  const made: string[] = [];
  const release = async () => {
    for (const l of links.splice(0)) l.detach();
    if (own) await own.destroy();
    else for (const dev of made.splice(0)) await tb.run('dut', 'ip', ['link', 'del', dev], { allowFail: true });
  };
  try {
    const held = progs.slice(0, DISPATCHER_MAX - 2);
    for (let i = 0; i < held.length; i += 2) {
      const id = pairs++;
      const [a, b] = [`sbh${id}a`, `sbh${id}b`];
      await tb.run('dut', 'ip', ['link', 'add', a, 'type', 'veth', 'peer', 'name', b]);
      made.push(a);
      for (const [dev, p] of [[a, held[i]], [b, held[i + 1]]] as const) {
        if (!p) continue;
        const ifindex = Number(JSON.parse((await tb.run('dut', 'ip', ['-j', 'link', 'show', 'dev', dev])).stdout)[0].ifindex);
        links.push(withNetns(ns, () => p.obj.attachXdp(p.prog, ifindex, 'generic')));
      }
    }
    return { release };
  } catch (err) {
    await release();
    throw err;
  }
}
