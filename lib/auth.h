/* auth.h: who is calling, from where, and what they may do */
/* SPDX-License-Identifier: MIT */
#ifndef BERTH_AUTH_H
#define BERTH_AUTH_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"
#include "cfg.h"
#include "err.h"
#include "netaddr.h"

struct reg_jwt;

/*
 * The per-process authentication state: the htpasswd checker, the access
 * rules, the trusted token keys and the network lists, loaded once by
 * reg_auth_open from the configuration (files that can change, htpasswd
 * and rules, are re-read when they do).
 */
struct reg_auth;

/* Open the state for cfg (kept by pointer: cfg must outlive it). */
int reg_auth_open(struct reg_auth **out, const struct reg_cfg *cfg,
		  struct reg_err *err);
void reg_auth_free(struct reg_auth *a);

#define REG_USER_MAX 256

/* The caller of one request. */
struct reg_identity {
	bool authenticated;
	char user[REG_USER_MAX + 1]; /* "" for anonymous */
	const char *via;	     /* "htpasswd", "clientcert", ... */
	bool has_peer;
	struct reg_netaddr peer; /* the client (X-Forwarded-For aware) */
	bool via_proxy;		 /* REMOTE_ADDR is a trusted proxy */
	struct reg_jwt *token;	 /* verified token, or NULL */
};

void reg_identity_release(struct reg_identity *id);

/* Request parameters (CGI meta-variables) as the caller reads them. */
typedef const char *(*reg_param_fn)(void *ctx, const char *name);

/* True if the request came over TLS (HTTPS is "on", "ON" or "1"). */
bool reg_auth_is_tls(reg_param_fn param, void *ctx);

/*
 * Decide who is calling.  In order: the client address (REMOTE_ADDR, and
 * X-Forwarded-For from trusted proxies); the allow-list ([access] allow:
 * REG_E_DENIED for everyone else, before any other work); the transport
 * (credentials over plain HTTP are refused with REG_E_UNAUTHORIZED unless
 * the peer is loopback and allow_loopback_plaintext, or insecure is on);
 * then the configured methods.  Credentials that do not check out are
 * REG_E_UNAUTHORIZED; no credentials at all is an anonymous identity, not
 * an error.
 */
int reg_auth_identify(struct reg_auth *a, reg_param_fn param, void *ctx,
		      struct reg_identity *id, struct reg_err *err);

/* Access bits, as enum reg_access_action. */
#define REG_AUTH_PULL 1u
#define REG_AUTH_PUSH 2u
#define REG_AUTH_DELETE 4u

/* True if id may do every action in want on repository name. */
bool reg_auth_allows(struct reg_auth *a, const struct reg_identity *id,
		     const char *name, unsigned want);
/* The REG_AUTH_* bits id has on repository name (rules; not tokens). */
unsigned reg_auth_granted(struct reg_auth *a, const struct reg_identity *id,
			  const char *name);
/*
 * Check a user name and password from somewhere else than a Basic header
 * (the token server's OAuth2 password grant) and fill id on success;
 * REG_E_UNAUTHORIZED otherwise.  Needs the htpasswd method.
 */
int reg_auth_check_password(struct reg_auth *a, const char *user,
			    const char *password, struct reg_identity *id,
			    struct reg_err *err);

/*
 * The transport policy of reg_auth_identify, for credentials that come in
 * a request body (the token server's OAuth2 form).
 */
int reg_auth_check_transport(const struct reg_auth *a,
			     const struct reg_identity *id, reg_param_fn param,
			     void *ctx, struct reg_err *err);
/* True if user still has a usable htpasswd entry (refresh tokens). */
bool reg_auth_user_exists(struct reg_auth *a, const char *user);

/* True if id may list the catalog (token: registry:catalog:*). */
bool reg_auth_allows_catalog(struct reg_auth *a, const struct reg_identity *id);
/* True if the configuration asks callers to authenticate at all. */
bool reg_auth_required(const struct reg_auth *a);

/*
 * The WWW-Authenticate value for a 401: Basic with the htpasswd realm, or
 * Bearer with realm, service and scope (scope may be NULL; error, e.g.
 * "insufficient_scope", may be NULL).  host and https build the realm
 * under autoredirect.  -1 if the method has no challenge (clientcert,
 * webserver).
 */
int reg_auth_challenge(const struct reg_auth *a, const char *scope,
		       const char *error, const char *host, bool https,
		       struct reg_buf *out);

#endif
