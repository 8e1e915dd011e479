/* buf.c: growable, NUL-terminated, capped byte buffer */
/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"

#include "banned.h"

/* A shared empty string so that data is never NULL before the first add. */
static char buf_empty[1];

void
reg_buf_init(struct reg_buf *b, size_t max)
{
	b->data = buf_empty;
	b->len = 0;
	b->cap = 0;
	b->max = max;
}

void
reg_buf_release(struct reg_buf *b)
{
	if (b->cap)
		free(b->data);
	reg_buf_init(b, b->max);
}

void
reg_buf_reset(struct reg_buf *b)
{
	b->len = 0;
	b->data[0] = '\0';
}

/* Make room for extra more bytes plus the NUL; -1 past the cap. */
static int
grow(struct reg_buf *b, size_t extra)
{
	size_t want, cap;

	/* want + 1 (the NUL) must not wrap either. */
	if (__builtin_add_overflow(b->len, extra, &want) || want > b->max ||
	    want == SIZE_MAX)
		return -1;
	if (want + 1 <= b->cap)
		return 0;
	cap = b->cap ? b->cap : 64;
	while (cap < want + 1) {
		if (__builtin_mul_overflow(cap, 2, &cap))
			return -1;
	}
	if (cap - 1 > b->max)
		cap = b->max + 1;
	if (b->cap) {
		b->data = reg_xrealloc(b->data, cap);
	} else {
		b->data = reg_xmalloc(cap);
		b->data[0] = '\0';
	}
	b->cap = cap;
	return 0;
}

int
reg_buf_add(struct reg_buf *b, const void *p, size_t n)
{
	if (grow(b, n) == -1)
		return -1;
	if (n)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
	return 0;
}

int
reg_buf_adds(struct reg_buf *b, const char *s)
{
	return reg_buf_add(b, s, strlen(s));
}

int
reg_buf_vaddf(struct reg_buf *b, const char *fmt, va_list ap)
{
	va_list cp;
	char small[256];
	int n;

	va_copy(cp, ap);
	n = vsnprintf(small, sizeof(small), fmt, cp);
	va_end(cp);
	if (n < 0)
		return -1;
	if ((size_t)n < sizeof(small))
		return reg_buf_add(b, small, (size_t)n);
	if (grow(b, (size_t)n) == -1)
		return -1;
	if (vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap) != n)
		return -1;
	b->len += (size_t)n;
	return 0;
}

int
reg_buf_addf(struct reg_buf *b, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = reg_buf_vaddf(b, fmt, ap);
	va_end(ap);
	return rc;
}

int
reg_buf_add_json_string(struct reg_buf *b, const char *s)
{
	if (reg_buf_add(b, "\"", 1) == -1)
		return -1;
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		int rc;

		if (c == '"' || c == '\\')
			rc = reg_buf_addf(b, "\\%c", c);
		else if (c < 0x20 || c == 0x7f)
			rc = reg_buf_addf(b, "\\u%04x", c);
		else
			rc = reg_buf_add(b, s, 1);
		if (rc == -1)
			return -1;
	}
	return reg_buf_add(b, "\"", 1);
}

char *
reg_buf_detach(struct reg_buf *b, size_t *len)
{
	char *p;

	if (!b->cap)
		p = reg_xstrdup("");
	else
		p = b->data;
	if (len)
		*len = b->len;
	reg_buf_init(b, b->max);
	return p;
}

static void
out_of_memory(size_t n)
{
	fprintf(stderr, "berth: out of memory allocating %zu bytes\n", n);
	abort();
}

void *
reg_xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (p == NULL)
		out_of_memory(n);
	return p;
}

void *
reg_xcalloc(size_t nmemb, size_t size)
{
	void *p = calloc(nmemb ? nmemb : 1, size ? size : 1);

	if (p == NULL)
		out_of_memory(nmemb * size);
	return p;
}

void *
reg_xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);

	if (q == NULL)
		out_of_memory(n);
	return q;
}

char *
reg_xstrdup(const char *s)
{
	return reg_xstrndup(s, strlen(s));
}

char *
reg_xstrndup(const char *s, size_t n)
{
	char *p = reg_xmalloc(n + 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}
