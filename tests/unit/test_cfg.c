/* test_cfg.c: unit tests for the berth.ini parser */
/* SPDX-License-Identifier: MIT */
#include "config.h"

#include "../../lib/cfg.c"
#include "t.h"

static const struct {
	int line;
	const char *text;
	int rc;
	const char *detail_has;
} cases[] = {
	{ __LINE__, "[storage]\npath = /srv/r\n", 0, NULL },
	{ __LINE__, "", -1, "[storage] path is required" },
	{ __LINE__, "[storage]\npath = relative\n", -1, "t.ini:2:" },
	{ __LINE__, "[storage]\npath = /x\nbogus = 1\n", -1,
	  "t.ini:3: unknown key \"bogus\"" },
	{ __LINE__, "[nope]\nk = v\n", -1, "t.ini:2: unknown section [nope]" },
	{ __LINE__, "[storage]\npath = /x\n[registry]\ndelete = maybe\n", -1,
	  "t.ini:4: delete" },
	{ __LINE__, "[storage]\npath = /x\n[registry]\ndelete = yes\n", 0,
	  NULL },
	{ __LINE__, "[storage]\npath = /x\n[registry]\nmax_page_size = 0\n", -1,
	  "t.ini:4:" },
	{ __LINE__, "[storage]\npath = /x\n[registry]\nmax_page_size = 1x\n",
	  -1, "not a number" },
	{ __LINE__,
	  "[storage]\npath = /x\n[registry]\nmax_page_size = "
	  "99999999999999999999999\n",
	  -1, "not a number" },
	{ __LINE__, "[storage]\npath = /x\numask = 0022\n", 0, NULL },
	{ __LINE__, "[storage]\npath = /x\numask = 0999\n", -1, "umask" },
	{ __LINE__, "[storage]\npath = /x\numask = 1777\n", -1, "umask" },
	{ __LINE__, "[storage]\npath = /x\ndriver = s4\n", -1,
	  "unknown storage driver" },
	{ __LINE__, "[storage]\npath = /x\npath = /y\n", -1, "twice" },
	/* The S3 driver: a bucket instead of a path, validated names. */
	{ __LINE__,
	  "[storage]\ndriver = s3\n[s3]\nbucket = reg\nregion = eu-west-1\n", 0,
	  NULL },
	{ __LINE__, "[storage]\ndriver = s3\n", -1, "[s3] bucket is required" },
	{ __LINE__, "[storage]\ndriver = s3\n[s3]\nbucket = reg\n", -1,
	  "needs an endpoint or a region" },
	{ __LINE__,
	  "[storage]\ndriver = s3\n[s3]\nbucket = Reg_1\nregion = r\n", -1,
	  "bucket: \"Reg_1\" is not a bucket name" },
	{ __LINE__,
	  "[storage]\ndriver = s3\n[s3]\nbucket = reg\nendpoint = "
	  "http://127.0.0.1:7480\n",
	  0, NULL },
	{ __LINE__,
	  "[storage]\ndriver = s3\n[s3]\nbucket = reg\nendpoint = "
	  "https://[::1]:443/\n",
	  0, NULL },
	{ __LINE__,
	  "[storage]\ndriver = s3\n[s3]\nbucket = reg\nendpoint = "
	  "https://h/path\n",
	  -1, "not http(s)://host[:port]" },
	{ __LINE__,
	  "[storage]\ndriver = s3\n[s3]\nbucket = reg\nendpoint = "
	  "http://h:99999\n",
	  -1, "not http(s)://host[:port]" },
	{ __LINE__,
	  "[storage]\ndriver = s3\n[s3]\nbucket = reg\nregion = r\n"
	  "prefix = a/b c\n",
	  -1, "prefix" },
	{ __LINE__,
	  "[storage]\ndriver = s3\n[s3]\nbucket = reg\nregion = r\n"
	  "prefix = a/../b\n",
	  -1, "\"..\" components" },
	{ __LINE__,
	  "[storage]\ndriver = s3\n[s3]\nbucket = reg\nregion = r\n"
	  "prefix = a//b\n",
	  -1, "prefix" },
	{ __LINE__,
	  "[storage]\ndriver = s3\n[s3]\nbucket = reg\nregion = r\n"
	  "prefix = /team/registry/\n",
	  0, NULL },
	{ __LINE__,
	  "[storage]\ndriver = s3\n[s3]\nbucket = reg\nregion = r\n"
	  "part_size = 1048576\n",
	  -1, "part_size" },
	{ __LINE__,
	  "[storage]\ndriver = s3\n[s3]\nbucket = reg\nregion = r\n"
	  "kms_key_id = k\n",
	  -1, "kms_key_id needs encrypt = true" },
	{ __LINE__,
	  "[storage]\ndriver = s3\n[s3]\nbucket = reg\nregion = r\n"
	  "secret_key = a\nsecret_key_file = /s\n",
	  -1, "exclusive" },
	{ __LINE__,
	  "[storage]\ndriver = s3\n[s3]\nbucket = reg\nregion = r\n"
	  "storage_class = cold storage\n",
	  -1, "storage_class" },
	{ __LINE__, "[storage]\npath = /x\n[log]\nlevel = loud\n", -1,
	  "t.ini:4: level" },
	{ __LINE__, "[storage]\npath = /x\n[log]\nformatter = xml\n", -1,
	  "json or text" },
	{ __LINE__,
	  "[storage]\npath = /x\n[log]\nfields = service=registry, "
	  "environment=production\n",
	  0, NULL },
	{ __LINE__, "[storage]\npath = /x\n[log]\nfields = novalue\n", -1,
	  "key=value" },
	{ __LINE__, "[storage]\npath = /x\n[log]\nfields = Bad=1\n", -1,
	  "bad field" },
	{ __LINE__, "[storage]\npath = /x\nthis is not ini\n", -1, "t.ini:3:" },
	{ __LINE__, "[storage]\npath = /x\n[htpasswd]\nrealm = a\"b\n", -1,
	  "t.ini:4: realm" },
	{ __LINE__,
	  "[storage]\npath = /x\n[auth]\nmethod = htpasswd, clientcert\n", 0,
	  NULL },
	{ __LINE__, "[storage]\npath = /x\n[auth]\nmethod = token, htpasswd\n",
	  -1, "cannot be combined" },
	{ __LINE__, "[storage]\npath = /x\n[auth]\nmethod = kerberos\n", -1,
	  "unknown method" },
	{ __LINE__, "[storage]\npath = /x\n[token]\nalgorithms = none\n", -1,
	  "unknown algorithm \"none\"" },
	{ __LINE__,
	  "[storage]\npath = /x\n[issuer]\nalgorithm = ES256, RS256\n", -1,
	  "exactly one" },
	{ __LINE__, "[storage]\npath = /x\n[access]\nallow = 10.0.0.0/33\n", -1,
	  "t.ini:4: allow" },
	{ __LINE__, "[storage]\npath = /x\n[access]\nallow = 10.0.0.0/8, ::1\n",
	  0, NULL },
	{ __LINE__, "[storage]\npath = /x\n[http]\nsendfile = maybe\n", -1,
	  "t.ini:4: sendfile: \"maybe\" is not auto, none or x-sendfile" },
	{ __LINE__, "[storage]\npath = /x\n[http]\nsendfile = Auto\n", -1,
	  "is not auto, none or x-sendfile" },
	{ __LINE__, "[storage]\npath = /x\n[http]\nsendfile =\n", -1,
	  "is not auto, none or x-sendfile" },
	{ __LINE__, "[storage]\npath = /x\n[http]\nsendfile = auto\n", 0,
	  NULL },
	{ __LINE__, "[storage]\npath = /x\n[issuer]\nexpiration = 10\n", -1,
	  "expiration" },
};

static void
test_table(void)
{
	size_t i;

	for (i = 0; i < T_NITEMS(cases); i++) {
		struct reg_cfg cfg;
		struct reg_err err;
		int rc;

		T_ROW(cases[i].line);
		reg_err_clear(&err);
		rc = reg_cfg_load_string(&cfg, cases[i].text, "t.ini", &err);
		T_EQ_INT(rc, cases[i].rc);
		if (rc == -1) {
			T_EQ_INT(err.code, REG_E_UNAVAILABLE);
			if (strstr(err.detail, cases[i].detail_has) == NULL)
				T_FAIL_AT("detail \"%s\" lacks \"%s\"",
					  err.detail, cases[i].detail_has);
		}
		reg_cfg_release(&cfg);
	}
}

static void
test_values(void)
{
	struct reg_cfg cfg;
	struct reg_err err;

	T_EQ_INT(reg_cfg_load_string(&cfg,
				     "[storage]\npath = /srv/r\numask = 007\n"
				     "[registry]\ndelete = true\nreadonly = "
				     "on\nmax_page_size = 50\n"
				     "max_manifest_size = 2048\n"
				     "[log]\nlevel = debug\nformatter = json\n"
				     "fields = service=registry,env=prod\n"
				     "file = /var/log/berth.log\n",
				     "v.ini", &err),
		 0);
	T_EQ_STR(cfg.storage.path, "/srv/r");
	T_EQ_INT(cfg.storage.umask, 07);
	T_ASSERT(cfg.registry.delete_enabled);
	T_ASSERT(cfg.registry.readonly);
	T_EQ_INT(cfg.registry.max_page_size, 50);
	T_EQ_INT(cfg.registry.max_manifest_size, 2048);
	T_EQ_INT(cfg.log.level, REG_LOG_DEBUG);
	T_ASSERT(cfg.log.json);
	T_EQ_INT(cfg.log.nfields, 2);
	T_EQ_STR(cfg.log.fields[1].key, "env");
	T_EQ_STR(cfg.log.fields[1].value, "prod");
	T_EQ_STR(cfg.log.file, "/var/log/berth.log");
	reg_cfg_release(&cfg);
}

static void
test_defaults(void)
{
	struct reg_cfg cfg;
	struct reg_err err;

	T_EQ_INT(reg_cfg_load_string(&cfg, "[storage]\npath = /r\n", "d.ini",
				     &err),
		 0);
	T_EQ_INT(cfg.storage.umask, 027);
	T_ASSERT(!cfg.registry.delete_enabled);
	T_EQ_INT(cfg.registry.max_page_size, 1000);
	T_EQ_INT(cfg.registry.max_manifest_size, 4 * 1024 * 1024);
	/* X-Sendfile when the web server says it honours it. */
	T_EQ_INT(cfg.http.sendfile, REG_SENDFILE_AUTO);
	reg_cfg_release(&cfg);
}

/* Each sendfile value parses to its own setting. */
static void
test_sendfile(void)
{
	static const struct {
		int line;
		const char *value;
		enum reg_sendfile want;
	} rows[] = {
		{ __LINE__, "auto", REG_SENDFILE_AUTO },
		{ __LINE__, "none", REG_SENDFILE_NONE },
		{ __LINE__, "x-sendfile", REG_SENDFILE_X_SENDFILE },
	};
	size_t i;

	for (i = 0; i < T_NITEMS(rows); i++) {
		struct reg_cfg cfg;
		struct reg_err err;
		char text[128];
		int n;

		T_ROW(rows[i].line);
		n = snprintf(text, sizeof(text),
			     "[storage]\npath = /r\n[http]\nsendfile = %s\n",
			     rows[i].value);
		T_ASSERT(n > 0 && (size_t)n < sizeof(text));
		T_EQ_INT(reg_cfg_load_string(&cfg, text, "s.ini", &err), 0);
		T_EQ_INT(cfg.http.sendfile, rows[i].want);
		reg_cfg_release(&cfg);
	}
}

int
main(void)
{
	T_RUN(test_table, "config parse table");
	T_RUN(test_values, "config values");
	T_RUN(test_defaults, "config defaults");
	T_RUN(test_sendfile, "config sendfile values");
	return T_DONE();
}
