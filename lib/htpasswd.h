/* htpasswd.h: Basic-auth passwords from an htpasswd file */
/* SPDX-License-Identifier: MIT */
#ifndef BERTH_HTPASSWD_H
#define BERTH_HTPASSWD_H

#include <stdbool.h>
#include <stddef.h>

#include "err.h"

/*
 * An htpasswd file as Apache's htpasswd writes it: one "user:hash" line per
 * user.  Leading and trailing spaces, blank lines and lines starting with
 * '#' are ignored; anything after a second ':' is ignored (as Apache and
 * nginx do).  Limits: a line is at most REG_HTPASSWD_LINE_MAX bytes, a user
 * name at most REG_HTPASSWD_USER_MAX, the file at most
 * REG_HTPASSWD_FILE_MAX.  A line breaking a limit, without ':', with an
 * empty user or one holding control bytes, or with a NUL byte is skipped
 * (and logged with its line number); for a user listed twice the first line
 * counts.
 *
 * Only strong schemes authenticate: bcrypt ($2y$, $2b$, $2a$; htpasswd -B)
 * and SHA-crypt ($5$, $6$; htpasswd -2, -5), and only when well formed.
 * Everything else ($apr1$ from htpasswd -m, $1$, DES crypt from -d, {SHA}
 * from -s, plain text from -p, $2x$, yescrypt, garbage) never
 * authenticates; the first attempt of such a user in a process logs a
 * warning (the user name, never the password or the hash).
 *
 * The file is read when first needed and again whenever stat(2) shows it
 * changed (device, inode, size, mtime or ctime): at most one stat per call,
 * no restart needed.  While it cannot be read (missing, not a regular file,
 * too big, I/O error) nobody authenticates; the error is logged once per
 * change of the file.  A file readable by others is logged as a warning.
 */
#define REG_HTPASSWD_LINE_MAX 4096
#define REG_HTPASSWD_USER_MAX 256
#define REG_HTPASSWD_FILE_MAX ((size_t)16 << 20)
/* Longest password crypt(3) takes (libxcrypt: 511 bytes). */
#define REG_PASSWORD_MAX 511

struct reg_htpasswd;

/*
 * Make a checker for the file at path (copied).  Nothing is read yet, so
 * this cannot fail (allocation failure aborts).  Free with
 * reg_htpasswd_free.
 */
struct reg_htpasswd *reg_htpasswd_new(const char *path);
/* Free h and wipe what it held; NULL is fine. */
void reg_htpasswd_free(struct reg_htpasswd *h);

/*
 * Check a user name and password.  Returns 0 if the user has a strong hash
 * that the password matches, else -1 with err set to REG_E_UNAUTHORIZED and
 * the same detail whatever the reason, so a caller cannot tell an unknown
 * user from a wrong password.  The time spent does not tell either: an
 * unknown user, or one with a weak scheme, costs one hash computation with
 * the parameters most common in the file (bcrypt cost 10 if it has no
 * strong entry).  A password longer than REG_PASSWORD_MAX and a user name
 * that cannot be in the file (empty, too long, holding ':' or control
 * bytes) fail at once.  The hash output is compared with CRYPTO_memcmp and
 * the work area wiped.
 */
int reg_htpasswd_check(struct reg_htpasswd *h, const char *user,
		       const char *password, struct reg_err *err);

/*
 * For berthctl check-config: re-read the file if it changed, then call fn
 * for each entry in user order with the user name, reg_password_scheme() of
 * its hash and whether it can ever authenticate.  fn returns 0 to go on,
 * anything else to stop (which is then returned).  Returns -1 with err
 * (REG_E_UNAVAILABLE) if the file cannot be read.  The strings are valid
 * during the call only.
 */
int reg_htpasswd_each(struct reg_htpasswd *h,
		      int (*fn)(const char *user, const char *scheme,
				bool strong, void *ctx),
		      void *ctx, struct reg_err *err);

/*
 * Name the scheme of a stored hash: "bcrypt", "sha256-crypt",
 * "sha512-crypt" (the strong ones), "bcrypt-2x", "apr1-md5", "md5-crypt",
 * "sha1", "des-crypt", "bsdi-crypt", "yescrypt", "empty", or "malformed"
 * for a strong prefix with a broken body, "plain-or-unknown" for anything
 * else.  Never NULL; a static string.
 */
const char *reg_password_scheme(const char *hash);
/* True if hash is a well-formed bcrypt or SHA-crypt hash. */
bool reg_password_is_strong(const char *hash);

/*
 * Parse an Authorization header value "Basic <base64(user:password)>".
 * The scheme name is case-insensitive and followed by one or more spaces;
 * trailing spaces and tabs are ignored.  The base64 must be strict (RFC
 * 4648 alphabet, padded, no whitespace, canonical final bits); the value is
 * at most 4 KiB.  The decoded text splits at its first ':'; the user must
 * be non-empty and free of control bytes, the password free of NUL bytes.
 * Writes NUL-terminated user and password (the password may be empty) and
 * returns 0, or returns -1 (malformed, or a part does not fit its buffer)
 * leaving both buffers untouched.  Decoded copies are wiped with
 * OPENSSL_cleanse; the caller wipes pass when done.
 */
int reg_basic_auth_parse(const char *header, char *user, size_t usersz,
			 char *pass, size_t passsz);

#endif
