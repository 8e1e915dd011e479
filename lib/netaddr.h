/* netaddr.h: IPv4/IPv6 addresses, CIDR lists and the client address */
/* SPDX-License-Identifier: MIT */
#ifndef BERTH_NETADDR_H
#define BERTH_NETADDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"

/*
 * One address.  Both families live in one 128-bit space: an IPv4 address
 * a.b.c.d is stored as the IPv4-mapped IPv6 address ::ffff:a.b.c.d, so that
 * "::ffff:10.1.2.3" (what a dual-stack socket reports for an IPv4 peer) and
 * "10.1.2.3" are the same address and both match "10.0.0.0/8".  v4 is true
 * for every address in ::ffff:0:0/96, however it was written.
 */
struct reg_netaddr {
	uint8_t bytes[16]; /* network byte order */
	bool v4;
};

/* Room for any address reg_netaddr_format writes, NUL included. */
#define REG_NETADDR_STRLEN 46

/*
 * Parse one address as REMOTE_ADDR gives it: dotted quad ("192.0.2.1", no
 * leading zeros, exactly four parts) or RFC 4291 text ("2001:db8::1",
 * "::ffff:192.0.2.1").  No brackets, ports, zone ids ("fe80::1%eth0"),
 * prefixes or surrounding spaces.  Returns 0, or -1 leaving *out untouched.
 */
int reg_netaddr_parse(struct reg_netaddr *out, const char *s);
/* The same over <p,len> (not NUL-terminated). */
int reg_netaddr_parsen(struct reg_netaddr *out, const char *p, size_t len);

/*
 * Write a in its usual text form ("192.0.2.1", "2001:db8::1"; IPv4-mapped
 * addresses as dotted quads) into out, which needs REG_NETADDR_STRLEN bytes.
 * Returns 0, or -1 if outsz is too small (out is then "").
 */
int reg_netaddr_format(const struct reg_netaddr *a, char *out, size_t outsz);

/* 127.0.0.0/8 (also as ::ffff:127.x.y.z) or ::1. */
bool reg_netaddr_is_loopback(const struct reg_netaddr *a);

/* One network: the first prefix bits of addr, the rest zero. */
struct reg_cidr {
	struct reg_netaddr addr;
	unsigned prefix; /* 0..128, in the 128-bit space (IPv4 /8 = 104) */
};

/*
 * A list of networks, in the order written.  Initialize with
 * reg_cidr_list_init; reg_cidr_list_release frees it and leaves it empty.
 * An empty list contains nothing.
 */
struct reg_cidr_list {
	struct reg_cidr *items;
	size_t n;
};

/* Longest list text reg_cidr_list_parse accepts. */
#define REG_CIDR_LIST_MAX 4096

void reg_cidr_list_init(struct reg_cidr_list *list);
void reg_cidr_list_release(struct reg_cidr_list *list);

/*
 * Parse "10.0.0.0/8, 192.168.1.5, fd00::/8" into *list (which must be
 * initialized; its old contents are released on success only).  Items are
 * separated by commas, with optional spaces or tabs around them.  A bare
 * address means /32 or /128.  The prefix is decimal without sign or leading
 * zeros, at most 32 for a dotted quad and 128 for IPv6 text; an IPv4-mapped
 * IPv6 network ("::ffff:10.0.0.0/104") needs a prefix of at least 96.  Host
 * bits below the prefix are accepted and cleared ("10.1.2.3/8" is
 * 10.0.0.0/8).  Empty items ("a,,b", a trailing comma), garbage and text
 * longer than REG_CIDR_LIST_MAX are errors.  A string of only spaces is
 * the empty list.  Returns 0, or -1 with err (REG_E_UNAVAILABLE, a detail
 * naming the bad item) and *list untouched.
 */
int reg_cidr_list_parse(struct reg_cidr_list *list, const char *s,
			struct reg_err *err);

/* True if addr is in one of the networks; false for a NULL addr or list. */
bool reg_cidr_list_contains(const struct reg_cidr_list *list,
			    const struct reg_netaddr *addr);

/*
 * True if the list holds every IPv4 address (0.0.0.0/0, ::ffff:0:0/96 or
 * any wider IPv6 network) or every address (::/0): worth a warning in
 * berthctl check-config when the list grants trust.
 */
bool reg_cidr_list_is_everything(const struct reg_cidr_list *list);

/*
 * Decide who the client is.  remote_addr is REMOTE_ADDR; xff is the
 * X-Forwarded-For value (the server joins repeated headers with ","), or
 * NULL; trusted lists the reverse proxies whose forwarding we believe (NULL
 * or empty: none).
 *
 * X-Forwarded-For is looked at only when REMOTE_ADDR is a trusted proxy.
 * It is then walked from the right (each proxy appends the address it
 * talked to), skipping addresses that are trusted proxies themselves; the
 * first untrusted one is the client.  When every entry is trusted the
 * leftmost one is the client.  An empty or malformed entry met on the way
 * (a port, brackets, "unknown", "a,,b") makes us fall back to REMOTE_ADDR:
 * entries left of the first untrusted address are never looked at, so a
 * client cannot plant them.
 *
 * Returns 0 and fills *out, or -1 if REMOTE_ADDR is missing or not an
 * address (*out untouched).
 */
int reg_netaddr_client(struct reg_netaddr *out, const char *remote_addr,
		       const char *xff, const struct reg_cidr_list *trusted);

#endif
