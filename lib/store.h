/* store.h: the storage driver interface (filesystem, S3) */
/* SPDX-License-Identifier: MIT */
#ifndef BERTH_STORE_H
#define BERTH_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "cfg.h"
#include "err.h"

/*
 * A store holds objects under keys.  A key is a relative path of
 * components separated by '/', composed only by lib/repo.c from validated
 * names, tags and digests (see the tree in repo.c); every driver checks
 * keys again (no "", ".", ".." or empty components, no leading '/').
 *
 * Errors: -1 with err filled.  "Not found" is always err->sys_errno ==
 * ENOENT (code REG_E_INTERNAL is left for the caller to map to the right
 * *_UNKNOWN code); any other failure is a server error.
 *
 * Writes are atomic: an object is either absent or complete, whatever
 * happens to the process (kill -9) during the write.
 */
struct reg_store;

/* Data source for streaming writes: fill up to n bytes, 0 at the end, -1
 * on error (with err set). */
typedef long (*reg_store_source_fn)(void *ctx, void *buf, size_t n,
				    struct reg_err *err);
/* Data sink for streaming reads: consume n bytes, 0 or -1 (err set). */
typedef int (*reg_store_sink_fn)(void *ctx, const void *p, size_t n,
				 struct reg_err *err);
/* Listing callback: one child name per call, in order; return 0 to go on. */
typedef int (*reg_store_list_fn)(void *ctx, const char *name);

/* An exclusive lock on an upload session (opaque). */
struct reg_store_lock;

struct reg_store_driver {
	const char *name;
	int (*open)(struct reg_store *s, const struct reg_cfg *cfg,
		    struct reg_err *err);
	void (*close)(struct reg_store *s);
	/* Size of an object. */
	int (*stat)(struct reg_store *s, const char *key, uint64_t *size,
		    struct reg_err *err);
	/* Whole small object into out (bounded by out->max:
	 * REG_E_SIZE_INVALID). */
	int (*get)(struct reg_store *s, const char *key, struct reg_buf *out,
		   struct reg_err *err);
	/* Bytes [off, off+len) of an object to a sink. */
	int (*read)(struct reg_store *s, const char *key, uint64_t off,
		    uint64_t len, reg_store_sink_fn sink, void *ctx,
		    struct reg_err *err);
	/* Create or replace an object atomically. */
	int (*put)(struct reg_store *s, const char *key, const void *p,
		   size_t n, struct reg_err *err);
	/* Remove an object; ENOENT if absent. */
	int (*remove)(struct reg_store *s, const char *key,
		      struct reg_err *err);
	/* Remove everything under a prefix (a "directory"); absent is fine. */
	int (*remove_tree)(struct reg_store *s, const char *prefix,
			   struct reg_err *err);
	/*
	 * The direct children of prefix whose names sort after "after"
	 * (strcmp; NULL or "" for the start), at most limit of them, in
	 * order.  Names starting with '.' are never listed.  Memory is
	 * O(limit), whatever the number of children.  ENOENT if the
	 * prefix does not exist.
	 */
	int (*list)(struct reg_store *s, const char *prefix, const char *after,
		    size_t limit, reg_store_list_fn fn, void *ctx,
		    struct reg_err *err);
	/* Lock a key (an upload) exclusively, blocking; NULL on error. */
	struct reg_store_lock *(*lock)(struct reg_store *s, const char *key,
				       struct reg_err *err);
	void (*unlock)(struct reg_store_lock *l);
	/*
	 * Append to an upload's data.  The driver may keep that data in
	 * pieces (S3 multipart parts and a short tail); its layout is a
	 * small text (at most REG_STORE_LAYOUT_MAX bytes, empty for a new
	 * upload) the caller stores with the upload's state, atomically
	 * with it, and hands back on the next call.  The data's size is
	 * offset: whatever a crashed writer added past it is dropped (the
	 * filesystem cuts the file; S3 never referenced it).  A layout or
	 * file that does not agree with offset is
	 * REG_E_BLOB_UPLOAD_INVALID.  Then the source is copied to the
	 * end, *written gets the bytes added and layout the new layout
	 * (only on success).
	 */
	int (*append)(struct reg_store *s, const char *key, uint64_t offset,
		      struct reg_buf *layout, reg_store_source_fn src,
		      void *ctx, uint64_t *written, struct reg_err *err);
	/*
	 * Make an upload's data (size bytes, as layout describes) one plain
	 * object at key, ready to read or move.  Repeating it after a
	 * success is harmless.
	 */
	int (*assemble)(struct reg_store *s, const char *key, uint64_t size,
			const struct reg_buf *layout, struct reg_err *err);
	/* Move a complete object to a new key atomically, durably. */
	int (*move)(struct reg_store *s, const char *from, const char *to,
		    struct reg_err *err);
	/*
	 * The local file path of an object for X-Sendfile, or -1 if the
	 * driver has none.
	 */
	int (*local_path)(struct reg_store *s, const char *key, char *buf,
			  size_t bufsz);
	/*
	 * A URL that lets a client GET the object directly from the store
	 * for a short time (an S3 presigned URL), appended to url; -1 if
	 * the driver has none or is not configured to hand them out.
	 * Optional (NULL).
	 */
	int (*redirect_url)(struct reg_store *s, const char *key,
			    struct reg_buf *url);
};

/* The largest upload layout a driver writes (see append). */
#define REG_STORE_LAYOUT_MAX (1024 * 1024) /* 10000 parts of S3 */

struct reg_store {
	const struct reg_store_driver *drv;
	void *priv;
};

extern const struct reg_store_driver reg_store_fs_driver;
extern const struct reg_store_driver reg_store_s3_driver;

/* Open the store the configuration names; NULL with err set on failure. */
struct reg_store *reg_store_open(const struct reg_cfg *cfg,
				 struct reg_err *err);
void reg_store_close(struct reg_store *s);

/* True if a key is well formed (see above). */
bool reg_store_key_is_valid(const char *key);
/* 0 if it is, else -1 with err set (REG_E_INTERNAL): for drivers. */
int reg_store_check_key(const char *key, struct reg_err *err);

#endif
