/* names.c: a directory's entry names, sorted, as one file (listing cache) */
/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <inttypes.h>
#include <string.h>

#include "names.h"
#include "parse.h"

#include "banned.h"

#define MAGIC "berth-names 1 "
#define HEADER_MAX 128
#define FIELDS 5

/* The numbers after the magic: ino, ctime sec, ctime nsec, count, bytes. */
static int
parse_fields(const char *p, const char *end, uint64_t v[FIELDS])
{
	size_t i;

	for (i = 0; i < FIELDS; i++) {
		const char *sp = memchr(p, ' ', (size_t)(end - p));
		const char *stop = (i == FIELDS - 1) ? end : sp;

		if (stop == NULL || reg_parse_u64n(p, (size_t)(stop - p), 0,
						   UINT64_MAX, &v[i]) == -1)
			return -1;
		p = stop + 1;
	}
	return 0;
}

int
reg_names_parse(const char *img, size_t len, struct reg_names *out)
{
	size_t magic = sizeof(MAGIC) - 1, hlen;
	const char *nl;
	uint64_t v[FIELDS];

	if (len < magic || memcmp(img, MAGIC, magic) != 0)
		return -1;
	nl = memchr(img, '\n', len < HEADER_MAX ? len : HEADER_MAX);
	if (nl == NULL || parse_fields(img + magic, nl, v) == -1)
		return -1;
	hlen = (size_t)(nl - img) + 1;
	/* A torn or foreign file: the sizes must add up exactly. */
	if (v[4] != len - hlen || (v[3] == 0) != (v[4] == 0) || v[3] > v[4] ||
	    v[1] > INT64_MAX || v[2] >= 1000000000)
		return -1;
	if (v[4] > 0 && img[len - 1] != '\n')
		return -1;
	out->key.ino = v[0];
	out->key.ctime_sec = (int64_t)v[1];
	out->key.ctime_nsec = (int64_t)v[2];
	out->count = v[3];
	out->names = img + hlen;
	out->len = (size_t)v[4];
	return 0;
}

bool
reg_names_match(const struct reg_names *n, const struct reg_names_key *key)
{
	return n->key.ino == key->ino && n->key.ctime_sec == key->ctime_sec &&
	       n->key.ctime_nsec == key->ctime_nsec;
}

/* strcmp of the name p[0..n) against s. */
static int
compare_name(const char *p, size_t n, const char *s)
{
	size_t sn = strlen(s);
	int c = memcmp(p, s, n < sn ? n : sn);

	if (c != 0)
		return c;
	return n < sn ? -1 : n > sn;
}

/*
 * Binary search over line starts: from a middle byte, step back to the
 * start of its line.  Every step moves lo past a line or hi down to a
 * line start before the old hi, so it ends in O(log len) lines.
 */
size_t
reg_names_seek(const struct reg_names *n, const char *after)
{
	size_t lo = 0, hi = n->len;

	if (after == NULL || *after == '\0')
		return 0;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2, start = mid, end;
		const char *nl;

		while (start > lo && n->names[start - 1] != '\n')
			start--;
		nl = memchr(n->names + start, '\n', n->len - start);
		end = nl == NULL ? n->len : (size_t)(nl - n->names);
		if (compare_name(n->names + start, end - start, after) <= 0)
			lo = end + 1 < n->len ? end + 1 : n->len;
		else
			hi = start;
	}
	return lo;
}

int
reg_names_format(struct reg_buf *out, const struct reg_names_key *key,
		 const char *const *names, size_t count)
{
	size_t i, bytes = 0;

	for (i = 0; i < count; i++) {
		size_t n = strlen(names[i]);

		if (n == 0 || memchr(names[i], '\n', n) != NULL ||
		    __builtin_add_overflow(bytes, n + 1, &bytes))
			return -1;
	}
	if (reg_buf_addf(out,
			 MAGIC "%" PRIu64 " %" PRId64 " %" PRId64 " %zu %zu\n",
			 key->ino, key->ctime_sec, key->ctime_nsec, count,
			 bytes) == -1)
		return -1;
	for (i = 0; i < count; i++) {
		if (reg_buf_adds(out, names[i]) == -1 ||
		    reg_buf_add(out, "\n", 1) == -1)
			return -1;
	}
	return 0;
}
