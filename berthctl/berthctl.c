/* berthctl.c: the administration tool */
/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cfg.h"
#include "digest.h"
#include "parse.h"
#include "repo.h"
#include "store.h"

#include "banned.h"

#define KEY_MAX 1024
#define PAGE 512

static int
usage(void)
{
	fprintf(stderr,
		"usage: berthctl check-config [--config FILE]\n"
		"       berthctl purge-uploads [--config FILE] "
		"[--older-than SECONDS]\n"
		"       berthctl fsck [--config FILE]\n"
		"       berthctl keys\n");
	return 2;
}

/* Options common to the commands: --config FILE and --older-than N. */
struct opts {
	const char *config;
	uint64_t older_than;
	bool has_older_than;
};

static int
parse_opts(int argc, char **argv, struct opts *o)
{
	int i;

	memset(o, 0, sizeof(*o));
	for (i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--config") == 0 && i + 1 < argc) {
			o->config = argv[++i];
		} else if (strcmp(argv[i], "--older-than") == 0 &&
			   i + 1 < argc) {
			if (reg_parse_u64(argv[++i], 0, UINT32_MAX,
					  &o->older_than) == -1) {
				fprintf(stderr, "berthctl: bad --older-than\n");
				return -1;
			}
			o->has_older_than = true;
		} else {
			return -1;
		}
	}
	return 0;
}

static int
load_config(const struct opts *o, struct reg_cfg *cfg)
{
	struct reg_err err;
	const char *path = reg_cfg_default_path(o->config);

	if (reg_cfg_load(cfg, path, &err) == -1) {
		fprintf(stderr, "berthctl: %s\n", err.detail);
		return -1;
	}
	return 0;
}

static struct reg_store *
open_store(const struct reg_cfg *cfg)
{
	struct reg_err err;
	struct reg_store *s = reg_store_open(cfg, &err);

	if (s == NULL)
		fprintf(stderr, "berthctl: storage: %s%s%s\n", err.detail,
			err.sys_errno ? ": " : "",
			err.sys_errno ? strerror(err.sys_errno) : "");
	return s;
}

static int
check_config(int argc, char **argv)
{
	struct reg_cfg cfg;
	struct opts o;

	if (parse_opts(argc, argv, &o) == -1)
		return usage();
	if (load_config(&o, &cfg) == -1)
		return 1;
	printf("%s: ok\n", cfg.source);
	reg_cfg_release(&cfg);
	return 0;
}

/*
 * Walking the tree through the driver, a page of children at a time, so
 * that memory stays bounded whatever the size of the registry.
 */
typedef int (*visit_fn)(struct reg_store *s, const char *key, void *ctx);

struct page {
	char names[PAGE][256];
	size_t n;
};

static int
collect(void *ctx, const char *name)
{
	struct page *p = ctx;
	int n;

	if (p->n == PAGE)
		return 1;
	n = snprintf(p->names[p->n], sizeof(p->names[0]), "%s", name);
	if (n > 0 && (size_t)n < sizeof(p->names[0]))
		p->n++;
	return 0;
}

/* Call fn for every child key of prefix. */
static int
each_child(struct reg_store *s, const char *prefix, visit_fn fn, void *ctx)
{
	struct page *p = reg_xcalloc(1, sizeof(*p));
	char last[256] = "", key[KEY_MAX];
	struct reg_err err;
	size_t i;
	int rc = 0;

	do {
		p->n = 0;
		if (s->drv->list(s, prefix, last, PAGE, collect, p, &err) ==
		    -1) {
			rc = err.sys_errno == ENOENT ? 0 : -1;
			break;
		}
		for (i = 0; i < p->n && rc == 0; i++) {
			int n = snprintf(key, sizeof(key), "%s/%s", prefix,
					 p->names[i]);

			if (n > 0 && (size_t)n < sizeof(key))
				rc = fn(s, key, ctx);
		}
		if (p->n > 0)
			memcpy(last, p->names[p->n - 1], sizeof(last));
	} while (p->n == PAGE && rc == 0);
	free(p);
	return rc;
}

struct purge {
	time_t now;
	uint64_t max_age;
	unsigned removed;
	unsigned kept;
};

static const char *
base_name(const char *key)
{
	const char *slash = strrchr(key, '/');

	return slash ? slash + 1 : key;
}

static int
purge_upload(struct reg_store *s, const char *dir, void *ctx)
{
	struct purge *pg = ctx;
	char key[KEY_MAX];
	struct reg_buf b;
	struct reg_err err;
	uint64_t started = 0;
	int n = snprintf(key, sizeof(key), "%s/startedat", dir);

	if (n < 0 || (size_t)n >= sizeof(key))
		return 0;
	reg_buf_init(&b, 64);
	if (s->drv->get(s, key, &b, &err) == 0) {
		if (b.len && b.data[b.len - 1] == '\n')
			b.data[--b.len] = '\0';
		if (reg_parse_u64(b.data, 0, UINT64_MAX, &started) == -1)
			started = 0;
	}
	reg_buf_release(&b);
	/* No start time (a crash between two writes) counts as old. */
	if (started + pg->max_age > (uint64_t)pg->now) {
		pg->kept++;
		return 0;
	}
	if (s->drv->remove_tree(s, dir, &err) == -1) {
		fprintf(stderr, "berthctl: cannot remove %s: %s\n", dir,
			err.detail);
		return 0;
	}
	printf("removed %s\n", dir);
	pg->removed++;
	return 0;
}

static int
purge_walk(struct reg_store *s, const char *key, void *ctx)
{
	const char *name = base_name(key);

	if (strcmp(name, "_uploads") == 0)
		return each_child(s, key, purge_upload, ctx);
	if (name[0] == '_')
		return 0; /* _layers, _manifests, _referrers */
	return each_child(s, key, purge_walk, ctx);
}

static int
purge_uploads(int argc, char **argv)
{
	struct reg_cfg cfg;
	struct reg_store *s;
	struct reg_store_lock *l;
	struct reg_err err;
	struct purge pg;
	struct opts o;
	int rc = 1;

	if (parse_opts(argc, argv, &o) == -1)
		return usage();
	if (load_config(&o, &cfg) == -1)
		return 1;
	if ((s = open_store(&cfg)) == NULL)
		goto out_cfg;
	/* A cron job may start while the last run still goes: never overlap. */
	if ((l = s->drv->lock(s, "_tmp/purge-uploads.lock", &err)) == NULL) {
		fprintf(stderr, "berthctl: lock: %s\n", err.detail);
		goto out_store;
	}
	memset(&pg, 0, sizeof(pg));
	pg.now = time(NULL);
	pg.max_age = o.has_older_than ? o.older_than
				      : cfg.registry.upload_max_age;
	if (each_child(s, "repositories", purge_walk, &pg) == 0) {
		printf("%u uploads removed, %u kept\n", pg.removed, pg.kept);
		rc = 0;
	}
	s->drv->unlock(l);
out_store:
	reg_store_close(s);
out_cfg:
	reg_cfg_release(&cfg);
	return rc;
}

struct fsck {
	unsigned ok;
	unsigned bad;
	enum reg_digest_alg alg;
};

static int
hash_into(void *ctx, const void *p, size_t n, struct reg_err *err)
{
	(void)err;
	reg_hash_update(ctx, p, n);
	return 0;
}

/* blobs/<alg>/<2 hex>/<hex>/data must hash to <hex>. */
static int
fsck_blob(struct reg_store *s, const char *dir, void *ctx)
{
	struct fsck *f = ctx;
	const char *hex = base_name(dir);
	struct reg_digest d;
	struct reg_hash *h;
	struct reg_err err;
	char key[KEY_MAX];
	uint64_t size;
	int n = snprintf(key, sizeof(key), "%s/data", dir);

	if (n < 0 || (size_t)n >= sizeof(key))
		return 0;
	if (s->drv->stat(s, key, &size, &err) == -1) {
		printf("bad: %s: %s\n", key, err.detail);
		f->bad++;
		return 0;
	}
	h = reg_hash_new(f->alg);
	if (size > 0 &&
	    s->drv->read(s, key, 0, size, hash_into, h, &err) == -1) {
		printf("bad: %s: %s\n", key, err.detail);
		f->bad++;
		reg_hash_free(h);
		return 0;
	}
	reg_hash_final(h, &d);
	reg_hash_free(h);
	if (strcmp(d.hex, hex) != 0) {
		printf("bad: %s hashes to %s\n", key, d.str);
		f->bad++;
	} else {
		f->ok++;
	}
	return 0;
}

static int
fsck_prefix(struct reg_store *s, const char *dir, void *ctx)
{
	return each_child(s, dir, fsck_blob, ctx);
}

static int
fsck(int argc, char **argv)
{
	struct reg_cfg cfg;
	struct reg_store *s;
	struct fsck f;
	struct opts o;
	int rc = 1;

	if (parse_opts(argc, argv, &o) == -1 || o.has_older_than)
		return usage();
	if (load_config(&o, &cfg) == -1)
		return 1;
	if ((s = open_store(&cfg)) == NULL)
		goto out;
	memset(&f, 0, sizeof(f));
	f.alg = REG_DIGEST_SHA256;
	if (each_child(s, "blobs/sha256", fsck_prefix, &f) == 0) {
		f.alg = REG_DIGEST_SHA512;
		if (each_child(s, "blobs/sha512", fsck_prefix, &f) == 0) {
			printf("%u blobs ok, %u bad\n", f.ok, f.bad);
			rc = f.bad ? 1 : 0;
		}
	}
	reg_store_close(s);
out:
	reg_cfg_release(&cfg);
	return rc;
}

static void
print_key(const char *section, const char *key, void *ctx)
{
	(void)ctx;
	printf("%s %s\n", section, key);
}

int
main(int argc, char **argv)
{
	if (argc < 2)
		return usage();
	if (strcmp(argv[1], "check-config") == 0)
		return check_config(argc - 2, argv + 2);
	if (strcmp(argv[1], "purge-uploads") == 0)
		return purge_uploads(argc - 2, argv + 2);
	if (strcmp(argv[1], "fsck") == 0)
		return fsck(argc - 2, argv + 2);
	if (strcmp(argv[1], "keys") == 0) {
		reg_cfg_each_key(print_key, NULL);
		return 0;
	}
	return usage();
}
