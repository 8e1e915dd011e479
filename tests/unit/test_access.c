/* test_access.c: table tests for the access rules and their glob matcher */
/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "access.h"
#include "buf.h"
#include "err.h"
#include "log.h"
#include "netaddr.h"
#include "t.h"

#include "banned.h"

static char tmpdir[256];
static char rules_path[300];
static char groups_path[300];
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

static void
write_str(const char *path, const char *text)
{
	write_file(path, text, strlen(text));
}

/* Give the file a new mtime so that a rewrite is seen whatever the clock. */
static void
bump_mtime(const char *path)
{
	static time_t t = 1000000000;
	struct timespec ts[2];

	t += 10;
	ts[0].tv_sec = ts[1].tv_sec = t;
	ts[0].tv_nsec = ts[1].tv_nsec = 0;
	if (utimensat(AT_FDCWD, path, ts, 0) != 0)
		exit(1);
}

static size_t
count_in_log(const char *needle)
{
	char buf[65536];
	size_t n = 0, len;
	const char *p;
	FILE *f = fopen(logpath, "r");

	if (f == NULL)
		return 0;
	len = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[len] = '\0';
	for (p = buf; (p = strstr(p, needle)) != NULL; p++)
		n++;
	return n;
}

static void
log_to_file(void)
{
	struct reg_log_cfg cfg;

	memset(&cfg, 0, sizeof(cfg));
	cfg.level = REG_LOG_INFO;
	cfg.file = logpath;
	unlink(logpath);
	if (reg_log_setup(&cfg) != 0)
		exit(1);
}

/* Load rules (and groups, if not NULL) from text; NULL on failure. */
static struct reg_access *
load(const char *rules, const char *groups, struct reg_err *err)
{
	struct reg_access *a = NULL;

	write_str(rules_path, rules);
	if (groups != NULL)
		write_str(groups_path, groups);
	memset(err, 0, sizeof(*err));
	if (reg_access_load(&a, rules_path, groups ? groups_path : NULL, err) ==
	    -1) {
		T_ASSERT(a == NULL);
		return NULL;
	}
	return a;
}

static void
test_glob(void)
{
	static const struct {
		int line;
		const char *glob;
		const char *user;
		const char *name;
		bool want;
	} rows[] = {
		{ __LINE__, "alice/*", NULL, "alice/x", true },
		{ __LINE__, "alice/*", NULL, "alice/x.y-z_w", true },
		{ __LINE__, "alice/*", NULL, "alice/x/y", false },
		{ __LINE__, "alice/*", NULL, "alice", false },
		{ __LINE__, "alice/*", NULL, "alicex/y", false },
		{ __LINE__, "alice/*", NULL, "bob/alice/x", false },
		{ __LINE__, "team/**", NULL, "team/x", true },
		{ __LINE__, "team/**", NULL, "team/x/y/z", true },
		{ __LINE__, "team/**", NULL, "team", false },
		{ __LINE__, "team/**", NULL, "teamx/y", false },
		{ __LINE__, "team/**", NULL, "x/team/y", false },
		{ __LINE__, "**", NULL, "a", true },
		{ __LINE__, "**", NULL, "a/b/c", true },
		{ __LINE__, "*", NULL, "a", true },
		{ __LINE__, "*", NULL, "a/b", false },
		{ __LINE__, "a*b", NULL, "ab", true },
		{ __LINE__, "a*b", NULL, "axxb", true },
		{ __LINE__, "a*b", NULL, "a/b", false },
		{ __LINE__, "a*b", NULL, "abc", false },
		{ __LINE__, "*/*", NULL, "a/b", true },
		{ __LINE__, "*/*", NULL, "a/b/c", false },
		{ __LINE__, "**/x", NULL, "a/b/x", true },
		{ __LINE__, "**/x", NULL, "a/x", true },
		{ __LINE__, "**/x", NULL, "x", false },
		{ __LINE__, "a/**/b", NULL, "a/b", false },
		{ __LINE__, "a/**/b", NULL, "a/x/b", true },
		{ __LINE__, "a/**/b", NULL, "a/x/y/b", true },
		{ __LINE__, "a/**/b", NULL, "a/x/y/bc", false },
		{ __LINE__, "lib/alpine", NULL, "lib/alpine", true },
		{ __LINE__, "lib/alpine", NULL, "lib/alpine2", false },
		{ __LINE__, "lib/alpine", NULL, "lib/alpin", false },
		{ __LINE__, "a.b", NULL, "axb", false },
		{ __LINE__, "", NULL, "", true },
		{ __LINE__, "", NULL, "a", false },
		/* ${user} is the caller's name, literally. */
		{ __LINE__, "${user}/**", "alice", "alice/x", true },
		{ __LINE__, "${user}/**", "alice", "alice/x/y", true },
		{ __LINE__, "${user}/**", "alice", "alicex/y", false },
		{ __LINE__, "${user}/**", "alice", "bob/x", false },
		{ __LINE__, "${user}/**", "alice", "alice", false },
		{ __LINE__, "${user}", "alice", "alice", true },
		{ __LINE__, "${user}/*", "a", "a/b", true },
		{ __LINE__, "${user}/*", "a", "ab/c", false },
		{ __LINE__, "pre-${user}-*", "alice", "pre-alice-x", true },
		{ __LINE__, "pre-${user}-*", "alice", "pre-bob-x", false },
		{ __LINE__, "${user}/${user}", "a", "a/a", true },
		{ __LINE__, "${user}/${user}", "a", "a/b", false },
		{ __LINE__, "${user}/**", "a.b", "a.b/x", true },
		{ __LINE__, "${user}/**", "a.b", "axb/x", false },
		{ __LINE__, "${user}/**", "a-b_c", "a-b_c/x", true },
		/* Anonymous, and user names that could widen the match. */
		{ __LINE__, "${user}/**", NULL, "alice/x", false },
		{ __LINE__, "${user}/**", NULL, "/x", false },
		{ __LINE__, "${user}/**", "", "/x", false },
		{ __LINE__, "${user}/**", "a*", "a/x", false },
		{ __LINE__, "${user}/**", "a*", "ab/x", false },
		{ __LINE__, "${user}/**", "a*", "a*/x", false },
		{ __LINE__, "${user}/**", "**", "x/y", false },
		{ __LINE__, "${user}/**", "*", "x/y", false },
		{ __LINE__, "${user}/**", "x/y", "x/y/z", false },
		{ __LINE__, "${user}/**", "x/", "x/y", false },
		{ __LINE__, "${user}/**", "..", "../x", false },
		{ __LINE__, "${user}/**", ".", "./x", false },
		{ __LINE__, "${user}/**", "Alice", "Alice/x", false },
		{ __LINE__, "${user}/**", "alice bob", "alice bob/x", false },
		{ __LINE__, "${user}/**", "a?", "ab/x", false },
		{ __LINE__, "${user}/**", "a[b]", "a[b]/x", false },
		{ __LINE__, "${user}/**", "${user}", "${user}/x", false },
		{ __LINE__, "${user}/**", "-a", "-a/x", false },
		/* Only "${user}" is special; other '$' text is literal. */
		{ __LINE__, "${usr}/x", "alice", "${usr}/x", true },
		{ __LINE__, "${usr}/x", "alice", "alice/x", false },
		/* Patterns that would make a backtracking matcher crawl. */
		{ __LINE__, "*a*a*a*a*a*a*a*a*a*a*a*a*b", NULL,
		  "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
		  "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
		  "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
		  "a",
		  false },
		{ __LINE__, "**a**a**a**a**a**a**a**a**a**a**b", NULL,
		  "a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/"
		  "a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/"
		  "a/",
		  false },
		{ __LINE__, "**a**a**a**b", NULL, "a/a/a/a/a/a/a/a/a/a/a/b",
		  true },
	};
	size_t i;

	for (i = 0; i < T_NITEMS(rows); i++) {
		T_ROW(rows[i].line);
		T_EQ_INT(reg_access_glob_match(rows[i].glob, rows[i].user,
					       rows[i].name),
			 rows[i].want);
	}
	T_ROW(0);
	T_ASSERT(!reg_access_glob_match(NULL, "a", "a"));
	T_ASSERT(!reg_access_glob_match("a", "a", NULL));
	{
		/* Expanding past the atom limit matches nothing. */
		struct reg_buf g, user, name;
		int k;

		reg_buf_init(&g, 1 << 16);
		reg_buf_init(&user, 1 << 16);
		reg_buf_init(&name, 1 << 16);
		for (k = 0; k < 200; k++)
			reg_buf_add(&user, "u", 1);
		for (k = 0; k < 8; k++) {
			reg_buf_adds(&g, "${user}");
			reg_buf_adds(&name, user.data);
		}
		T_ASSERT(reg_access_glob_match(g.data, user.data, name.data));
		for (k = 0; k < 3; k++) {
			reg_buf_adds(&g, "${user}");
			reg_buf_adds(&name, user.data);
		}
		T_ASSERT(!reg_access_glob_match(g.data, user.data, name.data));
		reg_buf_release(&g);
		reg_buf_release(&user);
		reg_buf_release(&name);
	}
}

static const char example_rules[] =
	"# subject    repository-glob   actions              [networks]\n"
	"alice        alice/*           pull,push,delete\n"
	"@devs        team/**           pull,push            10.0.0.0/8, "
	"fd00::/8\n"
	"*            ${user}/**        *\n"
	"anonymous    public/**         pull\n"
	"*            **                none\n";

static const char example_groups[] = "# groups\n"
				     "devs: bob carol\n"
				     "\n"
				     "devs:dan\n"
				     "admins :\troot  alice\n"
				     "empty:\n";

static void
test_example(void)
{
	enum {
		P = REG_ACCESS_PULL,
		U = REG_ACCESS_PUSH,
		D = REG_ACCESS_DELETE
	};
	static const struct {
		int line;
		const char *user;
		const char *repo;
		const char *peer; /* NULL: unknown */
		unsigned want;
	} rows[] = {
		{ __LINE__, "alice", "alice/x", "192.0.2.1", P | U | D },
		{ __LINE__, "alice", "alice/x", NULL, P | U | D },
		/* alice/x/y skips rule 1 and meets ${user}/\**. */
		{ __LINE__, "alice", "alice/x/y", NULL, P | U | D },
		{ __LINE__, "alice", "alice", NULL, 0 },
		{ __LINE__, "alice", "team/x", "10.1.2.3", 0 },
		{ __LINE__, "alice", "bob/x", NULL, 0 },
		/* Groups and networks. */
		{ __LINE__, "bob", "team/x", "10.1.2.3", P | U },
		{ __LINE__, "bob", "team/x/y", "::ffff:10.1.2.3", P | U },
		{ __LINE__, "carol", "team/x", "fd00::1", P | U },
		{ __LINE__, "dan", "team/x", "10.0.0.1", P | U },
		{ __LINE__, "bob", "team/x", "192.0.2.1", 0 },
		{ __LINE__, "bob", "team/x", "fe00::1", 0 },
		{ __LINE__, "bob", "team/x", NULL, 0 },
		{ __LINE__, "root", "team/x", "10.0.0.1", 0 },
		{ __LINE__, "bob", "bob/x", "10.0.0.1", P | U | D },
		/* Anonymous. */
		{ __LINE__, NULL, "public/x", NULL, P },
		{ __LINE__, NULL, "public/x/y", "192.0.2.1", P },
		{ __LINE__, NULL, "public", NULL, 0 },
		{ __LINE__, NULL, "alice/x", NULL, 0 },
		{ __LINE__, NULL, "team/x", "10.0.0.1", 0 },
		{ __LINE__, NULL, "anonymous/x", NULL, 0 },
		/* First match wins: "* ** none" comes first for users. */
		{ __LINE__, "alice", "public/x", NULL, 0 },
		/* A user who logged in as "anonymous" is no anonymous. */
		{ __LINE__, "anonymous", "public/x", NULL, 0 },
		{ __LINE__, "anonymous", "anonymous/x", NULL, P | U | D },
		/* Names are literal and case-sensitive. */
		{ __LINE__, "Alice", "alice/x", NULL, 0 },
		{ __LINE__, "alice ", "alice/x", NULL, 0 },
		{ __LINE__, "a*", "a/x", NULL, 0 },
		{ __LINE__, "a*", "alice/x", NULL, 0 },
		{ __LINE__, "**", "alice/x", NULL, 0 },
		{ __LINE__, "x/y", "x/y/z", NULL, 0 },
		{ __LINE__, "@devs", "team/x", "10.0.0.1", 0 },
		{ __LINE__, "", "public/x", NULL, 0 },
		{ __LINE__, "", "x", NULL, 0 },
	};
	struct reg_access *a;
	struct reg_err err;
	size_t i;

	a = load(example_rules, example_groups, &err);
	T_ASSERT(a != NULL);
	if (a == NULL) {
		fprintf(stderr, "# %s\n", err.detail);
		return;
	}
	for (i = 0; i < T_NITEMS(rows); i++) {
		struct reg_netaddr peer;

		T_ROW(rows[i].line);
		if (rows[i].peer != NULL)
			T_EQ_INT(reg_netaddr_parse(&peer, rows[i].peer), 0);
		T_EQ_INT(reg_access_allowed(a, rows[i].user, rows[i].repo,
					    rows[i].peer ? &peer : NULL),
			 rows[i].want);
	}
	T_ROW(0);
	T_EQ_INT(reg_access_allowed(a, "alice", NULL, NULL), 0);
	T_EQ_INT(reg_access_allowed(NULL, "alice", "alice/x", NULL), 0);
	T_ASSERT(reg_access_grants_anonymous(a, REG_ACCESS_PULL));
	T_ASSERT(!reg_access_grants_anonymous(a, REG_ACCESS_PUSH |
							 REG_ACCESS_DELETE));
	T_ASSERT(reg_access_limits_delete(a));
	reg_access_free(a);
	reg_access_free(NULL);
}

/* Several small rule sets: (rules, user, repo, peer) -> actions. */
static void
test_order(void)
{
	enum {
		P = REG_ACCESS_PULL,
		U = REG_ACCESS_PUSH,
		D = REG_ACCESS_DELETE
	};
	static const struct {
		int line;
		const char *rules;
		const char *user;
		const char *repo;
		const char *peer;
		unsigned want;
	} rows[] = {
		/* Deny by default. */
		{ __LINE__, "", "alice", "a", NULL, 0 },
		{ __LINE__, "", NULL, "a", NULL, 0 },
		{ __LINE__, "# only a comment\n\n", "alice", "a", NULL, 0 },
		{ __LINE__, "bob ** *\n", "alice", "a", NULL, 0 },
		{ __LINE__, "* ** *\n", NULL, "a", NULL, 0 },
		/* First match wins, and none decides. */
		{ __LINE__, "alice secret/** none\n* ** pull\n", "alice",
		  "secret/x", NULL, 0 },
		{ __LINE__, "alice secret/** none\n* ** pull\n", "alice",
		  "other/x", NULL, P },
		{ __LINE__, "alice secret/** none\n* ** pull\n", "bob",
		  "secret/x", NULL, P },
		{ __LINE__, "* ** pull\nalice ** *\n", "alice", "x", NULL, P },
		{ __LINE__, "alice ** *\n* ** pull\n", "alice", "x", NULL,
		  P | U | D },
		/* A rule outside its networks does not decide. */
		{ __LINE__, "alice ** none 10.0.0.0/8\nalice ** *\n", "alice",
		  "x", "192.0.2.1", P | U | D },
		{ __LINE__, "alice ** none 10.0.0.0/8\nalice ** *\n", "alice",
		  "x", "10.0.0.1", 0 },
		{ __LINE__, "alice ** none 10.0.0.0/8\nalice ** *\n", "alice",
		  "x", NULL, P | U | D },
		{ __LINE__, "alice ** * 0.0.0.0/0\n", "alice", "x", "1.2.3.4",
		  P | U | D },
		{ __LINE__, "alice ** * 0.0.0.0/0\n", "alice", "x", "::1", 0 },
		{ __LINE__, "alice ** * ::/0\n", "alice", "x", "1.2.3.4",
		  P | U | D },
		{ __LINE__, "alice ** * 127.0.0.1, ::1\n", "alice", "x",
		  "::ffff:127.0.0.1", P | U | D },
		/* Actions. */
		{ __LINE__, "alice ** pull\n", "alice", "x", NULL, P },
		{ __LINE__, "alice ** push\n", "alice", "x", NULL, U },
		{ __LINE__, "alice ** delete\n", "alice", "x", NULL, D },
		{ __LINE__, "alice ** delete,pull\n", "alice", "x", NULL,
		  P | D },
		{ __LINE__, "alice ** pull,pull\n", "alice", "x", NULL, P },
		{ __LINE__, "alice ** *\n", "alice", "x", NULL, P | U | D },
		{ __LINE__, "alice ** none\n", "alice", "x", NULL, 0 },
		/* Layout: tabs, CRLF, indentation, no final newline. */
		{ __LINE__, "\talice\t**\tpull\t\r\n", "alice", "x", NULL, P },
		{ __LINE__, "  # c\r\n   alice   **   push", "alice", "x", NULL,
		  U },
		{ __LINE__, "alice ** pull \t 10.0.0.0/8 ,\tfd00::/8 \n",
		  "alice", "x", "fd00::1", P },
		/* Literal user names with odd bytes. */
		{ __LINE__, "a.b ** pull\n", "a.b", "x", NULL, P },
		{ __LINE__, "a.b ** pull\n", "axb", "x", NULL, 0 },
		{ __LINE__, "\xc3\xa9 ** pull\n", "\xc3\xa9", "x", NULL, P },
	};
	size_t i;

	for (i = 0; i < T_NITEMS(rows); i++) {
		struct reg_access *a;
		struct reg_err err;
		struct reg_netaddr peer;

		T_ROW(rows[i].line);
		a = load(rows[i].rules, NULL, &err);
		T_ASSERT(a != NULL);
		if (a == NULL)
			continue;
		if (rows[i].peer != NULL)
			T_EQ_INT(reg_netaddr_parse(&peer, rows[i].peer), 0);
		T_EQ_INT(reg_access_allowed(a, rows[i].user, rows[i].repo,
					    rows[i].peer ? &peer : NULL),
			 rows[i].want);
		reg_access_free(a);
	}
}

static void
test_errors(void)
{
	static const struct {
		int line;
		const char *rules;
		const char *groups; /* NULL: no groups file */
		const char *want;   /* in err.detail after the path */
	} rows[] = {
		{ __LINE__, "alice\n", NULL, "rules:1: expected \"subject" },
		{ __LINE__, "alice a\n", NULL, "rules:1: expected" },
		{ __LINE__, "\n# c\n\nalice a/*\n", NULL, "rules:4: expected" },
		{ __LINE__, "alice ALICE/* pull\n", NULL,
		  "rules:1: bad character in repository pattern" },
		{ __LINE__, "alice a/b? pull\n", NULL,
		  "rules:1: bad character" },
		{ __LINE__, "alice a/[b] pull\n", NULL,
		  "rules:1: bad character" },
		{ __LINE__, "alice a\\b pull\n", NULL,
		  "rules:1: bad character" },
		{ __LINE__, "alice a/*** pull\n", NULL, "rules:1: \"***\"" },
		{ __LINE__, "alice ${usr}/x pull\n", NULL,
		  "rules:1: bad character" },
		{ __LINE__, "alice ${USER}/x pull\n", NULL,
		  "rules:1: bad character" },
		{ __LINE__, "alice $user/x pull\n", NULL,
		  "rules:1: bad character" },
		{ __LINE__, "alice x pull\nbob y read\n", NULL,
		  "rules:2: bad actions \"read\"" },
		{ __LINE__, "alice x PULL\n", NULL, "rules:1: bad actions" },
		{ __LINE__, "alice x pull,\n", NULL, "rules:1: bad actions" },
		{ __LINE__, "alice x ,pull\n", NULL, "rules:1: bad actions" },
		{ __LINE__, "alice x pull,,push\n", NULL,
		  "rules:1: bad actions" },
		{ __LINE__, "alice x none,pull\n", NULL,
		  "rules:1: bad actions" },
		{ __LINE__, "alice x *,pull\n", NULL, "rules:1: bad actions" },
		{ __LINE__, "alice x **\n", NULL, "rules:1: bad actions" },
		/* No spaces in the actions; the rest is a network list. */
		{ __LINE__, "alice x pull, push\n", NULL,
		  "rules:1: bad actions \"pull,\"" },
		{ __LINE__, "alice x pull push\n", NULL,
		  "rules:1: \"push\" is not an address" },
		{ __LINE__, "alice x pull 10.0.0.0/33\n", NULL,
		  "rules:1: \"10.0.0.0/33\" is not" },
		{ __LINE__, "alice x pull 10.0.0.0/8,,fd00::/8\n", NULL,
		  "rules:1: empty item" },
		{ __LINE__, "alice x pull 10.0.0.0/8,\n", NULL,
		  "rules:1: empty item" },
		{ __LINE__, "alice x pull 10.0.0.0/8 # office\n", NULL,
		  "rules:1: \"10.0.0.0/8 # office\" is not" },
		{ __LINE__, "alice x pull # no comments after rules\n", NULL,
		  "is not an address" },
		/* Subjects. */
		{ __LINE__, "@devs x pull\n", NULL,
		  "rules:1: unknown group \"devs\"" },
		{ __LINE__, "@devs x pull\n", "admins: root\n",
		  "rules:1: unknown group \"devs\"" },
		{ __LINE__, "a*b x pull\n", NULL, "rules:1: bad subject" },
		{ __LINE__, "a:b x pull\n", NULL, "rules:1: bad subject" },
		{ __LINE__, "${user} x pull\n", NULL, "rules:1: bad subject" },
		{ __LINE__, "** x pull\n", NULL, "rules:1: bad subject" },
		{ __LINE__, "@ x pull\n", "devs: bob\n",
		  "rules:1: unknown group \"\"" },
		/* Bytes and lengths. */
		{ __LINE__, "alice\x01 x pull\n", NULL,
		  "rules:1: control character" },
		{ __LINE__, "alice x pull\x7f\n", NULL,
		  "rules:1: control character" },
		{ __LINE__, "alice x\rpull\n", NULL,
		  "rules:1: control character" },
		/* Groups file. */
		{ __LINE__, "* x pull\n", "devs bob\n", "groups:1: expected" },
		{ __LINE__, "* x pull\n", "ok: a\nde vs: bob\n",
		  "groups:2: bad group name" },
		{ __LINE__, "* x pull\n", ": bob\n",
		  "groups:1: bad group name" },
		{ __LINE__, "* x pull\n", "@devs: bob\n",
		  "groups:1: bad group name" },
		{ __LINE__, "* x pull\n", "d/evs: bob\n",
		  "groups:1: bad group name" },
		{ __LINE__, "* x pull\n", "devs: bo:b\n",
		  "groups:1: bad user name \"bo:b\"" },
		{ __LINE__, "* x pull\n", "devs: a\x02z\n",
		  "groups:1: control character" },
		{ __LINE__, "* x pull\n",
		  "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
		  "aaaa"
		  "a: bob\n",
		  "groups:1: bad group name" },
	};
	size_t i;

	for (i = 0; i < T_NITEMS(rows); i++) {
		struct reg_access *a;
		struct reg_err err;

		T_ROW(rows[i].line);
		a = load(rows[i].rules, rows[i].groups, &err);
		T_ASSERT(a == NULL);
		reg_access_free(a);
		T_EQ_INT(err.code, REG_E_UNAVAILABLE);
		T_ASSERT(strstr(err.detail, rows[i].want) != NULL);
		if (strstr(err.detail, rows[i].want) == NULL)
			fprintf(stderr, "# detail: %s\n", err.detail);
	}
}

static void
test_file_limits(void)
{
	struct reg_access *a = NULL;
	struct reg_err err;
	struct reg_buf b;
	char missing[300];

	/* A 4 KiB line is fine, one byte more is not. */
	reg_buf_init(&b, (size_t)8 << 20);
	reg_buf_adds(&b, "alice x pull 10.0.0.1");
	while (b.len < 4096)
		reg_buf_adds(&b, " ");
	reg_buf_adds(&b, "\n");
	write_file(rules_path, b.data, b.len);
	T_EQ_INT(reg_access_load(&a, rules_path, NULL, &err), 0);
	reg_access_free(a);
	a = NULL;
	reg_buf_reset(&b);
	reg_buf_adds(&b, "# ok\nalice x pull 10.0.0.1");
	while (b.len < 5 + 4097)
		reg_buf_adds(&b, " ");
	reg_buf_adds(&b, "\n");
	write_file(rules_path, b.data, b.len);
	T_EQ_INT(reg_access_load(&a, rules_path, NULL, &err), -1);
	T_ASSERT(strstr(err.detail, "rules:2: line longer than 4096") != NULL);
	/* NUL bytes. */
	write_file(rules_path, "alice x pull\n* y\0 pull\n", 23);
	T_EQ_INT(reg_access_load(&a, rules_path, NULL, &err), -1);
	T_ASSERT(strstr(err.detail, "rules:2: NUL byte") != NULL);
	/* Over 1 MiB of comments. */
	reg_buf_reset(&b);
	while (b.len <= 1024 * 1024)
		reg_buf_adds(&b, "# padding padding padding padding\n");
	write_file(rules_path, b.data, b.len);
	T_EQ_INT(reg_access_load(&a, rules_path, NULL, &err), -1);
	T_ASSERT(strstr(err.detail, "larger than 1048576 bytes") != NULL);
	/* Missing files, directories. */
	path_in_tmp(missing, sizeof(missing), "missing");
	T_EQ_INT(reg_access_load(&a, missing, NULL, &err), -1);
	T_ASSERT(strstr(err.detail, "No such file") != NULL);
	write_str(rules_path, "* ** pull\n");
	T_EQ_INT(reg_access_load(&a, rules_path, missing, &err), -1);
	T_ASSERT(strstr(err.detail, "missing: No such file") != NULL);
	T_EQ_INT(reg_access_load(&a, tmpdir, NULL, &err), -1);
	T_ASSERT(strstr(err.detail, "not a regular file") != NULL);
	T_ASSERT(a == NULL);
	/* A long group line is fine up to 64 KiB. */
	reg_buf_reset(&b);
	reg_buf_adds(&b, "big:");
	while (b.len < 60000)
		reg_buf_adds(&b, " user");
	reg_buf_adds(&b, " zed\n");
	write_file(groups_path, b.data, b.len);
	write_str(rules_path, "@big ** pull\n");
	T_EQ_INT(reg_access_load(&a, rules_path, groups_path, &err), 0);
	T_EQ_INT(reg_access_allowed(a, "zed", "x", NULL), REG_ACCESS_PULL);
	T_EQ_INT(reg_access_allowed(a, "user", "x", NULL), REG_ACCESS_PULL);
	T_EQ_INT(reg_access_allowed(a, "use", "x", NULL), 0);
	reg_access_free(a);
	/* Many groups and lines load quickly (no quadratic lookups). */
	{
		int k;

		reg_buf_reset(&b);
		for (k = 0; k < 100000; k++)
			reg_buf_addf(&b, "g%d: u%d\nall: u%d\n", k, k, k);
		write_file(groups_path, b.data, b.len);
		write_str(rules_path, "@g99999 a pull\n@all ** push\n");
		T_EQ_INT(reg_access_load(&a, rules_path, groups_path, &err), 0);
		T_EQ_INT(reg_access_allowed(a, "u99999", "a", NULL),
			 REG_ACCESS_PULL);
		T_EQ_INT(reg_access_allowed(a, "u5", "a", NULL),
			 REG_ACCESS_PUSH);
		T_EQ_INT(reg_access_allowed(a, "u100000", "a", NULL), 0);
		reg_access_free(a);
	}
	reg_buf_release(&b);
}

static void
test_refresh(void)
{
	struct reg_access *a;
	struct reg_err err;

	log_to_file();
	a = load("alice ** pull\n", "devs: bob\n", &err);
	T_ASSERT(a != NULL);
	if (a == NULL)
		return;
	T_EQ_INT(reg_access_refresh(a, &err), 0);
	T_EQ_INT(reg_access_allowed(a, "alice", "x", NULL), REG_ACCESS_PULL);

	/* A changed rules file is picked up. */
	write_str(rules_path, "alice ** push\n@devs ** pull\n");
	bump_mtime(rules_path);
	T_EQ_INT(reg_access_refresh(a, &err), 0);
	T_EQ_INT(reg_access_allowed(a, "alice", "x", NULL), REG_ACCESS_PUSH);
	T_EQ_INT(reg_access_allowed(a, "bob", "x", NULL), REG_ACCESS_PULL);
	T_EQ_INT(reg_access_allowed(a, "carol", "x", NULL), 0);

	/* So is a changed groups file. */
	write_str(groups_path, "devs: bob carol\n");
	bump_mtime(groups_path);
	T_EQ_INT(reg_access_refresh(a, &err), 0);
	T_EQ_INT(reg_access_allowed(a, "carol", "x", NULL), REG_ACCESS_PULL);

	/* Broken rules deny everything, logged once. */
	write_str(rules_path, "alice ** push\nbob ** sudo\n");
	bump_mtime(rules_path);
	T_EQ_INT(reg_access_refresh(a, &err), -1);
	T_ASSERT(strstr(err.detail, "rules:2: bad actions") != NULL);
	T_EQ_INT(reg_access_allowed(a, "alice", "x", NULL), 0);
	memset(&err, 0, sizeof(err));
	T_EQ_INT(reg_access_refresh(a, &err), -1);
	T_ASSERT(strstr(err.detail, "rules:2: bad actions") != NULL);
	T_EQ_INT(reg_access_allowed(a, "alice", "x", NULL), 0);
	T_ASSERT(!reg_access_grants_anonymous(a, REG_ACCESS_ALL));
	T_ASSERT(reg_access_limits_delete(a));
	T_EQ_INT(count_in_log("rules:2: bad actions"), 1);

	/* Fixed again. */
	write_str(rules_path, "alice ** delete\n");
	bump_mtime(rules_path);
	T_EQ_INT(reg_access_refresh(a, &err), 0);
	T_EQ_INT(reg_access_allowed(a, "alice", "x", NULL), REG_ACCESS_DELETE);
	T_EQ_INT(count_in_log("loaded again"), 1);

	/* A group the rules need disappears: broken. */
	write_str(rules_path, "@devs ** pull\n");
	bump_mtime(rules_path);
	T_EQ_INT(reg_access_refresh(a, &err), 0);
	write_str(groups_path, "admins: root\n");
	bump_mtime(groups_path);
	T_EQ_INT(reg_access_refresh(a, &err), -1);
	T_ASSERT(strstr(err.detail, "unknown group \"devs\"") != NULL);
	T_EQ_INT(reg_access_allowed(a, "bob", "x", NULL), 0);

	/* The groups file removed: broken; back: fine. */
	write_str(groups_path, "devs: bob\n");
	T_EQ_INT(reg_access_refresh(a, &err), 0);
	T_EQ_INT(unlink(groups_path), 0);
	T_EQ_INT(reg_access_refresh(a, &err), -1);
	T_EQ_INT(reg_access_allowed(a, "bob", "x", NULL), 0);
	write_str(groups_path, "devs: bob\n");
	T_EQ_INT(reg_access_refresh(a, &err), 0);
	T_EQ_INT(reg_access_allowed(a, "bob", "x", NULL), REG_ACCESS_PULL);

	/* Replaced by rename. */
	{
		char tmp[300];

		path_in_tmp(tmp, sizeof(tmp), "rules.new");
		write_str(tmp, "* ** *\n");
		T_EQ_INT(rename(tmp, rules_path), 0);
		T_EQ_INT(reg_access_refresh(a, &err), 0);
		T_EQ_INT(reg_access_allowed(a, "carol", "x", NULL),
			 REG_ACCESS_ALL);
	}
	reg_access_free(a);
	reg_log_reset();
}

static void
test_check_config(void)
{
	static const struct {
		int line;
		const char *rules;
		bool anon_push_or_delete;
		bool anon_pull;
		bool limits_delete;
	} rows[] = {
		{ __LINE__, "", false, false, true },
		{ __LINE__, "* ** *\nanonymous ** *\n", true, true, false },
		{ __LINE__, "anonymous ** *\n* ** delete\n", true, true,
		  false },
		{ __LINE__, "* ** *\n", false, false, false },
		{ __LINE__, "anonymous ** *\n", true, true, false },
		{ __LINE__, "alice a/* pull\n* ** *\nanonymous ** *\n", true,
		  true, false },
		{ __LINE__, "alice a/* delete\n* ** *\nanonymous ** *\n", true,
		  true, false },
		{ __LINE__, "@g ** pull\n* ** *\nanonymous ** *\n", true, true,
		  false },
		{ __LINE__, "* ** * 10.0.0.0/8\nanonymous ** *\n", true, true,
		  false },
		{ __LINE__, "* ${user}/** *\n* ** *\nanonymous ** *\n", true,
		  true, false },
		{ __LINE__, "* ${user}/** pull\n* ** *\nanonymous ** *\n", true,
		  true, false },
		{ __LINE__, "anonymous ** none\n* ** *\n", false, false,
		  false },
		{ __LINE__, "anonymous public/** pull\n", false, true, true },
		{ __LINE__, "anonymous public/** pull,push\n", true, true,
		  true },
		{ __LINE__, "anonymous public/** delete\n", true, false, true },
		{ __LINE__, "* * *\nanonymous * *\n", true, true, true },
	};
	size_t i;

	for (i = 0; i < T_NITEMS(rows); i++) {
		struct reg_access *a;
		struct reg_err err;

		T_ROW(rows[i].line);
		a = load(rows[i].rules, "g: x\n", &err);
		T_ASSERT(a != NULL);
		if (a == NULL)
			continue;
		T_EQ_INT(reg_access_grants_anonymous(
				 a, REG_ACCESS_PUSH | REG_ACCESS_DELETE),
			 rows[i].anon_push_or_delete);
		T_EQ_INT(reg_access_grants_anonymous(a, REG_ACCESS_PULL),
			 rows[i].anon_pull);
		T_EQ_INT(reg_access_limits_delete(a), rows[i].limits_delete);
		reg_access_free(a);
	}
	T_ROW(0);
	T_ASSERT(!reg_access_grants_anonymous(NULL, REG_ACCESS_ALL));
	T_ASSERT(reg_access_limits_delete(NULL));
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

	n = snprintf(tmpdir, sizeof(tmpdir), "%s/berth-access.XXXXXX",
		     t && *t ? t : "/tmp");
	if (n < 0 || (size_t)n >= sizeof(tmpdir) || mkdtemp(tmpdir) == NULL)
		return 1;
	path_in_tmp(rules_path, sizeof(rules_path), "rules");
	path_in_tmp(groups_path, sizeof(groups_path), "groups");
	path_in_tmp(logpath, sizeof(logpath), "log");
	T_RUN(test_glob, "glob: * within a component, ** across, ${user}");
	T_RUN(test_example, "the documented example rules");
	T_RUN(test_order, "first match wins, none, networks, deny by default");
	T_RUN(test_errors, "parse errors name file and line");
	T_RUN(test_file_limits, "file and line limits");
	T_RUN(test_refresh, "changed files are picked up; broken ones deny");
	T_RUN(test_check_config, "check-config helpers");
	rc = T_DONE();
	remove_tmpdir();
	return rc;
}
