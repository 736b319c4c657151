import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openTrace, openTraceSync, truthOf, TraceWriter, BLOCK_PACKETS } from '../../harness/trace/format.ts';
import { formatAddr, parseAddr } from '../../harness/trace/addr.ts';
import { tmp } from '../trace/helpers.ts';

const dir = tmp();
after(() => rmSync(dir, { recursive: true, force: true }));
const flows = [
  { src: '198.18.0.1', dst: '198.19.255.254', sport: 1, dport: 65535, proto: 17, family: 4 as const },
  { src: '2001:db8::1', dst: '2001:db8:0:1::', sport: 443, dport: 50000, proto: 6, family: 6 as const },
  { src: '10.0.0.1', dst: '10.0.0.2', sport: 0, dport: 0, proto: 1, family: 4 as const },
];

test('addresses round-trip in RFC 5952 text', () => {
  const b = new Uint8Array(16);
  for (const a of ['2001:db8::1', '::', '::1', '2001:db8:0:1::', 'fe80::1:0:0:1', '2001:db8:1:2:3:4:5:6', '1:0:2:0:3:0:4:5']) {
    assert.equal(formatAddr(b, 0, parseAddr(a, b, 0)), a);
  }
  assert.equal(formatAddr(b, 0, parseAddr('2001:0db8:0000:0000:0000:0000:0000:0001', b, 0)), '2001:db8::1');
});

test('writer -> reader: flows, truth, sequence across several blocks', async () => {
  const p = join(dir, 'a.trace');
  const n = BLOCK_PACKETS * 2 + 123;
  const w = new TraceWriter(p);
  const ids = new Uint32Array(n), lens = new Uint16Array(n);
  for (let i = 0; i < n; i++) { ids[i] = (i * 7) % 3; lens[i] = 64 + (i % 1000); }
  w.write(ids.subarray(0, 10), lens.subarray(0, 10));
  for (let i = 10; i < 20; i++) w.push(ids[i], lens[i]);
  w.write(ids.subarray(20), lens.subarray(20));
  const h = w.finish(flows);
  assert.equal(h.packetCount, n);
  const t = await openTrace(p);
  assert.deepEqual(t.flows.map(({ packets: _p, bytes: _b, ...f }) => f), flows);
  const seq = t.readSequence();
  assert.deepEqual(seq.flowIds, ids);
  assert.deepEqual(seq.lengths, lens);
  const truth = truthOf(t);
  for (let f = 0; f < 3; f++) {
    let pk = 0, by = 0;
    for (let i = 0; i < n; i++) if (ids[i] === f) { pk++; by += lens[i]; }
    assert.equal(truth.packets[f], pk);
    assert.equal(truth.bytes[f], by);
  }
  let seen = 0;
  for await (const c of t.chunks()) { assert.ok(c.flowIds.length <= BLOCK_PACKETS); seen += c.flowIds.length; }
  assert.equal(seen, n);
  let k = 0;
  for await (const pk of t.packets()) { if (k < 5) assert.deepEqual(pk, { flowId: ids[k], len: lens[k] }); k++; }
  assert.equal(k, n);
  t.close();
});

test('a packet naming a missing flow is refused and leaves no file', () => {
  const p = join(dir, 'bad.trace');
  const w = new TraceWriter(p);
  w.push(5, 64);
  assert.throws(() => w.finish(flows), /flow 5/);
  assert.ok(!existsSync(p));
});

test('corrupt traces: truncated, bad flow id, wrong version', () => {
  const p = join(dir, 'c.trace');
  const w = new TraceWriter(p);
  const ids = new Uint32Array(1000).fill(1), lens = new Uint16Array(1000).fill(64);
  w.write(ids, lens);
  w.finish(flows);
  const good = readFileSync(p);
  const cut = join(dir, 'cut.trace');
  writeFileSync(cut, good.subarray(0, good.length - 30));
  assert.throws(() => openTraceSync(cut), /cut\.trace: byte \d+: truncated flow table/);
  const ver = Buffer.from(good); ver.writeUInt16LE(9, 8);
  writeFileSync(cut, ver);
  assert.throws(() => openTraceSync(cut), /byte 8: unsupported trace version 9/);
  const id = Buffer.from(good); id.writeUInt32LE(77, 64 + 8 + 4 * 10);
  writeFileSync(cut, id);
  const t = openTraceSync(cut);
  assert.throws(() => t.readSequence(), new RegExp(`byte ${64 + 8 + 40}: flow id 77`));
  t.close();
});
