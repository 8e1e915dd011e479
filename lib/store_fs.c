/* store_fs.c: the filesystem storage driver (openat-relative, atomic) */
/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#ifdef HAVE_LINUX_OPENAT2_H
#include <linux/openat2.h>
#endif

#include "names.h"
#include "store.h"

#include "banned.h"

/*
 * Every operation is relative to one directory fd opened at start-up, and
 * every key was validated (reg_store_key_is_valid) before it reaches a
 * syscall.  Where the kernel has openat2, opens also carry
 * RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS, so even a symlink planted in the
 * tree by someone else cannot lead outside it.  Temporary files live in
 * <root>/_tmp so that nothing half-written ever sits next to real data.
 */

#define FS_IO_BUF (1024 * 1024)
#define FS_TMP_DIR "_tmp"
/* O_DIRECT transfers: memory address, file offset and length aligned so. */
#define FS_DIRECT_ALIGN 4096

struct fs_store {
	int rootfd;
	char *root;
	char *iobuf; /* io_buffer(): allocated once per process */
	bool no_openat2;
	bool direct_io; /* [storage] direct_io */
	bool no_direct; /* the filesystem refused O_DIRECT */
};

struct reg_store_lock {
	int fd;
};

static struct fs_store *
fs_of(struct reg_store *s)
{
	return s->priv;
}

/*
 * The process's I/O buffer: FS_IO_BUF bytes plus room to start a read at
 * any offset below FS_DIRECT_ALIGN, aligned for O_DIRECT.
 */
static char *
io_buffer(struct fs_store *fs)
{
	void *p;

	if (fs->iobuf == NULL) {
		if (posix_memalign(&p, FS_DIRECT_ALIGN,
				   FS_IO_BUF + FS_DIRECT_ALIGN) != 0)
			abort(); /* out of memory, as reg_xmalloc */
		fs->iobuf = p;
	}
	return fs->iobuf;
}

/* openat beneath the root, refusing symlinks on the way where possible. */
static int
open_beneath(struct fs_store *fs, const char *key, int flags, mode_t mode)
{
#ifdef HAVE_LINUX_OPENAT2_H
	if (!fs->no_openat2) {
		struct open_how how;
		long fd;

		memset(&how, 0, sizeof(how));
		how.flags = (unsigned long long)(flags | O_CLOEXEC);
		if (flags & O_CREAT)
			how.mode = mode;
		how.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS;
		fd = syscall(SYS_openat2, fs->rootfd, key, &how, sizeof(how));
		if (fd >= 0 || errno != ENOSYS)
			return (int)fd;
		fs->no_openat2 = true;
	}
#endif
	return openat(fs->rootfd, key, flags | O_CLOEXEC | O_NOFOLLOW, mode);
}

/* The directory part of a key ("a/b/c" -> "a/b"), into buf. */
static int
parent_of(const char *key, char *buf, size_t bufsz)
{
	const char *slash = strrchr(key, '/');
	size_t n;

	if (slash == NULL) {
		if (bufsz < 2)
			return -1;
		buf[0] = '.';
		buf[1] = '\0';
		return 0;
	}
	n = (size_t)(slash - key);
	if (n + 1 > bufsz)
		return -1;
	memcpy(buf, key, n);
	buf[n] = '\0';
	return 0;
}

/* mkdir -p of the directory that will hold key. */
static int
make_parents(struct fs_store *fs, const char *key)
{
	char path[PATH_MAX];
	size_t i, n = strlen(key);

	if (n >= sizeof(path))
		return -1;
	memcpy(path, key, n + 1);
	for (i = 0; i < n; i++) {
		if (path[i] != '/')
			continue;
		path[i] = '\0';
		if (mkdirat(fs->rootfd, path, 0777) == -1 && errno != EEXIST)
			return -1;
		path[i] = '/';
	}
	return 0;
}

/* fsync the directory holding key, so a rename into it survives a crash. */
static void
sync_parent(struct fs_store *fs, const char *key)
{
	char dir[PATH_MAX];
	int fd;

	if (parent_of(key, dir, sizeof(dir)) == -1)
		return;
	fd = open_beneath(fs, dir, O_RDONLY | O_DIRECTORY, 0);
	if (fd == -1)
		return;
	(void)fsync(fd);
	close(fd);
}

static int
rename_into(struct fs_store *fs, const char *from, const char *to)
{
	if (renameat(fs->rootfd, from, fs->rootfd, to) == 0)
		return 0;
	if (errno != ENOENT || make_parents(fs, to) == -1)
		return -1;
	return renameat(fs->rootfd, from, fs->rootfd, to);
}

static int
random_hex(char *out, size_t nbytes)
{
	unsigned char raw[32];
	static const char hex[] = "0123456789abcdef";
	size_t i;

	if (nbytes > sizeof(raw) || RAND_bytes(raw, (int)nbytes) != 1)
		return -1;
	for (i = 0; i < nbytes; i++) {
		out[2 * i] = hex[raw[i] >> 4];
		out[2 * i + 1] = hex[raw[i] & 15];
	}
	out[2 * nbytes] = '\0';
	return 0;
}

static int
fs_open(struct reg_store *s, const struct reg_cfg *cfg, struct reg_err *err)
{
	struct fs_store *fs = reg_xcalloc(1, sizeof(*fs));
	const char *root = cfg->storage.path;

	umask(cfg->storage.umask);
	if (mkdir(root, 0777) == -1 && errno != EEXIST) {
		reg_err_sys(err, REG_E_UNAVAILABLE,
			    "cannot create storage root \"%s\"", root);
		free(fs);
		return -1;
	}
	fs->rootfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fs->rootfd == -1) {
		reg_err_sys(err, REG_E_UNAVAILABLE,
			    "cannot open storage root \"%s\"", root);
		free(fs);
		return -1;
	}
	if (mkdirat(fs->rootfd, FS_TMP_DIR, 0777) == -1 && errno != EEXIST) {
		reg_err_sys(err, REG_E_UNAVAILABLE, "cannot create \"%s/%s\"",
			    root, FS_TMP_DIR);
		close(fs->rootfd);
		free(fs);
		return -1;
	}
	fs->root = reg_xstrdup(root);
	fs->direct_io = cfg->storage.direct_io;
	s->priv = fs;
	return 0;
}

static void
fs_close(struct reg_store *s)
{
	struct fs_store *fs = fs_of(s);

	close(fs->rootfd);
	free(fs->root);
	free(fs->iobuf);
	free(fs);
	s->priv = NULL;
}

static int
fail_errno(struct reg_err *err, const char *what, const char *key)
{
	if (errno == ENOENT || errno == ENOTDIR) {
		errno = ENOENT;
		return reg_err_sys(err, REG_E_INTERNAL, "not found");
	}
	return reg_err_sys(err, REG_E_INTERNAL, "%s \"%s\": %s", what, key,
			   strerror(errno));
}

static int
fs_stat(struct reg_store *s, const char *key, uint64_t *size,
	struct reg_err *err)
{
	struct fs_store *fs = fs_of(s);
	struct stat st;

	if (reg_store_check_key(key, err) == -1)
		return -1;
	if (fstatat(fs->rootfd, key, &st, AT_SYMLINK_NOFOLLOW) == -1)
		return fail_errno(err, "stat", key);
	if (!S_ISREG(st.st_mode)) {
		errno = ENOENT;
		return fail_errno(err, "stat", key);
	}
	*size = (uint64_t)st.st_size;
	return 0;
}

static int
read_all_fd(int fd, struct reg_buf *out, uint64_t size, struct reg_err *err)
{
	size_t done = 0;
	ssize_t n;

	reg_buf_reset(out);
	if (size > out->max)
		return reg_err_set(err, REG_E_SIZE_INVALID,
				   "object larger than %zu bytes", out->max);
	while (done < size) {
		char chunk[8192];
		size_t want = size - done < sizeof(chunk) ? size - done
							  : sizeof(chunk);

		n = read(fd, chunk, want);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			return reg_err_sys(err, REG_E_INTERNAL, "short read");
		if (reg_buf_add(out, chunk, (size_t)n) == -1)
			return reg_err_set(err, REG_E_SIZE_INVALID,
					   "object too large");
		done += (size_t)n;
	}
	return 0;
}

static int
fs_get(struct reg_store *s, const char *key, struct reg_buf *out,
       struct reg_err *err)
{
	struct fs_store *fs = fs_of(s);
	struct stat st;
	int fd, rc;

	if (reg_store_check_key(key, err) == -1)
		return -1;
	fd = open_beneath(fs, key, O_RDONLY, 0);
	if (fd == -1)
		return fail_errno(err, "open", key);
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode)) {
		close(fd);
		errno = ENOENT;
		return fail_errno(err, "open", key);
	}
	rc = read_all_fd(fd, out, (uint64_t)st.st_size, err);
	close(fd);
	return rc;
}

static int
fs_read(struct reg_store *s, const char *key, uint64_t off, uint64_t len,
	reg_store_sink_fn sink, void *ctx, struct reg_err *err)
{
	struct fs_store *fs = fs_of(s);
	int fd;
	int rc = -1;

	if (reg_store_check_key(key, err) == -1)
		return -1;
	io_buffer(fs);
	fd = open_beneath(fs, key, O_RDONLY, 0);
	if (fd == -1)
		return fail_errno(err, "open", key);
	(void)posix_fadvise(fd, (off_t)off, (off_t)len, POSIX_FADV_SEQUENTIAL);
	while (len > 0) {
		size_t want = len < FS_IO_BUF ? (size_t)len : FS_IO_BUF;
		ssize_t n = pread(fd, fs->iobuf, want, (off_t)off);

		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0) {
			reg_err_sys(err, REG_E_INTERNAL, "short read of \"%s\"",
				    key);
			goto out;
		}
		if (sink(ctx, fs->iobuf, (size_t)n, err) == -1)
			goto out;
		off += (uint64_t)n;
		len -= (uint64_t)n;
	}
	rc = 0;
out:
	close(fd);
	return rc;
}

/* Write all of p[0..n) at file offset pos. */
static int
pwrite_all(int fd, const char *p, size_t n, uint64_t pos)
{
	while (n > 0) {
		ssize_t w = pwrite(fd, p, n, (off_t)pos);

		if (w == -1 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
		pos += (uint64_t)w;
	}
	return 0;
}

/* A fresh temporary file in _tmp; its key goes to tmpkey. */
static int
open_tmp(struct fs_store *fs, char *tmpkey, size_t tmpsz)
{
	char id[33];
	int n;

	if (random_hex(id, 16) == -1)
		return -1;
	n = snprintf(tmpkey, tmpsz, FS_TMP_DIR "/%s", id);
	if (n < 0 || (size_t)n >= tmpsz)
		return -1;
	return open_beneath(fs, tmpkey,
			    O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0666);
}

static int
fs_put(struct reg_store *s, const char *key, const void *p, size_t n,
       struct reg_err *err)
{
	struct fs_store *fs = fs_of(s);
	char tmp[64];
	int fd;

	if (reg_store_check_key(key, err) == -1)
		return -1;
	fd = open_tmp(fs, tmp, sizeof(tmp));
	if (fd == -1)
		return reg_err_sys(err, REG_E_INTERNAL,
				   "cannot create a temporary file: %s",
				   strerror(errno));
	if (pwrite_all(fd, p, n, 0) == -1 || fsync(fd) == -1) {
		reg_err_sys(err, REG_E_INTERNAL, "cannot write \"%s\": %s", key,
			    strerror(errno));
		close(fd);
		unlinkat(fs->rootfd, tmp, 0);
		return -1;
	}
	close(fd);
	if (rename_into(fs, tmp, key) == -1) {
		reg_err_sys(err, REG_E_INTERNAL,
			    "cannot rename into \"%s\": %s", key,
			    strerror(errno));
		unlinkat(fs->rootfd, tmp, 0);
		return -1;
	}
	sync_parent(fs, key);
	return 0;
}

static int
fs_remove(struct reg_store *s, const char *key, struct reg_err *err)
{
	struct fs_store *fs = fs_of(s);

	if (reg_store_check_key(key, err) == -1)
		return -1;
	if (unlinkat(fs->rootfd, key, 0) == -1)
		return fail_errno(err, "remove", key);
	sync_parent(fs, key);
	return 0;
}

/* rm -r below an open directory fd (consumed); at most 16 levels deep. */
static int
remove_dir_contents(int dfd, int depth) /* NOLINT(misc-no-recursion) */
{
	DIR *d;
	struct dirent *de;
	int rc = 0;

	if (depth > 16) {
		close(dfd);
		return -1;
	}
	d = fdopendir(dfd);
	if (d == NULL) {
		close(dfd);
		return -1;
	}
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		if (unlinkat(dirfd(d), de->d_name, 0) == 0)
			continue;
		if (errno == EISDIR || errno == EPERM) {
			int sub = openat(dirfd(d), de->d_name,
					 O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
						 O_CLOEXEC);

			if (sub == -1 || remove_dir_contents(sub, depth + 1) ||
			    unlinkat(dirfd(d), de->d_name, AT_REMOVEDIR) == -1)
				rc = -1;
		} else if (errno != ENOENT) {
			rc = -1;
		}
	}
	closedir(d);
	return rc;
}

static int
fs_remove_tree(struct reg_store *s, const char *prefix, struct reg_err *err)
{
	struct fs_store *fs = fs_of(s);
	int dfd;

	if (reg_store_check_key(prefix, err) == -1)
		return -1;
	dfd = open_beneath(fs, prefix, O_RDONLY | O_DIRECTORY, 0);
	if (dfd == -1)
		return errno == ENOENT ? 0 : fail_errno(err, "open", prefix);
	if (remove_dir_contents(dfd, 0) == -1 ||
	    (unlinkat(fs->rootfd, prefix, AT_REMOVEDIR) == -1 &&
	     errno != ENOENT))
		return reg_err_sys(err, REG_E_INTERNAL,
				   "cannot remove \"%s\": %s", prefix,
				   strerror(errno));
	return 0;
}

static int
cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Max-heap on strcmp: best[0] is the largest name kept. */
static void
sift_down(char **best, size_t n, size_t i)
{
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, m = i;
		char *t;

		if (l < n && strcmp(best[l], best[m]) > 0)
			m = l;
		if (r < n && strcmp(best[r], best[m]) > 0)
			m = r;
		if (m == i)
			return;
		t = best[i];
		best[i] = best[m];
		best[m] = t;
		i = m;
	}
}

/*
 * Keep the limit smallest names: append while there is room (a listing
 * that fits one page, the usual case, is then one sort at the end), and
 * once full, replace the largest kept name through a max-heap: O(log
 * limit) per name and no memmove.  Memory stays O(limit) for any
 * directory size.
 */
static void
keep_smallest(char **best, size_t *n, size_t limit, bool *heap,
	      const char *name)
{
	size_t i;

	if (*n < limit) {
		best[(*n)++] = reg_xstrdup(name);
		return;
	}
	if (!*heap) {
		for (i = limit / 2; i-- > 0;)
			sift_down(best, limit, i);
		*heap = true;
	}
	if (strcmp(name, best[0]) >= 0)
		return;
	free(best[0]);
	best[0] = reg_xstrdup(name);
	sift_down(best, limit, 0);
}

/* The smallest limit names after "after", sorted, to fn: O(limit) memory. */
static void
list_smallest(DIR *d, const char *after, size_t limit, reg_store_list_fn fn,
	      void *ctx)
{
	char **best = reg_xcalloc(limit, sizeof(*best));
	size_t n = 0, i;
	bool heap = false;
	struct dirent *de;

	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		if (after != NULL && *after && strcmp(de->d_name, after) <= 0)
			continue;
		keep_smallest(best, &n, limit, &heap, de->d_name);
	}
	qsort(best, n, sizeof(*best), cmp_names);
	for (i = 0; i < n; i++) {
		if (fn(ctx, best[i]) != 0)
			break;
	}
	for (i = 0; i < n; i++)
		free(best[i]);
	free(best);
}

/*
 * Listing cache (lib/names.h).  Only directories of at least NAMES_MIN
 * entries get one (a small readdir is cheaper than opening a second file),
 * and only once they have been left alone for NAMES_QUIET_SEC: file
 * timestamps come from a coarse clock, so two changes within one tick can
 * leave the same ctime, and a names file written right after the first
 * would then look valid after the second.  A ctime older than the quiet
 * period cannot be repeated by a later change.
 */
#define NAMES_MIN 128
#define NAMES_QUIET_SEC 2
#define NAMES_COUNT_MAX (1024u * 1024)

/* ".<dir>.names" beside the directory prefix. */
static int
names_path(const char *prefix, char *buf, size_t bufsz)
{
	const char *slash = strrchr(prefix, '/');
	int n;

	if (slash == NULL)
		n = snprintf(buf, bufsz, ".%s.names", prefix);
	else
		n = snprintf(buf, bufsz, "%.*s/.%s.names",
			     (int)(slash - prefix), prefix, slash + 1);
	return n < 0 || (size_t)n >= bufsz ? -1 : 0;
}

/*
 * Whether the lines of the page starting at offset at (at most limit) are
 * names readdir could give: checked before any is sent, so that a damaged
 * file is never half used.
 */
static bool
page_is_sane(const struct reg_names *nm, size_t at, size_t limit)
{
	while (at < nm->len && limit-- > 0) {
		const char *p = nm->names + at;
		const char *nl = memchr(p, '\n', nm->len - at);
		size_t n = (size_t)(nl - p);

		/* reg_names_parse saw the final newline, so nl is found. */
		if (n == 0 || n > NAME_MAX || p[0] == '.' ||
		    memchr(p, '/', n) != NULL || memchr(p, '\0', n) != NULL)
			return false;
		at += n + 1;
	}
	return true;
}

/* Up to limit names from the names file's offset at, to fn. */
static void
send_cached(const struct reg_names *nm, size_t at, size_t limit,
	    reg_store_list_fn fn, void *ctx)
{
	char name[NAME_MAX + 1];

	while (at < nm->len && limit-- > 0) {
		const char *p = nm->names + at;
		const char *nl = memchr(p, '\n', nm->len - at);
		size_t n = (size_t)(nl - p); /* page_is_sane checked it */

		memcpy(name, p, n);
		name[n] = '\0';
		if (fn(ctx, name) != 0)
			return;
		at += n + 1;
	}
}

/*
 * Answer from the names file at path if it describes the directory state
 * key: 1 when answered, 0 when there is no such file, -1 when there is one
 * but it is stale or unreadable.
 */
static int
list_cached(struct fs_store *fs, const char *path,
	    const struct reg_names_key *key, const char *after, size_t limit,
	    reg_store_list_fn fn, void *ctx)
{
	struct reg_names nm;
	struct stat st;
	void *img;
	int fd, rc = -1;

	fd = open_beneath(fs, path, O_RDONLY, 0);
	if (fd == -1)
		return errno == ENOENT ? 0 : -1;
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode) || st.st_size <= 0 ||
	    (uint64_t)st.st_size > REG_NAMES_MAX_BYTES) {
		close(fd);
		return -1;
	}
	img = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (img == MAP_FAILED)
		return -1;
	if (reg_names_parse(img, (size_t)st.st_size, &nm) == 0 &&
	    reg_names_match(&nm, key)) {
		size_t at = reg_names_seek(&nm, after);

		if (page_is_sane(&nm, at, limit)) {
			send_cached(&nm, at, limit, fn, ctx);
			rc = 1;
		}
	}
	munmap(img, (size_t)st.st_size);
	return rc;
}

/* Every name in d, or NULL when there are more than NAMES_COUNT_MAX. */
static char **
read_all_names(DIR *d, size_t *count)
{
	char **names = NULL;
	size_t n = 0, cap = 0;
	struct dirent *de;

	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		if (n == NAMES_COUNT_MAX) {
			while (n > 0)
				free(names[--n]);
			free(names);
			return NULL;
		}
		if (n == cap) {
			cap = cap ? 2 * cap : 256;
			names = reg_xrealloc(names, cap * sizeof(*names));
		}
		names[n++] = reg_xstrdup(de->d_name);
	}
	*count = n;
	return names;
}

static bool
is_quiet(const struct stat *dir)
{
	struct timespec now;

	if (clock_gettime(CLOCK_REALTIME, &now) == -1)
		return false;
	return now.tv_sec - dir->st_ctim.tv_sec >= NAMES_QUIET_SEC;
}

/*
 * Write the names file, best effort: a cache that cannot be written only
 * costs speed.  Renamed into place without creating directories, so a
 * directory removed meanwhile is not brought back.
 */
static void
save_names(struct fs_store *fs, const char *path,
	   const struct reg_names_key *key, const char *const *names,
	   size_t count)
{
	struct reg_buf img;
	char tmp[64];
	int fd;

	reg_buf_init(&img, REG_NAMES_MAX_BYTES);
	if (reg_names_format(&img, key, names, count) == -1)
		goto out;
	fd = open_tmp(fs, tmp, sizeof(tmp));
	if (fd == -1)
		goto out;
	if (pwrite_all(fd, img.data, img.len, 0) == -1 ||
	    renameat(fs->rootfd, tmp, fs->rootfd, path) == -1)
		unlinkat(fs->rootfd, tmp, 0);
	close(fd);
out:
	reg_buf_release(&img);
}

/* The names after "after", at most limit, from a sorted array. */
static void
send_sorted(char *const *names, size_t count, const char *after, size_t limit,
	    reg_store_list_fn fn, void *ctx)
{
	size_t lo = 0, hi = count;

	while (after != NULL && *after && lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (strcmp(names[mid], after) <= 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < count && limit > 0; lo++, limit--) {
		if (fn(ctx, names[lo]) != 0)
			return;
	}
}

/*
 * List a directory without a usable names file: read it whole, sort, and
 * leave a names file for the next listing when the directory is large and
 * quiet (stale is true when an outdated one is there; path is NULL when
 * the directory's name is too long for one).
 */
static void
list_and_cache(struct fs_store *fs, DIR *d, const struct stat *st,
	       const char *path, bool stale, const char *after, size_t limit,
	       reg_store_list_fn fn, void *ctx)
{
	struct reg_names_key key = { (uint64_t)st->st_ino, st->st_ctim.tv_sec,
				     st->st_ctim.tv_nsec };
	size_t count = 0, i;
	char **names = read_all_names(d, &count);

	if (names == NULL) {
		rewinddir(d);
		list_smallest(d, after, limit, fn, ctx);
		return;
	}
	qsort(names, count, sizeof(*names), cmp_names);
	if (path != NULL && count >= NAMES_MIN && is_quiet(st))
		save_names(fs, path, &key, (const char *const *)names, count);
	else if (path != NULL && stale && count < NAMES_MIN)
		unlinkat(fs->rootfd, path, 0);
	send_sorted(names, count, after, limit, fn, ctx);
	for (i = 0; i < count; i++)
		free(names[i]);
	free(names);
}

static int
fs_list(struct reg_store *s, const char *prefix, const char *after,
	size_t limit, reg_store_list_fn fn, void *ctx, struct reg_err *err)
{
	struct fs_store *fs = fs_of(s);
	char path[PATH_MAX];
	struct reg_names_key key;
	struct stat st;
	DIR *d;
	int dfd, cached = -1;

	if (reg_store_check_key(prefix, err) == -1)
		return -1;
	if (limit == 0)
		return 0;
	dfd = open_beneath(fs, prefix, O_RDONLY | O_DIRECTORY, 0);
	if (dfd == -1)
		return fail_errno(err, "list", prefix);
	/* The state is taken before reading: a change during the read moves
	 * the ctime on, so a names file made from this read is never stale
	 * without looking so. */
	if (fstat(dfd, &st) == -1) {
		close(dfd);
		return fail_errno(err, "list", prefix);
	}
	key = (struct reg_names_key){ (uint64_t)st.st_ino, st.st_ctim.tv_sec,
				      st.st_ctim.tv_nsec };
	if (names_path(prefix, path, sizeof(path)) == 0)
		cached = list_cached(fs, path, &key, after, limit, fn, ctx);
	else
		path[0] = '\0';
	if (cached == 1) {
		close(dfd);
		return 0;
	}
	d = fdopendir(dfd);
	if (d == NULL) {
		close(dfd);
		return reg_err_sys(err, REG_E_INTERNAL, "list \"%s\"", prefix);
	}
	list_and_cache(fs, d, &st, path[0] ? path : NULL, cached == -1, after,
		       limit, fn, ctx);
	closedir(d);
	return 0;
}

static struct reg_store_lock *
fs_lock(struct reg_store *s, const char *key, struct reg_err *err)
{
	struct fs_store *fs = fs_of(s);
	struct reg_store_lock *l;
	int fd;

	if (reg_store_check_key(key, err) == -1)
		return NULL;
	fd = open_beneath(fs, key, O_RDWR | O_CREAT, 0666);
	if (fd == -1) {
		fail_errno(err, "lock", key);
		return NULL;
	}
	while (flock(fd, LOCK_EX) == -1) {
		if (errno != EINTR) {
			reg_err_sys(err, REG_E_INTERNAL, "flock: %s",
				    strerror(errno));
			close(fd);
			return NULL;
		}
	}
	l = reg_xmalloc(sizeof(*l));
	l->fd = fd;
	return l;
}

static void
fs_unlock(struct reg_store_lock *l)
{
	if (l == NULL)
		return;
	close(l->fd); /* releases the flock */
	free(l);
}

/*
 * An O_DIRECT descriptor for the upload file key, or -1 when direct I/O
 * is off or this filesystem has none (tmpfs before Linux 6.6 refuses the
 * open with EINVAL; then the process stops asking).
 */
static int
open_direct(struct fs_store *fs, const char *key)
{
	int fd;

	if (!fs->direct_io || fs->no_direct)
		return -1;
	fd = open_beneath(fs, key, O_WRONLY | O_DIRECT, 0);
	if (fd == -1 && errno == EINVAL)
		fs->no_direct = true;
	return fd;
}

/*
 * Write p[0..n) at file offset pos: the part that is aligned in memory and
 * in the file through *dfd (O_DIRECT), the unaligned head and tail through
 * fd.  The caller keeps p and pos congruent modulo FS_DIRECT_ALIGN, so
 * after the head both are aligned.  A filesystem that refuses a direct
 * write (EINVAL) gets this and every later write through fd.
 */
static int
write_at(struct fs_store *fs, int fd, int *dfd, const char *p, size_t n,
	 uint64_t pos)
{
	size_t head = 0, done = 0, mid;
	ssize_t w;

	if (*dfd == -1)
		return pwrite_all(fd, p, n, pos);
	head = (FS_DIRECT_ALIGN - (size_t)(pos % FS_DIRECT_ALIGN)) %
	       FS_DIRECT_ALIGN;
	if (head > n)
		head = n;
	if (head > 0 && pwrite_all(fd, p, head, pos) == -1)
		return -1;
	done = head;
	mid = (n - head) / FS_DIRECT_ALIGN * FS_DIRECT_ALIGN;
	if (mid == 0)
		return pwrite_all(fd, p + done, n - done, pos + done);
	do
		w = pwrite(*dfd, p + done, mid, (off_t)(pos + done));
	while (w == -1 && errno == EINTR);
	if (w == -1 && errno == EINVAL) {
		close(*dfd);
		*dfd = -1;
		fs->no_direct = true;
	} else if (w <= 0) {
		return -1;
	} else {
		/* All of it, or a short write whose rest goes through fd. */
		done += (size_t)w;
	}
	return pwrite_all(fd, p + done, n - done, pos + done);
}

static int
fs_append(struct reg_store *s, const char *key, uint64_t offset,
	  struct reg_buf *layout, reg_store_source_fn src, void *ctx,
	  uint64_t *written, struct reg_err *err)
{
	struct fs_store *fs = fs_of(s);
	struct stat st;
	uint64_t pos = offset;
	char *buf = io_buffer(fs);
	int fd, dfd = -1, rc = -1;

	/* One file is its own layout: nothing to remember. */
	(void)layout;
	if (reg_store_check_key(key, err) == -1)
		return -1;
	fd = open_beneath(fs, key, O_WRONLY | O_CREAT, 0666);
	if (fd == -1)
		return fail_errno(err, "open", key);
	if (fstat(fd, &st) == -1) {
		reg_err_sys(err, REG_E_INTERNAL, "fstat: %s", strerror(errno));
		goto out;
	}
	if ((uint64_t)st.st_size < offset) {
		reg_err_set(err, REG_E_BLOB_UPLOAD_INVALID,
			    "upload data is shorter than its saved state");
		goto out;
	}
	/* Bytes past offset were written by a worker that died before it
	 * saved the hash state: they were never acknowledged. */
	if ((uint64_t)st.st_size > offset &&
	    ftruncate(fd, (off_t)offset) == -1) {
		reg_err_sys(err, REG_E_INTERNAL, "ftruncate: %s",
			    strerror(errno));
		goto out;
	}
	dfd = open_direct(fs, key);
	for (;;) {
		/* Read to the buffer at pos's remainder: see write_at(). */
		char *p = buf + pos % FS_DIRECT_ALIGN;
		long n = src(ctx, p, FS_IO_BUF, err);

		if (n < 0)
			goto out;
		if (n == 0)
			break;
		if (write_at(fs, fd, &dfd, p, (size_t)n, pos) == -1) {
			reg_err_sys(err, REG_E_INTERNAL, "write: %s",
				    strerror(errno));
			goto out;
		}
		pos += (uint64_t)n;
	}
	*written = pos - offset;
	rc = 0;
out:
	if (dfd != -1)
		close(dfd);
	close(fd);
	return rc;
}

/* The data file, exactly size bytes (an empty upload has none yet). */
static int
fs_assemble(struct reg_store *s, const char *key, uint64_t size,
	    const struct reg_buf *layout, struct reg_err *err)
{
	struct fs_store *fs = fs_of(s);
	struct stat st;
	int fd, rc = -1;

	(void)layout;
	if (reg_store_check_key(key, err) == -1)
		return -1;
	fd = open_beneath(fs, key, O_WRONLY | O_CREAT, 0666);
	if (fd == -1)
		return fail_errno(err, "open", key);
	if (fstat(fd, &st) == -1) {
		reg_err_sys(err, REG_E_INTERNAL, "fstat: %s", strerror(errno));
	} else if ((uint64_t)st.st_size < size) {
		reg_err_set(err, REG_E_BLOB_UPLOAD_INVALID,
			    "upload data is shorter than its saved state");
	} else if ((uint64_t)st.st_size > size &&
		   ftruncate(fd, (off_t)size) == -1) {
		reg_err_sys(err, REG_E_INTERNAL, "ftruncate: %s",
			    strerror(errno));
	} else {
		rc = 0;
	}
	close(fd);
	return rc;
}

static int
fs_move(struct reg_store *s, const char *from, const char *to,
	struct reg_err *err)
{
	struct fs_store *fs = fs_of(s);
	int fd;

	if (reg_store_check_key(from, err) == -1 ||
	    reg_store_check_key(to, err) == -1)
		return -1;
	fd = open_beneath(fs, from, O_RDONLY, 0);
	if (fd == -1)
		return fail_errno(err, "open", from);
	if (fsync(fd) == -1) {
		close(fd);
		return reg_err_sys(err, REG_E_INTERNAL, "fsync: %s",
				   strerror(errno));
	}
	close(fd);
	if (rename_into(fs, from, to) == -1)
		return reg_err_sys(err, REG_E_INTERNAL,
				   "cannot move into \"%s\": %s", to,
				   strerror(errno));
	sync_parent(fs, to);
	return 0;
}

static int
fs_local_path(struct reg_store *s, const char *key, char *buf, size_t bufsz)
{
	struct fs_store *fs = fs_of(s);
	int n;

	if (!reg_store_key_is_valid(key))
		return -1;
	n = snprintf(buf, bufsz, "%s/%s", fs->root, key);
	if (n < 0 || (size_t)n >= bufsz)
		return -1;
	return 0;
}

const struct reg_store_driver reg_store_fs_driver = {
	.name = "filesystem",
	.open = fs_open,
	.close = fs_close,
	.stat = fs_stat,
	.get = fs_get,
	.read = fs_read,
	.put = fs_put,
	.remove = fs_remove,
	.remove_tree = fs_remove_tree,
	.list = fs_list,
	.lock = fs_lock,
	.unlock = fs_unlock,
	.append = fs_append,
	.assemble = fs_assemble,
	.move = fs_move,
	.local_path = fs_local_path,
};
