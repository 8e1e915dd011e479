/* berth-token.c: GET/POST /auth/token and GET /auth/jwks (token server) */
/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "auth.h"
#include "jwt.h"
#include "log.h"
#include "parse.h"
#include "req.h"
#include "tokenauth.h"

#include "banned.h"

#define MAX_SCOPES 16
#define SCOPE_MAX 512
#define FORM_MAX (64 * 1024)
#define TOKEN_OUT_MAX (64 * 1024)
#define REFRESH_LIFETIME (30 * 86400)

/*
 * The signer and the key set that checks our own refresh tokens are made
 * once per process, on the first request (the config is loaded by then).
 */
static struct {
	struct reg_jwt_signer *signer;
	struct reg_jwt_keyset *own;
	bool tried;
	struct reg_err err;
} keys;

static int
load_keys(const struct reg_cfg *cfg, struct reg_err *err)
{
	struct reg_buf jwks;
	enum reg_jwt_alg alg = (enum reg_jwt_alg)cfg->issuer.algorithm;
	int rc = -1;

	if (keys.tried) {
		if (keys.signer == NULL)
			*err = keys.err;
		return keys.signer ? 0 : -1;
	}
	keys.tried = true;
	keys.own = reg_jwt_keyset_new();
	if (alg == REG_JWT_HS256) {
		if (cfg->issuer.hmac_secret_file == NULL) {
			reg_err_set(&keys.err, REG_E_UNAVAILABLE,
				    "[issuer] algorithm HS256 needs "
				    "hmac_secret_file");
			goto out;
		}
		keys.signer = reg_jwt_signer_new_hmac_file(
			REG_TOKEN_HMAC_KID, cfg->issuer.hmac_secret_file,
			&keys.err);
		if (keys.signer != NULL &&
		    reg_jwt_keyset_load_hmac_file(keys.own, REG_TOKEN_HMAC_KID,
						  cfg->issuer.hmac_secret_file,
						  &keys.err) == -1)
			goto out;
	} else {
		if (cfg->issuer.key == NULL) {
			reg_err_set(&keys.err, REG_E_UNAVAILABLE,
				    "berth-token needs [issuer] key");
			goto out;
		}
		keys.signer = reg_jwt_signer_new_files(alg, cfg->issuer.key,
						       cfg->issuer.certificate,
						       &keys.err);
		reg_buf_init(&jwks, 64 * 1024);
		if (keys.signer != NULL &&
		    (reg_jwt_signer_jwks(keys.signer, &jwks, &keys.err) == -1 ||
		     reg_jwt_keyset_load_mem(keys.own, "own key", jwks.data,
					     jwks.len, &keys.err) == -1)) {
			reg_buf_release(&jwks);
			goto out;
		}
		reg_buf_release(&jwks);
	}
	if (keys.signer != NULL)
		rc = 0;
out:
	if (rc == -1) {
		reg_jwt_signer_free(keys.signer);
		keys.signer = NULL;
		reg_log_err("token signing key: %s", keys.err.detail);
		*err = keys.err;
		err->code = REG_E_UNAVAILABLE;
	}
	return rc;
}

/* One requested scope, "type:name:actions". */
struct scope {
	char type[32];
	char name[REG_NAME_MAX + 1];
	unsigned want; /* REG_AUTH_* bits, or 1 for registry:catalog:* */
	bool all;      /* "*" was asked for */
};

static unsigned
parse_actions(const char *p, bool *all)
{
	unsigned bits = 0;

	*all = false;
	while (*p) {
		size_t n = strcspn(p, ",");

		if (n == 4 && strncmp(p, "pull", 4) == 0)
			bits |= REG_AUTH_PULL;
		else if (n == 4 && strncmp(p, "push", 4) == 0)
			bits |= REG_AUTH_PUSH;
		else if (n == 6 && strncmp(p, "delete", 6) == 0)
			bits |= REG_AUTH_DELETE;
		else if (n == 1 && *p == '*') {
			bits |= REG_AUTH_PULL | REG_AUTH_PUSH | REG_AUTH_DELETE;
			*all = true;
		}
		p += n;
		if (*p == ',')
			p++;
	}
	return bits;
}

/* Parse one scope; unknown types and bad names are skipped (return -1). */
static int
parse_scope(const char *s, struct scope *sc)
{
	const char *c1 = strchr(s, ':'), *c2 = strrchr(s, ':');
	size_t tlen, nlen;

	memset(sc, 0, sizeof(*sc));
	if (c1 == NULL || c2 == c1)
		return -1;
	tlen = (size_t)(c1 - s);
	nlen = (size_t)(c2 - c1 - 1);
	if (tlen >= sizeof(sc->type) || nlen == 0 || nlen >= sizeof(sc->name))
		return -1;
	memcpy(sc->type, s, tlen);
	memcpy(sc->name, c1 + 1, nlen);
	sc->want = parse_actions(c2 + 1, &sc->all);
	if (strcmp(sc->type, "repository") == 0)
		return reg_name_is_valid(sc->name, nlen) ? 0 : -1;
	if (strcmp(sc->type, "registry") == 0 &&
	    strcmp(sc->name, "catalog") == 0 && sc->all)
		return 0;
	return -1;
}

/* Add the scopes in a space-separated list (OAuth2 "scope"). */
static void
add_scopes(const char *list, struct scope *out, size_t *n)
{
	char one[SCOPE_MAX];

	while (*list && *n < MAX_SCOPES) {
		size_t len;

		while (*list == ' ')
			list++;
		len = strcspn(list, " ");
		if (len > 0 && len < sizeof(one)) {
			memcpy(one, list, len);
			one[len] = '\0';
			if (parse_scope(one, &out[*n]) == 0)
				(*n)++;
		}
		list += len;
	}
}

static void
add_access_entry(struct reg_buf *b, const struct scope *sc, unsigned granted,
		 bool first)
{
	static const char *const names[] = { "pull", "push", "delete" };
	bool any = false;
	size_t i;

	reg_buf_adds(b, first ? "" : ",");
	reg_buf_addf(b, "{\"type\":\"%s\",\"name\":", sc->type);
	reg_buf_add_json_string(b, sc->name);
	reg_buf_adds(b, ",\"actions\":[");
	if (strcmp(sc->type, "registry") == 0) {
		if (granted)
			reg_buf_adds(b, "\"*\"");
	} else {
		for (i = 0; i < 3; i++) {
			if (!(granted & (1u << i)))
				continue;
			reg_buf_addf(b, "%s\"%s\"", any ? "," : "", names[i]);
			any = true;
		}
	}
	reg_buf_adds(b, "]}");
}

/* What the rules give the caller of each scope: never more than asked. */
static unsigned
grant(struct reg_req *rq, const struct scope *sc)
{
	if (strcmp(sc->type, "registry") == 0)
		return rq->id.authenticated ? 1u : 0u;
	return reg_auth_granted(rq->auth, &rq->id, sc->name) & sc->want;
}

static void
random_id(char *out, size_t n)
{
	unsigned char raw[16];
	static const char hex[] = "0123456789abcdef";
	size_t i;

	if (RAND_bytes(raw, sizeof(raw)) != 1)
		memset(raw, 0, sizeof(raw));
	for (i = 0; i < sizeof(raw) && 2 * i + 2 < n; i++) {
		out[2 * i] = hex[raw[i] >> 4];
		out[2 * i + 1] = hex[raw[i] & 15];
	}
	out[2 * i] = '\0';
}

static int
sign_claims(struct reg_req *rq, const char *aud, time_t now, time_t exp,
	    const struct scope *sc, size_t n, struct reg_buf *out,
	    struct reg_err *err)
{
	const struct reg_cfg *cfg = rq->cfg;
	struct reg_buf claims;
	char jti[33];
	size_t i;
	int rc;

	random_id(jti, sizeof(jti));
	reg_buf_init(&claims, TOKEN_OUT_MAX);
	reg_buf_adds(&claims, "{\"iss\":");
	reg_buf_add_json_string(&claims, cfg->issuer.issuer);
	reg_buf_adds(&claims, ",\"sub\":");
	reg_buf_add_json_string(&claims, rq->id.user);
	reg_buf_adds(&claims, ",\"aud\":");
	reg_buf_add_json_string(&claims, aud);
	reg_buf_addf(&claims,
		     ",\"exp\":%lld,\"nbf\":%lld,\"iat\":%lld,\"jti\":\"%s\"",
		     (long long)exp, (long long)now, (long long)now, jti);
	if (sc != NULL) {
		reg_buf_adds(&claims, ",\"access\":[");
		for (i = 0; i < n; i++)
			add_access_entry(&claims, &sc[i], grant(rq, &sc[i]),
					 i == 0);
		reg_buf_adds(&claims, "]");
	}
	rc = reg_buf_adds(&claims, "}");
	if (rc == 0)
		rc = reg_jwt_sign(keys.signer, claims.data, claims.len, out,
				  err);
	else
		reg_err_set(err, REG_E_INTERNAL, "claims too large");
	reg_buf_release(&claims);
	return rc;
}

/* The audience of refresh tokens: never accepted by a registry. */
static int
refresh_audience(const struct reg_cfg *cfg, char *buf, size_t sz)
{
	int n = snprintf(buf, sz, "berth-refresh:%s", cfg->issuer.service);

	return n < 0 || (size_t)n >= sz ? -1 : 0;
}

static int
respond(struct reg_req *rq, const struct scope *sc, size_t n, bool offline,
	struct reg_err *err)
{
	const struct reg_cfg *cfg = rq->cfg;
	struct reg_buf token, refresh, body;
	time_t now = time(NULL);
	char issued[32], aud[600];
	struct tm tm;
	int rc = -1;

	reg_buf_init(&token, TOKEN_OUT_MAX);
	reg_buf_init(&refresh, TOKEN_OUT_MAX);
	reg_buf_init(&body, 3 * TOKEN_OUT_MAX);
	gmtime_r(&now, &tm);
	if (strftime(issued, sizeof(issued), "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		issued[0] = '\0';
	if (sign_claims(rq, cfg->issuer.service, now,
			now + (time_t)cfg->issuer.expiration, sc, n, &token,
			err) == -1)
		goto out;
	offline = offline && cfg->issuer.offline_token && rq->id.authenticated;
	if (offline && (refresh_audience(cfg, aud, sizeof(aud)) == -1 ||
			sign_claims(rq, aud, now, now + REFRESH_LIFETIME, NULL,
				    0, &refresh, err) == -1))
		goto out;
	if (reg_buf_addf(&body,
			 "{\"token\":\"%s\",\"access_token\":\"%s\","
			 "\"expires_in\":%llu,\"issued_at\":\"%s\"",
			 token.data, token.data,
			 (unsigned long long)cfg->issuer.expiration,
			 issued) == -1 ||
	    (offline && reg_buf_addf(&body, ",\"refresh_token\":\"%s\"",
				     refresh.data) == -1) ||
	    reg_buf_adds(&body, "}") == -1) {
		reg_err_set(err, REG_E_INTERNAL, "token too large");
		goto out;
	}
	reg_req_audit(rq, "token_issued", NULL,
		      offline ? "with refresh" : NULL);
	reg_req_header(rq, "Cache-Control", "no-store");
	reg_req_header(rq, "Pragma", "no-cache");
	rc = reg_req_send(rq, 200, "application/json", body.data, body.len,
			  err);
out:
	reg_buf_release(&token);
	reg_buf_release(&refresh);
	reg_buf_release(&body);
	return rc;
}

static int
check_service(struct reg_req *rq, const char *service, struct reg_err *err)
{
	if (rq->cfg->issuer.issuer == NULL || rq->cfg->issuer.service == NULL)
		return reg_err_set(err, REG_E_UNAVAILABLE,
				   "berth-token needs [issuer] issuer and "
				   "service");
	if (service[0] && strcmp(service, rq->cfg->issuer.service) != 0)
		return reg_err_set(err, REG_E_DENIED,
				   "this server issues tokens for \"%s\" only",
				   rq->cfg->issuer.service);
	return 0;
}

/* GET /auth/token?service=&scope=&scope=&account=&offline_token= */
static int
token_get(struct reg_req *rq, struct reg_err *err)
{
	struct scope sc[MAX_SCOPES];
	char service[256] = "", one[SCOPE_MAX], flag[8] = "";
	const char *cursor = NULL;
	size_t n = 0;

	if (reg_query_get(rq->query, "service", service, sizeof(service)) < 0)
		service[0] = '\0';
	if (check_service(rq, service, err) == -1 ||
	    load_keys(rq->cfg, err) == -1)
		return -1;
	while (n < MAX_SCOPES && reg_query_next(rq->query, "scope", &cursor,
						one, sizeof(one)) >= 0)
		add_scopes(one, sc, &n);
	if (reg_query_get(rq->query, "offline_token", flag, sizeof(flag)) < 0)
		flag[0] = '\0';
	return respond(rq, sc, n, strcmp(flag, "true") == 0, err);
}

/* A form field of an application/x-www-form-urlencoded body. */
static bool
form_get(const char *form, const char *key, char *out, size_t outsz)
{
	return reg_query_get(form, key, out, outsz) >= 0;
}

static int
refresh_identity(struct reg_req *rq, const char *token, struct reg_err *err)
{
	struct reg_jwt jwt;
	struct reg_jwt_opts opts;
	char aud[600];
	int n;

	if (refresh_audience(rq->cfg, aud, sizeof(aud)) == -1)
		return reg_err_set(err, REG_E_INTERNAL, "audience");
	memset(&opts, 0, sizeof(opts));
	opts.algs = REG_JWT_ALG_BIT(rq->cfg->issuer.algorithm);
	opts.issuer = rq->cfg->issuer.issuer;
	opts.audience = aud;
	opts.now = time(NULL);
	opts.leeway = 60;
	reg_jwt_init(&jwt);
	if (reg_jwt_verify(keys.own, token, strlen(token), &opts, &jwt, err) ==
	    -1)
		return -1;
	n = snprintf(rq->id.user, sizeof(rq->id.user), "%s",
		     jwt.sub ? jwt.sub : "");
	reg_jwt_release(&jwt);
	if (n <= 0 || (size_t)n >= sizeof(rq->id.user))
		return reg_err_set(err, REG_E_UNAUTHORIZED,
				   "refresh token has no subject");
	/* A user removed from the password file loses refresh too. */
	if (!reg_auth_user_exists(rq->auth, rq->id.user))
		return reg_err_set(err, REG_E_UNAUTHORIZED,
				   "user \"%s\" no longer exists", rq->id.user);
	rq->id.authenticated = true;
	rq->id.via = "refresh_token";
	return 0;
}

/* POST /auth/token: the OAuth2 form (password and refresh_token grants). */
static int
token_post(struct reg_req *rq, struct reg_err *err)
{
	struct scope sc[MAX_SCOPES];
	struct reg_buf form;
	char grant[32], service[256] = "", user[REG_USER_MAX + 1];
	char *secret = NULL, scope[4 * SCOPE_MAX], access[16] = "";
	size_t n = 0;
	int rc = -1;

	reg_buf_init(&form, FORM_MAX);
	secret = reg_xcalloc(1, 8192);
	if (reg_req_read_all(rq, &form, err) == -1)
		goto out;
	if (!form_get(form.data, "grant_type", grant, sizeof(grant))) {
		reg_err_set(err, REG_E_ROUTE_UNKNOWN, "grant_type is required");
		goto out;
	}
	if (!form_get(form.data, "service", service, sizeof(service)))
		service[0] = '\0';
	if (check_service(rq, service, err) == -1) {
		/* containerd POSTs first and falls back to GET only on 404. */
		if (err->code == REG_E_DENIED)
			err->code = REG_E_ROUTE_UNKNOWN;
		goto out;
	}
	if (load_keys(rq->cfg, err) == -1 ||
	    reg_req_check_transport(rq, err) == -1)
		goto out;
	if (strcmp(grant, "password") == 0) {
		if (!form_get(form.data, "username", user, sizeof(user)) ||
		    !form_get(form.data, "password", secret, 8192)) {
			reg_err_set(err, REG_E_UNAUTHORIZED,
				    "username and password are required");
			goto out;
		}
		if (reg_auth_check_password(rq->auth, user, secret, &rq->id,
					    err) == -1)
			goto out;
	} else if (strcmp(grant, "refresh_token") == 0) {
		if (!form_get(form.data, "refresh_token", secret, 8192) ||
		    refresh_identity(rq, secret, err) == -1) {
			if (err->code == REG_E_NONE)
				reg_err_set(err, REG_E_UNAUTHORIZED,
					    "refresh_token is required");
			goto out;
		}
	} else {
		/* containerd falls back to GET on a 404, never on 400. */
		reg_err_set(err, REG_E_ROUTE_UNKNOWN,
			    "grant_type \"%s\" is not supported", grant);
		goto out;
	}
	if (form_get(form.data, "scope", scope, sizeof(scope)))
		add_scopes(scope, sc, &n);
	if (!form_get(form.data, "access_type", access, sizeof(access)))
		access[0] = '\0';
	rc = respond(rq, sc, n,
		     strcmp(grant, "password") == 0 &&
			     strcmp(access, "offline") == 0,
		     err);
out:
	OPENSSL_cleanse(secret, 8192);
	free(secret);
	OPENSSL_cleanse(form.data, form.len);
	reg_buf_release(&form);
	return rc;
}

/* GET /auth/jwks: the public signing key, for other verifiers. */
static int
jwks_get(struct reg_req *rq, struct reg_err *err)
{
	struct reg_buf out;
	int rc = -1;

	if (load_keys(rq->cfg, err) == -1)
		return -1;
	reg_buf_init(&out, 64 * 1024);
	if (reg_jwt_signer_jwks(keys.signer, &out, err) == 0)
		rc = reg_req_send(rq, 200, "application/json", out.data,
				  out.len, err);
	else
		reg_err_set(err, REG_E_ROUTE_UNKNOWN, "no public key (HS256)");
	reg_buf_release(&out);
	return rc;
}

static const struct reg_route routes[] = {
	{ REG_GET, "/auth/token", token_get, REG_ACTION_TOKEN },
	{ REG_POST, "/auth/token", token_post, REG_ACTION_TOKEN },
	{ REG_GET, "/auth/jwks", jwks_get, REG_ACTION_TOKEN },
};

int
main(int argc, char **argv)
{
	return reg_main_token_server(argc, argv, routes, REG_NITEMS(routes));
}
