/**
 * A driver's own statistics (`ethtool -S`), read with the SIOCETHTOOL ioctl.
 *
 * veth counts every frame its XDP program ran on, per receive queue and per
 * action (rx_queue_N_xdp_packets, ..._xdp_drops, ..._xdp_tx, ..._xdp_redirect),
 * whatever the program is. That lets the harness count what a program it did
 * not write processed, without the program's cooperation and without a probe
 * in the data path. Spawning `ethtool -S` takes milliseconds, as long as a
 * throughput slice; the ioctl takes microseconds.
 */
import { closeSync } from 'node:fs';
import { SketchbenchError } from '../errors.ts';
import { libbpf } from './libbpf.ts';
import { withNetns } from './netns.ts';

const AF_INET = 2;
const SOCK_DGRAM = 2;
const SIOCETHTOOL = 0x8946;
const ETHTOOL_GSTRINGS = 0x1b;
const ETHTOOL_GSTATS = 0x1d;
const ETHTOOL_GSSET_INFO = 0x37;
const ETH_SS_STATS = 1;
const ETH_GSTRING_LEN = 32;
const IFNAMSIZ = 16;
const PAD = new Uint8Array(16);

export class EthtoolStats {
  private readonly ifreq: Uint8Array;
  private statsBuf: Buffer;
  private closed = false;

  private constructor(private readonly fd: number, readonly ifname: string, public names: string[]) {
    this.ifreq = ifName(ifname);
    this.statsBuf = Buffer.alloc(8 + names.length * 8);
  }

  /** Open the statistics of `ifname` in network namespace `ns` (the socket stays bound to it). */
  static open(ns: string, ifname: string): EthtoolStats {
    const lb = libbpf();
    const fd = withNetns(ns, () => lb.socket(AF_INET, SOCK_DGRAM, 0)) as number;
    if (fd < 0) throw new SketchbenchError('testbed', `cannot open a socket in namespace ${ns} to read ${ifname}'s statistics: errno ${lb.errno()}`);
    try {
      const count = statsCount(fd, ifname);
      return new EthtoolStats(fd, ifname, statNames(fd, ifname, count));
    } catch (err) {
      closeSync(fd);
      throw err;
    }
  }

  /** Every statistic by name, as the driver reports it now. */
  read(): Map<string, bigint> {
    // The kernel copies as many values as the driver has now, whatever the buffer says:
    // some drivers add statistics when channels or XDP come up, so the count is asked every time.
    const count = statsCount(this.fd, this.ifname);
    if (count !== this.names.length) {
      this.names = statNames(this.fd, this.ifname, count);
      this.statsBuf = Buffer.alloc(8 + count * 8);
    }
    const buf = this.statsBuf;
    buf.fill(0);
    buf.writeUInt32LE(ETHTOOL_GSTATS, 0);
    buf.writeUInt32LE(this.names.length, 4);
    ethtool(this.fd, this.ifname, this.ifreq, buf, 'GSTATS');
    const out = new Map<string, bigint>();
    this.names.forEach((n, i) => out.set(n, buf.readBigUInt64LE(8 + i * 8)));
    return out;
  }

  /** Sums over receive queues of per-queue statistics, e.g. `xdp_packets` and `xdp_drops`, from one read. */
  rxQueueSums<K extends string>(stats: readonly K[]): Record<K, number> {
    const values = this.read();
    const out = {} as Record<K, number>;
    for (const stat of stats) {
      const re = new RegExp(`^rx_queue_\\d+_${stat}$`);
      let sum = 0n;
      for (const [name, v] of values) if (re.test(name)) sum += v;
      out[stat] = Number(sum);
    }
    return out;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    closeSync(this.fd);
  }
}

/** The 16-byte, NUL-padded interface name of a struct ifreq. */
function ifName(ifname: string): Uint8Array {
  if (Buffer.byteLength(ifname) >= IFNAMSIZ) throw new SketchbenchError('input', `interface name '${ifname}' is longer than ${IFNAMSIZ - 1} bytes`, { exitCode: 2 });
  const out = new Uint8Array(IFNAMSIZ);
  out.set(Buffer.from(ifname, 'latin1'));
  return out;
}

function ethtool(fd: number, ifname: string, ifreq: Uint8Array, data: Buffer, what: string): void {
  const lb = libbpf();
  if (lb.ioctlEthtool(fd, SIOCETHTOOL, { name: ifreq, data, pad: PAD }) !== 0) {
    throw new SketchbenchError('testbed', `cannot read ${ifname}'s driver statistics (ethtool ${what}): errno ${lb.errno()}; does the interface exist in that namespace?`);
  }
}

function statsCount(fd: number, ifname: string): number {
  const ifreq = ifName(ifname);
  // struct ethtool_sset_info: cmd, reserved, u64 sset_mask, then one u32 per set in the mask.
  const buf = Buffer.alloc(8 + 8 + 4);
  buf.writeUInt32LE(ETHTOOL_GSSET_INFO, 0);
  buf.writeBigUInt64LE(1n << BigInt(ETH_SS_STATS), 8);
  ethtool(fd, ifname, ifreq, buf, 'GSSET_INFO');
  if (buf.readBigUInt64LE(8) === 0n) return 0;
  return buf.readUInt32LE(16);
}

function statNames(fd: number, ifname: string, count: number): string[] {
  const ifreq = ifName(ifname);
  // struct ethtool_gstrings: cmd, string_set, len, then len strings of 32 bytes.
  const buf = Buffer.alloc(12 + count * ETH_GSTRING_LEN);
  buf.writeUInt32LE(ETHTOOL_GSTRINGS, 0);
  buf.writeUInt32LE(ETH_SS_STATS, 4);
  buf.writeUInt32LE(count, 8);
  ethtool(fd, ifname, ifreq, buf, 'GSTRINGS');
  const names: string[] = [];
  for (let i = 0; i < count; i++) {
    const raw = buf.subarray(12 + i * ETH_GSTRING_LEN, 12 + (i + 1) * ETH_GSTRING_LEN);
    names.push(raw.toString('latin1').replace(/\0.*$/s, ''));
  }
  return names;
}

