/* test_ref.c: table tests for repository name, tag and upload id checks */
/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <stdbool.h>
#include <string.h>

#include "ref.h"
#include "t.h"

#include "banned.h"

/* Rows hold NUL-terminated strings; a row may set len for embedded NULs. */
struct row {
	int line;
	const char *s;
	size_t len; /* 0: strlen(s) */
	bool want;
};

static size_t
row_len(const struct row *r)
{
	return r->len ? r->len : strlen(r->s);
}

static void
test_name(void)
{
	static const struct row rows[] = {
		{ __LINE__, "a", 0, true },
		{ __LINE__, "0", 0, true },
		{ __LINE__, "library/alpine", 0, true },
		{ __LINE__, "a/b/c/d/e", 0, true },
		{ __LINE__, "my.repo", 0, true },
		{ __LINE__, "my_repo", 0, true },
		{ __LINE__, "my__repo", 0, true },
		{ __LINE__, "my-repo", 0, true },
		{ __LINE__, "my---repo", 0, true },
		{ __LINE__, "a.b_c__d-e--f/g0", 0, true },
		{ __LINE__, "123/456", 0, true },
		{ __LINE__, "a.b.c", 0, true },
		/* Empty and dots. */
		{ __LINE__, "", 0, false },
		{ __LINE__, ".", 0, false },
		{ __LINE__, "..", 0, false },
		{ __LINE__, "../a", 0, false },
		{ __LINE__, "a/..", 0, false },
		{ __LINE__, "a/../b", 0, false },
		{ __LINE__, "a/./b", 0, false },
		{ __LINE__, "a..b", 0, false },
		{ __LINE__, ".a", 0, false },
		{ __LINE__, "a.", 0, false },
		/* Separators. */
		{ __LINE__, "/", 0, false },
		{ __LINE__, "/a", 0, false },
		{ __LINE__, "a/", 0, false },
		{ __LINE__, "a//b", 0, false },
		{ __LINE__, "//", 0, false },
		{ __LINE__, "a/b/", 0, false },
		{ __LINE__, "_x", 0, false },
		{ __LINE__, "a/_uploads", 0, false },
		{ __LINE__, "a/_manifests/b", 0, false },
		{ __LINE__, "x_", 0, false },
		{ __LINE__, "a___b", 0, false },
		{ __LINE__, "-a", 0, false },
		{ __LINE__, "a-", 0, false },
		{ __LINE__, "a/-b", 0, false },
		{ __LINE__, "a-/b", 0, false },
		{ __LINE__, "a._b", 0, false },
		{ __LINE__, "a_.b", 0, false },
		{ __LINE__, "a.-b", 0, false },
		{ __LINE__, "a-.b", 0, false },
		{ __LINE__, "a-_b", 0, false },
		{ __LINE__, "a_-b", 0, false },
		/* Other bytes. */
		{ __LINE__, "A", 0, false },
		{ __LINE__, "Library/alpine", 0, false },
		{ __LINE__, "library/Alpine", 0, false },
		{ __LINE__, "a b", 0, false },
		{ __LINE__, " a", 0, false },
		{ __LINE__, "a ", 0, false },
		{ __LINE__, "a\n", 0, false },
		{ __LINE__, "a\\b", 0, false },
		{ __LINE__, "a:b", 0, false },
		{ __LINE__, "a@b", 0, false },
		{ __LINE__, "a%2fb", 0, false },
		{ __LINE__, "a+b", 0, false },
		{ __LINE__, "a~b", 0, false },
		{ __LINE__, "\xc3\xa9", 0, false },
		{ __LINE__, "a\0b", 3, false },
		{ __LINE__, "a\0", 2, false },
		{ __LINE__, "\0", 1, false },
		{ __LINE__, "ab/..", 2, true },
	};
	char name[REG_NAME_MAX + 2];
	size_t i;

	for (i = 0; i < T_NITEMS(rows); i++) {
		T_ROW(rows[i].line);
		T_EQ_INT(reg_name_is_valid(rows[i].s, row_len(&rows[i])),
			 rows[i].want);
	}

	T_ROW(__LINE__);
	T_ASSERT(!reg_name_is_valid(NULL, 0));
	T_ASSERT(!reg_name_is_valid(NULL, 3));

	/* REG_NAME_MAX bytes is fine, one more is not. */
	T_ROW(__LINE__);
	memset(name, 'a', sizeof(name));
	T_ASSERT(reg_name_is_valid(name, REG_NAME_MAX));
	T_ASSERT(!reg_name_is_valid(name, REG_NAME_MAX + 1));
	T_ROW(__LINE__);
	for (i = 1; i < REG_NAME_MAX; i += 2)
		name[i] = '/';
	T_ASSERT(reg_name_is_valid(name, REG_NAME_MAX));
	T_ASSERT(!reg_name_is_valid(name, REG_NAME_MAX + 1));
	T_ASSERT(!reg_name_is_valid(name, REG_NAME_MAX - 1));
}

static void
test_tag(void)
{
	static const struct row rows[] = {
		{ __LINE__, "latest", 0, true },
		{ __LINE__, "v1.2.3", 0, true },
		{ __LINE__, "1.0-rc1", 0, true },
		{ __LINE__, "_x", 0, true },
		{ __LINE__, "_", 0, true },
		{ __LINE__, "A", 0, true },
		{ __LINE__, "0", 0, true },
		{ __LINE__, "MiXeD_Case-1.x", 0, true },
		{ __LINE__, "a..b", 0, true },
		{ __LINE__, "a--", 0, true },
		{ __LINE__, "a.", 0, true },
		{ __LINE__, "", 0, false },
		{ __LINE__, ".", 0, false },
		{ __LINE__, "..", 0, false },
		{ __LINE__, ".a", 0, false },
		{ __LINE__, "-a", 0, false },
		{ __LINE__, "a/b", 0, false },
		{ __LINE__, "/a", 0, false },
		{ __LINE__, "a:b", 0, false },
		{ __LINE__, "a@b", 0, false },
		{ __LINE__, "sha256:abc", 0, false },
		{ __LINE__, "a b", 0, false },
		{ __LINE__, "a\n", 0, false },
		{ __LINE__, "a+b", 0, false },
		{ __LINE__, "a%20", 0, false },
		{ __LINE__, "\xc3\xa9", 0, false },
		{ __LINE__, "a\0b", 3, false },
		{ __LINE__, "a\0", 2, false },
		{ __LINE__, "a/b", 1, true },
	};
	char tag[REG_TAG_MAX + 2];
	size_t i;

	for (i = 0; i < T_NITEMS(rows); i++) {
		T_ROW(rows[i].line);
		T_EQ_INT(reg_tag_is_valid(rows[i].s, row_len(&rows[i])),
			 rows[i].want);
	}

	T_ROW(__LINE__);
	T_ASSERT(!reg_tag_is_valid(NULL, 0));
	T_ASSERT(!reg_tag_is_valid(NULL, 1));

	/* 128 characters is fine, 129 is not. */
	T_ROW(__LINE__);
	memset(tag, 'x', sizeof(tag));
	T_ASSERT(reg_tag_is_valid(tag, REG_TAG_MAX));
	T_ASSERT(!reg_tag_is_valid(tag, REG_TAG_MAX + 1));
	T_ASSERT(!reg_tag_is_valid(tag, REG_TAG_MAX + 2));
}

static void
test_upload_id(void)
{
	static const struct row rows[] = {
		{ __LINE__, "0123456789abcdef0123456789abcdef", 0, true },
		{ __LINE__, "00000000000000000000000000000000", 0, true },
		{ __LINE__, "ffffffffffffffffffffffffffffffff", 0, true },
		{ __LINE__, "0123456789ABCDEF0123456789ABCDEF", 0, false },
		{ __LINE__, "0123456789abcdef0123456789abcdeF", 0, false },
		{ __LINE__, "0123456789abcdef0123456789abcde", 0, false },
		{ __LINE__, "0123456789abcdef0123456789abcdef0", 0, false },
		{ __LINE__, "0123456789abcdef0123456789abcdeg", 0, false },
		{ __LINE__, "01234567-89ab-cdef-0123-456789abcdef", 0, false },
		{ __LINE__, "../../../../../../../../../../ab", 0, false },
		{ __LINE__, "0123456789abcdef0123456789abcde\0", 32, false },
		{ __LINE__, "", 0, false },
	};
	size_t i;

	for (i = 0; i < T_NITEMS(rows); i++) {
		T_ROW(rows[i].line);
		T_EQ_INT(reg_upload_id_is_valid(rows[i].s, row_len(&rows[i])),
			 rows[i].want);
	}
	T_ROW(__LINE__);
	T_ASSERT(!reg_upload_id_is_valid(NULL, 32));
}

int
main(void)
{
	T_RUN(test_name, "reg_name_is_valid");
	T_RUN(test_tag, "reg_tag_is_valid");
	T_RUN(test_upload_id, "reg_upload_id_is_valid");
	return T_DONE();
}
