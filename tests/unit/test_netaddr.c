/* test_netaddr.c: table tests for addresses, CIDR lists and X-Forwarded-For */
/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <stdbool.h>
#include <string.h>

#include "err.h"
#include "netaddr.h"
#include "t.h"

#include "banned.h"

static void
test_parse(void)
{
	static const struct {
		int line;
		const char *s;
		const char *want; /* formatted, NULL: parse fails */
		bool v4;
	} rows[] = {
		{ __LINE__, "192.0.2.1", "192.0.2.1", true },
		{ __LINE__, "0.0.0.0", "0.0.0.0", true },
		{ __LINE__, "255.255.255.255", "255.255.255.255", true },
		{ __LINE__, "::1", "::1", false },
		{ __LINE__, "::", "::", false },
		{ __LINE__, "2001:db8::1", "2001:db8::1", false },
		{ __LINE__, "2001:DB8::A", "2001:db8::a", false },
		{ __LINE__, "fe80::1", "fe80::1", false },
		{ __LINE__, "::ffff:192.0.2.1", "192.0.2.1", true },
		{ __LINE__, "::FFFF:192.0.2.1", "192.0.2.1", true },
		{ __LINE__, "::ffff:c000:201", "192.0.2.1", true },
		{ __LINE__, "0:0:0:0:0:ffff:7f00:1", "127.0.0.1", true },
		/* IPv4-compatible (deprecated) and NAT64 are not IPv4. */
		{ __LINE__, "::192.0.2.1", "::192.0.2.1", false },
		{ __LINE__, "64:ff9b::192.0.2.1", "64:ff9b::c000:201", false },
		{ __LINE__, "1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8", false },
		/* Not addresses. */
		{ __LINE__, "", NULL, false },
		{ __LINE__, " ", NULL, false },
		{ __LINE__, " 192.0.2.1", NULL, false },
		{ __LINE__, "192.0.2.1 ", NULL, false },
		{ __LINE__, "192.0.2", NULL, false },
		{ __LINE__, "192.0.2.1.5", NULL, false },
		{ __LINE__, "192.0.2.256", NULL, false },
		{ __LINE__, "192.0.2.-1", NULL, false },
		{ __LINE__, "192.0.2.01", NULL, false },
		{ __LINE__, "0x7f.0.0.1", NULL, false },
		{ __LINE__, "2130706433", NULL, false },
		{ __LINE__, "127.1", NULL, false },
		{ __LINE__, "192.0.2.1:80", NULL, false },
		{ __LINE__, "192.0.2.1/32", NULL, false },
		{ __LINE__, "[::1]", NULL, false },
		{ __LINE__, "[::1]:80", NULL, false },
		{ __LINE__, "fe80::1%eth0", NULL, false },
		{ __LINE__, "fe80::1%1", NULL, false },
		{ __LINE__, "1:2:3:4:5:6:7:8:9", NULL, false },
		{ __LINE__, "1::2::3", NULL, false },
		{ __LINE__, ":::1", NULL, false },
		{ __LINE__, "12345::1", NULL, false },
		{ __LINE__, "::ffff:192.0.2.256", NULL, false },
		{ __LINE__, "unknown", NULL, false },
		{ __LINE__, "localhost", NULL, false },
		{ __LINE__,
		  "0000:0000:0000:0000:0000:ffff:255.255.255.255.1111111", NULL,
		  false },
	};
	size_t i;

	for (i = 0; i < T_NITEMS(rows); i++) {
		struct reg_netaddr a;
		char out[REG_NETADDR_STRLEN];
		int rc;

		T_ROW(rows[i].line);
		memset(&a, 0xa5, sizeof(a));
		rc = reg_netaddr_parse(&a, rows[i].s);
		if (rows[i].want == NULL) {
			T_EQ_INT(rc, -1);
			continue;
		}
		T_EQ_INT(rc, 0);
		T_EQ_INT(a.v4, rows[i].v4);
		T_EQ_INT(reg_netaddr_format(&a, out, sizeof(out)), 0);
		T_EQ_STR(out, rows[i].want);
	}
	T_ROW(0);
	{
		struct reg_netaddr a;
		char small[4];

		T_EQ_INT(reg_netaddr_parse(&a, NULL), -1);
		/* A NUL inside the length is not an address. */
		T_EQ_INT(reg_netaddr_parsen(&a, "1.2.3.4\0", 8), -1);
		T_EQ_INT(reg_netaddr_parsen(&a, "1.2.3.4xyz", 7), 0);
		T_EQ_INT(reg_netaddr_parse(&a, "2001:db8::1"), 0);
		T_EQ_INT(reg_netaddr_format(&a, small, sizeof(small)), -1);
		T_EQ_STR(small, "");
	}
}

static void
test_loopback(void)
{
	static const struct {
		int line;
		const char *s;
		bool want;
	} rows[] = {
		{ __LINE__, "127.0.0.1", true },
		{ __LINE__, "127.255.255.254", true },
		{ __LINE__, "127.0.0.0", true },
		{ __LINE__, "::1", true },
		{ __LINE__, "0:0:0:0:0:0:0:1", true },
		{ __LINE__, "::ffff:127.0.0.1", true },
		{ __LINE__, "::ffff:127.9.8.7", true },
		{ __LINE__, "128.0.0.1", false },
		{ __LINE__, "126.255.255.255", false },
		{ __LINE__, "10.0.0.1", false },
		{ __LINE__, "0.0.0.0", false },
		{ __LINE__, "::", false },
		{ __LINE__, "::2", false },
		{ __LINE__, "::127.0.0.1", false },
		{ __LINE__, "1::1", false },
		{ __LINE__, "::ffff:128.0.0.1", false },
		{ __LINE__, "::1:0:0:1", false },
	};
	size_t i;

	for (i = 0; i < T_NITEMS(rows); i++) {
		struct reg_netaddr a;

		T_ROW(rows[i].line);
		T_EQ_INT(reg_netaddr_parse(&a, rows[i].s), 0);
		T_EQ_INT(reg_netaddr_is_loopback(&a), rows[i].want);
	}
	T_ROW(0);
	T_ASSERT(!reg_netaddr_is_loopback(NULL));
}

static void
test_list_parse(void)
{
	static const struct {
		int line;
		const char *s;
		int rc;
		size_t n;
	} rows[] = {
		{ __LINE__, "10.0.0.0/8", 0, 1 },
		{ __LINE__, "10.0.0.0/8, 192.168.1.5, fd00::/8", 0, 3 },
		{ __LINE__, "10.0.0.0/8,192.168.1.5,fd00::/8", 0, 3 },
		{ __LINE__, " \t10.0.0.0/8 ,\t192.168.1.5 \t", 0, 2 },
		{ __LINE__, "0.0.0.0/0", 0, 1 },
		{ __LINE__, "::/0", 0, 1 },
		{ __LINE__, "::1/128", 0, 1 },
		{ __LINE__, "1.2.3.4/32", 0, 1 },
		{ __LINE__, "1.2.3.4/0", 0, 1 },
		{ __LINE__, "10.1.2.3/8", 0, 1 }, /* host bits masked */
		{ __LINE__, "::ffff:10.0.0.0/104", 0, 1 },
		{ __LINE__, "::ffff:0:0/96", 0, 1 },
		{ __LINE__, "", 0, 0 },
		{ __LINE__, "  \t ", 0, 0 },
		/* Empty items. */
		{ __LINE__, ",", -1, 0 },
		{ __LINE__, "10.0.0.0/8,", -1, 0 },
		{ __LINE__, ",10.0.0.0/8", -1, 0 },
		{ __LINE__, "10.0.0.0/8,,fd00::/8", -1, 0 },
		{ __LINE__, "10.0.0.0/8, ,fd00::/8", -1, 0 },
		/* Prefixes. */
		{ __LINE__, "10.0.0.0/33", -1, 0 },
		{ __LINE__, "10.0.0.0/", -1, 0 },
		{ __LINE__, "10.0.0.0/-1", -1, 0 },
		{ __LINE__, "10.0.0.0/+8", -1, 0 },
		{ __LINE__, "10.0.0.0/08", -1, 0 },
		{ __LINE__, "10.0.0.0/8/8", -1, 0 },
		{ __LINE__, "10.0.0.0/ 8", -1, 0 },
		{ __LINE__, "10.0.0.0 /8", -1, 0 },
		{ __LINE__, "10.0.0.0/8a", -1, 0 },
		{ __LINE__, "10.0.0.0/4294967304", -1, 0 },
		{ __LINE__, "fd00::/129", -1, 0 },
		{ __LINE__, "fd00::/1280", -1, 0 },
		{ __LINE__, "::ffff:10.0.0.0/8", -1, 0 },
		{ __LINE__, "::ffff:10.0.0.0/95", -1, 0 },
		{ __LINE__, "/8", -1, 0 },
		/* Garbage. */
		{ __LINE__, "10.0.0.0/8 fd00::/8", -1, 0 },
		{ __LINE__, "10.0.0.0/8;fd00::/8", -1, 0 },
		{ __LINE__, "10.0.0/8", -1, 0 },
		{ __LINE__, "10/8", -1, 0 },
		{ __LINE__, "localhost", -1, 0 },
		{ __LINE__, "*", -1, 0 },
		{ __LINE__, "any", -1, 0 },
		{ __LINE__, "[::1]/128", -1, 0 },
		{ __LINE__, "fe80::1%eth0/64", -1, 0 },
		{ __LINE__, "10.0.0.0/8 # office", -1, 0 },
	};
	size_t i;

	for (i = 0; i < T_NITEMS(rows); i++) {
		struct reg_cidr_list l;
		struct reg_err err;
		int rc;

		T_ROW(rows[i].line);
		reg_cidr_list_init(&l);
		memset(&err, 0, sizeof(err));
		rc = reg_cidr_list_parse(&l, rows[i].s, &err);
		T_EQ_INT(rc, rows[i].rc);
		T_EQ_INT(l.n, rows[i].n);
		if (rc == -1) {
			T_EQ_INT(err.code, REG_E_UNAVAILABLE);
			T_ASSERT(err.detail[0] != '\0');
		}
		reg_cidr_list_release(&l);
	}
}

static void
test_list_edges(void)
{
	struct reg_cidr_list l;
	struct reg_err err;
	char big[REG_CIDR_LIST_MAX + 16];
	size_t i;

	reg_cidr_list_init(&l);
	T_EQ_INT(reg_cidr_list_parse(&l, NULL, &err), -1);
	/* Too long, even though every item is fine. */
	for (i = 0; i + 8 < sizeof(big); i += 8)
		memcpy(big + i, "1.2.3.4,", 8);
	memcpy(big + i - 1, "\0", 1);
	T_ASSERT(strlen(big) > REG_CIDR_LIST_MAX);
	T_EQ_INT(reg_cidr_list_parse(&l, big, &err), -1);
	/* At the limit: many items. */
	big[REG_CIDR_LIST_MAX - 1] = '\0';
	while (big[strlen(big) - 1] != '4')
		big[strlen(big) - 1] = '\0';
	T_EQ_INT(reg_cidr_list_parse(&l, big, &err), 0);
	T_EQ_INT(l.n, (strlen(big) + 1) / 8);
	/* A failed parse leaves the old list alone. */
	T_EQ_INT(reg_cidr_list_parse(&l, "10.0.0.0/8, bogus", &err), -1);
	T_EQ_INT(l.n, (strlen(big) + 1) / 8);
	T_ASSERT(strstr(err.detail, "bogus") != NULL);
	/* A good one replaces it. */
	T_EQ_INT(reg_cidr_list_parse(&l, "10.0.0.0/8", &err), 0);
	T_EQ_INT(l.n, 1);
	T_EQ_INT(l.items[0].prefix, 104);
	reg_cidr_list_release(&l);
	T_EQ_INT(l.n, 0);
	T_ASSERT(l.items == NULL);
	reg_cidr_list_release(&l);
	T_ASSERT(!reg_cidr_list_contains(NULL, NULL));
	T_ASSERT(!reg_cidr_list_contains(&l, NULL));
	T_ASSERT(!reg_cidr_list_is_everything(NULL));
	T_ASSERT(!reg_cidr_list_is_everything(&l));
}

static void
test_contains(void)
{
	static const struct {
		int line;
		const char *list;
		const char *addr;
		bool want;
	} rows[] = {
		{ __LINE__, "10.0.0.0/8", "10.0.0.0", true },
		{ __LINE__, "10.0.0.0/8", "10.255.255.255", true },
		{ __LINE__, "10.0.0.0/8", "11.0.0.0", false },
		{ __LINE__, "10.0.0.0/8", "9.255.255.255", false },
		/* IPv4-mapped peers match IPv4 networks, and back. */
		{ __LINE__, "10.0.0.0/8", "::ffff:10.1.2.3", true },
		{ __LINE__, "10.0.0.0/8", "::ffff:a01:203", true },
		{ __LINE__, "10.0.0.0/8", "::ffff:11.1.2.3", false },
		{ __LINE__, "::ffff:10.0.0.0/104", "10.9.9.9", true },
		{ __LINE__, "::ffff:0:0/96", "192.0.2.1", true },
		{ __LINE__, "::ffff:0:0/96", "2001:db8::1", false },
		/* But not IPv4-compatible or NAT64 forms. */
		{ __LINE__, "10.0.0.0/8", "::10.1.2.3", false },
		{ __LINE__, "10.0.0.0/8", "64:ff9b::10.1.2.3", false },
		/* Bare addresses. */
		{ __LINE__, "192.168.1.5", "192.168.1.5", true },
		{ __LINE__, "192.168.1.5", "192.168.1.4", false },
		{ __LINE__, "192.168.1.5", "192.168.1.6", false },
		{ __LINE__, "::1", "::1", true },
		{ __LINE__, "::1", "::2", false },
		/* Odd prefixes. */
		{ __LINE__, "192.168.0.0/23", "192.168.1.255", true },
		{ __LINE__, "192.168.0.0/23", "192.168.2.0", false },
		{ __LINE__, "10.1.2.3/8", "10.200.0.1", true },
		{ __LINE__, "172.16.0.0/12", "172.31.255.255", true },
		{ __LINE__, "172.16.0.0/12", "172.32.0.0", false },
		{ __LINE__, "1.2.3.4/31", "1.2.3.5", true },
		{ __LINE__, "1.2.3.4/31", "1.2.3.6", false },
		{ __LINE__, "1.2.3.4/0", "200.1.1.1", true },
		{ __LINE__, "1.2.3.4/0", "::1", false },
		/* IPv6. */
		{ __LINE__, "fd00::/8", "fd12:3456::1", true },
		{ __LINE__, "fd00::/8", "fe00::1", false },
		{ __LINE__, "fd00::/8", "10.0.0.1", false },
		{ __LINE__, "2001:db8::/33", "2001:db8:7fff::1", true },
		{ __LINE__, "2001:db8::/33", "2001:db8:8000::1", false },
		{ __LINE__, "2001:db8::1/127", "2001:db8::", true },
		{ __LINE__, "::/0", "2001:db8::1", true },
		{ __LINE__, "::/0", "10.0.0.1", true },
		{ __LINE__, "0.0.0.0/0", "10.0.0.1", true },
		{ __LINE__, "0.0.0.0/0", "::ffff:10.0.0.1", true },
		{ __LINE__, "0.0.0.0/0", "2001:db8::1", false },
		{ __LINE__, "0.0.0.0/0", "::1", false },
		/* Several items. */
		{ __LINE__, "10.0.0.0/8, 192.168.1.5, fd00::/8", "192.168.1.5",
		  true },
		{ __LINE__, "10.0.0.0/8, 192.168.1.5, fd00::/8", "fd00::5",
		  true },
		{ __LINE__, "10.0.0.0/8, 192.168.1.5, fd00::/8", "192.168.1.6",
		  false },
		{ __LINE__, "", "10.0.0.1", false },
	};
	size_t i;

	for (i = 0; i < T_NITEMS(rows); i++) {
		struct reg_cidr_list l;
		struct reg_netaddr a;
		struct reg_err err;

		T_ROW(rows[i].line);
		reg_cidr_list_init(&l);
		T_EQ_INT(reg_cidr_list_parse(&l, rows[i].list, &err), 0);
		T_EQ_INT(reg_netaddr_parse(&a, rows[i].addr), 0);
		T_EQ_INT(reg_cidr_list_contains(&l, &a), rows[i].want);
		reg_cidr_list_release(&l);
	}
}

static void
test_everything(void)
{
	static const struct {
		int line;
		const char *list;
		bool want;
	} rows[] = {
		{ __LINE__, "0.0.0.0/0", true },
		{ __LINE__, "::/0", true },
		{ __LINE__, "10.0.0.0/8, 0.0.0.0/0", true },
		{ __LINE__, "1.2.3.4/0", true },
		{ __LINE__, "::ffff:0:0/96", true },
		{ __LINE__, "::/8", true },
		{ __LINE__, "::/80", true },
		{ __LINE__, "::/81", false }, /* ffff is not zero */
		{ __LINE__, "0.0.0.0/1, 128.0.0.0/1", false }, /* not noticed */
		{ __LINE__, "0.0.0.0/1", false },
		{ __LINE__, "::ffff:0:0/97", false },
		{ __LINE__, "2000::/3", false },
		{ __LINE__, "fd00::/8", false },
		{ __LINE__, "0.0.0.0", false },
		{ __LINE__, "::", false },
		{ __LINE__, "", false },
	};
	size_t i;

	for (i = 0; i < T_NITEMS(rows); i++) {
		struct reg_cidr_list l;
		struct reg_err err;

		T_ROW(rows[i].line);
		reg_cidr_list_init(&l);
		T_EQ_INT(reg_cidr_list_parse(&l, rows[i].list, &err), 0);
		T_EQ_INT(reg_cidr_list_is_everything(&l), rows[i].want);
		reg_cidr_list_release(&l);
	}
}

static void
test_client(void)
{
	static const struct {
		int line;
		const char *trusted;
		const char *remote;
		const char *xff;
		const char *want; /* NULL: -1 */
	} rows[] = {
		/* No proxies trusted: X-Forwarded-For is ignored. */
		{ __LINE__, "", "192.0.2.1", NULL, "192.0.2.1" },
		{ __LINE__, "", "192.0.2.1", "127.0.0.1", "192.0.2.1" },
		{ __LINE__, "", "::ffff:192.0.2.1", "10.0.0.1", "192.0.2.1" },
		/* Spoofing: an untrusted peer sends the header itself. */
		{ __LINE__, "10.0.0.0/8", "192.0.2.1", "10.0.0.5",
		  "192.0.2.1" },
		{ __LINE__, "10.0.0.0/8", "192.0.2.1", "127.0.0.1",
		  "192.0.2.1" },
		{ __LINE__, "127.0.0.1", "192.0.2.1", "127.0.0.1",
		  "192.0.2.1" },
		{ __LINE__, "10.0.0.0/8", "11.0.0.1", "1.2.3.4", "11.0.0.1" },
		/* A trusted proxy. */
		{ __LINE__, "10.0.0.0/8", "10.0.0.1", "198.51.100.7",
		  "198.51.100.7" },
		{ __LINE__, "10.0.0.0/8", "::ffff:10.0.0.1", "198.51.100.7",
		  "198.51.100.7" },
		{ __LINE__, "10.0.0.0/8", "10.0.0.1", " 198.51.100.7 ",
		  "198.51.100.7" },
		{ __LINE__, "10.0.0.0/8", "10.0.0.1", "2001:db8::7",
		  "2001:db8::7" },
		{ __LINE__, "10.0.0.0/8", "10.0.0.1", "::ffff:198.51.100.7",
		  "198.51.100.7" },
		{ __LINE__, "::1", "::1", "198.51.100.7", "198.51.100.7" },
		/* The rightmost untrusted entry wins; the client's own
		 * entries on the left are never believed. */
		{ __LINE__, "10.0.0.0/8", "10.0.0.1", "127.0.0.1, 198.51.100.7",
		  "198.51.100.7" },
		{ __LINE__, "10.0.0.0/8", "10.0.0.1",
		  "10.0.0.9, 10.0.0.8, 198.51.100.7", "198.51.100.7" },
		{ __LINE__, "10.0.0.0/8", "10.0.0.1", "garbage, 198.51.100.7",
		  "198.51.100.7" },
		{ __LINE__, "10.0.0.0/8", "10.0.0.1", "1.1.1.1,198.51.100.7",
		  "198.51.100.7" },
		/* Chains of trusted proxies are skipped. */
		{ __LINE__, "10.0.0.0/8", "10.0.0.1",
		  "198.51.100.7, 10.0.0.2, 10.0.0.3", "198.51.100.7" },
		{ __LINE__, "10.0.0.0/8, fd00::/8", "10.0.0.1",
		  "203.0.113.9, 198.51.100.7, fd00::2", "198.51.100.7" },
		/* Every entry trusted: the leftmost. */
		{ __LINE__, "10.0.0.0/8", "10.0.0.1", "10.0.0.7, 10.0.0.2",
		  "10.0.0.7" },
		{ __LINE__, "10.0.0.0/8", "10.0.0.1", "10.0.0.7", "10.0.0.7" },
		/* Malformed entries reached: REMOTE_ADDR. */
		{ __LINE__, "10.0.0.0/8", "10.0.0.1", "", "10.0.0.1" },
		{ __LINE__, "10.0.0.0/8", "10.0.0.1", "  ", "10.0.0.1" },
		{ __LINE__, "10.0.0.0/8", "10.0.0.1", "unknown", "10.0.0.1" },
		{ __LINE__, "10.0.0.0/8", "10.0.0.1", "198.51.100.7:4711",
		  "10.0.0.1" },
		{ __LINE__, "10.0.0.0/8", "10.0.0.1", "[2001:db8::7]",
		  "10.0.0.1" },
		{ __LINE__, "10.0.0.0/8", "10.0.0.1", "[2001:db8::7]:443",
		  "10.0.0.1" },
		{ __LINE__, "10.0.0.0/8", "10.0.0.1", "198.51.100.7,",
		  "10.0.0.1" },
		{ __LINE__, "10.0.0.0/8", "10.0.0.1", "198.51.100.7, ",
		  "10.0.0.1" },
		{ __LINE__, "10.0.0.0/8", "10.0.0.1", ",", "10.0.0.1" },
		{ __LINE__, "10.0.0.0/8", "10.0.0.1", "198.51.100.7,,10.0.0.2",
		  "10.0.0.1" },
		{ __LINE__, "10.0.0.0/8", "10.0.0.1", "bad, 10.0.0.2",
		  "10.0.0.1" },
		{ __LINE__, "10.0.0.0/8", "10.0.0.1", "198.51.100.7 10.0.0.2",
		  "10.0.0.1" },
		{ __LINE__, "10.0.0.0/8", "10.0.0.1", "10.0.0.0/8",
		  "10.0.0.1" },
		{ __LINE__, "10.0.0.0/8", "10.0.0.1", "fe80::1%eth0",
		  "10.0.0.1" },
		/* REMOTE_ADDR must be an address. */
		{ __LINE__, "10.0.0.0/8", NULL, "198.51.100.7", NULL },
		{ __LINE__, "10.0.0.0/8", "", "198.51.100.7", NULL },
		{ __LINE__, "10.0.0.0/8", "10.0.0.1:80", "198.51.100.7", NULL },
		{ __LINE__, "10.0.0.0/8", "bogus", NULL, NULL },
	};
	size_t i;

	for (i = 0; i < T_NITEMS(rows); i++) {
		struct reg_cidr_list l;
		struct reg_netaddr a, want;
		struct reg_err err;
		int rc;

		T_ROW(rows[i].line);
		reg_cidr_list_init(&l);
		T_EQ_INT(reg_cidr_list_parse(&l, rows[i].trusted, &err), 0);
		memset(&a, 0, sizeof(a));
		rc = reg_netaddr_client(&a, rows[i].remote, rows[i].xff, &l);
		if (rows[i].want == NULL) {
			T_EQ_INT(rc, -1);
		} else {
			T_EQ_INT(rc, 0);
			T_EQ_INT(reg_netaddr_parse(&want, rows[i].want), 0);
			T_ASSERT(memcmp(a.bytes, want.bytes, 16) == 0);
			T_EQ_INT(a.v4, want.v4);
		}
		reg_cidr_list_release(&l);
	}
	T_ROW(0);
	{
		struct reg_netaddr a, want;

		/* No list at all: REMOTE_ADDR. */
		T_EQ_INT(reg_netaddr_client(&a, "10.0.0.1", "1.2.3.4", NULL),
			 0);
		T_EQ_INT(reg_netaddr_parse(&want, "10.0.0.1"), 0);
		T_ASSERT(memcmp(a.bytes, want.bytes, 16) == 0);
	}
}

/* A long X-Forwarded-For is walked from the right without copying it. */
static void
test_client_long(void)
{
	static char xff[1 << 16];
	struct reg_cidr_list l;
	struct reg_netaddr a, want;
	struct reg_err err;
	size_t i;

	for (i = 0; i + 18 < sizeof(xff); i += 9)
		memcpy(xff + i, "10.0.0.9,", 9);
	memcpy(xff + i, "1.2.3.4", 8);
	reg_cidr_list_init(&l);
	T_EQ_INT(reg_cidr_list_parse(&l, "10.0.0.0/8", &err), 0);
	T_EQ_INT(reg_netaddr_client(&a, "10.0.0.1", xff, &l), 0);
	T_EQ_INT(reg_netaddr_parse(&want, "1.2.3.4"), 0);
	T_ASSERT(memcmp(a.bytes, want.bytes, 16) == 0);
	/* Every hop trusted: the leftmost, after walking them all. */
	memcpy(xff + i, "10.0.0.8", 9);
	memcpy(xff, "10.0.0.7,", 9);
	T_EQ_INT(reg_netaddr_client(&a, "10.0.0.1", xff, &l), 0);
	T_EQ_INT(reg_netaddr_parse(&want, "10.0.0.7"), 0);
	T_ASSERT(memcmp(a.bytes, want.bytes, 16) == 0);
	reg_cidr_list_release(&l);
}

int
main(void)
{
	T_RUN(test_parse, "addresses: v4, v6, mapped, and garbage");
	T_RUN(test_loopback, "loopback: 127/8, ::1, ::ffff:127.x");
	T_RUN(test_list_parse, "CIDR lists: syntax, prefixes, empty items");
	T_RUN(test_list_edges, "CIDR lists: limits and replacement");
	T_RUN(test_contains, "CIDR lists: membership, mapped addresses");
	T_RUN(test_everything, "CIDR lists: everything for warnings");
	T_RUN(test_client, "client address: X-Forwarded-For and spoofing");
	T_RUN(test_client_long, "client address: long X-Forwarded-For");
	return T_DONE();
}
