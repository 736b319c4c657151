/* SPDX-License-Identifier: MIT */
/*
 * The primitives, listed once for both builds. Each entry is
 * X(group, name, expr): expr is what iteration i adds to the accumulator,
 * with `c` the loop state and `micro_in` the shared inputs. A group's `loop`
 * entry does the same input access without the operation: its time is
 * subtracted block by block, so an op's cost excludes the loop, the input
 * load and the accumulation.
 *
 * Before including this file, an environment (micro.bpf.c, micro_native.c)
 * defines `micro_in` and the accessors whose code must differ: where map
 * values live (micro_cells_array, micro_cells_percpu, micro_row_of,
 * micro_row_inner, micro_cell, MICRO_GEO_ENTRY) and its random-number
 * entries (MICRO_PRIMS_ENV).
 */
#ifndef MICRO_PRIMS_H
#define MICRO_PRIMS_H

#include "micro_kern_user.h"
#include "micro_hash.h"

#define MICRO_KEY13(i) (micro_in.key13[(i) & (MICRO_KEYS - 1)])
#define MICRO_KEY37(i) (micro_in.key37[(i) & (MICRO_KEYS - 1)])
#define MICRO_SEED32   ((__u32)micro_in.seed)
#define MICRO_WORD(i)  (micro_in.rnd[(i) & (MICRO_RAND_ENTRIES - 1)])
/* Row r's column from one random word: 9 bits each, overlapping, never the same four. */
#define MICRO_COL(w, r) (((w) >> (7 * (r))) & (MICRO_COLS - 1))

/* The kernel's geo_draw step (variants/include/sketch_rows.h): xorshift32 (13, 17, 5). */
static __always_inline __u32 micro_xorshift(struct micro_loop *c)
{
	__u32 x = c->x;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	c->x = x;
	return x;
}

static __always_inline __u64 micro_add4(struct micro_cells *m, __u32 w)
{
	if (!m)
		return 0;
	m->c[0][MICRO_COL(w, 0)]++;
	m->c[1][MICRO_COL(w, 1)]++;
	m->c[2][MICRO_COL(w, 2)]++;
	m->c[3][MICRO_COL(w, 3)]++;
	return w;
}

/* The result of each add is unused, so both builds emit a locked add, not an exchange. */
static __always_inline __u64 micro_add4_atomic(struct micro_cells *m, __u32 w)
{
	if (!m)
		return 0;
	__sync_fetch_and_add(&m->c[0][MICRO_COL(w, 0)], 1);
	__sync_fetch_and_add(&m->c[1][MICRO_COL(w, 1)], 1);
	__sync_fetch_and_add(&m->c[2][MICRO_COL(w, 2)], 1);
	__sync_fetch_and_add(&m->c[3][MICRO_COL(w, 3)], 1);
	return w;
}

/* One row through `get(r)`: a map per row, or a map of maps (one more lookup). */
#define MICRO_ADD_ROW(get, r, w) ({                                     \
	struct micro_row *row_ = get(r);                                \
	if (row_)                                                       \
		row_->c[MICRO_COL(w, r)]++;                             \
})

static __always_inline __u64 micro_add_per_row(__u32 w)
{
	MICRO_ADD_ROW(micro_row_of, 0, w);
	MICRO_ADD_ROW(micro_row_of, 1, w);
	MICRO_ADD_ROW(micro_row_of, 2, w);
	MICRO_ADD_ROW(micro_row_of, 3, w);
	return w;
}

static __always_inline __u64 micro_add_map_of_maps(__u32 w)
{
	MICRO_ADD_ROW(micro_row_inner, 0, w);
	MICRO_ADD_ROW(micro_row_inner, 1, w);
	MICRO_ADD_ROW(micro_row_inner, 2, w);
	MICRO_ADD_ROW(micro_row_inner, 3, w);
	return w;
}

/* One lookup per counter: the layout where every cell is its own map entry. */
static __always_inline __u64 micro_add_per_cell(__u32 w)
{
	__u32 *cell;

#define MICRO_CELL_ADD(r) \
	cell = micro_cell((r) * MICRO_COLS + MICRO_COL(w, r)); if (cell) (*cell)++
	MICRO_CELL_ADD(0); MICRO_CELL_ADD(1); MICRO_CELL_ADD(2); MICRO_CELL_ADD(3);
#undef MICRO_CELL_ADD
	return w;
}

/* A geometric draw from a table of n = 2^log2n entries: the xorshift's top bits name the entry. */
#define MICRO_GEO_DRAW(c, n, log2n) ({                                  \
	__u32 idx_ = micro_xorshift(c) >> (32 - (log2n));               \
	__u32 *v_ = MICRO_GEO_ENTRY(n, idx_);                           \
	v_ ? *v_ : 0;                                                   \
})

#define MICRO_HASHES(X, g, KEY, len)                                             \
	X(g, loop,       KEY(i)[0])                                              \
	X(g, xxhash32,   micro_xxhash32(KEY(i), len, MICRO_SEED32))              \
	X(g, fasthash32, micro_fasthash32(KEY(i), len, MICRO_SEED32))            \
	X(g, fasthash64, micro_fasthash64(KEY(i), len, micro_in.seed))           \
	X(g, jhash,      micro_jhash(KEY(i), len, MICRO_SEED32))                 \
	X(g, lookup3,    micro_lookup3(KEY(i), len, MICRO_SEED32))               \
	X(g, murmur3,    micro_murmur3(KEY(i), len, MICRO_SEED32))               \
	X(g, siphash,    micro_siphash(KEY(i), len, micro_in.seed, micro_in.seed2))

#define MICRO_GEOS(X)                                                            \
	X(geo, loop,     micro_xorshift(c) >> 20)                                \
	X(geo, geo_32,   MICRO_GEO_DRAW(c, 32, 5))                               \
	X(geo, geo_64,   MICRO_GEO_DRAW(c, 64, 6))                               \
	X(geo, geo_128,  MICRO_GEO_DRAW(c, 128, 7))                              \
	X(geo, geo_256,  MICRO_GEO_DRAW(c, 256, 8))                              \
	X(geo, geo_512,  MICRO_GEO_DRAW(c, 512, 9))                              \
	X(geo, geo_1024, MICRO_GEO_DRAW(c, 1024, 10))                            \
	X(geo, geo_2048, MICRO_GEO_DRAW(c, 2048, 11))                            \
	X(geo, geo_4096, MICRO_GEO_DRAW(c, 4096, 12))

#define MICRO_PRIMS(X)                                                           \
	MICRO_HASHES(X, hash13, MICRO_KEY13, 13)                                 \
	MICRO_HASHES(X, hash37, MICRO_KEY37, 37)                                 \
	X(random, loop,     i)                                                   \
	X(random, table,    MICRO_WORD(i))                                       \
	X(random, xorshift, micro_xorshift(c))                                   \
	MICRO_PRIMS_ENV(X)                                                       \
	X(maps, loop,          MICRO_WORD(i))                                    \
	X(maps, array,         micro_add4(micro_cells_array(), MICRO_WORD(i)))   \
	X(maps, percpu,        micro_add4(micro_cells_percpu(), MICRO_WORD(i)))  \
	X(maps, array_atomic,  micro_add4_atomic(micro_cells_array(), MICRO_WORD(i))) \
	X(maps, percpu_atomic, micro_add4_atomic(micro_cells_percpu(), MICRO_WORD(i))) \
	X(maps, per_row,       micro_add_per_row(MICRO_WORD(i)))                 \
	X(maps, map_of_maps,   micro_add_map_of_maps(MICRO_WORD(i)))             \
	X(maps, per_cell,      micro_add_per_cell(MICRO_WORD(i)))                \
	X(maps, global,        micro_add4(&micro_global, MICRO_WORD(i)))         \
	MICRO_GEOS(X)

#endif
