/* access.c: access rules (who may pull, push, delete which repositories) */
/* SPDX-License-Identifier: MIT */
/*
 * The rules file, first match wins, deny by default ("/\*" stands for a
 * slash followed by a star, which a C comment cannot hold):
 *
 *	# subject  repository-glob  actions           [networks]
 *	alice      alice/\*         pull,push,delete
 *	@devs      team/\**         pull,push         10.0.0.0/8, fd00::/8
 *	*          ${user}/\**      *
 *	anonymous  public/\**       pull
 *	*          **               none
 *
 * subject: user name, @group, "*" (any authenticated user) or "anonymous".
 * glob: "*" within one path component, "**" across components, "${user}"
 * the caller's name taken literally.  actions: pull,push,delete, "*" or
 * "none".  networks: the rest of the line, "10.0.0.0/8, fd00::/8".
 *
 * The groups file: "group: user1 user2", a group may span several lines.
 *
 * access.h has the details.  The rules are parsed once into a table; a
 * change of either file (seen by stat) replaces it.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "access.h"
#include "buf.h"
#include "err.h"
#include "file.h"
#include "log.h"
#include "netaddr.h"
#include "ref.h"

#include "banned.h"

#define RULES_FILE_MAX ((size_t)1 << 20)
#define RULES_LINE_MAX 4096
#define GROUPS_FILE_MAX ((size_t)16 << 20)
#define GROUPS_LINE_MAX ((size_t)64 << 10)
#define USER_MAX 256
#define GROUP_NAME_MAX 64
#define GLOB_MAX 512
/* Pattern atoms after ${user} expansion; beyond that nothing matches. */
#define ATOMS_MAX 2048

enum subject {
	SUBJ_USER,
	SUBJ_GROUP,
	SUBJ_ANY,
	SUBJ_ANON,
};

struct rule {
	enum subject subject;
	char *user;   /* SUBJ_USER */
	size_t group; /* SUBJ_GROUP: index into groups */
	char *glob;
	unsigned actions;
	bool has_networks;
	struct reg_cidr_list networks;
};

struct group {
	char *name;
	char **members; /* sorted, unique */
	size_t n;
	size_t cap;
};

/* One loaded generation of both files. */
struct ruleset {
	struct rule *rules;
	size_t nrules;
	struct group *groups;
	size_t ngroups;
};

struct reg_access {
	char *rules_path;
	char *groups_path; /* NULL: no groups */
	struct reg_file_sig rules_sig;
	struct reg_file_sig groups_sig;
	struct ruleset set;
	bool broken; /* the files in place did not load */
	struct reg_err broken_err;
};

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

/* Tabs separate fields; every other control byte is an error. */
static bool
has_ctl_but_tab(const char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (p[i] != '\t' && has_ctl(p + i, 1))
			return true;
	}
	return false;
}

/* The glob matcher. */

enum {
	ATOM_STAR = -1,	 /* [^/]* */
	ATOM_DSTAR = -2, /* .* */
};

static bool
user_is_component(const char *user)
{
	size_t len;

	if (user == NULL)
		return false;
	len = strlen(user);
	return memchr(user, '/', len) == NULL && reg_name_is_valid(user, len);
}

/* Expand glob into atoms; -1 if it needs a user it cannot have. */
static int
compile_glob(const char *glob, const char *user, short *atoms, size_t *natoms)
{
	size_t n = 0, ulen = user ? strlen(user) : 0, i;
	const char *p = glob;

	while (*p) {
		if (strncmp(p, "${user}", 7) == 0) {
			if (!user_is_component(user) || ulen > ATOMS_MAX - n)
				return -1;
			for (i = 0; i < ulen; i++)
				atoms[n++] = (short)(unsigned char)user[i];
			p += 7;
			continue;
		}
		if (n == ATOMS_MAX)
			return -1;
		if (p[0] == '*' && p[1] == '*') {
			atoms[n++] = ATOM_DSTAR;
			p += 2;
		} else if (p[0] == '*') {
			atoms[n++] = ATOM_STAR;
			p++;
		} else {
			atoms[n++] = (short)(unsigned char)*p++;
		}
	}
	*natoms = n;
	return 0;
}

/* A star may match nothing: carry each live state past the stars. */
static void
close_stars(bool *state, const short *atoms, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (state[i] && atoms[i] < 0)
			state[i + 1] = true;
	}
}

bool
reg_access_glob_match(const char *glob, const char *user, const char *name)
{
	short atoms[ATOMS_MAX];
	bool cur[ATOMS_MAX + 1], next[ATOMS_MAX + 1];
	size_t n, i;
	const char *c;

	if (glob == NULL || name == NULL ||
	    compile_glob(glob, user, atoms, &n) == -1)
		return false;
	/* Simulate the automaton: the set of atoms reached so far. */
	memset(cur, 0, (n + 1) * sizeof(cur[0]));
	cur[0] = true;
	close_stars(cur, atoms, n);
	for (c = name; *c; c++) {
		bool any = false;

		memset(next, 0, (n + 1) * sizeof(next[0]));
		for (i = 0; i < n; i++) {
			if (!cur[i])
				continue;
			if (atoms[i] == (short)(unsigned char)*c)
				next[i + 1] = any = true;
			else if (atoms[i] == ATOM_DSTAR ||
				 (atoms[i] == ATOM_STAR && *c != '/'))
				next[i] = any = true;
		}
		if (!any)
			return false;
		close_stars(next, atoms, n);
		memcpy(cur, next, (n + 1) * sizeof(cur[0]));
	}
	return cur[n];
}

/* Files. */

/*
 * Walk the lines of text, calling fn for each one that is not blank or a
 * comment, with surrounding spaces removed and NUL-terminated in place.
 */
static int
each_line(char *text, size_t len, size_t line_max, const char *path,
	  int (*fn)(char *line, size_t lineno, void *ctx, struct reg_err *),
	  void *ctx, struct reg_err *err)
{
	char *p = text, *end = text + len;
	size_t lineno = 0;

	while (p < end) {
		char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		char *next = p + n + 1;

		lineno++;
		if (n > line_max)
			return reg_err_set(err, REG_E_UNAVAILABLE,
					   "%s:%zu: line longer than %zu bytes",
					   path, lineno, line_max);
		if (memchr(p, '\0', n) != NULL)
			return reg_err_set(err, REG_E_UNAVAILABLE,
					   "%s:%zu: NUL byte", path, lineno);
		if (n > 0 && p[n - 1] == '\r')
			n--;
		while (n > 0 && is_space(*p)) {
			p++;
			n--;
		}
		while (n > 0 && is_space(p[n - 1]))
			n--;
		p[n] = '\0';
		if (n > 0 && *p != '#') {
			if (has_ctl_but_tab(p, n))
				return reg_err_set(err, REG_E_UNAVAILABLE,
						   "%s:%zu: control character",
						   path, lineno);
			if (fn(p, lineno, ctx, err) == -1)
				return -1;
		}
		p = next;
	}
	return 0;
}

/* Cut the next field off *p (spaces or tabs end it); NULL if none. */
static char *
next_field(char **p)
{
	char *s = *p, *f;

	while (is_space(*s))
		s++;
	if (*s == '\0') {
		*p = s;
		return NULL;
	}
	f = s;
	while (*s && !is_space(*s))
		s++;
	if (*s)
		*s++ = '\0';
	*p = s;
	return f;
}

/* Groups. */

static bool
is_group_name(const char *s, size_t n)
{
	size_t i;

	if (n == 0 || n > GROUP_NAME_MAX)
		return false;
	for (i = 0; i < n; i++) {
		char c = s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '.' || c == '_' ||
		      c == '-'))
			return false;
	}
	return true;
}

/* A user name as Basic auth and htpasswd allow it. */
static bool
is_user_name(const char *s)
{
	size_t n = strlen(s);

	return n > 0 && n <= USER_MAX && strchr(s, ':') == NULL &&
	       !has_ctl(s, n);
}

static int
cmp_group_name(const void *key, const void *elem)
{
	return strcmp(key, ((const struct group *)elem)->name);
}

/* Groups are sorted by name once the file is read. */
static struct group *
find_group(struct ruleset *set, const char *name)
{
	if (set->ngroups == 0)
		return NULL;
	return bsearch(name, set->groups, set->ngroups, sizeof(*set->groups),
		       cmp_group_name);
}

/* Take over member m (allocated). */
static void
add_member(struct group *g, char *m)
{
	if (g->n == g->cap) {
		g->cap = g->cap ? g->cap * 2 : 8;
		g->members =
			reg_xrealloc(g->members, g->cap * sizeof(*g->members));
	}
	g->members[g->n++] = m;
}

struct groups_ctx {
	struct ruleset *set;
	const char *path;
	size_t cap;
};

static int
parse_group_line(char *line, size_t lineno, void *arg, struct reg_err *err)
{
	struct groups_ctx *ctx = arg;
	struct ruleset *set = ctx->set;
	char *colon = strchr(line, ':'), *p, *m;
	size_t nlen;
	struct group *g;

	if (colon == NULL)
		return reg_err_set(err, REG_E_UNAVAILABLE,
				   "%s:%zu: expected \"group: user ...\"",
				   ctx->path, lineno);
	nlen = (size_t)(colon - line);
	while (nlen > 0 && is_space(line[nlen - 1]))
		nlen--;
	line[nlen] = '\0';
	if (!is_group_name(line, nlen))
		return reg_err_set(err, REG_E_UNAVAILABLE,
				   "%s:%zu: bad group name \"%.64s\"",
				   ctx->path, lineno, line);
	/* Each line is a group of its own until merge_groups. */
	if (set->ngroups == ctx->cap) {
		ctx->cap = ctx->cap ? ctx->cap * 2 : 8;
		set->groups = reg_xrealloc(set->groups,
					   ctx->cap * sizeof(*set->groups));
	}
	g = &set->groups[set->ngroups++];
	memset(g, 0, sizeof(*g));
	g->name = reg_xstrdup(line);
	p = colon + 1;
	while ((m = next_field(&p)) != NULL) {
		if (!is_user_name(m))
			return reg_err_set(err, REG_E_UNAVAILABLE,
					   "%s:%zu: bad user name \"%.64s\"",
					   ctx->path, lineno, m);
		add_member(g, reg_xstrdup(m));
	}
	return 0;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void
sort_members(struct group *g)
{
	size_t i, n = 0;

	if (g->n < 2)
		return;
	qsort(g->members, g->n, sizeof(*g->members), cmp_str);
	for (i = 0; i < g->n; i++) {
		if (n > 0 && strcmp(g->members[i], g->members[n - 1]) == 0)
			free(g->members[i]);
		else
			g->members[n++] = g->members[i];
	}
	g->n = n;
}

static bool
group_has(const struct group *g, const char *user)
{
	return g->n > 0 && bsearch(&user, g->members, g->n, sizeof(*g->members),
				   cmp_str) != NULL;
}

static int
cmp_group(const void *a, const void *b)
{
	return strcmp(((const struct group *)a)->name,
		      ((const struct group *)b)->name);
}

/* Sort the groups by name and join the lines of each into one. */
static void
merge_groups(struct ruleset *set)
{
	size_t i, j, n = 0;

	if (set->ngroups > 1)
		qsort(set->groups, set->ngroups, sizeof(*set->groups),
		      cmp_group);
	for (i = 0; i < set->ngroups; i++) {
		struct group *g = &set->groups[i];

		if (n > 0 && strcmp(g->name, set->groups[n - 1].name) == 0) {
			for (j = 0; j < g->n; j++)
				add_member(&set->groups[n - 1], g->members[j]);
			free(g->members);
			free(g->name);
			continue;
		}
		set->groups[n++] = *g;
	}
	set->ngroups = n;
	for (i = 0; i < n; i++)
		sort_members(&set->groups[i]);
}

/* Rules. */

/* Lowercase repository characters, '*' runs of 1 or 2, and ${user}. */
static const char *
check_glob(const char *g)
{
	const char *p = g;

	if (strlen(g) > GLOB_MAX)
		return "repository pattern too long";
	while (*p) {
		if (strncmp(p, "${user}", 7) == 0) {
			p += 7;
		} else if (*p == '*') {
			if (p[1] == '*' && p[2] == '*')
				return "\"***\" in repository pattern";
			p += p[1] == '*' ? 2 : 1;
		} else if ((*p >= 'a' && *p <= 'z') ||
			   (*p >= '0' && *p <= '9') || *p == '.' || *p == '_' ||
			   *p == '-' || *p == '/') {
			p++;
		} else {
			return "bad character in repository pattern";
		}
	}
	return NULL;
}

static int
parse_actions(char *s, unsigned *out)
{
	unsigned a = 0;
	char *item = s;

	if (strcmp(s, "*") == 0) {
		*out = REG_ACCESS_ALL;
		return 0;
	}
	if (strcmp(s, "none") == 0) {
		*out = 0;
		return 0;
	}
	for (;;) {
		char *comma = strchr(item, ',');
		size_t n = comma ? (size_t)(comma - item) : strlen(item);

		if (n == 4 && strncmp(item, "pull", 4) == 0)
			a |= REG_ACCESS_PULL;
		else if (n == 4 && strncmp(item, "push", 4) == 0)
			a |= REG_ACCESS_PUSH;
		else if (n == 6 && strncmp(item, "delete", 6) == 0)
			a |= REG_ACCESS_DELETE;
		else
			return -1;
		if (comma == NULL)
			break;
		item = comma + 1;
	}
	*out = a;
	return 0;
}

struct rules_ctx {
	struct ruleset *set;
	const char *path;
	size_t cap;
};

static void
release_rule(struct rule *r)
{
	free(r->user);
	free(r->glob);
	reg_cidr_list_release(&r->networks);
}

static int
parse_rule_line(char *line, size_t lineno, void *arg, struct reg_err *err)
{
	struct rules_ctx *ctx = arg;
	struct ruleset *set = ctx->set;
	char *p = line, *subject, *glob, *actions;
	const char *why;
	struct rule r;
	struct reg_err nerr;

	memset(&r, 0, sizeof(r));
	reg_cidr_list_init(&r.networks);
	subject = next_field(&p);
	glob = next_field(&p);
	actions = next_field(&p);
	if (subject == NULL || glob == NULL || actions == NULL)
		return reg_err_set(err, REG_E_UNAVAILABLE,
				   "%s:%zu: expected \"subject repository "
				   "actions [networks]\"",
				   ctx->path, lineno);
	if (strcmp(subject, "*") == 0) {
		r.subject = SUBJ_ANY;
	} else if (strcmp(subject, "anonymous") == 0) {
		r.subject = SUBJ_ANON;
	} else if (subject[0] == '@') {
		struct group *g = find_group(set, subject + 1);

		if (g == NULL)
			return reg_err_set(err, REG_E_UNAVAILABLE,
					   "%s:%zu: unknown group \"%.64s\"",
					   ctx->path, lineno, subject + 1);
		r.subject = SUBJ_GROUP;
		r.group = (size_t)(g - set->groups);
	} else if (!is_user_name(subject) || strpbrk(subject, "*$") != NULL) {
		return reg_err_set(err, REG_E_UNAVAILABLE,
				   "%s:%zu: bad subject \"%.64s\" (a user "
				   "name, @group, * or anonymous)",
				   ctx->path, lineno, subject);
	} else {
		r.subject = SUBJ_USER;
	}
	why = check_glob(glob);
	if (why != NULL)
		return reg_err_set(err, REG_E_UNAVAILABLE,
				   "%s:%zu: %s: \"%.64s\"", ctx->path, lineno,
				   why, glob);
	if (parse_actions(actions, &r.actions) == -1)
		return reg_err_set(err, REG_E_UNAVAILABLE,
				   "%s:%zu: bad actions \"%.64s\" (pull, "
				   "push, delete, * or none)",
				   ctx->path, lineno, actions);
	while (is_space(*p))
		p++;
	if (*p != '\0') {
		if (reg_cidr_list_parse(&r.networks, p, &nerr) == -1)
			return reg_err_set(err, REG_E_UNAVAILABLE, "%s:%zu: %s",
					   ctx->path, lineno, nerr.detail);
		r.has_networks = true;
	}
	if (r.subject == SUBJ_USER)
		r.user = reg_xstrdup(subject);
	r.glob = reg_xstrdup(glob);
	if (set->nrules == ctx->cap) {
		ctx->cap = ctx->cap ? ctx->cap * 2 : 16;
		set->rules = reg_xrealloc(set->rules,
					  ctx->cap * sizeof(*set->rules));
	}
	set->rules[set->nrules++] = r;
	return 0;
}

static void
release_set(struct ruleset *set)
{
	size_t i, j;

	for (i = 0; i < set->nrules; i++)
		release_rule(&set->rules[i]);
	free(set->rules);
	for (i = 0; i < set->ngroups; i++) {
		for (j = 0; j < set->groups[i].n; j++)
			free(set->groups[i].members[j]);
		free(set->groups[i].members);
		free(set->groups[i].name);
	}
	free(set->groups);
	memset(set, 0, sizeof(*set));
}

/* Load both files into set, recording what was read into the sigs. */
static int
load_set(struct ruleset *set, const char *rules_path, const char *groups_path,
	 struct reg_file_sig *rsig, struct reg_file_sig *gsig,
	 struct reg_err *err)
{
	struct reg_buf b;
	struct groups_ctx gctx;
	struct rules_ctx rctx;
	int rc;

	memset(set, 0, sizeof(*set));
	memset(gsig, 0, sizeof(*gsig));
	if (groups_path != NULL) {
		if (reg_file_read(groups_path, GROUPS_FILE_MAX, &b, gsig, NULL,
				  err) == -1)
			return -1;
		gctx.set = set;
		gctx.path = groups_path;
		gctx.cap = 0;
		rc = each_line(b.data, b.len, GROUPS_LINE_MAX, groups_path,
			       parse_group_line, &gctx, err);
		reg_buf_release(&b);
		if (rc == -1)
			goto fail;
		merge_groups(set);
	}
	if (reg_file_read(rules_path, RULES_FILE_MAX, &b, rsig, NULL, err) ==
	    -1)
		goto fail;
	rctx.set = set;
	rctx.path = rules_path;
	rctx.cap = 0;
	rc = each_line(b.data, b.len, RULES_LINE_MAX, rules_path,
		       parse_rule_line, &rctx, err);
	reg_buf_release(&b);
	if (rc == -1)
		goto fail;
	return 0;
fail:
	release_set(set);
	return -1;
}

int
reg_access_load(struct reg_access **out, const char *rules_path,
		const char *groups_path, struct reg_err *err)
{
	struct reg_access *a;
	struct ruleset set;
	struct reg_file_sig rsig, gsig;

	if (load_set(&set, rules_path, groups_path, &rsig, &gsig, err) == -1)
		return -1;
	a = reg_xcalloc(1, sizeof(*a));
	a->rules_path = reg_xstrdup(rules_path);
	a->groups_path = groups_path ? reg_xstrdup(groups_path) : NULL;
	a->rules_sig = rsig;
	a->groups_sig = gsig;
	a->set = set;
	*out = a;
	return 0;
}

void
reg_access_free(struct reg_access *a)
{
	if (a == NULL)
		return;
	release_set(&a->set);
	free(a->rules_path);
	free(a->groups_path);
	free(a);
}

int
reg_access_refresh(struct reg_access *a, struct reg_err *err)
{
	struct reg_file_sig rnow, gnow, rsig, gsig;
	struct ruleset set;

	reg_file_sig_of(&rnow, a->rules_path);
	reg_file_sig_of(&gnow, a->groups_path);
	if (reg_file_sig_equal(&rnow, &a->rules_sig) &&
	    reg_file_sig_equal(&gnow, &a->groups_sig)) {
		if (!a->broken)
			return 0;
		*err = a->broken_err;
		return -1;
	}
	release_set(&a->set);
	if (load_set(&set, a->rules_path, a->groups_path, &rsig, &gsig,
		     &a->broken_err) == -1) {
		/* Deny everything; remember what stat saw to log once. */
		a->broken = true;
		a->rules_sig = rnow;
		a->groups_sig = gnow;
		reg_log_err("access rules not loaded, denying every request: "
			    "%s",
			    a->broken_err.detail);
		*err = a->broken_err;
		return -1;
	}
	if (a->broken)
		reg_log_info("access rules loaded again from %s",
			     a->rules_path);
	a->broken = false;
	a->set = set;
	a->rules_sig = rsig;
	a->groups_sig = gsig;
	return 0;
}

static bool
subject_matches(const struct ruleset *set, const struct rule *r,
		const char *user)
{
	if (user == NULL)
		return r->subject == SUBJ_ANON;
	switch (r->subject) {
	case SUBJ_ANY:
		return true;
	case SUBJ_USER:
		return strcmp(r->user, user) == 0;
	case SUBJ_GROUP:
		return group_has(&set->groups[r->group], user);
	case SUBJ_ANON:
		return false;
	}
	return false;
}

unsigned
reg_access_allowed(const struct reg_access *a, const char *user,
		   const char *repository, const struct reg_netaddr *peer)
{
	const struct ruleset *set;
	size_t i;

	if (a == NULL || a->broken || repository == NULL ||
	    (user != NULL && *user == '\0'))
		return 0;
	set = &a->set;
	for (i = 0; i < set->nrules; i++) {
		const struct rule *r = &set->rules[i];

		if (!subject_matches(set, r, user))
			continue;
		if (r->has_networks &&
		    !reg_cidr_list_contains(&r->networks, peer))
			continue;
		if (!reg_access_glob_match(r->glob, user, repository))
			continue;
		return r->actions;
	}
	return 0;
}

bool
reg_access_grants_anonymous(const struct reg_access *a, unsigned actions)
{
	size_t i;

	if (a == NULL || a->broken)
		return false;
	for (i = 0; i < a->set.nrules; i++) {
		const struct rule *r = &a->set.rules[i];

		if (r->subject == SUBJ_ANON && (r->actions & actions) != 0)
			return true;
	}
	return false;
}

/*
 * True if some caller of the kind (anonymous or authenticated) may be
 * refused delete somewhere: a rule that can apply to them withholds it
 * before one grants it to all of them everywhere.
 */
static bool
kind_limits_delete(const struct ruleset *set, bool anon)
{
	size_t i;

	for (i = 0; i < set->nrules; i++) {
		const struct rule *r = &set->rules[i];
		bool applies = anon ? r->subject == SUBJ_ANON
				    : r->subject != SUBJ_ANON;
		bool everyone = r->subject == (anon ? SUBJ_ANON : SUBJ_ANY);

		if (!applies)
			continue;
		if (!(r->actions & REG_ACCESS_DELETE))
			return true;
		if (everyone && strcmp(r->glob, "**") == 0 && !r->has_networks)
			return false;
	}
	return true;
}

bool
reg_access_limits_delete(const struct reg_access *a)
{
	if (a == NULL || a->broken)
		return true;
	/* Either kind of caller deleting everything is unlimited delete. */
	return kind_limits_delete(&a->set, true) &&
	       kind_limits_delete(&a->set, false);
}
