/**
 * Which counters a flow touches: the row/column/sign mapping of
 * variants/include/fasthash.h, bit for bit. Estimation reads exactly these
 * cells back from the `sketch` map (index = row * columns + col).
 *
 * Per-row:  h32 = fasthash32(fasthash64(key, seeds[r])); col = h32 & (columns-1);
 *           sign = bit 31 of h32 ? +1 : -1.
 * Unrolled: h = fasthash64(key, seeds[0]); slice = (h >> 16r) & 0xffff;
 *           col = slice & (columns-1); sign = bit 15 of slice ? +1 : -1.
 */
import { fasthash64Parts, fold32, lastHashHi, lastHashLo, seedHalves } from './hash.ts';

export type Hashing = 'per-row' | 'unrolled';

export interface CellParams {
  rows: number;
  /** A power of two. */
  columns: number;
  /** Per-row seeds; unrolled hashing uses seeds[0] only. */
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
  if (p.hashing === 'unrolled') {
    const [sHi, sLo] = seedHalves(p.seeds[0]);
    return (key) => {
      fasthash64Parts(key, sHi, sLo);
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
