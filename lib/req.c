/* req.c: one HTTP request over FastCGI or CGI, routing and the main loop */
/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <errno.h>
#include <fcgiapp.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/rand.h>

#include "log.h"
#include "parse.h"
#include "req.h"

#include "banned.h"

#define HEADERS_MAX (16 * 1024)
#define ERROR_BODY_MAX 1024

/* The two ways a request reaches us. */
struct io {
	FCGX_Request *fcgi; /* NULL: plain CGI on stdin/stdout/environ */
};

static struct io *
io_of(struct reg_req *rq)
{
	return rq->io;
}

const char *
reg_req_param(struct reg_req *rq, const char *name)
{
	struct io *io = io_of(rq);

	if (io->fcgi != NULL)
		return FCGX_GetParam(name, io->fcgi->envp);
	return getenv(name);
}

static long
io_read(struct reg_req *rq, void *buf, size_t n)
{
	struct io *io = io_of(rq);
	ssize_t r;

	if (n > (size_t)INT32_MAX)
		n = (size_t)INT32_MAX;
	if (io->fcgi != NULL)
		return FCGX_GetStr(buf, (int)n, io->fcgi->in);
	do {
		r = read(0, buf, n);
	} while (r == -1 && errno == EINTR);
	return (long)r;
}

static int
io_write(struct reg_req *rq, const void *p, size_t n)
{
	struct io *io = io_of(rq);
	const char *c = p;

	if (io->fcgi != NULL) {
		while (n > 0) {
			int chunk = n > (size_t)INT32_MAX ? INT32_MAX : (int)n;

			if (FCGX_PutStr(c, chunk, io->fcgi->out) != chunk)
				return -1;
			c += chunk;
			n -= (size_t)chunk;
		}
		return 0;
	}
	while (n > 0) {
		ssize_t w = write(1, c, n);

		if (w == -1 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		c += w;
		n -= (size_t)w;
	}
	return 0;
}

long
reg_req_read(struct reg_req *rq, void *buf, size_t n, struct reg_err *err)
{
	long r;

	if (rq->has_length) {
		uint64_t left = rq->content_length - rq->bytes_in;

		if (left == 0)
			return 0;
		if (n > left)
			n = (size_t)left;
	}
	if (n == 0)
		return 0;
	r = io_read(rq, buf, n);
	if (r < 0 || (r == 0 && rq->has_length))
		return reg_err_set(err, REG_E_BLOB_UPLOAD_INVALID,
				   "request body ended after %llu bytes",
				   (unsigned long long)rq->bytes_in);
	rq->bytes_in += (uint64_t)r;
	return r;
}

long
reg_req_body_source(void *ctx, void *buf, size_t n, struct reg_err *err)
{
	return reg_req_read(ctx, buf, n, err);
}

int
reg_req_read_all(struct reg_req *rq, struct reg_buf *b, struct reg_err *err)
{
	char chunk[16384];
	long n;

	if (rq->has_length && rq->content_length > b->max)
		return reg_err_set(err, REG_E_SIZE_INVALID,
				   "body larger than %zu bytes", b->max);
	while ((n = reg_req_read(rq, chunk, sizeof(chunk), err)) > 0) {
		if (reg_buf_add(b, chunk, (size_t)n) == -1)
			return reg_err_set(err, REG_E_SIZE_INVALID,
					   "body larger than %zu bytes",
					   b->max);
	}
	return n < 0 ? -1 : 0;
}

void
reg_req_audit(struct reg_req *rq, const char *event, const char *digest,
	      const char *detail)
{
	struct reg_log_audit a;
	bool failure = strcmp(event, "denied") == 0 ||
		       strcmp(event, "login_failure") == 0;

	memset(&a, 0, sizeof(a));
	a.event = event;
	a.user = rq->id.user;
	a.repository = rq->name;
	a.reference = rq->ref;
	a.digest = digest;
	a.remote_addr = reg_req_param(rq, "REMOTE_ADDR");
	a.detail = detail;
	reg_log_audit(failure ? REG_LOG_WARN : REG_LOG_INFO, &a);
}

bool
reg_req_query_has(const struct reg_req *rq, const char *key)
{
	size_t klen = strlen(key);
	const char *p = rq->query;

	while (p != NULL && *p) {
		if (strncmp(p, key, klen) == 0 &&
		    (p[klen] == '=' || p[klen] == '&' || p[klen] == '\0'))
			return true;
		p = strchr(p, '&');
		if (p != NULL)
			p++;
	}
	return false;
}

int
reg_req_header(struct reg_req *rq, const char *name, const char *fmt, ...)
{
	struct reg_buf v;
	va_list ap;
	int rc;

	reg_buf_init(&v, HEADERS_MAX);
	va_start(ap, fmt);
	rc = reg_buf_vaddf(&v, fmt, ap);
	va_end(ap);
	/* Never let a value split the header block. */
	if (rc == -1 || reg_has_ctl(v.data, v.len) ||
	    reg_buf_addf(&rq->headers, "%s: %s\r\n", name, v.data) == -1)
		rc = -1;
	reg_buf_release(&v);
	return rc;
}

static const char *
reason_of(int status)
{
	switch (status) {
	case 200:
		return "OK";
	case 201:
		return "Created";
	case 202:
		return "Accepted";
	case 204:
		return "No Content";
	case 206:
		return "Partial Content";
	case 307:
		return "Temporary Redirect";
	case 400:
		return "Bad Request";
	case 401:
		return "Unauthorized";
	case 403:
		return "Forbidden";
	case 404:
		return "Not Found";
	case 405:
		return "Method Not Allowed";
	case 413:
		return "Payload Too Large";
	case 416:
		return "Range Not Satisfiable";
	case 429:
		return "Too Many Requests";
	case 500:
		return "Internal Server Error";
	case 503:
		return "Service Unavailable";
	default:
		return "Unknown";
	}
}

int
reg_req_start(struct reg_req *rq, int status, struct reg_err *err)
{
	struct reg_buf head;
	int rc;

	if (rq->started)
		return reg_err_set(err, REG_E_INTERNAL,
				   "response started twice");
	rq->started = true;
	rq->status = status;
	reg_buf_init(&head, HEADERS_MAX + 256);
	rc = reg_buf_addf(&head, "Status: %d %s\r\n", status,
			  reason_of(status));
	if (rc == 0)
		rc = reg_buf_add(&head, rq->headers.data, rq->headers.len);
	if (rc == 0)
		rc = reg_buf_add(&head, "\r\n", 2);
	if (rc == 0 && io_write(rq, head.data, head.len) == -1)
		rc = -1;
	reg_buf_release(&head);
	if (rc == -1)
		return reg_err_set(err, REG_E_INTERNAL,
				   "cannot send the response headers");
	return 0;
}

int
reg_req_write(struct reg_req *rq, const void *p, size_t n, struct reg_err *err)
{
	if (rq->method == REG_HEAD || n == 0)
		return 0;
	if (io_write(rq, p, n) == -1)
		return reg_err_set(err, REG_E_INTERNAL, "client went away");
	rq->bytes_out += n;
	return 0;
}

int
reg_req_body_sink(void *ctx, const void *p, size_t n, struct reg_err *err)
{
	return reg_req_write(ctx, p, n, err);
}

int
reg_req_send(struct reg_req *rq, int status, const char *content_type,
	     const void *body, size_t len, struct reg_err *err)
{
	if ((content_type != NULL &&
	     reg_req_header(rq, "Content-Type", "%s", content_type) == -1) ||
	    reg_req_header(rq, "Content-Length", "%zu", len) == -1)
		return reg_err_set(err, REG_E_INTERNAL, "bad header");
	if (reg_req_start(rq, status, err) == -1)
		return -1;
	return reg_req_write(rq, body, len, err);
}

int
reg_req_send_empty(struct reg_req *rq, int status, struct reg_err *err)
{
	return reg_req_send(rq, status, NULL, "", 0, err);
}

int
reg_req_repo_url(struct reg_req *rq, char *buf, size_t bufsz,
		 const char *suffix)
{
	int n = snprintf(buf, bufsz, "/v2/%s%s", rq->name, suffix);

	return n < 0 || (size_t)n >= bufsz ? -1 : 0;
}

/* ---- listings ---- */

int
reg_page_init(struct reg_page *pg, struct reg_req *rq, struct reg_buf *out,
	      struct reg_err *err)
{
	char v[32];
	long n;

	memset(pg, 0, sizeof(*pg));
	pg->out = out;
	pg->n = rq->cfg->registry.max_page_size;
	if (reg_req_query_has(rq, "n")) {
		uint64_t want;

		n = reg_query_get(rq->query, "n", v, sizeof(v));
		if (n <= 0 || reg_parse_u64(v, 0, UINT64_MAX, &want) == -1)
			return reg_err_set(err, REG_E_PAGINATION_NUMBER_INVALID,
					   "n must be a number");
		if (want < pg->n)
			pg->n = want;
	}
	if (reg_query_get(rq->query, "last", pg->last, sizeof(pg->last)) <= 0)
		pg->last[0] = '\0';
	return 0;
}

int
reg_page_add(void *ctx, const char *name)
{
	struct reg_page *pg = ctx;
	int n;

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

int
reg_page_send(struct reg_req *rq, const struct reg_page *pg, const char *base,
	      struct reg_err *err)
{
	if (pg->failed)
		return reg_err_set(err, REG_E_INTERNAL, "listing too large");
	if (pg->more &&
	    reg_req_header(rq, "Link", "<%s?n=%llu&last=%s>; rel=\"next\"",
			   base, (unsigned long long)pg->n, pg->final) == -1)
		return reg_err_set(err, REG_E_INTERNAL, "header");
	return reg_req_send(rq, 200, "application/json; charset=utf-8",
			    pg->out->data, pg->out->len, err);
}

/* ---- errors ---- */

/* The spec's error body; 5xx details stay in the log. */
static void
send_error(struct reg_req *rq, const struct reg_err *err)
{
	struct reg_buf body;
	struct reg_err ignored;
	int status = reg_err_http_status(err->code);
	const char *detail = err->detail;

	if (status >= 500) {
		reg_log_err("%s %s: %s%s%s", rq->method_name, rq->path,
			    err->detail, err->sys_errno ? ": " : "",
			    err->sys_errno ? strerror(err->sys_errno) : "");
		detail = "";
	}
	if (rq->started)
		return; /* too late for a status; the log has it */
	/* Headers added so far stay: handlers add them only on success, or
	 * on purpose for an error (Content-Range of a 416). */
	reg_buf_init(&body, ERROR_BODY_MAX);
	reg_buf_adds(&body, "{\"errors\":[{\"code\":");
	reg_buf_add_json_string(&body, reg_err_wire_code(err->code));
	reg_buf_adds(&body, ",\"message\":");
	reg_buf_add_json_string(&body, reg_err_message(err->code));
	reg_buf_adds(&body, ",\"detail\":");
	reg_buf_add_json_string(&body, detail);
	reg_buf_adds(&body, "}]}");
	reg_req_send(rq, status, "application/json; charset=utf-8", body.data,
		     body.len, &ignored);
	reg_buf_release(&body);
}

/* ---- routing ---- */

static const struct {
	const char *name;
	enum reg_method method;
} method_names[] = {
	{ "GET", REG_GET },   { "HEAD", REG_HEAD },   { "PUT", REG_PUT },
	{ "POST", REG_POST }, { "PATCH", REG_PATCH }, { "DELETE", REG_DELETE },
};

static int
parse_method(const char *s, enum reg_method *out, const char **name)
{
	size_t i;

	for (i = 0; i < REG_NITEMS(method_names); i++) {
		if (strcmp(s, method_names[i].name) == 0) {
			*out = method_names[i].method;
			*name = method_names[i].name;
			return 0;
		}
	}
	return -1;
}

static bool
ends_with(const char *s, size_t n, const char *suffix)
{
	size_t m = strlen(suffix);

	return n >= m && memcmp(s + n - m, suffix, m) == 0;
}

/*
 * Match path against pattern; on success fill name and ref (unvalidated)
 * and return true.  See struct reg_route for the pattern language.
 */
static bool
route_match(const char *pattern, const char *path, char *name, size_t namesz,
	    char *ref, size_t refsz)
{
	const char *star = strchr(pattern, '*'), *rest, *seg;
	char lit[64];
	size_t plen, litlen, restlen, namelen, seglen = 0;
	char term = 0;

	if (star == NULL) {
		name[0] = ref[0] = '\0';
		return strcmp(pattern, path) == 0;
	}
	plen = (size_t)(star - pattern);
	if (strncmp(path, pattern, plen) != 0)
		return false;
	litlen = strlen(star + 1);
	if (litlen >= sizeof(lit))
		return false;
	memcpy(lit, star + 1, litlen + 1);
	if (litlen && (lit[litlen - 1] == '@' || lit[litlen - 1] == '?')) {
		term = lit[--litlen];
		lit[litlen] = '\0';
	}
	rest = path + plen;
	restlen = strlen(rest);
	if (term) {
		seg = strrchr(rest, '/');
		if (seg == NULL)
			return false;
		seg++;
		seglen = strlen(seg);
		if (term == '@' && seglen == 0)
			return false;
		restlen -= seglen;
	}
	if (!ends_with(rest, restlen, lit))
		return false;
	namelen = restlen - litlen;
	if (namelen == 0 || namelen >= namesz || seglen >= refsz)
		return false;
	memcpy(name, rest, namelen);
	name[namelen] = '\0';
	if (term)
		memcpy(ref, rest + restlen, seglen + 1);
	else
		ref[0] = '\0';
	return true;
}

/* The request path: REQUEST_URI (up to '?') or SCRIPT_NAME + PATH_INFO. */
static int
request_path(struct reg_req *rq, struct reg_err *err)
{
	const char *uri = reg_req_param(rq, "REQUEST_URI");
	char raw[REG_PATH_MAX];
	size_t len;
	long n;

	if (uri != NULL && *uri) {
		const char *q = strchr(uri, '?');

		len = q ? (size_t)(q - uri) : strlen(uri);
		if (len >= sizeof(raw))
			goto too_long;
		memcpy(raw, uri, len);
		raw[len] = '\0';
	} else {
		const char *sn = reg_req_param(rq, "SCRIPT_NAME");
		const char *pi = reg_req_param(rq, "PATH_INFO");
		int m = snprintf(raw, sizeof(raw), "%s%s", sn ? sn : "",
				 pi ? pi : "");

		if (m < 0 || (size_t)m >= sizeof(raw))
			goto too_long;
		len = (size_t)m;
	}
	n = reg_url_decode_path(raw, len, rq->path, sizeof(rq->path));
	if (n < 0)
		return reg_err_set(err, REG_E_ROUTE_UNKNOWN,
				   "malformed request path");
	if (strcmp(rq->path, "/v2") == 0) {
		rq->path[3] = '/';
		rq->path[4] = '\0';
	}
	return 0;
too_long:
	return reg_err_set(err, REG_E_NAME_INVALID, "request path too long");
}

static int
read_headers(struct reg_req *rq, struct reg_err *err)
{
	const char *m = reg_req_param(rq, "REQUEST_METHOD");
	const char *cl = reg_req_param(rq, "CONTENT_LENGTH");
	const char *ct = reg_req_param(rq, "CONTENT_TYPE");
	const char *q = reg_req_param(rq, "QUERY_STRING");

	rq->query = q ? q : "";
	rq->content_type = ct ? ct : "";
	if (m == NULL || parse_method(m, &rq->method, &rq->method_name) == -1) {
		rq->method_name = "?";
		return reg_err_set(err, REG_E_METHOD_NOT_ALLOWED,
				   "unsupported method");
	}
	if (cl != NULL && *cl) {
		if (reg_parse_u64(cl, 0, INT64_MAX, &rq->content_length) == -1)
			return reg_err_set(err, REG_E_SIZE_INVALID,
					   "invalid Content-Length");
		rq->has_length = true;
	}
	return request_path(rq, err);
}

static bool
is_write(enum reg_method m)
{
	return m == REG_PUT || m == REG_POST || m == REG_PATCH ||
	       m == REG_DELETE;
}

/* Find the route and check everything that does not need the handler. */
static const struct reg_route *
route(struct reg_req *rq, const struct reg_route *routes, size_t n,
      struct reg_err *err)
{
	const struct reg_route *path_match = NULL;
	size_t i;

	for (i = 0; i < n; i++) {
		if (!route_match(routes[i].pattern, rq->path, rq->name,
				 sizeof(rq->name), rq->ref, sizeof(rq->ref)))
			continue;
		if (!(routes[i].methods & rq->method)) {
			if (path_match == NULL)
				path_match = &routes[i];
			continue;
		}
		if (rq->name[0] &&
		    !reg_name_is_valid(rq->name, strlen(rq->name))) {
			reg_err_set(err, REG_E_NAME_INVALID,
				    "invalid repository name");
			return NULL;
		}
		return &routes[i];
	}
	rq->name[0] = rq->ref[0] = '\0';
	if (path_match != NULL)
		reg_err_set(err, REG_E_METHOD_NOT_ALLOWED,
			    "%s is not allowed here", rq->method_name);
	else
		reg_err_set(err, REG_E_ROUTE_UNKNOWN, "no such endpoint");
	return NULL;
}

/* ---- authentication and authorization ---- */

static const char *
param_of(void *ctx, const char *name)
{
	return reg_req_param(ctx, name);
}

int
reg_req_check_transport(struct reg_req *rq, struct reg_err *err)
{
	return reg_auth_check_transport(rq->auth, &rq->id, param_of, rq, err);
}

bool
reg_req_allowed(struct reg_req *rq, const char *name, unsigned want)
{
	return reg_auth_allows(rq->auth, &rq->id, name, want);
}

static unsigned
action_bits(enum reg_action action)
{
	switch (action) {
	case REG_ACTION_PULL:
		return REG_AUTH_PULL;
	case REG_ACTION_PUSH:
		return REG_AUTH_PULL | REG_AUTH_PUSH;
	case REG_ACTION_DELETE:
		return REG_AUTH_DELETE;
	default:
		return 0;
	}
}

/* The token scope this request needs, as the challenge names it. */
static int
request_scope(struct reg_req *rq, enum reg_action action, struct reg_buf *b)
{
	static const char *const names[] = { [REG_ACTION_PULL] = "pull",
					     [REG_ACTION_PUSH] = "pull,push",
					     [REG_ACTION_DELETE] = "delete" };
	char from[REG_NAME_MAX + 1];
	long n;

	if (action == REG_ACTION_CATALOG)
		return reg_buf_adds(b, "registry:catalog:*");
	if (action != REG_ACTION_PULL && action != REG_ACTION_PUSH &&
	    action != REG_ACTION_DELETE)
		return 0; /* /v2/ and the token server name no scope */
	if (reg_buf_addf(b, "repository:%s:%s", rq->name, names[action]) == -1)
		return -1;
	/* A mount also needs pull on the repository it mounts from. */
	n = reg_query_get(rq->query, "from", from, sizeof(from));
	if (rq->method == REG_POST && n > 0 &&
	    reg_name_is_valid(from, (size_t)n) &&
	    reg_buf_addf(b, " repository:%s:pull", from) == -1)
		return -1;
	return 0;
}

/*
 * Add the WWW-Authenticate challenge for a 401; false if the configured
 * methods have none (clientcert, webserver: the answer is then 403).
 */
static bool
add_challenge(struct reg_req *rq, enum reg_action action, const char *error)
{
	struct reg_buf scope, value;
	const char *host = reg_req_param(rq, "HTTP_HOST");
	bool added = false;

	reg_buf_init(&scope, 2048);
	reg_buf_init(&value, 4096);
	if (request_scope(rq, action, &scope) == 0 &&
	    reg_auth_challenge(rq->auth, scope.len ? scope.data : NULL, error,
			       host, reg_auth_is_tls(param_of, rq),
			       &value) == 0)
		added = reg_req_header(rq, "WWW-Authenticate", "%s",
				       value.data) == 0;
	reg_buf_release(&value);
	reg_buf_release(&scope);
	return added;
}

/*
 * Deny with the right answer: a caller who has not authenticated gets 401
 * and a challenge; a token without the scope gets 401 insufficient_scope
 * (the client then asks for a better token); anyone else 403 DENIED.
 */
static int
deny(struct reg_req *rq, enum reg_action action, struct reg_err *err)
{
	reg_req_audit(rq, "denied", NULL, rq->method_name);
	if (rq->id.token != NULL) {
		add_challenge(rq, action, "insufficient_scope");
		return reg_err_set(err, REG_E_UNAUTHORIZED,
				   "the token does not grant this access");
	}
	if (!rq->id.authenticated && reg_auth_required(rq->auth) &&
	    add_challenge(rq, action, NULL))
		return reg_err_set(err, REG_E_UNAUTHORIZED,
				   "authentication required");
	return reg_err_set(err, REG_E_DENIED, "access to \"%s\" denied",
			   rq->name[0] ? rq->name : "the registry");
}

static int
authorize(struct reg_req *rq, const struct reg_route *r, struct reg_err *err)
{
	if (reg_auth_identify(rq->auth, param_of, rq, &rq->id, err) == -1) {
		reg_req_audit(rq,
			      err->code == REG_E_DENIED ? "denied"
							: "login_failure",
			      NULL, err->detail);
		if (err->code == REG_E_UNAUTHORIZED)
			add_challenge(rq, r->action, "invalid_token");
		return -1;
	}
	switch (r->action) {
	case REG_ACTION_TOKEN:
		return 0;
	case REG_ACTION_NONE:
		if (reg_auth_required(rq->auth) && !rq->id.authenticated &&
		    rq->id.token == NULL)
			return deny(rq, r->action, err);
		return 0;
	case REG_ACTION_CATALOG:
		return reg_auth_allows_catalog(rq->auth, &rq->id)
			       ? 0
			       : deny(rq, r->action, err);
	default:
		return reg_auth_allows(rq->auth, &rq->id, rq->name,
				       action_bits(r->action))
			       ? 0
			       : deny(rq, r->action, err);
	}
}

/* Read-only mode and disabled deletes, once the caller is known. */
static int
check_policy(struct reg_req *rq, const struct reg_route *r, struct reg_err *err)
{
	if (r->action == REG_ACTION_TOKEN)
		return 0;
	if (is_write(rq->method) && rq->cfg->registry.readonly)
		return reg_err_set(err, REG_E_READONLY, "read-only mode");
	if (r->action == REG_ACTION_DELETE && !rq->cfg->registry.delete_enabled)
		return reg_err_set(err, REG_E_DELETE_DISABLED,
				   "deletes are disabled");
	return 0;
}

/* ---- the main loop ---- */

struct program {
	struct reg_cfg cfg;
	bool cfg_ok;
	struct reg_err cfg_err;
	struct reg_store *store;
	struct reg_auth *auth;
	const struct reg_route *routes;
	size_t nroutes;
	bool token_server;
};

static double
elapsed_ms(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) * 1e3 +
	       (double)(t1.tv_nsec - t0->tv_nsec) / 1e6;
}

static void
new_request_id(char out[33])
{
	unsigned char raw[16];
	static const char hex[] = "0123456789abcdef";
	size_t i;

	if (RAND_bytes(raw, sizeof(raw)) != 1)
		memset(raw, 0, sizeof(raw));
	for (i = 0; i < sizeof(raw); i++) {
		out[2 * i] = hex[raw[i] >> 4];
		out[2 * i + 1] = hex[raw[i] & 15];
	}
	out[32] = '\0';
}

/*
 * Read what is left of a small request body that was refused unread: a
 * web server that sees the response before the body was consumed may reset
 * the stream (lighttpd over HTTP/2), and the client then loses the answer.
 */
static void
drain_body(struct reg_req *rq)
{
	char buf[16384];
	struct reg_err ignored;

	if (!rq->has_length || rq->content_length - rq->bytes_in > 1 << 20)
		return;
	while (reg_req_read(rq, buf, sizeof(buf), &ignored) > 0)
		;
}

static void
serve_one(struct program *pg, struct io *io)
{
	struct reg_req rq;
	struct reg_err err;
	const struct reg_route *r;
	struct timespec t0;
	struct reg_log_request line;
	char id[33], client[REG_NETADDR_STRLEN];
	int rc = -1;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	memset(&rq, 0, sizeof(rq));
	rq.io = io;
	rq.cfg = &pg->cfg;
	rq.store = pg->store;
	rq.auth = pg->auth;
	rq.method_name = "?";
	rq.query = "";
	rq.content_type = "";
	reg_buf_init(&rq.headers, HEADERS_MAX);
	reg_err_clear(&err);
	new_request_id(id);
	reg_log_set_request_id(id);
	reg_req_header(&rq, "X-Request-Id", "%s", id);
	reg_req_header(&rq, "Docker-Distribution-API-Version", "registry/2.0");

	if (read_headers(&rq, &err) == -1)
		goto done;
	if (!pg->cfg_ok) {
		reg_log_err("not serving: %s", pg->cfg_err.detail);
		reg_err_set(&err, REG_E_UNAVAILABLE,
			    "the registry is misconfigured");
		goto done;
	}
	if ((r = route(&rq, pg->routes, pg->nroutes, &err)) == NULL)
		goto done;
	if (authorize(&rq, r, &err) == -1 || check_policy(&rq, r, &err) == -1)
		goto done;
	rc = r->fn(&rq, &err);
	if (rc == 0 && !rq.started)
		rc = reg_err_set(&err, REG_E_INTERNAL, "handler sent nothing");
done:
	if (rc == -1)
		send_error(&rq, &err);
	drain_body(&rq);
	memset(&line, 0, sizeof(line));
	line.method = rq.method_name;
	line.path = rq.path;
	line.status = rq.status;
	line.bytes_in = rq.bytes_in;
	line.bytes_out = rq.bytes_out;
	line.duration_ms = elapsed_ms(&t0);
	line.repository = rq.name;
	line.digest = rq.digest_logged;
	line.remote_addr = reg_req_param(&rq, "REMOTE_ADDR");
	/* The client, when a trusted proxy named it in X-Forwarded-For. */
	if (rq.id.has_peer && rq.id.via_proxy &&
	    reg_netaddr_format(&rq.id.peer, client, sizeof(client)) == 0)
		line.remote_addr = client;
	line.user = rq.id.user;
	line.error_code = rc == -1 ? reg_err_wire_code(err.code) : NULL;
	reg_log_request(&line);
	reg_log_set_request_id("");
	reg_identity_release(&rq.id);
	reg_buf_release(&rq.headers);
}

/* fds 0-2 must be open, or a later open() could become "stdout". */
static void
ensure_std_fds(void)
{
	int fd;

	for (fd = 0; fd < 3; fd++) {
		if (fcntl(fd, F_GETFD) == -1 && errno == EBADF) {
			int n = open("/dev/null", O_RDWR);

			if (n != -1 && n != fd)
				close(n);
		}
	}
}

static const char *
parse_args(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ NULL, 0, NULL, 0 },
	};
	const char *config = NULL;
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "c:", opts, NULL)) != -1) {
		if (c == 'c')
			config = optarg;
	}
	return config;
}

static void
load(struct program *pg, const char *config)
{
	const char *path = reg_cfg_default_path(config);

	reg_err_clear(&pg->cfg_err);
	if (reg_cfg_load(&pg->cfg, path, &pg->cfg_err) == -1) {
		reg_log_err("configuration: %s", pg->cfg_err.detail);
		return;
	}
	if (reg_log_setup(&pg->cfg.log) == -1)
		reg_log_warn("cannot open log file \"%s\": %s",
			     pg->cfg.log.file, strerror(errno));
	/* Under CGI every request is a process: warn once per FastCGI worker.
	 */
	if (geteuid() == 0 && !FCGX_IsCGI())
		reg_log_warn("serving as root: run the programs as an "
			     "unprivileged user");
	if (pg->token_server)
		pg->cfg.auth.methods = pg->cfg.issuer.methods;
	if (pg->cfg.http.insecure)
		reg_log_warn("[http] insecure = true: credentials are accepted "
			     "over plain HTTP from anywhere");
	if (reg_auth_open(&pg->auth, &pg->cfg, &pg->cfg_err) == -1) {
		reg_log_err("authentication: %s", pg->cfg_err.detail);
		return;
	}
	pg->store = reg_store_open(&pg->cfg, &pg->cfg_err);
	if (pg->store == NULL) {
		reg_log_err("storage: %s%s%s", pg->cfg_err.detail,
			    pg->cfg_err.sys_errno ? ": " : "",
			    pg->cfg_err.sys_errno
				    ? strerror(pg->cfg_err.sys_errno)
				    : "");
		return;
	}
	pg->cfg_ok = true;
}

static int
run(int argc, char **argv, const struct reg_route *routes, size_t nroutes,
    bool token_server)
{
	struct program pg;
	struct io io = { NULL };
	FCGX_Request req;

	ensure_std_fds();
	umask(027);
	signal(SIGPIPE, SIG_IGN);
	memset(&pg, 0, sizeof(pg));
	pg.routes = routes;
	pg.nroutes = nroutes;
	pg.token_server = token_server;
	reg_cfg_init(&pg.cfg);
	load(&pg, parse_args(argc, argv));

	if (FCGX_IsCGI()) {
		serve_one(&pg, &io);
	} else {
		if (FCGX_Init() != 0 || FCGX_InitRequest(&req, 0, 0) != 0) {
			reg_log_err("cannot initialize FastCGI");
			return 1;
		}
		io.fcgi = &req;
		while (FCGX_Accept_r(&req) >= 0) {
			serve_one(&pg, &io);
			FCGX_Finish_r(&req);
		}
	}
	reg_store_close(pg.store);
	reg_auth_free(pg.auth);
	reg_cfg_release(&pg.cfg);
	reg_log_reset();
	return 0;
}

int
reg_main(int argc, char **argv, const struct reg_route *routes, size_t nroutes)
{
	return run(argc, argv, routes, nroutes, false);
}

int
reg_main_token_server(int argc, char **argv, const struct reg_route *routes,
		      size_t nroutes)
{
	return run(argc, argv, routes, nroutes, true);
}
