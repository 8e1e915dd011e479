/* htpasswd.c: Basic-auth passwords from an htpasswd file */
/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <crypt.h>
#include <errno.h>
#include <fcntl.h>
#include <openssl/crypto.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "err.h"
#include "file.h"
#include "htpasswd.h"
#include "log.h"

#include "banned.h"

/*
 * The file is parsed once into a table sorted by user name (binary search);
 * the entries point into one copy of the file's text.  A change of the
 * file, seen by stat(2), replaces both.
 */
struct entry {
	const char *user;
	const char *hash;
	size_t line;
	bool strong;
};

struct reg_htpasswd {
	char *path;
	bool seen; /* sig holds a stat result */
	struct reg_file_sig sig;
	bool usable; /* the file was read */
	char *text;  /* the file, cut into strings */
	size_t textlen;
	struct entry *entries;
	size_t n;
	/* Hashed against when there is nothing real to check. */
	char dummy[64];
	/* Users with a weak scheme already logged (for the process). */
	char **warned;
	size_t nwarned;
};

/* Used as a setting: this salt is canonical, so crypt never rejects it. */
#define DUMMY_BCRYPT_SALT "berthdummysaltberthduu"
#define DUMMY_SHA_SALT "berthdummysalt00"
#define DUMMY_DEFAULT "$2b$10$" DUMMY_BCRYPT_SALT

static const char crypt_b64[] =
	"./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

static bool
is_crypt_b64(char c)
{
	return c != '\0' && strchr(crypt_b64, c) != NULL;
}

static bool
all_crypt_b64(const char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (!is_crypt_b64(p[i]))
			return false;
	}
	return true;
}

static bool
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* "$2y$NN$" + 53 characters, 04 <= NN <= 31. */
static bool
is_bcrypt(const char *h)
{
	int cost;

	if (strlen(h) != 60 || h[0] != '$' || h[1] != '2' || h[3] != '$' ||
	    !is_digit(h[4]) || !is_digit(h[5]) || h[6] != '$')
		return false;
	if (h[2] != 'a' && h[2] != 'b' && h[2] != 'y')
		return false;
	cost = (h[4] - '0') * 10 + (h[5] - '0');
	return cost >= 4 && cost <= 31 && all_crypt_b64(h + 7, 53);
}

/*
 * "$5$" or "$6$", optional "rounds=N$" (1000 <= N <= 999999999, as
 * libxcrypt takes it), a salt of 1 to 16 characters, '$', and 43 or 86
 * characters.  Returns the length of the part before the salt, or 0.
 */
static size_t
sha_crypt_prefix(const char *h)
{
	size_t i = 3, start, want;

	if (h[0] != '$' || (h[1] != '5' && h[1] != '6') || h[2] != '$')
		return 0;
	want = h[1] == '5' ? 43 : 86;
	if (strncmp(h + i, "rounds=", 7) == 0) {
		unsigned long rounds = 0;
		size_t n;

		i += 7;
		if (h[i] == '0')
			return 0;
		for (n = 0; is_digit(h[i]); i++, n++) {
			if (n == 9)
				return 0;
			rounds = rounds * 10 + (unsigned long)(h[i] - '0');
		}
		if (n == 0 || h[i] != '$' || rounds < 1000)
			return 0;
		i++;
	}
	start = i;
	while (is_crypt_b64(h[i]))
		i++;
	if (i == start || i - start > 16 || h[i] != '$')
		return 0;
	if (strlen(h + i + 1) != want || !all_crypt_b64(h + i + 1, want))
		return 0;
	return start;
}

bool
reg_password_is_strong(const char *hash)
{
	if (hash == NULL)
		return false;
	return is_bcrypt(hash) || sha_crypt_prefix(hash) != 0;
}

const char *
reg_password_scheme(const char *h)
{
	size_t len;

	if (h == NULL || *h == '\0')
		return "empty";
	len = strlen(h);
	if (strncmp(h, "$2y$", 4) == 0 || strncmp(h, "$2b$", 4) == 0 ||
	    strncmp(h, "$2a$", 4) == 0)
		return is_bcrypt(h) ? "bcrypt" : "malformed";
	if (strncmp(h, "$5$", 3) == 0)
		return sha_crypt_prefix(h) ? "sha256-crypt" : "malformed";
	if (strncmp(h, "$6$", 3) == 0)
		return sha_crypt_prefix(h) ? "sha512-crypt" : "malformed";
	if (strncmp(h, "$2x$", 4) == 0)
		return "bcrypt-2x";
	if (strncmp(h, "$apr1$", 6) == 0)
		return "apr1-md5";
	if (strncmp(h, "$1$", 3) == 0)
		return "md5-crypt";
	if (strncmp(h, "$y$", 3) == 0)
		return "yescrypt";
	if (strncmp(h, "{SHA}", 5) == 0)
		return "sha1";
	if (len == 13 && all_crypt_b64(h, 13))
		return "des-crypt";
	if (len == 20 && h[0] == '_' && all_crypt_b64(h + 1, 19))
		return "bsdi-crypt";
	return "plain-or-unknown";
}

static int
cmp_entry(const void *a, const void *b)
{
	const struct entry *x = a, *y = b;
	int c = strcmp(x->user, y->user);

	if (c != 0)
		return c;
	return x->line < y->line ? -1 : x->line > y->line;
}

static int
cmp_user(const void *key, const void *elem)
{
	const struct entry *e = elem;

	return strcmp(key, e->user);
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static bool
is_space(char c)
{
	return c == ' ' || c == '\t';
}

static bool
has_ctl(const char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)p[i];

		if (c < 0x20 || c == 0x7f)
			return true;
	}
	return false;
}

static void
set_default_dummy(struct reg_htpasswd *h)
{
	memcpy(h->dummy, DUMMY_DEFAULT, sizeof(DUMMY_DEFAULT));
}

/*
 * Choose the setting for dummy checks: the salt-less prefix shared by most
 * strong entries ("$2y$05$", "$6$rounds=9000$") with a fixed salt, so an
 * unknown user costs what a typical real one does.
 */
static void
choose_dummy(struct reg_htpasswd *h)
{
	char **prefixes = reg_xcalloc(h->n + 1, sizeof(*prefixes));
	size_t i, np = 0, best = 0, bestrun = 0, run;

	for (i = 0; i < h->n; i++) {
		const char *hash = h->entries[i].hash;
		size_t plen;

		if (!h->entries[i].strong)
			continue;
		plen = is_bcrypt(hash) ? 7 : sha_crypt_prefix(hash);
		prefixes[np++] = reg_xstrndup(hash, plen);
	}
	qsort(prefixes, np, sizeof(*prefixes), cmp_str);
	for (i = 0; i < np; i += run) {
		for (run = 1; i + run < np; run++) {
			if (strcmp(prefixes[i], prefixes[i + run]) != 0)
				break;
		}
		if (run > bestrun) {
			best = i;
			bestrun = run;
		}
	}
	set_default_dummy(h);
	if (np > 0) {
		bool bcrypt = prefixes[best][1] == '2';
		int n = snprintf(h->dummy, sizeof(h->dummy), "%s%s%s",
				 prefixes[best],
				 bcrypt ? DUMMY_BCRYPT_SALT : DUMMY_SHA_SALT,
				 bcrypt ? "" : "$");
		if (n < 0 || (size_t)n >= sizeof(h->dummy))
			set_default_dummy(h);
	}
	for (i = 0; i < np; i++)
		free(prefixes[i]);
	free(prefixes);
}

/* Cut one line into an entry; NULL user on a line to skip silently. */
static int
parse_line(char *p, size_t len, struct entry *e, const char **why)
{
	char *colon, *end;

	*why = NULL;
	e->user = NULL;
	if (len > REG_HTPASSWD_LINE_MAX) {
		*why = "line too long";
		return -1;
	}
	if (memchr(p, '\0', len) != NULL) {
		*why = "NUL byte";
		return -1;
	}
	if (len > 0 && p[len - 1] == '\r')
		len--;
	while (len > 0 && is_space(*p)) {
		p++;
		len--;
	}
	while (len > 0 && is_space(p[len - 1]))
		len--;
	if (len == 0 || *p == '#')
		return 0;
	p[len] = '\0';
	colon = strchr(p, ':');
	if (colon == NULL) {
		*why = "no ':'";
		return -1;
	}
	if (colon == p) {
		*why = "empty user name";
		return -1;
	}
	if ((size_t)(colon - p) > REG_HTPASSWD_USER_MAX) {
		*why = "user name too long";
		return -1;
	}
	if (has_ctl(p, (size_t)(colon - p)) ||
	    has_ctl(colon + 1, strlen(colon + 1))) {
		*why = "control character";
		return -1;
	}
	*colon = '\0';
	end = strchr(colon + 1, ':');
	if (end != NULL)
		*end = '\0';
	e->user = p;
	e->hash = colon + 1;
	e->strong = reg_password_is_strong(e->hash);
	return 0;
}

static void
clear_entries(struct reg_htpasswd *h)
{
	if (h->text != NULL) {
		OPENSSL_cleanse(h->text, h->textlen);
		free(h->text);
	}
	free(h->entries);
	h->text = NULL;
	h->textlen = 0;
	h->entries = NULL;
	h->n = 0;
	h->usable = false;
}

/* Split the text into sorted entries; bad lines are logged and skipped. */
static void
parse_text(struct reg_htpasswd *h)
{
	char *p = h->text, *end = h->text + h->textlen;
	size_t line = 0, n = 0, i, nweak = 0, nlines = 1;

	for (i = 0; i < h->textlen; i++) {
		if (h->text[i] == '\n')
			nlines++;
	}
	h->entries = reg_xcalloc(nlines, sizeof(*h->entries));
	while (p < end) {
		char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);
		const char *why;
		struct entry *e = &h->entries[n];

		line++;
		if (parse_line(p, len, e, &why) == -1) {
			reg_log_warn("%s:%zu: %s, line ignored", h->path, line,
				     why);
		} else if (e->user != NULL) {
			e->line = line;
			n++;
		}
		p += len + 1;
	}
	qsort(h->entries, n, sizeof(*h->entries), cmp_entry);
	/* Keep the first line of each user. */
	for (i = 0; i < n; i++) {
		if (i > 0 && strcmp(h->entries[i].user,
				    h->entries[h->n - 1].user) == 0) {
			reg_log_warn("%s:%zu: user listed again (first at line "
				     "%zu), line ignored",
				     h->path, h->entries[i].line,
				     h->entries[h->n - 1].line);
			continue;
		}
		h->entries[h->n++] = h->entries[i];
		if (!h->entries[i].strong)
			nweak++;
	}
	if (nweak > 0)
		reg_log_warn("%s: %zu user(s) with a weak or unknown password "
			     "scheme can never log in (use htpasswd -B)",
			     h->path, nweak);
	choose_dummy(h);
}

/* Re-read the file if stat says it changed (or on first use). */
static void
refresh(struct reg_htpasswd *h)
{
	struct reg_file_sig now;
	struct reg_buf b;
	struct reg_err err;
	mode_t mode;

	reg_file_sig_of(&now, h->path);
	if (h->seen && reg_file_sig_equal(&now, &h->sig))
		return;
	clear_entries(h);
	h->seen = true;
	h->sig = now;
	set_default_dummy(h);
	if (now.err != 0) {
		reg_log_err("%s: %s; nobody can log in", h->path,
			    strerror(now.err));
		return;
	}
	if (reg_file_read(h->path, REG_HTPASSWD_FILE_MAX, &b, &now, &mode,
			  &err) == -1) {
		reg_log_err("%s; nobody can log in", err.detail);
		return;
	}
	/* Remember what we read, not what stat saw a moment before. */
	h->sig = now;
	if (mode & S_IROTH)
		reg_log_warn("%s: readable by others", h->path);
	h->text = reg_buf_detach(&b, &h->textlen);
	h->usable = true;
	parse_text(h);
}

struct reg_htpasswd *
reg_htpasswd_new(const char *path)
{
	struct reg_htpasswd *h = reg_xcalloc(1, sizeof(*h));

	h->path = reg_xstrdup(path);
	set_default_dummy(h);
	return h;
}

void
reg_htpasswd_free(struct reg_htpasswd *h)
{
	size_t i;

	if (h == NULL)
		return;
	clear_entries(h);
	for (i = 0; i < h->nwarned; i++)
		free(h->warned[i]);
	free(h->warned);
	free(h->path);
	free(h);
}

/* Log a weak entry once per user for the life of the process. */
static void
warn_weak(struct reg_htpasswd *h, const struct entry *e)
{
	size_t i;

	for (i = 0; i < h->nwarned; i++) {
		if (strcmp(h->warned[i], e->user) == 0)
			return;
	}
	reg_log_warn("%s: user \"%s\": %s password refused (use htpasswd "
		     "-B)",
		     h->path, e->user, reg_password_scheme(e->hash));
	h->warned =
		reg_xrealloc(h->warned, (h->nwarned + 1) * sizeof(*h->warned));
	h->warned[h->nwarned++] = reg_xstrdup(e->user);
}

/* crypt_rn, then a constant-time comparison of the whole output. */
static bool
verify(const char *password, const char *setting)
{
	struct crypt_data *data = reg_xcalloc(1, sizeof(*data));
	const char *out;
	size_t want = strlen(setting);
	bool ok = false;

	out = crypt_rn(password, setting, data, (int)sizeof(*data));
	if (out != NULL && out[0] != '*' && strlen(out) == want &&
	    CRYPTO_memcmp(out, setting, want) == 0)
		ok = true;
	OPENSSL_cleanse(data, sizeof(*data));
	free(data);
	return ok;
}

static bool
user_is_possible(const char *user)
{
	size_t len = strnlen(user, REG_HTPASSWD_USER_MAX + 1);

	return len > 0 && len <= REG_HTPASSWD_USER_MAX &&
	       strchr(user, ':') == NULL && !has_ctl(user, len);
}

int
reg_htpasswd_check(struct reg_htpasswd *h, const char *user,
		   const char *password, struct reg_err *err)
{
	const struct entry *e = NULL;
	const char *setting;
	bool ok;

	if (h == NULL || user == NULL || password == NULL ||
	    strnlen(password, REG_PASSWORD_MAX + 1) > REG_PASSWORD_MAX ||
	    !user_is_possible(user))
		goto fail;
	refresh(h);
	if (h->usable)
		e = bsearch(user, h->entries, h->n, sizeof(*h->entries),
			    cmp_user);
	if (e != NULL && !e->strong)
		warn_weak(h, e);
	setting = e != NULL && e->strong ? e->hash : h->dummy;
	ok = verify(password, setting);
	if (ok && e != NULL && e->strong)
		return 0;
fail:
	return reg_err_set(err, REG_E_UNAUTHORIZED, "authentication failed");
}

int
reg_htpasswd_each(struct reg_htpasswd *h,
		  int (*fn)(const char *user, const char *scheme, bool strong,
			    void *ctx),
		  void *ctx, struct reg_err *err)
{
	size_t i;

	refresh(h);
	if (!h->usable)
		return reg_err_set(err, REG_E_UNAVAILABLE, "%s: cannot be read",
				   h->path);
	for (i = 0; i < h->n; i++) {
		const struct entry *e = &h->entries[i];
		int rc = fn(e->user, reg_password_scheme(e->hash), e->strong,
			    ctx);
		if (rc != 0)
			return rc;
	}
	return 0;
}

/* RFC 4648 base64 digit value, or -1. */
static int
b64_value(char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

/*
 * Strict base64: whole quads, '=' only as the last one or two characters,
 * unused bits zero.  Returns the decoded length, or -1.
 */
static long
b64_decode(const char *in, size_t len, unsigned char *out, size_t outsz)
{
	size_t i, o = 0, pad = 0;

	if (len == 0 || len % 4 != 0 || len / 4 * 3 > outsz)
		return -1;
	if (in[len - 1] == '=')
		pad = in[len - 2] == '=' ? 2 : 1;
	for (i = 0; i < len; i += 4) {
		int v[4], k;
		bool last = i + 4 == len;

		for (k = 0; k < 4; k++) {
			if (last && k >= 4 - (int)pad) {
				v[k] = 0;
				continue;
			}
			v[k] = b64_value(in[i + k]);
			if (v[k] < 0)
				return -1;
		}
		if (last && pad == 2 && (v[1] & 0x0f) != 0)
			return -1;
		if (last && pad == 1 && (v[2] & 0x03) != 0)
			return -1;
		out[o++] = (unsigned char)(v[0] << 2 | v[1] >> 4);
		if (!last || pad < 2)
			out[o++] =
				(unsigned char)((v[1] & 0x0f) << 4 | v[2] >> 2);
		if (!last || pad < 1)
			out[o++] = (unsigned char)((v[2] & 0x03) << 6 | v[3]);
	}
	return (long)o;
}

#define BASIC_HEADER_MAX 4096

int
reg_basic_auth_parse(const char *header, char *user, size_t usersz, char *pass,
		     size_t passsz)
{
	unsigned char dec[BASIC_HEADER_MAX / 4 * 3 + 1];
	const unsigned char *colon;
	size_t len, ulen, plen;
	long n;
	int rc = -1;

	if (header == NULL)
		return -1;
	len = strnlen(header, BASIC_HEADER_MAX + 1);
	if (len > BASIC_HEADER_MAX || len < 6 ||
	    strncasecmp(header, "Basic ", 6) != 0)
		return -1;
	header += 6;
	len -= 6;
	while (len > 0 && *header == ' ') {
		header++;
		len--;
	}
	while (len > 0 && is_space(header[len - 1]))
		len--;
	n = b64_decode(header, len, dec, sizeof(dec));
	if (n < 0)
		return -1;
	colon = memchr(dec, ':', (size_t)n);
	if (colon == NULL)
		goto out;
	ulen = (size_t)(colon - dec);
	plen = (size_t)n - ulen - 1;
	if (ulen == 0 || ulen >= usersz || plen >= passsz ||
	    has_ctl((const char *)dec, ulen) ||
	    memchr(colon + 1, '\0', plen) != NULL)
		goto out;
	memcpy(user, dec, ulen);
	user[ulen] = '\0';
	memcpy(pass, colon + 1, plen);
	pass[plen] = '\0';
	rc = 0;
out:
	OPENSSL_cleanse(dec, sizeof(dec));
	return rc;
}
