/**
 * Import speed next to tshark on the same file, plain and gzip-compressed, in one run:
 *   node --import tsx harness/trace/bench-import.ts [CAPTURE] [--packets N]
 * Without CAPTURE it generates a 64-byte Zipf trace and exports it as pcap first. The
 * compressed file is the same capture through `gzip -c`, read by the importer directly and
 * by tshark as `zcat FILE | tshark -r -`.
 * Both tools run as child processes, so each pays its own start-up; peak RSS shows that
 * import memory stays flat as the file grows.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { exportTrace } from './export.ts';
import { GEN_DEFAULTS, generateTrace } from './gen.ts';

const args = process.argv.slice(2);
const pi = args.indexOf('--packets');
const packets = pi >= 0 ? Number(args[pi + 1]) : 10_000_000;
const given = args.find((a, i) => !a.startsWith('--') && args[i - 1] !== '--packets');
const dir = mkdtempSync(join(tmpdir(), 'sketchbench-bench-'));
const bin = resolve(import.meta.dirname, '../../bin/sketchbench.js');

function timed(cmd: string, argv: string[]): { s: number; rssMb: number; out: string } {
  const useTime = existsSync('/usr/bin/time');
  const t0 = performance.now();
  const r = useTime
    ? spawnSync('/usr/bin/time', ['-f', '%M', cmd, ...argv], { encoding: 'utf8', maxBuffer: 1 << 20, stdio: ['ignore', 'pipe', 'pipe'] })
    : spawnSync(cmd, argv, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const s = (performance.now() - t0) / 1000;
  if (r.status !== 0) throw new Error(`${cmd} failed: ${r.stderr}`);
  const lines = r.stderr.trim().split('\n');
  return { s, rssMb: useTime ? Number(lines[lines.length - 1]) / 1024 : NaN, out: r.stdout };
}

try {
  let capture = given;
  if (!capture) {
    const tr = join(dir, 'bench.trace');
    capture = join(dir, 'bench.pcap');
    generateTrace(tr, { ...GEN_DEFAULTS, packets, flows: 100_000 });
    await exportTrace(tr, capture);
  }
  const bytes = statSync(capture).size;
  const gz = join(dir, 'bench.pcap.gz');
  execFileSync('sh', ['-c', `gzip -c '${capture}' > '${gz}'`]);
  const gzBytes = statSync(gz).size;
  const importer = (file: string) => timed(process.execPath, [bin, 'trace', 'import', file, '-o', join(dir, 'out.trace'), '--json']);
  const ours = importer(capture);
  const oursGz = importer(gz);
  const n = JSON.parse(ours.out);
  const records = n.packets + n.nonIp + n.badIp;
  // tshark writes its fields to a pipe we drain into memory; send them to /dev/null via sh.
  const fields = '-e ip.src -e ip.dst -e ipv6.src -e ipv6.dst -e tcp.srcport -e tcp.dstport -e udp.srcport -e udp.dstport';
  const ts = timed('sh', ['-c', `tshark -n -r '${capture}' -T fields ${fields} > /dev/null`]);
  const tsGz = timed('sh', ['-c', `zcat '${gz}' | tshark -n -r - -T fields ${fields} > /dev/null`]);
  const row = (name: string, s: number, rss: number, size: number): string =>
    `${name.padEnd(26)} ${s.toFixed(2).padStart(7)} s ${(records / s / 1e6).toFixed(2).padStart(7)} Mpkt/s ${(size / s / 1e6).toFixed(0).padStart(6)} MB/s ${rss.toFixed(0).padStart(6)} MB peak RSS`;
  console.log(`file ${capture}: ${records} records, ${(bytes / 1e6).toFixed(0)} MB (${(gzBytes / 1e6).toFixed(0)} MB gzip-compressed), ${n.flows} flows`);
  console.log(row('sketchbench import', ours.s, ours.rssMb, bytes));
  console.log(row('tshark -T fields', ts.s, ts.rssMb, bytes));
  console.log(row('sketchbench import (gzip)', oursGz.s, oursGz.rssMb, gzBytes));
  console.log(row('zcat | tshark -T fields', tsGz.s, tsGz.rssMb, gzBytes));
  // Start-up (loading the CLI) dominates small files; the importer also times its own pass.
  const own = (o: { out: string }): string => (JSON.parse(o.out).packetsPerSecond / 1e6).toFixed(2);
  console.log(`import pass alone (as the importer times it): ${own(ours)} Mpkt/s plain, ${own(oursGz)} Mpkt/s gzip`);
  console.log(`speed-up ${(ts.s / ours.s).toFixed(1)}x plain, ${(tsGz.s / oursGz.s).toFixed(1)}x gzip (wall clock, including process start-up; RSS of zcat | tshark is the shell's)`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
