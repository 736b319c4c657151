/**
 * Open-addressing hash table from a packed 5-tuple to a dense flow id. Keys are 10 int32
 * words kept in one typed array, so a lookup allocates nothing: strings per packet would cap
 * the importer far below 2 M packets/s.
 * Word layout: [family<<8 | proto, sport<<16 | dport, src (4 words), dst (4 words)],
 * addresses as big-endian words; IPv4 uses the first address word only.
 */
import type { FlowRecords } from './format.ts';

export const KEY_WORDS = 10;

export class FlowTable {
  /** Scratch key filled by the parser before lookup(). */
  readonly key = new Int32Array(KEY_WORDS);
  private slots: Int32Array;
  private mask: number;
  private keys: Int32Array;
  size = 0;

  constructor(initialSlots = 1 << 16) {
    this.slots = new Int32Array(initialSlots);
    this.mask = initialSlots - 1;
    this.keys = new Int32Array((initialSlots >> 1) * KEY_WORDS);
  }

  /** Flow id of this.key, adding it if new. */
  lookup(): number {
    const k = this.key;
    const h = hashKey(k);
    const slots = this.slots, keys = this.keys, mask = this.mask;
    let i = h & mask;
    for (;;) {
      const s = slots[i];
      if (s === 0) break;
      const b = (s - 1) * KEY_WORDS;
      if (keys[b] === k[0] && keys[b + 1] === k[1] && keys[b + 2] === k[2] && keys[b + 6] === k[6] &&
          keys[b + 3] === k[3] && keys[b + 4] === k[4] && keys[b + 5] === k[5] &&
          keys[b + 7] === k[7] && keys[b + 8] === k[8] && keys[b + 9] === k[9]) return s - 1;
      i = (i + 1) & mask;
    }
    const id = this.size++;
    if ((id + 1) * KEY_WORDS > keys.length) {
      const nk = new Int32Array(keys.length * 2);
      nk.set(keys);
      this.keys = nk;
    }
    this.keys.set(k, id * KEY_WORDS);
    slots[i] = id + 1;
    // Keep the load factor under 1/2 so probes stay short.
    if (this.size * 2 > slots.length) this.rehash();
    return id;
  }

  private rehash(): void {
    const n = this.slots.length * 2;
    const slots = new Int32Array(n);
    const mask = n - 1;
    const keys = this.keys;
    const tmp = new Int32Array(KEY_WORDS);
    for (let id = 0; id < this.size; id++) {
      for (let w = 0; w < KEY_WORDS; w++) tmp[w] = keys[id * KEY_WORDS + w];
      let i = hashKey(tmp) & mask;
      while (slots[i] !== 0) i = (i + 1) & mask;
      slots[i] = id + 1;
    }
    this.slots = slots;
    this.mask = mask;
  }

  /** The flows in id order, as the trace writer stores them (address bytes straight from the keys). */
  records(): FlowRecords {
    const table = this;
    return {
      length: this.size,
      encode(id, out, o) {
        const keys = table.keys, b = id * KEY_WORDS;
        const v6 = (keys[b] >>> 8) === 6;
        for (let w = 0; w < (v6 ? 4 : 1); w++) {
          out.writeInt32BE(keys[b + 2 + w], o + 4 * w);
          out.writeInt32BE(keys[b + 6 + w], o + 16 + 4 * w);
        }
        out.writeUInt16LE(keys[b + 1] >>> 16, o + 32);
        out.writeUInt16LE(keys[b + 1] & 0xffff, o + 34);
        out.writeUInt8(keys[b] & 0xff, o + 36);
        out.writeUInt8(v6 ? 6 : 4, o + 37);
      },
    };
  }
}

function hashKey(k: Int32Array): number {
  // murmur3-style mixing; IPv6 words are folded in only when present.
  let h = mix(0x9747b28c, k[0]);
  h = mix(h, k[1]);
  h = mix(h, k[2]);
  h = mix(h, k[6]);
  if ((k[0] >>> 8) === 6) {
    h = mix(h, k[3]); h = mix(h, k[4]); h = mix(h, k[5]);
    h = mix(h, k[7]); h = mix(h, k[8]); h = mix(h, k[9]);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

function mix(h: number, w: number): number {
  let k = Math.imul(w, 0xcc9e2d51);
  k = (k << 15) | (k >>> 17);
  k = Math.imul(k, 0x1b873593);
  h ^= k;
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}
