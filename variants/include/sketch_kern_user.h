/* SPDX-License-Identifier: MIT */
/*
 * The contract between every sketch program and the TypeScript harness.
 * Plain structs and constants only: the harness mirrors these layouts in
 * harness/kernel/layout.ts, and a test checks the two agree.
 */
#ifndef SKETCH_KERN_USER_H
#define SKETCH_KERN_USER_H

#include <linux/types.h>

/* Upper limits compiled into the programs; the real sizes are load-time settings. */
#define SKETCH_MAX_ROWS        8      /* per-row hashing */
#define SKETCH_MAX_ROWS_UNROLLED 4    /* one 64-bit hash split into 16-bit slices */
#define SKETCH_MAX_COLS_LOG2   16     /* per-row: column from the low bits of a 32-bit hash */
#define SKETCH_MAX_COLS_LOG2_UNROLLED 15 /* unrolled: bit 15 of each slice is the sign */
#define GEO_TABLE_LOG2         12
#define GEO_TABLE_SIZE         4096   /* geometric skips at 4096 quantiles (power of two) */
/* layout=struct: the whole sketch is one map value, at most the 32 KiB a per-CPU value may have. */
#define SKETCH_STRUCT_CELLS_LOG2 13
#define SKETCH_STRUCT_CELLS    (1 << SKETCH_STRUCT_CELLS_LOG2)

/* Values for sketch_cfg.action. */
#define SKETCH_ACTION_DROP     0
#define SKETCH_ACTION_PASS     1
#define SKETCH_ACTION_REDIRECT 2
#define SKETCH_ACTION_TX       3

/*
 * Load-time settings: the only `const volatile` object of every program, so it
 * is the whole .rodata section. The harness writes it between open and load.
 */
struct sketch_cfg {
	__u32 rows;             /* active rows, 1..MAX_ROWS (family limit) */
	__u32 cols_mask;        /* columns - 1; columns is a power of two */
	__u32 p_threshold;      /* coin sampling: update a row when prandom_u32() < p_threshold */
	__u32 p_one;            /* 1 when p == 1: every row of every packet is updated */
	__u32 action;           /* SKETCH_ACTION_* */
	__u32 redirect_ifindex; /* for SKETCH_ACTION_REDIRECT */
	__u32 extra_hash_rounds;/* test-only slowdown (regression gate tests); 0 normally */
	__u16 layers;           /* univmon: active layers, 1..UNIVMON_MAX_LAYERS; 0 elsewhere */
	__u16 topk;             /* univmon: keys kept per layer, 1..UNIVMON_MAX_TOPK; 0 elsewhere */
	__u64 seeds[SKETCH_MAX_ROWS]; /* per-row seeds; unrolled hashing uses seeds[0] only */
};

/*
 * The flow key that is hashed: IPv4 addresses as IPv4-mapped IPv6
 * (::ffff:a.b.c.d), ports in network byte order as on the wire, 0 for
 * protocols without ports and for non-first fragments.
 */
struct flow_key {
	__u8  src[16];
	__u8  dst[16];
	__u16 sport;            /* network byte order */
	__u16 dport;            /* network byte order */
	__u8  proto;
	__u8  pad[3];
};                          /* 40 bytes: five 64-bit words for fasthash64 */

/* Per-CPU counters in map `stats` (key 0), merged (summed) by the harness. */
struct sketch_stats {
	__u64 packets;          /* every packet the program saw */
	__u64 bytes;            /* data_end - data, summed */
	__u64 ip_packets;       /* parsed IPv4/IPv6 packets (these update the sketch) */
	__u64 non_ip;           /* not IPv4/IPv6: counted, sketch untouched */
	__u64 truncated;        /* too short to parse: counted, sketch untouched */
	__u64 row_updates;      /* counter updates made (sampled rows) */
};

/*
 * Per-CPU state of geometric sampling: map `geo_state` (key 0), or inside
 * `meta` with layout=struct. Each draw steps the CPU's own xorshift32 and
 * takes the table entry its top GEO_TABLE_LOG2 bits name, so CPUs never share
 * a position and the sequence does not repeat for 2^32 - 1 draws.
 */
struct geo_state {
	__u32 skip;             /* (packet,row) slots left before the next sampled one */
	__u32 rng;              /* xorshift32 state, never 0 */
};

/*
 * layout=struct: everything a packet touches before the sketch, in one per-CPU
 * value of map `meta` (key 0): one lookup instead of three.
 */
struct sketch_meta {
	struct sketch_stats stats;
	struct geo_state geo;
	__u32 draws[GEO_TABLE_SIZE]; /* geometric skips; unused without geometric sampling */
};

/*
 * UnivMon (variants/univmon/): layer j's Count Sketch hashes row r with seed
 * seeds[r] + j * UNIVMON_LAYER_SEED_STEP (layer 0 is the plain sketch), and a
 * flow is in layer j >= 1 when the low j bits of its level hash are all set,
 * the level hash being fasthash32 of the key with seeds[0] ^ UNIVMON_LEVEL_SALT:
 * independent of every row hash, and each layer half the flows of the one above.
 */
#define UNIVMON_MAX_LAYERS     32     /* the level hash has 32 bits */
#define UNIVMON_MAX_TOPK       32
#define UNIVMON_MAX_ROWS       4      /* the median of a layer's rows is a fixed min/max formula */
#define UNIVMON_MAX_CELLS      (1 << 21) /* layers x rows x columns: 8 MiB of counters per copy */
#define UNIVMON_LAYER_SEED_STEP 0x9e3779b97f4a7c15ULL
#define UNIVMON_LEVEL_SALT     0xd1b54a32d192ed03ULL

/*
 * One key of a layer's list: est2 is twice the layer's Count Sketch median for
 * the key (the sum of the two middle rows, so an even number of rows stays an
 * integer), as this CPU's counters held it when the key was last updated.
 */
struct univmon_entry {
	struct flow_key key;
	__s64 est2;
	/* Packets that updated the entry since it was listed: under sampling, the flows seen once or twice tell how many were never seen. */
	__u32 hits;
	__u32 pad;
};

/* Per-CPU value of map `heavy`, one per layer: the layer's heaviest keys, n of them. */
struct univmon_heavy {
	__u32 n;
	__u32 pad;
	struct univmon_entry e[UNIVMON_MAX_TOPK];
};

#endif
