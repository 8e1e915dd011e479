/* berthctl.c: the administration tool */
/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "cfg.h"

#include "banned.h"

static int
usage(void)
{
	fprintf(stderr, "usage: berthctl check-config [--config FILE]\n"
			"       berthctl keys\n");
	return 2;
}

static int
check_config(int argc, char **argv)
{
	const char *path = NULL;
	struct reg_cfg cfg;
	struct reg_err err;
	int i;

	for (i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--config") == 0 && i + 1 < argc)
			path = argv[++i];
		else
			return usage();
	}
	path = reg_cfg_default_path(path);
	if (reg_cfg_load(&cfg, path, &err) == -1) {
		fprintf(stderr, "berthctl: %s\n", err.detail);
		return 1;
	}
	printf("%s: ok\n", path);
	reg_cfg_release(&cfg);
	return 0;
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
	if (strcmp(argv[1], "keys") == 0) {
		reg_cfg_each_key(print_key, NULL);
		return 0;
	}
	return usage();
}
