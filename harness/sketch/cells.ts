/**
 * Which counters a flow touches: the row/column/sign mapping of
 * variants/include/fasthash.h, bit for bit. Estimation reads exactly these
 * cells back from the `sketch` map (index = row * columns + col).
 *
 * fasthash32: h32 = fasthash32(fasthash64(key, seeds[r])); col = h32 & (columns-1);
 *             sign = bit 31 of h32 ? +1 : -1.
 * xxhash32:   h32 = xxHash32(key, low 32 bits of seeds[r]); col and sign as above.
 * fasthash64-sliced: h = fasthash64(key, seeds[0]); slice = (h >> 16r) & 0xffff;
 *             col = slice & (columns-1); sign = bit 15 of slice ? +1 : -1.
 * fasthash64-compact: as sliced, but an IPv4 key's h = fasthash64 of its 16-byte
 *             compact message (compactMessage).
 */
import { slicedHash, type HashKind } from '../build/manifest.ts';
import { compactMessage, fasthash64Parts, fold32, lastHashHi, lastHashLo, seedHalves } from './hash.ts';
import { xxhash32 } from './xxhash32.ts';

export type Hashing = HashKind;

export interface CellParams {
  rows: number;
  /** A power of two. */
  columns: number;
  /** Per-row seeds; sliced hashing uses seeds[0] only. */
  seeds: readonly bigint[];
  hashing: Hashing;
}

export interface Cell {
  row: number;
  col: number;
  /** +1 or -1: what a Count Sketch update adds (Count-Min ignores it). */
  sign: 1 | -1;
}

/**
 * A mapper for fixed parameters: seeds are split into 32-bit halves once, so
 * mapping a million flows does no BigInt work per flow.
 */
export function cellMapper(p: CellParams): (key: Uint8Array) => Cell[] {
  const mask = p.columns - 1;
  const rows = p.rows;
  if (slicedHash(p.hashing)) {
    const [sHi, sLo] = seedHalves(p.seeds[0]);
    const compact = p.hashing === 'fasthash64-compact';
    const msg = new Uint8Array(16);
    return (key) => {
      const m = compact ? compactMessage(key, msg) : undefined;
      if (m) fasthash64Parts(m, sHi, sLo, 16);
      else fasthash64Parts(key, sHi, sLo);
      const hi = lastHashHi(), lo = lastHashLo();
      const cells: Cell[] = [];
      for (let r = 0; r < rows; r++) {
        // Rows 0,1 slice the low 32 bits, rows 2,3 the high 32 bits.
        const slice = ((r < 2 ? lo : hi) >>> (16 * (r & 1))) & 0xffff;
        cells.push({ row: r, col: slice & mask, sign: slice >>> 15 ? 1 : -1 });
      }
      return cells;
    };
  }
  if (p.hashing === 'xxhash32') {
    const seeds32 = p.seeds.slice(0, rows).map((s) => Number(BigInt.asUintN(32, s)));
    return (key) => {
      const cells: Cell[] = [];
      for (let r = 0; r < rows; r++) {
        const h32 = xxhash32(key, seeds32[r]);
        cells.push({ row: r, col: h32 & mask, sign: h32 >>> 31 ? 1 : -1 });
      }
      return cells;
    };
  }
  const halves = p.seeds.slice(0, rows).map(seedHalves);
  return (key) => {
    const cells: Cell[] = [];
    for (let r = 0; r < rows; r++) {
      fasthash64Parts(key, halves[r][0], halves[r][1]);
      const h32 = fold32(lastHashHi(), lastHashLo());
      cells.push({ row: r, col: h32 & mask, sign: h32 >>> 31 ? 1 : -1 });
    }
    return cells;
  };
}

/** Cells of one 40-byte flow key (see flowKeyBytes). For many keys, use cellMapper. */
export function cellsFor(key: Uint8Array, p: CellParams): Cell[] {
  return cellMapper(p)(key);
}

/** Flat index into the `sketch` map. */
export function cellIndex(cell: Cell, columns: number): number {
  return cell.row * columns + cell.col;
}
