/* tokenauth.h: verifying registry tokens for the request path */
/* SPDX-License-Identifier: MIT */
#ifndef BERTH_TOKENAUTH_H
#define BERTH_TOKENAUTH_H

#include <stdbool.h>
#include <stddef.h>

#include "cfg.h"
#include "err.h"

struct reg_jwt;
struct reg_token_auth;

/* The key id of the [token]/[issuer] hmac_secret_file on both sides. */
#define REG_TOKEN_HMAC_KID "berth-hs256"

/* Load the trusted keys and settings of [token]; -1 with err. */
int reg_token_auth_open(struct reg_token_auth **out, const struct reg_cfg *cfg,
			struct reg_err *err);
/* NULL is fine. */
void reg_token_auth_free(struct reg_token_auth *t);
/*
 * Verify a bearer token; on success *out owns the verified token (release
 * with reg_token_auth_release) and user gets its subject ("" if none).
 * Failures are REG_E_UNAUTHORIZED with a detail saying why.
 */
int reg_token_auth_verify(struct reg_token_auth *t, const char *token,
			  struct reg_jwt **out, char *user, size_t usersz,
			  struct reg_err *err);
/* True if the token's access claim grants action on type:name. */
bool reg_token_auth_grants(const struct reg_jwt *t, const char *type,
			   const char *name, const char *action);
/* NULL is fine. */
void reg_token_auth_release(struct reg_jwt *t);

#endif
