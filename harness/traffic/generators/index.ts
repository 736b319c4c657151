/**
 * The generator drivers, by the name `--generator` takes. Each says whether it
 * can run here (and what to install when not) before a run starts; `doctor`
 * lists them all.
 */
import { SketchbenchError, badInput } from '../../errors.ts';
import { XdpLiveGenerator } from '../xdp-live.ts';
import type { Replay } from '../replay.ts';
import type { Trace } from '../../trace/format.ts';
import { DPDK_PCAP_PACKETS, dpdkAvailable, startDpdk } from './dpdk.ts';
import { kernelPktgenAvailable, startKernelPktgen, flowRanges } from './kernel-pktgen.ts';
import { moongenAvailable } from './moongen.ts';
import { pktgenDpdkAvailable, startPktgenDpdk } from './pktgen-dpdk.ts';
import { startTcpreplay, tcpreplayAvailable } from './tcpreplay.ts';
import type { Availability, GeneratorTarget, TrafficGenerator } from './types.ts';

export type { Availability, GeneratorTarget, TrafficGenerator } from './types.ts';

export interface StartContext {
  target: GeneratorTarget;
  /** The replay program, loaded for the trace (xdp-live sends through it). */
  replay: Replay;
  /** A folder of the run's for files the tool reads (command files, scripts). */
  workDir: string;
  /** The trace (kernel pktgen sends its flows' ranges). */
  trace: Pick<Trace, 'flows' | 'header'>;
}

export interface GeneratorDriver {
  name: string;
  summary: string;
  /** Whether it sends the trace's own packets (a pcap replay) rather than flows resembling it. */
  needsPcap: boolean;
  /** The trace's head it replays, in packets (dpdk holds the whole pcap in its mbufs). */
  pcapPackets?: number;
  available(): Promise<Availability>;
  start(ctx: StartContext): Promise<TrafficGenerator>;
}

async function xdpLive(ctx: StartContext): Promise<TrafficGenerator> {
  const gen = new XdpLiveGenerator(ctx.replay, { ns: ctx.target.ns, ifindex: ctx.target.ifindex, cpus: ctx.target.cpus, ratePps: ctx.target.ratePps });
  gen.start();
  return { offered: () => gen.claimed(), stop: async () => { await gen.stop(); } };
}

const refuse = (why: () => Promise<Availability>) => async (): Promise<TrafficGenerator> => {
  throw new SketchbenchError('traffic', (await why()).detail, { exitCode: 2 });
};

export const GENERATORS: GeneratorDriver[] = [
  { name: 'xdp-live', summary: 'built in: the replay program sends live frames from the kernel (the fastest here)', needsPcap: false, available: async () => ({ ok: true, detail: 'built in (BPF_PROG_TEST_RUN live frames)' }), start: xdpLive },
  { name: 'tcpreplay', summary: "Debian's tcpreplay replays the trace's pcap in a loop", needsPcap: true, available: tcpreplayAvailable, start: (c) => startTcpreplay(c.target) },
  { name: 'dpdk', summary: "Debian's dpdk-testpmd replays the trace's pcap through DPDK's pcap device", needsPcap: true, pcapPackets: DPDK_PCAP_PACKETS, available: dpdkAvailable, start: (c) => startDpdk(c.target) },
  { name: 'pktgen-dpdk', summary: 'Pktgen-DPDK (built by the user) replays the pcap from a command file the harness writes', needsPcap: true, available: pktgenDpdkAvailable, start: (c) => startPktgenDpdk(c.target, c.workDir) },
  { name: 'moongen', summary: 'MoonGen replays the pcap from a Lua script the harness writes (NIC testbeds)', needsPcap: true, available: () => moongenAvailable('veth'), start: refuse(() => moongenAvailable('veth')) },
  { name: 'pktgen', summary: "the kernel's pktgen sends the trace's flow ranges through /proc/net/pktgen", needsPcap: false, available: kernelPktgenAvailable, start: (c) => startKernelPktgen(c.target, flowRanges(c.trace)) },
];

export function generatorDriver(name: string): GeneratorDriver {
  const d = GENERATORS.find((g) => g.name === name);
  if (!d) throw badInput(`unknown generator '${name}'; use one of ${GENERATORS.map((g) => g.name).join(', ')}`);
  return d;
}
