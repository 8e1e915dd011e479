/* req.h: one HTTP request over FastCGI or CGI, routing and the main loop */
/* SPDX-License-Identifier: MIT */
#ifndef BERTH_REQ_H
#define BERTH_REQ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "auth.h"
#include "buf.h"
#include "cfg.h"
#include "digest.h"
#include "err.h"
#include "ref.h"
#include "store.h"

enum reg_method {
	REG_GET = 1 << 0,
	REG_HEAD = 1 << 1,
	REG_PUT = 1 << 2,
	REG_POST = 1 << 3,
	REG_PATCH = 1 << 4,
	REG_DELETE = 1 << 5,
};

/* What a route needs the caller to be allowed to do on the repository. */
enum reg_action {
	REG_ACTION_NONE = 0, /* /v2/ itself */
	REG_ACTION_PULL,
	REG_ACTION_PUSH,
	REG_ACTION_DELETE,
	REG_ACTION_CATALOG,
	REG_ACTION_TOKEN, /* the token server: identify, allow anyone */
};

#define REG_PATH_MAX 2048
#define REG_REF_MAX 256
#define REG_NITEMS(a) (sizeof(a) / sizeof((a)[0]))

struct reg_req;

/*
 * A handler validates, acts and sends exactly one response with the
 * reg_req_send* functions; on failure it returns -1 with err set and sends
 * nothing: reg_main then answers with the spec's error JSON.
 */
typedef int (*reg_handler_fn)(struct reg_req *rq, struct reg_err *err);

/*
 * A route.  pattern is a literal path ("/v2/", "/v2/_catalog") or
 * "/v2/" then "*" followed by a literal tail ending in '@' (one non-empty final
 * segment: digest, tag or id), '?' (an optional final segment) or nothing.
 * '*' is the repository name, which may contain '/': the tail is matched
 * against the end of the path, so "/v2/a/blobs/manifests/x" is the
 * manifest "x" of repository "a/blobs".
 */
struct reg_route {
	unsigned methods; /* REG_GET | REG_HEAD ... */
	const char *pattern;
	reg_handler_fn fn;
	enum reg_action action;
};

/*
 * One request.  Everything here is valid until the handler returns;
 * strings are copies (FastCGI parameters die with the next accept).
 */
struct reg_req {
	const struct reg_cfg *cfg;
	struct reg_store *store;
	enum reg_method method;
	const char *method_name;
	char path[REG_PATH_MAX];     /* percent-decoded */
	char name[REG_NAME_MAX + 1]; /* repository, "" if none */
	char ref[REG_REF_MAX];	     /* final segment, "" if none */
	const char *query;	     /* raw QUERY_STRING, never NULL */
	bool has_length;
	uint64_t content_length;
	const char *content_type;		/* never NULL; "" if absent */
	char digest_logged[REG_DIGEST_STR_MAX]; /* for the access log */
	struct reg_auth *auth;
	struct reg_identity id; /* the caller, once authenticated */
	/* response state */
	int status;
	bool started;
	struct reg_buf headers;
	uint64_t bytes_in;
	uint64_t bytes_out;
	void *io; /* private */
};

/* A request parameter (CGI meta-variable such as "HTTP_RANGE"); NULL if
 * unset. */
const char *reg_req_param(struct reg_req *rq, const char *name);

/*
 * Read up to n bytes of the body: >0 bytes, 0 at its end, -1 on a short
 * body (the client went away: BLOB_UPLOAD_INVALID).  With a
 * Content-Length, never reads past it.
 */
long reg_req_read(struct reg_req *rq, void *buf, size_t n, struct reg_err *err);
/* reg_store_source_fn over reg_req_read (ctx is the reg_req). */
long reg_req_body_source(void *ctx, void *buf, size_t n, struct reg_err *err);
/* Read the whole body into b (bounded by b->max: REG_E_SIZE_INVALID). */
int reg_req_read_all(struct reg_req *rq, struct reg_buf *b,
		     struct reg_err *err);

/*
 * True if the caller may do want (REG_AUTH_PULL ...) on another
 * repository than the request's own (a mount's "from", catalog entries).
 */
bool reg_req_allowed(struct reg_req *rq, const char *name, unsigned want);

/* The transport policy for credentials found in a request body. */
int reg_req_check_transport(struct reg_req *rq, struct reg_err *err);

/* Log an audit event about this request (who, which repository, what). */
void reg_req_audit(struct reg_req *rq, const char *event, const char *digest,
		   const char *detail);

/* True if the query string has a parameter called key (any value). */
bool reg_req_query_has(const struct reg_req *rq, const char *key);

/*
 * One page of a name listing (tags/list, _catalog): n is the ?n= the
 * client asked for, capped by [registry] max_page_size; last is ?last=.
 * reg_page_add is a reg_store_list_fn: it appends each name to out as a
 * JSON string and stops (setting more) at the first name past the page,
 * so listings ask the store for n + 1 names.
 */
struct reg_page {
	uint64_t n;
	char last[REG_NAME_MAX + 1];
	struct reg_buf *out;
	uint64_t count;
	char final[REG_NAME_MAX + 1]; /* the last name on the page */
	bool more;
	bool failed; /* out or a name was too long */
};

/* Read n and last (PAGINATION_NUMBER_INVALID for a bad n). */
int reg_page_init(struct reg_page *pg, struct reg_req *rq, struct reg_buf *out,
		  struct reg_err *err);
int reg_page_add(void *ctx, const char *name);
/* Send out, with a Link to base?n=&last= when more remain. */
int reg_page_send(struct reg_req *rq, const struct reg_page *pg,
		  const char *base, struct reg_err *err);

/* Add a response header; -1 if the value holds CR, LF or NUL. */
int reg_req_header(struct reg_req *rq, const char *name, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Send the status line and headers; the body follows with reg_req_write. */
int reg_req_start(struct reg_req *rq, int status, struct reg_err *err);
/* Body bytes (dropped for HEAD). */
int reg_req_write(struct reg_req *rq, const void *p, size_t n,
		  struct reg_err *err);
/* reg_store_sink_fn over reg_req_write. */
int reg_req_body_sink(void *ctx, const void *p, size_t n, struct reg_err *err);
/* A complete response with a body (Content-Type may be NULL). */
int reg_req_send(struct reg_req *rq, int status, const char *content_type,
		 const void *body, size_t len, struct reg_err *err);
/* A complete response without a body (Content-Length: 0). */
int reg_req_send_empty(struct reg_req *rq, int status, struct reg_err *err);

/* The request's path and query for a Link or Location: "/v2/<name>" + s. */
int reg_req_repo_url(struct reg_req *rq, char *buf, size_t bufsz,
		     const char *suffix);

/*
 * The program: loads the configuration, opens the store, then serves
 * requests: FastCGI when fd 0 is a socket, else one CGI request.  Each
 * request is routed, checked (method, name, read-only, delete) and handed
 * to the route's handler; errors become the spec's JSON.  Never exits on
 * a bad request.  Returns the process exit status.
 */
int reg_main(int argc, char **argv, const struct reg_route *routes,
	     size_t nroutes);

/*
 * The same for berth-token: callers authenticate with [issuer] method
 * (htpasswd, clientcert, webserver) instead of [auth] method.
 */
int reg_main_token_server(int argc, char **argv, const struct reg_route *routes,
			  size_t nroutes);

#endif
