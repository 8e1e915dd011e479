/* berth-manifests.c: /v2/<name>/manifests/<ref>, tags/list, referrers */
/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "manifest.h"
#include "parse.h"
#include "repo.h"
#include "req.h"

#include "banned.h"

/* Stored manifests may predate a smaller max_manifest_size: read with this. */
#define MANIFEST_READ_MAX (64 * 1024 * 1024)
#define LIST_BODY_MAX (64 * 1024 * 1024)

static bool
is_digest_ref(const char *ref)
{
	return strchr(ref, ':') != NULL;
}

/* The digest a reference names: parsed, or looked up through the tag. */
static int
resolve(struct reg_req *rq, struct reg_digest *d, struct reg_err *err)
{
	if (is_digest_ref(rq->ref)) {
		if (reg_digest_parse(d, rq->ref, strlen(rq->ref), err) == -1)
			return -1;
	} else {
		if (!reg_tag_is_valid(rq->ref, strlen(rq->ref)))
			return reg_err_set(err, REG_E_TAG_INVALID,
					   "invalid tag");
		if (reg_repo_tag_resolve(rq->store, rq->name, rq->ref, d,
					 err) == -1)
			return -1;
	}
	memcpy(rq->digest_logged, d->str, sizeof(d->str));
	return 0;
}

static int
manifest_headers(struct reg_req *rq, const struct reg_digest *d,
		 const char *media_type, uint64_t size)
{
	if (reg_req_header(rq, "Content-Type", "%s", media_type) == -1 ||
	    reg_req_header(rq, "Docker-Content-Digest", "%s", d->str) == -1 ||
	    reg_req_header(rq, "ETag", "\"%s\"", d->str) == -1 ||
	    reg_req_header(rq, "Content-Length", "%llu",
			   (unsigned long long)size) == -1)
		return -1;
	return 0;
}

/* GET and HEAD by tag or digest: the exact bytes that were pushed. */
static int
manifest_get(struct reg_req *rq, struct reg_err *err)
{
	struct reg_digest d;
	struct reg_buf body;
	char mt[REG_MEDIA_TYPE_MAX + 1];
	uint64_t size;
	int rc = -1;

	if (resolve(rq, &d, err) == -1)
		return -1;
	if (rq->method == REG_HEAD) {
		if (reg_repo_manifest_stat(rq->store, rq->name, &d, &size, mt,
					   sizeof(mt), err) == -1)
			return -1;
		if (manifest_headers(rq, &d, mt, size) == -1)
			return reg_err_set(err, REG_E_INTERNAL, "header");
		return reg_req_start(rq, 200, err);
	}
	reg_buf_init(&body, MANIFEST_READ_MAX);
	if (reg_repo_manifest_get(rq->store, rq->name, &d, &body, mt,
				  sizeof(mt), err) == -1)
		goto out;
	if (manifest_headers(rq, &d, mt, body.len) == -1) {
		reg_err_set(err, REG_E_INTERNAL, "header");
		goto out;
	}
	if (reg_req_start(rq, 200, err) == -1)
		goto out;
	rc = reg_req_write(rq, body.data, body.len, err);
out:
	reg_buf_release(&body);
	return rc;
}

/* The body, bounded by the configured limit (413 past it). */
static int
read_manifest_body(struct reg_req *rq, struct reg_buf *body,
		   struct reg_err *err)
{
	if (reg_req_read_all(rq, body, err) == -1) {
		if (err->code == REG_E_SIZE_INVALID)
			return reg_err_set(err, REG_E_MANIFEST_TOO_LARGE,
					   "manifests are limited to %zu bytes",
					   body->max);
		return -1;
	}
	return 0;
}

/* PUT by tag or digest: validate, check references, store byte for byte. */
static int
manifest_put(struct reg_req *rq, struct reg_err *err)
{
	struct reg_manifest m;
	struct reg_digest d, want;
	struct reg_buf body;
	const char *tag = NULL;
	char loc[REG_PATH_MAX];
	enum reg_digest_alg alg = REG_DIGEST_SHA256;
	int rc = -1;

	memset(&m, 0, sizeof(m));
	if (is_digest_ref(rq->ref)) {
		if (reg_digest_parse(&want, rq->ref, strlen(rq->ref), err) ==
		    -1)
			return -1;
		alg = want.alg;
	} else if (!reg_tag_is_valid(rq->ref, strlen(rq->ref))) {
		return reg_err_set(err, REG_E_TAG_INVALID, "invalid tag");
	} else {
		tag = rq->ref;
	}
	reg_buf_init(&body, rq->cfg->registry.max_manifest_size);
	if (read_manifest_body(rq, &body, err) == -1)
		goto out;
	if (reg_manifest_parse(&m, body.data, body.len, rq->content_type,
			       err) == -1)
		goto out;
	reg_digest_of(&d, alg, body.data, body.len);
	memcpy(rq->digest_logged, d.str, sizeof(d.str));
	if (tag == NULL && !reg_digest_equal(&d, &want)) {
		reg_err_set(err, REG_E_DIGEST_INVALID, "manifest has digest %s",
			    d.str);
		goto out;
	}
	if (tag != NULL) {
		struct reg_digest old;
		struct reg_err ignored;

		if (reg_repo_tag_resolve(rq->store, rq->name, tag, &old,
					 &ignored) == 0 &&
		    !reg_digest_equal(&old, &d))
			reg_req_audit(rq, "tag_move", d.str, old.str);
	}
	if (reg_repo_manifest_put(rq->store, rq->name, tag, &d, body.data,
				  body.len, &m, err) == -1)
		goto out;
	reg_req_audit(rq, "push", d.str, m.media_type);
	if (reg_req_repo_url(rq, loc, sizeof(loc), "/manifests/") == -1 ||
	    reg_req_header(rq, "Location", "%s%s", loc, d.str) == -1 ||
	    reg_req_header(rq, "Docker-Content-Digest", "%s", d.str) == -1 ||
	    (m.has_subject && reg_req_header(rq, "OCI-Subject", "%s",
					     m.subject.digest.str) == -1)) {
		reg_err_set(err, REG_E_INTERNAL, "header");
		goto out;
	}
	rc = reg_req_send_empty(rq, 201, err);
out:
	reg_manifest_release(&m);
	reg_buf_release(&body);
	return rc;
}

/* DELETE by digest (the manifest and its tags) or by tag (the tag only). */
static int
manifest_delete(struct reg_req *rq, struct reg_err *err)
{
	struct reg_digest d;

	if (is_digest_ref(rq->ref)) {
		if (reg_digest_parse(&d, rq->ref, strlen(rq->ref), err) == -1)
			return -1;
		memcpy(rq->digest_logged, d.str, sizeof(d.str));
		if (reg_repo_manifest_delete(rq->store, rq->name, &d, err) ==
		    -1)
			return -1;
		reg_req_audit(rq, "delete", d.str, "manifest");
	} else {
		if (!reg_tag_is_valid(rq->ref, strlen(rq->ref)))
			return reg_err_set(err, REG_E_TAG_INVALID,
					   "invalid tag");
		if (reg_repo_tag_delete(rq->store, rq->name, rq->ref, err) ==
		    -1)
			return -1;
		reg_req_audit(rq, "delete", NULL, "tag");
	}
	return reg_req_send_empty(rq, 202, err);
}

static int
tags_list(struct reg_req *rq, struct reg_err *err)
{
	struct reg_buf out;
	struct reg_page pg;
	char base[REG_PATH_MAX];
	int rc = -1;

	reg_buf_init(&out, LIST_BODY_MAX);
	if (reg_page_init(&pg, rq, &out, err) == -1)
		goto out;
	if (reg_buf_adds(&out, "{\"name\":") == -1 ||
	    reg_buf_add_json_string(&out, rq->name) == -1 ||
	    reg_buf_adds(&out, ",\"tags\":[") == -1)
		goto out;
	/* Ask for one more than the page to know whether a next one exists. */
	if (reg_repo_tags(rq->store, rq->name, pg.last, (size_t)pg.n + 1,
			  reg_page_add, &pg, err) == -1)
		goto out;
	if (reg_buf_adds(&out, "]}") == -1 ||
	    reg_req_repo_url(rq, base, sizeof(base), "/tags/list") == -1) {
		reg_err_set(err, REG_E_INTERNAL, "listing too large");
		goto out;
	}
	rc = reg_page_send(rq, &pg, base, err);
out:
	reg_buf_release(&out);
	return rc;
}

struct referrers {
	struct reg_buf *out;
	const char *filter; /* NULL: no filter */
	size_t count;
	bool failed;
};

static int
referrer_add(void *ctx, const char *json, const char *artifact_type)
{
	struct referrers *r = ctx;

	if (r->filter != NULL && strcmp(r->filter, artifact_type) != 0)
		return 0;
	if ((r->count && reg_buf_add(r->out, ",", 1) == -1) ||
	    reg_buf_adds(r->out, json) == -1) {
		r->failed = true;
		return 1;
	}
	r->count++;
	return 0;
}

/* GET referrers: an image index of the manifests whose subject is d. */
static int
referrers_get(struct reg_req *rq, struct reg_err *err)
{
	struct reg_digest d;
	struct reg_buf out;
	struct referrers r;
	char filter[REG_MEDIA_TYPE_MAX + 1];
	long n;
	int rc = -1;

	if (reg_digest_parse(&d, rq->ref, strlen(rq->ref), err) == -1)
		return -1;
	memset(&r, 0, sizeof(r));
	reg_buf_init(&out, LIST_BODY_MAX);
	r.out = &out;
	n = reg_query_get(rq->query, "artifactType", filter, sizeof(filter));
	if (n > 0)
		r.filter = filter;
	if (reg_buf_adds(
		    &out,
		    "{\"schemaVersion\":2,\"mediaType\":\"" REG_MT_OCI_INDEX
		    "\",\"manifests\":[") == -1)
		goto out;
	if (reg_repo_referrers(rq->store, rq->name, &d, 100000, referrer_add,
			       &r, err) == -1)
		goto out;
	if (r.failed || reg_buf_adds(&out, "]}") == -1) {
		reg_err_set(err, REG_E_INTERNAL, "listing too large");
		goto out;
	}
	if (r.filter != NULL &&
	    reg_req_header(rq, "OCI-Filters-Applied", "artifactType") == -1)
		goto out;
	rc = reg_req_send(rq, 200, REG_MT_OCI_INDEX, out.data, out.len, err);
out:
	reg_buf_release(&out);
	return rc;
}

static const struct reg_route routes[] = {
	{ REG_GET | REG_HEAD, "/v2/*/manifests/@", manifest_get,
	  REG_ACTION_PULL },
	{ REG_PUT, "/v2/*/manifests/@", manifest_put, REG_ACTION_PUSH },
	{ REG_DELETE, "/v2/*/manifests/@", manifest_delete, REG_ACTION_DELETE },
	{ REG_GET, "/v2/*/tags/list", tags_list, REG_ACTION_PULL },
	{ REG_GET, "/v2/*/referrers/@", referrers_get, REG_ACTION_PULL },
};

int
main(int argc, char **argv)
{
	return reg_main(argc, argv, routes, REG_NITEMS(routes));
}
