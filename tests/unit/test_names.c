/* test_names.c: the listing cache's file format and its search */
/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "buf.h"
#include "names.h"
#include "t.h"

#include "banned.h"

static const struct reg_names_key key = { 1234, 1700000000, 999999999 };

/* Format names into b and parse them back into nm. */
static int
round_trip(struct reg_buf *b, const char *const *names, size_t n,
	   struct reg_names *nm)
{
	reg_buf_reset(b);
	if (reg_names_format(b, &key, names, n) == -1)
		return -1;
	return reg_names_parse(b->data, b->len, nm);
}

/* The name starting at offset at, or "" at the end. */
static const char *
name_at(const struct reg_names *nm, size_t at, char *buf, size_t bufsz)
{
	const char *nl;
	size_t n;

	if (at >= nm->len)
		return "";
	nl = memchr(nm->names + at, '\n', nm->len - at);
	n = (size_t)(nl - (nm->names + at));
	if (n >= bufsz)
		n = bufsz - 1;
	memcpy(buf, nm->names + at, n);
	buf[n] = '\0';
	return buf;
}

static void
test_round_trip(void)
{
	static const char *names[] = { "a", "a-b", "a/b", "ab", "b", "tag9" };
	struct reg_names_key other = key;
	struct reg_buf b;
	struct reg_names nm;

	reg_buf_init(&b, 4096);
	T_EQ_INT(round_trip(&b, names, T_NITEMS(names), &nm), 0);
	T_EQ_INT(nm.count, T_NITEMS(names));
	T_EQ_INT(nm.len, strlen("a\na-b\na/b\nab\nb\ntag9\n"));
	T_ASSERT(memcmp(nm.names, "a\na-b\na/b\nab\nb\ntag9\n", nm.len) == 0);
	T_ASSERT(reg_names_match(&nm, &key));
	other.ctime_nsec--;
	T_ASSERT(!reg_names_match(&nm, &other));
	other = key;
	other.ino++;
	T_ASSERT(!reg_names_match(&nm, &other));

	T_EQ_INT(round_trip(&b, names, 0, &nm), 0);
	T_EQ_INT(nm.count, 0);
	T_EQ_INT(nm.len, 0);
	T_EQ_INT(reg_names_seek(&nm, "x"), 0);
	reg_buf_release(&b);
}

static void
test_format_refuses(void)
{
	static const char *newline[] = { "a", "b\nc" };
	static const char *empty[] = { "a", "" };
	struct reg_buf b;

	reg_buf_init(&b, 4096);
	T_EQ_INT(reg_names_format(&b, &key, newline, 2), -1);
	reg_buf_reset(&b);
	T_EQ_INT(reg_names_format(&b, &key, empty, 2), -1);
	reg_buf_release(&b);
	/* Over the buffer's cap: refused, not truncated. */
	reg_buf_init(&b, 64);
	T_EQ_INT(reg_names_format(&b, &key, newline, 1), 0);
	reg_buf_reset(&b);
	{
		static const char *many[] = { "aaaaaaaaaa", "bbbbbbbbbb",
					      "cccccccccc" };
		T_EQ_INT(reg_names_format(&b, &key, many, 3), -1);
	}
	reg_buf_release(&b);
}

static void
test_parse_rejects(void)
{
	static const struct {
		int line;
		const char *img;
	} rows[] = {
		{ __LINE__, "" },
		{ __LINE__, "berth-names 2 1 1 1 1 2\na\n" },
		{ __LINE__, "berth-names 1 1 1 1 1 2\na" },
		{ __LINE__, "berth-names 1 1 1 1 1 3\na\n" },
		{ __LINE__, "berth-names 1 1 1 1 1 1\na\n" },
		{ __LINE__, "berth-names 1 1 1 1 0 2\na\n" },
		{ __LINE__, "berth-names 1 1 1 1 1 0\n" },
		{ __LINE__, "berth-names 1 1 1 1000000000 1 2\na\n" },
		{ __LINE__, "berth-names 1 1 1 1 1 2 \na\n" },
		{ __LINE__, "berth-names 1 1 1 1 2\na\n" },
		{ __LINE__, "berth-names 1 -1 1 1 1 2\na\n" },
		{ __LINE__, "berth-names 1 1 1 1 1 2" },
		{ __LINE__, "berth-names 1 1 9223372036854775808 1 1 2\na\n" },
		{ __LINE__, "berth-names 1 1 1 1 3 2\na\n" },
		{ __LINE__, "tags\n" },
	};
	struct reg_names nm;
	size_t i;

	for (i = 0; i < T_NITEMS(rows); i++) {
		T_ROW(rows[i].line);
		T_EQ_INT(reg_names_parse(rows[i].img, strlen(rows[i].img), &nm),
			 -1);
	}
	T_ROW(0);
	T_EQ_INT(reg_names_parse("berth-names 1 1 1 1 1 2\na\n", 26, &nm), 0);
}

static void
test_seek(void)
{
	static const char *names[] = { "a", "a-b",   "a/b", "ab",
				       "b", "tag10", "tag9" };
	static const struct {
		int line;
		const char *after, *want;
	} rows[] = {
		{ __LINE__, NULL, "a" },       { __LINE__, "", "a" },
		{ __LINE__, "0", "a" },	       { __LINE__, "a", "a-b" },
		{ __LINE__, "a-", "a-b" },     { __LINE__, "a-b", "a/b" },
		{ __LINE__, "a/b", "ab" },     { __LINE__, "aa", "ab" },
		{ __LINE__, "ab", "b" },       { __LINE__, "b", "tag10" },
		{ __LINE__, "tag1", "tag10" }, { __LINE__, "tag10", "tag9" },
		{ __LINE__, "tag2", "tag9" },  { __LINE__, "tag9", "" },
		{ __LINE__, "z", "" },
	};
	struct reg_buf b;
	struct reg_names nm;
	char buf[64];
	size_t i, n;

	reg_buf_init(&b, 4096);
	/* Every prefix of the list, so the search meets odd and even sizes. */
	for (n = 1; n <= T_NITEMS(names); n++) {
		T_ROW(0);
		T_EQ_INT(round_trip(&b, names, n, &nm), 0);
		for (i = 0; i < T_NITEMS(rows); i++) {
			size_t j, want = n;
			const char *got;

			for (j = 0; j < n; j++) {
				if (rows[i].after == NULL ||
				    strcmp(names[j], rows[i].after) > 0) {
					want = j;
					break;
				}
			}
			T_ROW(rows[i].line);
			got = name_at(&nm, reg_names_seek(&nm, rows[i].after),
				      buf, sizeof(buf));
			T_EQ_STR(got, want < n ? names[want] : "");
			if (n == T_NITEMS(names))
				T_EQ_STR(got, rows[i].want);
		}
	}
	reg_buf_release(&b);
}

int
main(void)
{
	T_RUN(test_round_trip, "reg_names_format and reg_names_parse agree");
	T_RUN(test_format_refuses, "reg_names_format refuses bad names");
	T_RUN(test_parse_rejects, "reg_names_parse rejects torn files");
	T_RUN(test_seek, "reg_names_seek finds the first name after");
	return T_DONE();
}
