/* SPDX-License-Identifier: MIT */
/*
 * xxHash32 (XXH32, Yann Collet, https://github.com/Cyan4973/xxHash) specialised
 * to the 40-byte struct flow_key: the standard algorithm, little-endian words,
 * so its results equal any conforming XXH32 over the same 40 bytes.
 *
 * harness/sketch/xxhash32.ts reproduces this bit for bit (for any length);
 * test/unit/xxhash32.test.ts checks it against vectors produced by compiling
 * this very header with gcc, and against reference values of XXH32.
 *
 * Includable by clang -target bpf and by a host compiler alike, so the test
 * vectors come from the same code the kernel runs.
 */
#ifndef XXHASH32_H
#define XXHASH32_H

#include <linux/types.h>
#include "sketch_kern_user.h"

#ifndef __always_inline
#define __always_inline inline __attribute__((always_inline))
#endif

#define XXH32_PRIME_1 0x9E3779B1U
#define XXH32_PRIME_2 0x85EBCA77U
#define XXH32_PRIME_3 0xC2B2AE3DU
#define XXH32_PRIME_4 0x27D4EB2FU
#define XXH32_PRIME_5 0x165667B1U

/*
 * 40 bytes = two 16-byte stripes + two 4-byte words: the code below is written
 * for exactly that split (no single-byte tail), so a key of any other size
 * must not compile against it silently.
 */
_Static_assert(sizeof(struct flow_key) == 40, "xxhash32_key is spelled out for a 40-byte flow_key");

/*
 * The key must be at least 4-byte aligned: the verifier rejects misaligned
 * stack reads, and whole-word loads keep this at ten loads. fasthash.h asks
 * for 8, which covers this; the same definition is repeated so this header
 * stands alone.
 */
#ifndef FLOW_KEY_ALIGNED
#define FLOW_KEY_ALIGNED __attribute__((aligned(8)))
#endif

/*
 * The key is written field by field (u8/u16 stores) and read here as words:
 * without may_alias, -O2's strict aliasing lets the compiler move the reads
 * before the port stores and hash a half-written key.
 */
typedef __u32 __attribute__((__may_alias__)) xxh32_word_t;

/* BPF has no rotate instruction; clang turns this into two shifts and an or. */
static __always_inline __u32 xxh32_rotl(__u32 x, unsigned int r)
{
	return (x << r) | (x >> (32 - r));
}

static __always_inline __u32 xxh32_round(__u32 acc, __u32 input)
{
	acc += input * XXH32_PRIME_2;
	acc = xxh32_rotl(acc, 13);
	return acc * XXH32_PRIME_1;
}

/* Tail step for a whole 4-byte word (the PRIME_3/PRIME_4 step of XXH32). */
static __always_inline __u32 xxh32_word(__u32 h, __u32 word)
{
	h += word * XXH32_PRIME_3;
	return xxh32_rotl(h, 17) * XXH32_PRIME_4;
}

static __always_inline __u32 xxh32_avalanche(__u32 h)
{
	h ^= h >> 15;
	h *= XXH32_PRIME_2;
	h ^= h >> 13;
	h *= XXH32_PRIME_3;
	h ^= h >> 16;
	return h;
}

/* XXH32 of the 40 bytes of *key, as XXH32(key, 40, seed) computes it. */
static __always_inline __u32 xxhash32_key(const struct flow_key *key, __u32 seed)
{
	const xxh32_word_t *w = (const xxh32_word_t *)key;
	__u32 v1 = seed + XXH32_PRIME_1 + XXH32_PRIME_2;
	__u32 v2 = seed + XXH32_PRIME_2;
	__u32 v3 = seed;
	__u32 v4 = seed - XXH32_PRIME_1;
	__u32 h;

	/* Spelled out rather than looped so -O2 never leaves a loop for the verifier. */
	v1 = xxh32_round(v1, w[0]); v2 = xxh32_round(v2, w[1]);
	v3 = xxh32_round(v3, w[2]); v4 = xxh32_round(v4, w[3]);
	v1 = xxh32_round(v1, w[4]); v2 = xxh32_round(v2, w[5]);
	v3 = xxh32_round(v3, w[6]); v4 = xxh32_round(v4, w[7]);

	h = xxh32_rotl(v1, 1) + xxh32_rotl(v2, 7) + xxh32_rotl(v3, 12) + xxh32_rotl(v4, 18);
	/* XXH32 mixes in the total length, not the tail's. */
	h += (__u32)sizeof(struct flow_key);

	h = xxh32_word(h, w[8]);
	h = xxh32_word(h, w[9]);
	return xxh32_avalanche(h);
}

#endif
