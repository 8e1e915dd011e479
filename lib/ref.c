/* ref.c: validators for repository names and tags (OCI distribution grammar) */
/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <stdbool.h>
#include <stddef.h>

#include "ref.h"

#include "banned.h"

/* Not <ctype.h>: these must not depend on the locale. */
static bool
is_lower_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

static bool
is_lower_hex(char c)
{
	return (c >= 'a' && c <= 'f') || (c >= '0' && c <= '9');
}

static bool
is_tag_first(char c)
{
	return (c >= 'A' && c <= 'Z') || is_lower_alnum(c) || c == '_';
}

/*
 * Match one component [a-z0-9]+((\.|_|__|-+)[a-z0-9]+)* at the start of
 * <p,len>; returns the bytes consumed, or 0 when there is no component.
 */
static size_t
match_component(const char *p, size_t len)
{
	size_t i = 0;

	for (;;) {
		/* A run of [a-z0-9]+. */
		if (i == len || !is_lower_alnum(p[i]))
			return 0;
		while (i < len && is_lower_alnum(p[i]))
			i++;
		if (i == len || p[i] == '/')
			return i;
		/* A separator: ".", "_", "__" or "-+". */
		if (p[i] == '.') {
			i++;
		} else if (p[i] == '_') {
			i++;
			if (i < len && p[i] == '_')
				i++;
		} else if (p[i] == '-') {
			while (i < len && p[i] == '-')
				i++;
		} else {
			return 0;
		}
	}
}

bool
reg_name_is_valid(const char *p, size_t len)
{
	size_t i = 0;

	if (p == NULL || len == 0 || len > REG_NAME_MAX)
		return false;
	for (;;) {
		size_t n = match_component(p + i, len - i);

		if (n == 0)
			return false;
		i += n;
		if (i == len)
			return true;
		/* p[i] is '/'; a trailing one leaves an empty component. */
		i++;
	}
}

bool
reg_tag_is_valid(const char *p, size_t len)
{
	size_t i;

	if (p == NULL || len == 0 || len > REG_TAG_MAX || !is_tag_first(p[0]))
		return false;
	for (i = 1; i < len; i++) {
		if (!is_tag_first(p[i]) && p[i] != '.' && p[i] != '-')
			return false;
	}
	return true;
}

bool
reg_upload_id_is_valid(const char *p, size_t len)
{
	size_t i;

	if (p == NULL || len != 32)
		return false;
	for (i = 0; i < len; i++) {
		if (!is_lower_hex(p[i]))
			return false;
	}
	return true;
}
