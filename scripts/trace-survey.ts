/**
 * Imports every capture in a folder, one at a time, and compares each trace's packet count
 * with the number of frames tshark finds IPv4/IPv6 in: how a corpus of real captures fares.
 *   node --import tsx scripts/trace-survey.ts FOLDER [--every N] [--tsv FILE]
 * --every N looks at every Nth file only (tshark starts up once per file).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { importCaptures } from '../harness/trace/import.ts';

const args = process.argv.slice(2);
const opt = (name: string): string | undefined => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : undefined; };
const folder = args.find((a, i) => !a.startsWith('--') && !['--every', '--tsv'].includes(args[i - 1]));
if (!folder) { console.error('usage: trace-survey.ts FOLDER [--every N] [--tsv FILE]'); process.exit(2); }
const every = Number(opt('--every') ?? 1);
const files = readdirSync(folder).filter((n) => statSync(join(folder, n)).isFile()).sort().filter((_, i) => i % every === 0);
const out = mkdtempSync(join(tmpdir(), 'sketchbench-survey-'));

function tsharkIp(f: string): number | null {
  const r = spawnSync('tshark', ['-n', '-r', f, '-Y', 'ip or ipv6', '-T', 'fields', '-e', 'frame.number'], { encoding: 'utf8', timeout: 60_000, maxBuffer: 1 << 28 });
  // tshark stops at a damaged record but prints what it read before: count that.
  if (r.stdout === null) return null;
  return r.stdout.split('\n').filter((l) => l.trim() !== '').length;
}

const rows: string[] = ['file\tresult\tpackets\ttshark_ip\tnote'];
const refusals = new Map<string, number>();
let imported = 0, refused = 0, withIp = 0, withIpRefused = 0, agree = 0, disagree = 0;
try {
  for (const n of files) {
    const f = join(folder, n);
    const ts = tsharkIp(f);
    let packets: number | null = null, note = '';
    try {
      const { stats } = await importCaptures([f], join(out, 't.trace'));
      packets = stats.packets;
      imported++;
      if (stats.truncatedRecords || stats.zeroLengthRecords) note = `cut ${stats.truncatedRecords}, empty ${stats.zeroLengthRecords}`;
    } catch (err) {
      refused++;
      note = (err as Error).message.replace(f, '').replace(/^: /, '');
      // Group refusals by their kind: the message without offsets and numbers.
      const kind = note.replace(/byte \d+: /, '').replace(/;.*$/, '').replace(/(?<!link type )\b\d+\b/g, 'N').replace(/ \(.*$/, '');
      refusals.set(kind, (refusals.get(kind) ?? 0) + 1);
    }
    if (ts !== null && ts > 0) {
      withIp++;
      if (packets === null) withIpRefused++;
      else if (packets === ts) agree++;
      else disagree++;
    }
    rows.push(`${n}\t${packets === null ? 'refused' : 'imported'}\t${packets ?? ''}\t${ts ?? ''}\t${note}`);
  }
} finally {
  rmSync(out, { recursive: true, force: true });
}
const tsv = opt('--tsv');
if (tsv) writeFileSync(tsv, rows.join('\n') + '\n');
console.log(`${files.length} files: ${imported} imported, ${refused} refused`);
for (const [k, v] of [...refusals.entries()].sort((a, b) => b[1] - a[1])) console.log(`  ${String(v).padStart(4)}  ${k}`);
console.log(`tshark finds IP in ${withIp}: ${agree} imported with its IP-frame count, ${disagree} with another count, ${withIpRefused} refused`);
