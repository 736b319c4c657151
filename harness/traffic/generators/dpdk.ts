/**
 * `dpdk`: Debian's dpdk-testpmd replaying the trace's pcap through DPDK's pcap
 * virtual device onto the generator's veth, looping (infinite_rx), forwarding
 * io. No hugepages and no PCI devices are needed (--no-huge --no-pci); its
 * runtime folder has a name of ours and is removed when it exits. Two DPDK
 * lcores (main and forwarding) share the generator's core when only one is
 * given: testpmd refuses to forward on its main lcore.
 */
import { existsSync, rmSync } from 'node:fs';
import { execa } from 'execa';
import { badInput } from '../../errors.ts';
import { startTool } from './tool-process.ts';
import { remotePcapPath, startRemoteTool } from './remote.ts';
import type { Availability, GeneratorTarget, TrafficGenerator } from './types.ts';

export const TESTPMD = '/usr/bin/dpdk-testpmd';
/**
 * With infinite_rx the pcap device copies the whole file into mbufs at start:
 * 100k packets take about 230 MB of the 1 GB given to DPDK (a million would not fit).
 */
export const DPDK_PCAP_PACKETS = 100_000;
const SPARE_MBUFS = 16_384;

export function dpdkLcores(cpus: number[]): string {
  return cpus.length >= 2 ? `0@${cpus[0]},1@${cpus[1]}` : `0@${cpus[0]},1@${cpus[0]}`;
}

export function testpmdArgs(t: GeneratorTarget, filePrefix: string): string[] {
  if (!t.pcapPath) throw badInput('dpdk replays a pcap: the trace must be exported first');
  if (/[,=]/.test(t.pcapPath) || /[,=]/.test(t.dev)) throw badInput(`dpdk's device arguments cannot carry ',' or '=' in a path or name: ${t.pcapPath}`);
  return [
    '--lcores', dpdkLcores(t.cpus), '--no-huge', '-m', '1024', '--no-pci', '--file-prefix', filePrefix, '--log-level=lib.eal:error',
    '--vdev', `net_pcap0,rx_pcap=${t.pcapPath},tx_iface=${t.dev},infinite_rx=1`,
    // --stats-period: testpmd loops printing statistics instead of waiting for Enter, so a closed stdin (ssh) does not stop it.
    '--', '--forward-mode=io', '--auto-start', '--nb-cores=1', `--total-num-mbufs=${DPDK_PCAP_PACKETS + SPARE_MBUFS}`, '--stats-period', '1',
  ];
}

export async function dpdkAvailable(): Promise<Availability> {
  if (!existsSync(TESTPMD)) return { ok: false, detail: 'dpdk-testpmd not installed: apt-get install dpdk dpdk-dev' };
  const v = await execa('dpkg-query', ['-W', '-f', '${Version}', 'dpdk'], { reject: false });
  return { ok: true, detail: `dpdk-testpmd ${v.stdout || '(version unknown)'}` };
}

export async function startDpdk(t: GeneratorTarget): Promise<TrafficGenerator> {
  if (t.ratePps > 0) throw badInput('the dpdk driver sends at top speed (pcap replay has no rate option); use tcpreplay or xdp-live for a given rate');
  const prefix = `sketchbench-${process.pid}-${Date.now().toString(36)}`;
  if (t.remote) {
    const remote = remotePcapPath(t.pcapPath!);
    await t.remote.copy(t.pcapPath!, remote);
    return startRemoteTool(t.remote, t, 'dpdk-testpmd', [TESTPMD, ...testpmdArgs({ ...t, pcapPath: remote }, prefix)], [remote, `/var/run/dpdk/${prefix}`]);
  }
  return startTool(t, {
    label: 'dpdk-testpmd', cmd: TESTPMD, args: testpmdArgs(t, prefix),
    afterExit: () => rmSync(`/var/run/dpdk/${prefix}`, { recursive: true, force: true }),
  });
}
