/* names.h: a directory's entry names, sorted, as one file (listing cache) */
/* SPDX-License-Identifier: MIT */
#ifndef BERTH_NAMES_H
#define BERTH_NAMES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"

/*
 * A listing of a large directory (the catalog's index, a repository's tags)
 * costs a readdir of every entry and a sort on every request.  The
 * filesystem driver keeps the sorted names next to such a directory in a
 * file of this format:
 *
 *     berth-names 1 <ino> <ctime sec> <ctime nsec> <count> <bytes>\n
 *     <name>\n ... (count names in strcmp order, bytes bytes in all)
 *
 * It is valid while the directory's inode and ctime are the ones it names:
 * adding, removing or renaming an entry changes the directory's ctime.
 */

#define REG_NAMES_MAX_BYTES (64u * 1024 * 1024)

/* Which directory state a names file describes. */
struct reg_names_key {
	uint64_t ino;
	int64_t ctime_sec;
	int64_t ctime_nsec;
};

/* A parsed names file: the names are a borrowed slice of the image. */
struct reg_names {
	struct reg_names_key key;
	uint64_t count;
	const char *names; /* count lines, each ending in '\n' */
	size_t len;
};

/*
 * Parse a names file's image; -1 when it is not one (torn, foreign or of
 * another version): the caller then lists the directory itself.
 */
int reg_names_parse(const char *img, size_t len, struct reg_names *out);

/* Whether the names describe the directory state key. */
bool reg_names_match(const struct reg_names *n,
		     const struct reg_names_key *key);

/* Offset in n->names of the first name after "after" (all: NULL or ""). */
size_t reg_names_seek(const struct reg_names *n, const char *after);

/*
 * Append a names file for the sorted names[0..count) to out; -1 when it
 * would be larger than out's cap or a name holds a newline.
 */
int reg_names_format(struct reg_buf *out, const struct reg_names_key *key,
		     const char *const *names, size_t count);

#endif
