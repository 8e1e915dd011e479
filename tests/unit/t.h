/* t.h: a tiny unit-test harness printing TAP */
/* SPDX-License-Identifier: MIT */
#ifndef BERTH_T_H
#define BERTH_T_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * Each test program calls T_RUN(fn, "description") for each test function
 * and returns T_DONE().  A test function uses T_ASSERT / T_EQ_* and
 * returns; a failed assertion prints file:line (and the table row's line for
 * table tests, via T_ROW) and marks the current test as failed, so one run
 * reports every failure.  Output is TAP ("ok N - desc" / "not ok N - desc")
 * with the plan at the end; the exit status is 1 if anything failed.
 */
static int t_failed_current;
static int t_count;
static int t_failures;
static int t_row_line;

#define T_ROW(line) (t_row_line = (line))

#define T_FAIL_AT(...)                                                         \
	do {                                                                   \
		fprintf(stderr, "# %s:%d: ", __FILE__, __LINE__);              \
		if (t_row_line)                                                \
			fprintf(stderr, "(case at line %d) ", t_row_line);     \
		fprintf(stderr, __VA_ARGS__);                                  \
		fprintf(stderr, "\n");                                         \
		t_failed_current = 1;                                          \
	} while (0)

#define T_ASSERT(cond)                                                         \
	do {                                                                   \
		if (!(cond))                                                   \
			T_FAIL_AT("assertion failed: %s", #cond);              \
	} while (0)

#define T_EQ_INT(a, b)                                                         \
	do {                                                                   \
		long long t_a_ = (long long)(a), t_b_ = (long long)(b);        \
		if (t_a_ != t_b_)                                              \
			T_FAIL_AT("%s == %lld, expected %s == %lld", #a, t_a_, \
				  #b, t_b_);                                   \
	} while (0)

#define T_EQ_STR(a, b)                                                         \
	do {                                                                   \
		const char *t_a_ = (a), *t_b_ = (b);                           \
		if (t_a_ == NULL || t_b_ == NULL || strcmp(t_a_, t_b_) != 0)   \
			T_FAIL_AT("%s == \"%s\", expected \"%s\"", #a,         \
				  t_a_ ? t_a_ : "(null)",                      \
				  t_b_ ? t_b_ : "(null)");                     \
	} while (0)

#define T_RUN(fn, desc)                                                        \
	do {                                                                   \
		t_failed_current = 0;                                          \
		t_row_line = 0;                                                \
		fn();                                                          \
		t_count++;                                                     \
		if (t_failed_current)                                          \
			t_failures++;                                          \
		printf("%sok %d - %s\n", t_failed_current ? "not " : "",       \
		       t_count, desc);                                         \
	} while (0)

#define T_DONE() (printf("1..%d\n", t_count), t_failures ? 1 : 0)

#define T_NITEMS(a) (sizeof(a) / sizeof((a)[0]))

#endif
