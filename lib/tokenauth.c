/* tokenauth.c: verifying registry tokens (Docker token auth spec) */
/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <stdbool.h>
#include <stddef.h>

#include "auth.h"
#include "cfg.h"
#include "err.h"
#include "tokenauth.h"

#include "banned.h"

/* Interim: until the JWT module lands, token auth fails closed. */

int
reg_token_auth_open(struct reg_token_auth **out, const struct reg_cfg *cfg,
		    struct reg_err *err)
{
	(void)out;
	(void)cfg;
	return reg_err_set(err, REG_E_UNAVAILABLE,
			   "token authentication is not built in");
}

void
reg_token_auth_free(struct reg_token_auth *t)
{
	(void)t;
}

int
reg_token_auth_verify(struct reg_token_auth *t, const char *token,
		      struct reg_jwt **out, char *user, size_t usersz,
		      struct reg_err *err)
{
	(void)t;
	(void)token;
	(void)out;
	(void)user;
	(void)usersz;
	return reg_err_set(err, REG_E_UNAUTHORIZED, "no token support");
}

bool
reg_token_auth_grants(const struct reg_jwt *t, const char *type,
		      const char *name, const char *action)
{
	(void)t;
	(void)type;
	(void)name;
	(void)action;
	return false;
}

void
reg_token_auth_release(struct reg_jwt *t)
{
	(void)t;
}
