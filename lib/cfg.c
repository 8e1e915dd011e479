/* cfg.c: the berth.ini configuration, parsed with inih from a key table */
/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <ini.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "cfg.h"
#include "netaddr.h"
#include "parse.h"

#include "banned.h"

#ifndef BERTH_CONFIG_PATH
#define BERTH_CONFIG_PATH "/etc/berth/berth.ini"
#endif

enum key_type {
	KEY_BOOL,
	KEY_U64,
	KEY_STRING,
	KEY_PATH,  /* absolute path */
	KEY_UMASK, /* octal, at most 0777 */
	KEY_DRIVER,
	KEY_LOG_LEVEL,
	KEY_LOG_FORMAT,
	KEY_LOG_FIELDS,
	KEY_SENDFILE,
	KEY_AUTH_METHODS,
	KEY_CIDRS,    /* a CIDR list, kept as text */
	KEY_JWT_ALGS, /* a list of algorithms, as bits */
	KEY_JWT_ALG,  /* one algorithm */
	KEY_FIELD,    /* a certificate subject field name */
	KEY_URL,      /* http:// or https:// host[:port], no path */
	KEY_TRISTATE, /* a boolean into an int; -1 when not given */
};

/* One row per key; the offset points into struct reg_cfg. */
struct key_row {
	const char *section;
	const char *key;
	enum key_type type;
	size_t offset;
	uint64_t min;
	uint64_t max;
};

#define OFF(field) offsetof(struct reg_cfg, field)

static const struct key_row key_table[] = {
	{ "storage", "driver", KEY_DRIVER, OFF(storage.driver), 0, 0 },
	{ "storage", "path", KEY_PATH, OFF(storage.path), 0, 0 },
	{ "storage", "umask", KEY_UMASK, OFF(storage.umask), 0, 0777 },
	{ "storage", "direct_io", KEY_BOOL, OFF(storage.direct_io), 0, 0 },
	{ "s3", "endpoint", KEY_URL, OFF(s3.endpoint), 0, 0 },
	{ "s3", "region", KEY_STRING, OFF(s3.region), 0, 0 },
	{ "s3", "bucket", KEY_STRING, OFF(s3.bucket), 0, 0 },
	{ "s3", "prefix", KEY_STRING, OFF(s3.prefix), 0, 0 },
	{ "s3", "access_key", KEY_STRING, OFF(s3.access_key), 0, 0 },
	{ "s3", "secret_key", KEY_STRING, OFF(s3.secret_key), 0, 0 },
	{ "s3", "secret_key_file", KEY_PATH, OFF(s3.secret_key_file), 0, 0 },
	{ "s3", "path_style", KEY_TRISTATE, OFF(s3.path_style), 0, 0 },
	{ "s3", "encrypt", KEY_BOOL, OFF(s3.encrypt), 0, 0 },
	{ "s3", "kms_key_id", KEY_STRING, OFF(s3.kms_key_id), 0, 0 },
	{ "s3", "storage_class", KEY_STRING, OFF(s3.storage_class), 0, 0 },
	{ "s3", "part_size", KEY_U64, OFF(s3.part_size), 5 * 1024 * 1024,
	  1024 * 1024 * 1024 },
	{ "s3", "copy_cutoff", KEY_U64, OFF(s3.copy_cutoff), 5 * 1024 * 1024,
	  5ULL * 1024 * 1024 * 1024 },
	{ "s3", "tls_verify", KEY_BOOL, OFF(s3.tls_verify), 0, 0 },
	{ "s3", "ca_file", KEY_PATH, OFF(s3.ca_file), 0, 0 },
	{ "s3", "timeout", KEY_U64, OFF(s3.timeout), 1, 3600 },
	{ "s3", "retries", KEY_U64, OFF(s3.retries), 0, 10 },
	{ "s3", "redirect", KEY_BOOL, OFF(s3.redirect), 0, 0 },
	{ "s3", "redirect_expiry", KEY_U64, OFF(s3.redirect_expiry), 10,
	  7 * 86400 },
	{ "registry", "delete", KEY_BOOL, OFF(registry.delete_enabled), 0, 0 },
	{ "registry", "readonly", KEY_BOOL, OFF(registry.readonly), 0, 0 },
	{ "registry", "max_page_size", KEY_U64, OFF(registry.max_page_size), 1,
	  100000 },
	{ "registry", "max_manifest_size", KEY_U64,
	  OFF(registry.max_manifest_size), 1024, 64 * 1024 * 1024 },
	{ "registry", "upload_max_age", KEY_U64, OFF(registry.upload_max_age),
	  60, 365 * 86400 },
	{ "log", "level", KEY_LOG_LEVEL, OFF(log.level), 0, 0 },
	{ "log", "formatter", KEY_LOG_FORMAT, OFF(log.json), 0, 0 },
	{ "log", "fields", KEY_LOG_FIELDS, OFF(log), 0, 0 },
	{ "log", "file", KEY_PATH, OFF(log.file), 0, 0 },
	{ "http", "insecure", KEY_BOOL, OFF(http.insecure), 0, 0 },
	{ "http", "allow_loopback_plaintext", KEY_BOOL,
	  OFF(http.allow_loopback_plaintext), 0, 0 },
	{ "http", "sendfile", KEY_SENDFILE, OFF(http.sendfile), 0, 0 },
	{ "auth", "method", KEY_AUTH_METHODS, OFF(auth.methods), 0, 0 },
	{ "auth", "clientcert_field", KEY_FIELD, OFF(auth.clientcert_field), 0,
	  0 },
	{ "htpasswd", "path", KEY_PATH, OFF(htpasswd.path), 0, 0 },
	{ "htpasswd", "realm", KEY_STRING, OFF(htpasswd.realm), 0, 0 },
	{ "token", "realm", KEY_STRING, OFF(token.realm), 0, 0 },
	{ "token", "service", KEY_STRING, OFF(token.service), 0, 0 },
	{ "token", "issuer", KEY_STRING, OFF(token.issuer), 0, 0 },
	{ "token", "keys", KEY_PATH, OFF(token.keys), 0, 0 },
	{ "token", "ca", KEY_PATH, OFF(token.ca), 0, 0 },
	{ "token", "hmac_secret_file", KEY_PATH, OFF(token.hmac_secret_file), 0,
	  0 },
	{ "token", "algorithms", KEY_JWT_ALGS, OFF(token.algorithms), 0, 0 },
	{ "token", "autoredirect", KEY_BOOL, OFF(token.autoredirect), 0, 0 },
	{ "token", "leeway", KEY_U64, OFF(token.leeway), 0, 300 },
	{ "issuer", "method", KEY_AUTH_METHODS, OFF(issuer.methods), 0, 0 },
	{ "issuer", "key", KEY_PATH, OFF(issuer.key), 0, 0 },
	{ "issuer", "certificate", KEY_PATH, OFF(issuer.certificate), 0, 0 },
	{ "issuer", "hmac_secret_file", KEY_PATH, OFF(issuer.hmac_secret_file),
	  0, 0 },
	{ "issuer", "algorithm", KEY_JWT_ALG, OFF(issuer.algorithm), 0, 0 },
	{ "issuer", "expiration", KEY_U64, OFF(issuer.expiration), 60,
	  30 * 86400 },
	{ "issuer", "issuer", KEY_STRING, OFF(issuer.issuer), 0, 0 },
	{ "issuer", "service", KEY_STRING, OFF(issuer.service), 0, 0 },
	{ "issuer", "offline_token", KEY_BOOL, OFF(issuer.offline_token), 0,
	  0 },
	{ "access", "rules", KEY_PATH, OFF(access.rules), 0, 0 },
	{ "access", "groups", KEY_PATH, OFF(access.groups), 0, 0 },
	{ "access", "allow", KEY_CIDRS, OFF(access.allow), 0, 0 },
	{ "access", "trusted_proxies", KEY_CIDRS, OFF(access.trusted_proxies),
	  0, 0 },
};

struct parse_ctx {
	struct reg_cfg *cfg;
	char msg[160]; /* the first error */
	unsigned seen[sizeof(key_table) / sizeof(key_table[0])];
};

void
reg_cfg_init(struct reg_cfg *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->storage.driver = REG_STORAGE_FILESYSTEM;
	cfg->storage.umask = 027;
	cfg->storage.direct_io = true;
	cfg->s3.path_style = -1;
	cfg->s3.part_size = 16 * 1024 * 1024;
	cfg->s3.copy_cutoff = 5ULL * 1024 * 1024 * 1024;
	cfg->s3.tls_verify = true;
	cfg->s3.timeout = 30;
	cfg->s3.retries = 4;
	cfg->s3.redirect_expiry = 300;
	cfg->registry.delete_enabled = false;
	cfg->registry.readonly = false;
	cfg->registry.max_page_size = 1000;
	cfg->registry.max_manifest_size = 4 * 1024 * 1024;
	cfg->registry.upload_max_age = 7 * 86400;
	cfg->log.level = REG_LOG_INFO;
	cfg->log.json = false;
	cfg->http.allow_loopback_plaintext = true;
	cfg->http.sendfile = REG_SENDFILE_AUTO;
	cfg->token.algorithms = 1u << REG_CFG_ALG_EDDSA |
				1u << REG_CFG_ALG_ES256 |
				1u << REG_CFG_ALG_RS256;
	cfg->token.leeway = 60;
	cfg->issuer.algorithm = REG_CFG_ALG_EDDSA;
	cfg->issuer.methods = REG_AUTH_HTPASSWD;
	cfg->issuer.expiration = 300;
}

static void
release_fields(struct reg_log_cfg *log)
{
	int i;

	for (i = 0; i < log->nfields; i++) {
		free(log->fields[i].key);
		free(log->fields[i].value);
	}
	log->nfields = 0;
}

void
reg_cfg_release(struct reg_cfg *cfg)
{
	size_t i;

	/* Every KEY_PATH/KEY_STRING/KEY_CIDRS/KEY_FIELD field is owned. */
	for (i = 0; i < sizeof(key_table) / sizeof(key_table[0]); i++) {
		switch (key_table[i].type) {
		case KEY_PATH:
		case KEY_STRING:
		case KEY_CIDRS:
		case KEY_FIELD:
		case KEY_URL:
			free(*(char **)((char *)cfg + key_table[i].offset));
			break;
		default:
			break;
		}
	}
	free(cfg->source);
	release_fields(&cfg->log);
	reg_cfg_init(cfg);
}

static int fail(struct parse_ctx *ctx, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Record the first error (inih reports its line); returns inih's failure. */
static int
fail(struct parse_ctx *ctx, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (ctx->msg[0] == '\0') {
		va_start(ap, fmt);
		n = vsnprintf(ctx->msg, sizeof(ctx->msg), fmt, ap);
		va_end(ap);
		if (n < 0)
			ctx->msg[0] = '\0';
	}
	return 0; /* inih: nonzero is success */
}

static int
parse_bool(const char *v, bool *out)
{
	if (strcmp(v, "true") == 0 || strcmp(v, "yes") == 0 ||
	    strcmp(v, "on") == 0 || strcmp(v, "1") == 0) {
		*out = true;
		return 0;
	}
	if (strcmp(v, "false") == 0 || strcmp(v, "no") == 0 ||
	    strcmp(v, "off") == 0 || strcmp(v, "0") == 0) {
		*out = false;
		return 0;
	}
	return -1;
}

static int
parse_umask(const char *v, mode_t *out)
{
	uint64_t m = 0;
	const char *p;

	if (*v == '\0' || strlen(v) > 4)
		return -1;
	for (p = v; *p; p++) {
		if (*p < '0' || *p > '7')
			return -1;
		m = m * 8 + (uint64_t)(*p - '0');
	}
	if (m > 0777)
		return -1;
	*out = (mode_t)m;
	return 0;
}

/* A field key is [a-z0-9_.]{1,64}; its value printable, no spaces. */
static bool
is_field_key(const char *p, size_t n)
{
	size_t i;

	if (n == 0 || n > 64)
		return false;
	for (i = 0; i < n; i++) {
		char c = p[i];

		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		      c == '_' || c == '.'))
			return false;
	}
	return true;
}

/* "service=registry, environment=production" */
static int
parse_fields(const char *v, struct reg_log_cfg *log, struct parse_ctx *ctx)
{
	const char *p = v;

	release_fields(log);
	while (*p) {
		const char *item, *eq, *end;
		size_t klen, vlen;

		while (*p == ' ' || *p == '\t' || *p == ',')
			p++;
		if (*p == '\0')
			break;
		item = p;
		end = strchr(item, ',');
		if (end == NULL)
			end = item + strlen(item);
		p = end;
		while (end > item && (end[-1] == ' ' || end[-1] == '\t'))
			end--;
		eq = memchr(item, '=', (size_t)(end - item));
		if (eq == NULL)
			return fail(ctx, "log fields: \"%s\" is not key=value",
				    item);
		klen = (size_t)(eq - item);
		vlen = (size_t)(end - eq - 1);
		if (!is_field_key(item, klen) || vlen == 0 || vlen > 256 ||
		    reg_has_ctl(eq + 1, vlen))
			return fail(ctx, "log fields: bad field \"%s\"", item);
		if (log->nfields == REG_LOG_FIELDS_MAX)
			return fail(ctx, "log fields: more than %d fields",
				    REG_LOG_FIELDS_MAX);
		log->fields[log->nfields].key = reg_xstrndup(item, klen);
		log->fields[log->nfields].value = reg_xstrndup(eq + 1, vlen);
		log->nfields++;
	}
	return 1;
}

/* "htpasswd, clientcert": a set of methods; "none" alone. */
static int
parse_methods(const char *v, unsigned *out, struct parse_ctx *ctx)
{
	static const struct {
		const char *name;
		unsigned bit;
	} names[] = {
		{ "none", REG_AUTH_NONE },
		{ "htpasswd", REG_AUTH_HTPASSWD },
		{ "webserver", REG_AUTH_WEBSERVER },
		{ "clientcert", REG_AUTH_CLIENTCERT },
		{ "token", REG_AUTH_TOKEN },
	};
	char word[32];
	unsigned bits = 0;
	bool none = false;
	const char *p = v;

	while (*p) {
		size_t n, i;
		bool found = false;

		while (*p == ' ' || *p == ',' || *p == '\t')
			p++;
		n = strcspn(p, " ,\t");
		if (n == 0)
			break;
		if (n >= sizeof(word))
			return fail(ctx, "method: unknown method \"%.*s\"",
				    (int)n, p);
		memcpy(word, p, n);
		word[n] = '\0';
		for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
			if (strcmp(word, names[i].name) == 0) {
				bits |= names[i].bit;
				none |= names[i].bit == REG_AUTH_NONE;
				found = true;
			}
		}
		if (!found)
			return fail(ctx, "method: unknown method \"%s\"", word);
		p += n;
	}
	if (none && bits)
		return fail(ctx, "method: \"none\" cannot be combined%s", "");
	if ((bits & REG_AUTH_TOKEN) && (bits & ~(unsigned)REG_AUTH_TOKEN))
		return fail(ctx, "method: \"token\" cannot be combined%s", "");
	*out = bits;
	return 1;
}

static int
alg_parse(const char *s, unsigned *out)
{
	static const char *const names[] = { "EdDSA", "ES256", "RS256",
					     "HS256" };
	unsigned i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (strcmp(s, names[i]) == 0) {
			*out = i;
			return 0;
		}
	}
	return -1;
}

/* One algorithm, or a list of them as bits. */
static int
parse_algs(const char *v, unsigned *out, bool one, struct parse_ctx *ctx)
{
	char word[32];
	unsigned bits = 0, count = 0;
	const char *p = v;
	unsigned alg = REG_CFG_ALG_EDDSA;

	while (*p) {
		size_t n;

		while (*p == ' ' || *p == ',' || *p == '\t')
			p++;
		n = strcspn(p, " ,\t");
		if (n == 0)
			break;
		if (n >= sizeof(word))
			return fail(ctx, "unknown algorithm \"%.*s\"", (int)n,
				    p);
		memcpy(word, p, n);
		word[n] = '\0';
		if (alg_parse(word, &alg) == -1)
			return fail(ctx,
				    "unknown algorithm \"%s\" (EdDSA, ES256, "
				    "RS256, HS256)",
				    word);
		bits |= 1u << alg;
		count++;
		p += n;
	}
	if (count == 0 || (one && count != 1))
		return fail(ctx, "%s",
			    one ? "exactly one algorithm is needed"
				: "no algorithm given");
	*out = one ? (unsigned)alg : bits;
	return 1;
}

static bool
is_subject_field(const char *v)
{
	size_t i, n = strlen(v);

	if (n == 0 || n > 32)
		return false;
	for (i = 0; i < n; i++) {
		if (!((v[i] >= 'A' && v[i] <= 'Z') ||
		      (v[i] >= 'a' && v[i] <= 'z') ||
		      (v[i] >= '0' && v[i] <= '9')))
			return false;
	}
	return true;
}

/* http(s)://host[:port][/]: a host name, IPv4 or [IPv6], nothing more. */
static bool
is_http_url(const char *v)
{
	const char *p;
	size_t n;

	if (strncmp(v, "https://", 8) == 0)
		p = v + 8;
	else if (strncmp(v, "http://", 7) == 0)
		p = v + 7;
	else
		return false;
	if (*p == '[') {
		n = strspn(p + 1, "0123456789abcdefABCDEF:.");
		if (n == 0 || p[1 + n] != ']')
			return false;
		p += n + 2;
	} else {
		n = strspn(p, "abcdefghijklmnopqrstuvwxyz"
			      "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-");
		if (n == 0 || n > 253)
			return false;
		p += n;
	}
	if (*p == ':') {
		uint64_t port;
		size_t d = strspn(p + 1, "0123456789");

		if (d == 0 || d > 5 ||
		    reg_parse_u64n(p + 1, d, 1, 65535, &port) == -1)
			return false;
		p += 1 + d;
	}
	return *p == '\0' || strcmp(p, "/") == 0;
}

static int
set_value(struct parse_ctx *ctx, const struct key_row *row, const char *v)
{
	char *base = (char *)ctx->cfg;
	void *field = base + row->offset;
	uint64_t u;

	switch (row->type) {
	case KEY_BOOL:
		if (parse_bool(v, field) == -1)
			return fail(ctx, "%s: \"%s\" is not a boolean",
				    row->key, v);
		return 1;
	case KEY_U64:
		if (reg_parse_u64(v, row->min, row->max, &u) == -1)
			return fail(ctx, "%s: \"%s\" is not a number in range",
				    row->key, v);
		*(uint64_t *)field = u;
		return 1;
	case KEY_PATH:
		if (v[0] != '/')
			return fail(ctx, "%s: \"%s\" is not an absolute path",
				    row->key, v);
		/* fall through */
	case KEY_STRING:
		/* Strings end up in headers (realm, service): keep them clean.
		 */
		if (*v == '\0' || strlen(v) > 4000 ||
		    strpbrk(v, "\"\\") != NULL || reg_has_ctl(v, strlen(v)))
			return fail(ctx, "%s: bad value \"%s\"", row->key, v);
		free(*(char **)field);
		*(char **)field = reg_xstrdup(v);
		return 1;
	case KEY_UMASK:
		if (parse_umask(v, field) == -1)
			return fail(ctx, "%s: \"%s\" is not an octal umask",
				    row->key, v);
		return 1;
	case KEY_DRIVER:
		if (strcmp(v, "filesystem") == 0)
			*(enum reg_storage_driver *)field =
				REG_STORAGE_FILESYSTEM;
		else if (strcmp(v, "s3") == 0)
			*(enum reg_storage_driver *)field = REG_STORAGE_S3;
		else
			return fail(ctx,
				    "%s: unknown storage driver \"%s\" "
				    "(filesystem, s3)",
				    row->key, v);
		return 1;
	case KEY_TRISTATE: {
		bool b;

		if (parse_bool(v, &b) == -1)
			return fail(ctx, "%s: \"%s\" is not a boolean",
				    row->key, v);
		*(int *)field = b ? 1 : 0;
		return 1;
	}
	case KEY_URL:
		if (!is_http_url(v))
			return fail(ctx,
				    "%s: \"%s\" is not http(s)://host[:port]",
				    row->key, v);
		free(*(char **)field);
		*(char **)field = reg_xstrdup(v);
		return 1;
	case KEY_LOG_LEVEL:
		if (reg_log_level_parse(v, field) == -1)
			return fail(ctx,
				    "%s: \"%s\" is not error, warn, info or "
				    "debug",
				    row->key, v);
		return 1;
	case KEY_LOG_FORMAT:
		if (strcmp(v, "json") == 0)
			*(bool *)field = true;
		else if (strcmp(v, "text") == 0)
			*(bool *)field = false;
		else
			return fail(ctx, "%s: \"%s\" is not json or text",
				    row->key, v);
		return 1;
	case KEY_LOG_FIELDS:
		return parse_fields(v, field, ctx);
	case KEY_SENDFILE:
		if (strcmp(v, "auto") == 0)
			*(enum reg_sendfile *)field = REG_SENDFILE_AUTO;
		else if (strcmp(v, "none") == 0)
			*(enum reg_sendfile *)field = REG_SENDFILE_NONE;
		else if (strcmp(v, "x-sendfile") == 0)
			*(enum reg_sendfile *)field = REG_SENDFILE_X_SENDFILE;
		else
			return fail(ctx,
				    "%s: \"%s\" is not auto, none or "
				    "x-sendfile",
				    row->key, v);
		return 1;
	case KEY_AUTH_METHODS:
		return parse_methods(v, field, ctx);
	case KEY_CIDRS: {
		struct reg_cidr_list list;
		struct reg_err err;
		int ok;

		reg_cidr_list_init(&list);
		ok = reg_cidr_list_parse(&list, v, &err) == 0;
		reg_cidr_list_release(&list);
		if (!ok)
			return fail(ctx, "%s: %s", row->key, err.detail);
		free(*(char **)field);
		*(char **)field = reg_xstrdup(v);
		return 1;
	}
	case KEY_JWT_ALGS:
		return parse_algs(v, field, false, ctx);
	case KEY_JWT_ALG:
		return parse_algs(v, field, true, ctx);
	case KEY_FIELD:
		if (!is_subject_field(v))
			return fail(ctx,
				    "%s: \"%s\" is not a subject field "
				    "(CN, O, OU, emailAddress ...)",
				    row->key, v);
		free(*(char **)field);
		*(char **)field = reg_xstrdup(v);
		return 1;
	}
	return fail(ctx, "%s: internal error", row->key);
}

static int
on_key(void *user, const char *section, const char *name, const char *value)
{
	struct parse_ctx *ctx = user;
	size_t i;
	bool section_known = false;

	for (i = 0; i < sizeof(key_table) / sizeof(key_table[0]); i++) {
		if (strcmp(key_table[i].section, section) != 0)
			continue;
		section_known = true;
		if (strcmp(key_table[i].key, name) != 0)
			continue;
		if (ctx->seen[i]++)
			return fail(ctx, "%s: key given twice in [%s]", name,
				    section);
		return set_value(ctx, &key_table[i], value);
	}
	if (!section_known)
		return fail(ctx, "unknown section [%s]", section);
	return fail(ctx, "unknown key \"%s\" in [%s]", name, section);
}

static bool
only_chars(const char *v, const char *set, size_t min, size_t max)
{
	size_t n = strlen(v);

	return n >= min && n <= max && strspn(v, set) == n;
}

#define LOWER_DIGITS "abcdefghijklmnopqrstuvwxyz0123456789"

/* A key prefix whose components (between slashes, which may lead or
 * trail) are never empty, "." or "..", which HTTP paths would fold. */
static bool
prefix_is_clean(const char *p)
{
	size_t n = strlen(p);

	while (n > 0 && p[n - 1] == '/')
		n--;
	while (n > 0 && *p == '/') {
		p++;
		n--;
	}
	while (n > 0) {
		size_t c = 0;

		while (c < n && p[c] != '/')
			c++;
		if (c == 0 || (c == 1 && p[0] == '.') ||
		    (c == 2 && p[0] == '.' && p[1] == '.'))
			return false;
		p += c;
		n -= c;
		if (n > 0) {
			p++;
			n--;
		}
	}
	return true;
}

/* What a driver needs, checked once all keys are in: a message, or NULL. */
static const char *
storage_problem(const struct reg_cfg *c, char *msg, size_t msgsz)
{
	const struct {
		const char *key, *value, *chars, *what;
		size_t min, max;
	} names[] = {
		{ "bucket", c->s3.bucket, LOWER_DIGITS ".-",
		  "a bucket name (3-63 of a-z 0-9 . -)", 3, 63 },
		{ "region", c->s3.region, LOWER_DIGITS "-_", "a region name", 1,
		  64 },
		{ "prefix", c->s3.prefix,
		  LOWER_DIGITS "ABCDEFGHIJKLMNOPQRSTUVWXYZ/._-",
		  "a key prefix (letters, digits, / . _ -)", 1, 256 },
		{ "storage_class", c->s3.storage_class,
		  "ABCDEFGHIJKLMNOPQRSTUVWXYZ_", "a storage class", 1, 64 },
	};
	size_t i;

	if (c->storage.driver == REG_STORAGE_FILESYSTEM)
		return c->storage.path ? NULL : "[storage] path is required";
	if (c->s3.bucket == NULL)
		return "[s3] bucket is required";
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (names[i].value == NULL ||
		    only_chars(names[i].value, names[i].chars, names[i].min,
			       names[i].max))
			continue;
		snprintf(msg, msgsz, "[s3] %s: \"%s\" is not %s", names[i].key,
			 names[i].value, names[i].what);
		return msg;
	}
	if (c->s3.prefix != NULL && !prefix_is_clean(c->s3.prefix))
		return "[s3] prefix: no empty, \".\" or \"..\" components";
	if (c->s3.kms_key_id != NULL && !c->s3.encrypt)
		return "[s3] kms_key_id needs encrypt = true";
	if (c->s3.secret_key != NULL && c->s3.secret_key_file != NULL)
		return "[s3] secret_key and secret_key_file are exclusive";
	if (c->s3.endpoint == NULL && c->s3.region == NULL)
		return "[s3] needs an endpoint or a region";
	return NULL;
}

static int
finish(struct reg_cfg *cfg, struct parse_ctx *ctx, int line, const char *name,
       struct reg_err *err)
{
	const char *problem;

	if (line < 0)
		return reg_err_set(err, REG_E_UNAVAILABLE,
				   "%s: cannot read the configuration", name);
	if (line > 0) {
		reg_err_set(err, REG_E_UNAVAILABLE, "%s:%d: %s", name, line,
			    ctx->msg[0] ? ctx->msg : "syntax error");
		reg_cfg_release(cfg);
		return -1;
	}
	problem = storage_problem(cfg, ctx->msg, sizeof(ctx->msg));
	if (problem != NULL) {
		reg_err_set(err, REG_E_UNAVAILABLE, "%s: %s", name, problem);
		reg_cfg_release(cfg);
		return -1;
	}
	cfg->source = reg_xstrdup(name);
	return 0;
}

int
reg_cfg_load(struct reg_cfg *cfg, const char *path, struct reg_err *err)
{
	struct parse_ctx ctx;
	int line;

	memset(&ctx, 0, sizeof(ctx));
	reg_cfg_init(cfg);
	ctx.cfg = cfg;
	line = ini_parse(path, on_key, &ctx);
	return finish(cfg, &ctx, line, path, err);
}

int
reg_cfg_load_string(struct reg_cfg *cfg, const char *text, const char *name,
		    struct reg_err *err)
{
	struct parse_ctx ctx;
	int line;

	memset(&ctx, 0, sizeof(ctx));
	reg_cfg_init(cfg);
	ctx.cfg = cfg;
	line = ini_parse_string(text, on_key, &ctx);
	return finish(cfg, &ctx, line, name, err);
}

const char *
reg_cfg_default_path(const char *cli_value)
{
	const char *env;

	if (cli_value != NULL && *cli_value)
		return cli_value;
	env = getenv("BERTH_CONFIG");
	if (env != NULL && *env)
		return env;
	return BERTH_CONFIG_PATH;
}

void
reg_cfg_each_key(void (*fn)(const char *section, const char *key, void *ctx),
		 void *ctx)
{
	size_t i;

	for (i = 0; i < sizeof(key_table) / sizeof(key_table[0]); i++)
		fn(key_table[i].section, key_table[i].key, ctx);
}
