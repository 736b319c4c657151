/**
 * Frame -> 5-tuple. One function per layer, all writing into a caller-owned key (see
 * flowtable.ts for its layout) so the per-packet path allocates nothing.
 */

/** Link types this importer reads (tcpdump.org/linktypes.html). */
export const LINKTYPE = {
  NULL: 0, ETHERNET: 1, RAW: 101, LOOP: 108, LINUX_SLL: 113, IPV4: 228, IPV6: 229, LINUX_SLL2: 276,
} as const;
const KNOWN = new Set<number>(Object.values(LINKTYPE));
export function knownLinkType(lt: number): boolean {
  return KNOWN.has(lt);
}

/** parseFrame results that are not a frame length. */
export const NOT_IP = -1;
export const BAD_IP = -2;

const ETH_HEADER = 14;

/**
 * Fills key with the frame's 5-tuple and returns its length normalized to an untagged-or-as-
 * captured Ethernet frame without FCS: Ethernet frames keep their wire length (tags
 * included), other link types get 14 bytes of Ethernet header instead of their own. Returns
 * NOT_IP for frames that are not IPv4/IPv6 and BAD_IP when the IP header is cut or invalid.
 */
export function parseFrame(b: Uint8Array, off: number, caplen: number, origlen: number, linktype: number, key: Int32Array): number {
  const end = off + caplen;
  const wire = origlen > caplen ? origlen : caplen;
  let p: number, et: number;
  switch (linktype) {
    case 1: { // Ethernet, any number of 802.1Q / 802.1ad / old QinQ tags
      if (caplen < ETH_HEADER) return BAD_IP;
      et = (b[off + 12] << 8) | b[off + 13];
      p = off + ETH_HEADER;
      while (et === 0x8100 || et === 0x88a8 || et === 0x9100) {
        if (p + 4 > end) return NOT_IP;
        et = (b[p + 2] << 8) | b[p + 3];
        p += 4;
      }
      const r = parseIp(b, p, end, et, key);
      return r < 0 ? r : clampLen(wire);
    }
    case 101: case 228: case 229: // raw IP: the version nibble decides
      p = off;
      if (caplen < 1) return BAD_IP;
      et = (b[p] >> 4) === 4 ? 0x0800 : (b[p] >> 4) === 6 ? 0x86dd : 0;
      if (et === 0) return BAD_IP;
      break;
    case 113: // Linux cooked v1: protocol (an ethertype) at 14
      if (caplen < 16) return BAD_IP;
      et = (b[off + 14] << 8) | b[off + 15];
      p = off + 16;
      break;
    case 276: // Linux cooked v2: protocol first
      if (caplen < 20) return BAD_IP;
      et = (b[off] << 8) | b[off + 1];
      p = off + 20;
      break;
    case 0: case 108: { // BSD loopback: address family, writer's byte order (NULL) or network order (LOOP)
      if (caplen < 4) return BAD_IP;
      let af = linktype === 108
        ? ((b[off] << 24) | (b[off + 1] << 16) | (b[off + 2] << 8) | b[off + 3]) >>> 0
        : (b[off] | (b[off + 1] << 8) | (b[off + 2] << 16) | (b[off + 3] << 24)) >>> 0;
      if (af > 0xffff) af = ((af >>> 24) | ((af >>> 8) & 0xff00)) >>> 0; // written big-endian
      // AF_INET is 2 everywhere; AF_INET6 is 10 (Linux), 24 (Net/OpenBSD), 28 (FreeBSD), 30 (macOS).
      et = af === 2 ? 0x0800 : (af === 10 || af === 24 || af === 28 || af === 30) ? 0x86dd : 0;
      p = off + 4;
      break;
    }
    default:
      return NOT_IP;
  }
  const r = parseIp(b, p, end, et, key);
  if (r < 0) return r;
  return clampLen(wire - (p - off) + ETH_HEADER);
}

function clampLen(n: number): number {
  return n > 65535 ? 65535 : n;
}

/** Returns 0 on success, NOT_IP or BAD_IP. */
function parseIp(b: Uint8Array, p: number, end: number, et: number, key: Int32Array): number {
  if (et === 0x0800) {
    if (p + 20 > end || (b[p] >> 4) !== 4) return BAD_IP;
    const ihl = (b[p] & 15) * 4;
    if (ihl < 20) return BAD_IP;
    const proto = b[p + 9];
    const fragOff = ((b[p + 6] & 0x1f) << 8) | b[p + 7];
    key[0] = (4 << 8) | proto;
    key[2] = (b[p + 12] << 24) | (b[p + 13] << 16) | (b[p + 14] << 8) | b[p + 15];
    key[3] = 0; key[4] = 0; key[5] = 0;
    key[6] = (b[p + 16] << 24) | (b[p + 17] << 16) | (b[p + 18] << 8) | b[p + 19];
    key[7] = 0; key[8] = 0; key[9] = 0;
    const l4 = p + ihl;
    // Non-first fragments carry no L4 header: their ports are 0, as in tshark without reassembly.
    key[1] = fragOff === 0 && (proto === 6 || proto === 17) && l4 + 4 <= end
      ? (b[l4] << 24) | (b[l4 + 1] << 16) | (b[l4 + 2] << 8) | b[l4 + 3] : 0;
    return 0;
  }
  if (et === 0x86dd) {
    if (p + 40 > end || (b[p] >> 4) !== 6) return BAD_IP;
    let nh = b[p + 6];
    let q = p + 40;
    let portsOk = true;
    // Walk the extension header chain; a bounded loop so a crafted chain cannot spin.
    for (let n = 0; n < 16; n++) {
      if (nh === 0 || nh === 43 || nh === 60 || nh === 135 || nh === 139 || nh === 140) {
        if (q + 2 > end) { portsOk = false; break; }
        nh = b[q]; q += (b[q + 1] + 1) * 8;
      } else if (nh === 51) { // AH counts 4-byte units, minus 2
        if (q + 2 > end) { portsOk = false; break; }
        nh = b[q]; q += (b[q + 1] + 2) * 4;
      } else if (nh === 44) {
        if (q + 8 > end) { portsOk = false; break; }
        const fo = ((b[q + 2] << 8) | b[q + 3]) >> 3;
        nh = b[q]; q += 8;
        if (fo !== 0) portsOk = false;
        if (!portsOk) break;
      } else break;
    }
    key[0] = (6 << 8) | nh;
    for (let w = 0; w < 4; w++) {
      const s = p + 8 + w * 4, d = p + 24 + w * 4;
      key[2 + w] = (b[s] << 24) | (b[s + 1] << 16) | (b[s + 2] << 8) | b[s + 3];
      key[6 + w] = (b[d] << 24) | (b[d + 1] << 16) | (b[d + 2] << 8) | b[d + 3];
    }
    key[1] = portsOk && (nh === 6 || nh === 17) && q + 4 <= end
      ? (b[q] << 24) | (b[q + 1] << 16) | (b[q + 2] << 8) | b[q + 3] : 0;
    return 0;
  }
  return NOT_IP;
}
