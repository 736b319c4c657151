import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { openTraceSync } from '../../harness/trace/format.ts';

const BIN = resolve(import.meta.dirname, '../../bin/sketchbench.js');

export function tmp(): string {
  return mkdtempSync(join(tmpdir(), 'sketchbench-trace-'));
}

export function cli(...args: string[]): { code: number; stdout: string; stderr: string } {
  return cliEnv(process.env, ...args);
}

/** The CLI with another environment (a PATH without some tool, for one). */
export function cliEnv(env: NodeJS.ProcessEnv, ...args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** How many frames tshark finds IPv4 or IPv6 in (anywhere in the frame). */
export function tsharkIpFrames(pcapPath: string): number {
  const r = spawnSync('tshark', ['-n', '-r', pcapPath, '-Y', 'ip or ipv6', '-T', 'fields', '-e', 'frame.number'], { encoding: 'utf8', maxBuffer: 1 << 28 });
  if (r.status !== 0) throw new Error(`tshark failed: ${r.stderr}`);
  return r.stdout.split('\n').filter((l) => l.trim() !== '').length;
}

export function hasTshark(): boolean {
  return spawnSync('tshark', ['--version'], { encoding: 'utf8' }).status === 0;
}

/** Per-flow packet counts keyed "src dst sport dport", as tshark sees them without reassembly. */
export function tsharkFlows(pcapPath: string): Map<string, number> {
  const r = spawnSync('tshark', ['-n', '-r', pcapPath, '-o', 'ip.defragment:FALSE', '-o', 'ipv6.defragment:FALSE',
    '-T', 'fields', '-E', 'separator=,', '-E', 'occurrence=f',
    '-e', 'ip.src', '-e', 'ip.dst', '-e', 'ipv6.src', '-e', 'ipv6.dst',
    '-e', 'tcp.srcport', '-e', 'tcp.dstport', '-e', 'udp.srcport', '-e', 'udp.dstport'], { encoding: 'utf8', maxBuffer: 1 << 28 });
  if (r.status !== 0) throw new Error(`tshark failed: ${r.stderr}`);
  const m = new Map<string, number>();
  for (const line of r.stdout.split('\n')) {
    if (!line.trim()) continue;
    const [s4, d4, s6, d6, ts, td, us, ud] = line.split(',');
    const src = s4 || s6, dst = d4 || d6;
    if (!src) continue; // non-IP frame
    const key = `${src} ${dst} ${ts || us || 0} ${td || ud || 0}`;
    m.set(key, (m.get(key) ?? 0) + 1);
  }
  return m;
}

/** The same view of a .trace, from its flow table (ground truth). */
export function traceFlows(tracePath: string): Map<string, number> {
  const t = openTraceSync(tracePath);
  try {
    const m = new Map<string, number>();
    for (const f of t.flows) {
      const key = `${f.src} ${f.dst} ${f.sport} ${f.dport}`;
      m.set(key, (m.get(key) ?? 0) + f.packets);
    }
    return m;
  } finally {
    t.close();
  }
}

export function sorted(m: Map<string, number>): [string, number][] {
  return [...m.entries()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
}

/**
 * Per-flow counts from tcpdump's one-line output, keyed as tsharkFlows keys them: for the
 * link types tshark only shows as data (SLIP has no dissector in Wireshark; it does not read link type 166).
 */
export function tcpdumpFlows(pcapPath: string): Map<string, number> {
  const r = spawnSync('tcpdump', ['-n', '-r', pcapPath], { encoding: 'utf8', maxBuffer: 1 << 28 });
  if (r.status !== 0) throw new Error(`tcpdump failed: ${r.stderr}`);
  const m = new Map<string, number>();
  const endpoint = (s: string, v6: boolean): [string, number] => {
    const dot = s.lastIndexOf('.');
    const hasPort = v6 ? dot >= 0 : s.split('.').length === 5;
    return hasPort ? [s.slice(0, dot), Number(s.slice(dot + 1))] : [s, 0];
  };
  for (const line of r.stdout.split('\n')) {
    const x = /^\S+ (IP6?) (\S+) > (\S+): /.exec(line);
    if (!x) continue;
    const v6 = x[1] === 'IP6';
    const [src, sport] = endpoint(x[2], v6), [dst, dport] = endpoint(x[3], v6);
    const key = `${src} ${dst} ${sport} ${dport}`;
    m.set(key, (m.get(key) ?? 0) + 1);
  }
  return m;
}
