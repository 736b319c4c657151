/**
 * `tcpreplay` (Debian's): the trace itself, exported as pcap, replayed in a loop
 * from the generator's namespace, at top speed or a given rate. -K loads the
 * file into memory first, so disk reads never pace the traffic.
 */
import { execa } from 'execa';
import { existsSync } from 'node:fs';
import { badInput } from '../../errors.ts';
import { startTool } from './tool-process.ts';
import { remotePcapPath, startRemoteTool } from './remote.ts';
import type { Availability, GeneratorTarget, TrafficGenerator } from './types.ts';

export function tcpreplayArgs(t: GeneratorTarget): string[] {
  if (!t.pcapPath) throw badInput('tcpreplay replays a pcap: the trace must be exported first');
  const rate = t.ratePps > 0 ? ['--pps', String(Math.round(t.ratePps))] : ['--topspeed'];
  return [...rate, '--loop', '0', '-K', '-q', '-i', t.dev, t.pcapPath];
}

export async function tcpreplayAvailable(): Promise<Availability> {
  if (!existsSync('/usr/bin/tcpreplay')) return { ok: false, detail: 'not installed: apt-get install tcpreplay' };
  const v = await execa('tcpreplay', ['--version'], { reject: false, all: true });
  return { ok: true, detail: /tcpreplay version: (\S+)/.exec(String(v.all))?.[0] ?? 'tcpreplay' };
}

export async function startTcpreplay(t: GeneratorTarget): Promise<TrafficGenerator> {
  if (t.remote) {
    const remote = remotePcapPath(t.pcapPath!);
    await t.remote.copy(t.pcapPath!, remote);
    return startRemoteTool(t.remote, t, 'tcpreplay', ['tcpreplay', ...tcpreplayArgs({ ...t, pcapPath: remote })], [remote]);
  }
  return startTool(t, { label: 'tcpreplay', cmd: 'tcpreplay', args: tcpreplayArgs(t) });
}
