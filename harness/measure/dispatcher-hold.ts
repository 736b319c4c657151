/**
 * Every BPF_PROG_TEST_RUN of an XDP program adds it to the kernel's XDP
 * dispatcher and removes it afterwards (bpf_prog_change_xdp); when that
 * changes the dispatcher, the kernel rewrites its trampoline and waits for an
 * RCU grace period: about 16 ms per call on this kind of VM, whatever the
 * call's length. A program that is attached to an interface stays in the
 * dispatcher, and then a test run only takes and drops a reference. So the
 * replay program is attached (generic XDP, no traffic ever reaches it) to a
 * veth of a throwaway testbed while slices run: a 2 ms slice then costs 2 ms,
 * not 18.
 */
import { createTestbed } from '../testbed/testbed.ts';
import { withNetns } from '../kernel/netns.ts';
import type { Replay } from '../traffic/replay.ts';
import { REPLAY_PROG } from '../traffic/replay.ts';

export interface DispatcherHold {
  release(): Promise<void>;
}

export async function holdInXdpDispatcher(replay: Replay): Promise<DispatcherHold> {
  const testbed = await createTestbed({ queues: 1 });
  try {
    const link = withNetns(testbed.dut.ns, () => replay.obj.attachXdp(REPLAY_PROG, testbed.dut.ifindex, 'generic'));
    return {
      async release() {
        link.detach();
        await testbed.destroy();
      },
    };
  } catch (err) {
    await testbed.destroy();
    throw err;
  }
}
