/* tokenauth.c: verifying registry tokens (Docker token auth spec) */
/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "jwt.h"
#include "tokenauth.h"

#include "banned.h"

/* The config names algorithms with the same numbers as jwt.h. */
_Static_assert(REG_CFG_ALG_EDDSA == (int)REG_JWT_EDDSA &&
		       REG_CFG_ALG_ES256 == (int)REG_JWT_ES256 &&
		       REG_CFG_ALG_RS256 == (int)REG_JWT_RS256 &&
		       REG_CFG_ALG_HS256 == (int)REG_JWT_HS256,
	       "config and jwt algorithm numbers differ");

struct reg_token_auth {
	const struct reg_cfg *cfg;
	struct reg_jwt_keyset *keys;
};

int
reg_token_auth_open(struct reg_token_auth **out, const struct reg_cfg *cfg,
		    struct reg_err *err)
{
	struct reg_token_auth *t;

	if (cfg->token.issuer == NULL || cfg->token.service == NULL ||
	    (cfg->token.realm == NULL && !cfg->token.autoredirect))
		return reg_err_set(err, REG_E_UNAVAILABLE,
				   "[auth] method token needs [token] issuer, "
				   "service and realm (or autoredirect)");
	if (cfg->token.keys == NULL && cfg->token.hmac_secret_file == NULL)
		return reg_err_set(err, REG_E_UNAVAILABLE,
				   "[auth] method token needs [token] keys or "
				   "hmac_secret_file");
	t = reg_xcalloc(1, sizeof(*t));
	t->cfg = cfg;
	t->keys = reg_jwt_keyset_new();
	if ((cfg->token.keys != NULL &&
	     reg_jwt_keyset_load_file(t->keys, cfg->token.keys, err) == -1) ||
	    (cfg->token.ca != NULL &&
	     reg_jwt_keyset_load_ca_file(t->keys, cfg->token.ca, err) == -1) ||
	    (cfg->token.hmac_secret_file != NULL &&
	     reg_jwt_keyset_load_hmac_file(t->keys, REG_TOKEN_HMAC_KID,
					   cfg->token.hmac_secret_file,
					   err) == -1)) {
		err->code = REG_E_UNAVAILABLE;
		reg_token_auth_free(t);
		return -1;
	}
	*out = t;
	return 0;
}

void
reg_token_auth_free(struct reg_token_auth *t)
{
	if (t == NULL)
		return;
	reg_jwt_keyset_free(t->keys);
	free(t);
}

int
reg_token_auth_verify(struct reg_token_auth *t, const char *token,
		      struct reg_jwt **out, char *user, size_t usersz,
		      struct reg_err *err)
{
	struct reg_jwt_opts opts;
	struct reg_jwt *jwt = reg_xcalloc(1, sizeof(*jwt));
	int n;

	memset(&opts, 0, sizeof(opts));
	opts.algs = t->cfg->token.algorithms;
	opts.issuer = t->cfg->token.issuer;
	opts.audience = t->cfg->token.service;
	opts.now = time(NULL);
	opts.leeway = (unsigned)t->cfg->token.leeway;
	reg_jwt_init(jwt);
	if (reg_jwt_verify(t->keys, token, strlen(token), &opts, jwt, err) ==
	    -1) {
		free(jwt);
		return -1;
	}
	n = snprintf(user, usersz, "%s", jwt->sub ? jwt->sub : "");
	if (n < 0 || (size_t)n >= usersz) {
		reg_jwt_release(jwt);
		free(jwt);
		return reg_err_set(err, REG_E_UNAUTHORIZED,
				   "token subject too long");
	}
	*out = jwt;
	return 0;
}

bool
reg_token_auth_grants(const struct reg_jwt *t, const char *type,
		      const char *name, const char *action)
{
	return t != NULL && reg_jwt_grants(t, type, name, action);
}

void
reg_token_auth_release(struct reg_jwt *t)
{
	if (t == NULL)
		return;
	reg_jwt_release(t);
	free(t);
}
