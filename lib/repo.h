/* repo.h: registry operations on repositories over a storage driver */
/* SPDX-License-Identifier: MIT */
#ifndef BERTH_REPO_H
#define BERTH_REPO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "digest.h"
#include "err.h"
#include "manifest.h"
#include "store.h"

/*
 * Every function here takes a repository name that the caller validated
 * with reg_name_is_valid (and tags with reg_tag_is_valid); they are
 * checked again before any key is built.  Errors carry the spec's codes
 * (BLOB_UNKNOWN, MANIFEST_UNKNOWN, ...) or REG_E_INTERNAL.
 */

/* Blobs: visible in a repository only through its link. */
int reg_repo_blob_stat(struct reg_store *s, const char *name,
		       const struct reg_digest *d, uint64_t *size,
		       struct reg_err *err);
int reg_repo_blob_read(struct reg_store *s, const struct reg_digest *d,
		       uint64_t off, uint64_t len, reg_store_sink_fn sink,
		       void *ctx, struct reg_err *err);
/* Local file of a blob for X-Sendfile; -1 if the driver has none. */
int reg_repo_blob_local_path(struct reg_store *s, const struct reg_digest *d,
			     char *buf, size_t bufsz);
/* A URL a client may GET the blob from directly (S3 presigned), appended
 * to url; -1 if the store gives none. */
int reg_repo_blob_redirect(struct reg_store *s, const struct reg_digest *d,
			   struct reg_buf *url);
/* Link an existing blob into name (mount); BLOB_UNKNOWN if not stored. */
int reg_repo_blob_link(struct reg_store *s, const char *name,
		       const struct reg_digest *d, struct reg_err *err);
/* Remove the link; BLOB_UNKNOWN if there was none. */
int reg_repo_blob_unlink(struct reg_store *s, const char *name,
			 const struct reg_digest *d, struct reg_err *err);

/* Upload ids are 32 lowercase hex characters. */
#define REG_UPLOAD_ID_LEN 32

int reg_repo_upload_start(struct reg_store *s, const char *name,
			  char id[REG_UPLOAD_ID_LEN + 1], struct reg_err *err);
/* Bytes received so far; BLOB_UPLOAD_UNKNOWN if there is no such upload. */
int reg_repo_upload_size(struct reg_store *s, const char *name, const char *id,
			 uint64_t *size, struct reg_err *err);
/*
 * Append a chunk read from src, hashing it as it is written.  If
 * has_start, the chunk must begin at the current size (else
 * RANGE_INVALID, nothing changes).  *size gets the new total.
 */
int reg_repo_upload_append(struct reg_store *s, const char *name,
			   const char *id, bool has_start, uint64_t start,
			   reg_store_source_fn src, void *ctx, uint64_t *size,
			   struct reg_err *err);
/*
 * Finish: optionally append a last chunk (src may be NULL), check the
 * digest, move the data to its content address and link it.  On a
 * mismatch the upload is removed and DIGEST_INVALID returned; nothing is
 * stored.
 */
int reg_repo_upload_finish(struct reg_store *s, const char *name,
			   const char *id, const struct reg_digest *want,
			   bool has_start, uint64_t start,
			   reg_store_source_fn src, void *ctx,
			   struct reg_err *err);
int reg_repo_upload_cancel(struct reg_store *s, const char *name,
			   const char *id, struct reg_err *err);

/* Manifests. */
/*
 * Store a validated manifest (m parsed from <body,len>, d its digest):
 * checks every referenced blob or manifest is in this repository
 * (MANIFEST_BLOB_UNKNOWN otherwise, nothing stored), then writes the
 * bytes, the revision, the referrers entry and the tag (if tag != NULL).
 */
int reg_repo_manifest_put(struct reg_store *s, const char *name,
			  const char *tag, const struct reg_digest *d,
			  const char *body, size_t len,
			  const struct reg_manifest *m, struct reg_err *err);
/* Tag to digest; MANIFEST_UNKNOWN if absent. */
int reg_repo_tag_resolve(struct reg_store *s, const char *name, const char *tag,
			 struct reg_digest *d, struct reg_err *err);
/*
 * A manifest's bytes (bounded by body->max) and media type (mtsz bytes);
 * MANIFEST_UNKNOWN if it is not in this repository.
 */
int reg_repo_manifest_get(struct reg_store *s, const char *name,
			  const struct reg_digest *d, struct reg_buf *body,
			  char *media_type, size_t mtsz, struct reg_err *err);
/* Its size and media type only (HEAD). */
int reg_repo_manifest_stat(struct reg_store *s, const char *name,
			   const struct reg_digest *d, uint64_t *size,
			   char *media_type, size_t mtsz, struct reg_err *err);
/* Delete a revision, its referrers entry and every tag pointing at it. */
int reg_repo_manifest_delete(struct reg_store *s, const char *name,
			     const struct reg_digest *d, struct reg_err *err);
int reg_repo_tag_delete(struct reg_store *s, const char *name, const char *tag,
			struct reg_err *err);

/* Tags after "after" (NULL for the start), at most limit; NAME_UNKNOWN if
 * the repository has no manifests directory. */
int reg_repo_tags(struct reg_store *s, const char *name, const char *after,
		  size_t limit, reg_store_list_fn fn, void *ctx,
		  struct reg_err *err);

/* One referrer: its descriptor as JSON text and its artifactType ("" if
 * none).  Return 0 to go on. */
typedef int (*reg_repo_referrer_fn)(void *ctx, const char *descriptor_json,
				    const char *artifact_type);
int reg_repo_referrers(struct reg_store *s, const char *name,
		       const struct reg_digest *subject, size_t limit,
		       reg_repo_referrer_fn fn, void *ctx, struct reg_err *err);

/*
 * Repository names after "after", at most limit, in the catalog's order:
 * lexical with '/' sorting before every other character (a tree walk's
 * order).
 */
int reg_repo_catalog(struct reg_store *s, const char *after, size_t limit,
		     reg_store_list_fn fn, void *ctx, struct reg_err *err);

#endif
