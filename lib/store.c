/* store.c: choosing and opening a storage driver; key validation */
/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "store.h"

#include "banned.h"

bool
reg_store_key_is_valid(const char *key)
{
	const char *p = key, *seg;

	if (*p == '\0' || *p == '/')
		return false;
	while (*p) {
		seg = p;
		while (*p && *p != '/') {
			unsigned char c = (unsigned char)*p;

			/* The characters our names, tags and digests use. */
			if (!((c >= 'a' && c <= 'z') ||
			      (c >= 'A' && c <= 'Z') ||
			      (c >= '0' && c <= '9') || c == '.' || c == '_' ||
			      c == '-' || c == ':' || c == '+'))
				return false;
			p++;
		}
		if (p == seg)
			return false; /* empty component */
		if ((p - seg == 1 && seg[0] == '.') ||
		    (p - seg == 2 && seg[0] == '.' && seg[1] == '.'))
			return false;
		if (*p == '/') {
			p++;
			if (*p == '\0')
				return false; /* trailing slash */
		}
	}
	return true;
}

int
reg_store_check_key(const char *key, struct reg_err *err)
{
	if (!reg_store_key_is_valid(key))
		return reg_err_set(err, REG_E_INTERNAL, "invalid storage key");
	return 0;
}

struct reg_store *
reg_store_open(const struct reg_cfg *cfg, struct reg_err *err)
{
	struct reg_store *s = reg_xcalloc(1, sizeof(*s));

	switch (cfg->storage.driver) {
	case REG_STORAGE_FILESYSTEM:
		s->drv = &reg_store_fs_driver;
		break;
	case REG_STORAGE_S3:
		s->drv = &reg_store_s3_driver;
		break;
	}
	if (s->drv == NULL || s->drv->open(s, cfg, err) == -1) {
		free(s);
		return NULL;
	}
	return s;
}

void
reg_store_close(struct reg_store *s)
{
	if (s == NULL)
		return;
	s->drv->close(s);
	free(s);
}
