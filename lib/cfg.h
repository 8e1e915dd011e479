/* cfg.h: the berth.ini configuration, parsed with inih from a key table */
/* SPDX-License-Identifier: MIT */
#ifndef BERTH_CFG_H
#define BERTH_CFG_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "err.h"
#include "log.h"

enum reg_storage_driver {
	REG_STORAGE_FILESYSTEM = 0,
	REG_STORAGE_S3,
};

/*
 * How blob bytes leave: written by the program, or by the web server.
 * berth.ini alone cannot tell whether the web server acts on an X-Sendfile
 * header (one that does not would send an empty body), so by default the
 * web server says so itself, per request (REG_SENDFILE_AUTO).
 */
enum reg_sendfile {
	REG_SENDFILE_NONE = 0,
	REG_SENDFILE_X_SENDFILE, /* X-Sendfile (lighttpd, mod_xsendfile) */
	REG_SENDFILE_AUTO, /* X-Sendfile when BERTH_X_SENDFILE=on (default) */
};

/*
 * Token signature algorithms as the config names them; the values are the
 * enum reg_jwt_alg of jwt.h (checked there at compile time).
 */
enum reg_cfg_alg {
	REG_CFG_ALG_EDDSA = 0,
	REG_CFG_ALG_ES256 = 1,
	REG_CFG_ALG_RS256 = 2,
	REG_CFG_ALG_HS256 = 3,
};

/* Authentication methods, combinable ([auth] method = a, b). */
enum reg_auth_method {
	REG_AUTH_NONE = 0,
	REG_AUTH_HTPASSWD = 1 << 0,
	REG_AUTH_WEBSERVER = 1 << 1,
	REG_AUTH_CLIENTCERT = 1 << 2,
	REG_AUTH_TOKEN = 1 << 3,
};

/*
 * The whole configuration.  Strings are owned (reg_cfg_release frees
 * them).  Every key lives in the table in cfg.c, which is also what
 * berthctl and the documentation tests read.
 */
struct reg_cfg {
	char *source; /* file name, for messages */
	struct {
		enum reg_storage_driver driver;
		char *path;
		mode_t umask;
		bool direct_io; /* upload data bypasses the page cache */
	} storage;
	struct {
		char *endpoint; /* "" or NULL: AWS, from the region */
		char *region;
		char *bucket;
		char *prefix; /* key prefix inside the bucket, or NULL */
		char *access_key;
		char *secret_key;
		char *secret_key_file;
		int path_style; /* -1: on with an endpoint, off for AWS */
		bool encrypt;	/* SSE with AES256 (or KMS with kms_key_id) */
		char *kms_key_id;
		char *storage_class;
		uint64_t part_size;
		uint64_t copy_cutoff; /* larger copies go part by part */
		bool tls_verify;
		char *ca_file;
		uint64_t timeout; /* seconds */
		uint64_t retries;
		bool redirect; /* blob GETs answer 307 to a presigned URL */
		uint64_t redirect_expiry; /* seconds */
	} s3;
	struct {
		bool delete_enabled;
		bool readonly;
		uint64_t max_page_size;
		uint64_t max_manifest_size;
		uint64_t upload_max_age; /* seconds */
	} registry;
	struct reg_log_cfg log;
	struct {
		bool insecure;
		bool allow_loopback_plaintext;
		enum reg_sendfile sendfile;
	} http;
	struct {
		unsigned methods;	/* enum reg_auth_method bits */
		char *clientcert_field; /* subject field naming the user */
	} auth;
	struct {
		char *path;
		char *realm;
	} htpasswd;
	struct {
		char *realm;
		char *service;
		char *issuer;
		char *keys; /* PEM bundle or JWKS file */
		char *ca;   /* roots for x5c chains */
		char *hmac_secret_file;
		unsigned algorithms; /* bits of 1 << enum reg_jwt_alg */
		bool autoredirect;
		uint64_t leeway;
	} token;
	struct {
		char *key;
		char *certificate;
		char *hmac_secret_file;
		unsigned methods;   /* how token requests authenticate */
		unsigned algorithm; /* one enum reg_jwt_alg */
		uint64_t expiration;
		char *issuer;
		char *service;
		bool offline_token;
	} issuer;
	struct {
		char *rules;
		char *groups;
		char *allow;	       /* CIDR list, validated at load */
		char *trusted_proxies; /* CIDR list */
	} access;
};

/* Defaults, for a config with no keys at all. */
void reg_cfg_init(struct reg_cfg *cfg);
void reg_cfg_release(struct reg_cfg *cfg);

/*
 * Parse the INI file at path into cfg (which is reg_cfg_init'ed first).
 * Unknown sections or keys, bad values, duplicate fields, a missing
 * [storage] path (filesystem) or [s3] bucket (s3) are errors: REG_E_UNAVAILABLE
 * with a detail of the form "FILE:LINE: message".  On error cfg holds defaults
 * only.
 */
int reg_cfg_load(struct reg_cfg *cfg, const char *path, struct reg_err *err);
/* The same over a string (name is used in messages). */
int reg_cfg_load_string(struct reg_cfg *cfg, const char *text, const char *name,
			struct reg_err *err);

/* The config file to use: --config's value, else $BERTH_CONFIG, else the
 * compiled-in default. */
const char *reg_cfg_default_path(const char *cli_value);

/* Visit every known section/key (for documentation checks). */
void reg_cfg_each_key(void (*fn)(const char *section, const char *key,
				 void *ctx),
		      void *ctx);

#endif
