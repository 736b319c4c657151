/**
 * The project's own corpus: one small capture per link type and encapsulation the importer
 * reads, built at run time, each compared with tshark: the number of frames it finds IP in
 * (`-Y 'ip or ipv6'`) and its per-flow counts of the outermost IP header.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import * as C from '../fixtures/trace/captures.ts';
import { cli, hasTshark, sorted, tcpdumpFlows, traceFlows, tmp, tsharkFlows, tsharkIpFrames } from './helpers.ts';

const skip = hasTshark() ? false : 'tshark is not installed (apt-get install tshark)';
const dir = tmp();
after(() => rmSync(dir, { recursive: true, force: true }));

/** Several flows: UDP, TCP, ICMP over IPv4; UDP and TCP over IPv6. */
function ips(): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < 4; i++) out.push(C.ipv4('198.18.0.1', '198.18.0.2', { proto: 17, sport: 1000, dport: 53 }));
  for (let i = 0; i < 3; i++) out.push(C.ipv4('198.18.0.3', '198.19.0.4', { proto: 6, sport: 40000, dport: 443 }));
  out.push(C.ipv4('198.18.0.5', '198.18.0.6', { proto: 1 }));
  for (let i = 0; i < 2; i++) out.push(C.ipv6('2001:db8::1', '2001:db8::2', { proto: 17, sport: 5000, dport: 6000 }));
  out.push(C.ipv6('2001:db8::a', '2001:db8:1::b', { proto: 6, sport: 1, dport: 2 }));
  return out;
}

/** Every case of the corpus: link type, IP frames (wrapped) and frames without IP. */
export const CORPUS: { name: string; linktype: number; ip: Buffer[]; nonIp: Buffer[]; reference?: 'tcpdump' }[] = [
  { name: 'ppp', linktype: 9, ip: ips().map((d) => C.ppp(d)), nonIp: [C.pppLcp()] },
  { name: 'ppp-bare', linktype: 9, ip: ips().map((d) => C.ppp(d, { bare: true })), nonIp: [C.LCP] },
  { name: 'ppp-hdlc', linktype: 50, ip: ips().map((d) => C.ppp(d)), nonIp: [C.pppLcp()] },
  { name: 'ppp-pppd', linktype: 166, ip: ips().map((d) => C.pppd(d)), nonIp: [], reference: 'tcpdump' },
  { name: 'ppp-ether', linktype: 51, ip: ips().map((d) => C.pppEther(d)), nonIp: [] },
  { name: 'ppp-with-dir', linktype: 204, ip: ips().map((d) => C.withDir(C.ppp(d))), nonIp: [C.withDir(C.pppLcp())] },
  { name: 'chdlc', linktype: 104, ip: ips().map((d) => C.chdlc(d)), nonIp: [C.chdlc(null)] },
  { name: 'frelay-nlpid', linktype: 107, ip: ips().map((d) => C.frelay(d, 'nlpid')), nonIp: [C.frelayLmi()] },
  { name: 'frelay-snap', linktype: 107, ip: ips().map((d) => C.frelay(d, 'snap')), nonIp: [C.frelayLmi()] },
  // Wireshark has no SLIP dissector (tshark shows the frames as data) and does not read
  // link type 166: tcpdump is the reference for both.
  { name: 'slip', linktype: 8, ip: ips().map((d) => C.slip(d)), nonIp: [], reference: 'tcpdump' },
  { name: 'wifi', linktype: 105, ip: ips().map((d, i) => C.wifi(d, { ds: ([1, 2, 3] as const)[i % 3] })), nonIp: [...C.wifiNonIp(), C.wifi(ips()[0], { protect: true })] },
  { name: 'wifi-qos', linktype: 105, ip: ips().map((d) => C.wifi(d, { qos: true })), nonIp: C.wifiNonIp() },
  { name: 'radiotap', linktype: 127, ip: ips().map((d) => C.radiotap(C.wifi(d))), nonIp: C.wifiNonIp().map((f) => C.radiotap(f)) },
  { name: 'radiotap-fcs', linktype: 127, ip: ips().map((d) => C.radiotap(C.wifi(d, { qos: true }), { fcs: true })), nonIp: C.wifiNonIp().map((f) => C.radiotap(f, { fcs: true })) },
  { name: 'prism', linktype: 119, ip: ips().map((d) => C.prism(C.wifi(d))), nonIp: C.wifiNonIp().map((f) => C.prism(f)) },
  { name: 'avs', linktype: 163, ip: ips().map((d) => C.avs(C.wifi(d))), nonIp: C.wifiNonIp().map((f) => C.avs(f)) },
  { name: 'nflog', linktype: 239, ip: ips().map((d) => C.nflog(d)), nonIp: [] },
  { name: 'ipnet', linktype: 226, ip: ips().map((d) => C.ipnet(d)), nonIp: [] },
  { name: 'sll', linktype: 113, ip: ips().map((d) => C.sll(d)), nonIp: [] },
  { name: 'sll2', linktype: 276, ip: ips().map((d) => C.sll2(d)), nonIp: [] },
  { name: 'eth-vlan', linktype: 1, ip: ips().map((d) => C.ethIp(d, [[0x8100, 10]])), nonIp: [C.arp()] },
  { name: 'eth-mpls', linktype: 1, ip: ips().map((d, i) => C.ethMpls(d, 1 + (i % 3))), nonIp: [C.arp()] },
  { name: 'eth-pppoe', linktype: 1, ip: ips().map((d) => C.ethPppoe(d)), nonIp: [C.ethPppoe(null), C.ethPppoeDiscovery()] },
  { name: 'eth-macsec', linktype: 1, ip: ips().map((d) => C.ethMacsec(d)), nonIp: [C.ethMacsec(ips()[0], { encrypted: true })] },
  { name: 'eth-nsh', linktype: 1, ip: ips().map((d, i) => C.ethNsh(d, { inner: i % 2 ? 'eth' : 'ip' })), nonIp: [C.arp()] },
  { name: 'eth-8023-snap', linktype: 1, ip: ips().map((d) => C.eth8023Snap(d)), nonIp: [C.arp()] },
];

for (const c of CORPUS) {
  test(`${c.name} (link type ${c.linktype}): IP frames and per-flow counts as ${c.reference ?? 'tshark'}`, { skip }, () => {
    // Non-IP frames go between IP ones so a parser that loses its place shows.
    const frames = [...c.ip];
    c.nonIp.forEach((f, i) => frames.splice(Math.min(frames.length, 1 + i * 3), 0, f));
    const f = C.write(join(dir, `${c.name}.pcap`), C.pcap(frames.map((data) => ({ data })), { linktype: c.linktype }));
    const out = join(dir, `${c.name}.trace`);
    const r = cli('trace', 'import', f, '-o', out, '--json');
    assert.equal(r.code, 0, r.stderr);
    const s = JSON.parse(r.stdout);
    const ref = c.reference === 'tcpdump' ? tcpdumpFlows(f) : tsharkFlows(f);
    const refIpFrames = c.reference === 'tcpdump' ? [...ref.values()].reduce((a, n) => a + n, 0) : tsharkIpFrames(f);
    assert.equal(s.packets, refIpFrames, 'frames with IP');
    assert.deepEqual([s.packets, s.nonIp, s.badIp], [c.ip.length, c.nonIp.length, 0]);
    assert.deepEqual(sorted(traceFlows(out)), sorted(ref));
  });
}
