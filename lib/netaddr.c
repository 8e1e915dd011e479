/* netaddr.c: IPv4/IPv6 addresses, CIDR lists and the client address */
/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "buf.h"
#include "err.h"
#include "netaddr.h"

#include "banned.h"

/* The 96-bit prefix of IPv4-mapped addresses, ::ffff:0:0/96. */
static const uint8_t v4_mapped[12] = {
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff
};

/* The longest text inet_pton could accept (an IPv6 address with a quad). */
#define ADDR_TEXT_MAX (INET6_ADDRSTRLEN - 1)

static bool
is_ows(char c)
{
	return c == ' ' || c == '\t';
}

/* Parse <p,len>; *dotted tells whether the text was a dotted quad. */
static int
parse_addr(struct reg_netaddr *out, const char *p, size_t len, bool *dotted)
{
	char text[ADDR_TEXT_MAX + 1];
	struct in_addr a4;
	struct in6_addr a6;

	if (p == NULL || len == 0 || len > ADDR_TEXT_MAX ||
	    memchr(p, '\0', len) != NULL)
		return -1;
	memcpy(text, p, len);
	text[len] = '\0';
	/* glibc's inet_pton takes exactly a.b.c.d, no leading zeros. */
	if (inet_pton(AF_INET, text, &a4) == 1) {
		memcpy(out->bytes, v4_mapped, sizeof(v4_mapped));
		memcpy(out->bytes + 12, &a4.s_addr, 4);
		out->v4 = true;
		*dotted = true;
		return 0;
	}
	if (strchr(text, ':') == NULL || inet_pton(AF_INET6, text, &a6) != 1)
		return -1;
	memcpy(out->bytes, a6.s6_addr, 16);
	out->v4 = memcmp(out->bytes, v4_mapped, sizeof(v4_mapped)) == 0;
	*dotted = false;
	return 0;
}

int
reg_netaddr_parsen(struct reg_netaddr *out, const char *p, size_t len)
{
	struct reg_netaddr a;
	bool dotted;

	if (parse_addr(&a, p, len, &dotted) == -1)
		return -1;
	*out = a;
	return 0;
}

int
reg_netaddr_parse(struct reg_netaddr *out, const char *s)
{
	if (s == NULL)
		return -1;
	return reg_netaddr_parsen(out, s, strlen(s));
}

int
reg_netaddr_format(const struct reg_netaddr *a, char *out, size_t outsz)
{
	const char *r;

	if (outsz == 0)
		return -1;
	if (a->v4)
		r = inet_ntop(AF_INET, a->bytes + 12, out, (socklen_t)outsz);
	else
		r = inet_ntop(AF_INET6, a->bytes, out, (socklen_t)outsz);
	if (r == NULL) {
		out[0] = '\0';
		return -1;
	}
	return 0;
}

bool
reg_netaddr_is_loopback(const struct reg_netaddr *a)
{
	static const uint8_t v6_loopback[16] = { 0, 0, 0, 0, 0, 0, 0, 0,
						 0, 0, 0, 0, 0, 0, 0, 1 };

	if (a == NULL)
		return false;
	if (a->v4)
		return a->bytes[12] == 127;
	return memcmp(a->bytes, v6_loopback, 16) == 0;
}

/* True if the first prefix bits of x and y agree. */
static bool
prefix_equal(const uint8_t *x, const uint8_t *y, unsigned prefix)
{
	unsigned whole = prefix / 8, rest = prefix % 8;
	uint8_t mask;

	if (memcmp(x, y, whole) != 0)
		return false;
	if (rest == 0)
		return true;
	mask = (uint8_t)(0xff << (8 - rest));
	return (x[whole] & mask) == (y[whole] & mask);
}

/* Clear the bits of a below prefix. */
static void
mask_host_bits(uint8_t *a, unsigned prefix)
{
	unsigned i = prefix / 8, rest = prefix % 8;

	if (rest != 0) {
		a[i] &= (uint8_t)(0xff << (8 - rest));
		i++;
	}
	for (; i < 16; i++)
		a[i] = 0;
}

/* A prefix is 1 to 3 decimal digits, "0" or without leading zero. */
static int
parse_prefix(const char *p, size_t len, unsigned max, unsigned *out)
{
	unsigned v = 0;
	size_t i;

	if (len == 0 || len > 3 || (len > 1 && p[0] == '0'))
		return -1;
	for (i = 0; i < len; i++) {
		if (p[i] < '0' || p[i] > '9')
			return -1;
		v = v * 10 + (unsigned)(p[i] - '0');
	}
	if (v > max)
		return -1;
	*out = v;
	return 0;
}

/* Parse one item, "addr" or "addr/prefix", with no spaces. */
static int
parse_cidr(struct reg_cidr *out, const char *p, size_t len)
{
	const char *slash = memchr(p, '/', len);
	size_t alen = slash ? (size_t)(slash - p) : len;
	bool dotted;
	unsigned prefix;

	if (parse_addr(&out->addr, p, alen, &dotted) == -1)
		return -1;
	if (slash == NULL) {
		out->prefix = 128;
		return 0;
	}
	if (parse_prefix(slash + 1, len - alen - 1, dotted ? 32 : 128,
			 &prefix) == -1)
		return -1;
	if (dotted)
		prefix += 96;
	else if (out->addr.v4 && prefix < 96)
		return -1; /* "::ffff:10.0.0.0/8" is surely a mistake */
	out->prefix = prefix;
	mask_host_bits(out->addr.bytes, prefix);
	/* ::/0 and friends are not IPv4 networks. */
	out->addr.v4 =
		prefix >= 96 && memcmp(out->addr.bytes, v4_mapped, 12) == 0;
	return 0;
}

void
reg_cidr_list_init(struct reg_cidr_list *list)
{
	list->items = NULL;
	list->n = 0;
}

void
reg_cidr_list_release(struct reg_cidr_list *list)
{
	free(list->items);
	reg_cidr_list_init(list);
}

int
reg_cidr_list_parse(struct reg_cidr_list *list, const char *s,
		    struct reg_err *err)
{
	struct reg_cidr *items = NULL;
	size_t n = 0, len, i;
	const char *p = s;

	if (s == NULL)
		return reg_err_set(err, REG_E_UNAVAILABLE, "no network list");
	len = strlen(s);
	if (len > REG_CIDR_LIST_MAX)
		return reg_err_set(err, REG_E_UNAVAILABLE,
				   "network list longer than %d bytes",
				   REG_CIDR_LIST_MAX);
	i = 0;
	while (i < len && is_ows(s[i]))
		i++;
	if (i < len) {
		const char *end = s + len;

		/* At most one item per two bytes: "a,b,c". */
		items = reg_xcalloc(len / 2 + 1, sizeof(*items));
		for (;;) {
			const char *item, *comma;
			size_t ilen;

			while (p < end && is_ows(*p))
				p++;
			comma = memchr(p, ',', (size_t)(end - p));
			item = p;
			p = comma ? comma : end;
			ilen = (size_t)(p - item);
			while (ilen > 0 && is_ows(item[ilen - 1]))
				ilen--;
			if (ilen == 0) {
				free(items);
				return reg_err_set(err, REG_E_UNAVAILABLE,
						   "empty item in network "
						   "list");
			}
			if (parse_cidr(&items[n], item, ilen) == -1) {
				free(items);
				return reg_err_set(err, REG_E_UNAVAILABLE,
						   "\"%.*s\" is not an address "
						   "or network",
						   (int)(ilen > 64 ? 64 : ilen),
						   item);
			}
			n++;
			if (p == end)
				break;
			p++; /* the comma */
		}
		items = reg_xrealloc(items, n * sizeof(*items));
	}
	free(list->items);
	list->items = items;
	list->n = n;
	return 0;
}

static bool
cidr_contains(const struct reg_cidr *c, const struct reg_netaddr *a)
{
	return prefix_equal(c->addr.bytes, a->bytes, c->prefix);
}

bool
reg_cidr_list_contains(const struct reg_cidr_list *list,
		       const struct reg_netaddr *addr)
{
	size_t i;

	if (list == NULL || addr == NULL)
		return false;
	for (i = 0; i < list->n; i++) {
		if (cidr_contains(&list->items[i], addr))
			return true;
	}
	return false;
}

bool
reg_cidr_list_is_everything(const struct reg_cidr_list *list)
{
	struct reg_netaddr any4;
	size_t i;

	if (list == NULL)
		return false;
	memset(&any4, 0, sizeof(any4));
	memcpy(any4.bytes, v4_mapped, sizeof(v4_mapped));
	any4.v4 = true;
	for (i = 0; i < list->n; i++) {
		const struct reg_cidr *c = &list->items[i];

		if (c->prefix <= 96 && cidr_contains(c, &any4))
			return true;
	}
	return false;
}

int
reg_netaddr_client(struct reg_netaddr *out, const char *remote_addr,
		   const char *xff, const struct reg_cidr_list *trusted)
{
	struct reg_netaddr remote, hop;
	const char *end;

	if (reg_netaddr_parse(&remote, remote_addr) == -1)
		return -1;
	*out = remote;
	if (xff == NULL || !reg_cidr_list_contains(trusted, &remote))
		return 0;
	end = xff + strlen(xff);
	while (end > xff && is_ows(end[-1]))
		end--;
	if (end == xff)
		return 0; /* an empty header says nothing */
	for (;;) {
		const char *start = end;
		size_t len;

		/* The item is (start, end); find its left edge. */
		while (start > xff && start[-1] != ',')
			start--;
		len = (size_t)(end - start);
		while (len > 0 && is_ows(*start)) {
			start++;
			len--;
		}
		while (len > 0 && is_ows(start[len - 1]))
			len--;
		if (reg_netaddr_parsen(&hop, start, len) == -1) {
			*out = remote;
			return 0;
		}
		*out = hop;
		if (!reg_cidr_list_contains(trusted, &hop))
			return 0;
		/* A trusted proxy: look one hop further left, if any. */
		while (start > xff && start[-1] != ',')
			start--;
		if (start == xff)
			return 0;
		end = start - 1; /* the comma */
	}
}
