/**
 * Inputs as public traces come: compressed (recognised by content, not name), split into
 * several files (merged by timestamp like mergecap), given as a folder or a glob.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import * as C from '../fixtures/trace/captures.ts';
import { cli, cliEnv, hasTshark, sorted, traceFlows, tmp, tsharkFlows } from './helpers.ts';

const skip = hasTshark() ? false : 'tshark is not installed (apt-get install tshark)';
const dir = tmp();
after(() => rmSync(dir, { recursive: true, force: true }));

const flow = (i: number): Buffer => C.ipv4(`198.18.0.${1 + (i % 5)}`, '198.19.0.1', { proto: 17, sport: 1000 + (i % 7), dport: 53, payload: 10 + (i % 30) });

/** A capture of n Ethernet frames, one every `step` microseconds from `start`. */
function capture(name: string, n: number, start: number, step: number, wrap: (ip: Buffer) => Buffer = (d) => C.ethIp(d), linktype = 1): string {
  const recs = Array.from({ length: n }, (_, i) => {
    const us = start + i * step;
    return { data: wrap(flow(i + start)), ts: [1700000000 + Math.floor(us / 1e6), us % 1e6] as [number, number] };
  });
  return C.write(join(dir, name), C.pcap(recs, { linktype }));
}

function importOk(out: string, ...inputs: string[]): Record<string, unknown> {
  const r = cli('trace', 'import', ...inputs, '-o', out, '--json');
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout);
}

function importBad(pattern: RegExp, ...inputs: string[]): string {
  const out = join(dir, 'bad.trace');
  const r = cli('trace', 'import', ...inputs, '-o', out);
  assert.equal(r.code, 2, r.stderr);
  const lines = r.stderr.trim().split('\n');
  assert.equal(lines.length, 1, r.stderr);
  assert.match(lines[0], pattern);
  assert.ok(!existsSync(out), 'no output left behind');
  return lines[0];
}

const plain = capture('plain.pcap', 3000, 0, 10);
const plainTrace = join(dir, 'plain.trace');
importOk(plainTrace, plain);

test('gzip, zstd and xz are recognised by content and give the trace the plain file gives', () => {
  const data = readFileSync(plain);
  const files = {
    gzip: C.write(join(dir, 'gz-named.pcap'), gzipSync(data)),
    zstd: C.write(join(dir, 'c.zst'), execFileSync('zstd', ['-q', '-c', plain])),
    xz: C.write(join(dir, 'c.data'), execFileSync('xz', ['-c', plain])),
    // Two gzip members back to back (what `cat a.gz b.gz` makes) are one stream.
    members: C.write(join(dir, 'two-members.gz'), Buffer.concat([gzipSync(data.subarray(0, data.length >> 1)), gzipSync(data.subarray(data.length >> 1))])),
  };
  for (const [kind, f] of Object.entries(files)) {
    const out = join(dir, `${kind}.trace`);
    const s = importOk(out, f);
    assert.deepEqual(s.compression, [kind === 'members' ? 'gzip' : kind]);
    assert.ok(readFileSync(out).equals(readFileSync(plainTrace)), `${kind}: same trace as the plain file`);
  }
  // And a plain file whose name says gzip is read as the plain file it is.
  const misnamed = C.write(join(dir, 'plain.pcap.gz'), data);
  assert.deepEqual(importOk(join(dir, 'misnamed.trace'), misnamed).compression, []);
});

test('a cut or corrupt compressed file, and a missing decompressor, are one-line errors saying what happened', () => {
  const gz = gzipSync(readFileSync(plain));
  const cut = C.write(join(dir, 'cut.pcap.gz'), gz.subarray(0, gz.length >> 1));
  assert.ok(importBad(/gzip decompression failed/, cut).includes(cut));
  const zst = execFileSync('zstd', ['-q', '-c', plain]);
  const bad = Buffer.from(zst); for (let i = 100; i < 200; i++) bad[i] ^= 0x5a;
  const corrupt = C.write(join(dir, 'corrupt.zst'), bad);
  assert.ok(importBad(/zstd decompression failed/, corrupt).includes(corrupt));
  const empty = join(dir, 'empty-path');
  mkdirSync(empty);
  const r = cliEnv({ ...process.env, PATH: empty }, 'trace', 'import', C.write(join(dir, 'z.zst'), zst), '-o', join(dir, 'z.trace'));
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr.trim(), /^[^\n]*'zstd' command is missing: install it with apt-get install zstd[^\n]*$/);
});

test('several captures merge in timestamp order exactly as mergecap merges them (equal stamps: the file named last first)', { skip }, () => {
  // Interleaved stamps with ties: a every 30 us from 0, b every 20 us from 10, c every 50 us from 5.
  const a = capture('a.pcap', 400, 0, 30), b = capture('b.pcap', 500, 10, 20), c = capture('c.pcap', 200, 5, 50);
  const merged = join(dir, 'mergecap.pcapng');
  execFileSync('mergecap', ['-w', merged, a, b, c]);
  const ours = join(dir, 'abc.trace'), ref = join(dir, 'mergecap.trace');
  const s = importOk(ours, a, b, c);
  assert.equal(s.inputs, 3);
  importOk(ref, merged);
  assert.ok(readFileSync(ours).equals(readFileSync(ref)), 'same sequence and flows as the mergecap output');
  assert.deepEqual(sorted(traceFlows(ours)), sorted(tsharkFlows(merged)));
});

test('captures of different link types merge; mergecap\'s pcapng with one interface per link type reads the same', { skip }, () => {
  const e = capture('lt-eth.pcap', 300, 0, 7);
  const p = capture('lt-ppp.pcap', 300, 3, 11, (d) => C.ppp(d), 9);
  const w = capture('lt-wifi.pcap', 300, 1, 13, (d) => C.radiotap(C.wifi(d)), 127);
  const merged = join(dir, 'lt.pcapng');
  execFileSync('mergecap', ['-w', merged, e, p, w]);
  const ours = join(dir, 'lt.trace'), ref = join(dir, 'lt-ref.trace');
  importOk(ours, e, p, w);
  const s = importOk(ref, merged);
  assert.equal(s.format, 'pcapng');
  assert.deepEqual(sorted(traceFlows(ref)), sorted(tsharkFlows(merged)));
  // Lengths are normalized per link type, so the two traces agree packet for packet.
  assert.ok(readFileSync(ours).equals(readFileSync(ref)));
});

test('a folder or a quoted glob reads its files in name order; a file that fails midway is named', () => {
  const split = join(dir, 'split');
  mkdirSync(split);
  const parts = [0, 1, 2].map((k) => capture(join('split', `part${k}.pcap`), 100, k * 1000, 10));
  const byFiles = join(dir, 'files.trace'), byDir = join(dir, 'dir.trace'), byGlob = join(dir, 'glob.trace');
  importOk(byFiles, ...parts);
  importOk(byDir, split);
  importOk(byGlob, join(split, 'part*.pcap'));
  assert.ok(readFileSync(byDir).equals(readFileSync(byFiles)));
  assert.ok(readFileSync(byGlob).equals(readFileSync(byFiles)));
  importBad(/no file matches/, join(split, 'nothing*.pcap'));
  // The second file is cut inside its 50th record: the error names it, not the first.
  const data = readFileSync(parts[1]);
  const cut = C.write(join(dir, 'cut-midway.pcap'), data.subarray(0, data.length >> 1));
  const line = importBad(/truncated record/, parts[0], cut, parts[2]);
  assert.ok(line.includes(cut) && !line.includes(parts[0]), line);
});
