/* parse.c: strict parsers for numbers, HTTP ranges and query strings */
/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "parse.h"

#include "banned.h"

int
reg_parse_u64n(const char *p, size_t len, uint64_t min, uint64_t max,
	       uint64_t *out)
{
	uint64_t v = 0;
	size_t i;

	if (p == NULL || len == 0 || min > max)
		return -1;
	for (i = 0; i < len; i++) {
		unsigned d;

		/* Not isdigit(): it depends on the locale and on sign. */
		if (p[i] < '0' || p[i] > '9')
			return -1;
		d = (unsigned)(p[i] - '0');
		if (__builtin_mul_overflow(v, 10, &v) ||
		    __builtin_add_overflow(v, d, &v))
			return -1;
	}
	if (v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

int
reg_parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	if (s == NULL)
		return -1;
	return reg_parse_u64n(s, strlen(s), min, max, out);
}

/* Case-insensitive ASCII prefix match, independent of the locale. */
static bool
has_prefix_icase(const char *s, const char *prefix)
{
	for (; *prefix != '\0'; s++, prefix++) {
		char c = *s;

		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if (c != *prefix)
			return false;
	}
	return true;
}

enum reg_range_result
reg_range_parse(const char *hdr, uint64_t size, struct reg_range *r)
{
	const char *spec, *dash;
	size_t n1, n2;
	uint64_t first, last;

	if (hdr == NULL)
		return REG_RANGE_NONE;
	/* Range units are case-insensitive (RFC 9110, section 14.1). */
	if (!has_prefix_icase(hdr, "bytes="))
		return REG_RANGE_NONE;
	spec = hdr + strlen("bytes=");
	if ((dash = strchr(spec, '-')) == NULL)
		return REG_RANGE_NONE;
	n1 = (size_t)(dash - spec);
	n2 = strlen(dash + 1);
	/*
	 * Anything but digits around the one '-' (a second range, spaces, a
	 * sign) fails reg_parse_u64n and makes us ignore the header.  So do
	 * numbers past 2^64-1: ignoring a Range is always allowed.
	 */
	if (n1 == 0) {
		/* Suffix range: the last n bytes. */
		if (reg_parse_u64n(dash + 1, n2, 0, UINT64_MAX, &last) == -1)
			return REG_RANGE_NONE;
		if (last == 0)
			return REG_RANGE_UNSATISFIABLE;
		/*
		 * A non-empty suffix of an empty resource is the empty
		 * resource, which [first, last] cannot express: send it all.
		 */
		if (size == 0)
			return REG_RANGE_NONE;
		r->first = last >= size ? 0 : size - last;
		r->last = size - 1;
		return REG_RANGE_OK;
	}
	if (reg_parse_u64n(spec, n1, 0, UINT64_MAX, &first) == -1)
		return REG_RANGE_NONE;
	if (n2 == 0) {
		last = UINT64_MAX;
	} else {
		if (reg_parse_u64n(dash + 1, n2, 0, UINT64_MAX, &last) == -1)
			return REG_RANGE_NONE;
		/* last < first makes the whole header invalid, so ignored. */
		if (last < first)
			return REG_RANGE_NONE;
	}
	if (first >= size)
		return REG_RANGE_UNSATISFIABLE;
	r->first = first;
	r->last = last >= size ? size - 1 : last;
	return REG_RANGE_OK;
}

/* Parse "<first>-<last>" from <p,len> with first <= last. */
static int
parse_span(const char *p, size_t len, uint64_t *first, uint64_t *last)
{
	const char *dash = memchr(p, '-', len);
	uint64_t a, b;

	if (dash == NULL)
		return -1;
	if (reg_parse_u64n(p, (size_t)(dash - p), 0, UINT64_MAX, &a) == -1 ||
	    reg_parse_u64n(dash + 1, len - (size_t)(dash - p) - 1, 0,
			   UINT64_MAX, &b) == -1)
		return -1;
	if (a > b)
		return -1;
	*first = a;
	*last = b;
	return 0;
}

int
reg_content_range_parse(const char *hdr, uint64_t *first, uint64_t *last)
{
	const char *slash, *total;
	uint64_t a, b, n;

	if (hdr == NULL)
		return -1;
	if (!has_prefix_icase(hdr, "bytes "))
		return parse_span(hdr, strlen(hdr), first, last);

	/* RFC 9110 14.4: "bytes <first>-<last>/<complete-length or *>". */
	hdr += strlen("bytes ");
	if ((slash = strchr(hdr, '/')) == NULL)
		return -1;
	if (parse_span(hdr, (size_t)(slash - hdr), &a, &b) == -1)
		return -1;
	total = slash + 1;
	if (strcmp(total, "*") != 0) {
		/* The range must lie inside the complete length. */
		if (reg_parse_u64(total, 0, UINT64_MAX, &n) == -1 || b >= n)
			return -1;
	}
	*first = a;
	*last = b;
	return 0;
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * Percent-decode <in,len>.  A first pass validates and measures, so that
 * out is written only when the whole value decodes and fits.
 */
static long
decode(const char *in, size_t len, bool plus_is_space, char *out, size_t outsz)
{
	size_t i, n;
	int pass;

	if (out == NULL || outsz == 0 || (in == NULL && len != 0))
		return -1;
	for (pass = 0; pass < 2; pass++) {
		for (i = 0, n = 0; i < len; i++, n++) {
			char c = in[i];

			if (c == '%') {
				int hi, lo;

				if (len - i < 3 ||
				    (hi = hexval(in[i + 1])) < 0 ||
				    (lo = hexval(in[i + 2])) < 0)
					return -1;
				c = (char)(hi << 4 | lo);
				i += 2;
			} else if (c == '+' && plus_is_space) {
				c = ' ';
			}
			if (c == '\0')
				return -1;
			if (pass == 1)
				out[n] = c;
		}
		if (pass == 0 && (n >= outsz || n > LONG_MAX))
			return -1;
	}
	out[n] = '\0';
	return (long)n;
}

long
reg_url_decode_path(const char *in, size_t len, char *out, size_t outsz)
{
	return decode(in, len, false, out, outsz);
}

long
reg_query_next(const char *query, const char *key, const char **cursor,
	       char *out, size_t outsz)
{
	const char *p, *end, *eq;
	size_t keylen, plen;
	long rc;

	if (query == NULL || key == NULL)
		return -1;
	keylen = strlen(key);
	p = *cursor != NULL ? *cursor : query;
	while (*p != '\0') {
		if (*p == '&') {
			p++;
			continue;
		}
		end = strchr(p, '&');
		plen = end != NULL ? (size_t)(end - p) : strlen(p);
		end = p + plen;
		/* Keys are compared as sent, without decoding. */
		eq = memchr(p, '=', plen);
		if ((size_t)((eq != NULL ? eq : end) - p) == keylen &&
		    memcmp(p, key, keylen) == 0) {
			if (eq != NULL)
				rc = decode(eq + 1, (size_t)(end - eq - 1),
					    true, out, outsz);
			else
				rc = decode("", 0, true, out, outsz);
			/* An error ends the iteration. */
			*cursor = rc == -1 ? end + strlen(end) : end;
			return rc;
		}
		p = end;
	}
	*cursor = p;
	return -1;
}

long
reg_query_get(const char *query, const char *key, char *out, size_t outsz)
{
	const char *cursor = NULL;

	return reg_query_next(query, key, &cursor, out, outsz);
}

bool
reg_has_ctl(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		/*
		 * CR and LF split headers; NUL truncates them.  Every other
		 * control byte but HTAB is invalid in a field value too
		 * (RFC 9110, section 5.5), so refuse those as well.
		 */
		if ((c < 0x20 && c != '\t') || c == 0x7f)
			return true;
	}
	return false;
}
