/* test_buf.c: tests for the capped byte buffer and the allocation wrappers */
/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "buf.h"
#include "t.h"

#include "banned.h"

/* What every initialized buffer must satisfy, whatever happened to it. */
static void
check_invariants(const struct reg_buf *b)
{
	T_ASSERT(b->data != NULL);
	T_ASSERT(b->len <= b->max);
	if (b->data != NULL && b->len <= b->max)
		T_ASSERT(b->data[b->len] == '\0');
	if (b->cap != 0) {
		T_ASSERT(b->cap >= b->len + 1);
		T_ASSERT(b->cap - 1 <= b->max);
	} else {
		T_ASSERT(b->len == 0);
	}
}

static void
test_init(void)
{
	struct reg_buf b;

	reg_buf_init(&b, 100);
	check_invariants(&b);
	T_EQ_STR(b.data, "");
	T_EQ_INT(b.len, 0);
	T_EQ_INT(b.max, 100);
	reg_buf_reset(&b);
	check_invariants(&b);
	reg_buf_release(&b);
	check_invariants(&b);
	T_EQ_INT(b.max, 100);
}

static void
test_add(void)
{
	struct reg_buf b;

	reg_buf_init(&b, 1000);
	T_EQ_INT(reg_buf_add(&b, "ab", 2), 0);
	T_EQ_INT(reg_buf_add(&b, "\0c\0", 3), 0);
	T_EQ_INT(reg_buf_add(&b, NULL, 0), 0);
	T_EQ_INT(reg_buf_add(&b, "zzz", 0), 0);
	T_EQ_INT(reg_buf_adds(&b, "de"), 0);
	T_EQ_INT(reg_buf_adds(&b, ""), 0);
	check_invariants(&b);
	T_EQ_INT(b.len, 7);
	T_ASSERT(memcmp(b.data, "ab\0c\0de", 8) == 0);
	reg_buf_release(&b);
}

/* Grow past the first allocation many times; the bytes stay right. */
static void
test_grow(void)
{
	struct reg_buf b;
	size_t i;
	bool same = true;

	reg_buf_init(&b, 100000);
	for (i = 0; i < 100000; i++) {
		char c = (char)('a' + i % 26);

		if (reg_buf_add(&b, &c, 1) == -1) {
			T_FAIL_AT("add %zu failed", i);
			break;
		}
	}
	check_invariants(&b);
	T_EQ_INT(b.len, 100000);
	for (i = 0; i < b.len; i++)
		same = same && b.data[i] == (char)('a' + i % 26);
	T_ASSERT(same);
	T_EQ_INT(reg_buf_add(&b, "x", 1), -1);
	T_EQ_INT(b.len, 100000);
	reg_buf_release(&b);
}

/*
 * Fill a buffer of cap max with pre bytes, then try to add n more.  The
 * bytes come from src, which is small: a correct buffer refuses a huge n
 * before reading anything.
 */
static void
test_cap(void)
{
	static const struct {
		int line;
		size_t max, pre, n;
		int rc;
	} rows[] = {
		{ __LINE__, 0, 0, 0, 0 },
		{ __LINE__, 0, 0, 1, -1 },
		{ __LINE__, 1, 0, 1, 0 },
		{ __LINE__, 1, 1, 1, -1 },
		{ __LINE__, 10, 0, 10, 0 },
		{ __LINE__, 10, 0, 11, -1 },
		{ __LINE__, 10, 10, 0, 0 },
		{ __LINE__, 10, 10, 1, -1 },
		{ __LINE__, 10, 5, 5, 0 },
		{ __LINE__, 10, 5, 6, -1 },
		{ __LINE__, 63, 0, 63, 0 },
		{ __LINE__, 64, 63, 1, 0 },
		{ __LINE__, 64, 64, 1, -1 },
		{ __LINE__, 65, 64, 1, 0 },
		{ __LINE__, 4096, 4000, 96, 0 },
		{ __LINE__, 4096, 4000, 97, -1 },
		/* Sizes that overflow or can never be allocated. */
		{ __LINE__, 100, 0, SIZE_MAX, -1 },
		{ __LINE__, 100, 1, SIZE_MAX, -1 },
		{ __LINE__, 100, 50, SIZE_MAX - 49, -1 },
		{ __LINE__, 100, 50, SIZE_MAX - 50, -1 },
		{ __LINE__, 100, 0, SIZE_MAX / 2 + 1, -1 },
		{ __LINE__, SIZE_MAX - 1, 0, SIZE_MAX - 1, -1 },
		{ __LINE__, SIZE_MAX - 1, 10, SIZE_MAX - 11, -1 },
		{ __LINE__, SIZE_MAX - 1, 10, SIZE_MAX - 10, -1 },
		{ __LINE__, SIZE_MAX - 1, 0, SIZE_MAX / 2 + 1, -1 },
		{ __LINE__, SIZE_MAX - 1, 1, 1, 0 },
		{ __LINE__, SIZE_MAX / 2, 1, SIZE_MAX / 2, -1 },
	};
	static char src[4096];
	size_t i;

	memset(src, 'x', sizeof(src));
	for (i = 0; i < T_NITEMS(rows); i++) {
		struct reg_buf b;
		char *before;

		T_ROW(rows[i].line);
		reg_buf_init(&b, rows[i].max);
		T_EQ_INT(reg_buf_add(&b, src, rows[i].pre), 0);
		before = reg_xstrndup(b.data, b.len);
		T_EQ_INT(reg_buf_add(&b, src, rows[i].n), rows[i].rc);
		check_invariants(&b);
		if (rows[i].rc == 0) {
			T_ASSERT(b.len == rows[i].pre + rows[i].n);
		} else {
			/* A refused add leaves the buffer as it was. */
			T_ASSERT(b.len == rows[i].pre);
			T_ASSERT(memcmp(b.data, before, b.len + 1) == 0);
		}
		free(before);
		reg_buf_release(&b);
	}
}

static void
test_addf(void)
{
	static const struct {
		int line;
		size_t max;
		const char *pre;
		int width; /* add "%0*d" of this width */
		int rc;
	} rows[] = {
		{ __LINE__, 10, "", 1, 0 },
		{ __LINE__, 10, "", 10, 0 },
		{ __LINE__, 10, "", 11, -1 },
		{ __LINE__, 10, "abcde", 5, 0 },
		{ __LINE__, 10, "abcde", 6, -1 },
		{ __LINE__, 0, "", 1, -1 },
		/* Past the 256-byte first try: the second vsnprintf. */
		{ __LINE__, 1000, "", 255, 0 },
		{ __LINE__, 1000, "", 256, 0 },
		{ __LINE__, 1000, "", 257, 0 },
		{ __LINE__, 1000, "", 1000, 0 },
		{ __LINE__, 1000, "", 1001, -1 },
		{ __LINE__, 300, "ab", 298, 0 },
		{ __LINE__, 300, "ab", 299, -1 },
		{ __LINE__, 300, "", 100000, -1 },
	};
	size_t i;

	for (i = 0; i < T_NITEMS(rows); i++) {
		struct reg_buf b;
		size_t pre = strlen(rows[i].pre);

		T_ROW(rows[i].line);
		reg_buf_init(&b, rows[i].max);
		T_EQ_INT(reg_buf_adds(&b, rows[i].pre), 0);
		T_EQ_INT(reg_buf_addf(&b, "%0*d", rows[i].width, 0),
			 rows[i].rc);
		check_invariants(&b);
		if (rows[i].rc == 0) {
			bool zeros = true;
			size_t j;

			T_ASSERT(b.len == pre + (size_t)rows[i].width);
			for (j = pre; j < b.len; j++)
				zeros = zeros && b.data[j] == '0';
			T_ASSERT(zeros);
		} else {
			T_ASSERT(b.len == pre);
		}
		T_ASSERT(strncmp(b.data, rows[i].pre, pre) == 0);
		reg_buf_release(&b);
	}

	{
		struct reg_buf b;

		T_ROW(__LINE__);
		reg_buf_init(&b, 100);
		T_EQ_INT(reg_buf_addf(&b, "%s=%d;", "n", 42), 0);
		T_EQ_INT(reg_buf_addf(&b, "%s", ""), 0);
		T_EQ_INT(reg_buf_addf(&b, "%c", 'x'), 0);
		T_EQ_STR(b.data, "n=42;x");
		T_EQ_INT(b.len, 6);
		/* An unconvertible wide character fails in vsnprintf. */
		T_EQ_INT(reg_buf_addf(&b, "%ls", L"\xe9"), -1);
		T_EQ_STR(b.data, "n=42;x");
		T_EQ_INT(b.len, 6);
		check_invariants(&b);
		reg_buf_release(&b);
	}
}

static void
test_reset(void)
{
	struct reg_buf b;
	char *data;
	size_t cap;

	reg_buf_init(&b, 1000);
	T_EQ_INT(reg_buf_adds(&b, "hello, world"), 0);
	data = b.data;
	cap = b.cap;
	reg_buf_reset(&b);
	check_invariants(&b);
	T_EQ_INT(b.len, 0);
	T_EQ_STR(b.data, "");
	T_ASSERT(b.data == data);
	T_EQ_INT(b.cap, cap);
	T_EQ_INT(b.max, 1000);
	T_EQ_INT(reg_buf_adds(&b, "again"), 0);
	T_EQ_STR(b.data, "again");
	reg_buf_release(&b);
	check_invariants(&b);
	T_EQ_INT(b.len, 0);
	T_EQ_INT(b.max, 1000);
	T_EQ_INT(reg_buf_adds(&b, "reuse"), 0);
	T_EQ_STR(b.data, "reuse");
	reg_buf_release(&b);
	reg_buf_release(&b);
	check_invariants(&b);
}

static void
test_detach(void)
{
	struct reg_buf b;
	size_t len = 99;
	char *p;

	reg_buf_init(&b, 1000);
	T_EQ_INT(reg_buf_add(&b, "a\0b", 3), 0);
	p = reg_buf_detach(&b, &len);
	T_EQ_INT(len, 3);
	T_ASSERT(memcmp(p, "a\0b", 4) == 0);
	check_invariants(&b);
	T_EQ_INT(b.len, 0);
	T_EQ_INT(b.cap, 0);
	T_EQ_INT(b.max, 1000);
	T_ASSERT(b.data != p);
	free(p);

	/* An empty buffer still hands out memory the caller can free. */
	len = 99;
	p = reg_buf_detach(&b, &len);
	T_EQ_INT(len, 0);
	T_EQ_STR(p, "");
	free(p);
	p = reg_buf_detach(&b, NULL);
	T_EQ_STR(p, "");
	free(p);

	/* The buffer is usable again afterwards. */
	T_EQ_INT(reg_buf_adds(&b, "next"), 0);
	p = reg_buf_detach(&b, NULL);
	T_EQ_STR(p, "next");
	free(p);
	check_invariants(&b);
	reg_buf_release(&b);
}

static void
test_xalloc(void)
{
	char *p;
	void *q;

	p = reg_xstrdup("abc");
	T_EQ_STR(p, "abc");
	free(p);
	p = reg_xstrndup("abcdef", 3);
	T_EQ_STR(p, "abc");
	free(p);
	p = reg_xstrndup("", 0);
	T_EQ_STR(p, "");
	free(p);
	q = reg_xmalloc(0);
	T_ASSERT(q != NULL);
	free(q);
	q = reg_xcalloc(0, 0);
	T_ASSERT(q != NULL);
	free(q);
	p = reg_xcalloc(16, 1);
	T_ASSERT(p[0] == 0 && p[15] == 0);
	p = reg_xrealloc(p, 4096);
	T_ASSERT(p[0] == 0 && p[15] == 0);
	free(p);
}

/*
 * max == SIZE_MAX is "as much as memory allows"; max + 1 must not wrap
 * into a zero-sized allocation.  Last, because a broken buffer overflows
 * the heap here.
 */
static void
test_cap_size_max(void)
{
	static const struct {
		int line;
		size_t pre, n;
		int rc;
	} rows[] = {
		{ __LINE__, 0, 1, 0 },
		{ __LINE__, 0, 100, 0 },
		{ __LINE__, 10, 1000, 0 },
		{ __LINE__, 0, SIZE_MAX, -1 },
		{ __LINE__, 1, SIZE_MAX, -1 },
		{ __LINE__, 1, SIZE_MAX - 1, -1 },
		{ __LINE__, 0, SIZE_MAX / 2 + 1, -1 },
	};
	static char src[1024];
	size_t i;

	memset(src, 'y', sizeof(src));
	for (i = 0; i < T_NITEMS(rows); i++) {
		struct reg_buf b;

		T_ROW(rows[i].line);
		reg_buf_init(&b, SIZE_MAX);
		T_EQ_INT(reg_buf_add(&b, src, rows[i].pre), 0);
		T_EQ_INT(reg_buf_add(&b, src, rows[i].n), rows[i].rc);
		check_invariants(&b);
		T_ASSERT(b.len ==
			 rows[i].pre + (rows[i].rc == 0 ? rows[i].n : 0));
		reg_buf_release(&b);
	}
}

int
main(void)
{
	T_RUN(test_init, "init, reset and release of an empty buffer");
	T_RUN(test_add, "add and adds, binary-safe");
	T_RUN(test_grow, "growth keeps the bytes");
	T_RUN(test_cap, "the cap is enforced, overflow attempts refused");
	T_RUN(test_addf, "addf, both paths, and its cap");
	T_RUN(test_reset, "reset keeps memory, release frees it");
	T_RUN(test_detach, "detach hands over memory and re-inits");
	T_RUN(test_xalloc, "the reg_x* allocation wrappers");
	T_RUN(test_cap_size_max, "a cap of SIZE_MAX");
	return T_DONE();
}
