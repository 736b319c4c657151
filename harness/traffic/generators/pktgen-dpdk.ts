/**
 * `pktgen-dpdk`: Pktgen-DPDK (not packaged; a user builds it, see
 * docs/generators.md) replaying the trace's pcap on port 0, which is the
 * generator's interface through DPDK's af_packet virtual device here, or a NIC
 * on a real testbed. The harness writes the command file Pktgen runs at start
 * (`-f`), launches it where it is installed (`pktgen` on PATH, or
 * $SKETCHBENCH_PKTGEN) and counts what it sent on the interface.
 */
import { accessSync, constants, rmSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { badInput } from '../../errors.ts';
import { dpdkLcores } from './dpdk.ts';
import { startTool } from './tool-process.ts';
import type { Availability, GeneratorTarget, TrafficGenerator } from './types.ts';

/** Pktgen's rate is a percentage of the port's line rate; a veth reports 10 Gb/s. */
const LINE_RATE_PPS_10G = 14_880_952;

export function pktgenCommands(t: GeneratorTarget): string {
  const percent = t.ratePps > 0 ? Math.min(100, Math.max(0.001, (100 * t.ratePps) / LINE_RATE_PPS_10G)) : 100;
  return [
    `# Written by sketchbench: replay the trace's pcap on port 0 until stopped.`,
    `enable 0 pcap`,
    `set 0 rate ${Number(percent.toFixed(3))}`,
    `start 0`,
    '',
  ].join('\n');
}

export function pktgenArgs(t: GeneratorTarget, commandFile: string, filePrefix = `sketchbench-pktgen-${process.pid}`): string[] {
  if (!t.pcapPath) throw badInput('pktgen-dpdk replays a pcap: the trace must be exported first');
  return [
    '--lcores', dpdkLcores(t.cpus), '--no-huge', '-m', '2048', '--no-pci', '--file-prefix', filePrefix,
    '--vdev', `net_af_packet0,iface=${t.dev}`,
    '--', '-T', '-P', '-m', '1.0', '-s', `0:${t.pcapPath}`, '-f', commandFile,
  ];
}

/** The pktgen binary: $SKETCHBENCH_PKTGEN, or `pktgen` on PATH. */
export function pktgenBinary(env = process.env): string | undefined {
  const candidates = env.SKETCHBENCH_PKTGEN ? [env.SKETCHBENCH_PKTGEN] : (env.PATH ?? '').split(delimiter).map((d) => join(d, 'pktgen'));
  return candidates.find((c) => { try { accessSync(c, constants.X_OK); return true; } catch { return false; } });
}

export async function pktgenDpdkAvailable(): Promise<Availability> {
  const bin = pktgenBinary();
  if (!bin) return { ok: false, detail: 'Pktgen-DPDK is not packaged: build it from its repository (docs/generators.md), then put `pktgen` on PATH or set SKETCHBENCH_PKTGEN' };
  return { ok: true, detail: bin };
}

export async function startPktgenDpdk(t: GeneratorTarget, workDir: string): Promise<TrafficGenerator> {
  const bin = pktgenBinary();
  if (!bin) throw badInput((await pktgenDpdkAvailable()).detail);
  const commands = join(workDir, 'pktgen.pkt');
  writeFileSync(commands, pktgenCommands(t));
  // Pktgen leaves DPDK's runtime folder behind when it exits: removed here, on every path.
  const prefix = `sketchbench-pktgen-${process.pid}-${Date.now().toString(36)}`;
  return startTool(t, {
    label: 'pktgen-dpdk', cmd: bin, args: pktgenArgs(t, commands, prefix),
    afterExit: () => rmSync(`/var/run/dpdk/${prefix}`, { recursive: true, force: true }),
  });
}
