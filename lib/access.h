/* access.h: access rules (who may pull, push, delete which repositories) */
/* SPDX-License-Identifier: MIT */
#ifndef BERTH_ACCESS_H
#define BERTH_ACCESS_H

#include <stdbool.h>

#include "err.h"
#include "netaddr.h"

/*
 * The rules file holds one rule per line; the first rule that matches the
 * caller, the repository and the caller's address decides, and when none
 * matches the request is denied.  An example (a C comment cannot hold a
 * slash followed by a star, so they are written "/\*" here; the file has
 * no backslashes):
 *
 *	# subject  repository-glob  actions           [networks]
 *	alice      alice/\*         pull,push,delete
 *	@devs      team/\**         pull,push         10.0.0.0/8, fd00::/8
 *	*          ${user}/\**      *
 *	anonymous  public/\**       pull
 *	*          **               none
 *
 * Fields are separated by spaces or tabs; blank lines and lines starting
 * with '#' are ignored (there are no comments after a rule).
 *
 * subject: a user name (taken literally; it may not contain '*', '$' or
 * ':'), "@group" from the groups file, "*" for any authenticated user, or
 * "anonymous" for a caller without credentials.  "*" does not include
 * anonymous callers; a user who logged in as "anonymous" is matched by "*"
 * and groups, never by the anonymous subject.
 *
 * repository-glob: repository name characters [a-z0-9._/-] plus "*", which
 * matches any run of characters within one path component ([^/]*), "**",
 * which matches any run including '/', and "${user}", which stands for the
 * caller's user name matched literally.  A rule using ${user} never matches
 * an anonymous caller, nor a user whose name is not one valid repository
 * path component (such as "a*" or "x/y"), so a user name can never widen
 * what the rule covers.  "team/\**" covers "team/x" and "team/x/y" but
 * not "team".
 *
 * actions: a comma-separated list, without spaces, of pull, push and
 * delete; "*" for all three; "none" to deny (the rule still decides).
 *
 * networks: optional, the rest of the line, a list of addresses and CIDR
 * networks as reg_cidr_list_parse takes them; the rule then matches only
 * callers from those networks (and never one whose address is unknown).
 *
 * The groups file (optional) has lines "group: user1 user2 ...", members
 * separated by spaces or tabs, as Apache's AuthGroupFile.  Group names are
 * [A-Za-z0-9._-]{1,64}; a group may span several lines (they add up).
 * Blank lines and lines starting with '#' are ignored.  A rule naming a
 * group that is not defined is an error.
 *
 * Limits: rules file 1 MiB and 4 KiB a line; groups file 16 MiB and 64 KiB
 * a line; user names 256 bytes; globs 512 bytes.
 */
enum reg_access_action {
	REG_ACCESS_PULL = 1 << 0,
	REG_ACCESS_PUSH = 1 << 1,
	REG_ACCESS_DELETE = 1 << 2,
	REG_ACCESS_ALL = REG_ACCESS_PULL | REG_ACCESS_PUSH | REG_ACCESS_DELETE,
};

struct reg_access;

/*
 * Read and check the rules (and groups, if groups_path is not NULL).
 * Returns 0 and a new *out (free with reg_access_free), or -1 with err
 * (REG_E_UNAVAILABLE, detail "file:line: message" or "file: reason") and
 * *out untouched.
 */
int reg_access_load(struct reg_access **out, const char *rules_path,
		    const char *groups_path, struct reg_err *err);
/* NULL is fine. */
void reg_access_free(struct reg_access *a);

/*
 * Re-read the files if stat(2) shows either changed (two stats per call).
 * If the new files do not load, every request is denied until they are
 * fixed (failing closed rather than keeping rules an administrator meant
 * to change), the error is logged once per change, and -1 is returned
 * with err, on this call and on later ones while the files stay as they
 * are.  Returns 0 when the rules in force are good.
 */
int reg_access_refresh(struct reg_access *a, struct reg_err *err);

/*
 * The actions (REG_ACCESS_* bits) the first matching rule grants user
 * (NULL: anonymous) on repository when calling from peer (NULL: unknown,
 * which no rule with networks matches).  0 when no rule matches, when the
 * matching rule says none, for an empty user name, or while the rules are
 * broken (see reg_access_refresh).  The repository should be a valid name
 * (reg_name_is_valid); it is matched byte for byte.
 */
unsigned reg_access_allowed(const struct reg_access *a, const char *user,
			    const char *repository,
			    const struct reg_netaddr *peer);

/*
 * For berthctl check-config: true if some rule for anonymous grants any of
 * the given actions (rule order is not considered).
 */
bool reg_access_grants_anonymous(const struct reg_access *a, unsigned actions);
/*
 * For berthctl check-config: false if the rules grant delete on every
 * repository from everywhere to anonymous callers or to every
 * authenticated user (for that kind of caller, the first rule that can
 * apply is "<anonymous or *> ** ...delete..." without networks, and no
 * earlier rule for them withholds delete).  True means delete is limited
 * for both kinds.
 */
bool reg_access_limits_delete(const struct reg_access *a);

/*
 * The glob matcher of the rules: true if name matches glob, with ${user}
 * standing for user literally (see above; false for a glob using ${user}
 * when user is NULL or not a valid path component).  Runs in
 * O(len(glob) * len(name)) without backtracking.  Exposed for tests.
 */
bool reg_access_glob_match(const char *glob, const char *user,
			   const char *name);

#endif
