/* buf.h: growable, NUL-terminated, capped byte buffer (strbuf with a cap) */
/* SPDX-License-Identifier: MIT */
#ifndef BERTH_BUF_H
#define BERTH_BUF_H

#include <stdarg.h>
#include <stddef.h>

/*
 * struct reg_buf is a binary-safe byte buffer.  Once initialized, data is
 * never NULL and data[len] is always '\0'.  Every buffer has a mandatory
 * cap: growing past max fails with -1 (the buffer is left unchanged) instead
 * of allocating without bound, so input from outside can never make us use
 * more memory than the caller chose.  Allocation failure aborts (reg_xmalloc).
 * Any pointer into data is stale after the next append.
 */
struct reg_buf {
	char *data;
	size_t len;
	size_t cap;
	size_t max;
};

/* Initialize an empty buffer that may grow to at most max bytes. */
void reg_buf_init(struct reg_buf *b, size_t max);
/* Free the memory and leave the buffer initialized and empty. */
void reg_buf_release(struct reg_buf *b);
/* Empty the buffer, keeping its memory. */
void reg_buf_reset(struct reg_buf *b);
/* Append n bytes; -1 if the result would exceed max. */
int reg_buf_add(struct reg_buf *b, const void *p, size_t n);
/* Append a NUL-terminated string; -1 if over max. */
int reg_buf_adds(struct reg_buf *b, const char *s);
/* Append formatted text; -1 if over max or on a format error. */
int reg_buf_addf(struct reg_buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int reg_buf_vaddf(struct reg_buf *b, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));
/* Append s as a JSON string literal (quotes, escapes); -1 if over max. */
int reg_buf_add_json_string(struct reg_buf *b, const char *s);
/* Hand the memory to the caller (who frees it); the buffer is re-inited. */
char *reg_buf_detach(struct reg_buf *b, size_t *len);

/* Allocation wrappers that abort on failure (as tmux and lighttpd do). */
void *reg_xmalloc(size_t n);
void *reg_xcalloc(size_t nmemb, size_t size);
void *reg_xrealloc(void *p, size_t n);
char *reg_xstrdup(const char *s);
char *reg_xstrndup(const char *s, size_t n);

#endif
