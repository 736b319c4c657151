/** Every malformed input: one line naming file and byte offset, exit 2, no output file left behind. */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as C from '../fixtures/trace/captures.ts';
import { cli, tmp } from '../trace/helpers.ts';

const dir = tmp();
after(() => rmSync(dir, { recursive: true, force: true }));
const good = (n: number): C.Rec[] => Array.from({ length: n }, (_, i) => ({ data: C.ethIp(C.ipv4('198.18.0.1', '198.18.0.2', { proto: 17, sport: 1000 + (i % 3), dport: 53 })) }));

function expectBad(name: string, data: Buffer, offset: number | null, pattern: RegExp): void {
  const f = join(dir, name);
  writeFileSync(f, data);
  const out = join(dir, `${name}.trace`);
  const r = cli('trace', 'import', f, '-o', out);
  assert.equal(r.code, 2, `${name}: ${r.stderr}`);
  const lines = r.stderr.trim().split('\n');
  assert.equal(lines.length, 1, `${name}: one line expected, got:\n${r.stderr}`);
  assert.ok(lines[0].includes(f), `${name}: names the file: ${lines[0]}`);
  if (offset !== null) assert.ok(lines[0].includes(`byte ${offset}:`), `${name}: offset ${offset}: ${lines[0]}`);
  assert.match(lines[0], pattern);
  assert.ok(!existsSync(out), `${name}: no output file`);
  assert.deepEqual(readdirSync(dir).filter((n) => n.endsWith('.tmp')), [], 'no temp files left');
}

const pcapGood = C.pcap(good(4), { linktype: 1 });
const recAt = (i: number): number => 24 + i * (16 + good(1)[0].data.length);

test('empty, tiny, wrong magic, random bytes', () => {
  expectBad('empty.pcap', Buffer.alloc(0), 0, /empty/);
  expectBad('tiny.pcap', Buffer.from([0xd4, 0xc3]), 0, /truncated/);
  expectBad('magic.pcap', Buffer.from('hello world, this is not a capture'), 0, /magic/);
  let x = 12345;
  const rnd = Buffer.from(new Uint8Array(4096).map(() => { x = (x * 1103515245 + 12345) & 0x7fffffff; return x >> 16; }));
  expectBad('random.bin', rnd, 0, /magic/);
});

test('truncated pcap: inside the file header, a record header, a record body', () => {
  expectBad('trunc-fh.pcap', pcapGood.subarray(0, 20), 4 * 5, /truncated pcap file header/);
  expectBad('trunc-rh.pcap', pcapGood.subarray(0, recAt(2) + 7), recAt(2), /truncated record header/);
  expectBad('trunc-body.pcap', pcapGood.subarray(0, recAt(3) + 20), recAt(3), /truncated record/);
});

test('a caplen above 256 KiB cannot be trusted and stops the import', () => {
  const recs = good(4);
  expectBad('huge.pcap', C.pcap([recs[0], { data: Buffer.alloc(10), caplen: 0x7fffffff }], { linktype: 1 }), recAt(1), /above 256 KiB/);
});

/** Imports f and returns the --json statistics and the trace info --json. */
function importOk(name: string, data: Buffer): { s: Record<string, number>; info: Record<string, number> } {
  const f = join(dir, name);
  writeFileSync(f, data);
  const out = join(dir, `${name}.trace`);
  const r = cli('trace', 'import', f, '-o', out, '--json');
  assert.equal(r.code, 0, `${name}: ${r.stderr}`);
  const i = cli('trace', 'info', out, '--json');
  assert.equal(i.code, 0, i.stderr);
  return { s: JSON.parse(r.stdout), info: JSON.parse(i.stdout) };
}

test('as libpcap: a record above the snaplen is cut to it, an empty one passed over; both counted in the summary and in info', () => {
  const recs = good(4);
  // 200 bytes of an IPv4/UDP frame padded out; cut to 128 it still holds its IP header.
  const long = Buffer.concat([recs[0].data, Buffer.alloc(200 - recs[0].data.length)]);
  const { s, info } = importOk('snap.pcap', C.pcap([recs[0], { data: long }, { data: Buffer.alloc(0) }, recs[1]], { linktype: 1, snaplen: 128 }));
  assert.deepEqual([s.packets, s.truncatedRecords, s.zeroLengthRecords, s.skippedRecords], [3, 1, 1, 0]);
  assert.deepEqual([info.truncatedRecords, info.zeroLengthRecords], [1, 1]);
  // The cut record keeps its wire length (origlen), as a snaplen-limited capture does.
  assert.equal(s.bytes, 2 * recs[0].data.length + 200);
  const ng = importOk('snap.pcapng', C.pcapng([{ ifaces: [{ linktype: 1, snaplen: 64 }], records: [{ data: long }, { data: Buffer.alloc(0) }, recs[1]] }]));
  assert.deepEqual([ng.s.packets, ng.s.truncatedRecords, ng.s.zeroLengthRecords], [2, 1, 1]);
  assert.deepEqual([ng.info.truncatedRecords, ng.info.zeroLengthRecords], [1, 1]);
});

test('unknown link types, in pcap and in a pcapng interface', () => {
  expectBad('lt.pcap', C.pcap(good(1), { linktype: 147 }), 20, /unknown link type 147/);
  expectBad('lt.pcapng', C.pcapng([{ ifaces: [{ linktype: 1 }, { linktype: 147 }], records: good(1) }]), null, /unknown link type 147/);
});

test('pcapng: truncated, bad block length, bad trailer, bad byte-order magic, absurd caplen, unknown interface', () => {
  const ng = C.pcapng([{ ifaces: [{ linktype: 1 }], records: good(3) }]);
  expectBad('trunc.pcapng', ng.subarray(0, ng.length - 10), null, /truncated block/);
  const badLen = Buffer.from(ng); badLen.writeUInt32LE(13, 28 + 4);
  expectBad('blen.pcapng', badLen, 28, /absurd block length 13/);
  const badTrail = Buffer.from(ng); badTrail.writeUInt32LE(999, 28 + 20 - 4);
  expectBad('trail.pcapng', badTrail, 28, /trailer/);
  const bom = Buffer.from(ng); bom.writeUInt32LE(0xdeadbeef, 8);
  expectBad('bom.pcapng', bom, 0, /byte-order magic/);
  const huge = Buffer.from(C.pcapng([{ ifaces: [{ linktype: 1 }], records: good(1) }])); huge.writeUInt32LE(0x7fffffff, 48 + 20);
  expectBad('huge.pcapng', huge, 48, /above 256 KiB/);
  expectBad('iface.pcapng', C.pcapng([{ ifaces: [{ linktype: 1 }], records: [{ data: good(1)[0].data, iface: 3 }] }]), 48, /interface 3/);
});

test('--skip-bad goes past bad records, keeps the good ones and reports the count', () => {
  const recs = good(6);
  const f = join(dir, 'skip.pcap');
  writeFileSync(f, C.pcap([recs[0], { data: Buffer.alloc(0) }, recs[1], { data: Buffer.alloc(10), caplen: 0x7fffffff }, recs[2], recs[3]], { linktype: 1 }));
  const r = cli('trace', 'import', f, '-o', join(dir, 'skip.trace'), '--skip-bad', '--json');
  assert.equal(r.code, 0, r.stderr);
  const s = JSON.parse(r.stdout);
  assert.deepEqual([s.skippedRecords, s.zeroLengthRecords, s.packets], [1, 1, 4]);
  const ng = join(dir, 'skip.pcapng');
  const buf = C.pcapng([{ ifaces: [{ linktype: 1 }, { linktype: 147 }], records: [recs[0], { data: recs[1].data, iface: 1 }, recs[2]] }]);
  writeFileSync(ng, buf);
  const r2 = cli('trace', 'import', ng, '-o', join(dir, 'skipng.trace'), '--skip-bad', '--json');
  assert.equal(r2.code, 0, r2.stderr);
  assert.deepEqual([JSON.parse(r2.stdout).skippedRecords, JSON.parse(r2.stdout).packets], [1, 2]);
});

test('non-IP frames are counted and left out', () => {
  const f = join(dir, 'arp.pcap');
  writeFileSync(f, C.pcap([...good(2), { data: C.arp() }, { data: C.arp() }], { linktype: 1 }));
  const r = cli('trace', 'import', f, '-o', join(dir, 'arp.trace'), '--json');
  assert.equal(r.code, 0, r.stderr);
  const s = JSON.parse(r.stdout);
  assert.deepEqual([s.packets, s.nonIp], [2, 2]);
});

test('bad .trace files for info and export', () => {
  const t = join(dir, 'ok.trace');
  assert.equal(cli('trace', 'gen', '--flows', '50', '--packets', '500', '-o', t).code, 0);
  const f = join(dir, 'x.trace');
  writeFileSync(f, Buffer.from('not a trace at all, just text'));
  for (const args of [['trace', 'info', f], ['trace', 'export', f, '-o', join(dir, 'x.pcap')]]) {
    const r = cli(...args);
    assert.equal(r.code, 2);
    assert.match(r.stderr.trim(), new RegExp(`^[^\\n]*${f.replace(/[.]/g, '\\.')}: byte 0: .*magic[^\\n]*$`));
  }
  assert.ok(!existsSync(join(dir, 'x.pcap')));
  const r = cli('trace', 'info', join(dir, 'nope.trace'));
  assert.equal(r.code, 2);
  assert.match(r.stderr, /ENOENT/);
});
