/** Imports captures of every supported shape and checks per-flow counts against tshark. */
import { after, test } from 'node:test';
import { rmSync } from 'node:fs';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import * as C from '../fixtures/trace/captures.ts';
import { cli, hasTshark, sorted, traceFlows, tmp, tsharkFlows } from './helpers.ts';
import { openTraceSync } from '../../harness/trace/format.ts';

const skip = hasTshark() ? false : 'tshark is not installed (apt-get install tshark)';
const dir = tmp();
after(() => rmSync(dir, { recursive: true, force: true }));

/** A mixed bag of IP packets: several flows, TCP, UDP, ICMP, IPv6. */
function ips(): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < 5; i++) out.push(C.ipv4('198.18.0.1', '198.18.0.2', { proto: 17, sport: 1000, dport: 53 }));
  for (let i = 0; i < 3; i++) out.push(C.ipv4('198.18.0.3', '198.19.0.4', { proto: 6, sport: 40000, dport: 443 }));
  out.push(C.ipv4('198.18.0.5', '198.18.0.6', { proto: 1 }));
  for (let i = 0; i < 2; i++) out.push(C.ipv6('2001:db8::1', '2001:db8::2', { proto: 17, sport: 5000, dport: 6000 }));
  out.push(C.ipv6('2001:db8::a', '2001:db8:1::b', { proto: 6, sport: 1, dport: 2 }));
  return out;
}

function check(name: string, capture: Buffer): void {
  const pcapPath = C.write(join(dir, `${name}.cap`), capture);
  const out = join(dir, `${name}.trace`);
  const r = cli('trace', 'import', pcapPath, '-o', out);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(sorted(traceFlows(out)), sorted(tsharkFlows(pcapPath)));
}

test('Ethernet, both byte orders, micro- and nanosecond pcap', { skip }, () => {
  const recs = [...ips().map((d) => ({ data: C.ethIp(d) })), { data: C.arp() }];
  check('eth-le-us', C.pcap(recs, { linktype: 1 }));
  check('eth-be-us', C.pcap(recs, { linktype: 1, le: false }));
  check('eth-le-ns', C.pcap(recs, { linktype: 1, nano: true }));
  check('eth-be-ns', C.pcap(recs, { linktype: 1, le: false, nano: true }));
});

test('802.1Q VLAN and 802.1ad QinQ tags', { skip }, () => {
  check('vlan', C.pcap(ips().map((d) => ({ data: C.ethIp(d, [[0x8100, 10]]) })), { linktype: 1 }));
  check('qinq', C.pcap(ips().map((d) => ({ data: C.ethIp(d, [[0x88a8, 100], [0x8100, 10]]) })), { linktype: 1 }));
});

test('raw IP link types (CAIDA style): RAW, IPV4, IPV6', { skip }, () => {
  check('raw', C.pcap(ips().map((d) => ({ data: d })), { linktype: 101 }));
  check('rawv4', C.pcap(ips().filter((d) => d[0] >> 4 === 4).map((d) => ({ data: d })), { linktype: 228 }));
  check('rawv6', C.pcap(ips().filter((d) => d[0] >> 4 === 6).map((d) => ({ data: d })), { linktype: 229 }));
});

test('Linux cooked SLL and SLL2, BSD loopback', { skip }, () => {
  check('sll', C.pcap(ips().map((d) => ({ data: C.sll(d) })), { linktype: 113 }));
  check('sll2', C.pcap(ips().map((d) => ({ data: C.sll2(d) })), { linktype: 276 }));
  check('null', C.pcap(ips().map((d) => ({ data: C.nullLoop(d) })), { linktype: 0 }));
});

test('pcapng: several interfaces of different link types, big- and little-endian sections', { skip }, () => {
  const ip = ips();
  check('ng', C.pcapng([
    { le: true, ifaces: [{ linktype: 1 }, { linktype: 101 }], records: ip.map((d, i) => (i % 2 ? { data: d, iface: 1 } : { data: C.ethIp(d), iface: 0 })) },
    { le: false, ifaces: [{ linktype: 113 }], records: ip.map((d) => ({ data: C.sll(d) })) },
  ]));
});

test('IPv6 extension headers and fragments, IPv4 fragments (non-first ones get ports 0)', { skip }, () => {
  const u = { proto: 17, sport: 7777, dport: 8888, payload: 40 };
  const t = { proto: 6, sport: 3333, dport: 4444 };
  const frames = [
    C.ipv6('2001:db8::1', '2001:db8::2', u, [0]),
    C.ipv6('2001:db8::1', '2001:db8::2', u, [0, 60]),
    C.ipv6('2001:db8::3', '2001:db8::4', t, [60, 43]),
    C.ipv6('2001:db8::5', '2001:db8::6', u, [0], { offset8: 0, more: true }),
    C.ipv6('2001:db8::5', '2001:db8::6', u, [0], { offset8: 6, more: false }),
    C.ipv4('198.18.1.1', '198.18.1.2', u, { offset8: 0, more: true }),
    C.ipv4('198.18.1.1', '198.18.1.2', u, { offset8: 6, more: false }),
    C.ipv4('198.18.1.1', '198.18.1.2', u, { offset8: 12, more: false }),
  ];
  check('ext', C.pcap(frames.map((d) => ({ data: C.ethIp(d) })), { linktype: 1 }));
  const tr = openTraceSync(join(dir, 'ext.trace'));
  const zero = tr.flows.filter((f) => f.sport === 0 && f.dport === 0);
  tr.close();
  assert.equal(zero.reduce((a, f) => a + f.packets, 0), 3);
});

test('gen -> export -> import keeps flows and counts, and tshark agrees', { skip }, () => {
  const a = join(dir, 'g.trace'), p = join(dir, 'g.pcap'), b = join(dir, 'g2.trace');
  assert.equal(cli('trace', 'gen', '--flows', '2000', '--packets', '50000', '--ipv6', '0.25', '--proto', 'mix', '--size', 'imix', '--seed', '3', '-o', a).code, 0);
  assert.equal(cli('trace', 'export', a, '-o', p).code, 0);
  const r = cli('trace', 'import', p, '-o', b);
  assert.equal(r.code, 0, r.stderr);
  const ta = openTraceSync(a), tb = openTraceSync(b);
  try {
    assert.equal(tb.header.packetCount, ta.header.packetCount);
    assert.equal(tb.header.byteCount, ta.header.byteCount);
    // Importers number flows by first appearance; compare as sets with their truth.
    const key = (f: { src: string; dst: string; sport: number; dport: number; proto: number; packets: number; bytes: number }) =>
      `${f.src} ${f.dst} ${f.sport} ${f.dport} ${f.proto} ${f.packets} ${f.bytes}`;
    assert.deepEqual(tb.flows.map(key).sort(), ta.flows.map(key).sort());
    // The sequences describe the same packets in the same order.
    const sa = ta.readSequence(), sb = tb.readSequence();
    assert.deepEqual(sb.lengths, sa.lengths);
    const map = new Map<number, number>();
    for (let i = 0; i < sa.flowIds.length; i++) {
      const prev = map.get(sa.flowIds[i]);
      if (prev === undefined) map.set(sa.flowIds[i], sb.flowIds[i]);
      else assert.equal(sb.flowIds[i], prev);
    }
  } finally {
    ta.close(); tb.close();
  }
  assert.deepEqual(sorted(tsharkFlows(p)), sorted(traceFlows(a)));
});
