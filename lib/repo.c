/* repo.c: registry operations on repositories over a storage driver */
/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/rand.h>

#include "ref.h"
#include "repo.h"

#include "banned.h"

/*
 * The storage tree (keys relative to the store's root):
 *
 *   blobs/<alg>/<first 2 hex>/<hex>/data          blob bytes (manifests too)
 *   repositories/<name>/_layers/<alg>/<hex>        link: blob is in <name>
 *   repositories/<name>/_manifests/revisions/<alg>/<hex>
 *                                                  link: manifest is in <name>;
 *                                                  holds its media type
 *   repositories/<name>/_manifests/tags/<tag>      tag -> "<alg>:<hex>"
 *   repositories/<name>/_referrers/<alg>/<subject hex>/<alg>-<hex>
 *                                                  referrer: artifactType line,
 *                                                  then its descriptor (JSON)
 *   repositories/<name>/_uploads/<id>/{data,state,startedat,lock}
 *   _catalog/<name with '/' as '+'>                repository has manifests
 *   _tmp/                                          (driver) temporary files
 *
 * No component of a name can start with '_' (reg_name_is_valid), so
 * names never collide with the _-prefixed directories.  '+' sorts before
 * every character a name may contain, so the flat catalog index lists in
 * tree-walk order.
 */

#define KEY_MAX 1024
#define REV_MAX 512
#define REFERRER_MAX (64 * 1024)

static int key_fmt(char *buf, size_t sz, struct reg_err *err, const char *fmt,
		   ...) __attribute__((format(printf, 4, 5)));

/* Compose a key; truncation is an error, never a shorter key. */
static int
key_fmt(char *buf, size_t sz, struct reg_err *err, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sz, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sz)
		return reg_err_set(err, REG_E_INTERNAL, "storage key too long");
	return 0;
}

static int
check_name(const char *name, struct reg_err *err)
{
	if (!reg_name_is_valid(name, strlen(name)))
		return reg_err_set(err, REG_E_NAME_INVALID,
				   "invalid repository name");
	return 0;
}

static bool
is_enoent(const struct reg_err *err)
{
	return err->sys_errno == ENOENT;
}

static int
blob_key(char *buf, size_t sz, const struct reg_digest *d, struct reg_err *err)
{
	return key_fmt(buf, sz, err, "blobs/%s/%.2s/%s/data",
		       reg_digest_alg_name(d->alg), d->hex, d->hex);
}

static int
layer_key(char *buf, size_t sz, const char *name, const struct reg_digest *d,
	  struct reg_err *err)
{
	return key_fmt(buf, sz, err, "repositories/%s/_layers/%s/%s", name,
		       reg_digest_alg_name(d->alg), d->hex);
}

static int
revision_key(char *buf, size_t sz, const char *name, const struct reg_digest *d,
	     struct reg_err *err)
{
	return key_fmt(buf, sz, err,
		       "repositories/%s/_manifests/revisions/%s/%s", name,
		       reg_digest_alg_name(d->alg), d->hex);
}

static int
tag_key(char *buf, size_t sz, const char *name, const char *tag,
	struct reg_err *err)
{
	if (!reg_tag_is_valid(tag, strlen(tag)))
		return reg_err_set(err, REG_E_TAG_INVALID, "invalid tag");
	return key_fmt(buf, sz, err, "repositories/%s/_manifests/tags/%s", name,
		       tag);
}

static int
referrer_dir_key(char *buf, size_t sz, const char *name,
		 const struct reg_digest *subject, struct reg_err *err)
{
	return key_fmt(buf, sz, err, "repositories/%s/_referrers/%s/%s", name,
		       reg_digest_alg_name(subject->alg), subject->hex);
}

static int
upload_key(char *buf, size_t sz, const char *name, const char *id,
	   const char *file, struct reg_err *err)
{
	if (!reg_upload_id_is_valid(id, strlen(id)))
		return reg_err_set(err, REG_E_BLOB_UPLOAD_UNKNOWN,
				   "unknown upload id");
	if (file == NULL)
		return key_fmt(buf, sz, err, "repositories/%s/_uploads/%s",
			       name, id);
	return key_fmt(buf, sz, err, "repositories/%s/_uploads/%s/%s", name, id,
		       file);
}

/* ---- blobs ---- */

/* 1 if key exists, 0 if not, -1 if the store could not tell (err set). */
static int
key_exists(struct reg_store *s, const char *key, struct reg_err *err)
{
	uint64_t size;

	if (s->drv->stat(s, key, &size, err) == 0)
		return 1;
	return is_enoent(err) ? 0 : -1;
}

static int
blob_linked(struct reg_store *s, const char *name, const struct reg_digest *d,
	    struct reg_err *err)
{
	char key[KEY_MAX];

	if (layer_key(key, sizeof(key), name, d, err) == -1)
		return -1;
	return key_exists(s, key, err);
}

int
reg_repo_blob_stat(struct reg_store *s, const char *name,
		   const struct reg_digest *d, uint64_t *size,
		   struct reg_err *err)
{
	char key[KEY_MAX];

	if (check_name(name, err) == -1)
		return -1;
	switch (blob_linked(s, name, d, err)) {
	case -1:
		return -1; /* the store failed: not a 404 */
	case 0:
		return reg_err_set(err, REG_E_BLOB_UNKNOWN,
				   "blob unknown to registry");
	}
	if (blob_key(key, sizeof(key), d, err) == -1)
		return -1;
	if (s->drv->stat(s, key, size, err) == -1) {
		if (is_enoent(err))
			return reg_err_set(err, REG_E_BLOB_UNKNOWN,
					   "blob unknown to registry");
		return -1;
	}
	return 0;
}

int
reg_repo_blob_read(struct reg_store *s, const struct reg_digest *d,
		   uint64_t off, uint64_t len, reg_store_sink_fn sink,
		   void *ctx, struct reg_err *err)
{
	char key[KEY_MAX];

	if (blob_key(key, sizeof(key), d, err) == -1)
		return -1;
	return s->drv->read(s, key, off, len, sink, ctx, err);
}

int
reg_repo_blob_local_path(struct reg_store *s, const struct reg_digest *d,
			 char *buf, size_t bufsz)
{
	char key[KEY_MAX];
	struct reg_err err;

	if (s->drv->local_path == NULL ||
	    blob_key(key, sizeof(key), d, &err) == -1)
		return -1;
	return s->drv->local_path(s, key, buf, bufsz);
}

int
reg_repo_blob_redirect(struct reg_store *s, const struct reg_digest *d,
		       struct reg_buf *url)
{
	char key[KEY_MAX];
	struct reg_err err;

	if (s->drv->redirect_url == NULL ||
	    blob_key(key, sizeof(key), d, &err) == -1)
		return -1;
	return s->drv->redirect_url(s, key, url);
}

static int
put_link(struct reg_store *s, const char *key, const char *content,
	 struct reg_err *err)
{
	return s->drv->put(s, key, content, strlen(content), err);
}

/*
 * put_link, unless the link already holds exactly this content: pushing a
 * known manifest under another tag, pushing the same tag again, or
 * mounting a blob the repository has then costs one small read instead of
 * a temporary file, two fsyncs and a rename.
 */
static int
put_link_if_changed(struct reg_store *s, const char *key, const char *content,
		    struct reg_err *err)
{
	struct reg_buf cur;
	struct reg_err ignored;
	size_t n = strlen(content);
	bool same;

	reg_buf_init(&cur, n);
	same = s->drv->get(s, key, &cur, &ignored) == 0 && cur.len == n &&
	       memcmp(cur.data, content, n) == 0;
	reg_buf_release(&cur);
	return same ? 0 : put_link(s, key, content, err);
}

int
reg_repo_blob_link(struct reg_store *s, const char *name,
		   const struct reg_digest *d, struct reg_err *err)
{
	char key[KEY_MAX];
	uint64_t size;

	if (check_name(name, err) == -1)
		return -1;
	if (blob_key(key, sizeof(key), d, err) == -1)
		return -1;
	if (s->drv->stat(s, key, &size, err) == -1) {
		if (is_enoent(err))
			return reg_err_set(err, REG_E_BLOB_UNKNOWN,
					   "blob unknown to registry");
		return -1;
	}
	if (layer_key(key, sizeof(key), name, d, err) == -1)
		return -1;
	return put_link_if_changed(s, key, d->str, err);
}

int
reg_repo_blob_unlink(struct reg_store *s, const char *name,
		     const struct reg_digest *d, struct reg_err *err)
{
	char key[KEY_MAX];

	if (check_name(name, err) == -1)
		return -1;
	if (layer_key(key, sizeof(key), name, d, err) == -1)
		return -1;
	if (s->drv->remove(s, key, err) == -1) {
		if (is_enoent(err))
			return reg_err_set(err, REG_E_BLOB_UNKNOWN,
					   "blob unknown to registry");
		return -1;
	}
	return 0;
}

/* ---- uploads ---- */

/*
 * An upload's state object: the saved hash (REG_HASH_STATE_MAX bytes),
 * then the driver's layout of the data.  One put replaces both, so the
 * hash and the data it covers always agree.
 */
static int
save_state(struct reg_store *s, const char *name, const char *id,
	   const struct reg_hash *h, const struct reg_buf *layout,
	   struct reg_err *err)
{
	unsigned char state[REG_HASH_STATE_MAX];
	char key[KEY_MAX];
	struct reg_buf b;
	int rc;

	if (upload_key(key, sizeof(key), name, id, "state", err) == -1)
		return -1;
	reg_hash_save(h, state, sizeof(state));
	reg_buf_init(&b, REG_HASH_STATE_MAX + REG_STORE_LAYOUT_MAX);
	if (reg_buf_add(&b, state, sizeof(state)) == -1 ||
	    (layout != NULL &&
	     reg_buf_add(&b, layout->data, layout->len) == -1)) {
		reg_buf_release(&b);
		return reg_err_set(err, REG_E_INTERNAL, "upload state too big");
	}
	rc = s->drv->put(s, key, b.data, b.len, err);
	reg_buf_release(&b);
	return rc;
}

/* The saved hash and layout of an upload; BLOB_UPLOAD_UNKNOWN if none. */
static struct reg_hash *
load_state(struct reg_store *s, const char *name, const char *id,
	   struct reg_buf *layout, struct reg_err *err)
{
	char key[KEY_MAX];
	struct reg_buf b;
	struct reg_hash *h = NULL;

	if (upload_key(key, sizeof(key), name, id, "state", err) == -1)
		return NULL;
	reg_buf_init(&b, REG_HASH_STATE_MAX + REG_STORE_LAYOUT_MAX);
	if (s->drv->get(s, key, &b, err) == -1) {
		if (is_enoent(err))
			reg_err_set(err, REG_E_BLOB_UPLOAD_UNKNOWN,
				    "blob upload unknown to registry");
	} else if (b.len < REG_HASH_STATE_MAX) {
		reg_err_set(err, REG_E_BLOB_UPLOAD_INVALID,
			    "upload state is truncated");
	} else if ((h = reg_hash_load((const unsigned char *)b.data,
				      REG_HASH_STATE_MAX, err)) != NULL) {
		reg_buf_reset(layout);
		if (reg_buf_add(layout, b.data + REG_HASH_STATE_MAX,
				b.len - REG_HASH_STATE_MAX) == -1) {
			reg_hash_free(h);
			h = NULL;
			reg_err_set(err, REG_E_BLOB_UPLOAD_INVALID,
				    "upload layout too big");
		}
	}
	reg_buf_release(&b);
	return h;
}

int
reg_repo_upload_start(struct reg_store *s, const char *name,
		      char id[REG_UPLOAD_ID_LEN + 1], struct reg_err *err)
{
	unsigned char raw[REG_UPLOAD_ID_LEN / 2];
	static const char hex[] = "0123456789abcdef";
	char key[KEY_MAX], started[32];
	struct reg_hash *h;
	size_t i;
	int rc, n;

	if (check_name(name, err) == -1)
		return -1;
	if (RAND_bytes(raw, (int)sizeof(raw)) != 1)
		return reg_err_set(err, REG_E_INTERNAL, "no randomness");
	for (i = 0; i < sizeof(raw); i++) {
		id[2 * i] = hex[raw[i] >> 4];
		id[2 * i + 1] = hex[raw[i] & 15];
	}
	id[REG_UPLOAD_ID_LEN] = '\0';
	n = snprintf(started, sizeof(started), "%lld\n", (long long)time(NULL));
	if (n < 0 || (size_t)n >= sizeof(started))
		return reg_err_set(err, REG_E_INTERNAL, "time");
	if (upload_key(key, sizeof(key), name, id, "startedat", err) == -1 ||
	    put_link(s, key, started, err) == -1)
		return -1;
	h = reg_hash_new(REG_DIGEST_SHA256);
	rc = save_state(s, name, id, h, NULL, err);
	reg_hash_free(h);
	return rc;
}

int
reg_repo_upload_size(struct reg_store *s, const char *name, const char *id,
		     uint64_t *size, struct reg_err *err)
{
	struct reg_hash *h;
	struct reg_buf layout;

	if (check_name(name, err) == -1)
		return -1;
	reg_buf_init(&layout, REG_STORE_LAYOUT_MAX);
	h = load_state(s, name, id, &layout, err);
	reg_buf_release(&layout);
	if (h == NULL)
		return -1;
	*size = reg_hash_length(h);
	reg_hash_free(h);
	return 0;
}

struct hashing_source {
	reg_store_source_fn src;
	void *ctx;
	struct reg_hash *h;
};

/* Hash the bytes as they stream from the request into storage. */
static long
hashing_read(void *ctx, void *buf, size_t n, struct reg_err *err)
{
	struct hashing_source *hs = ctx;
	long r = hs->src(hs->ctx, buf, n, err);

	if (r > 0)
		reg_hash_update(hs->h, buf, (size_t)r);
	return r;
}

/* Append under the upload's lock; h and layout hold the state before and
 * after. */
static int
append_locked(struct reg_store *s, const char *name, const char *id,
	      struct reg_hash *h, struct reg_buf *layout, bool has_start,
	      uint64_t start, reg_store_source_fn src, void *ctx, bool save,
	      struct reg_err *err)
{
	struct hashing_source hs = { src, ctx, h };
	char key[KEY_MAX];
	uint64_t offset = reg_hash_length(h), written = 0;

	if (has_start && start != offset)
		return reg_err_set(err, REG_E_RANGE_INVALID,
				   "chunk starts at %llu, upload is at %llu",
				   (unsigned long long)start,
				   (unsigned long long)offset);
	if (upload_key(key, sizeof(key), name, id, "data", err) == -1)
		return -1;
	if (s->drv->append(s, key, offset, layout, hashing_read, &hs, &written,
			   err) == -1)
		return -1;
	return save ? save_state(s, name, id, h, layout, err) : 0;
}

static struct reg_store_lock *
lock_upload(struct reg_store *s, const char *name, const char *id,
	    struct reg_err *err)
{
	char key[KEY_MAX], dir[KEY_MAX];
	uint64_t size;

	/* Lock only an existing upload: never recreate a finished one. */
	if (upload_key(key, sizeof(key), name, id, "startedat", err) == -1 ||
	    upload_key(dir, sizeof(dir), name, id, "lock", err) == -1)
		return NULL;
	if (s->drv->stat(s, key, &size, err) == -1) {
		if (is_enoent(err))
			reg_err_set(err, REG_E_BLOB_UPLOAD_UNKNOWN,
				    "blob upload unknown to registry");
		return NULL;
	}
	return s->drv->lock(s, dir, err);
}

int
reg_repo_upload_append(struct reg_store *s, const char *name, const char *id,
		       bool has_start, uint64_t start, reg_store_source_fn src,
		       void *ctx, uint64_t *size, struct reg_err *err)
{
	struct reg_store_lock *l;
	struct reg_hash *h = NULL;
	struct reg_buf layout;
	int rc = -1;

	if (check_name(name, err) == -1)
		return -1;
	if ((l = lock_upload(s, name, id, err)) == NULL)
		return -1;
	reg_buf_init(&layout, REG_STORE_LAYOUT_MAX);
	if ((h = load_state(s, name, id, &layout, err)) == NULL)
		goto out;
	if (append_locked(s, name, id, h, &layout, has_start, start, src, ctx,
			  true, err) == -1)
		goto out;
	*size = reg_hash_length(h);
	rc = 0;
out:
	reg_buf_release(&layout);
	reg_hash_free(h);
	s->drv->unlock(l);
	return rc;
}

struct hash_sink {
	struct reg_hash *h;
};

static int
hash_sink_write(void *ctx, const void *p, size_t n, struct reg_err *err)
{
	struct hash_sink *hs = ctx;

	(void)err;
	reg_hash_update(hs->h, p, n);
	return 0;
}

/*
 * The digest of the upload in want's algorithm.  sha256 comes from the
 * state kept while streaming; other algorithms (rare) re-read the data.
 */
static int
upload_digest(struct reg_store *s, const char *name, const char *id,
	      struct reg_hash *h, const struct reg_buf *layout,
	      enum reg_digest_alg alg, struct reg_digest *got,
	      struct reg_err *err)
{
	struct hash_sink hs;
	char key[KEY_MAX];
	uint64_t size = reg_hash_length(h);
	int rc;

	if (alg == REG_DIGEST_SHA256) {
		reg_hash_final(h, got);
		return 0;
	}
	if (upload_key(key, sizeof(key), name, id, "data", err) == -1 ||
	    s->drv->assemble(s, key, size, layout, err) == -1)
		return -1;
	hs.h = reg_hash_new(alg);
	rc = size ? s->drv->read(s, key, 0, size, hash_sink_write, &hs, err)
		  : 0;
	if (rc == 0)
		reg_hash_final(hs.h, got);
	reg_hash_free(hs.h);
	return rc;
}

int
reg_repo_upload_finish(struct reg_store *s, const char *name, const char *id,
		       const struct reg_digest *want, bool has_start,
		       uint64_t start, reg_store_source_fn src, void *ctx,
		       struct reg_err *err)
{
	struct reg_store_lock *l;
	struct reg_hash *h = NULL;
	struct reg_buf layout;
	struct reg_digest got;
	char data[KEY_MAX], blob[KEY_MAX], dir[KEY_MAX];
	uint64_t size, have;
	int rc = -1;

	if (check_name(name, err) == -1)
		return -1;
	if ((l = lock_upload(s, name, id, err)) == NULL)
		return -1;
	reg_buf_init(&layout, REG_STORE_LAYOUT_MAX);
	if ((h = load_state(s, name, id, &layout, err)) == NULL)
		goto out;
	/* No state to save: the upload ends here either way. */
	if (src != NULL && append_locked(s, name, id, h, &layout, has_start,
					 start, src, ctx, false, err) == -1)
		goto out;
	if (upload_key(data, sizeof(data), name, id, "data", err) == -1 ||
	    upload_key(dir, sizeof(dir), name, id, NULL, err) == -1 ||
	    blob_key(blob, sizeof(blob), want, err) == -1)
		goto out;
	size = reg_hash_length(h);
	if (upload_digest(s, name, id, h, &layout, want->alg, &got, err) == -1)
		goto out;
	if (!reg_digest_equal(&got, want)) {
		struct reg_err ignored;

		s->drv->remove_tree(s, dir, &ignored);
		reg_err_set(err, REG_E_DIGEST_INVALID, "content has digest %s",
			    got.str);
		goto out;
	}
	/*
	 * Content-addressed: when the store already holds these bytes, keep
	 * them and drop the upload (as distribution does) rather than fsync
	 * and rename a second copy over them.
	 */
	if (s->drv->stat(s, blob, &have, err) == -1 || have != size) {
		if (s->drv->assemble(s, data, size, &layout, err) == -1 ||
		    s->drv->move(s, data, blob, err) == -1)
			goto out;
	}
	if (reg_repo_blob_link(s, name, want, err) == -1)
		goto out;
	{
		struct reg_err ignored;

		s->drv->remove_tree(s, dir, &ignored);
	}
	rc = 0;
out:
	reg_buf_release(&layout);
	reg_hash_free(h);
	s->drv->unlock(l);
	return rc;
}

int
reg_repo_upload_cancel(struct reg_store *s, const char *name, const char *id,
		       struct reg_err *err)
{
	struct reg_store_lock *l;
	char dir[KEY_MAX];
	int rc;

	if (check_name(name, err) == -1)
		return -1;
	if (upload_key(dir, sizeof(dir), name, id, NULL, err) == -1)
		return -1;
	if ((l = lock_upload(s, name, id, err)) == NULL)
		return -1;
	rc = s->drv->remove_tree(s, dir, err);
	s->drv->unlock(l);
	return rc;
}

/* ---- manifests ---- */

static int
manifest_known(struct reg_store *s, const char *name,
	       const struct reg_digest *d, struct reg_err *err)
{
	char key[KEY_MAX];

	if (revision_key(key, sizeof(key), name, d, err) == -1)
		return -1;
	return key_exists(s, key, err);
}

/* Every blob (image) or manifest (index) the manifest names is here. */
static int
check_references(struct reg_store *s, const char *name,
		 const struct reg_manifest *m, struct reg_err *err)
{
	size_t i;
	int known;

	if (m->kind == REG_MANIFEST_IMAGE) {
		if (m->has_config &&
		    (known = blob_linked(s, name, &m->config.digest, err)) != 1)
			return known == -1
				       ? -1
				       : reg_err_set(
						 err,
						 REG_E_MANIFEST_BLOB_UNKNOWN,
						 "config blob %s unknown",
						 m->config.digest.str);
		for (i = 0; i < m->nrefs; i++) {
			if (m->refs[i].foreign)
				continue;
			known = blob_linked(s, name, &m->refs[i].digest, err);
			if (known == -1)
				return -1;
			if (known == 0)
				return reg_err_set(err,
						   REG_E_MANIFEST_BLOB_UNKNOWN,
						   "layer blob %s unknown",
						   m->refs[i].digest.str);
		}
		return 0;
	}
	for (i = 0; i < m->nrefs; i++) {
		known = manifest_known(s, name, &m->refs[i].digest, err);
		if (known == -1)
			return -1;
		if (known == 0)
			return reg_err_set(err, REG_E_MANIFEST_BLOB_UNKNOWN,
					   "manifest %s unknown",
					   m->refs[i].digest.str);
	}
	return 0;
}

/* The referrers entry: artifactType line, then the descriptor as JSON. */
static int
referrer_entry(struct reg_buf *b, const struct reg_digest *d, size_t len,
	       const struct reg_manifest *m)
{
	const char *at = m->artifact_type ? m->artifact_type : "";

	if (reg_buf_addf(b, "%s\n{\"mediaType\":", at) == -1 ||
	    reg_buf_add_json_string(b, m->media_type) == -1 ||
	    reg_buf_addf(b, ",\"digest\":\"%s\",\"size\":%zu", d->str, len) ==
		    -1)
		return -1;
	if (m->artifact_type != NULL &&
	    (reg_buf_adds(b, ",\"artifactType\":") == -1 ||
	     reg_buf_add_json_string(b, m->artifact_type) == -1))
		return -1;
	if (m->annotations_json != NULL &&
	    reg_buf_addf(b, ",\"annotations\":%s", m->annotations_json) == -1)
		return -1;
	return reg_buf_adds(b, "}");
}

static int
catalog_add(struct reg_store *s, const char *name, struct reg_err *err)
{
	char key[KEY_MAX], *p;
	uint64_t size;

	if (key_fmt(key, sizeof(key), err, "_catalog/%s", name) == -1)
		return -1;
	for (p = key + strlen("_catalog/"); *p; p++) {
		if (*p == '/')
			*p = '+';
	}
	if (s->drv->stat(s, key, &size, err) == 0)
		return 0;
	return s->drv->put(s, key, "", 0, err);
}

int
reg_repo_manifest_put(struct reg_store *s, const char *name, const char *tag,
		      const struct reg_digest *d, const char *body, size_t len,
		      const struct reg_manifest *m, struct reg_err *err)
{
	char key[KEY_MAX], rev[REV_MAX];
	uint64_t size;
	int n;

	if (check_name(name, err) == -1)
		return -1;
	if (tag != NULL && !reg_tag_is_valid(tag, strlen(tag)))
		return reg_err_set(err, REG_E_TAG_INVALID, "invalid tag");
	if (check_references(s, name, m, err) == -1)
		return -1;
	/* Bytes first, then the links that make them visible. */
	if (blob_key(key, sizeof(key), d, err) == -1)
		return -1;
	if (s->drv->stat(s, key, &size, err) == -1 &&
	    s->drv->put(s, key, body, len, err) == -1)
		return -1;
	n = snprintf(rev, sizeof(rev), "%s\n", m->media_type);
	if (n < 0 || (size_t)n >= sizeof(rev))
		return reg_err_set(err, REG_E_MANIFEST_INVALID,
				   "media type too long");
	if (revision_key(key, sizeof(key), name, d, err) == -1 ||
	    put_link_if_changed(s, key, rev, err) == -1)
		return -1;
	if (m->has_subject) {
		struct reg_buf entry;
		int rc;

		reg_buf_init(&entry, REFERRER_MAX);
		rc = referrer_entry(&entry, d, len, m);
		if (rc == -1) {
			reg_buf_release(&entry);
			return reg_err_set(err, REG_E_MANIFEST_INVALID,
					   "annotations too large");
		}
		n = referrer_dir_key(key, sizeof(key), name, &m->subject.digest,
				     err);
		if (n == 0)
			n = key_fmt(key + strlen(key),
				    sizeof(key) - strlen(key), err, "/%s-%s",
				    reg_digest_alg_name(d->alg), d->hex);
		if (n == 0)
			n = s->drv->put(s, key, entry.data, entry.len, err);
		reg_buf_release(&entry);
		if (n == -1)
			return -1;
	}
	if (tag != NULL && (tag_key(key, sizeof(key), name, tag, err) == -1 ||
			    put_link_if_changed(s, key, d->str, err) == -1))
		return -1;
	return catalog_add(s, name, err);
}

int
reg_repo_tag_resolve(struct reg_store *s, const char *name, const char *tag,
		     struct reg_digest *d, struct reg_err *err)
{
	char key[KEY_MAX];
	struct reg_buf b;
	int rc;

	if (check_name(name, err) == -1 ||
	    tag_key(key, sizeof(key), name, tag, err) == -1)
		return -1;
	reg_buf_init(&b, REG_DIGEST_STR_MAX);
	if (s->drv->get(s, key, &b, err) == -1) {
		reg_buf_release(&b);
		if (is_enoent(err) || err->code == REG_E_SIZE_INVALID)
			return reg_err_set(err, REG_E_MANIFEST_UNKNOWN,
					   "manifest tagged \"%s\" unknown",
					   tag);
		return -1;
	}
	rc = reg_digest_parse(d, b.data, b.len, err);
	reg_buf_release(&b);
	if (rc == -1)
		return reg_err_set(err, REG_E_INTERNAL, "corrupt tag link");
	return 0;
}

static int
read_revision(struct reg_store *s, const char *name, const struct reg_digest *d,
	      char *media_type, size_t mtsz, struct reg_err *err)
{
	char key[KEY_MAX];
	struct reg_buf b;
	int n;

	if (revision_key(key, sizeof(key), name, d, err) == -1)
		return -1;
	reg_buf_init(&b, REV_MAX);
	if (s->drv->get(s, key, &b, err) == -1) {
		reg_buf_release(&b);
		if (is_enoent(err))
			return reg_err_set(err, REG_E_MANIFEST_UNKNOWN,
					   "manifest unknown to registry");
		return -1;
	}
	if (b.len > 0 && b.data[b.len - 1] == '\n')
		b.data[--b.len] = '\0';
	n = snprintf(media_type, mtsz, "%s", b.data);
	reg_buf_release(&b);
	if (n < 0 || (size_t)n >= mtsz)
		return reg_err_set(err, REG_E_INTERNAL, "media type too long");
	return 0;
}

int
reg_repo_manifest_get(struct reg_store *s, const char *name,
		      const struct reg_digest *d, struct reg_buf *body,
		      char *media_type, size_t mtsz, struct reg_err *err)
{
	char key[KEY_MAX];

	if (check_name(name, err) == -1 ||
	    read_revision(s, name, d, media_type, mtsz, err) == -1 ||
	    blob_key(key, sizeof(key), d, err) == -1)
		return -1;
	if (s->drv->get(s, key, body, err) == -1) {
		if (is_enoent(err))
			return reg_err_set(err, REG_E_MANIFEST_UNKNOWN,
					   "manifest unknown to registry");
		return -1;
	}
	return 0;
}

int
reg_repo_manifest_stat(struct reg_store *s, const char *name,
		       const struct reg_digest *d, uint64_t *size,
		       char *media_type, size_t mtsz, struct reg_err *err)
{
	char key[KEY_MAX];

	if (check_name(name, err) == -1 ||
	    read_revision(s, name, d, media_type, mtsz, err) == -1 ||
	    blob_key(key, sizeof(key), d, err) == -1)
		return -1;
	if (s->drv->stat(s, key, size, err) == -1) {
		if (is_enoent(err))
			return reg_err_set(err, REG_E_MANIFEST_UNKNOWN,
					   "manifest unknown to registry");
		return -1;
	}
	return 0;
}

struct tag_sweep {
	struct reg_store *s;
	const char *name;
	const struct reg_digest *d;
	char last[REG_TAG_MAX + 1];
	size_t seen;
};

/* Remove a tag if it points at the digest being deleted. */
static int
sweep_tag(void *ctx, const char *tag)
{
	struct tag_sweep *ts = ctx;
	struct reg_digest d;
	struct reg_err err;
	char key[KEY_MAX];

	ts->seen++;
	if (snprintf(ts->last, sizeof(ts->last), "%s", tag) < 0)
		return 1;
	if (reg_repo_tag_resolve(ts->s, ts->name, tag, &d, &err) == 0 &&
	    reg_digest_equal(&d, ts->d) &&
	    tag_key(key, sizeof(key), ts->name, tag, &err) == 0)
		ts->s->drv->remove(ts->s, key, &err);
	return 0;
}

static int
remove_tags_of(struct reg_store *s, const char *name,
	       const struct reg_digest *d, struct reg_err *err)
{
	struct tag_sweep ts = { s, name, d, "", 0 };
	char prefix[KEY_MAX];

	if (key_fmt(prefix, sizeof(prefix), err,
		    "repositories/%s/_manifests/tags", name) == -1)
		return -1;
	/* Page through all tags without holding them all in memory. */
	do {
		ts.seen = 0;
		if (s->drv->list(s, prefix, ts.last, 256, sweep_tag, &ts,
				 err) == -1)
			return is_enoent(err) ? 0 : -1;
	} while (ts.seen == 256);
	return 0;
}

int
reg_repo_manifest_delete(struct reg_store *s, const char *name,
			 const struct reg_digest *d, struct reg_err *err)
{
	char key[KEY_MAX], mt[REV_MAX];
	struct reg_buf body;
	struct reg_manifest m;
	struct reg_err perr;

	if (check_name(name, err) == -1 ||
	    read_revision(s, name, d, mt, sizeof(mt), err) == -1)
		return -1;
	/* Find the subject so its referrers entry goes too. */
	memset(&m, 0, sizeof(m));
	reg_buf_init(&body, 64 * 1024 * 1024);
	if (blob_key(key, sizeof(key), d, err) == 0 &&
	    s->drv->get(s, key, &body, &perr) == 0 &&
	    reg_manifest_parse(&m, body.data, body.len, mt, &perr) == 0 &&
	    m.has_subject &&
	    referrer_dir_key(key, sizeof(key), name, &m.subject.digest,
			     &perr) == 0 &&
	    key_fmt(key + strlen(key), sizeof(key) - strlen(key), &perr,
		    "/%s-%s", reg_digest_alg_name(d->alg), d->hex) == 0)
		s->drv->remove(s, key, &perr);
	reg_manifest_release(&m);
	reg_buf_release(&body);
	if (remove_tags_of(s, name, d, err) == -1)
		return -1;
	if (revision_key(key, sizeof(key), name, d, err) == -1)
		return -1;
	if (s->drv->remove(s, key, err) == -1) {
		if (is_enoent(err))
			return reg_err_set(err, REG_E_MANIFEST_UNKNOWN,
					   "manifest unknown to registry");
		return -1;
	}
	return 0;
}

int
reg_repo_tag_delete(struct reg_store *s, const char *name, const char *tag,
		    struct reg_err *err)
{
	char key[KEY_MAX];

	if (check_name(name, err) == -1 ||
	    tag_key(key, sizeof(key), name, tag, err) == -1)
		return -1;
	if (s->drv->remove(s, key, err) == -1) {
		if (is_enoent(err))
			return reg_err_set(err, REG_E_MANIFEST_UNKNOWN,
					   "manifest tagged \"%s\" unknown",
					   tag);
		return -1;
	}
	return 0;
}

/* A listing callback for existence checks. */
static int
ignore_name(void *ctx, const char *name)
{
	(void)ctx;
	(void)name;
	return 0;
}

int
reg_repo_tags(struct reg_store *s, const char *name, const char *after,
	      size_t limit, reg_store_list_fn fn, void *ctx,
	      struct reg_err *err)
{
	char key[KEY_MAX];

	if (check_name(name, err) == -1)
		return -1;
	if (key_fmt(key, sizeof(key), err, "repositories/%s/_manifests/tags",
		    name) == -1)
		return -1;
	if (s->drv->list(s, key, after, limit, fn, ctx, err) == 0)
		return 0;
	if (!is_enoent(err))
		return -1;
	/* No tags yet: known repository with an empty list, or unknown. */
	if (key_fmt(key, sizeof(key), err, "repositories/%s/_manifests",
		    name) == -1)
		return -1;
	if (s->drv->list(s, key, NULL, 1, ignore_name, NULL, err) == 0)
		return 0;
	return reg_err_set(err, REG_E_NAME_UNKNOWN,
			   "repository name not known to registry");
}

struct referrer_walk {
	struct reg_store *s;
	const char *dir;
	reg_repo_referrer_fn fn;
	void *ctx;
	int rc;
};

static int
visit_referrer(void *ctx, const char *entry)
{
	struct referrer_walk *w = ctx;
	char key[KEY_MAX];
	struct reg_buf b;
	struct reg_err err;
	char *nl;
	int stop = 0;

	if (snprintf(key, sizeof(key), "%s/%s", w->dir, entry) >=
	    (int)sizeof(key))
		return 0;
	reg_buf_init(&b, REFERRER_MAX);
	if (w->s->drv->get(w->s, key, &b, &err) == 0 &&
	    (nl = memchr(b.data, '\n', b.len)) != NULL) {
		*nl = '\0';
		stop = w->fn(w->ctx, nl + 1, b.data);
	}
	reg_buf_release(&b);
	return stop;
}

int
reg_repo_referrers(struct reg_store *s, const char *name,
		   const struct reg_digest *subject, size_t limit,
		   reg_repo_referrer_fn fn, void *ctx, struct reg_err *err)
{
	char dir[KEY_MAX];
	struct referrer_walk w = { s, dir, fn, ctx, 0 };

	if (check_name(name, err) == -1 ||
	    referrer_dir_key(dir, sizeof(dir), name, subject, err) == -1)
		return -1;
	if (s->drv->list(s, dir, NULL, limit, visit_referrer, &w, err) == -1)
		return is_enoent(err) ? 0 : -1;
	return 0;
}

struct catalog_walk {
	reg_store_list_fn fn;
	void *ctx;
};

static int
visit_catalog(void *ctx, const char *entry)
{
	struct catalog_walk *w = ctx;
	char name[REG_NAME_MAX + 1], *p;

	if (snprintf(name, sizeof(name), "%s", entry) >= (int)sizeof(name))
		return 0;
	for (p = name; *p; p++) {
		if (*p == '+')
			*p = '/';
	}
	if (!reg_name_is_valid(name, strlen(name)))
		return 0;
	return w->fn(w->ctx, name);
}

int
reg_repo_catalog(struct reg_store *s, const char *after, size_t limit,
		 reg_store_list_fn fn, void *ctx, struct reg_err *err)
{
	char last[REG_NAME_MAX + 1] = "", *p;
	struct catalog_walk w = { fn, ctx };

	if (after != NULL &&
	    snprintf(last, sizeof(last), "%s", after) >= (int)sizeof(last))
		return reg_err_set(err, REG_E_NAME_INVALID, "invalid last");
	for (p = last; *p; p++) {
		if (*p == '/')
			*p = '+';
	}
	if (s->drv->list(s, "_catalog", last, limit, visit_catalog, &w, err) ==
	    -1)
		return is_enoent(err) ? 0 : -1;
	return 0;
}
