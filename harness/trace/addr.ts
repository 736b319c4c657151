import { badInput } from '../errors.ts';

/** Text form of 4 (IPv4) or 16 (IPv6, RFC 5952: lowercase, longest zero run compressed) bytes. */
export function formatAddr(b: Uint8Array, off: number, family: 4 | 6): string {
  if (family === 4) return `${b[off]}.${b[off + 1]}.${b[off + 2]}.${b[off + 3]}`;
  const w: number[] = [];
  for (let i = 0; i < 8; i++) w.push((b[off + 2 * i] << 8) | b[off + 2 * i + 1]);
  let bestStart = -1, bestLen = 0;
  for (let i = 0; i < 8;) {
    if (w[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && w[j] === 0) j++;
    if (j - i > bestLen) { bestStart = i; bestLen = j - i; }
    i = j;
  }
  // RFC 5952 4.2.2: a single zero group is not compressed.
  if (bestLen < 2) return w.map((x) => x.toString(16)).join(':');
  const head = w.slice(0, bestStart).map((x) => x.toString(16)).join(':');
  const tail = w.slice(bestStart + bestLen).map((x) => x.toString(16)).join(':');
  return `${head}::${tail}`;
}

/** Parses an address into out[off..off+4 or 16); returns the family. Throws badInput. */
export function parseAddr(text: string, out: Uint8Array, off: number): 4 | 6 {
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(text)) {
    const parts = text.split('.').map(Number);
    if (parts.some((p) => p > 255)) throw badInput(`bad IPv4 address '${text}'`);
    parts.forEach((p, i) => { out[off + i] = p; });
    return 4;
  }
  const halves = text.split('::');
  if (halves.length > 2 || !/^[0-9a-fA-F:]+$/.test(text)) throw badInput(`bad IP address '${text}'`);
  const left = halves[0] ? halves[0].split(':') : [];
  const right = halves.length === 2 && halves[1] ? halves[1].split(':') : [];
  const missing = 8 - left.length - right.length;
  if ((halves.length === 1 && missing !== 0) || missing < 0 || (halves.length === 2 && missing < 1)) {
    throw badInput(`bad IPv6 address '${text}'`);
  }
  const groups = [...left, ...Array(halves.length === 2 ? missing : 0).fill('0'), ...right];
  groups.forEach((g, i) => {
    if (g.length === 0 || g.length > 4) throw badInput(`bad IPv6 address '${text}'`);
    const v = parseInt(g, 16);
    out[off + 2 * i] = v >> 8;
    out[off + 2 * i + 1] = v & 0xff;
  });
  return 6;
}

/** A CIDR prefix such as 198.18.0.0/15. */
export interface Prefix { family: 4 | 6; bytes: Uint8Array; bits: number }

export function parsePrefix(text: string): Prefix {
  const [a, b] = text.split('/');
  const bytes = new Uint8Array(16);
  const family = parseAddr(a, bytes, 0);
  const max = family === 4 ? 32 : 128;
  const bits = b === undefined ? max : Number(b);
  if (!Number.isInteger(bits) || bits < 0 || bits > max) throw badInput(`bad prefix length in '${text}'`);
  return { family, bytes: bytes.subarray(0, family === 4 ? 4 : 16), bits };
}
