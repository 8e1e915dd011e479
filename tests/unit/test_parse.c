/* test_parse.c: table tests for numbers, ranges and query strings */
/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "parse.h"
#include "t.h"

#include "banned.h"

#define SENTINEL UINT64_C(0x5a5a5a5a5a5a5a5a)

static void
test_u64(void)
{
	static const struct {
		int line;
		const char *s;
		uint64_t min, max;
		int rc;
		uint64_t want;
	} rows[] = {
		{ __LINE__, "0", 0, UINT64_MAX, 0, 0 },
		{ __LINE__, "1", 0, UINT64_MAX, 0, 1 },
		{ __LINE__, "42", 0, UINT64_MAX, 0, 42 },
		{ __LINE__, "01", 0, UINT64_MAX, 0, 1 },
		{ __LINE__, "000000000000000000000000000000000000001", 0,
		  UINT64_MAX, 0, 1 },
		{ __LINE__, "18446744073709551615", 0, UINT64_MAX, 0,
		  UINT64_MAX },
		{ __LINE__, "18446744073709551616", 0, UINT64_MAX, -1, 0 },
		{ __LINE__, "18446744073709551620", 0, UINT64_MAX, -1, 0 },
		{ __LINE__, "184467440737095516150", 0, UINT64_MAX, -1, 0 },
		{ __LINE__, "36893488147419103232", 0, UINT64_MAX, -1, 0 },
		{ __LINE__, "99999999999999999999999999999999999999999", 0,
		  UINT64_MAX, -1, 0 },
		{ __LINE__, "", 0, UINT64_MAX, -1, 0 },
		{ __LINE__, "-1", 0, UINT64_MAX, -1, 0 },
		{ __LINE__, "-0", 0, UINT64_MAX, -1, 0 },
		{ __LINE__, "+1", 0, UINT64_MAX, -1, 0 },
		{ __LINE__, " 1", 0, UINT64_MAX, -1, 0 },
		{ __LINE__, "1 ", 0, UINT64_MAX, -1, 0 },
		{ __LINE__, "\t1", 0, UINT64_MAX, -1, 0 },
		{ __LINE__, "1\n", 0, UINT64_MAX, -1, 0 },
		{ __LINE__, "0x10", 0, UINT64_MAX, -1, 0 },
		{ __LINE__, "1e3", 0, UINT64_MAX, -1, 0 },
		{ __LINE__, "1.0", 0, UINT64_MAX, -1, 0 },
		{ __LINE__, "1,000", 0, UINT64_MAX, -1, 0 },
		{ __LINE__, "1_000", 0, UINT64_MAX, -1, 0 },
		{ __LINE__, "abc", 0, UINT64_MAX, -1, 0 },
		{ __LINE__, "\xef\xbc\x91", 0, UINT64_MAX, -1, 0 },
		{ __LINE__, "\xb9", 0, UINT64_MAX, -1, 0 },
		{ __LINE__, "5", 6, 10, -1, 0 },
		{ __LINE__, "11", 6, 10, -1, 0 },
		{ __LINE__, "6", 6, 10, 0, 6 },
		{ __LINE__, "10", 6, 10, 0, 10 },
		{ __LINE__, "5", 5, 5, 0, 5 },
		{ __LINE__, "5", 6, 5, -1, 0 },
		{ __LINE__, "0", 1, UINT64_MAX, -1, 0 },
		{ __LINE__, "18446744073709551615", 0, UINT64_MAX - 1, -1, 0 },
	};
	size_t i;

	for (i = 0; i < T_NITEMS(rows); i++) {
		uint64_t v = SENTINEL;

		T_ROW(rows[i].line);
		T_EQ_INT(reg_parse_u64(rows[i].s, rows[i].min, rows[i].max, &v),
			 rows[i].rc);
		if (rows[i].rc == 0)
			T_ASSERT(v == rows[i].want);
		else
			T_ASSERT(v == SENTINEL);
	}
	T_ROW(0);
	{
		uint64_t v = SENTINEL;

		T_EQ_INT(reg_parse_u64(NULL, 0, UINT64_MAX, &v), -1);
		T_ASSERT(v == SENTINEL);
	}
}

static void
test_u64n(void)
{
	static const struct {
		int line;
		const char *p;
		size_t len;
		int rc;
		uint64_t want;
	} rows[] = {
		{ __LINE__, "123", 3, 0, 123 },
		{ __LINE__, "123", 2, 0, 12 },
		{ __LINE__, "123", 1, 0, 1 },
		{ __LINE__, "123", 0, -1, 0 },
		{ __LINE__, "12\0", 3, -1, 0 },
		{ __LINE__, "1\0002", 3, -1, 0 },
		{ __LINE__, "\0001", 2, -1, 0 },
		{ __LINE__, "12-", 2, 0, 12 },
		{ __LINE__, "12-", 3, -1, 0 },
		{ __LINE__, "184467440737095516159", 20, 0, UINT64_MAX },
		{ __LINE__, "184467440737095516159", 21, -1, 0 },
		{ __LINE__, NULL, 0, -1, 0 },
	};
	size_t i;

	for (i = 0; i < T_NITEMS(rows); i++) {
		uint64_t v = SENTINEL;

		T_ROW(rows[i].line);
		T_EQ_INT(reg_parse_u64n(rows[i].p, rows[i].len, 0, UINT64_MAX,
					&v),
			 rows[i].rc);
		T_ASSERT(v == (rows[i].rc == 0 ? rows[i].want : SENTINEL));
	}
}

static void
test_range(void)
{
	static const struct {
		int line;
		const char *hdr;
		uint64_t size;
		enum reg_range_result res;
		uint64_t first, last;
	} rows[] = {
		{ __LINE__, NULL, 10, REG_RANGE_NONE, 0, 0 },
		{ __LINE__, "", 10, REG_RANGE_NONE, 0, 0 },
		{ __LINE__, "bytes=0-0", 10, REG_RANGE_OK, 0, 0 },
		{ __LINE__, "bytes=0-9", 10, REG_RANGE_OK, 0, 9 },
		{ __LINE__, "bytes=9-9", 10, REG_RANGE_OK, 9, 9 },
		{ __LINE__, "bytes=3-5", 10, REG_RANGE_OK, 3, 5 },
		{ __LINE__, "bytes=0-", 10, REG_RANGE_OK, 0, 9 },
		{ __LINE__, "bytes=9-", 10, REG_RANGE_OK, 9, 9 },
		{ __LINE__, "bytes=0-99", 10, REG_RANGE_OK, 0, 9 },
		{ __LINE__, "bytes=0-18446744073709551615", 10, REG_RANGE_OK, 0,
		  9 },
		{ __LINE__, "bytes=-1", 10, REG_RANGE_OK, 9, 9 },
		{ __LINE__, "bytes=-5", 10, REG_RANGE_OK, 5, 9 },
		{ __LINE__, "bytes=-10", 10, REG_RANGE_OK, 0, 9 },
		{ __LINE__, "bytes=-20", 10, REG_RANGE_OK, 0, 9 },
		{ __LINE__, "bytes=-18446744073709551615", 10, REG_RANGE_OK, 0,
		  9 },
		{ __LINE__, "BYTES=1-2", 10, REG_RANGE_OK, 1, 2 },
		{ __LINE__, "Bytes=1-2", 10, REG_RANGE_OK, 1, 2 },
		{ __LINE__, "bytes=007-008", 10, REG_RANGE_OK, 7, 8 },
		/* Unsatisfiable: 416. */
		{ __LINE__, "bytes=-0", 10, REG_RANGE_UNSATISFIABLE, 0, 0 },
		{ __LINE__, "bytes=-000", 10, REG_RANGE_UNSATISFIABLE, 0, 0 },
		{ __LINE__, "bytes=10-", 10, REG_RANGE_UNSATISFIABLE, 0, 0 },
		{ __LINE__, "bytes=10-10", 10, REG_RANGE_UNSATISFIABLE, 0, 0 },
		{ __LINE__, "bytes=10-20", 10, REG_RANGE_UNSATISFIABLE, 0, 0 },
		{ __LINE__, "bytes=18446744073709551615-", 10,
		  REG_RANGE_UNSATISFIABLE, 0, 0 },
		/* Size 0: only a suffix could match, and it is everything. */
		{ __LINE__, "bytes=0-0", 0, REG_RANGE_UNSATISFIABLE, 0, 0 },
		{ __LINE__, "bytes=0-", 0, REG_RANGE_UNSATISFIABLE, 0, 0 },
		{ __LINE__, "bytes=-0", 0, REG_RANGE_UNSATISFIABLE, 0, 0 },
		{ __LINE__, "bytes=-1", 0, REG_RANGE_NONE, 0, 0 },
		{ __LINE__, "bytes=-1", UINT64_MAX, REG_RANGE_OK,
		  UINT64_MAX - 1, UINT64_MAX - 1 },
		{ __LINE__, "bytes=0-", UINT64_MAX, REG_RANGE_OK, 0,
		  UINT64_MAX - 1 },
		/* Invalid or unsupported: ignored. */
		{ __LINE__, "bytes=5-2", 10, REG_RANGE_NONE, 0, 0 },
		{ __LINE__, "bytes=5-4", 10, REG_RANGE_NONE, 0, 0 },
		{ __LINE__, "bytes=20-5", 10, REG_RANGE_NONE, 0, 0 },
		{ __LINE__, "bytes=0-1,3-4", 10, REG_RANGE_NONE, 0, 0 },
		{ __LINE__, "bytes=0-1, 3-4", 10, REG_RANGE_NONE, 0, 0 },
		{ __LINE__, "bytes=0-1,", 10, REG_RANGE_NONE, 0, 0 },
		{ __LINE__, "bytes=,0-1", 10, REG_RANGE_NONE, 0, 0 },
		{ __LINE__, "bytes=-1,-2", 10, REG_RANGE_NONE, 0, 0 },
		{ __LINE__, "items=0-1", 10, REG_RANGE_NONE, 0, 0 },
		{ __LINE__, "bytesx=0-1", 10, REG_RANGE_NONE, 0, 0 },
		{ __LINE__, "byte=0-1", 10, REG_RANGE_NONE, 0, 0 },
		{ __LINE__, "bytes 0-1", 10, REG_RANGE_NONE, 0, 0 },
		{ __LINE__, "bytes = 0-1", 10, REG_RANGE_NONE, 0, 0 },
		{ __LINE__, "bytes =0-1", 10, REG_RANGE_NONE, 0, 0 },
		{ __LINE__, "bytes= 0-1", 10, REG_RANGE_NONE, 0, 0 },
		{ __LINE__, " bytes=0-1", 10, REG_RANGE_NONE, 0, 0 },
		{ __LINE__, "bytes=0 -1", 10, REG_RANGE_NONE, 0, 0 },
		{ __LINE__, "bytes=0- 1", 10, REG_RANGE_NONE, 0, 0 },
		{ __LINE__, "bytes=0-1 ", 10, REG_RANGE_NONE, 0, 0 },
		{ __LINE__, "bytes=0-1\r\n", 10, REG_RANGE_NONE, 0, 0 },
		{ __LINE__, "bytes=0-1;", 10, REG_RANGE_NONE, 0, 0 },
		{ __LINE__, "bytes=", 10, REG_RANGE_NONE, 0, 0 },
		{ __LINE__, "bytes=-", 10, REG_RANGE_NONE, 0, 0 },
		{ __LINE__, "bytes=--1", 10, REG_RANGE_NONE, 0, 0 },
		{ __LINE__, "bytes=1--2", 10, REG_RANGE_NONE, 0, 0 },
		{ __LINE__, "bytes=1-2-3", 10, REG_RANGE_NONE, 0, 0 },
		{ __LINE__, "bytes=+1-2", 10, REG_RANGE_NONE, 0, 0 },
		{ __LINE__, "bytes=1-+2", 10, REG_RANGE_NONE, 0, 0 },
		{ __LINE__, "bytes=0x1-2", 10, REG_RANGE_NONE, 0, 0 },
		{ __LINE__, "bytes=1", 10, REG_RANGE_NONE, 0, 0 },
		{ __LINE__, "bytes=a-b", 10, REG_RANGE_NONE, 0, 0 },
		{ __LINE__, "bytes=18446744073709551616-", 10, REG_RANGE_NONE,
		  0, 0 },
		{ __LINE__, "bytes=0-18446744073709551616", 10, REG_RANGE_NONE,
		  0, 0 },
		{ __LINE__, "bytes=-18446744073709551616", 10, REG_RANGE_NONE,
		  0, 0 },
		{ __LINE__, "bytes=-99999999999999999999999999999999", 10,
		  REG_RANGE_NONE, 0, 0 },
		{ __LINE__, "=0-1", 10, REG_RANGE_NONE, 0, 0 },
		{ __LINE__, "0-1", 10, REG_RANGE_NONE, 0, 0 },
	};
	size_t i;

	for (i = 0; i < T_NITEMS(rows); i++) {
		struct reg_range r = { SENTINEL, SENTINEL };

		T_ROW(rows[i].line);
		T_EQ_INT(reg_range_parse(rows[i].hdr, rows[i].size, &r),
			 rows[i].res);
		if (rows[i].res == REG_RANGE_OK) {
			T_ASSERT(r.first == rows[i].first);
			T_ASSERT(r.last == rows[i].last);
			T_ASSERT(r.first <= r.last && r.last < rows[i].size);
		} else {
			T_ASSERT(r.first == SENTINEL && r.last == SENTINEL);
		}
	}
}

static void
test_content_range(void)
{
	static const struct {
		int line;
		const char *hdr;
		int rc;
		uint64_t first, last;
	} rows[] = {
		/* The distribution spec's form. */
		{ __LINE__, "0-0", 0, 0, 0 },
		{ __LINE__, "0-1023", 0, 0, 1023 },
		{ __LINE__, "1024-2047", 0, 1024, 2047 },
		{ __LINE__, "5-5", 0, 5, 5 },
		{ __LINE__, "0-18446744073709551615", 0, 0, UINT64_MAX },
		{ __LINE__, "5-2", -1, 0, 0 },
		{ __LINE__, "1-0", -1, 0, 0 },
		{ __LINE__, "", -1, 0, 0 },
		{ __LINE__, NULL, -1, 0, 0 },
		{ __LINE__, "-", -1, 0, 0 },
		{ __LINE__, "-5", -1, 0, 0 },
		{ __LINE__, "5-", -1, 0, 0 },
		{ __LINE__, "5", -1, 0, 0 },
		{ __LINE__, "0--1", -1, 0, 0 },
		{ __LINE__, "+0-1", -1, 0, 0 },
		{ __LINE__, "0-+1", -1, 0, 0 },
		{ __LINE__, " 0-1", -1, 0, 0 },
		{ __LINE__, "0-1 ", -1, 0, 0 },
		{ __LINE__, "0 - 1", -1, 0, 0 },
		{ __LINE__, "0-1\r\n", -1, 0, 0 },
		{ __LINE__, "0-1-2", -1, 0, 0 },
		{ __LINE__, "0-1,2-3", -1, 0, 0 },
		{ __LINE__, "0x0-0x1", -1, 0, 0 },
		{ __LINE__, "0-18446744073709551616", -1, 0, 0 },
		{ __LINE__, "18446744073709551616-18446744073709551617", -1, 0,
		  0 },
		{ __LINE__, "0-9/10", -1, 0, 0 },
		/* The RFC 9110 form. */
		{ __LINE__, "bytes 0-9/10", 0, 0, 9 },
		{ __LINE__, "bytes 0-9/*", 0, 0, 9 },
		{ __LINE__, "bytes 5-9/1000", 0, 5, 9 },
		{ __LINE__, "BYTES 0-9/10", 0, 0, 9 },
		{ __LINE__, "bytes 0-9/9", -1, 0, 0 },
		{ __LINE__, "bytes 0-9/0", -1, 0, 0 },
		{ __LINE__, "bytes 0-9/", -1, 0, 0 },
		{ __LINE__, "bytes 0-9", -1, 0, 0 },
		{ __LINE__, "bytes */10", -1, 0, 0 },
		{ __LINE__, "bytes 9-0/10", -1, 0, 0 },
		{ __LINE__, "bytes 0-9/10/11", -1, 0, 0 },
		{ __LINE__, "bytes 0-9/**", -1, 0, 0 },
		{ __LINE__, "bytes 0-9/-1", -1, 0, 0 },
		{ __LINE__, "bytes 0-9/18446744073709551616", -1, 0, 0 },
		{ __LINE__, "bytes  0-9/10", -1, 0, 0 },
		{ __LINE__, "bytes=0-9", -1, 0, 0 },
		{ __LINE__, "bytes=0-9/10", -1, 0, 0 },
		{ __LINE__, "bytes", -1, 0, 0 },
		{ __LINE__, "bytes ", -1, 0, 0 },
		{ __LINE__, "items 0-9/10", -1, 0, 0 },
	};
	size_t i;

	for (i = 0; i < T_NITEMS(rows); i++) {
		uint64_t first = SENTINEL, last = SENTINEL;

		T_ROW(rows[i].line);
		T_EQ_INT(reg_content_range_parse(rows[i].hdr, &first, &last),
			 rows[i].rc);
		if (rows[i].rc == 0) {
			T_ASSERT(first == rows[i].first);
			T_ASSERT(last == rows[i].last);
		} else {
			T_ASSERT(first == SENTINEL && last == SENTINEL);
		}
	}
}

static void
test_query_get(void)
{
	static const struct {
		int line;
		const char *query;
		const char *key;
		size_t outsz;
		long rc;
		const char *want;
	} rows[] = {
		{ __LINE__, "digest=sha256%3Aabc", "digest", 64, 10,
		  "sha256:abc" },
		{ __LINE__, "a=1&digest=x", "digest", 64, 1, "x" },
		{ __LINE__, "digestx=1&digest=2", "digest", 64, 1, "2" },
		{ __LINE__, "digestx=1", "digest", 64, -1, NULL },
		{ __LINE__, "xdigest=1", "digest", 64, -1, NULL },
		{ __LINE__, "dig=1", "digest", 64, -1, NULL },
		{ __LINE__, "Digest=1", "digest", 64, -1, NULL },
		{ __LINE__, "digest", "digest", 64, 0, "" },
		{ __LINE__, "digest=", "digest", 64, 0, "" },
		{ __LINE__, "digest&digest=2", "digest", 64, 0, "" },
		{ __LINE__, "n=1&n=2", "n", 64, 1, "1" },
		{ __LINE__, "n=10&last=x", "last", 64, 1, "x" },
		{ __LINE__, "a=x%2Fy", "a", 64, 3, "x/y" },
		{ __LINE__, "a=x%2fy", "a", 64, 3, "x/y" },
		{ __LINE__, "a=b+c", "a", 64, 3, "b c" },
		{ __LINE__, "a=b%2Bc", "a", 64, 3, "b+c" },
		{ __LINE__, "a=%20", "a", 64, 1, " " },
		{ __LINE__, "a=1=2", "a", 64, 3, "1=2" },
		{ __LINE__, "a=%C3%A9", "a", 64, 2, "\xc3\xa9" },
		{ __LINE__, "a=%0D%0A", "a", 64, 2, "\r\n" },
		{ __LINE__, "scope=repository:foo/bar:pull,push", "scope", 64,
		  28, "repository:foo/bar:pull,push" },
		{ __LINE__, "&a=1&&", "a", 64, 1, "1" },
		{ __LINE__, "&&&", "a", 64, -1, NULL },
		{ __LINE__, "", "a", 64, -1, NULL },
		{ __LINE__, NULL, "a", 64, -1, NULL },
		{ __LINE__, "=1", "a", 64, -1, NULL },
		/* Keys are compared as sent. */
		{ __LINE__, "%61=1", "a", 64, -1, NULL },
		{ __LINE__, "a+b=1", "a b", 64, -1, NULL },
		/* Bad escapes and NUL bytes. */
		{ __LINE__, "a=%zz", "a", 64, -1, NULL },
		{ __LINE__, "a=%2", "a", 64, -1, NULL },
		{ __LINE__, "a=%", "a", 64, -1, NULL },
		{ __LINE__, "a=%%41", "a", 64, -1, NULL },
		{ __LINE__, "a=%2g", "a", 64, -1, NULL },
		{ __LINE__, "a=% 1", "a", 64, -1, NULL },
		{ __LINE__, "a=%00", "a", 64, -1, NULL },
		{ __LINE__, "a=x%00y", "a", 64, -1, NULL },
		{ __LINE__, "a=%2&b=1", "a", 64, -1, NULL },
		/* The first match decides, even when it is bad. */
		{ __LINE__, "a=%zz&a=1", "a", 64, -1, NULL },
		/* Sizes: the value and its NUL must fit. */
		{ __LINE__, "a=12345", "a", 6, 5, "12345" },
		{ __LINE__, "a=12345", "a", 5, -1, NULL },
		{ __LINE__, "a=%41%41", "a", 3, 2, "AA" },
		{ __LINE__, "a=%41%41", "a", 2, -1, NULL },
		{ __LINE__, "a=", "a", 1, 0, "" },
		{ __LINE__, "a", "a", 1, 0, "" },
		{ __LINE__, "a=", "a", 0, -1, NULL },
	};
	size_t i;

	for (i = 0; i < T_NITEMS(rows); i++) {
		char out[64] = "untouched";

		T_ROW(rows[i].line);
		T_EQ_INT(reg_query_get(rows[i].query, rows[i].key, out,
				       rows[i].outsz),
			 rows[i].rc);
		if (rows[i].rc >= 0)
			T_EQ_STR(out, rows[i].want);
		else
			T_EQ_STR(out, "untouched");
	}
}

static void
test_query_next(void)
{
	static const struct {
		int line;
		const char *query;
		const char *key;
		/* The values in order; NULL marks where -1 is expected. */
		const char *want[6];
	} rows[] = {
		{ __LINE__,
		  "scope=a&x=1&scope=b%20c&scope=&scopex=d&scope",
		  "scope",
		  { "a", "b c", "", "", NULL } },
		{ __LINE__, "scope=a", "scope", { "a", NULL } },
		{ __LINE__, "x=1", "scope", { NULL } },
		{ __LINE__, "", "scope", { NULL } },
		{ __LINE__, NULL, "scope", { NULL } },
		{ __LINE__, "scope=a&&&scope=b&", "scope", { "a", "b", NULL } },
		/* An error ends the iteration: "c" is never seen. */
		{ __LINE__,
		  "scope=a&scope=%zz&scope=c",
		  "scope",
		  { "a", NULL } },
		{ __LINE__, "scope=%00&scope=c", "scope", { NULL } },
	};
	size_t i, j;

	for (i = 0; i < T_NITEMS(rows); i++) {
		const char *cursor = NULL;
		char out[64];

		T_ROW(rows[i].line);
		for (j = 0; rows[i].want[j] != NULL; j++) {
			long n = reg_query_next(rows[i].query, rows[i].key,
						&cursor, out, sizeof(out));

			T_EQ_INT(n, (long)strlen(rows[i].want[j]));
			if (n < 0)
				break;
			T_EQ_STR(out, rows[i].want[j]);
		}
		/* The end, and it stays the end. */
		T_EQ_INT(reg_query_next(rows[i].query, rows[i].key, &cursor,
					out, sizeof(out)),
			 -1);
		T_EQ_INT(reg_query_next(rows[i].query, rows[i].key, &cursor,
					out, sizeof(out)),
			 -1);
	}
}

static void
test_url_decode_path(void)
{
	static const struct {
		int line;
		const char *in;
		size_t len;
		size_t outsz;
		long rc;
		const char *want;
	} rows[] = {
		{ __LINE__, "", 0, 64, 0, "" },
		{ __LINE__, "abc", 3, 64, 3, "abc" },
		{ __LINE__, "abc", 2, 64, 2, "ab" },
		{ __LINE__, "a%2Fb", 5, 64, 3, "a/b" },
		{ __LINE__, "a%2fb", 5, 64, 3, "a/b" },
		{ __LINE__, "a+b", 3, 64, 3, "a+b" },
		{ __LINE__, "a%2Bb", 5, 64, 3, "a+b" },
		{ __LINE__, "%41", 3, 64, 1, "A" },
		{ __LINE__, "%2e%2e", 6, 64, 2, ".." },
		{ __LINE__, "%25", 3, 64, 1, "%" },
		{ __LINE__, "%2541", 5, 64, 3, "%41" },
		{ __LINE__, "%ff", 3, 64, 1, "\xff" },
		{ __LINE__, "%zz", 3, 64, -1, NULL },
		{ __LINE__, "%", 1, 64, -1, NULL },
		{ __LINE__, "%4", 2, 64, -1, NULL },
		{ __LINE__, "a%41", 3, 64, -1, NULL },
		{ __LINE__, "%-1", 3, 64, -1, NULL },
		{ __LINE__, "%00", 3, 64, -1, NULL },
		{ __LINE__, "a\0b", 3, 64, -1, NULL },
		{ __LINE__, "\0", 1, 64, -1, NULL },
		{ __LINE__, "abc", 3, 4, 3, "abc" },
		{ __LINE__, "abc", 3, 3, -1, NULL },
		{ __LINE__, "%41%42", 6, 3, 2, "AB" },
		{ __LINE__, "%41%42", 6, 2, -1, NULL },
		{ __LINE__, "", 0, 1, 0, "" },
		{ __LINE__, "", 0, 0, -1, NULL },
	};
	size_t i;

	for (i = 0; i < T_NITEMS(rows); i++) {
		char out[64] = "untouched";

		T_ROW(rows[i].line);
		T_EQ_INT(reg_url_decode_path(rows[i].in, rows[i].len, out,
					     rows[i].outsz),
			 rows[i].rc);
		if (rows[i].rc >= 0)
			T_EQ_STR(out, rows[i].want);
		else
			T_EQ_STR(out, "untouched");
	}
}

static void
test_has_ctl(void)
{
	static const struct {
		int line;
		const char *s;
		size_t len;
		bool want;
	} rows[] = {
		{ __LINE__, "", 0, false },
		{ __LINE__, "abc", 3, false },
		{ __LINE__, "/v2/a/blobs/uploads/0123", 24, false },
		{ __LINE__, "a b", 3, false },
		{ __LINE__, "a\tb", 3, false },
		{ __LINE__, "\x80\xff", 2, false },
		{ __LINE__, "~", 1, false },
		{ __LINE__, "a\rb", 3, true },
		{ __LINE__, "a\nb", 3, true },
		{ __LINE__, "\r\n", 2, true },
		{ __LINE__, "abc\n", 4, true },
		{ __LINE__, "abc\n", 3, false },
		{ __LINE__, "a\0b", 3, true },
		{ __LINE__, "a\0b", 1, false },
		{ __LINE__, "\x01", 1, true },
		{ __LINE__, "\x1b[31m", 5, true },
		{ __LINE__, "\x1f", 1, true },
		{ __LINE__, "\x7f", 1, true },
	};
	size_t i;

	for (i = 0; i < T_NITEMS(rows); i++) {
		T_ROW(rows[i].line);
		T_EQ_INT(reg_has_ctl(rows[i].s, rows[i].len), rows[i].want);
	}
}

int
main(void)
{
	T_RUN(test_u64, "reg_parse_u64");
	T_RUN(test_u64n, "reg_parse_u64n over <p,len>");
	T_RUN(test_range, "reg_range_parse");
	T_RUN(test_content_range, "reg_content_range_parse");
	T_RUN(test_query_get, "reg_query_get");
	T_RUN(test_query_next, "reg_query_next");
	T_RUN(test_url_decode_path, "reg_url_decode_path");
	T_RUN(test_has_ctl, "reg_has_ctl");
	return T_DONE();
}
