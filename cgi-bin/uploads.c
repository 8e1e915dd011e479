/* uploads.c: POST/PATCH/PUT/GET/DELETE /v2/<name>/blobs/uploads/[<id>] */
/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "blobs.h"
#include "parse.h"
#include "repo.h"
#include "req.h"

#include "banned.h"

/* Location, Docker-Upload-UUID and Range of an upload in progress. */
static int
upload_headers(struct reg_req *rq, const char *id, uint64_t size)
{
	char loc[REG_PATH_MAX];
	int n = snprintf(loc, sizeof(loc), "/v2/%s/blobs/uploads/%s", rq->name,
			 id);

	if (n < 0 || (size_t)n >= sizeof(loc))
		return -1;
	if (reg_req_header(rq, "Location", "%s", loc) == -1 ||
	    reg_req_header(rq, "Docker-Upload-UUID", "%s", id) == -1 ||
	    reg_req_header(rq, "Range", "0-%llu",
			   (unsigned long long)(size ? size - 1 : 0)) == -1)
		return -1;
	return 0;
}

/* 201 for a blob now in the repository. */
static int
send_created(struct reg_req *rq, const struct reg_digest *d,
	     struct reg_err *err)
{
	char loc[REG_PATH_MAX];
	int n = snprintf(loc, sizeof(loc), "/v2/%s/blobs/%s", rq->name, d->str);

	if (n < 0 || (size_t)n >= sizeof(loc) ||
	    reg_req_header(rq, "Location", "%s", loc) == -1 ||
	    reg_req_header(rq, "Docker-Content-Digest", "%s", d->str) == -1)
		return reg_err_set(err, REG_E_INTERNAL, "header");
	return reg_req_send_empty(rq, 201, err);
}

/* The ?digest= parameter, required and valid. */
static int
query_digest(struct reg_req *rq, struct reg_digest *d, struct reg_err *err)
{
	char v[REG_DIGEST_STR_MAX + 1];
	long n = reg_query_get(rq->query, "digest", v, sizeof(v));

	if (n < 0)
		return reg_err_set(err, REG_E_DIGEST_INVALID,
				   "a digest parameter is required");
	if (reg_digest_parse(d, v, (size_t)n, err) == -1)
		return -1;
	memcpy(rq->digest_logged, d->str, sizeof(d->str));
	return 0;
}

/*
 * The Content-Range of a chunk, if any: it must agree with the
 * Content-Length, or the data would land at the wrong offset.
 */
static int
chunk_range(struct reg_req *rq, bool *has, uint64_t *start, struct reg_err *err)
{
	const char *cr = reg_req_param(rq, "HTTP_CONTENT_RANGE");
	uint64_t first, last;

	*has = false;
	if (cr == NULL || *cr == '\0')
		return 0;
	if (reg_content_range_parse(cr, &first, &last) == -1)
		return reg_err_set(err, REG_E_RANGE_INVALID,
				   "malformed Content-Range");
	if (rq->has_length && rq->content_length != last - first + 1)
		return reg_err_set(err, REG_E_RANGE_INVALID,
				   "Content-Range does not match "
				   "Content-Length");
	*has = true;
	*start = first;
	return 0;
}

/* True if the request carries a body to append. */
static bool
has_body(const struct reg_req *rq)
{
	return !rq->has_length || rq->content_length > 0;
}

/* Cross-repository mount; 1 if it was not possible (upload instead). */
static int
try_mount(struct reg_req *rq, struct reg_err *err)
{
	char mount[REG_DIGEST_STR_MAX + 1], from[REG_NAME_MAX + 1];
	struct reg_digest d;
	struct reg_err miss;
	uint64_t size;
	long m, f;

	m = reg_query_get(rq->query, "mount", mount, sizeof(mount));
	if (m < 0)
		return 1;
	if (reg_digest_parse(&d, mount, (size_t)m, err) == -1)
		return -1;
	f = reg_query_get(rq->query, "from", from, sizeof(from));
	if (f <= 0 || !reg_name_is_valid(from, (size_t)f))
		return 1;
	/* Mounting reads the other repository: it needs pull there. */
	if (!reg_req_allowed(rq, from, REG_AUTH_PULL))
		return 1;
	if (reg_repo_blob_stat(rq->store, from, &d, &size, &miss) == -1)
		return 1;
	if (reg_repo_blob_link(rq->store, rq->name, &d, err) == -1)
		return -1;
	memcpy(rq->digest_logged, d.str, sizeof(d.str));
	return send_created(rq, &d, err);
}

/* POST: start an upload, finish a monolithic one, or mount. */
int
upload_post(struct reg_req *rq, struct reg_err *err)
{
	char id[REG_UPLOAD_ID_LEN + 1];
	struct reg_digest d;
	struct reg_err ignored;
	int rc;

	if (rq->ref[0])
		return reg_err_set(err, REG_E_METHOD_NOT_ALLOWED,
				   "POST goes to the uploads collection");
	if ((rc = try_mount(rq, err)) != 1)
		return rc;
	if (reg_req_query_has(rq, "digest")) {
		if (query_digest(rq, &d, err) == -1)
			return -1;
		if (reg_repo_upload_start(rq->store, rq->name, id, err) == -1)
			return -1;
		if (reg_repo_upload_finish(rq->store, rq->name, id, &d, false,
					   0, reg_req_body_source, rq,
					   err) == -1) {
			reg_repo_upload_cancel(rq->store, rq->name, id,
					       &ignored);
			return -1;
		}
		return send_created(rq, &d, err);
	}
	if (reg_repo_upload_start(rq->store, rq->name, id, err) == -1)
		return -1;
	if (upload_headers(rq, id, 0) == -1)
		return reg_err_set(err, REG_E_INTERNAL, "header");
	return reg_req_send_empty(rq, 202, err);
}

/* PATCH: append one chunk (streamed, hashed as it is written). */
int
upload_patch(struct reg_req *rq, struct reg_err *err)
{
	uint64_t start = 0, size;
	bool has_start;

	if (chunk_range(rq, &has_start, &start, err) == -1)
		return -1;
	if (reg_repo_upload_append(rq->store, rq->name, rq->ref, has_start,
				   start, reg_req_body_source, rq, &size,
				   err) == -1)
		return -1;
	if (upload_headers(rq, rq->ref, size) == -1)
		return reg_err_set(err, REG_E_INTERNAL, "header");
	return reg_req_send_empty(rq, 202, err);
}

/* PUT ?digest=: finish, with or without a last chunk. */
int
upload_put(struct reg_req *rq, struct reg_err *err)
{
	struct reg_digest d;
	uint64_t start = 0, size;
	bool has_start;

	if (query_digest(rq, &d, err) == -1)
		return -1;
	if (chunk_range(rq, &has_start, &start, err) == -1)
		return -1;
	/* Unknown uploads are 404 before any digest work. */
	if (reg_repo_upload_size(rq->store, rq->name, rq->ref, &size, err) ==
	    -1)
		return -1;
	if (reg_repo_upload_finish(
		    rq->store, rq->name, rq->ref, &d, has_start, start,
		    has_body(rq) ? reg_req_body_source : NULL, rq, err) == -1)
		return -1;
	return send_created(rq, &d, err);
}

/* GET: how far the upload has come. */
int
upload_get(struct reg_req *rq, struct reg_err *err)
{
	uint64_t size;

	if (reg_repo_upload_size(rq->store, rq->name, rq->ref, &size, err) ==
	    -1)
		return -1;
	if (upload_headers(rq, rq->ref, size) == -1)
		return reg_err_set(err, REG_E_INTERNAL, "header");
	return reg_req_send_empty(rq, 204, err);
}

/* DELETE: cancel and remove the upload. */
int
upload_delete(struct reg_req *rq, struct reg_err *err)
{
	if (reg_repo_upload_cancel(rq->store, rq->name, rq->ref, err) == -1)
		return -1;
	return reg_req_send_empty(rq, 204, err);
}
