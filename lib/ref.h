/* ref.h: validators for repository names and tags (OCI distribution grammar) */
/* SPDX-License-Identifier: MIT */
#ifndef BERTH_REF_H
#define BERTH_REF_H

#include <stdbool.h>
#include <stddef.h>

/* Longest repository name we accept (the reference registry's limit). */
#define REG_NAME_MAX 255
/* A tag is at most 128 characters. */
#define REG_TAG_MAX 128

/*
 * A repository name is one or more path components separated by '/', each
 * matching [a-z0-9]+((\.|_|__|-+)[a-z0-9]+)* , at most REG_NAME_MAX bytes
 * in all.  This grammar excludes "", ".", "..", leading/trailing/double '/'
 * and any byte that could escape the storage tree.  A component starting
 * with '_' is impossible, which keeps names apart from _layers, _manifests,
 * _uploads and _referrers in the storage tree.
 */
bool reg_name_is_valid(const char *p, size_t len);

/* A tag matches [A-Za-z0-9_][A-Za-z0-9._-]{0,127}. */
bool reg_tag_is_valid(const char *p, size_t len);

/*
 * An upload id as berth makes them: 32 lowercase hex characters (128 random
 * bits).  Anything else is unknown to us.
 */
bool reg_upload_id_is_valid(const char *p, size_t len);

#endif
