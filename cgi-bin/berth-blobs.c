/* berth-blobs.c: GET/HEAD/DELETE /v2/<name>/blobs/<digest>, and uploads */
/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "blobs.h"
#include "parse.h"
#include "repo.h"
#include "req.h"

#include "banned.h"

static int
blob_headers(struct reg_req *rq, const struct reg_digest *d)
{
	if (reg_req_header(rq, "Docker-Content-Digest", "%s", d->str) == -1 ||
	    reg_req_header(rq, "ETag", "\"%s\"", d->str) == -1 ||
	    reg_req_header(rq, "Accept-Ranges", "bytes") == -1 ||
	    reg_req_header(rq, "Cache-Control", "max-age=31536000") == -1)
		return -1;
	return 0;
}

/*
 * GET straight from the store when it hands out URLs for that (S3 with
 * redirect = true): 307 to a short-lived presigned URL, so the bytes never
 * pass through here; the client sends its Range there itself.  1 when
 * answered, 0 when the store has no such URL, -1 on error.
 */
static int
blob_redirect(struct reg_req *rq, const struct reg_digest *d,
	      struct reg_err *err)
{
	struct reg_buf url;
	int rc = 0;

	reg_buf_init(&url, 16 * 1024);
	if (reg_repo_blob_redirect(rq->store, d, &url) == 0) {
		if (blob_headers(rq, d) == -1 ||
		    reg_req_header(rq, "Location", "%s", url.data) == -1)
			rc = reg_err_set(err, REG_E_INTERNAL, "header");
		else
			rc = reg_req_send_empty(rq, 307, err) == 0 ? 1 : -1;
	}
	reg_buf_release(&url);
	return rc;
}

/*
 * Whether to answer with X-Sendfile.  A web server that ignores the header
 * would send an empty body, so with "auto" only when the web server says,
 * for this request, that it acts on it: the shipped configs set
 * BERTH_X_SENDFILE=on on the blobs route where they enable X-Sendfile.
 * That is a request variable, not a header: a client's own
 * "Berth-X-Sendfile" arrives as HTTP_BERTH_X_SENDFILE and counts for nothing.
 */
static bool
sendfile_is_on(struct reg_req *rq)
{
	const char *v;

	switch (rq->cfg->http.sendfile) {
	case REG_SENDFILE_X_SENDFILE:
		return true;
	case REG_SENDFILE_AUTO:
		v = reg_req_param(rq, "BERTH_X_SENDFILE");
		return v != NULL && strcmp(v, "on") == 0;
	case REG_SENDFILE_NONE:
		break;
	}
	return false;
}

/* GET and HEAD: the whole blob, or one range of it. */
static int
blob_get(struct reg_req *rq, struct reg_err *err)
{
	struct reg_digest d;
	struct reg_range r;
	uint64_t size, first = 0, len;
	int status = 200;

	if (reg_digest_parse(&d, rq->ref, strlen(rq->ref), err) == -1)
		return -1;
	memcpy(rq->digest_logged, d.str, sizeof(d.str));
	if (reg_repo_blob_stat(rq->store, rq->name, &d, &size, err) == -1)
		return -1;
	len = size;
	switch (reg_range_parse(reg_req_param(rq, "HTTP_RANGE"), size, &r)) {
	case REG_RANGE_NONE:
		break;
	case REG_RANGE_OK:
		status = 206;
		first = r.first;
		len = r.last - r.first + 1;
		if (reg_req_header(rq, "Content-Range", "bytes %llu-%llu/%llu",
				   (unsigned long long)r.first,
				   (unsigned long long)r.last,
				   (unsigned long long)size) == -1)
			return reg_err_set(err, REG_E_INTERNAL, "header");
		break;
	case REG_RANGE_UNSATISFIABLE:
		reg_req_header(rq, "Content-Range", "bytes */%llu",
			       (unsigned long long)size);
		return reg_err_set(err, REG_E_RANGE_NOT_SATISFIABLE,
				   "blob has %llu bytes",
				   (unsigned long long)size);
	}
	if (rq->method == REG_GET) {
		int redirected = blob_redirect(rq, &d, err);

		if (redirected != 0)
			return redirected > 0 ? 0 : -1;
	}
	if (blob_headers(rq, &d) == -1 ||
	    reg_req_header(rq, "Content-Type", "application/octet-stream") ==
		    -1 ||
	    reg_req_header(rq, "Content-Length", "%llu",
			   (unsigned long long)len) == -1)
		return reg_err_set(err, REG_E_INTERNAL, "header");
	/* A whole blob: let the web server send the file (sendfile(2), and
	 * this process is free at once).  Ranges are rare: stream those. */
	if (rq->method == REG_GET && status == 200 && len > 0 &&
	    sendfile_is_on(rq)) {
		char path[REG_PATH_MAX];

		if (reg_repo_blob_local_path(rq->store, &d, path,
					     sizeof(path)) == 0) {
			if (reg_req_header(rq, "X-Sendfile", "%s", path) == -1)
				return reg_err_set(err, REG_E_INTERNAL,
						   "header");
			if (reg_req_start(rq, status, err) == -1)
				return -1;
			rq->bytes_out = len;
			return 0;
		}
	}
	if (reg_req_start(rq, status, err) == -1)
		return -1;
	if (rq->method == REG_HEAD || len == 0)
		return 0;
	return reg_repo_blob_read(rq->store, &d, first, len, reg_req_body_sink,
				  rq, err);
}

static int
blob_delete(struct reg_req *rq, struct reg_err *err)
{
	struct reg_digest d;

	if (reg_digest_parse(&d, rq->ref, strlen(rq->ref), err) == -1)
		return -1;
	memcpy(rq->digest_logged, d.str, sizeof(d.str));
	if (reg_repo_blob_unlink(rq->store, rq->name, &d, err) == -1)
		return -1;
	reg_req_audit(rq, "delete", d.str, "blob");
	reg_req_header(rq, "Docker-Content-Digest", "%s", d.str);
	return reg_req_send_empty(rq, 202, err);
}

static const struct reg_route routes[] = {
	{ REG_POST, "/v2/*/blobs/uploads/?", upload_post, REG_ACTION_PUSH },
	{ REG_PATCH, "/v2/*/blobs/uploads/@", upload_patch, REG_ACTION_PUSH },
	{ REG_PUT, "/v2/*/blobs/uploads/@", upload_put, REG_ACTION_PUSH },
	{ REG_GET, "/v2/*/blobs/uploads/@", upload_get, REG_ACTION_PUSH },
	{ REG_DELETE, "/v2/*/blobs/uploads/@", upload_delete, REG_ACTION_PUSH },
	{ REG_GET | REG_HEAD, "/v2/*/blobs/@", blob_get, REG_ACTION_PULL },
	{ REG_DELETE, "/v2/*/blobs/@", blob_delete, REG_ACTION_DELETE },
};

int
main(int argc, char **argv)
{
	return reg_main(argc, argv, routes, REG_NITEMS(routes));
}
