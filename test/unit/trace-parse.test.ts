/** The frame parser per link type, compression sniffing and merge order: in-process, no tools. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as C from '../fixtures/trace/captures.ts';
import { BAD_IP, NOT_IP, parseFrame } from '../../harness/trace/parse.ts';
import { KEY_WORDS } from '../../harness/trace/flowtable.ts';
import { sniffCompression } from '../../harness/trace/decompress.ts';
import { mergeRecords } from '../../harness/trace/merge.ts';
import type { RecordReader } from '../../harness/trace/capture.ts';

const udp4 = C.ipv4('198.18.0.1', '198.18.0.2', { proto: 17, sport: 1000, dport: 53 });
const tcp6 = C.ipv6('2001:db8::1', '2001:db8::2', { proto: 6, sport: 5000, dport: 443 });

/** The key parseFrame fills for a frame, and the length it returns. */
function parse(frame: Buffer, linktype: number, caplen = frame.length): { len: number; key: number[] } {
  const key = new Int32Array(KEY_WORDS);
  const len = parseFrame(frame, 0, caplen, frame.length, linktype, key);
  return { len, key: [...key] };
}

const want4 = parse(C.ethIp(udp4), 1).key;
const want6 = parse(C.ethIp(tcp6), 1).key;

test('the Ethernet keys the other cases are compared with', () => {
  assert.equal(want4[0], (4 << 8) | 17);
  assert.equal(want4[1], (1000 << 16) | 53);
  assert.equal(want6[0], (6 << 8) | 6);
});

// Each wrapper: link type, and the frame around an IP packet.
const WRAP: [string, number, (ip: Buffer) => Buffer][] = [
  ['PPP', 9, (d) => C.ppp(d)],
  ['PPP without address/control', 9, (d) => C.ppp(d, { bare: true })],
  ['PPP in HDLC framing', 50, (d) => C.ppp(d)],
  ['Cisco HDLC in PPP_HDLC', 50, (d) => C.chdlc(d)],
  ['Cisco HDLC', 104, (d) => C.chdlc(d)],
  ['pppd framing', 166, (d) => C.pppd(d)],
  ['PPPoE without Ethernet', 51, (d) => C.pppEther(d)],
  ['PPP with direction', 204, (d) => C.withDir(C.ppp(d))],
  ['Frame Relay NLPID', 107, (d) => C.frelay(d, 'nlpid')],
  ['Frame Relay SNAP', 107, (d) => C.frelay(d, 'snap')],
  ['Frame Relay Cisco', 107, (d) => C.frelay(d, 'cisco')],
  ['SLIP', 8, (d) => C.slip(d)],
  ['802.11 to-DS', 105, (d) => C.wifi(d, { ds: 1 })],
  ['802.11 WDS (four addresses)', 105, (d) => C.wifi(d, { ds: 3 })],
  ['802.11 QoS', 105, (d) => C.wifi(d, { qos: true })],
  ['802.11 QoS A-MSDU', 105, (d) => C.wifi(d, { qos: true, amsdu: true })],
  ['radiotap', 127, (d) => C.radiotap(C.wifi(d))],
  ['Prism', 119, (d) => C.prism(C.wifi(d))],
  ['AVS in Prism link type', 119, (d) => C.avs(C.wifi(d))],
  ['AVS', 163, (d) => C.avs(C.wifi(d))],
  ['NFLOG', 239, (d) => C.nflog(d)],
  ['IPNET', 226, (d) => C.ipnet(d)],
  ['SLL2', 276, (d) => C.sll2(d)],
];

for (const [name, lt, wrap] of WRAP) {
  test(`${name}: the outermost IP header's 5-tuple, length as Ethernet + IP`, () => {
    for (const [ip, want] of [[udp4, want4], [tcp6, want6]] as const) {
      const r = parse(wrap(ip), lt);
      assert.deepEqual(r.key, want);
      assert.equal(r.len, 14 + ip.length);
    }
  });
}

test('Ethernet keeps its wire length through MPLS stacks, PPPoE, MACsec, NSH and 802.3 SNAP', () => {
  for (const f of [C.ethMpls(udp4, 1), C.ethMpls(udp4, 3), C.ethPppoe(udp4), C.eth8023Snap(udp4), C.ethIp(udp4, [[0x88a8, 1], [0x8100, 2]]),
    C.ethMacsec(udp4), C.ethNsh(udp4), C.ethNsh(udp4, { inner: 'eth' })]) {
    const r = parse(f, 1);
    assert.deepEqual(r.key, want4);
    assert.equal(r.len, f.length);
  }
});

test('radiotap with an FCS: the 4 trailing bytes are not frame', () => {
  assert.equal(parse(C.radiotap(C.wifi(udp4), { fcs: true }), 127).len, 14 + udp4.length);
});

test('frames without IP: 802.11 management, control, null and protected data; LCP, SLARP, LMI, PPPoE discovery, encrypted MACsec', () => {
  for (const f of C.wifiNonIp()) assert.equal(parse(f, 105).len, NOT_IP);
  assert.equal(parse(C.wifi(udp4, { protect: true }), 105).len, NOT_IP);
  assert.equal(parse(C.pppLcp(), 9).len, NOT_IP);
  assert.equal(parse(C.chdlc(null), 104).len, NOT_IP);
  assert.equal(parse(C.frelayLmi(), 107).len, NOT_IP);
  assert.equal(parse(C.ethPppoe(null), 1).len, NOT_IP);
  assert.equal(parse(C.ethPppoeDiscovery(), 1).len, NOT_IP);
  assert.equal(parse(C.ethMacsec(udp4, { encrypted: true }), 1).len, NOT_IP);
});

test('a cut IP header behind any link layer is BAD_IP; a cut link layer is never read past its end', () => {
  assert.equal(parse(C.ppp(udp4), 9, 2 + 2 + 10).len, BAD_IP);
  assert.equal(parse(C.radiotap(C.wifi(tcp6)), 127, 24 + 24 + 8 + 20).len, BAD_IP);
  // Every prefix of every wrapped frame: no exception, and a frame taken as IP has the right
  // addresses (ports only when the L4 header made it into the capture).
  for (const [name, lt, wrap] of WRAP) {
    const f = wrap(udp4);
    for (let n = 0; n < f.length; n++) {
      const r = parse(f.subarray(0, n), lt);
      if (r.len < 0) continue;
      assert.deepEqual([r.key[0], ...r.key.slice(2)], [want4[0], ...want4.slice(2)], `${name}, ${n} bytes`);
      assert.ok(r.key[1] === want4[1] || r.key[1] === 0, `${name}, ${n} bytes: ports`);
    }
  }
});

test('compression is told by magic bytes', () => {
  assert.equal(sniffCompression(Buffer.from([0x1f, 0x8b, 8, 0])), 'gzip');
  assert.equal(sniffCompression(Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0])), 'zstd');
  assert.equal(sniffCompression(Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00])), 'xz');
  assert.equal(sniffCompression(Buffer.from([0xd4, 0xc3, 0xb2, 0xa1])), null);
  assert.equal(sniffCompression(Buffer.from([0xfd, 0x37, 0x7a])), null, 'too short to be sure');
});

/** A reader over a list of [sec, nsec, tag] records. */
function fake(name: string, recs: [number, number, number][]): RecordReader & { tag: number } {
  let i = -1;
  return {
    name, stats: { format: 'pcap', skippedRecords: 0, truncatedRecords: 0, zeroLengthRecords: 0 },
    buf: Buffer.alloc(0), off: 0, caplen: 0, origlen: 0, linktype: 1, tsSec: 0, tsNsec: 0, tag: 0,
    next() {
      if (++i >= recs.length) return false;
      [this.tsSec, this.tsNsec, this.tag] = recs[i];
      return true;
    },
  };
}

test('merge: timestamp order across readers, seconds before nanoseconds, equal stamps to the reader named last', () => {
  const a = fake('a', [[1, 0, 1], [1, 500, 3], [2, 0, 6], [3, 0, 8]]);
  const b = fake('b', [[1, 100, 2], [1, 500, 4], [1, 999999999, 5]]);
  const c = fake('c', []);
  const d = fake('d', [[2, 0, 7]]);
  const got: number[] = [];
  mergeRecords([a, b, c, d], (r) => got.push((r as typeof a).tag));
  assert.deepEqual(got, [1, 2, 4, 3, 5, 7, 6, 8]);
  const one: number[] = [];
  mergeRecords([fake('x', [[5, 0, 1], [4, 0, 2]])], (r) => one.push((r as typeof a).tag));
  assert.deepEqual(one, [1, 2], 'one input keeps its own order, even when its stamps go back');
});
