/**
 * Where a program's packets go when it does not drop them, and what arrived
 * there: --action redirect sends to the testbed's sink (a third veth, in its
 * own namespace), --action tx back out of the DUT veth to the generator's
 * end. veth hands an XDP frame only to a peer with NAPI, so the receiving end
 * gets a small drop program (variants/probe) in native mode, threaded NAPI
 * pinned to the generator's core (the receiver stands for the next host, not
 * for work of the DUT), and its driver's XDP counter says how many frames
 * arrived: forwarded_pps.
 */
import { withNetns } from '../kernel/netns.ts';
import { BpfObject, type XdpLink } from '../kernel/bpf-object.ts';
import { EthtoolStats } from '../kernel/ethtool-stats.ts';
import { probeObject } from '../build/support-objects.ts';
import { enableThreadedNapi, pinNapiThreads } from '../testbed/napi.ts';
import type { Testbed } from '../testbed/testbed.ts';
import type { Action } from '../kernel/layout.ts';
import { SketchbenchError } from '../errors.ts';

export interface Receiver {
  /** Frames that arrived so far. */
  arrived(): number;
  close(): void;
}

export async function openReceiver(testbed: Testbed, action: Action, cpu: number): Promise<Receiver | undefined> {
  if (action !== 'redirect' && action !== 'tx') return undefined;
  const end = action === 'redirect' ? testbed.sink : testbed.gen;
  if (!end) throw new SketchbenchError('testbed', `testbed ${testbed.id} has no sink for --action redirect (create it with sink: true)`);
  if (action === 'tx') await enableThreadedNapi(end.ns, end.dev);
  const obj = BpfObject.open(await probeObject(), { label: `receiver of --action ${action}` });
  let link: XdpLink | undefined;
  let stats: EthtoolStats | undefined;
  try {
    obj.load();
    link = withNetns(end.ns, () => obj.attachXdp('probe_xdp', end.ifindex, 'native'));
    await pinNapiThreads(end.dev, cpu);
    stats = EthtoolStats.open(end.ns, end.dev);
  } catch (err) {
    obj.close();
    throw err;
  }
  const s = stats;
  return {
    arrived: () => s.rxQueueSums(['xdp_packets'] as const).xdp_packets,
    close: () => { s.close(); obj.close(); },
  };
}
