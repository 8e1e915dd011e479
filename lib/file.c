/* file.c: reading small configuration files and noticing when they change */
/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "file.h"

#include "banned.h"

static void
sig_from_stat(struct reg_file_sig *s, const struct stat *st)
{
	memset(s, 0, sizeof(*s));
	s->dev = st->st_dev;
	s->ino = st->st_ino;
	s->size = st->st_size;
	s->mtim = st->st_mtim;
	s->ctim = st->st_ctim;
}

void
reg_file_sig_of(struct reg_file_sig *s, const char *path)
{
	struct stat st;

	memset(s, 0, sizeof(*s));
	if (path == NULL)
		return;
	if (stat(path, &st) == -1)
		s->err = errno ? errno : EIO;
	else
		sig_from_stat(s, &st);
}

bool
reg_file_sig_equal(const struct reg_file_sig *a, const struct reg_file_sig *b)
{
	return a->err == b->err && a->dev == b->dev && a->ino == b->ino &&
	       a->size == b->size && a->mtim.tv_sec == b->mtim.tv_sec &&
	       a->mtim.tv_nsec == b->mtim.tv_nsec &&
	       a->ctim.tv_sec == b->ctim.tv_sec &&
	       a->ctim.tv_nsec == b->ctim.tv_nsec;
}

int
reg_file_read(const char *path, size_t max, struct reg_buf *out,
	      struct reg_file_sig *sig, mode_t *mode, struct reg_err *err)
{
	char chunk[16384];
	struct stat st;
	ssize_t n;
	int fd, rc = -1;

	reg_buf_init(out, max);
	if (mode != NULL)
		*mode = 0;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd == -1)
		return reg_err_sys(err, REG_E_UNAVAILABLE, "%s: %s", path,
				   strerror(errno));
	if (fstat(fd, &st) == -1) {
		reg_err_sys(err, REG_E_UNAVAILABLE, "%s: %s", path,
			    strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		reg_err_set(err, REG_E_UNAVAILABLE, "%s: not a regular file",
			    path);
		goto out;
	}
	if ((unsigned long long)st.st_size > max) {
		reg_err_set(err, REG_E_UNAVAILABLE, "%s: larger than %zu bytes",
			    path, max);
		goto out;
	}
	for (;;) {
		n = read(fd, chunk, sizeof(chunk));
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			reg_err_sys(err, REG_E_UNAVAILABLE, "%s: %s", path,
				    strerror(errno));
			break;
		}
		if (n == 0) {
			rc = 0;
			break;
		}
		if (reg_buf_add(out, chunk, (size_t)n) == -1) {
			reg_err_set(err, REG_E_UNAVAILABLE,
				    "%s: larger than %zu bytes", path, max);
			break;
		}
	}
	OPENSSL_cleanse(chunk, sizeof(chunk));
	if (rc == -1) {
		OPENSSL_cleanse(out->data, out->len);
		reg_buf_release(out);
		goto out;
	}
	sig_from_stat(sig, &st);
	if (mode != NULL)
		*mode = st.st_mode;
out:
	close(fd);
	return rc;
}
