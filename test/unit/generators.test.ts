/**
 * What the generator drivers hand to their tools: command lines, Pktgen-DPDK's
 * command file, MoonGen's script, the kernel pktgen's /proc writes, checked
 * against the tools' documented formats; and the counters they are read by.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { txCountersOf } from '../../harness/traffic/generators/netdev-counters.ts';
import { tcpreplayArgs } from '../../harness/traffic/generators/tcpreplay.ts';
import { dpdkLcores, testpmdArgs, DPDK_PCAP_PACKETS } from '../../harness/traffic/generators/dpdk.ts';
import { pktgenArgs, pktgenBinary, pktgenCommands } from '../../harness/traffic/generators/pktgen-dpdk.ts';
import { moongenArgs, moongenScript } from '../../harness/traffic/generators/moongen.ts';
import { flowRanges, pktgenSent, pktgenWrites } from '../../harness/traffic/generators/kernel-pktgen.ts';
import { GENERATORS, generatorDriver } from '../../harness/traffic/generators/index.ts';
import { SketchbenchError } from '../../harness/errors.ts';

const target = { ns: 'sketchbench-0000abcd-gen', dev: 'sbg0000abcd', ifindex: 2, cpus: [1], pcapPath: '/tmp/x/trace.pcap', dstMac: '02:00:00:ab:cd:02', srcMac: '02:00:00:ab:cd:01', ratePps: 0 };

test('/proc/net/dev: transmit packets and drops of one interface', () => {
  const text = `Inter-|   Receive                                                |  Transmit
 face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed
    lo:       0       0    0    0    0     0          0         0        0       0    0    0    0     0       0          0
sbg0000abcd:     180       2    0    0    0     0          0         0 74511348 1164239    0   17    0     0       0          0
`;
  assert.deepEqual(txCountersOf(text, 'sbg0000abcd'), { packets: 1164239, dropped: 17 });
  assert.equal(txCountersOf(text, 'sbg0000abcd0'), undefined);
  assert.deepEqual(txCountersOf(text, 'lo'), { packets: 0, dropped: 0 });
});

test('tcpreplay: loop forever from memory, top speed or --pps', () => {
  assert.deepEqual(tcpreplayArgs(target), ['--topspeed', '--loop', '0', '-K', '-q', '-i', 'sbg0000abcd', '/tmp/x/trace.pcap']);
  assert.deepEqual(tcpreplayArgs({ ...target, ratePps: 100_000.4 }).slice(0, 2), ['--pps', '100000']);
  assert.throws(() => tcpreplayArgs({ ...target, pcapPath: undefined }), /replays a pcap/);
});

test('dpdk-testpmd: no hugepages or PCI, the pcap device looping onto the interface, two lcores on one core', () => {
  assert.equal(dpdkLcores([1]), '0@1,1@1');
  assert.equal(dpdkLcores([0, 1]), '0@0,1@1');
  const a = testpmdArgs(target, 'sketchbench-1-x');
  assert.deepEqual(a.slice(0, 4), ['--lcores', '0@1,1@1', '--no-huge', '-m']);
  assert.ok(a.includes('--no-pci'));
  assert.equal(a[a.indexOf('--file-prefix') + 1], 'sketchbench-1-x');
  assert.equal(a[a.indexOf('--vdev') + 1], 'net_pcap0,rx_pcap=/tmp/x/trace.pcap,tx_iface=sbg0000abcd,infinite_rx=1');
  const app = a.slice(a.indexOf('--') + 1);
  assert.deepEqual(app.slice(0, 3), ['--forward-mode=io', '--auto-start', '--nb-cores=1']);
  assert.ok(app.includes(`--total-num-mbufs=${DPDK_PCAP_PACKETS + 16_384}`));
  assert.throws(() => testpmdArgs({ ...target, pcapPath: '/tmp/a,b.pcap' }, 'p'), /cannot carry/);
});

test('Pktgen-DPDK: a command file of documented commands, the pcap on port 0, its rate in percent of 10G', () => {
  const cmds = pktgenCommands(target).split('\n').filter((l) => l && !l.startsWith('#'));
  assert.deepEqual(cmds, ['enable 0 pcap', 'set 0 rate 100', 'start 0']);
  const half = pktgenCommands({ ...target, ratePps: 7_440_476 }).split('\n');
  assert.ok(half.includes('set 0 rate 50'), half.join('|'));
  const a = pktgenArgs(target, '/tmp/x/pktgen.pkt');
  assert.equal(a[a.indexOf('--vdev') + 1], 'net_af_packet0,iface=sbg0000abcd');
  assert.deepEqual(a.slice(a.indexOf('--') + 1), ['-T', '-P', '-m', '1.0', '-s', '0:/tmp/x/trace.pcap', '-f', '/tmp/x/pktgen.pkt']);
  assert.ok(a.includes('--no-huge') && a[a.indexOf('-m') + 1] === '2048', 'Pktgen needs 2 GB without hugepages');
  assert.equal(pktgenBinary({ PATH: '/nonexistent' }), undefined);
});

test('MoonGen: a replay script with its configure/master/task functions, and its command line', () => {
  const s = moongenScript();
  for (const want of ['require "moongen"', 'require "pcap"', 'function configure(parser)', 'function master(args)', 'mg.startTask("replay"', 'pcap:newReader(file)', 'queue:sendN(bufs, n)', 'reader:reset()', 'while mg.running() do']) {
    assert.ok(s.includes(want), want);
  }
  assert.deepEqual(moongenArgs('/tmp/x/replay.lua', 0, target), ['/tmp/x/replay.lua', '0', '/tmp/x/trace.pcap']);
  assert.deepEqual(moongenArgs('/tmp/x/replay.lua', 1, { ...target, ratePps: 1e6 }).slice(-2), ['--rate-pps', '1000000']);
});

test('kernel pktgen: the /proc/net/pktgen writes of pktgen.txt, in order, starting last', () => {
  const ranges = flowRanges({
    header: { version: 1, flowCount: 3, packetCount: 6, byteCount: 384, flowTableOffset: 0, sequenceOffset: 0, truncatedRecords: 0, zeroLengthRecords: 0 },
    flows: [
      { src: '198.18.0.10', dst: '198.19.1.1', sport: 1000, dport: 53, proto: 17, family: 4, packets: 2, bytes: 128 },
      { src: '198.18.2.3', dst: '198.19.0.7', sport: 3000, dport: 80, proto: 17, family: 4, packets: 3, bytes: 192 },
      { src: '2001:db8::1', dst: '2001:db8::2', sport: 1, dport: 2, proto: 17, family: 6, packets: 1, bytes: 64 },
    ],
  });
  assert.deepEqual(ranges, { srcMin: '198.18.0.10', srcMax: '198.18.2.3', dstMin: '198.19.0.7', dstMax: '198.19.1.1', sportMin: 1000, sportMax: 3000, dportMin: 53, dportMax: 80, flows: 2, pktSize: 60 });
  const w = pktgenWrites({ ...ranges, dev: 'sbg0000abcd', dstMac: target.dstMac, ratePps: 500_000, cpu: 1 });
  assert.deepEqual(w[0], ['/proc/net/pktgen/kpktgend_1', 'rem_device_all']);
  assert.deepEqual(w[1], ['/proc/net/pktgen/kpktgend_1', 'add_device sbg0000abcd']);
  assert.deepEqual(w.at(-1), ['/proc/net/pktgen/pgctrl', 'start']);
  const dev = new Map(w.filter(([f]) => f === '/proc/net/pktgen/sbg0000abcd').map(([, l]) => [l.split(' ')[0], l.split(' ').slice(1).join(' ')]));
  assert.equal(dev.get('count'), '0');
  assert.equal(dev.get('dst_mac'), target.dstMac);
  assert.equal(dev.get('src_min'), '198.18.0.10');
  assert.equal(dev.get('udp_dst_max'), '80');
  assert.equal(dev.get('ratep'), '500000');
  assert.equal(pktgenSent('Result: OK: 1(c0+d1) usec, 1000 (60byte,0frags)\n  pkts-sofar: 123456  errors: 0\n'), 123456);
});

test('drivers by name; refusing ones say why in one line', async () => {
  assert.deepEqual(GENERATORS.map((g) => g.name), ['xdp-live', 'tcpreplay', 'dpdk', 'pktgen-dpdk', 'moongen', 'pktgen']);
  assert.throws(() => generatorDriver('trex'), (e: unknown) => e instanceof SketchbenchError && e.exitCode === 2 && /unknown generator 'trex'; use one of xdp-live, tcpreplay/.test(e.message));
  for (const g of GENERATORS) {
    const a = await g.available();
    assert.equal(a.detail.includes('\n'), false, `${g.name}: one line`);
    assert.ok(a.detail.length > 0);
  }
});
