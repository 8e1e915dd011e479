/* auth.c: who is calling, from where, and what they may do */
/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>

#include "access.h"
#include "auth.h"
#include "htpasswd.h"
#include "log.h"
#include "tokenauth.h"

#include "banned.h"

struct reg_auth {
	const struct reg_cfg *cfg;
	struct reg_htpasswd *htpasswd;
	struct reg_access *access;  /* NULL: no rules file */
	struct reg_cidr_list allow; /* empty: everyone */
	bool has_allow;
	struct reg_cidr_list proxies;
	struct reg_token_auth *token; /* NULL unless method = token */
};

static int
load_cidrs(struct reg_cidr_list *list, const char *text, struct reg_err *err)
{
	reg_cidr_list_init(list);
	if (text == NULL)
		return 0;
	return reg_cidr_list_parse(list, text, err);
}

int
reg_auth_open(struct reg_auth **out, const struct reg_cfg *cfg,
	      struct reg_err *err)
{
	struct reg_auth *a = reg_xcalloc(1, sizeof(*a));

	a->cfg = cfg;
	if (load_cidrs(&a->allow, cfg->access.allow, err) == -1 ||
	    load_cidrs(&a->proxies, cfg->access.trusted_proxies, err) == -1)
		goto fail;
	a->has_allow = cfg->access.allow != NULL;
	if (cfg->auth.methods & REG_AUTH_HTPASSWD) {
		if (cfg->htpasswd.path == NULL) {
			reg_err_set(err, REG_E_UNAVAILABLE,
				    "[auth] method htpasswd needs [htpasswd] "
				    "path");
			goto fail;
		}
		a->htpasswd = reg_htpasswd_new(cfg->htpasswd.path);
	}
	if (cfg->access.rules != NULL &&
	    reg_access_load(&a->access, cfg->access.rules, cfg->access.groups,
			    err) == -1)
		goto fail;
	if ((cfg->auth.methods & REG_AUTH_TOKEN) &&
	    reg_token_auth_open(&a->token, cfg, err) == -1)
		goto fail;
	*out = a;
	return 0;
fail:
	reg_auth_free(a);
	return -1;
}

void
reg_auth_free(struct reg_auth *a)
{
	if (a == NULL)
		return;
	reg_htpasswd_free(a->htpasswd);
	reg_access_free(a->access);
	reg_cidr_list_release(&a->allow);
	reg_cidr_list_release(&a->proxies);
	reg_token_auth_free(a->token);
	free(a);
}

void
reg_identity_release(struct reg_identity *id)
{
	reg_token_auth_release(id->token);
	memset(id, 0, sizeof(*id));
}

bool
reg_auth_required(const struct reg_auth *a)
{
	return a->cfg->auth.methods != REG_AUTH_NONE;
}

bool
reg_auth_is_tls(reg_param_fn param, void *ctx)
{
	const char *https = param(ctx, "HTTPS");

	return https != NULL &&
	       (strcmp(https, "on") == 0 || strcmp(https, "ON") == 0 ||
		strcmp(https, "1") == 0);
}

/* Credentials may cross plain HTTP only to loopback, or when insecure. */
int
reg_auth_check_transport(const struct reg_auth *a,
			 const struct reg_identity *id, reg_param_fn param,
			 void *ctx, struct reg_err *err)
{
	if (reg_auth_is_tls(param, ctx) || a->cfg->http.insecure)
		return 0;
	/*
	 * The exemption is for a client on this machine, not for a local
	 * reverse proxy relaying someone else's credentials.
	 */
	if (a->cfg->http.allow_loopback_plaintext && id->has_peer &&
	    reg_netaddr_is_loopback(&id->peer) && !id->via_proxy)
		return 0;
	return reg_err_set(err, REG_E_UNAUTHORIZED,
			   "credentials over plain HTTP are refused: use TLS "
			   "(https)");
}

static int
set_user(struct reg_identity *id, const char *user, const char *via)
{
	int n = snprintf(id->user, sizeof(id->user), "%s", user);

	if (n <= 0 || (size_t)n >= sizeof(id->user))
		return -1;
	id->authenticated = true;
	id->via = via;
	return 0;
}

/* The client certificate the web server verified, if any. */
static bool
from_clientcert(const struct reg_auth *a, reg_param_fn param, void *ctx,
		struct reg_identity *id)
{
	const char *verify = param(ctx, "SSL_CLIENT_VERIFY");
	const char *field = a->cfg->auth.clientcert_field
				    ? a->cfg->auth.clientcert_field
				    : "CN";
	char var[64];
	const char *value;
	int n;

	if (verify == NULL || strcmp(verify, "SUCCESS") != 0)
		return false;
	n = snprintf(var, sizeof(var), "SSL_CLIENT_S_DN_%s", field);
	if (n < 0 || (size_t)n >= sizeof(var))
		return false;
	value = param(ctx, var);
	if (value == NULL || *value == '\0' || strpbrk(value, "\r\n") != NULL)
		return false;
	return set_user(id, value, "clientcert") == 0;
}

static int
from_basic(struct reg_auth *a, const char *authz, struct reg_identity *id,
	   struct reg_err *err)
{
	char user[REG_USER_MAX + 1], pass[REG_PASSWORD_MAX + 2];
	int rc = -1;

	if (reg_basic_auth_parse(authz, user, sizeof(user), pass,
				 sizeof(pass)) == -1)
		return reg_err_set(err, REG_E_UNAUTHORIZED,
				   "malformed Basic credentials");
	if (reg_htpasswd_check(a->htpasswd, user, pass, err) == 0 &&
	    set_user(id, user, "htpasswd") == 0)
		rc = 0;
	else
		reg_log_info("login failed for user \"%s\"", user);
	OPENSSL_cleanse(pass, sizeof(pass));
	if (rc == -1)
		return reg_err_set(err, REG_E_UNAUTHORIZED,
				   "invalid username or password");
	return 0;
}

static bool
has_scheme(const char *authz, const char *scheme)
{
	size_t n = strlen(scheme);

	return strncasecmp(authz, scheme, n) == 0 && authz[n] == ' ';
}

static int
from_bearer(struct reg_auth *a, const char *authz, struct reg_identity *id,
	    struct reg_err *err)
{
	const char *tok = authz + strlen("Bearer");

	while (*tok == ' ')
		tok++;
	if (reg_token_auth_verify(a->token, tok, &id->token, id->user,
				  sizeof(id->user), err) == -1)
		return -1;
	id->authenticated = id->user[0] != '\0';
	id->via = "token";
	return 0;
}

int
reg_auth_identify(struct reg_auth *a, reg_param_fn param, void *ctx,
		  struct reg_identity *id, struct reg_err *err)
{
	const char *authz = param(ctx, "HTTP_AUTHORIZATION");
	unsigned methods = a->cfg->auth.methods;

	memset(id, 0, sizeof(*id));
	/*
	 * Once per request, not per check: the catalog asks for every name
	 * it lists.  Broken rules deny everything (access.c logs why).
	 */
	if (a->access != NULL) {
		struct reg_err ignored;

		reg_access_refresh(a->access, &ignored);
	}
	id->has_peer = reg_netaddr_client(&id->peer, param(ctx, "REMOTE_ADDR"),
					  param(ctx, "HTTP_X_FORWARDED_FOR"),
					  &a->proxies) == 0;
	{
		struct reg_netaddr remote;
		const char *ra = param(ctx, "REMOTE_ADDR");

		id->via_proxy = ra != NULL &&
				reg_netaddr_parse(&remote, ra) == 0 &&
				reg_cidr_list_contains(&a->proxies, &remote);
	}
	if (a->has_allow &&
	    !(id->has_peer && reg_cidr_list_contains(&a->allow, &id->peer)))
		return reg_err_set(err, REG_E_DENIED,
				   "your address is not allowed here");
	if (authz != NULL && *authz == '\0')
		authz = NULL;
	if (authz != NULL && methods != REG_AUTH_NONE &&
	    reg_auth_check_transport(a, id, param, ctx, err) == -1)
		return -1;
	if ((methods & REG_AUTH_CLIENTCERT) &&
	    from_clientcert(a, param, ctx, id))
		return 0;
	if (methods & REG_AUTH_WEBSERVER) {
		const char *u = param(ctx, "REMOTE_USER");

		if (u != NULL && *u && set_user(id, u, "webserver") == 0)
			return 0;
	}
	if (authz == NULL)
		return 0;
	if ((methods & REG_AUTH_HTPASSWD) && has_scheme(authz, "Basic"))
		return from_basic(a, authz, id, err);
	if ((methods & REG_AUTH_TOKEN) && has_scheme(authz, "Bearer"))
		return from_bearer(a, authz, id, err);
	return 0; /* credentials of a scheme we do not use: anonymous */
}

static const char *const action_names[] = { "pull", "push", "delete" };

unsigned
reg_auth_granted(struct reg_auth *a, const struct reg_identity *id,
		 const char *name)
{
	if (a->access != NULL) {
		return reg_access_allowed(
			a->access, id->authenticated ? id->user : NULL, name,
			id->has_peer ? &id->peer : NULL);
	}
	/* No rules: an open registry, or any user who logged in. */
	if (!reg_auth_required(a) || id->authenticated)
		return REG_AUTH_PULL | REG_AUTH_PUSH | REG_AUTH_DELETE;
	return 0;
}

int
reg_auth_check_password(struct reg_auth *a, const char *user,
			const char *password, struct reg_identity *id,
			struct reg_err *err)
{
	if (a->htpasswd == NULL)
		return reg_err_set(err, REG_E_UNAUTHORIZED,
				   "password logins are not configured");
	if (reg_htpasswd_check(a->htpasswd, user, password, err) == -1 ||
	    set_user(id, user, "htpasswd") == -1) {
		reg_log_info("login failed for user \"%s\"", user);
		return reg_err_set(err, REG_E_UNAUTHORIZED,
				   "invalid username or password");
	}
	return 0;
}

struct user_search {
	const char *user;
	bool found;
};

static int
match_user(const char *user, const char *scheme, bool strong, void *ctx)
{
	struct user_search *us = ctx;

	(void)scheme;
	if (strong && strcmp(user, us->user) == 0) {
		us->found = true;
		return 1;
	}
	return 0;
}

bool
reg_auth_user_exists(struct reg_auth *a, const char *user)
{
	struct user_search us = { user, false };
	struct reg_err err;

	if (a->htpasswd == NULL)
		return false;
	reg_htpasswd_each(a->htpasswd, match_user, &us, &err);
	return us.found;
}

bool
reg_auth_allows(struct reg_auth *a, const struct reg_identity *id,
		const char *name, unsigned want)
{
	size_t i;

	if (a->token != NULL) {
		for (i = 0; i < 3; i++) {
			if ((want & (1u << i)) &&
			    !reg_token_auth_grants(id->token, "repository",
						   name, action_names[i]))
				return false;
		}
		return true;
	}
	return (reg_auth_granted(a, id, name) & want) == want;
}

bool
reg_auth_allows_catalog(struct reg_auth *a, const struct reg_identity *id)
{
	if (a->token != NULL)
		return reg_token_auth_grants(id->token, "registry", "catalog",
					     "*");
	return !reg_auth_required(a) || id->authenticated || a->access != NULL;
}

int
reg_auth_challenge(const struct reg_auth *a, const char *scope,
		   const char *error, const char *host, bool https,
		   struct reg_buf *out)
{
	const struct reg_cfg *c = a->cfg;

	if (c->auth.methods & REG_AUTH_TOKEN) {
		int rc;

		if (c->token.autoredirect && host != NULL &&
		    strpbrk(host, "\"\\ \r\n") == NULL)
			rc = reg_buf_addf(out,
					  "Bearer realm=\"%s://%s/auth/token\"",
					  https ? "https" : "http", host);
		else
			rc = reg_buf_addf(out, "Bearer realm=\"%s\"",
					  c->token.realm ? c->token.realm : "");
		if (rc == 0 && c->token.service)
			rc = reg_buf_addf(out, ",service=\"%s\"",
					  c->token.service);
		if (rc == 0 && scope)
			rc = reg_buf_addf(out, ",scope=\"%s\"", scope);
		if (rc == 0 && error)
			rc = reg_buf_addf(out, ",error=\"%s\"", error);
		return rc;
	}
	if (c->auth.methods & REG_AUTH_HTPASSWD)
		return reg_buf_addf(out, "Basic realm=\"%s\"",
				    c->htpasswd.realm ? c->htpasswd.realm
						      : "berth");
	return -1;
}
