/* SPDX-License-Identifier: MIT */
/*
 * Hash functions of any (compile-time) length, written once for both builds:
 * the kernel object and the native timing binary include this same file.
 * Lengths are constants at every call site, so clang unrolls the loops and
 * folds the tail switches; the verifier never sees a data-dependent loop.
 * Our own code from the published algorithms (xxHash32, fasthash, the Linux
 * kernel's jhash, Bob Jenkins' lookup3 hashlittle, MurmurHash3 x86_32,
 * SipHash-2-4); each is checked against published vectors or the harness's
 * TypeScript reference (test/kernel/micro.test.ts).
 */
#ifndef MICRO_HASH_H
#define MICRO_HASH_H

#include <linux/types.h>
#include "xxhash32.h"   /* XXH32 primes and rounds */
#include "fasthash.h"   /* FASTHASH_M, fasthash_mix, fasthash32_fold */

static __always_inline __u32 micro_rotl32(__u32 x, unsigned int r)
{
	return (x << r) | (x >> (32 - r));
}

static __always_inline __u64 micro_rotl64(__u64 x, unsigned int r)
{
	return (x << r) | (x >> (64 - r));
}

/* Little-endian loads from bytes: a 5-tuple in a packet has no alignment to rely on. */
static __always_inline __u32 micro_le32(const __u8 *p)
{
	return (__u32)p[0] | (__u32)p[1] << 8 | (__u32)p[2] << 16 | (__u32)p[3] << 24;
}

/* One unaligned 32/64-bit load, as the kernel's get_unaligned does on x86. */
static __always_inline __u32 micro_load32(const __u8 *p)
{
	__u32 v;
	__builtin_memcpy(&v, p, 4);
	return v;
}

static __always_inline __u64 micro_load64(const __u8 *p)
{
	__u64 v;
	__builtin_memcpy(&v, p, 8);
	return v;
}

static __always_inline __u32 micro_xxhash32(const __u8 *p, const __u32 len, __u32 seed)
{
	__u32 h, i = 0;

	if (len >= 16) {
		__u32 v1 = seed + XXH32_PRIME_1 + XXH32_PRIME_2, v2 = seed + XXH32_PRIME_2;
		__u32 v3 = seed, v4 = seed - XXH32_PRIME_1;

		for (; i + 16 <= len; i += 16) {
			v1 = xxh32_round(v1, micro_load32(p + i));
			v2 = xxh32_round(v2, micro_load32(p + i + 4));
			v3 = xxh32_round(v3, micro_load32(p + i + 8));
			v4 = xxh32_round(v4, micro_load32(p + i + 12));
		}
		h = micro_rotl32(v1, 1) + micro_rotl32(v2, 7) + micro_rotl32(v3, 12) + micro_rotl32(v4, 18);
	} else {
		h = seed + XXH32_PRIME_5;
	}
	h += len;
	for (; i + 4 <= len; i += 4)
		h = xxh32_word(h, micro_load32(p + i));
	for (; i < len; i++) {
		h += p[i] * XXH32_PRIME_5;
		h = micro_rotl32(h, 11) * XXH32_PRIME_1;
	}
	return xxh32_avalanche(h);
}

static __always_inline __u64 micro_fasthash64(const __u8 *p, const __u32 len, __u64 seed)
{
	__u64 h = seed ^ ((__u64)len * FASTHASH_M), v = 0;
	__u32 i = 0;

	for (; i + 8 <= len; i += 8) {
		h ^= fasthash_mix(micro_load64(p + i));
		h *= FASTHASH_M;
	}
	switch (len & 7) {
	case 7: v ^= (__u64)p[i + 6] << 48; /* fallthrough */
	case 6: v ^= (__u64)p[i + 5] << 40; /* fallthrough */
	case 5: v ^= (__u64)p[i + 4] << 32; /* fallthrough */
	case 4: v ^= (__u64)p[i + 3] << 24; /* fallthrough */
	case 3: v ^= (__u64)p[i + 2] << 16; /* fallthrough */
	case 2: v ^= (__u64)p[i + 1] << 8;  /* fallthrough */
	case 1: v ^= (__u64)p[i];
		h ^= fasthash_mix(v);
		h *= FASTHASH_M;
	}
	return fasthash_mix(h);
}

static __always_inline __u32 micro_fasthash32(const __u8 *p, const __u32 len, __u32 seed)
{
	return fasthash32_fold(micro_fasthash64(p, len, seed));
}

#define MICRO_JMIX(a, b, c) do {                                        \
	a -= c; a ^= micro_rotl32(c, 4);  c += b;                       \
	b -= a; b ^= micro_rotl32(a, 6);  a += c;                       \
	c -= b; c ^= micro_rotl32(b, 8);  b += a;                       \
	a -= c; a ^= micro_rotl32(c, 16); c += b;                       \
	b -= a; b ^= micro_rotl32(a, 19); a += c;                       \
	c -= b; c ^= micro_rotl32(b, 4);  b += a;                       \
} while (0)

#define MICRO_JFINAL(a, b, c) do {                                      \
	c ^= b; c -= micro_rotl32(b, 14);                               \
	a ^= c; a -= micro_rotl32(c, 11);                               \
	b ^= a; b -= micro_rotl32(a, 25);                               \
	c ^= b; c -= micro_rotl32(b, 16);                               \
	a ^= c; a -= micro_rotl32(c, 4);                                \
	b ^= a; b -= micro_rotl32(a, 14);                               \
	c ^= b; c -= micro_rotl32(b, 24);                               \
} while (0)

/* The tail of jhash and hashlittle: bytes added one by one, the same in both. */
static __always_inline __u32 micro_jtail(const __u8 *k, __u32 rest, __u32 a, __u32 b, __u32 c)
{
	switch (rest) {
	case 12: c += (__u32)k[11] << 24; /* fallthrough */
	case 11: c += (__u32)k[10] << 16; /* fallthrough */
	case 10: c += (__u32)k[9] << 8;   /* fallthrough */
	case 9:  c += k[8];               /* fallthrough */
	case 8:  b += (__u32)k[7] << 24;  /* fallthrough */
	case 7:  b += (__u32)k[6] << 16;  /* fallthrough */
	case 6:  b += (__u32)k[5] << 8;   /* fallthrough */
	case 5:  b += k[4];               /* fallthrough */
	case 4:  a += (__u32)k[3] << 24;  /* fallthrough */
	case 3:  a += (__u32)k[2] << 16;  /* fallthrough */
	case 2:  a += (__u32)k[1] << 8;   /* fallthrough */
	case 1:  a += k[0];
		MICRO_JFINAL(a, b, c);
	}
	return c;
}

/* The kernel's jhash (include/linux/jhash.h): whole 12-byte blocks as three unaligned words. */
static __always_inline __u32 micro_jhash(const __u8 *k, __u32 len, __u32 initval)
{
	__u32 a, b, c;

	a = b = c = 0xdeadbeef + len + initval;
	while (len > 12) {
		a += micro_load32(k);
		b += micro_load32(k + 4);
		c += micro_load32(k + 8);
		MICRO_JMIX(a, b, c);
		len -= 12;
		k += 12;
	}
	return micro_jtail(k, len, a, b, c);
}

/*
 * lookup3's hashlittle on a key of unknown alignment: every byte loaded and
 * shifted on its own. Same value as jhash on little-endian machines, a
 * different instruction stream; eBPF cannot test a pointer's alignment, so
 * this is the path a port of lookup3 takes there.
 */
static __always_inline __u32 micro_lookup3(const __u8 *k, __u32 len, __u32 initval)
{
	__u32 a, b, c;

	a = b = c = 0xdeadbeef + len + initval;
	while (len > 12) {
		a += micro_le32(k);
		b += micro_le32(k + 4);
		c += micro_le32(k + 8);
		MICRO_JMIX(a, b, c);
		len -= 12;
		k += 12;
	}
	return micro_jtail(k, len, a, b, c);
}

static __always_inline __u32 micro_murmur3(const __u8 *p, const __u32 len, __u32 seed)
{
	const __u32 c1 = 0xcc9e2d51, c2 = 0x1b873593;
	__u32 h = seed, k, i = 0;

	for (; i + 4 <= len; i += 4) {
		k = micro_load32(p + i);
		k *= c1; k = micro_rotl32(k, 15); k *= c2;
		h ^= k;
		h = micro_rotl32(h, 13);
		h = h * 5 + 0xe6546b64;
	}
	k = 0;
	switch (len & 3) {
	case 3: k ^= (__u32)p[i + 2] << 16; /* fallthrough */
	case 2: k ^= (__u32)p[i + 1] << 8;  /* fallthrough */
	case 1: k ^= p[i];
		k *= c1; k = micro_rotl32(k, 15); k *= c2;
		h ^= k;
	}
	h ^= len;
	h ^= h >> 16; h *= 0x85ebca6b;
	h ^= h >> 13; h *= 0xc2b2ae35;
	h ^= h >> 16;
	return h;
}

#define MICRO_SIPROUND do {                                                     \
	v0 += v1; v1 = micro_rotl64(v1, 13); v1 ^= v0; v0 = micro_rotl64(v0, 32); \
	v2 += v3; v3 = micro_rotl64(v3, 16); v3 ^= v2;                          \
	v0 += v3; v3 = micro_rotl64(v3, 21); v3 ^= v0;                          \
	v2 += v1; v1 = micro_rotl64(v1, 17); v1 ^= v2; v2 = micro_rotl64(v2, 32); \
} while (0)

/* SipHash-2-4 with the 128-bit key (k0, k1), 64-bit output. */
static __always_inline __u64 micro_siphash(const __u8 *p, const __u32 len, __u64 k0, __u64 k1)
{
	__u64 v0 = k0 ^ 0x736f6d6570736575ULL, v1 = k1 ^ 0x646f72616e646f6dULL;
	__u64 v2 = k0 ^ 0x6c7967656e657261ULL, v3 = k1 ^ 0x7465646279746573ULL;
	__u64 m, b = (__u64)len << 56;
	__u32 i = 0;

	for (; i + 8 <= len; i += 8) {
		m = micro_load64(p + i);
		v3 ^= m;
		MICRO_SIPROUND; MICRO_SIPROUND;
		v0 ^= m;
	}
	switch (len & 7) {
	case 7: b |= (__u64)p[i + 6] << 48; /* fallthrough */
	case 6: b |= (__u64)p[i + 5] << 40; /* fallthrough */
	case 5: b |= (__u64)p[i + 4] << 32; /* fallthrough */
	case 4: b |= (__u64)p[i + 3] << 24; /* fallthrough */
	case 3: b |= (__u64)p[i + 2] << 16; /* fallthrough */
	case 2: b |= (__u64)p[i + 1] << 8;  /* fallthrough */
	case 1: b |= (__u64)p[i];
	}
	v3 ^= b;
	MICRO_SIPROUND; MICRO_SIPROUND;
	v0 ^= b;
	v2 ^= 0xff;
	MICRO_SIPROUND; MICRO_SIPROUND; MICRO_SIPROUND; MICRO_SIPROUND;
	return v0 ^ v1 ^ v2 ^ v3;
}

#endif
