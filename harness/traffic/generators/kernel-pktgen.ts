/**
 * `pktgen`: the kernel's packet generator, driven through /proc/net/pktgen. It
 * cannot replay a pcap; it sends the trace's size and its flows' address and
 * port ranges (`flows`, `src_min`/`src_max`, `udp_*_min/max`). Needs the pktgen
 * module, which this kind of VM does not have: here it refuses, saying why, and
 * the tests check the writes it would make.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { execa } from 'execa';
import { SketchbenchError } from '../../errors.ts';
import { withNetns } from '../../kernel/netns.ts';
import type { Availability, GeneratorTarget, TrafficGenerator } from './types.ts';
import type { Trace } from '../../trace/format.ts';

export const PKTGEN_PROC = '/proc/net/pktgen';

export interface PktgenFlows {
  dev: string;
  dstMac: string;
  /** IPv4 ranges and port ranges covering the trace's flows. */
  srcMin: string; srcMax: string; dstMin: string; dstMax: string;
  sportMin: number; sportMax: number; dportMin: number; dportMax: number;
  flows: number;
  pktSize: number;
  /** Packets per second; 0 = as fast as it goes. */
  ratePps: number;
  /** The kpktgend thread (one per CPU) that sends. */
  cpu: number;
}

/** Each [file, line] is one write, in order, as pktgen.txt documents them; the last starts it. */
export function pktgenWrites(f: PktgenFlows): [string, string][] {
  const dev = `${PKTGEN_PROC}/${f.dev}`;
  const thread = `${PKTGEN_PROC}/kpktgend_${f.cpu}`;
  return [
    [thread, 'rem_device_all'],
    [thread, `add_device ${f.dev}`],
    [dev, 'count 0'],
    [dev, 'clone_skb 0'],
    [dev, `pkt_size ${f.pktSize}`],
    [dev, `dst_mac ${f.dstMac}`],
    [dev, `src_min ${f.srcMin}`], [dev, `src_max ${f.srcMax}`],
    [dev, `dst_min ${f.dstMin}`], [dev, `dst_max ${f.dstMax}`],
    [dev, `udp_src_min ${f.sportMin}`], [dev, `udp_src_max ${f.sportMax}`],
    [dev, `udp_dst_min ${f.dportMin}`], [dev, `udp_dst_max ${f.dportMax}`],
    [dev, `flows ${f.flows}`],
    [dev, 'flowlen 1'],
    [dev, `flag IPSRC_RND`], [dev, `flag IPDST_RND`], [dev, `flag UDPSRC_RND`], [dev, `flag UDPDST_RND`],
    ...(f.ratePps > 0 ? [[dev, `ratep ${Math.round(f.ratePps)}`] as [string, string]] : []),
    [`${PKTGEN_PROC}/pgctrl`, 'start'],
  ];
}

export async function kernelPktgenAvailable(): Promise<Availability> {
  if (!existsSync(PKTGEN_PROC)) return { ok: false, detail: `${PKTGEN_PROC} is missing: the pktgen kernel module is not loaded (modprobe pktgen; this machine has no kernel modules)` };
  return { ok: true, detail: `kernel pktgen (${PKTGEN_PROC})` };
}

/** pkts-sofar of a pktgen device's status file. */
export function pktgenSent(status: string): number {
  const m = /pkts-sofar:\s*(\d+)/.exec(status);
  return m ? Number(m[1]) : 0;
}

/**
 * Configure and start pktgen in the generator's namespace (its /proc/net is the
 * namespace's); stop it with pgctrl. Counted by pktgen's own pkts-sofar.
 */
export async function startKernelPktgen(t: GeneratorTarget, flows: Omit<PktgenFlows, 'dev' | 'dstMac' | 'ratePps' | 'cpu'>): Promise<TrafficGenerator> {
  const avail = await kernelPktgenAvailable();
  if (!avail.ok) throw new SketchbenchError('traffic', avail.detail, { exitCode: 2 });
  const writes = pktgenWrites({ ...flows, dev: t.dev, dstMac: t.dstMac, ratePps: t.ratePps, cpu: t.cpus[0] });
  const status = `${PKTGEN_PROC}/${t.dev}`;
  const write = (file: string, line: string): void => withNetns(t.ns, () => writeFileSync(file, `${line}\n`));
  for (const [file, line] of writes.slice(0, -1)) write(file, line);
  // A write of `start` to pgctrl returns only when pktgen stops: it is made by a child process.
  const startCmd = ['sh', '-c', `echo start > ${PKTGEN_PROC}/pgctrl`];
  const argv = t.ns === '' ? startCmd : ['ip', 'netns', 'exec', t.ns, ...startCmd];
  const starter = execa(argv[0], argv.slice(1), { reject: false });
  let startFailed = false;
  void starter.then((r) => { if (r.exitCode !== 0) startFailed = true; });
  return {
    offered: () => {
      if (startFailed) throw new SketchbenchError('traffic', `kernel pktgen did not start on ${t.dev}: writing 'start' to ${PKTGEN_PROC}/pgctrl failed`);
      return pktgenSent(withNetns(t.ns, () => readFileSync(status, 'utf8')));
    },
    stop: async () => {
      write(`${PKTGEN_PROC}/pgctrl`, 'stop');
      await starter;
      write(`${PKTGEN_PROC}/kpktgend_${t.cpus[0]}`, 'rem_device_all');
    },
  };
}

/** The IPv4 address and port ranges that cover a trace's IPv4 flows, and its most common frame size. */
export function flowRanges(trace: Pick<Trace, 'flows' | 'header'>): Omit<PktgenFlows, 'dev' | 'dstMac' | 'ratePps' | 'cpu'> {
  const v4 = trace.flows.filter((f) => f.family === 4);
  if (!v4.length) throw new SketchbenchError('traffic', 'kernel pktgen sends IPv4 flows here, and the trace has none', { exitCode: 2 });
  const num = (a: string): number => a.split('.').reduce((x, o) => x * 256 + Number(o), 0);
  const ip = (n: number): string => [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join('.');
  const range = (xs: number[]): [number, number] => [Math.min(...xs), Math.max(...xs)];
  const [sMin, sMax] = range(v4.map((f) => num(f.src)));
  const [dMin, dMax] = range(v4.map((f) => num(f.dst)));
  const [spMin, spMax] = range(v4.map((f) => f.sport));
  const [dpMin, dpMax] = range(v4.map((f) => f.dport));
  const bytes = v4.reduce((a, f) => a + f.bytes, 0), pkts = v4.reduce((a, f) => a + f.packets, 0);
  return {
    srcMin: ip(sMin), srcMax: ip(sMax), dstMin: ip(dMin), dstMax: ip(dMax),
    sportMin: spMin, sportMax: spMax, dportMin: dpMin, dportMax: dpMax,
    flows: v4.length, pktSize: Math.max(60, Math.round(bytes / Math.max(1, pkts)) - 4),
  };
}
