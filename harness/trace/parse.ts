/**
 * Frame -> 5-tuple of its outermost IP header. One function per layer, all writing into a
 * caller-owned key (see flowtable.ts for its layout) so the per-packet path allocates
 * nothing. Each link layer is peeled down to an ethertype (or straight to IP), then
 * etherPayload() follows VLAN tags, MPLS label stacks and PPPoE sessions to the IP header.
 */

/** Link types this importer reads (tcpdump.org/linktypes.html). */
export const LINKTYPE = {
  NULL: 0, ETHERNET: 1, SLIP: 8, PPP: 9, PPP_HDLC: 50, RAW: 101, C_HDLC: 104, IEEE802_11: 105,
  FRELAY: 107, LOOP: 108, LINUX_SLL: 113, IEEE802_11_PRISM: 119, IEEE802_11_RADIOTAP: 127,
  IEEE802_11_AVS: 163, IPNET: 226, IPV4: 228, IPV6: 229, NFLOG: 239, LINUX_SLL2: 276,
  PPP_ETHER: 51, PPP_PPPD: 166, PPP_WITH_DIR: 204,
} as const;
const KNOWN = new Set<number>(Object.values(LINKTYPE));
export function knownLinkType(lt: number): boolean {
  return KNOWN.has(lt);
}

/** parseFrame results that are not a frame length. */
export const NOT_IP = -1;
export const BAD_IP = -2;

const ETH_HEADER = 14;
const ET_IPV4 = 0x0800, ET_IPV6 = 0x86dd;

// Where the IP header starts, and how many trailing bytes (an 802.11 FCS) are not frame:
// set by the layer functions, read by parseFrame. Module state keeps results allocation-free.
let ipAt = 0;
let trailer = 0;

/**
 * Fills key with the frame's 5-tuple and returns its length normalized to an untagged-or-as-
 * captured Ethernet frame without FCS: Ethernet frames keep their wire length (tags, MPLS
 * labels and PPPoE headers included), other link types get 14 bytes of Ethernet header
 * instead of everything before their IP header. Returns NOT_IP for frames without IPv4/IPv6
 * and BAD_IP when the IP header is cut or invalid.
 */
export function parseFrame(b: Uint8Array, off: number, caplen: number, origlen: number, linktype: number, key: Int32Array): number {
  const end = off + caplen;
  const wire = origlen > caplen ? origlen : caplen;
  trailer = 0;
  let r: number;
  switch (linktype) {
    case 1: // Ethernet
      if (caplen < ETH_HEADER) return BAD_IP;
      r = etherPayload(b, off + ETH_HEADER, end, be16(b, off + 12), key);
      return r < 0 ? r : clampLen(wire);
    case 101: case 228: case 229: // raw IP: the version nibble decides
      r = rawIp(b, off, end, key);
      break;
    case 113: // Linux cooked v1: protocol (an ethertype) at 14
      if (caplen < 16) return BAD_IP;
      r = etherPayload(b, off + 16, end, be16(b, off + 14), key);
      break;
    case 276: // Linux cooked v2: protocol first
      if (caplen < 20) return BAD_IP;
      r = etherPayload(b, off + 20, end, be16(b, off), key);
      break;
    case 0: case 108:
      r = loopback(b, off, end, linktype === 108, key);
      break;
    case 8: // SLIP: libpcap's 16-byte pseudo-header (direction, then compression state)
      r = caplen < 17 ? NOT_IP : rawIp(b, off + 16, end, key);
      break;
    case 9: // PPP, with or without the HDLC address and control bytes
      r = b[off] === 0xff && b[off + 1] === 0x03 ? ppp(b, off + 2, end, key) : ppp(b, off, end, key);
      break;
    case 50: // PPP in HDLC framing; Cisco HDLC shows up here too (address 0x0f or 0x8f)
      r = b[off] === 0x0f || b[off] === 0x8f ? ciscoHdlc(b, off, end, key) : ppp(b, off + 2, end, key);
      break;
    case 104:
      r = ciscoHdlc(b, off, end, key);
      break;
    case 107:
      r = frameRelay(b, off, end, key);
      break;
    case 166: // pppd's own: a direction byte in place of the HDLC address, then control
      r = ppp(b, off + 2, end, key);
      break;
    case 51: // PPPoE session header without its Ethernet header
      r = ppp(b, off + 6, end, key);
      break;
    case 204: // a direction byte, then PPP as in link type 9
      r = b[off + 1] === 0xff && b[off + 2] === 0x03 ? ppp(b, off + 3, end, key) : ppp(b, off + 1, end, key);
      break;
    case 105:
      r = wifi(b, off, end, key);
      break;
    case 127:
      r = radiotap(b, off, end, key);
      break;
    case 119: case 163:
      r = prismOrAvs(b, off, end, key);
      break;
    case 239:
      r = nflog(b, off, end, key);
      break;
    case 226: // Solaris ipnet: 24-byte header, address family at 1 (2 IPv4, 26 IPv6)
      if (caplen < 24) return NOT_IP;
      r = b[off + 1] === 2 ? parseIp(b, off + 24, end, ET_IPV4, key) : b[off + 1] === 26 ? parseIp(b, off + 24, end, ET_IPV6, key) : NOT_IP;
      if (r === 0) ipAt = off + 24;
      break;
    default:
      return NOT_IP;
  }
  if (r < 0) return r;
  return clampLen(wire - (ipAt - off) - trailer + ETH_HEADER);
}

function be16(b: Uint8Array, p: number): number {
  return (b[p] << 8) | b[p + 1];
}

function clampLen(n: number): number {
  return n > 65535 ? 65535 : n;
}

function rawIp(b: Uint8Array, p: number, end: number, key: Int32Array): number {
  if (p >= end) return BAD_IP;
  const v = b[p] >> 4;
  if (v !== 4 && v !== 6) return BAD_IP;
  ipAt = p;
  return parseIp(b, p, end, v === 4 ? ET_IPV4 : ET_IPV6, key);
}

/**
 * The payload of an ethertype: 802.1Q/802.1ad/old QinQ tags, MPLS label stacks (the payload
 * after the bottom label is IP when its version nibble says so, as tshark guesses), PPPoE
 * sessions, unencrypted MACsec, NSH, 802.3 length fields followed by LLC/SNAP.
 */
function etherPayload(b: Uint8Array, p: number, end: number, et: number, key: Int32Array): number {
  for (let n = 0; n < 32; n++) {
    if (et === ET_IPV4 || et === ET_IPV6) {
      ipAt = p;
      return parseIp(b, p, end, et, key);
    }
    if (et === 0x8100 || et === 0x88a8 || et === 0x9100) {
      if (p + 4 > end) return NOT_IP;
      et = be16(b, p + 2); p += 4;
    } else if (et === 0x8847 || et === 0x8848) {
      for (;;) { // labels until the bottom-of-stack bit
        if (p + 4 > end) return NOT_IP;
        const bos = b[p + 2] & 1;
        p += 4;
        if (bos) break;
      }
      return p < end ? mplsPayload(b, p, end, key) : NOT_IP;
    } else if (et === 0x8864) { // PPPoE session: 6-byte header, then a PPP protocol
      if (p + 8 > end) return NOT_IP;
      return ppp(b, p + 6, end, key);
    } else if (et === 0x88e5) { // MACsec: only integrity-protected (unencrypted) frames show IP
      if (p + 6 > end || (b[p] & 0x0c) !== 0) return NOT_IP;
      const tag = (b[p] & 0x20) ? 14 : 6; // SecTAG, with the SCI when the SC bit is set
      if (p + tag + 2 > end) return NOT_IP;
      et = be16(b, p + tag); p += tag + 2;
    } else if (et === 0x894f) { // NSH: length in 4-byte words, next protocol 1 IPv4, 2 IPv6, 3 Ethernet
      if (p + 4 > end) return NOT_IP;
      const len = (b[p + 1] & 0x3f) * 4, next = b[p + 3];
      if (len < 4) return NOT_IP;
      p += len;
      if (next === 1) et = ET_IPV4;
      else if (next === 2) et = ET_IPV6;
      else if (next === 3 && p + ETH_HEADER <= end) { et = be16(b, p + 12); p += ETH_HEADER; } else return NOT_IP;
    } else if (et <= 1500) { // 802.3 length: LLC/SNAP may carry an ethertype
      if (p + 8 > end || b[p] !== 0xaa || b[p + 1] !== 0xaa || b[p + 2] !== 0x03) return NOT_IP;
      et = be16(b, p + 6); p += 8;
    } else return NOT_IP;
  }
  return NOT_IP;
}

function mplsPayload(b: Uint8Array, p: number, end: number, key: Int32Array): number {
  const v = b[p] >> 4;
  if (v !== 4 && v !== 6) return NOT_IP;
  ipAt = p;
  return parseIp(b, p, end, v === 4 ? ET_IPV4 : ET_IPV6, key);
}

/** A PPP protocol field (one byte when compressed, RFC 1661 section 6.5) and its payload. */
function ppp(b: Uint8Array, p: number, end: number, key: Int32Array): number {
  if (p >= end) return NOT_IP;
  let proto: number;
  if (b[p] & 1) { proto = b[p]; p += 1; } else { if (p + 2 > end) return NOT_IP; proto = be16(b, p); p += 2; }
  if (proto === 0x0021) return etherPayload(b, p, end, ET_IPV4, key);
  if (proto === 0x0057) return etherPayload(b, p, end, ET_IPV6, key);
  if (proto === 0x0281) return etherPayload(b, p, end, 0x8847, key);
  if (proto === 0x0283) return etherPayload(b, p, end, 0x8848, key);
  return NOT_IP;
}

/** Cisco HDLC: address, control, then an ethertype. */
function ciscoHdlc(b: Uint8Array, p: number, end: number, key: Int32Array): number {
  if (p + 4 > end) return NOT_IP;
  return etherPayload(b, p + 4, end, be16(b, p + 2), key);
}

/**
 * Frame Relay: a Q.922 address (2 to 4 bytes, the last with its EA bit set), then either
 * RFC 2427 (UI control 0x03, optional pad, NLPID: 0xcc IPv4, 0x8e IPv6, 0x80 SNAP) or
 * Cisco's encapsulation (an ethertype right after the address).
 */
function frameRelay(b: Uint8Array, p: number, end: number, key: Int32Array): number {
  let q = p;
  while (q < end && q - p < 4 && !(b[q] & 1)) q++;
  q++;
  if (q - p < 2 || q + 2 > end) return NOT_IP;
  if (b[q] !== 0x03) return etherPayload(b, q + 2, end, be16(b, q), key);
  q++;
  if (b[q] === 0x00) q++;
  const nlpid = b[q++];
  if (nlpid === 0xcc) return etherPayload(b, q, end, ET_IPV4, key);
  if (nlpid === 0x8e) return etherPayload(b, q, end, ET_IPV6, key);
  if (nlpid === 0x80 && q + 5 <= end && b[q] === 0 && b[q + 1] === 0 && b[q + 2] === 0) return etherPayload(b, q + 5, end, be16(b, q + 3), key);
  return NOT_IP;
}

/**
 * An 802.11 frame: only unprotected data frames that carry a body have IP (LLC/SNAP, then
 * an ethertype); management, control, null-data and encrypted frames count as non-IP.
 */
function wifi(b: Uint8Array, p: number, end: number, key: Int32Array): number {
  if (p + 24 > end) return NOT_IP;
  const fc0 = b[p], fc1 = b[p + 1];
  const subtype = fc0 >> 4;
  if (((fc0 >> 2) & 3) !== 2 || (subtype & 4) || (fc1 & 0x40)) return NOT_IP;
  let h = (fc1 & 3) === 3 ? 30 : 24; // four addresses when both To-DS and From-DS
  let amsdu = false;
  if (subtype & 8) { // QoS data: a QoS control field, and an HT control field when Order is set
    amsdu = (b[p + h] & 0x80) !== 0;
    h += (fc1 & 0x80) ? 6 : 2;
  }
  let q = p + h;
  if (amsdu) q += 14; // the first A-MSDU subframe's DA, SA and length
  if (q + 8 > end || b[q] !== 0xaa || b[q + 1] !== 0xaa || b[q + 2] !== 0x03) return NOT_IP;
  return etherPayload(b, q + 8, end, be16(b, q + 6), key);
}

/** Radiotap: the length is at 2 (little-endian); the Flags field says whether an FCS trails. */
function radiotap(b: Uint8Array, p: number, end: number, key: Int32Array): number {
  if (p + 8 > end || b[p] !== 0) return NOT_IP;
  const len = b[p + 2] | (b[p + 3] << 8);
  if (len < 8 || p + len > end) return NOT_IP;
  const present = (b[p + 4] | (b[p + 5] << 8) | (b[p + 6] << 16) | (b[p + 7] << 24)) >>> 0;
  let fcs = false;
  if (present & 2) {
    let f = 4;
    while (f + 4 <= len && (b[p + f + 3] & 0x80)) f += 4; // extended present bitmaps
    f += 4;
    if (present & 1) f = ((f + 7) & ~7) + 8; // TSFT, 8-byte aligned, comes before Flags
    fcs = f < len && (b[p + f] & 0x10) !== 0;
  }
  const r = wifi(b, p + len, fcs ? end - 4 : end, key);
  if (fcs) trailer = 4;
  return r;
}

/** Prism (144 bytes) or AVS (its own length, big-endian at 4) headers before 802.11. */
function prismOrAvs(b: Uint8Array, p: number, end: number, key: Int32Array): number {
  if (p + 8 > end) return NOT_IP;
  const avs = (((b[p] << 24 | b[p + 1] << 16 | b[p + 2] << 8 | b[p + 3]) & 0xfffffff0) >>> 0) === 0x80211000;
  const len = avs ? ((b[p + 4] << 24 | b[p + 5] << 16 | b[p + 6] << 8 | b[p + 7]) >>> 0) : 144;
  if (len < 8 || p + len > end) return NOT_IP;
  return wifi(b, p + len, end, key);
}

/**
 * NFLOG: a 4-byte header (address family first), then TLVs whose length and type are in the
 * capturing host's byte order; the packet is the NFULA_PAYLOAD (type 9) TLV. The byte order
 * is taken from whichever reading gives a first TLV that fits.
 */
function nflog(b: Uint8Array, p: number, end: number, key: Int32Array): number {
  if (p + 8 > end) return NOT_IP;
  const leLen = b[p + 4] | (b[p + 5] << 8);
  const le = leLen >= 4 && p + 4 + leLen <= end;
  let q = p + 4;
  while (q + 4 <= end) {
    const len = le ? b[q] | (b[q + 1] << 8) : be16(b, q);
    const type = (le ? b[q + 2] | (b[q + 3] << 8) : be16(b, q + 2)) & 0x3fff;
    if (len < 4) return NOT_IP;
    if (type === 9) {
      // The payload is the packet; TLV padding and any TLV after it are not.
      trailer = end > q + len ? end - (q + len) : 0;
      return rawIp(b, q + 4, Math.min(end, q + len), key);
    }
    q += (len + 3) & ~3;
  }
  return NOT_IP;
}

/** BSD loopback: address family, in the writer's byte order (NULL) or network order (LOOP). */
function loopback(b: Uint8Array, p: number, end: number, net: boolean, key: Int32Array): number {
  if (p + 4 > end) return BAD_IP;
  let af = net
    ? ((b[p] << 24) | (b[p + 1] << 16) | (b[p + 2] << 8) | b[p + 3]) >>> 0
    : (b[p] | (b[p + 1] << 8) | (b[p + 2] << 16) | (b[p + 3] << 24)) >>> 0;
  if (af > 0xffff) af = ((af >>> 24) | ((af >>> 8) & 0xff00)) >>> 0; // written big-endian
  // AF_INET is 2 everywhere; AF_INET6 is 10 (Linux), 24 (Net/OpenBSD), 28 (FreeBSD), 30 (macOS).
  const et = af === 2 ? ET_IPV4 : (af === 10 || af === 24 || af === 28 || af === 30) ? ET_IPV6 : 0;
  if (et === 0) return NOT_IP;
  ipAt = p + 4;
  return parseIp(b, p + 4, end, et, key);
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
