/* berthctl.c: the administration tool */
/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <json-c/json.h>
#include <strings.h>

#include "access.h"
#include "cfg.h"
#include "digest.h"
#include "htpasswd.h"
#include "jwt.h"
#include "netaddr.h"
#include "parse.h"
#include "repo.h"
#include "store.h"
#include "tokenauth.h"

#include "banned.h"

#define KEY_MAX 1024
#define PAGE 512

static int
usage(void)
{
	fprintf(stderr,
		"usage: berthctl check-config [--config FILE] [--json] "
		"[--strict]\n"
		"       berthctl keygen --alg EdDSA|ES256|RS256 --out DIR\n"
		"       berthctl token-doctor [--config FILE] TOKEN | "
		"--challenge HEADER\n"
		"       berthctl purge-uploads [--config FILE] "
		"[--older-than SECONDS]\n"
		"       berthctl fsck [--config FILE]\n"
		"       berthctl keys\n");
	return 2;
}

/* Options common to the commands: --config FILE and --older-than N. */
struct opts {
	const char *config;
	uint64_t older_than;
	bool has_older_than;
};

static int
parse_opts(int argc, char **argv, struct opts *o)
{
	int i;

	memset(o, 0, sizeof(*o));
	for (i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--config") == 0 && i + 1 < argc) {
			o->config = argv[++i];
		} else if (strcmp(argv[i], "--older-than") == 0 &&
			   i + 1 < argc) {
			if (reg_parse_u64(argv[++i], 0, UINT32_MAX,
					  &o->older_than) == -1) {
				fprintf(stderr, "berthctl: bad --older-than\n");
				return -1;
			}
			o->has_older_than = true;
		} else {
			return -1;
		}
	}
	return 0;
}

static int
load_config(const struct opts *o, struct reg_cfg *cfg)
{
	struct reg_err err;
	const char *path = reg_cfg_default_path(o->config);

	if (reg_cfg_load(cfg, path, &err) == -1) {
		fprintf(stderr, "berthctl: %s\n", err.detail);
		return -1;
	}
	return 0;
}

static struct reg_store *
open_store(const struct reg_cfg *cfg)
{
	struct reg_err err;
	struct reg_store *s = reg_store_open(cfg, &err);

	if (s == NULL)
		fprintf(stderr, "berthctl: storage: %s%s%s\n", err.detail,
			err.sys_errno ? ": " : "",
			err.sys_errno ? strerror(err.sys_errno) : "");
	return s;
}

/* ---- check-config ---- */

struct report {
	struct reg_buf errors; /* one message per line */
	struct reg_buf warnings;
	unsigned nerrors;
	unsigned nwarnings;
};

static void report_add(struct reg_buf *b, unsigned *n, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void
report_add(struct reg_buf *b, unsigned *n, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	reg_buf_vaddf(b, fmt, ap);
	va_end(ap);
	reg_buf_add(b, "\n", 1);
	(*n)++;
}

#define ERROR(r, ...) report_add(&(r)->errors, &(r)->nerrors, __VA_ARGS__)
#define WARN(r, ...) report_add(&(r)->warnings, &(r)->nwarnings, __VA_ARGS__)

/* Secrets and policy files must not be readable by group or others. */
static void
check_private_file(struct report *r, const char *what, const char *path)
{
	struct stat st;

	if (path == NULL)
		return;
	if (stat(path, &st) == -1) {
		ERROR(r, "%s \"%s\": %s", what, path, strerror(errno));
		return;
	}
	if (st.st_mode & (S_IRWXG | S_IRWXO))
		WARN(r,
		     "%s \"%s\" is accessible by group or others (mode %04o):"
		     " chmod 600",
		     what, path, (unsigned)(st.st_mode & 07777));
}

static int
note_weak(const char *user, const char *scheme, bool strong, void *ctx)
{
	struct report *r = ctx;

	if (!strong)
		WARN(r,
		     "htpasswd user \"%s\" has a weak or unknown hash "
		     "scheme (%s) and can never log in: use htpasswd -B",
		     user, scheme);
	return 0;
}

static void
check_htpasswd(struct report *r, const struct reg_cfg *cfg)
{
	struct reg_htpasswd *h;
	struct reg_err err;

	if (cfg->htpasswd.path == NULL) {
		if ((cfg->auth.methods | cfg->issuer.methods) &
		    REG_AUTH_HTPASSWD & cfg->auth.methods)
			ERROR(r,
			      "[auth] method htpasswd needs [htpasswd] path");
		return;
	}
	check_private_file(r, "htpasswd file", cfg->htpasswd.path);
	h = reg_htpasswd_new(cfg->htpasswd.path);
	if (reg_htpasswd_each(h, note_weak, r, &err) == -1)
		ERROR(r, "htpasswd file: %s", err.detail);
	reg_htpasswd_free(h);
}

static void
check_secret_size(struct report *r, const char *what, const char *path)
{
	struct stat st;

	if (path == NULL)
		return;
	check_private_file(r, what, path);
	if (stat(path, &st) == 0 && st.st_size < REG_JWT_HMAC_MIN)
		WARN(r,
		     "%s \"%s\" holds under %d bytes: HS256 needs a "
		     "longer secret",
		     what, path, REG_JWT_HMAC_MIN);
}

static void
check_token(struct report *r, const struct reg_cfg *cfg)
{
	struct reg_jwt_keyset *ks;
	struct reg_err err;

	check_secret_size(r, "[token] hmac_secret_file",
			  cfg->token.hmac_secret_file);
	check_secret_size(r, "[issuer] hmac_secret_file",
			  cfg->issuer.hmac_secret_file);
	check_private_file(r, "[issuer] key", cfg->issuer.key);
	if (cfg->issuer.expiration > 3600)
		WARN(r,
		     "[issuer] expiration is %llu s: tokens should live "
		     "an hour at most",
		     (unsigned long long)cfg->issuer.expiration);
	if (!(cfg->auth.methods & REG_AUTH_TOKEN))
		return;
	if (cfg->token.issuer == NULL || cfg->token.service == NULL)
		ERROR(r,
		      "[auth] method token needs [token] issuer and service");
	if (cfg->token.realm == NULL && !cfg->token.autoredirect)
		ERROR(r, "[auth] method token needs [token] realm or "
			 "autoredirect");
	if (cfg->token.keys == NULL && cfg->token.hmac_secret_file == NULL)
		ERROR(r, "[auth] method token needs [token] keys");
	ks = reg_jwt_keyset_new();
	if (cfg->token.keys != NULL &&
	    reg_jwt_keyset_load_file(ks, cfg->token.keys, &err) == -1)
		ERROR(r, "[token] keys: %s", err.detail);
	if (cfg->token.ca != NULL &&
	    reg_jwt_keyset_load_ca_file(ks, cfg->token.ca, &err) == -1)
		ERROR(r, "[token] ca: %s", err.detail);
	reg_jwt_keyset_free(ks);
}

static void
check_access(struct report *r, const struct reg_cfg *cfg)
{
	struct reg_access *a = NULL;
	struct reg_err err;
	bool open_registry = cfg->auth.methods == REG_AUTH_NONE;

	if (cfg->access.rules == NULL) {
		if (open_registry)
			WARN(r,
			     "no authentication and no access rules: anyone "
			     "who reaches the registry can push%s",
			     cfg->registry.delete_enabled ? " and delete" : "");
		else if (cfg->registry.delete_enabled)
			WARN(r, "delete is on and no access rule limits it: "
				"every user can delete");
		return;
	}
	check_private_file(r, "[access] rules", cfg->access.rules);
	if (reg_access_load(&a, cfg->access.rules, cfg->access.groups, &err) ==
	    -1) {
		ERROR(r, "%s", err.detail);
		return;
	}
	if (reg_access_grants_anonymous(a, REG_ACCESS_PUSH | REG_ACCESS_DELETE))
		WARN(r, "the access rules grant push or delete to anonymous");
	if (cfg->registry.delete_enabled && !reg_access_limits_delete(a))
		WARN(r, "delete is on and no access rule limits it");
	reg_access_free(a);
}

static void
check_network(struct report *r, const struct reg_cfg *cfg)
{
	struct reg_cidr_list list;
	struct reg_err err;
	struct stat st;

	if (cfg->http.insecure)
		WARN(r, "[http] insecure = true: credentials travel over "
			"plain HTTP");
	reg_cidr_list_init(&list);
	if (cfg->access.allow != NULL &&
	    reg_cidr_list_parse(&list, cfg->access.allow, &err) == 0 &&
	    reg_cidr_list_is_everything(&list))
		WARN(r, "[access] allow admits every address");
	reg_cidr_list_release(&list);
	if (cfg->storage.path != NULL && stat(cfg->storage.path, &st) == 0 &&
	    (st.st_mode & S_IWOTH))
		WARN(r, "storage root \"%s\" is writable by others",
		     cfg->storage.path);
}

/* The host of an http(s) URL is a loopback address. */
static bool
url_is_loopback(const char *url)
{
	const char *h = strstr(url, "://");

	if (h == NULL)
		return false;
	h += 3;
	return strncmp(h, "127.", 4) == 0 || strncmp(h, "[::1]", 5) == 0 ||
	       strncmp(h, "localhost", 9) == 0;
}

static void
check_s3(struct report *r, const struct reg_cfg *cfg, const char *path)
{
	const char *ep = cfg->s3.endpoint;
	struct stat st;

	if (cfg->storage.driver != REG_STORAGE_S3)
		return;
	if (ep != NULL && strncmp(ep, "http://", 7) == 0 &&
	    !url_is_loopback(ep))
		WARN(r,
		     "[s3] endpoint \"%s\" is plain HTTP: blobs%s travel "
		     "unencrypted; use https",
		     ep, cfg->s3.redirect ? " (and clients' redirects)" : "");
	if (!cfg->s3.tls_verify)
		WARN(r, "[s3] tls_verify = false: anyone on the path can pose "
			"as the store");
	if (cfg->s3.secret_key != NULL && stat(path, &st) == 0 &&
	    (st.st_mode & (S_IRWXG | S_IRWXO)))
		WARN(r,
		     "[s3] secret_key is in \"%s\", which group or others can "
		     "read (mode %04o): use secret_key_file (chmod 600)",
		     path, (unsigned)(st.st_mode & 07777));
	check_private_file(r, "[s3] secret_key_file", cfg->s3.secret_key_file);
}

static void
print_json_list(const char *name, const struct reg_buf *b, bool last)
{
	const char *p = b->data;
	bool first = true;

	printf("\"%s\":[", name);
	while (*p) {
		const char *nl = strchr(p, '\n');
		struct reg_buf item;

		reg_buf_init(&item, 8192);
		reg_buf_add(&item, p, (size_t)(nl - p));
		{
			struct reg_buf q;

			reg_buf_init(&q, 20000);
			reg_buf_add_json_string(&q, item.data);
			printf("%s%s", first ? "" : ",", q.data);
			reg_buf_release(&q);
		}
		reg_buf_release(&item);
		first = false;
		p = nl + 1;
	}
	printf("]%s", last ? "" : ",");
}

static int
check_config(int argc, char **argv)
{
	const char *path = NULL;
	struct reg_cfg cfg;
	struct reg_err err;
	struct report r;
	bool json = false, strict = false;
	int i, rc;

	for (i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--config") == 0 && i + 1 < argc)
			path = argv[++i];
		else if (strcmp(argv[i], "--json") == 0)
			json = true;
		else if (strcmp(argv[i], "--strict") == 0)
			strict = true;
		else
			return usage();
	}
	path = reg_cfg_default_path(path);
	memset(&r, 0, sizeof(r));
	reg_buf_init(&r.errors, 1 << 20);
	reg_buf_init(&r.warnings, 1 << 20);
	if (reg_cfg_load(&cfg, path, &err) == -1) {
		ERROR(&r, "%s", err.detail);
	} else {
		check_network(&r, &cfg);
		check_s3(&r, &cfg, path);
		check_htpasswd(&r, &cfg);
		check_token(&r, &cfg);
		check_access(&r, &cfg);
		reg_cfg_release(&cfg);
	}
	if (json) {
		printf("{\"config\":");
		{
			struct reg_buf q;

			reg_buf_init(&q, 8192);
			reg_buf_add_json_string(&q, path);
			printf("%s,", q.data);
			reg_buf_release(&q);
		}
		print_json_list("errors", &r.errors, false);
		print_json_list("warnings", &r.warnings, true);
		printf("}\n");
	} else {
		const char *p;

		for (p = r.errors.data; *p;) {
			const char *nl = strchr(p, '\n');

			printf("error: %.*s\n", (int)(nl - p), p);
			p = nl + 1;
		}
		for (p = r.warnings.data; *p;) {
			const char *nl = strchr(p, '\n');

			printf("warning: %.*s\n", (int)(nl - p), p);
			p = nl + 1;
		}
		if (r.nerrors == 0)
			printf("%s: ok (%u warnings)\n", path, r.nwarnings);
	}
	rc = r.nerrors ? 1 : (strict && r.nwarnings ? 1 : 0);
	reg_buf_release(&r.errors);
	reg_buf_release(&r.warnings);
	return rc;
}

/* ---- token-doctor ---- */

static void print_escaped_q(const char *label, const char *s, bool quoted);

/* Print text with control characters escaped. */
static void
print_escaped(const char *label, const char *s)
{
	print_escaped_q(label, s, false);
}

static void
print_escaped_q(const char *label, const char *s, bool quoted)
{
	printf("%s%s", label, quoted ? "\"" : "");
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c < 0x20 || c == 0x7f)
			printf("\\x%02x", c);
		else
			putchar(c);
	}
	printf("%s\n", quoted ? "\"" : "");
}

/* The value of name="..." in a challenge, into out. */
static bool
challenge_param(const char *h, const char *name, char *out, size_t outsz)
{
	size_t n = strlen(name);
	const char *p = h;

	while ((p = strstr(p, name)) != NULL) {
		if ((p == h || p[-1] == ' ' || p[-1] == ',') && p[n] == '=' &&
		    p[n + 1] == '"') {
			const char *v = p + n + 2, *end = strchr(v, '"');
			size_t len;

			if (end == NULL)
				return false;
			len = (size_t)(end - v);
			if (len >= outsz)
				return false;
			memcpy(out, v, len);
			out[len] = '\0';
			return true;
		}
		p += n;
	}
	return false;
}

static int
doctor_challenge(const struct reg_cfg *cfg, const char *h)
{
	char realm[1024], service[512], scope[2048], error[64];
	int bad = 0;

	if (strncasecmp(h, "Bearer ", 7) != 0) {
		printf("not a Bearer challenge: the registry does not use "
		       "token "
		       "auth (Basic means htpasswd)\n");
		return 1;
	}
	if (challenge_param(h, "realm", realm, sizeof(realm))) {
		print_escaped("realm:   ", realm);
	} else {
		printf("realm:   missing: clients cannot know where to get "
		       "a token\n");
		bad = 1;
	}
	if (challenge_param(h, "service", service, sizeof(service))) {
		print_escaped("service: ", service);
		if (cfg->token.service &&
		    strcmp(service, cfg->token.service) != 0) {
			printf("  differs from [token] service \"%s\": tokens "
			       "will be issued for the wrong audience\n",
			       cfg->token.service);
			bad = 1;
		}
	} else {
		printf("service: missing\n");
	}
	if (challenge_param(h, "scope", scope, sizeof(scope)))
		print_escaped("scope:   ", scope);
	if (challenge_param(h, "error", error, sizeof(error)))
		printf("error:   %s%s\n", error,
		       strcmp(error, "insufficient_scope") == 0
			       ? " (the token lacks this scope: the rules or "
				 "the token request are too narrow)"
			       : "");
	printf("%s\n",
	       bad ? "challenge has problems" : "challenge looks right");
	return bad;
}

static void
explain_key(json_object *header)
{
	json_object *v;

	if (json_object_object_get_ex(header, "x5c", &v)) {
		printf("key:     x5c certificate chain (verified against "
		       "[token] ca, or its key must be in [token] keys)\n");
	} else if (json_object_object_get_ex(header, "jwk", &v)) {
		printf("key:     embedded jwk (accepted only when it equals a "
		       "key in [token] keys)\n");
	} else if (json_object_object_get_ex(header, "kid", &v) &&
		   json_object_is_type(v, json_type_string)) {
		const char *kid = json_object_get_string(v);
		size_t n = strlen(kid);

		print_escaped_q("key:     kid ", kid, true);
		printf("         %s\n",
		       n == REG_JWT_THUMBPRINT_LEN ? "an RFC 7638 thumbprint"
		       : n == REG_JWT_LIBTRUST_ID_LEN
			       ? "a libtrust key id (older issuers)"
			       : "a named key (JWKS kid or HMAC)");
	} else {
		printf("key:     no x5c, jwk or kid: no key can be found\n");
	}
}

static void
explain_times(json_object *claims, unsigned leeway)
{
	static const char *const names[] = { "exp", "nbf", "iat" };
	time_t now = time(NULL);
	json_object *v;
	size_t i;

	for (i = 0; i < 3; i++) {
		long long t, d;

		if (!json_object_object_get_ex(claims, names[i], &v) ||
		    !json_object_is_type(v, json_type_int)) {
			if (i == 0)
				printf("exp:     missing (required)\n");
			continue;
		}
		t = (long long)json_object_get_int64(v);
		d = t - (long long)now;
		printf("%s:     %lld (%lld s %s now; leeway %u s)\n", names[i],
		       t, d < 0 ? -d : d, d < 0 ? "before" : "after", leeway);
	}
}

static int
doctor_token(const struct reg_cfg *cfg, const char *token)
{
	struct reg_buf hb, cb;
	struct reg_jwt_keyset *ks;
	struct reg_jwt_opts opts;
	struct reg_jwt jwt;
	struct reg_err err;
	json_object *header = NULL, *claims = NULL;
	size_t i;
	int rc = 1;

	reg_buf_init(&hb, 64 * 1024);
	reg_buf_init(&cb, 64 * 1024);
	if (reg_jwt_decode(token, strlen(token), 0, &hb, &cb, &err) == -1) {
		printf("malformed token: %s\n", err.detail);
		goto out;
	}
	print_escaped("header:  ", hb.data);
	print_escaped("claims:  ", cb.data);
	header = json_tokener_parse(hb.data);
	claims = json_tokener_parse(cb.data);
	if (header != NULL)
		explain_key(header);
	if (claims != NULL)
		explain_times(claims, (unsigned)cfg->token.leeway);
	printf("expects: iss \"%s\", aud \"%s\"\n",
	       cfg->token.issuer ? cfg->token.issuer : "(unset)",
	       cfg->token.service ? cfg->token.service : "(unset)");
	ks = reg_jwt_keyset_new();
	if ((cfg->token.keys &&
	     reg_jwt_keyset_load_file(ks, cfg->token.keys, &err) == -1) ||
	    (cfg->token.ca &&
	     reg_jwt_keyset_load_ca_file(ks, cfg->token.ca, &err) == -1) ||
	    (cfg->token.hmac_secret_file &&
	     reg_jwt_keyset_load_hmac_file(ks, REG_TOKEN_HMAC_KID,
					   cfg->token.hmac_secret_file,
					   &err) == -1)) {
		printf("cannot load the configured keys: %s\n", err.detail);
		reg_jwt_keyset_free(ks);
		goto out;
	}
	for (i = 0; i < reg_jwt_keyset_count(ks); i++) {
		struct reg_jwt_key_info info;

		reg_jwt_keyset_key_info(ks, i, &info);
		printf("trusted: %s key, thumbprint %s, libtrust id %s%s%s\n",
		       reg_jwt_alg_name(info.alg), info.thumbprint,
		       info.libtrust_id, info.kid ? ", kid " : "",
		       info.kid ? info.kid : "");
	}
	memset(&opts, 0, sizeof(opts));
	opts.algs = cfg->token.algorithms;
	opts.issuer = cfg->token.issuer ? cfg->token.issuer : "";
	opts.audience = cfg->token.service ? cfg->token.service : "";
	opts.now = time(NULL);
	opts.leeway = (unsigned)cfg->token.leeway;
	reg_jwt_init(&jwt);
	if (reg_jwt_verify(ks, token, strlen(token), &opts, &jwt, &err) == -1) {
		printf("REJECTED: %s\n", err.detail);
	} else {
		print_escaped_q("ACCEPTED for ", jwt.sub ? jwt.sub : "", true);
		for (i = 0; i < jwt.naccess; i++) {
			struct reg_buf g;
			size_t j;

			/* Everything in a token is the issuer's text. */
			reg_buf_init(&g, 8192);
			reg_buf_addf(&g, "%s:%s:", jwt.access[i].type,
				     jwt.access[i].name);
			for (j = 0; j < jwt.access[i].nactions; j++)
				reg_buf_addf(&g, "%s%s", j ? "," : "",
					     jwt.access[i].actions[j]);
			if (jwt.access[i].nactions == 0)
				reg_buf_adds(&g, "(nothing)");
			print_escaped("  grants ", g.data);
			reg_buf_release(&g);
		}
		if (jwt.naccess == 0)
			printf("  grants nothing: no access claim\n");
		rc = 0;
	}
	reg_jwt_release(&jwt);
	reg_jwt_keyset_free(ks);
out:
	if (header)
		json_object_put(header);
	if (claims)
		json_object_put(claims);
	reg_buf_release(&hb);
	reg_buf_release(&cb);
	return rc;
}

static int
token_doctor(int argc, char **argv)
{
	const char *path = NULL, *challenge = NULL, *token = NULL;
	struct reg_cfg cfg;
	struct reg_err err;
	int i, rc;

	for (i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--config") == 0 && i + 1 < argc)
			path = argv[++i];
		else if (strcmp(argv[i], "--challenge") == 0 && i + 1 < argc)
			challenge = argv[++i];
		else if (token == NULL && argv[i][0] != '-')
			token = argv[i];
		else
			return usage();
	}
	if ((challenge == NULL) == (token == NULL))
		return usage();
	if (reg_cfg_load(&cfg, reg_cfg_default_path(path), &err) == -1) {
		fprintf(stderr, "berthctl: %s\n", err.detail);
		return 1;
	}
	rc = challenge ? doctor_challenge(&cfg, challenge)
		       : doctor_token(&cfg, token);
	reg_cfg_release(&cfg);
	return rc;
}

/* ---- keygen ---- */

static int
keygen(int argc, char **argv)
{
	const char *alg_name = "EdDSA", *dir = NULL;
	char *abs;
	enum reg_jwt_alg alg;
	struct reg_err err;
	int i;

	for (i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--alg") == 0 && i + 1 < argc)
			alg_name = argv[++i];
		else if (strcmp(argv[i], "--out") == 0 && i + 1 < argc)
			dir = argv[++i];
		else
			return usage();
	}
	if (dir == NULL || reg_jwt_alg_parse(alg_name, &alg) == -1 ||
	    alg == REG_JWT_HS256)
		return usage();
	if (reg_jwt_keygen(alg, dir, &err) == -1) {
		fprintf(stderr, "berthctl: keygen: %s\n", err.detail);
		return 1;
	}
	/* The config wants absolute paths. */
	if ((abs = realpath(dir, NULL)) == NULL) {
		fprintf(stderr, "berthctl: keygen: %s: %s\n", dir,
			strerror(errno));
		return 1;
	}
	dir = abs;
	printf("# berth-token (the issuer):\n[issuer]\nalgorithm = %s\n"
	       "key = %s/key.pem\ncertificate = %s/cert.pem\n\n"
	       "# the registry programs:\n[token]\nalgorithms = %s\n"
	       "keys = %s/cert.pem\n",
	       alg_name, dir, dir, alg_name, dir);
	free(abs);
	return 0;
}

/*
 * Walking the tree through the driver, a page of children at a time, so
 * that memory stays bounded whatever the size of the registry.
 */
typedef int (*visit_fn)(struct reg_store *s, const char *key, void *ctx);

struct page {
	char names[PAGE][256];
	size_t n;
};

static int
collect(void *ctx, const char *name)
{
	struct page *p = ctx;
	int n;

	if (p->n == PAGE)
		return 1;
	n = snprintf(p->names[p->n], sizeof(p->names[0]), "%s", name);
	if (n > 0 && (size_t)n < sizeof(p->names[0]))
		p->n++;
	return 0;
}

/* Call fn for every child key of prefix. */
static int
each_child(struct reg_store *s, const char *prefix, visit_fn fn, void *ctx)
{
	struct page *p = reg_xcalloc(1, sizeof(*p));
	char last[256] = "", key[KEY_MAX];
	struct reg_err err;
	size_t i;
	int rc = 0;

	do {
		p->n = 0;
		if (s->drv->list(s, prefix, last, PAGE, collect, p, &err) ==
		    -1) {
			rc = err.sys_errno == ENOENT ? 0 : -1;
			break;
		}
		for (i = 0; i < p->n && rc == 0; i++) {
			int n = snprintf(key, sizeof(key), "%s/%s", prefix,
					 p->names[i]);

			if (n > 0 && (size_t)n < sizeof(key))
				rc = fn(s, key, ctx);
		}
		if (p->n > 0)
			memcpy(last, p->names[p->n - 1], sizeof(last));
	} while (p->n == PAGE && rc == 0);
	free(p);
	return rc;
}

struct purge {
	time_t now;
	uint64_t max_age;
	unsigned removed;
	unsigned kept;
};

static const char *
base_name(const char *key)
{
	const char *slash = strrchr(key, '/');

	return slash ? slash + 1 : key;
}

static int
purge_upload(struct reg_store *s, const char *dir, void *ctx)
{
	struct purge *pg = ctx;
	char key[KEY_MAX];
	struct reg_buf b;
	struct reg_err err;
	uint64_t started = 0;
	int n = snprintf(key, sizeof(key), "%s/startedat", dir);

	if (n < 0 || (size_t)n >= sizeof(key))
		return 0;
	reg_buf_init(&b, 64);
	if (s->drv->get(s, key, &b, &err) == 0) {
		if (b.len && b.data[b.len - 1] == '\n')
			b.data[--b.len] = '\0';
		if (reg_parse_u64(b.data, 0, UINT64_MAX, &started) == -1)
			started = 0;
	}
	reg_buf_release(&b);
	/* No start time (a crash between two writes) counts as old. */
	if (started + pg->max_age > (uint64_t)pg->now) {
		pg->kept++;
		return 0;
	}
	if (s->drv->remove_tree(s, dir, &err) == -1) {
		fprintf(stderr, "berthctl: cannot remove %s: %s\n", dir,
			err.detail);
		return 0;
	}
	printf("removed %s\n", dir);
	pg->removed++;
	return 0;
}

static int
purge_walk(struct reg_store *s, const char *key, void *ctx)
{
	const char *name = base_name(key);

	if (strcmp(name, "_uploads") == 0)
		return each_child(s, key, purge_upload, ctx);
	if (name[0] == '_')
		return 0; /* _layers, _manifests, _referrers */
	return each_child(s, key, purge_walk, ctx);
}

static int
purge_uploads(int argc, char **argv)
{
	struct reg_cfg cfg;
	struct reg_store *s;
	struct reg_store_lock *l;
	struct reg_err err;
	struct purge pg;
	struct opts o;
	int rc = 1;

	if (parse_opts(argc, argv, &o) == -1)
		return usage();
	if (load_config(&o, &cfg) == -1)
		return 1;
	if ((s = open_store(&cfg)) == NULL)
		goto out_cfg;
	/* A cron job may start while the last run still goes: never overlap. */
	if ((l = s->drv->lock(s, "_tmp/purge-uploads.lock", &err)) == NULL) {
		fprintf(stderr, "berthctl: lock: %s\n", err.detail);
		goto out_store;
	}
	memset(&pg, 0, sizeof(pg));
	pg.now = time(NULL);
	pg.max_age =
		o.has_older_than ? o.older_than : cfg.registry.upload_max_age;
	if (each_child(s, "repositories", purge_walk, &pg) == 0) {
		printf("%u uploads removed, %u kept\n", pg.removed, pg.kept);
		rc = 0;
	}
	s->drv->unlock(l);
out_store:
	reg_store_close(s);
out_cfg:
	reg_cfg_release(&cfg);
	return rc;
}

struct fsck {
	unsigned ok;
	unsigned bad;
	enum reg_digest_alg alg;
};

static int
hash_into(void *ctx, const void *p, size_t n, struct reg_err *err)
{
	(void)err;
	reg_hash_update(ctx, p, n);
	return 0;
}

/* blobs/<alg>/<2 hex>/<hex>/data must hash to <hex>. */
static int
fsck_blob(struct reg_store *s, const char *dir, void *ctx)
{
	struct fsck *f = ctx;
	const char *hex = base_name(dir);
	struct reg_digest d;
	struct reg_hash *h;
	struct reg_err err;
	char key[KEY_MAX];
	uint64_t size;
	int n = snprintf(key, sizeof(key), "%s/data", dir);

	if (n < 0 || (size_t)n >= sizeof(key))
		return 0;
	if (s->drv->stat(s, key, &size, &err) == -1) {
		printf("bad: %s: %s\n", key, err.detail);
		f->bad++;
		return 0;
	}
	h = reg_hash_new(f->alg);
	if (size > 0 &&
	    s->drv->read(s, key, 0, size, hash_into, h, &err) == -1) {
		printf("bad: %s: %s\n", key, err.detail);
		f->bad++;
		reg_hash_free(h);
		return 0;
	}
	reg_hash_final(h, &d);
	reg_hash_free(h);
	if (strcmp(d.hex, hex) != 0) {
		printf("bad: %s hashes to %s\n", key, d.str);
		f->bad++;
	} else {
		f->ok++;
	}
	return 0;
}

static int
fsck_prefix(struct reg_store *s, const char *dir, void *ctx)
{
	return each_child(s, dir, fsck_blob, ctx);
}

static int
fsck(int argc, char **argv)
{
	struct reg_cfg cfg;
	struct reg_store *s;
	struct fsck f;
	struct opts o;
	int rc = 1;

	if (parse_opts(argc, argv, &o) == -1 || o.has_older_than)
		return usage();
	if (load_config(&o, &cfg) == -1)
		return 1;
	if ((s = open_store(&cfg)) == NULL)
		goto out;
	memset(&f, 0, sizeof(f));
	f.alg = REG_DIGEST_SHA256;
	if (each_child(s, "blobs/sha256", fsck_prefix, &f) == 0) {
		f.alg = REG_DIGEST_SHA512;
		if (each_child(s, "blobs/sha512", fsck_prefix, &f) == 0) {
			printf("%u blobs ok, %u bad\n", f.ok, f.bad);
			rc = f.bad ? 1 : 0;
		}
	}
	reg_store_close(s);
out:
	reg_cfg_release(&cfg);
	return rc;
}

static void
print_key(const char *section, const char *key, void *ctx)
{
	(void)ctx;
	printf("%s %s\n", section, key);
}

int
main(int argc, char **argv)
{
	if (argc < 2)
		return usage();
	if (strcmp(argv[1], "check-config") == 0)
		return check_config(argc - 2, argv + 2);
	if (strcmp(argv[1], "purge-uploads") == 0)
		return purge_uploads(argc - 2, argv + 2);
	if (strcmp(argv[1], "fsck") == 0)
		return fsck(argc - 2, argv + 2);
	if (strcmp(argv[1], "keygen") == 0)
		return keygen(argc - 2, argv + 2);
	if (strcmp(argv[1], "token-doctor") == 0)
		return token_doctor(argc - 2, argv + 2);
	if (strcmp(argv[1], "keys") == 0) {
		reg_cfg_each_key(print_key, NULL);
		return 0;
	}
	return usage();
}
