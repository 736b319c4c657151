/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Packet parsing shared by every variant (after xdp-tools' parsing_helpers.h):
 * Ethernet with up to two VLAN tags, IPv4 or IPv6 (usual extension headers
 * skipped), TCP/UDP ports. Fills struct flow_key as sketch_kern_user.h
 * documents, so the key the kernel hashes is the key the harness rebuilds from
 * the trace (harness/sketch/hash.ts flowKeyBytes).
 */
#ifndef PARSING_HELPERS_H
#define PARSING_HELPERS_H

#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "sketch_kern_user.h"

/* Result of parse_flow_key(); each one is a counter in struct sketch_stats. */
enum parse_result {
	PARSE_OK = 0,        /* IPv4/IPv6: key filled, the sketch is updated */
	PARSE_NON_IP = 1,    /* not IPv4/IPv6 (ARP, LLDP, three VLAN tags...) */
	PARSE_TRUNCATED = 2, /* a header we need runs past data_end */
};

#define VLAN_MAX_DEPTH 2
/* More IPv6 extension headers than this is not traffic we benchmark; such a
 * packet keeps the last next-header as proto and ports 0. */
#define IPV6_EXT_MAX 6

#ifndef ETH_P_8021AD
#define ETH_P_8021AD 0x88A8
#endif

/* Not all uapi versions export these: spelled out so the header builds anywhere. */
#define FK_NEXTHDR_HOP      0
#define FK_NEXTHDR_ROUTING  43
#define FK_NEXTHDR_FRAGMENT 44
#define FK_NEXTHDR_DEST     60
#define FK_IP_OFFMASK       0x1fff
#define FK_IP6_OFFMASK      0xfff8

struct fk_vlan_hdr {
	__be16 tci;
	__be16 encap_proto;
};

/* The generic extension header (hop-by-hop, routing, destination options). */
struct fk_ipv6_opt_hdr {
	__u8 nexthdr;
	__u8 hdrlen; /* in 8-byte units, not counting the first 8 bytes */
};

struct fk_ipv6_frag_hdr {
	__u8   nexthdr;
	__u8   reserved;
	__be16 frag_off; /* offset in 8-byte units << 3 | flags */
	__be32 identification;
};

/* Only the first 4 bytes of TCP and UDP headers are the ports: that is all we
 * need, so a packet cut right after them still counts as parsed. */
struct fk_ports {
	__be16 source;
	__be16 dest;
};

static __always_inline int vlan_proto(__u16 h_proto)
{
	return h_proto == bpf_htons(ETH_P_8021Q) || h_proto == bpf_htons(ETH_P_8021AD);
}

/* Reads the ports at l4 when proto has them; ports stay 0 otherwise. */
static __always_inline int parse_ports(void *l4, void *data_end, __u8 proto,
				       struct flow_key *key)
{
	struct fk_ports *ports = l4;

	if (proto != IPPROTO_TCP && proto != IPPROTO_UDP)
		return PARSE_OK;
	if ((void *)(ports + 1) > data_end)
		return PARSE_TRUNCATED;
	key->sport = ports->source;
	key->dport = ports->dest;
	return PARSE_OK;
}

static __always_inline int parse_ipv4(void *nh, void *data_end, struct flow_key *key)
{
	struct iphdr *iph = nh;
	__u32 hlen;

	if ((void *)(iph + 1) > data_end)
		return PARSE_TRUNCATED;
	hlen = iph->ihl * 4;
	if (hlen < sizeof(*iph))
		return PARSE_TRUNCATED; /* IHL < 5 is malformed: treat as unparseable */
	if (nh + hlen > data_end)
		return PARSE_TRUNCATED;

	/* ::ffff:a.b.c.d so that one 40-byte key covers both families. */
	key->src[10] = 0xff;
	key->src[11] = 0xff;
	key->dst[10] = 0xff;
	key->dst[11] = 0xff;
	__builtin_memcpy(&key->src[12], &iph->saddr, 4);
	__builtin_memcpy(&key->dst[12], &iph->daddr, 4);
	key->proto = iph->protocol;

	/* Later fragments carry no L4 header: their bytes would be payload. */
	if (iph->frag_off & bpf_htons(FK_IP_OFFMASK))
		return PARSE_OK;
	return parse_ports(nh + hlen, data_end, iph->protocol, key);
}

static __always_inline int parse_ipv6(void *nh, void *data_end, struct flow_key *key)
{
	struct ipv6hdr *ip6h = nh;
	__u8 next;
	int i;

	if ((void *)(ip6h + 1) > data_end)
		return PARSE_TRUNCATED;
	__builtin_memcpy(key->src, &ip6h->saddr, 16);
	__builtin_memcpy(key->dst, &ip6h->daddr, 16);
	next = ip6h->nexthdr;
	nh = ip6h + 1;

	/* A bounded loop, left rolled so the common no-extension case stays short;
	 * the verifier walks it, and each step moves nh by at most 2 KiB. */
	#pragma nounroll
	for (i = 0; i < IPV6_EXT_MAX; i++) {
		if (next == FK_NEXTHDR_HOP || next == FK_NEXTHDR_ROUTING ||
		    next == FK_NEXTHDR_DEST) {
			struct fk_ipv6_opt_hdr *opt = nh;

			if ((void *)(opt + 1) > data_end)
				return PARSE_TRUNCATED;
			next = opt->nexthdr;
			nh += (opt->hdrlen + 1) * 8;
		} else if (next == FK_NEXTHDR_FRAGMENT) {
			struct fk_ipv6_frag_hdr *frag = nh;

			if ((void *)(frag + 1) > data_end)
				return PARSE_TRUNCATED;
			next = frag->nexthdr;
			if (frag->frag_off & bpf_htons(FK_IP6_OFFMASK)) {
				key->proto = next; /* later fragment: no L4 header */
				return PARSE_OK;
			}
			nh = frag + 1;
		} else {
			break;
		}
	}
	key->proto = next;
	return parse_ports(nh, data_end, next, key);
}

/*
 * Parse the packet into *key. The caller passes a zeroed key: fields this
 * function does not set (pad, ports of port-less protocols) must stay 0 so
 * the hash matches the harness.
 */
static __always_inline int parse_flow_key(void *data, void *data_end, struct flow_key *key)
{
	struct ethhdr *eth = data;
	void *nh = eth + 1;
	__u16 h_proto;
	int i;

	if (nh > data_end)
		return PARSE_TRUNCATED;
	h_proto = eth->h_proto;

	#pragma unroll
	for (i = 0; i < VLAN_MAX_DEPTH; i++) {
		struct fk_vlan_hdr *vlh = nh;

		if (!vlan_proto(h_proto))
			break;
		if ((void *)(vlh + 1) > data_end)
			return PARSE_TRUNCATED;
		h_proto = vlh->encap_proto;
		nh = vlh + 1;
	}

	if (h_proto == bpf_htons(ETH_P_IP))
		return parse_ipv4(nh, data_end, key);
	if (h_proto == bpf_htons(ETH_P_IPV6))
		return parse_ipv6(nh, data_end, key);
	return PARSE_NON_IP;
}

/* Parse the key and count the outcome: the classification every program reports in stats. */
static __always_inline int parse_and_count(void *data, void *data_end, struct flow_key *key,
					   struct sketch_stats *st)
{
	int res = parse_flow_key(data, data_end, key);

	if (res == PARSE_OK)
		st->ip_packets++;
	else if (res == PARSE_NON_IP)
		st->non_ip++;
	else
		st->truncated++;
	return res;
}

#endif
