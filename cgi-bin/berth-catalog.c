/* berth-catalog.c: GET /v2/ (API version check) and GET /v2/_catalog */
/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "parse.h"
#include "repo.h"
#include "req.h"

#include "banned.h"

#define CATALOG_BODY_MAX (64 * 1024 * 1024)

/* GET /v2/: the client checks that this is a registry/2.0 endpoint. */
static int
base_get(struct reg_req *rq, struct reg_err *err)
{
	return reg_req_send(rq, 200, "application/json; charset=utf-8", "{}", 2,
			    err);
}

struct page {
	struct reg_req *rq;
	uint64_t n;
	uint64_t count;
	struct reg_buf *out;
	char final[REG_NAME_MAX + 1];
	char seen[REG_NAME_MAX + 1]; /* last name looked at */
	uint64_t looked;
	bool more;
	bool failed;
};

static int
page_add(void *ctx, const char *name)
{
	struct page *pg = ctx;
	int n;

	pg->looked++;
	n = snprintf(pg->seen, sizeof(pg->seen), "%s", name);
	if (n < 0 || (size_t)n >= sizeof(pg->seen))
		pg->failed = true;
	/* Only what the caller may pull is listed. */
	if (!reg_req_allowed(pg->rq, name, REG_AUTH_PULL))
		return 0;
	if (pg->count == pg->n) {
		pg->more = pg->n > 0; /* n=0 asks for nothing, not for a link */
		return 1;
	}
	if ((pg->count && reg_buf_add(pg->out, ",", 1) == -1) ||
	    reg_buf_add_json_string(pg->out, name) == -1) {
		pg->failed = true;
		return 1;
	}
	n = snprintf(pg->final, sizeof(pg->final), "%s", name);
	if (n < 0 || (size_t)n >= sizeof(pg->final))
		pg->failed = true;
	pg->count++;
	return 0;
}

/* GET /v2/_catalog?n=&last=: one page of repository names. */
static int
catalog_get(struct reg_req *rq, struct reg_err *err)
{
	struct reg_buf out;
	struct page pg;
	char v[32], last[REG_NAME_MAX + 1];
	long n;
	int rc = -1;

	memset(&pg, 0, sizeof(pg));
	pg.n = rq->cfg->registry.max_page_size;
	if (reg_req_query_has(rq, "n")) {
		uint64_t want;

		n = reg_query_get(rq->query, "n", v, sizeof(v));
		if (n <= 0 || reg_parse_u64(v, 0, UINT64_MAX, &want) == -1)
			return reg_err_set(err, REG_E_PAGINATION_NUMBER_INVALID,
					   "n must be a number");
		if (want < pg.n)
			pg.n = want;
	}
	if (reg_query_get(rq->query, "last", last, sizeof(last)) <= 0)
		last[0] = '\0';
	reg_buf_init(&out, CATALOG_BODY_MAX);
	pg.out = &out;
	if (reg_buf_adds(&out, "{\"repositories\":[") == -1)
		goto out;
	pg.rq = rq;
	/*
	 * Names the caller may not see are skipped, so one listing can come
	 * back short: go on from the last name seen until the page is full
	 * or the catalog ends, one bounded batch at a time.
	 */
	while (pg.n > 0 && !pg.more && !pg.failed) {
		uint64_t batch = pg.n + 1;

		pg.looked = 0;
		if (reg_repo_catalog(rq->store, last, (size_t)batch, page_add,
				     &pg, err) == -1)
			goto out;
		if (pg.looked < batch)
			break;
		memcpy(last, pg.seen, sizeof(last));
	}
	if (pg.failed || reg_buf_adds(&out, "]}") == -1) {
		reg_err_set(err, REG_E_INTERNAL, "catalog too large");
		goto out;
	}
	if (pg.more &&
	    reg_req_header(rq, "Link",
			   "</v2/_catalog?n=%llu&last=%s>; rel=\"next\"",
			   (unsigned long long)pg.n, pg.final) == -1) {
		reg_err_set(err, REG_E_INTERNAL, "header");
		goto out;
	}
	rc = reg_req_send(rq, 200, "application/json; charset=utf-8", out.data,
			  out.len, err);
out:
	reg_buf_release(&out);
	return rc;
}

static const struct reg_route routes[] = {
	{ REG_GET | REG_HEAD, "/v2/", base_get, REG_ACTION_NONE },
	{ REG_GET, "/v2/_catalog", catalog_get, REG_ACTION_CATALOG },
};

int
main(int argc, char **argv)
{
	return reg_main(argc, argv, routes, REG_NITEMS(routes));
}
