/* file.h: reading small configuration files and noticing when they change */
/* SPDX-License-Identifier: MIT */
#ifndef BERTH_FILE_H
#define BERTH_FILE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>

#include "buf.h"
#include "err.h"

/*
 * What stat(2) said about a file (device, inode, size, mtime, ctime); err
 * is its errno, 0 if it worked.  Two signatures that compare equal mean the
 * file was not replaced or rewritten in between, as far as stat can tell:
 * files that long-lived processes re-read on change (htpasswd, access
 * rules) are checked with one stat per request.
 */
struct reg_file_sig {
	int err;
	dev_t dev;
	ino_t ino;
	off_t size;
	struct timespec mtim;
	struct timespec ctim;
};

/* stat path into *s (path NULL: an all-zero signature). */
void reg_file_sig_of(struct reg_file_sig *s, const char *path);
bool reg_file_sig_equal(const struct reg_file_sig *a,
			const struct reg_file_sig *b);

/*
 * Read the whole regular file at path, at most max bytes, into *out (which
 * this initializes with cap max; the caller releases it), and what fstat
 * said of the file read into *sig and, if mode is not NULL, *mode.  The
 * read buffer is wiped, and so is *out on failure, since these files hold
 * secrets.  Errors are REG_E_UNAVAILABLE with "path: reason".
 */
int reg_file_read(const char *path, size_t max, struct reg_buf *out,
		  struct reg_file_sig *sig, mode_t *mode, struct reg_err *err);

#endif
