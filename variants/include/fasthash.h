/* SPDX-License-Identifier: MIT */
/*
 * fasthash64 (Zilong Tan, https://github.com/ztanml/fast-hash) specialised to
 * the 40-byte struct flow_key, and the row/column mapping of every sketch.
 *
 * harness/sketch/hash.ts and harness/sketch/cells.ts reproduce this bit for
 * bit: the harness estimates flows from the counters by recomputing the cells,
 * so any change here must be mirrored there (test/unit/hash.test.ts checks it
 * against vectors produced by compiling this very header with gcc).
 *
 * Includable by clang -target bpf and by a host compiler alike, so the test
 * vectors come from the same code the kernel runs.
 */
#ifndef FASTHASH_H
#define FASTHASH_H

#include <linux/types.h>
#include "sketch_kern_user.h"

#ifndef __always_inline
#define __always_inline inline __attribute__((always_inline))
#endif

#define FASTHASH_M 0x880355f21e6d1965ULL

/* Words of the key: 40 bytes, a multiple of 8, so fasthash's tail never runs. */
#define FLOW_KEY_WORDS (sizeof(struct flow_key) / sizeof(__u64))

_Static_assert(sizeof(struct flow_key) == 40, "flow_key must stay five 64-bit words");

static __always_inline __u64 fasthash_mix(__u64 h)
{
	h ^= h >> 23;
	h *= 0x2127599bf4325c37ULL;
	h ^= h >> 47;
	return h;
}

/*
 * The key must be 8-byte aligned (declare it with FLOW_KEY_ALIGNED): reading
 * whole words keeps this at five loads, and both x86 and BPF here are
 * little-endian, which is what the reference implementation assumes.
 */
#define FLOW_KEY_ALIGNED __attribute__((aligned(8)))

/*
 * The key is written field by field (u8/u16 stores) and read here as words:
 * without may_alias, -O2's strict aliasing lets the compiler move the reads
 * before the port stores and hash a half-written key (gcc does exactly that).
 */
typedef __u64 __attribute__((__may_alias__)) fasthash_word_t;

static __always_inline __u64 fasthash64_key(const struct flow_key *key, __u64 seed)
{
	const fasthash_word_t *w = (const fasthash_word_t *)key;
	__u64 h = seed ^ (sizeof(struct flow_key) * FASTHASH_M);

	/* Spelled out rather than looped so -O2 never leaves a loop for the verifier. */
	h ^= fasthash_mix(w[0]); h *= FASTHASH_M;
	h ^= fasthash_mix(w[1]); h *= FASTHASH_M;
	h ^= fasthash_mix(w[2]); h *= FASTHASH_M;
	h ^= fasthash_mix(w[3]); h *= FASTHASH_M;
	h ^= fasthash_mix(w[4]); h *= FASTHASH_M;
	return fasthash_mix(h);
}

/* Whether the key is IPv4 (both addresses v4-mapped), the keys fasthash64_compact shortens. */
static __always_inline int fasthash_key_is_v4(const struct flow_key *key)
{
	const fasthash_word_t *w = (const fasthash_word_t *)key;

	/* Little-endian: bytes 8..11 = 00 00 ff ff read as the low half of word 1. */
	return w[0] == 0 && (__u32)w[1] == 0xffff0000U && w[2] == 0 && (__u32)w[3] == 0xffff0000U;
}

/* fasthash64_compact of a key fasthash_key_is_v4 accepted. */
static __always_inline __u64 fasthash64_v4(const struct flow_key *key, __u64 seed)
{
	const fasthash_word_t *w = (const fasthash_word_t *)key;
	__u64 h;

	h = seed ^ (16 * FASTHASH_M);
	h ^= fasthash_mix((w[1] >> 32) | (w[3] & 0xffffffff00000000ULL)); h *= FASTHASH_M;
	h ^= fasthash_mix(w[4]); h *= FASTHASH_M;
	return fasthash_mix(h);
}

/*
 * fasthash64 of the part of an IPv4 key that varies: the two addresses as one
 * word, then the ports/protocol word, a 16-byte message (two rounds instead of
 * five). Keys that are not IPv4-mapped (::ffff:a.b.c.d on both sides) hash all
 * 40 bytes. harness/sketch/cells.ts builds the same message.
 */
static __always_inline __u64 fasthash64_compact(const struct flow_key *key, __u64 seed)
{
	return fasthash_key_is_v4(key) ? fasthash64_v4(key, seed) : fasthash64_key(key, seed);
}

/* The reference's 64 -> 32 bit fold (not a plain truncation). */
static __always_inline __u32 fasthash32_fold(__u64 h)
{
	return (__u32)(h - (h >> 32));
}

/*
 * Per-row hashing: an independent hash per row, seeded by seeds[row].
 * Column from the low bits, sign from the top bit (bit 31), so columns up to
 * 2^16 never share bits with the sign.
 */
static __always_inline __u32 cell_hash_per_row(const struct flow_key *key, __u64 seed)
{
	return fasthash32_fold(fasthash64_key(key, seed));
}

static __always_inline __u32 col_per_row(__u32 h32, __u32 cols_mask)
{
	return h32 & cols_mask;
}

static __always_inline int sign_per_row(__u32 h32)
{
	return (h32 >> 31) ? 1 : -1;
}

/*
 * Unrolled hashing: one fasthash64 with seeds[0], row r takes the 16-bit
 * slice (h >> 16r) & 0xffff; column from its low bits (columns <= 2^15), sign
 * from its bit 15. Hence at most four rows.
 */
static __always_inline __u32 slice_unrolled(__u64 h, __u32 row)
{
	return (__u32)(h >> (16 * row)) & 0xffff;
}

static __always_inline __u32 col_unrolled(__u32 slice, __u32 cols_mask)
{
	return slice & cols_mask;
}

static __always_inline int sign_unrolled(__u32 slice)
{
	return (slice >> 15) ? 1 : -1;
}

#endif
