/* test_htpasswd.c: htpasswd files made by the real htpasswd, Basic headers */
/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <dirent.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../../lib/htpasswd.c"
#include "log.h"
#include "t.h"

extern char **environ;

static char tmpdir[256];
static char logpath[300];

static void
path_in_tmp(char *out, size_t outsz, const char *name)
{
	int n = snprintf(out, outsz, "%s/%s", tmpdir, name);

	if (n < 0 || (size_t)n >= outsz)
		abort();
}

static void
write_file(const char *path, const char *text, size_t len)
{
	FILE *f = fopen(path, "w");

	if (f == NULL || fwrite(text, 1, len, f) != len || fclose(f) != 0) {
		perror(path);
		exit(1);
	}
}

/* The whole file as a string (the caller frees); "" if missing. */
static char *
slurp(const char *path)
{
	struct reg_buf b;
	FILE *f = fopen(path, "r");

	reg_buf_init(&b, (size_t)64 << 20);
	if (f != NULL) {
		char chunk[4096];
		size_t n;

		while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
			reg_buf_add(&b, chunk, n);
		fclose(f);
	}
	return reg_buf_detach(&b, NULL);
}

static size_t
count(const char *hay, const char *needle)
{
	size_t n = 0;
	const char *p = hay;

	while ((p = strstr(p, needle)) != NULL) {
		n++;
		p++;
	}
	return n;
}

/* Run the real htpasswd (never through a shell); fail if it is missing. */
static void
htpasswd(const char *const *args)
{
	const char *argv[12] = { "htpasswd" };
	posix_spawn_file_actions_t fa;
	pid_t pid;
	int st, i;

	for (i = 0; args[i] != NULL; i++)
		argv[i + 1] = args[i];
	argv[i + 1] = NULL;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	if (posix_spawnp(&pid, "htpasswd", &fa, NULL, (char *const *)argv,
			 environ) != 0) {
		fprintf(stderr, "# htpasswd (apache2-utils) is required\n");
		exit(1);
	}
	posix_spawn_file_actions_destroy(&fa);
	if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) ||
	    WEXITSTATUS(st) != 0) {
		fprintf(stderr, "# htpasswd %s %s failed\n", args[0],
			args[1] ? args[1] : "");
		exit(1);
	}
}

static void
set_mtime(const char *path, time_t t)
{
	struct timespec ts[2] = { { t, 0 }, { t, 0 } };

	if (utimensat(AT_FDCWD, path, ts, 0) != 0) {
		perror(path);
		exit(1);
	}
}

static void
log_to_file(void)
{
	struct reg_log_cfg cfg;

	memset(&cfg, 0, sizeof(cfg));
	cfg.level = REG_LOG_WARN;
	cfg.file = logpath;
	unlink(logpath);
	if (reg_log_setup(&cfg) != 0)
		exit(1);
}

static bool
check(struct reg_htpasswd *h, const char *user, const char *pw)
{
	struct reg_err err;
	int rc;

	memset(&err, 0, sizeof(err));
	rc = reg_htpasswd_check(h, user, pw, &err);
	if (rc == 0)
		return true;
	T_EQ_INT(rc, -1);
	T_EQ_INT(err.code, REG_E_UNAUTHORIZED);
	/* The same words whatever the reason. */
	T_EQ_STR(err.detail, "authentication failed");
	return false;
}

static char mainfile[300];

/* One file with a user for every scheme Debian's htpasswd can write. */
static void
make_main_file(void)
{
	path_in_tmp(mainfile, sizeof(mainfile), "main.htpasswd");
	htpasswd((const char *const[]){ "-bcB", "-C", "4", mainfile, "alice",
					"alice-pw", NULL });
	htpasswd((const char *const[]){ "-bB", mainfile, "heidi", "heidi-pw",
					NULL });
	htpasswd((const char *const[]){ "-b2", mainfile, "bob", "bob-pw",
					NULL });
	htpasswd((const char *const[]){ "-b5", mainfile, "carol",
					"carol pw: with colon", NULL });
	htpasswd((const char *const[]){ "-b5", "-r", "1000", mainfile, "ivan",
					"ivan-pw", NULL });
	htpasswd((const char *const[]){ "-bm", mainfile, "dave", "dave-pw",
					NULL });
	htpasswd((const char *const[]){ "-bs", mainfile, "erin", "erin-pw",
					NULL });
	htpasswd((const char *const[]){ "-bp", mainfile, "frank", "frank-pw",
					NULL });
	htpasswd((const char *const[]){ "-bd", mainfile, "grace", "grace-pw",
					NULL });
}

static void
test_schemes(void)
{
	static const struct {
		int line;
		const char *user;
		const char *pw;
		bool want;
	} rows[] = {
		{ __LINE__, "alice", "alice-pw", true },
		{ __LINE__, "alice", "alice-pW", false },
		{ __LINE__, "alice", "alice-pw ", false },
		{ __LINE__, "alice", "", false },
		{ __LINE__, "heidi", "heidi-pw", true },
		{ __LINE__, "bob", "bob-pw", true },
		{ __LINE__, "bob", "bob-p", false },
		{ __LINE__, "carol", "carol pw: with colon", true },
		{ __LINE__, "carol", "carol pw", false },
		{ __LINE__, "ivan", "ivan-pw", true },
		/* Weak schemes never authenticate, right password or not. */
		{ __LINE__, "dave", "dave-pw", false },
		{ __LINE__, "erin", "erin-pw", false },
		{ __LINE__, "frank", "frank-pw", false },
		{ __LINE__, "grace", "grace-pw", false },
		{ __LINE__, "dave", "wrong", false },
		/* Unknown users, and names that cannot be in the file. */
		{ __LINE__, "mallory", "alice-pw", false },
		{ __LINE__, "Alice", "alice-pw", false },
		{ __LINE__, "alice ", "alice-pw", false },
		{ __LINE__, "", "alice-pw", false },
		{ __LINE__, "alice:x", "alice-pw", false },
		{ __LINE__, "alice\n", "alice-pw", false },
		/* The hash is not the password. */
		{ __LINE__, "frank", "", false },
	};
	struct reg_htpasswd *h;
	size_t i;
	char *log;

	log_to_file();
	h = reg_htpasswd_new(mainfile);
	for (i = 0; i < T_NITEMS(rows); i++) {
		T_ROW(rows[i].line);
		T_EQ_INT(check(h, rows[i].user, rows[i].pw), rows[i].want);
	}
	T_ROW(0);
	/* Each weak user is logged once, without password or hash. */
	for (i = 0; i < 3; i++)
		T_ASSERT(!check(h, "dave", "dave-pw"));
	log = slurp(logpath);
	/* (The text log escapes the quotes.) */
	T_EQ_INT(count(log, "\\\"dave\\\": apr1-md5 password refused"), 1);
	T_EQ_INT(count(log, "\\\"erin\\\": sha1 password refused"), 1);
	T_EQ_INT(count(log, "\\\"frank\\\": plain-or-unknown password"), 1);
	T_EQ_INT(count(log, "\\\"grace\\\": des-crypt password refused"), 1);
	T_EQ_INT(count(log, "password refused"), 4);
	T_EQ_INT(count(log, "4 user(s) with a weak"), 1);
	T_EQ_INT(count(log, "alice"), 0);
	T_EQ_INT(count(log, "-pw"), 0);
	T_EQ_INT(count(log, "$apr1$"), 0);
	T_EQ_INT(count(log, "{SHA}"), 0);
	free(log);
	/* Strange arguments. */
	T_ASSERT(!check(h, NULL, "x"));
	T_ASSERT(!check(h, "alice", NULL));
	T_ASSERT(!check(NULL, "alice", "alice-pw"));
	reg_htpasswd_free(h);
	reg_htpasswd_free(NULL);
	reg_log_reset();
}

static int
collect(const char *user, const char *scheme, bool strong, void *ctx)
{
	struct reg_buf *b = ctx;

	reg_buf_addf(b, "%s=%s%s;", user, scheme, strong ? "+" : "");
	return 0;
}

static int
stop_at_bob(const char *user, const char *scheme, bool strong, void *ctx)
{
	(void)scheme;
	(void)strong;
	(void)ctx;
	return strcmp(user, "bob") == 0 ? 42 : 0;
}

static void
test_each(void)
{
	struct reg_htpasswd *h = reg_htpasswd_new(mainfile);
	struct reg_err err;
	struct reg_buf b;
	char missing[300];

	log_to_file();
	reg_buf_init(&b, 4096);
	T_EQ_INT(reg_htpasswd_each(h, collect, &b, &err), 0);
	T_EQ_STR(b.data, "alice=bcrypt+;bob=sha256-crypt+;"
			 "carol=sha512-crypt+;dave=apr1-md5;erin=sha1;"
			 "frank=plain-or-unknown;grace=des-crypt;"
			 "heidi=bcrypt+;ivan=sha512-crypt+;");
	T_EQ_INT(reg_htpasswd_each(h, stop_at_bob, NULL, &err), 42);
	reg_htpasswd_free(h);
	path_in_tmp(missing, sizeof(missing), "missing");
	h = reg_htpasswd_new(missing);
	T_EQ_INT(reg_htpasswd_each(h, collect, &b, &err), -1);
	T_EQ_INT(err.code, REG_E_UNAVAILABLE);
	reg_htpasswd_free(h);
	reg_buf_release(&b);
	reg_log_reset();
}

/* A line made with crypt_gensalt_rn for a given prefix ("$2a$"). */
static void
add_crypt_line(struct reg_buf *b, const char *user, const char *prefix,
	       unsigned long count_, const char *pw)
{
	char setting[CRYPT_GENSALT_OUTPUT_SIZE];
	struct crypt_data *cd = calloc(1, sizeof(*cd));
	const char *out;

	if (cd == NULL ||
	    crypt_gensalt_rn(prefix, count_, NULL, 0, setting,
			     (int)sizeof(setting)) == NULL ||
	    (out = crypt_rn(pw, setting, cd, (int)sizeof(*cd))) == NULL)
		abort();
	reg_buf_addf(b, "%s:%s\n", user, out);
	free(cd);
}

static void
test_bcrypt_variants(void)
{
	struct reg_buf b;
	struct reg_htpasswd *h;
	char path[300];
	char *bad;

	log_to_file();
	reg_buf_init(&b, 1 << 20);
	add_crypt_line(&b, "a2a", "$2a$", 4, "pw-2a");
	add_crypt_line(&b, "a2b", "$2b$", 4, "pw-2b");
	add_crypt_line(&b, "a2y", "$2y$", 4, "pw-2y");
	add_crypt_line(&b, "a2x", "$2b$", 4, "pw-2x");
	add_crypt_line(&b, "a1", "$1$", 0, "pw-1");
	add_crypt_line(&b, "ay", "$y$", 0, "pw-y");
	/* "$2b$" made into "$2x$" (the buggy variant) for user a2x. */
	bad = strstr(b.data, "a2x:$2b$");
	T_ASSERT(bad != NULL);
	if (bad != NULL)
		bad[6] = 'x';
	path_in_tmp(path, sizeof(path), "variants");
	write_file(path, b.data, b.len);
	h = reg_htpasswd_new(path);
	T_ASSERT(check(h, "a2a", "pw-2a"));
	T_ASSERT(check(h, "a2b", "pw-2b"));
	T_ASSERT(check(h, "a2y", "pw-2y"));
	T_ASSERT(!check(h, "a2x", "pw-2x"));
	T_ASSERT(!check(h, "a1", "pw-1"));
	T_ASSERT(!check(h, "ay", "pw-y"));
	T_ASSERT(!check(h, "a2b", "pw-2a"));
	reg_htpasswd_free(h);
	reg_buf_release(&b);
	reg_log_reset();
}

/* crypt takes passwords up to 511 bytes; longer ones are refused. */
static void
test_password_length(void)
{
	char pw[REG_PASSWORD_MAX + 2];
	struct reg_buf b;
	struct reg_htpasswd *h;
	char path[300];

	log_to_file();
	memset(pw, 'p', sizeof(pw));
	pw[REG_PASSWORD_MAX] = '\0';
	reg_buf_init(&b, 1 << 20);
	add_crypt_line(&b, "long", "$6$", 5000, pw);
	path_in_tmp(path, sizeof(path), "long");
	write_file(path, b.data, b.len);
	h = reg_htpasswd_new(path);
	T_ASSERT(check(h, "long", pw));
	pw[REG_PASSWORD_MAX] = 'p';
	pw[REG_PASSWORD_MAX + 1] = '\0';
	T_ASSERT(!check(h, "long", pw));
	reg_htpasswd_free(h);
	reg_buf_release(&b);
	reg_log_reset();
}

static void
test_reload(void)
{
	char path[300], tmp[300], saved_a[300];
	struct reg_htpasswd *h;
	char *log, *a, *b;

	log_to_file();
	path_in_tmp(path, sizeof(path), "reload");
	path_in_tmp(tmp, sizeof(tmp), "reload.tmp");
	path_in_tmp(saved_a, sizeof(saved_a), "reload.a");
	htpasswd((const char *const[]){ "-bcB", "-C", "4", path, "u", "one",
					NULL });
	set_mtime(path, 1000000000);
	h = reg_htpasswd_new(path);
	T_ASSERT(check(h, "u", "one"));
	T_ASSERT(!check(h, "u", "two"));
	a = slurp(path);
	write_file(saved_a, a, strlen(a));

	/* Rewritten in place: same inode, same size, another mtime. */
	htpasswd((const char *const[]){ "-bcB", "-C", "4", tmp, "u", "two",
					NULL });
	b = slurp(tmp);
	T_EQ_INT(strlen(a), strlen(b));
	write_file(path, b, strlen(b));
	set_mtime(path, 1000000100);
	T_ASSERT(check(h, "u", "two"));
	T_ASSERT(!check(h, "u", "one"));

	/* Replaced by rename, a new user added: another inode and size. */
	htpasswd((const char *const[]){ "-bB", "-C", "4", tmp, "v", "three",
					NULL });
	T_EQ_INT(rename(tmp, path), 0);
	T_ASSERT(check(h, "v", "three"));
	T_ASSERT(check(h, "u", "two"));

	/* Removed: nobody; logged once, not at every attempt. */
	T_EQ_INT(unlink(path), 0);
	T_ASSERT(!check(h, "u", "two"));
	T_ASSERT(!check(h, "v", "three"));
	log = slurp(logpath);
	T_EQ_INT(count(log, "No such file or directory; nobody can log in"), 1);
	free(log);

	/* Back again. */
	write_file(path, a, strlen(a));
	T_ASSERT(check(h, "u", "one"));
	T_ASSERT(!check(h, "v", "three"));

	/* Not a regular file. */
	T_EQ_INT(unlink(path), 0);
	T_EQ_INT(mkdir(path, 0700), 0);
	T_ASSERT(!check(h, "u", "one"));
	T_EQ_INT(rmdir(path), 0);

	/* Too big: 16 MiB + 1 (sparse). */
	write_file(path, a, strlen(a));
	T_ASSERT(check(h, "u", "one"));
	T_EQ_INT(truncate(path, REG_HTPASSWD_FILE_MAX + 1), 0);
	T_ASSERT(!check(h, "u", "one"));
	log = slurp(logpath);
	T_EQ_INT(count(log, "larger than 16777216 bytes; nobody"), 1);
	free(log);
	/* Exactly the limit is read (the NUL padding is a bad line). */
	T_EQ_INT(truncate(path, REG_HTPASSWD_FILE_MAX), 0);
	T_ASSERT(check(h, "u", "one"));
	write_file(path, a, strlen(a));
	T_ASSERT(check(h, "u", "one"));

	/* Readable by others: a warning each time it is read. */
	log = slurp(logpath);
	T_ASSERT(count(log, "reload: readable by others") > 0);
	free(log);
	log_to_file();
	T_EQ_INT(chmod(path, 0600), 0);
	T_ASSERT(check(h, "u", "one"));
	log = slurp(logpath);
	T_EQ_INT(count(log, "readable by others"), 0);
	free(log);

	unlink(path);
	free(a);
	free(b);
	reg_htpasswd_free(h);
	reg_log_reset();
}

/* Lines that are not entries; the good ones around them still work. */
static void
test_lines(void)
{
	struct reg_buf f, long_line;
	struct reg_htpasswd *h;
	char path[300], user256[REG_HTPASSWD_USER_MAX + 2];
	char *good, *hash, *log;

	log_to_file();
	path_in_tmp(path, sizeof(path), "lines");
	htpasswd((const char *const[]){ "-bcB", "-C", "4", path, "x", "pw",
					NULL });
	good = slurp(path);
	hash = strchr(good, ':') + 1;
	hash[strcspn(hash, "\r\n")] = '\0';

	reg_buf_init(&f, 1 << 20);
	reg_buf_init(&long_line, 1 << 20);
	reg_buf_addf(&f, "# a comment\n\n   \n\t# indented comment\n");
	reg_buf_addf(&f, "crlf:%s\r\n", hash);
	reg_buf_addf(&f, "  spaced:%s  \n", hash);
	reg_buf_addf(&f, "extra:%s:Some Comment\n", hash);
	reg_buf_addf(&f, "dup:%s\n", hash);
	reg_buf_addf(&f, "dup:$apr1$Da33IwGj$0am3O5ylVdygK5hbjJZ5y/\n");
	reg_buf_addf(&f, "nocolon\n");
	reg_buf_addf(&f, ":%s\n", hash);
	reg_buf_addf(&f, "ctl\x01user:%s\n", hash);
	reg_buf_addf(&f, "tab\tuser:%s\n", hash);
	reg_buf_addf(&f, "trunc:%.40s\n", hash);
	reg_buf_addf(&f, "empty:\n");
	memset(user256, 'u', REG_HTPASSWD_USER_MAX);
	user256[REG_HTPASSWD_USER_MAX] = '\0';
	reg_buf_addf(&f, "%s:%s\n", user256, hash);
	reg_buf_addf(&f, "%sv:%s\n", user256, hash);
	/* A 4 KiB line is fine, one more byte is not. */
	reg_buf_addf(&long_line, "big4096:%s", hash);
	while (long_line.len < REG_HTPASSWD_LINE_MAX)
		reg_buf_add(&long_line, ":", 1);
	reg_buf_addf(&f, "%s\n", long_line.data);
	reg_buf_reset(&long_line);
	reg_buf_addf(&long_line, "big4097:%s", hash);
	while (long_line.len < REG_HTPASSWD_LINE_MAX + 1)
		reg_buf_add(&long_line, ":", 1);
	reg_buf_addf(&f, "%s\n", long_line.data);
	reg_buf_add(&f, "nul\0user:", 9);
	reg_buf_addf(&f, "%s\n", hash);
	reg_buf_addf(&f, "last:%s", hash); /* no final newline */
	write_file(path, f.data, f.len);

	h = reg_htpasswd_new(path);
	T_ASSERT(check(h, "crlf", "pw"));
	T_ASSERT(check(h, "spaced", "pw"));
	T_ASSERT(check(h, "extra", "pw"));
	T_ASSERT(check(h, "dup", "pw"));
	T_ASSERT(check(h, "last", "pw"));
	T_ASSERT(check(h, user256, "pw"));
	T_ASSERT(check(h, "big4096", "pw"));
	T_ASSERT(!check(h, "big4097", "pw"));
	T_ASSERT(!check(h, "nocolon", "pw"));
	T_ASSERT(!check(h, "ctl\x01user", "pw"));
	T_ASSERT(!check(h, "tab\tuser", "pw"));
	T_ASSERT(!check(h, "trunc", "pw"));
	T_ASSERT(!check(h, "empty", "pw"));
	T_ASSERT(!check(h, "empty", ""));
	T_ASSERT(!check(h, "nul", "pw"));
	user256[REG_HTPASSWD_USER_MAX] = 'v';
	user256[REG_HTPASSWD_USER_MAX + 1] = '\0';
	T_ASSERT(!check(h, user256, "pw"));
	T_ASSERT(!check(h, "# a comment", "pw"));
	log = slurp(logpath);
	T_EQ_INT(count(log, ":9: user listed again (first at line 8)"), 1);
	T_EQ_INT(count(log, ":10: no ':'"), 1);
	T_EQ_INT(count(log, ":11: empty user name"), 1);
	T_EQ_INT(count(log, ":12: control character"), 1);
	T_EQ_INT(count(log, ":13: control character"), 1);
	T_EQ_INT(count(log, ":17: user name too long"), 1);
	T_EQ_INT(count(log, ":19: line too long"), 1);
	T_EQ_INT(count(log, ":20: NUL byte"), 1);
	T_EQ_INT(count(log, "2 user(s) with a weak"), 1); /* trunc, empty */
	T_EQ_INT(count(log, hash), 0);
	free(log);
	reg_htpasswd_free(h);
	reg_buf_release(&f);
	reg_buf_release(&long_line);
	free(good);
	reg_log_reset();
}

/* The dummy setting follows the file, and crypt accepts it. */
static void
test_dummy(void)
{
	static const struct {
		int line;
		const char *text;
		const char *want_prefix;
	} rows[] = {
		{ __LINE__, "", "$2b$10$" },
		{ __LINE__, "a:plain\n", "$2b$10$" },
		{ __LINE__,
		  "a:$2y$05$40XALvrC3IU5JxH0WxZN/."
		  "OzVdNAtiE1NnLnRCoIqcjuDFn6ZbYmK\n",
		  "$2y$05$" },
		{ __LINE__,
		  "a:$2y$05$40XALvrC3IU5JxH0WxZN/."
		  "OzVdNAtiE1NnLnRCoIqcjuDFn6ZbYmK\n"
		  "b:$5$rounds=1000$kG3eurO5SyFf2oqe$"
		  "v6xTv2tQA2ctgI8w1pumoZDnMI1EfhHF89K0PQJVKlD\n"
		  "c:$5$rounds=1000$kG3eurO5SyFf2oqe$"
		  "v6xTv2tQA2ctgI8w1pumoZDnMI1EfhHF89K0PQJVKlD\n",
		  "$5$rounds=1000$" },
		{ __LINE__,
		  "b:$5$v9cYF.VGohYfV2wN$"
		  "d6jVbRPJPIkRhI.vCt9koARlHHrkNhXPyPu00fbBtl9\n",
		  "$5$" },
		{ __LINE__,
		  "a:$2b$12$40XALvrC3IU5JxH0WxZN/."
		  "OzVdNAtiE1NnLnRCoIqcjuDFn6ZbYmK\n"
		  "b:$2b$04$40XALvrC3IU5JxH0WxZN/."
		  "OzVdNAtiE1NnLnRCoIqcjuDFn6ZbYmK\n"
		  "c:$2b$04$40XALvrC3IU5JxH0WxZN/."
		  "OzVdNAtiE1NnLnRCoIqcjuDFn6ZbYmK\n",
		  "$2b$04$" },
	};
	char path[300];
	size_t i;

	log_to_file();
	path_in_tmp(path, sizeof(path), "dummy");
	for (i = 0; i < T_NITEMS(rows); i++) {
		struct reg_htpasswd *h;
		struct crypt_data *cd = reg_xcalloc(1, sizeof(*cd));
		const char *out;

		T_ROW(rows[i].line);
		write_file(path, rows[i].text, strlen(rows[i].text));
		h = reg_htpasswd_new(path);
		T_ASSERT(!check(h, "nobody", "pw"));
		T_ASSERT(strncmp(h->dummy, rows[i].want_prefix,
				 strlen(rows[i].want_prefix)) == 0);
		out = crypt_rn("pw", h->dummy, cd, (int)sizeof(*cd));
		T_ASSERT(out != NULL && out[0] != '*');
		if (out != NULL)
			T_ASSERT(strncmp(out, h->dummy, strlen(h->dummy)) == 0);
		free(cd);
		reg_htpasswd_free(h);
	}
	unlink(path);
	reg_log_reset();
}

static void
test_scheme_names(void)
{
	static const struct {
		int line;
		const char *hash;
		const char *name;
		bool strong;
	} rows[] = {
		{ __LINE__,
		  "$2y$05$40XALvrC3IU5JxH0WxZN/"
		  ".OzVdNAtiE1NnLnRCoIqcjuDFn6ZbYmK",
		  "bcrypt", true },
		{ __LINE__,
		  "$2b$31$40XALvrC3IU5JxH0WxZN/"
		  ".OzVdNAtiE1NnLnRCoIqcjuDFn6ZbYmK",
		  "bcrypt", true },
		{ __LINE__,
		  "$2a$04$40XALvrC3IU5JxH0WxZN/"
		  ".OzVdNAtiE1NnLnRCoIqcjuDFn6ZbYmK",
		  "bcrypt", true },
		{ __LINE__,
		  "$2y$03$40XALvrC3IU5JxH0WxZN/"
		  ".OzVdNAtiE1NnLnRCoIqcjuDFn6ZbYmK",
		  "malformed", false },
		{ __LINE__,
		  "$2y$32$40XALvrC3IU5JxH0WxZN/"
		  ".OzVdNAtiE1NnLnRCoIqcjuDFn6ZbYmK",
		  "malformed", false },
		{ __LINE__,
		  "$2y$5$40XALvrC3IU5JxH0WxZN/"
		  ".OzVdNAtiE1NnLnRCoIqcjuDFn6ZbYmKx",
		  "malformed", false },
		{ __LINE__,
		  "$2y$05$40XALvrC3IU5JxH0WxZN/.OzVdNAtiE1NnLnRCoIqcjuDFn6ZbYm",
		  "malformed", false },
		{ __LINE__,
		  "$2y$05$40XALvrC3IU5JxH0WxZN/"
		  ".OzVdNAtiE1NnLnRCoIqcjuDFn6ZbYmKK",
		  "malformed", false },
		{ __LINE__,
		  "$2y$05$40XALvrC3IU5JxH0WxZN/"
		  ".OzVdNAtiE1NnLnRCoIqcjuDFn6ZbYm+",
		  "malformed", false },
		{ __LINE__, "$2y$05$", "malformed", false },
		{ __LINE__,
		  "$2x$05$40XALvrC3IU5JxH0WxZN/"
		  ".OzVdNAtiE1NnLnRCoIqcjuDFn6ZbYmK",
		  "bcrypt-2x", false },
		{ __LINE__,
		  "$5$v9cYF.VGohYfV2wN$d6jVbRPJPIkRhI."
		  "vCt9koARlHHrkNhXPyPu00fbBtl9",
		  "sha256-crypt", true },
		{ __LINE__,
		  "$5$rounds=1000$kG3eurO5SyFf2oqe$"
		  "v6xTv2tQA2ctgI8w1pumoZDnMI1EfhHF89K0PQJVKlD",
		  "sha256-crypt", true },
		{ __LINE__,
		  "$5$rounds=999$kG3eurO5SyFf2oqe$"
		  "v6xTv2tQA2ctgI8w1pumoZDnMI1EfhHF89K0PQJVKlD",
		  "malformed", false },
		{ __LINE__,
		  "$5$rounds=01000$kG3eurO5SyFf2oqe$"
		  "v6xTv2tQA2ctgI8w1pumoZDnMI1EfhHF89K0PQJVKlD",
		  "malformed", false },
		{ __LINE__,
		  "$5$rounds=1000000000$kG3eurO5SyFf2oqe$"
		  "v6xTv2tQA2ctgI8w1pumoZDnMI1EfhHF89K0PQJVKlD",
		  "malformed", false },
		{ __LINE__,
		  "$5$rounds=$kG3eurO5SyFf2oqe$"
		  "v6xTv2tQA2ctgI8w1pumoZDnMI1EfhHF89K0PQJVKlD",
		  "malformed", false },
		{ __LINE__,
		  "$5$kG3eurO5SyFf2oqeX$"
		  "v6xTv2tQA2ctgI8w1pumoZDnMI1EfhHF89K0PQJVKlD",
		  "malformed", false },
		{ __LINE__, "$5$$v6xTv2tQA2ctgI8w1pumoZDnMI1EfhHF89K0PQJVKlD",
		  "malformed", false },
		{ __LINE__,
		  "$5$v9cYF.VGohYfV2wN$d6jVbRPJPIkRhI."
		  "vCt9koARlHHrkNhXPyPu00fbBtl",
		  "malformed", false },
		{ __LINE__,
		  "$6$V0UIIDntI1Tr7VSz$XzWUNq1PpL0v8Fga4sSqRBEtn/iB/Pw/"
		  "bJEt5vey7g1kpvfskgf8WtVM8XD9Ro0oopDA1IImbdE1rHqHLEdMs0",
		  "sha512-crypt", true },
		{ __LINE__,
		  "$6$V0UIIDntI1Tr7VSz$d6jVbRPJPIkRhI."
		  "vCt9koARlHHrkNhXPyPu00fbBtl9",
		  "malformed", false },
		{ __LINE__, "$apr1$Da33IwGj$0am3O5ylVdygK5hbjJZ5y/", "apr1-md5",
		  false },
		{ __LINE__, "$1$abcdefgh$0am3O5ylVdygK5hbjJZ5y/", "md5-crypt",
		  false },
		{ __LINE__, "{SHA}GpHWL3ymc5liWkNopqtdSjuqYHM=", "sha1",
		  false },
		{ __LINE__, "MGpivg5KPf1eI", "des-crypt", false },
		{ __LINE__, "_J9..CCCCXBrJUJV154M", "bsdi-crypt", false },
		{ __LINE__, "$y$j9T$abc$def", "yescrypt", false },
		{ __LINE__, "pw", "plain-or-unknown", false },
		{ __LINE__, "", "empty", false },
		{ __LINE__, "$", "plain-or-unknown", false },
		{ __LINE__, "$7$whatever", "plain-or-unknown", false },
	};
	size_t i;

	for (i = 0; i < T_NITEMS(rows); i++) {
		T_ROW(rows[i].line);
		T_EQ_STR(reg_password_scheme(rows[i].hash), rows[i].name);
		T_EQ_INT(reg_password_is_strong(rows[i].hash), rows[i].strong);
	}
	T_ROW(0);
	T_EQ_STR(reg_password_scheme(NULL), "empty");
	T_ASSERT(!reg_password_is_strong(NULL));
}

static void
test_basic(void)
{
	static const struct {
		int line;
		const char *hdr;
		const char *user; /* NULL: -1 */
		const char *pass;
	} rows[] = {
		/* "alice:secret" */
		{ __LINE__, "Basic YWxpY2U6c2VjcmV0", "alice", "secret" },
		{ __LINE__, "basic YWxpY2U6c2VjcmV0", "alice", "secret" },
		{ __LINE__, "BASIC YWxpY2U6c2VjcmV0", "alice", "secret" },
		{ __LINE__, "Basic   YWxpY2U6c2VjcmV0", "alice", "secret" },
		{ __LINE__, "Basic YWxpY2U6c2VjcmV0 \t", "alice", "secret" },
		/* "alice:" and "a:b:c" (the first colon splits) */
		{ __LINE__, "Basic YWxpY2U6", "alice", "" },
		{ __LINE__, "Basic YTpiOmM=", "a", "b:c" },
		/* "a:b" "ab:c" with padding of one and two */
		{ __LINE__, "Basic YTpi", "a", "b" },
		{ __LINE__, "Basic YWI6Yw==", "ab", "c" },
		{ __LINE__, "Basic YWI6Yzo=", "ab", "c:" },
		/* UTF-8 user "é:x" */
		{ __LINE__, "Basic w6k6eA==", "\xc3\xa9", "x" },
		/* A tab in the password is allowed: "u:a\tb". */
		{ __LINE__, "Basic dTphCWI=", "u", "a\tb" },
		/* Not Basic, or no credentials. */
		{ __LINE__, "", NULL, NULL },
		{ __LINE__, "Basic", NULL, NULL },
		{ __LINE__, "Basic ", NULL, NULL },
		{ __LINE__, "Basic  ", NULL, NULL },
		{ __LINE__, "Bearer YWxpY2U6c2VjcmV0", NULL, NULL },
		{ __LINE__, "BasicYWxpY2U6c2VjcmV0", NULL, NULL },
		{ __LINE__, "Basic\tYWxpY2U6c2VjcmV0", NULL, NULL },
		{ __LINE__, " Basic YWxpY2U6c2VjcmV0", NULL, NULL },
		{ __LINE__, "Basics YWxpY2U6c2VjcmV0", NULL, NULL },
		/* Bad base64. */
		{ __LINE__, "Basic YWxpY2U6c2VjcmV", NULL, NULL },
		{ __LINE__, "Basic YWxpY2U6c2VjcmV0=", NULL, NULL },
		{ __LINE__, "Basic YWxpY2U6c2Vj cmV0", NULL, NULL },
		{ __LINE__, "Basic YWxpY2U6c2Vj\ncmV0", NULL, NULL },
		{ __LINE__, "Basic YWxpY2U6c2VjcmV0\r\n", NULL, NULL },
		{ __LINE__, "Basic YWxpY2U6c2VjcmV0 x", NULL, NULL },
		{ __LINE__, "Basic YWxp-2U6c2VjcmV0", NULL, NULL },
		{ __LINE__, "Basic YWxp_2U6c2VjcmV0", NULL, NULL },
		{ __LINE__, "Basic YWI6Yw=", NULL, NULL },
		{ __LINE__, "Basic YWI6Yw", NULL, NULL },
		{ __LINE__, "Basic YWI6Yw===", NULL, NULL },
		{ __LINE__, "Basic ====", NULL, NULL },
		{ __LINE__, "Basic YQ==YTpi", NULL, NULL },
		{ __LINE__, "Basic YT=6YTpi", NULL, NULL },
		/* Non-canonical final bits: "YWI6Yx==" also decodes to ab:c. */
		{ __LINE__, "Basic YWI6Yx==", NULL, NULL },
		{ __LINE__, "Basic YWI6Yzp=", NULL, NULL },
		/* No colon, empty user, control characters. */
		{ __LINE__, "Basic YWxpY2U=", NULL, NULL },
		{ __LINE__, "Basic OnNlY3JldA==", NULL, NULL },
		{ __LINE__, "Basic Og==", NULL, NULL },
		{ __LINE__, "Basic YQpiOmM=", NULL, NULL }, /* "a\nb:c" */
		{ __LINE__, "Basic YQBiOmM=", NULL, NULL }, /* "a\0b:c" */
		{ __LINE__, "Basic YX86Yw==", NULL, NULL }, /* "a\x7f:c" */
		{ __LINE__, "Basic YTpiAGM=", NULL, NULL }, /* "a:b\0c" */
		{ __LINE__, "Basic AAAAOmM=", NULL, NULL }, /* NULs, ":c" */
		{ __LINE__, "Basic CTpj", NULL, NULL },	    /* "\t:c" */
	};
	size_t i;

	for (i = 0; i < T_NITEMS(rows); i++) {
		char user[64] = "untouched", pass[64] = "untouched";
		int rc;

		T_ROW(rows[i].line);
		rc = reg_basic_auth_parse(rows[i].hdr, user, sizeof(user), pass,
					  sizeof(pass));
		if (rows[i].user == NULL) {
			T_EQ_INT(rc, -1);
			T_EQ_STR(user, "untouched");
			T_EQ_STR(pass, "untouched");
			continue;
		}
		T_EQ_INT(rc, 0);
		T_EQ_STR(user, rows[i].user);
		T_EQ_STR(pass, rows[i].pass);
	}
	T_ROW(0);
	{
		char user[8], pass[8], *big;
		size_t n;

		T_EQ_INT(reg_basic_auth_parse(NULL, user, 8, pass, 8), -1);
		/* "alice:secret" needs user >= 6 and pass >= 7 bytes. */
		T_EQ_INT(reg_basic_auth_parse("Basic YWxpY2U6c2VjcmV0", user, 5,
					      pass, 8),
			 -1);
		T_EQ_INT(reg_basic_auth_parse("Basic YWxpY2U6c2VjcmV0", user, 6,
					      pass, 6),
			 -1);
		T_EQ_INT(reg_basic_auth_parse("Basic YWxpY2U6c2VjcmV0", user, 6,
					      pass, 7),
			 0);
		T_EQ_STR(user, "alice");
		T_EQ_STR(pass, "secret");
		/* 4 KiB in all is the limit: "Basic   " + 4088 base64. */
		big = reg_xmalloc(8192);
		memcpy(big, "Basic   YTpi", 12); /* "a:b", then "YYYY"s */
		for (n = 12; n < 4096; n++)
			big[n] = 'Y';
		big[4096] = '\0';
		{
			char u[4096], p[4096];

			T_EQ_INT(reg_basic_auth_parse(big, u, sizeof(u), p,
						      sizeof(p)),
				 0);
			T_EQ_STR(u, "a");
			T_EQ_INT(strlen(p), 1 + (4096 - 12) / 4 * 3);
			/* The password must fit, NUL included. */
			T_EQ_INT(reg_basic_auth_parse(big, u, sizeof(u), p,
						      strlen(p)),
				 -1);
			memcpy(big + 4096, "YYYY", 5);
			T_EQ_INT(reg_basic_auth_parse(big, u, sizeof(u), p,
						      sizeof(p)),
				 -1);
			/* Trailing spaces do not sneak past the limit. */
			memcpy(big + 4096, " ", 2);
			T_EQ_INT(reg_basic_auth_parse(big, u, sizeof(u), p,
						      sizeof(p)),
				 -1);
		}
		free(big);
	}
}

static void
remove_tmpdir(void)
{
	DIR *d = opendir(tmpdir);
	struct dirent *de;
	char path[600];

	if (d == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		path_in_tmp(path, sizeof(path), de->d_name);
		unlink(path);
	}
	closedir(d);
	rmdir(tmpdir);
}

int
main(void)
{
	const char *t = getenv("TMPDIR");
	int n, rc;

	n = snprintf(tmpdir, sizeof(tmpdir), "%s/berth-htpasswd.XXXXXX",
		     t && *t ? t : "/tmp");
	if (n < 0 || (size_t)n >= sizeof(tmpdir) || mkdtemp(tmpdir) == NULL)
		return 1;
	path_in_tmp(logpath, sizeof(logpath), "log");
	make_main_file();
	T_RUN(test_schemes, "every htpasswd scheme; weak ones refused");
	T_RUN(test_each, "iterating users and schemes for check-config");
	T_RUN(test_bcrypt_variants,
	      "$2a$ $2b$ $2y$ accepted, $2x$ $1$ $y$ not");
	T_RUN(test_password_length, "passwords up to 511 bytes");
	T_RUN(test_reload, "file changes are picked up");
	T_RUN(test_lines, "comments, CRLF, limits and broken lines");
	T_RUN(test_dummy, "unknown users cost a typical hash");
	T_RUN(test_scheme_names, "scheme names and strength");
	T_RUN(test_basic, "Authorization: Basic parsing");
	rc = T_DONE();
	remove_tmpdir();
	return rc;
}
