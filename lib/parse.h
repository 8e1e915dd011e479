/* parse.h: strict parsers for numbers, HTTP ranges and query strings */
/* SPDX-License-Identifier: MIT */
#ifndef BERTH_PARSE_H
#define BERTH_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Parse a whole decimal string into *out, strtonum-style: only digits (no
 * sign, no spaces, no leading '+'), at least one digit, no overflow, and
 * min <= value <= max.  Returns 0, or -1 leaving *out untouched.
 */
int reg_parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out);
/* The same over <p,len> (not NUL-terminated). */
int reg_parse_u64n(const char *p, size_t len, uint64_t min, uint64_t max,
		   uint64_t *out);

/*
 * A resolved byte range [first, last] (inclusive) of a resource of a known
 * size, as used by blob GET.
 */
struct reg_range {
	uint64_t first;
	uint64_t last;
};

enum reg_range_result {
	/* No usable Range header: send everything (200). */
	REG_RANGE_NONE = 0,
	/* *r is a satisfiable single range (206). */
	REG_RANGE_OK,
	/* Answer 416 with an unsatisfied-range Content-Range (RFC 9110 14.4).
	 */
	REG_RANGE_UNSATISFIABLE,
};

/*
 * Interpret a Range request header (RFC 9110) against a resource of size
 * bytes.  Accepts one range of the "bytes" unit (in any case): "bytes=a-b",
 * "bytes=a-", "bytes=-n" (suffix), with no spaces anywhere.  A header that
 * is syntactically invalid (b < a, signs, numbers past 2^64-1), uses
 * another unit, or lists several ranges yields REG_RANGE_NONE (RFC 9110
 * lets a server ignore it).  b beyond the end is clamped to size-1, and a
 * suffix longer than the resource selects all of it.  A start at or past
 * size, or a zero-length suffix, yields REG_RANGE_UNSATISFIABLE.  A
 * non-empty suffix of an empty resource yields REG_RANGE_NONE (send the
 * empty body).  *r is written only for REG_RANGE_OK.  hdr may be NULL.
 */
enum reg_range_result reg_range_parse(const char *hdr, uint64_t size,
				      struct reg_range *r);

/*
 * Parse the Content-Range of an upload chunk (PATCH).  The distribution
 * spec sends "<first>-<last>" (inclusive); we also accept the RFC form
 * "bytes <first>-<last>/<total or *>", where last < total.  first <= last
 * is required.  Returns 0 and fills *first, *last, or -1 if malformed
 * (leaving them untouched).
 */
int reg_content_range_parse(const char *hdr, uint64_t *first, uint64_t *last);

/*
 * Query strings.  reg_query_get finds the first parameter called key in a
 * raw query string ("a=1&b=x%2Fy"), percent-decodes its value ('+' means
 * space) into out (size outsz, NUL-terminated) and returns its length; -1
 * if absent, if the decoded value does not fit, or if it contains an invalid
 * %-escape or a NUL byte.  A key present without '=' has the empty value.
 * Keys are compared byte for byte as sent, without decoding; empty
 * parameters ("a=1&&b=2") are skipped.  out is written only on success.
 * query may be NULL.
 */
long reg_query_get(const char *query, const char *key, char *out, size_t outsz);
/*
 * Iterate every value of key (for repeated parameters such as scope=):
 * *cursor starts as NULL.  Returns the value length, or -1 at the end
 * (errors as reg_query_get, which also end the iteration).
 */
long reg_query_next(const char *query, const char *key, const char **cursor,
		    char *out, size_t outsz);

/*
 * Percent-decode <in,len> into out (outsz bytes, NUL-terminated), for URL
 * paths: '+' stays '+'.  Returns the decoded length, or -1 on a bad escape,
 * a NUL byte (raw or decoded), or if out is too small; out is written only
 * on success.
 */
long reg_url_decode_path(const char *in, size_t len, char *out, size_t outsz);

/*
 * True if the first len bytes of s hold a byte that must not be echoed
 * into a response header: CR, LF, NUL, or any other control byte except
 * HTAB (RFC 9110 forbids them in field values), including DEL.
 */
bool reg_has_ctl(const char *s, size_t len);

#endif
