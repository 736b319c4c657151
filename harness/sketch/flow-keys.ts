/**
 * The 40-byte kernel keys (struct flow_key) of every flow of a trace, computed
 * once into one contiguous buffer. Estimation and the reference model both
 * hash every flow; parsing a million address strings per use would dominate
 * their run time, and one buffer avoids a million small allocations.
 */
import { FLOW_KEY_BYTES, flowKeyBytes, type FlowTuple } from './hash.ts';

/** Keys of flows[0..n): key i is bytes [40i, 40i+40). */
export function flowKeys(flows: readonly FlowTuple[]): Uint8Array {
  const out = new Uint8Array(flows.length * FLOW_KEY_BYTES);
  for (let i = 0; i < flows.length; i++) {
    const f = flows[i];
    const o = i * FLOW_KEY_BYTES;
    // Traces are mostly IPv4: the fast parser skips addressBytes' regexes and
    // allocations; anything it does not accept goes the checked, general way.
    if (writeIPv4Mapped(f.src, out, o) && writeIPv4Mapped(f.dst, out, o + 16)) {
      out[o + 32] = (f.sport >>> 8) & 0xff;
      out[o + 33] = f.sport & 0xff;
      out[o + 34] = (f.dport >>> 8) & 0xff;
      out[o + 35] = f.dport & 0xff;
      out[o + 36] = f.proto & 0xff;
    } else {
      flowKeyBytes(f, out.subarray(o, o + FLOW_KEY_BYTES));
    }
  }
  return out;
}

/** Number of keys in a buffer made by flowKeys(). */
export function keyCount(keys: Uint8Array): number {
  return Math.floor(keys.length / FLOW_KEY_BYTES);
}

/** Key i as a view (no copy) into the buffer. */
export function keyAt(keys: Uint8Array, i: number): Uint8Array {
  return keys.subarray(i * FLOW_KEY_BYTES, (i + 1) * FLOW_KEY_BYTES);
}

/**
 * Strict dotted quad (four decimal parts 0..255, no leading '+', no spaces) as
 * ::ffff:a.b.c.d at out[o..o+16). False, with nothing promised about out, for anything else.
 */
function writeIPv4Mapped(s: string, out: Uint8Array, o: number): boolean {
  let part = 0, digits = 0, n = 0;
  const b = [0, 0, 0, 0];
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      // No leading zeros: net.isIPv4 rejects them, so the general path would too.
      if (digits === 1 && part === 0) return false;
      part = part * 10 + (c - 48);
      if (++digits > 3 || part > 255) return false;
    } else if (c === 46) {
      if (digits === 0 || n === 3) return false;
      b[n++] = part;
      part = 0;
      digits = 0;
    } else {
      return false;
    }
  }
  if (digits === 0 || n !== 3) return false;
  b[3] = part;
  out.fill(0, o, o + 10);
  out[o + 10] = 0xff;
  out[o + 11] = 0xff;
  out[o + 12] = b[0]; out[o + 13] = b[1]; out[o + 14] = b[2]; out[o + 15] = b[3];
  return true;
}
