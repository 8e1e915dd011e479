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

/* The catalog page, and how far the listing has looked. */
struct catalog_page {
	struct reg_page page;
	struct reg_req *rq;
	char seen[REG_NAME_MAX + 1]; /* last name looked at */
	uint64_t looked;
};

/* Only what the caller may pull is listed. */
static int
catalog_add(void *ctx, const char *name)
{
	struct catalog_page *cp = ctx;
	int n;

	cp->looked++;
	n = snprintf(cp->seen, sizeof(cp->seen), "%s", name);
	if (n < 0 || (size_t)n >= sizeof(cp->seen))
		cp->page.failed = true;
	if (!reg_req_allowed(cp->rq, name, REG_AUTH_PULL))
		return 0;
	return reg_page_add(&cp->page, name);
}

/* GET /v2/_catalog?n=&last=: one page of repository names. */
static int
catalog_get(struct reg_req *rq, struct reg_err *err)
{
	struct reg_buf out;
	struct catalog_page cp;
	struct reg_page *pg = &cp.page;
	char last[REG_NAME_MAX + 1];
	int rc = -1;

	memset(&cp, 0, sizeof(cp));
	cp.rq = rq;
	reg_buf_init(&out, CATALOG_BODY_MAX);
	if (reg_page_init(pg, rq, &out, err) == -1)
		goto out;
	memcpy(last, pg->last, sizeof(last));
	if (reg_buf_adds(&out, "{\"repositories\":[") == -1)
		goto out;
	/*
	 * Names the caller may not see are skipped, so one listing can come
	 * back short: go on from the last name seen until the page is full
	 * or the catalog ends, one bounded batch at a time.
	 */
	while (pg->n > 0 && !pg->more && !pg->failed) {
		uint64_t batch = pg->n + 1;

		cp.looked = 0;
		if (reg_repo_catalog(rq->store, last, (size_t)batch,
				     catalog_add, &cp, err) == -1)
			goto out;
		if (cp.looked < batch)
			break;
		memcpy(last, cp.seen, sizeof(last));
	}
	if (reg_buf_adds(&out, "]}") == -1)
		pg->failed = true;
	rc = reg_page_send(rq, pg, "/v2/_catalog", err);
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
