/* test_manifest.c: unit tests for manifest and index validation */
/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "err.h"
#include "manifest.h"
#include "t.h"

#include "banned.h"

#define HEX1 "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
#define HEX2 "44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a"
#define HEX3 "5b0bcabd1ed22e9fb1310cf6c2dec7cdef19f0ad69efa1f392e94a4333501270"
#define D1 "sha256:" HEX1
#define D2 "sha256:" HEX2
#define D3 "sha256:" HEX3
#define H64 "cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce"
#define H64B "47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e"
#define D512 "sha512:" H64 H64B

#define MT_OCI_CFG "application/vnd.oci.image.config.v1+json"
#define MT_OCI_LAYER "application/vnd.oci.image.layer.v1.tar+gzip"
#define MT_EMPTY "application/vnd.oci.empty.v1+json"
#define MT_DCK_CFG "application/vnd.docker.container.image.v1+json"
#define MT_DCK_LAYER "application/vnd.docker.image.rootfs.diff.tar.gzip"
#define MT_DCK_FOREIGN                                                         \
	"application/vnd.docker.image.rootfs.foreign.diff.tar.gzip"
#define MT_NONDIST "application/vnd.oci.image.layer.nondistributable.v1.tar"
#define MT_SBOM "application/vnd.example.sbom.v1+json"

#define SV "\"schemaVersion\":2,"
#define MT(t) "\"mediaType\":\"" t "\","
#define DESC(mt, dg, sz)                                                       \
	"{\"mediaType\":\"" mt "\",\"digest\":\"" dg "\",\"size\":" sz "}"
#define CONFIG "\"config\":" DESC(MT_OCI_CFG, D1, "7023")
#define LAYER DESC(MT_OCI_LAYER, D2, "32654")
#define LAYERS "\"layers\":[" LAYER "," DESC(MT_OCI_LAYER, D3, "16724") "]"
#define OCI_MANIFEST "{" SV MT(REG_MT_OCI_MANIFEST) CONFIG "," LAYERS "}"
#define SUBJECT "\"subject\":" DESC(REG_MT_OCI_MANIFEST, D3, "1234")
#define PLATFORM "\"platform\":{\"architecture\":\"amd64\",\"os\":\"linux\"}"
#define ENTRY                                                                  \
	"{\"mediaType\":\"" REG_MT_OCI_MANIFEST "\",\"digest\":\"" D1          \
	"\",\"size\":7143," PLATFORM "}"

/* More descriptors. */
#define CONFIG512 "\"config\":" DESC(MT_OCI_CFG, D512, "0")
#define LAYER_MAX DESC(MT_OCI_LAYER, D1, "9223372036854775807")
#define EMPTY_CONFIG "\"config\":" DESC(MT_EMPTY, D2, "2")
#define DCK_CONFIG "\"config\":" DESC(MT_DCK_CFG, D1, "1469")
#define DCK_LAYER DESC(MT_DCK_LAYER, D2, "977")
#define DCK_FOREIGN                                                            \
	"{\"mediaType\":\"" MT_DCK_FOREIGN "\",\"digest\":\"" D3               \
	"\",\"size\":5,\"urls\":[\"https://example.com/l.tgz\"]}"
#define DCK_ENTRY DESC(REG_MT_DOCKER_MANIFEST, D1, "528")

/* Openings of a body, with its mediaType. */
#define HEAD_MT(t) "{" SV MT(t)
#define MAN_HEAD HEAD_MT(REG_MT_OCI_MANIFEST)
#define IDX_HEAD HEAD_MT(REG_MT_OCI_INDEX)
#define DMAN_HEAD HEAD_MT(REG_MT_DOCKER_MANIFEST)
#define DLIST_HEAD HEAD_MT(REG_MT_DOCKER_LIST)

/* A valid manifest or index around the fragment x. */
#define WITH_LAYER(x) MAN_HEAD CONFIG ",\"layers\":[" x "]}"
#define WITH_CONFIG(x) MAN_HEAD "\"config\":" x ",\"layers\":[]}"
#define WITH_ENTRY(x) IDX_HEAD "\"manifests\":[" x "]}"
#define WITH_SUBJECT(x) "{" SV CONFIG "," LAYERS ",\"subject\":" x "}"
#define WITH_ANNOTATIONS(x) "{" SV CONFIG "," LAYERS ",\"annotations\":" x "}"

#define C50 "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define C300 C50 C50 C50 C50 C50 C50
/* 127 characters */
#define N127                                                                   \
	"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" \
	"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"

struct mcase {
	const char *content_type;
	const char *body;
	size_t len;	    /* 0: strlen(body) */
	const char *detail; /* expected substring of err.detail */
	/* for rc == 0 */
	const char *media_type;
	const char *artifact_type; /* NULL: expect NULL */
	size_t nrefs;
	const char *annotations; /* NULL: expect NULL */
	int line;
	int rc;
	enum reg_errcode code;
	enum reg_manifest_kind kind;
	unsigned foreign; /* bit i: refs[i].foreign */
	bool has_subject;
};

#define OK(ct_, body_, kind_, mt_, at_, n_, foreign_, subj_, ann_)             \
	{                                                                      \
		.line = __LINE__, .content_type = (ct_), .body = (body_),      \
		.kind = (kind_), .media_type = (mt_), .artifact_type = (at_),  \
		.nrefs = (n_), .foreign = (foreign_), .has_subject = (subj_),  \
		.annotations = (ann_)                                          \
	}
#define BADN(ct_, body_, len_, detail_)                                        \
	{                                                                      \
		.line = __LINE__, .content_type = (ct_), .body = (body_),      \
		.len = (len_), .rc = -1, .code = REG_E_MANIFEST_INVALID,       \
		.detail = (detail_)                                            \
	}
#define BAD(ct, body, detail) BADN(ct, body, 0, detail)
/* A body with NUL bytes: the length of the literal. */
#define BADZ(ct, lit, detail) BADN(ct, lit, sizeof(lit) - 1, detail)

#define IMG REG_MANIFEST_IMAGE
#define IDX REG_MANIFEST_INDEX

static const struct mcase cases[] = {
	/* valid: OCI image manifest, with and without help from the header */
	OK(REG_MT_OCI_MANIFEST, OCI_MANIFEST, IMG, REG_MT_OCI_MANIFEST,
	   MT_OCI_CFG, 2, 0, false, NULL),
	OK(NULL, OCI_MANIFEST, IMG, REG_MT_OCI_MANIFEST, MT_OCI_CFG, 2, 0,
	   false, NULL),
	OK("", OCI_MANIFEST "\n", IMG, REG_MT_OCI_MANIFEST, MT_OCI_CFG, 2, 0,
	   false, NULL),
	OK("  " REG_MT_OCI_MANIFEST " ; charset=utf-8", OCI_MANIFEST, IMG,
	   REG_MT_OCI_MANIFEST, MT_OCI_CFG, 2, 0, false, NULL),
	OK(REG_MT_OCI_MANIFEST, "{" SV CONFIG "," LAYERS "}", IMG,
	   REG_MT_OCI_MANIFEST, MT_OCI_CFG, 2, 0, false, NULL),
	OK(NULL, "{" SV CONFIG "," LAYERS "}", IMG, REG_MT_OCI_MANIFEST,
	   MT_OCI_CFG, 2, 0, false, NULL),
	OK(NULL, " \t\r\n{" SV CONFIG ",\"layers\":[]} \r\n", IMG,
	   REG_MT_OCI_MANIFEST, MT_OCI_CFG, 0, 0, false, NULL),
	/* sha512, size 0 and the largest size */
	OK(NULL, "{" SV CONFIG512 ",\"layers\":[" LAYER_MAX "]}", IMG,
	   REG_MT_OCI_MANIFEST, MT_OCI_CFG, 1, 0, false, NULL),
	/* explicit nulls count as absent; unknown members are ignored */
	OK(NULL,
	   "{" SV "\"mediaType\":null,\"artifactType\":null,\"subject\":null,"
	   "\"annotations\":null,\"x\":{\"y\":[1,-2.5e+3,true,false,null]}"
	   "," CONFIG ",\"layers\":[]}",
	   IMG, REG_MT_OCI_MANIFEST, MT_OCI_CFG, 0, 0, false, NULL),
	/* duplicate keys: json-c keeps the last one */
	OK(NULL,
	   HEAD_MT("text/plain") MT(REG_MT_OCI_MANIFEST) CONFIG "," LAYERS "}",
	   IMG, REG_MT_OCI_MANIFEST, MT_OCI_CFG, 2, 0, false, NULL),

	/* valid: OCI index */
	OK(REG_MT_OCI_INDEX,
	   IDX_HEAD
	   "\"manifests\":[" ENTRY "," ENTRY "],"
	   "\"annotations\":{\"org.opencontainers.image.ref.name\":\"v1\"}}",
	   IDX, REG_MT_OCI_INDEX, NULL, 2, 0, false,
	   "{\"org.opencontainers.image.ref.name\":\"v1\"}"),
	OK(NULL, "{" SV "\"manifests\":[]}", IDX, REG_MT_OCI_INDEX, NULL, 0, 0,
	   false, NULL),
	OK(NULL,
	   IDX_HEAD "\"artifactType\":\"" MT_SBOM "\","
		    "\"manifests\":[" ENTRY "]," SUBJECT "}",
	   IDX, REG_MT_OCI_INDEX, MT_SBOM, 1, 0, true, NULL),

	/* valid: Docker schema 2 manifest with a foreign layer, and list */
	OK(REG_MT_DOCKER_MANIFEST,
	   DMAN_HEAD DCK_CONFIG ",\"layers\":[" DCK_LAYER "," DCK_FOREIGN "]}",
	   IMG, REG_MT_DOCKER_MANIFEST, MT_DCK_CFG, 2, 2, false, NULL),
	OK(REG_MT_DOCKER_MANIFEST,
	   "{" SV DCK_CONFIG ",\"layers\":[" DCK_LAYER "]}", IMG,
	   REG_MT_DOCKER_MANIFEST, MT_DCK_CFG, 1, 0, false, NULL),
	OK(REG_MT_DOCKER_LIST, DLIST_HEAD "\"manifests\":[" DCK_ENTRY "]}", IDX,
	   REG_MT_DOCKER_LIST, NULL, 1, 0, false, NULL),

	/* foreign: OCI non-distributable with urls; not without them */
	OK(NULL,
	   WITH_LAYER("{\"mediaType\":\"" MT_NONDIST "\",\"digest\":\"" D1
		      "\",\"size\":1,\"urls\":[\"https://e.test/a\"]},"
		      "{\"mediaType\":\"" MT_NONDIST "\",\"digest\":\"" D1
		      "\",\"size\":1,\"urls\":[]},"
		      "{\"mediaType\":\"" MT_NONDIST "\",\"digest\":\"" D1
		      "\",\"size\":1}," LAYER),
	   IMG, REG_MT_OCI_MANIFEST, MT_OCI_CFG, 4, 1, false, NULL),

	/* valid: artifact with artifactType, empty config, no layers */
	OK(REG_MT_OCI_MANIFEST,
	   MAN_HEAD
	   "\"artifactType\":\"" MT_SBOM "\"," EMPTY_CONFIG
	   ",\"layers\":[]," SUBJECT ",\"annotations\":{"
	   "\"org.opencontainers.image.created\":\"2024-01-02T03:04:05Z\","
	   "\"a/b\":\"\\u00e9\\\"\"}}",
	   IMG, REG_MT_OCI_MANIFEST, MT_SBOM, 0, 0, true,
	   "{\"org.opencontainers.image.created\":\"2024-01-02T03:04:05Z\","
	   "\"a/b\":\"\xc3\xa9\\\"\"}"),
	/* layer descriptors may carry artifactType, annotations, data */
	OK(NULL,
	   WITH_LAYER("{\"mediaType\":\"" MT_OCI_LAYER "\",\"digest\":\"" D1
		      "\",\"size\":1,\"artifactType\":\"" MT_SBOM
		      "\",\"annotations\":{},\"data\":\"e30=\"}"),
	   IMG, REG_MT_OCI_MANIFEST, MT_OCI_CFG, 1, 0, false, NULL),
	OK(NULL, "{" SV CONFIG ",\"layers\":[],\"annotations\":{}}", IMG,
	   REG_MT_OCI_MANIFEST, MT_OCI_CFG, 0, 0, false, "{}"),

	/* not JSON, or not an object */
	BAD(NULL, "", "empty body"),
	BAD(NULL, "not json", "invalid JSON"),
	BAD(NULL, " \n ", "invalid JSON"),
	BAD(NULL, OCI_MANIFEST " x", "invalid JSON"),
	BAD(NULL, OCI_MANIFEST "{}", "invalid JSON"),
	BAD(NULL, OCI_MANIFEST ",", "invalid JSON"),
	BAD(NULL, "{" SV CONFIG "," LAYERS, "invalid JSON"),
	BAD(NULL, "[" OCI_MANIFEST "]", "must be a JSON object"),
	BAD(NULL, "\"" REG_MT_OCI_MANIFEST "\"", "must be a JSON object"),
	BAD(NULL, "null", "manifest: "),
	BAD(NULL, "null ", "must be a JSON object"),
	BAD(NULL, "true ", "must be a JSON object"),
	BAD(NULL, "2", "invalid JSON"),
	BAD(NULL, "{\"schemaVersion\":2,}", "invalid JSON"),
	BAD(NULL, "{\"schemaVersion\":2 /* c */}", "invalid JSON"),
	BAD(NULL, "{'schemaVersion':2}", "invalid JSON"),
	BAD(NULL, "{\"schemaVersion\":2,\"x\":NaN}", "invalid JSON"),
	BAD(NULL, "{\"schemaVersion\":2,\"x\":-Infinity}", "invalid JSON"),
	BAD(NULL, "{\"schemaVersion\":2,\"x\":1.}", "invalid JSON"),
	BAD(NULL, "{\"schemaVersion\":2,\"x\":-01}", "invalid JSON"),
	BAD(NULL, "{\"schemaVersion\":2,\"x\":1e}", "invalid JSON"),
	BAD(NULL, "{\"schemaVersion\":2,\"x\":+1}", "invalid JSON"),
	BAD(NULL, "{\"schemaVersion\":2,\"x\":.5}", "invalid JSON"),
	BAD(NULL, "{\"schemaVersion\":2,\"x\":tru}", "invalid JSON"),
	BAD(NULL, "{\"schemaVersion\":2,\"x\":\"a\tb\"}", "invalid JSON"),
	BAD(NULL, "{\"schemaVersion\":2,\"x\":\"a\nb\"}", "invalid JSON"),
	BAD(NULL, "{\"schemaVersion\":2,\"x\":\"\\q\"}", "invalid JSON"),
	BAD(NULL, "{\"schemaVersion\":2,\"x\":\"abc", "invalid JSON"),
	BAD(NULL, "{\"schemaVersion\":2,\"x\":\"abc\\", "invalid JSON"),
	BAD(NULL, "{\"schemaVersion\":2,\"x\":\"\xff\"}", "invalid JSON"),
	BAD(NULL, "{\"schemaVersion\":2,\"x\":\"\xc3\"}", "invalid JSON"),
	BAD(NULL, "\xef\xbb\xbf" OCI_MANIFEST, "invalid JSON"),
	BADZ(NULL, OCI_MANIFEST "\0", "invalid JSON"),
	BADZ(NULL, OCI_MANIFEST "\0 ", "invalid JSON"),
	BADZ(NULL, "{\"schemaVersion\":2,\0\"x\":1}", "invalid JSON"),
	BADZ(NULL, "{\"schemaVersion\":2,\"x\":\"a\0b\"}", "invalid JSON"),

	/* schemaVersion */
	BAD(NULL, "{" CONFIG "," LAYERS "}", "schemaVersion: missing"),
	BAD(NULL, "{\"schemaVersion\":1," CONFIG "," LAYERS "}",
	    "schemaVersion: docker schema 1"),
	BAD(NULL, "{\"schemaVersion\":\"2\"," CONFIG "," LAYERS "}",
	    "schemaVersion: must be"),
	BAD(NULL, "{\"schemaVersion\":2.0," CONFIG "," LAYERS "}",
	    "schemaVersion: must be"),
	BAD(NULL, "{\"schemaVersion\":3," CONFIG "," LAYERS "}",
	    "schemaVersion: must be"),
	BAD(NULL, "{\"schemaVersion\":-2," CONFIG "," LAYERS "}",
	    "schemaVersion: must be"),
	BAD(NULL, "{\"schemaVersion\":true," CONFIG "," LAYERS "}",
	    "schemaVersion: must be"),
	BAD(NULL,
	    "{\"schemaVersion\":18446744073709551618," CONFIG "," LAYERS "}",
	    "schemaVersion: must be"),

	/* media type: resolution */
	BAD(REG_MT_OCI_INDEX, OCI_MANIFEST,
	    "mediaType: \"" REG_MT_OCI_MANIFEST "\" does not match"),
	BAD("application/json", OCI_MANIFEST, "does not match"),
	BAD(REG_MT_OCI_MANIFEST "\r\nX-Evil: 1", OCI_MANIFEST,
	    "does not match"),
	BAD(REG_MT_OCI_MANIFEST "\r\nX-Evil: 1", "{" SV CONFIG "," LAYERS "}",
	    "Content-Type: invalid media type"),
	BAD("application/vnd.example+json", "{" SV CONFIG "," LAYERS "}",
	    "Content-Type: unsupported media type "
	    "\"application/vnd.example+json\""),
	BAD(NULL, HEAD_MT("application/vnd.example+json") CONFIG "," LAYERS "}",
	    "mediaType: unsupported media type"),
	BAD(NULL, HEAD_MT(MT_OCI_CFG) CONFIG "," LAYERS "}",
	    "mediaType: unsupported media type"),
	BAD("application/vnd.docker.distribution.manifest.v1+prettyjws",
	    "{\"schemaVersion\":1,\"name\":\"a\",\"tag\":\"b\"}",
	    "schema 1 manifests are not supported"),
	BAD("application/vnd.docker.distribution.manifest.v1+prettyjws",
	    "{" SV CONFIG "," LAYERS "}", "Content-Type: docker schema 1"),
	BAD(NULL,
	    HEAD_MT("application/vnd.docker.distribution.manifest.v1+json")
		    CONFIG "," LAYERS "}",
	    "mediaType: docker schema 1"),
	BAD(NULL, "{" SV LAYERS "}", "mediaType: missing"),
	BAD(NULL, "{" SV CONFIG "," LAYERS ",\"manifests\":[]}",
	    "mediaType: missing"),
	BAD("  ; charset=utf-8", "{" SV LAYERS "}", "mediaType: missing"),

	/* media type: syntax */
	BAD(NULL,
	    HEAD_MT("application/vnd.oci.image.manifest.v1+json\\r\\n") CONFIG
	    "," LAYERS "}",
	    "mediaType: invalid media type"),
	BAD(NULL,
	    HEAD_MT("application/vnd.oci.image.manifest.v1+json\\u0000") CONFIG
	    "," LAYERS "}",
	    "mediaType: invalid media type"),
	BAD(NULL,
	    HEAD_MT("application/vnd.oci.image.manifest.v1+json ") CONFIG
	    "," LAYERS "}",
	    "mediaType: invalid media type"),
	BAD(NULL, HEAD_MT("application/" C300) CONFIG "," LAYERS "}",
	    "mediaType: invalid media type"),
	BAD(NULL, "{" SV "\"mediaType\":42," CONFIG "," LAYERS "}",
	    "mediaType: must be a string"),
	BAD(NULL,
	    "{" SV "\"mediaType\":[\"" REG_MT_OCI_MANIFEST "\"]," CONFIG
	    "," LAYERS "}",
	    "mediaType: must be a string"),
	BAD(NULL, "{" SV "\"artifactType\":\"sbom\"," CONFIG "," LAYERS "}",
	    "artifactType: invalid media type"),
	BAD(NULL, "{" SV "\"artifactType\":1," CONFIG "," LAYERS "}",
	    "artifactType: must be a string"),

	/* config */
	BAD(NULL, MAN_HEAD LAYERS "}", "config: missing"),
	BAD(REG_MT_OCI_MANIFEST, "{" SV LAYERS "}", "config: missing"),
	BAD(NULL, WITH_CONFIG("\"" D1 "\""), "config: must be an object"),
	BAD(NULL, WITH_CONFIG("{}"), "config.mediaType: missing"),
	BAD(NULL, WITH_CONFIG(DESC("text", D1, "1")),
	    "config.mediaType: invalid media type"),
	BAD(NULL, WITH_CONFIG("{\"mediaType\":\"" MT_OCI_CFG "\",\"size\":1}"),
	    "config.digest: missing"),
	BAD(NULL,
	    WITH_CONFIG("{\"mediaType\":\"" MT_OCI_CFG "\",\"digest\":\"" D1
			"\"}"),
	    "config.size: missing"),
	BAD(NULL, WITH_CONFIG(DESC(MT_OCI_CFG, D1, "-1")),
	    "config.size: must be"),
	BAD(NULL, WITH_CONFIG(DESC(MT_OCI_CFG, D1, "\"1\"")),
	    "config.size: must be"),

	/* layers */
	BAD(NULL, MAN_HEAD CONFIG "}", "layers: missing"),
	BAD(NULL, "{" SV CONFIG ",\"layers\":{}}", "layers: must be an array"),
	BAD(NULL, "{" SV CONFIG ",\"layers\":\"x\"}",
	    "layers: must be an array"),
	BAD(NULL, WITH_LAYER(LAYER ",[]"), "layers[1]: must be an object"),
	BAD(NULL, WITH_LAYER(LAYER ",null"), "layers[1]: must be an object"),
	BAD(REG_MT_DOCKER_MANIFEST, DMAN_HEAD DCK_CONFIG ",\"layers\":[]}",
	    "layers: a docker schema 2 manifest needs at least one layer"),
	BAD(REG_MT_OCI_MANIFEST, "{" SV CONFIG "," LAYERS ",\"manifests\":[]}",
	    "manifests: not allowed in an image manifest"),

	/* digests */
	BAD(NULL,
	    WITH_LAYER(LAYER "," LAYER "," DESC(MT_OCI_LAYER, "sha256:a", "1")),
	    "layers[2].digest: invalid digest"),
	BAD(NULL,
	    WITH_LAYER(DESC(MT_OCI_LAYER,
			    "sha256:E3B0C44298FC1C149AFBF4C8996FB9"
			    "2427AE41E4649B934CA495991B7852B855",
			    "1")),
	    "layers[0].digest: invalid digest"),
	BAD(NULL,
	    WITH_LAYER(DESC(MT_OCI_LAYER,
			    "md5:d41d8cd98f00b204e9800998ecf8427e", "1")),
	    "layers[0].digest: invalid digest"),
	BAD(NULL, WITH_LAYER(DESC(MT_OCI_LAYER, "sha512:" H64, "1")),
	    "layers[0].digest: invalid digest"),
	BAD(NULL, WITH_LAYER(DESC(MT_OCI_LAYER, D1 " ", "1")),
	    "layers[0].digest: invalid digest"),
	BAD(NULL, WITH_LAYER(DESC(MT_OCI_LAYER, D1 "\\u0000", "1")),
	    "layers[0].digest: invalid digest"),
	BAD(NULL, WITH_LAYER(DESC(MT_OCI_LAYER, "", "1")),
	    "layers[0].digest: invalid digest"),
	BAD(NULL,
	    WITH_LAYER("{\"mediaType\":\"" MT_OCI_LAYER
		       "\",\"digest\":5,\"size\":1}"),
	    "layers[0].digest: must be a string"),

	/* sizes */
	BAD(NULL, WITH_LAYER(LAYER "," DESC(MT_OCI_LAYER, D1, "-1")),
	    "layers[1].size: must be"),
	BAD(NULL, WITH_LAYER(DESC(MT_OCI_LAYER, D1, "1.5")),
	    "layers[0].size: must be"),
	BAD(NULL, WITH_LAYER(DESC(MT_OCI_LAYER, D1, "1.0")),
	    "layers[0].size: must be"),
	BAD(NULL, WITH_LAYER(DESC(MT_OCI_LAYER, D1, "1e3")),
	    "layers[0].size: must be"),
	BAD(NULL, WITH_LAYER(DESC(MT_OCI_LAYER, D1, "9223372036854775808")),
	    "layers[0].size: must be"),
	BAD(NULL, WITH_LAYER(DESC(MT_OCI_LAYER, D1, "18446744073709551615")),
	    "layers[0].size: must be"),
	BAD(NULL, WITH_LAYER(DESC(MT_OCI_LAYER, D1, "18446744073709551616")),
	    "layers[0].size: must be"),
	BAD(NULL,
	    WITH_LAYER(DESC(MT_OCI_LAYER, D1, "99999999999999999999999999999")),
	    "layers[0].size: must be"),
	BAD(NULL, WITH_LAYER(DESC(MT_OCI_LAYER, D1, "-9223372036854775809")),
	    "layers[0].size: must be"),
	BAD(NULL, WITH_LAYER(DESC(MT_OCI_LAYER, D1, "true")),
	    "layers[0].size: must be"),

	/* descriptor extras */
	BAD(NULL,
	    WITH_LAYER("{\"mediaType\":\"" MT_OCI_LAYER "\",\"digest\":\"" D1
		       "\",\"size\":1,\"artifactType\":\"x y/z\"}"),
	    "layers[0].artifactType: invalid media type"),
	BAD(NULL,
	    WITH_LAYER("{\"mediaType\":\"" MT_NONDIST "\",\"digest\":\"" D1
		       "\",\"size\":1,\"urls\":\"https://e.test/\"}"),
	    "layers[0].urls: must be an array"),
	BAD(NULL,
	    WITH_LAYER("{\"mediaType\":\"" MT_NONDIST "\",\"digest\":\"" D1
		       "\",\"size\":1,\"urls\":[\"https://e.test/\",\"a b\"]}"),
	    "layers[0].urls[1]: invalid URL"),
	BAD(NULL,
	    WITH_LAYER("{\"mediaType\":\"" MT_NONDIST "\",\"digest\":\"" D1
		       "\",\"size\":1,\"urls\":[1]}"),
	    "layers[0].urls[0]: invalid URL"),
	BAD(NULL,
	    WITH_LAYER("{\"mediaType\":\"" MT_OCI_LAYER "\",\"digest\":\"" D1
		       "\",\"size\":1,\"annotations\":{\"a\":1}}"),
	    "layers[0].annotations: values must be strings"),
	BAD(NULL,
	    WITH_LAYER("{\"mediaType\":\"" MT_OCI_LAYER "\",\"digest\":\"" D1
		       "\",\"size\":1,\"data\":{}}"),
	    "layers[0].data: must be a string"),

	/* index entries */
	BAD(NULL, "{" SV "\"mediaType\":\"" REG_MT_OCI_INDEX "\"}",
	    "manifests: missing"),
	BAD(NULL, IDX_HEAD "\"manifests\":{}}", "manifests: must be an array"),
	BAD(NULL, WITH_ENTRY(ENTRY ",\"" D1 "\""),
	    "manifests[1]: must be an object"),
	BAD(NULL, WITH_ENTRY(ENTRY ",{\"digest\":\"" D1 "\",\"size\":1}"),
	    "manifests[1].mediaType: missing"),
	BAD(NULL, WITH_ENTRY(DESC(REG_MT_OCI_MANIFEST, "sha256:", "1")),
	    "manifests[0].digest: invalid digest"),
	BAD(NULL, WITH_ENTRY(DESC(REG_MT_OCI_MANIFEST, D1, "-5")),
	    "manifests[0].size: must be"),
	BAD(NULL,
	    WITH_ENTRY("{\"mediaType\":\"" REG_MT_OCI_MANIFEST
		       "\",\"digest\":\"" D1
		       "\",\"size\":1,\"platform\":\"linux\"}"),
	    "manifests[0].platform: must be an object"),
	BAD(NULL, IDX_HEAD CONFIG ",\"manifests\":[]}",
	    "config: not allowed in an index"),
	BAD(NULL, DLIST_HEAD LAYERS ",\"manifests\":[]}",
	    "layers: not allowed in an index"),

	/* subject */
	BAD(NULL, WITH_SUBJECT("\"" D1 "\""), "subject: must be an object"),
	BAD(NULL, WITH_SUBJECT(DESC(REG_MT_OCI_MANIFEST, "sha256:xyz", "1")),
	    "subject.digest: invalid digest"),
	BAD(NULL,
	    WITH_SUBJECT("{\"mediaType\":\"" REG_MT_OCI_MANIFEST
			 "\",\"digest\":\"" D1 "\"}"),
	    "subject.size: missing"),
	BAD(NULL, WITH_SUBJECT("{}"), "subject.mediaType: missing"),

	/* annotations */
	BAD(NULL, WITH_ANNOTATIONS("[]"), "annotations: must be an object"),
	BAD(NULL, WITH_ANNOTATIONS("\"a=b\""),
	    "annotations: must be an object"),
	BAD(NULL, WITH_ANNOTATIONS("{\"a\":\"b\",\"c\":null}"),
	    "annotations: values must be strings"),
	BAD(NULL, WITH_ANNOTATIONS("{\"a\":{\"b\":\"c\"}}"),
	    "annotations: values must be strings"),
};

static bool
has_ctl(const char *s)
{
	for (; *s; s++) {
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return true;
	}
	return false;
}

static void
test_table(void)
{
	struct reg_manifest m;
	struct reg_err err;
	size_t i, j;

	for (i = 0; i < T_NITEMS(cases); i++) {
		const struct mcase *c = &cases[i];
		size_t len;
		int rc;

		T_ROW(c->line);
		len = c->len ? c->len : strlen(c->body);
		reg_err_clear(&err);
		memset(&m, 0xa5, sizeof(m)); /* garbage in: parse must init */
		rc = reg_manifest_parse(&m, c->body, len, c->content_type,
					&err);
		T_EQ_INT(rc, c->rc);
		T_EQ_INT(err.code, c->code);
		if (c->rc == -1) {
			T_ASSERT(strstr(err.detail, c->detail) != NULL);
			if (strstr(err.detail, c->detail) == NULL)
				fprintf(stderr, "# detail: %s\n", err.detail);
			T_ASSERT(!has_ctl(err.detail));
			/* *m is left released */
			T_ASSERT(m.media_type == NULL);
			T_ASSERT(m.refs == NULL && m.nrefs == 0);
			T_ASSERT(m.annotations_json == NULL);
		} else {
			if (rc != 0) {
				fprintf(stderr, "# detail: %s\n", err.detail);
				reg_manifest_release(&m);
				continue;
			}
			T_EQ_INT(m.kind, c->kind);
			T_EQ_STR(m.media_type, c->media_type);
			if (c->artifact_type)
				T_EQ_STR(m.artifact_type, c->artifact_type);
			else
				T_ASSERT(m.artifact_type == NULL);
			T_EQ_INT(m.nrefs, c->nrefs);
			T_ASSERT((m.nrefs == 0) == (m.refs == NULL));
			for (j = 0; j < m.nrefs; j++) {
				T_EQ_INT(m.refs[j].foreign,
					 (c->foreign >> j) & 1);
				T_ASSERT(m.refs[j].media_type != NULL);
			}
			T_EQ_INT(m.has_subject, c->has_subject);
			T_EQ_INT(m.has_config, c->kind == REG_MANIFEST_IMAGE);
			if (c->annotations)
				T_EQ_STR(m.annotations_json, c->annotations);
			else
				T_ASSERT(m.annotations_json == NULL);
		}
		reg_manifest_release(&m);
		reg_manifest_release(&m);
	}
}

#define SHA512_LAYER                                                           \
	"{\"mediaType\":\"" MT_OCI_LAYER "\",\"digest\":\"" D512               \
	"\",\"size\":9223372036854775807,\"artifactType\":\"" MT_SBOM "\"}"

/* The fields of one fully populated manifest. */
static void
test_fields(void)
{
	static const char body[] = MAN_HEAD CONFIG
		",\"layers\":[" LAYER "," SHA512_LAYER "]," SUBJECT "}";
	struct reg_manifest m;
	struct reg_err err;

	reg_err_clear(&err);
	T_EQ_INT(reg_manifest_parse(&m, body, strlen(body), NULL, &err), 0);
	T_EQ_INT(err.code, REG_E_NONE);
	if (m.media_type == NULL)
		return;
	T_ASSERT(m.has_config);
	T_EQ_STR(m.config.media_type, MT_OCI_CFG);
	T_EQ_STR(m.config.digest.str, D1);
	T_EQ_INT(m.config.digest.alg, REG_DIGEST_SHA256);
	T_EQ_INT(m.config.size, 7023);
	T_ASSERT(m.config.artifact_type == NULL);
	T_ASSERT(!m.config.foreign);
	T_EQ_INT(m.nrefs, 2);
	T_EQ_STR(m.refs[0].media_type, MT_OCI_LAYER);
	T_EQ_STR(m.refs[0].digest.str, D2);
	T_EQ_INT(m.refs[0].size, 32654);
	T_EQ_STR(m.refs[1].digest.str, D512);
	T_EQ_STR(m.refs[1].digest.hex, H64 H64B);
	T_EQ_INT(m.refs[1].digest.alg, REG_DIGEST_SHA512);
	T_ASSERT(m.refs[1].size == 9223372036854775807ULL);
	T_EQ_STR(m.refs[1].artifact_type, MT_SBOM);
	T_ASSERT(m.has_subject);
	T_EQ_STR(m.subject.media_type, REG_MT_OCI_MANIFEST);
	T_EQ_STR(m.subject.digest.str, D3);
	T_EQ_INT(m.subject.size, 1234);
	T_EQ_STR(m.artifact_type, MT_OCI_CFG);
	reg_manifest_release(&m);
	T_ASSERT(m.media_type == NULL && m.refs == NULL && m.nrefs == 0);
	T_ASSERT(!m.has_config && !m.has_subject);
	reg_manifest_release(&m);
}

/* Nesting: REG_MANIFEST_MAX_DEPTH is the limit, deeper is refused. */
static int
parse_nested(size_t depth, struct reg_err *err)
{
	static const char head[] = "{" SV CONFIG ",\"layers\":[],\"x\":";
	struct reg_manifest m;
	struct reg_buf b;
	size_t i;
	int rc;

	reg_buf_init(&b, 1 << 20);
	rc = reg_buf_adds(&b, head);
	for (i = 0; i < depth && rc == 0; i++)
		rc = reg_buf_adds(&b, "[");
	for (i = 0; i < depth && rc == 0; i++)
		rc = reg_buf_adds(&b, "]");
	if (rc == 0)
		rc = reg_buf_adds(&b, "}");
	T_EQ_INT(rc, 0);
	reg_err_clear(err);
	rc = reg_manifest_parse(&m, b.data, b.len, NULL, err);
	reg_manifest_release(&m);
	reg_buf_release(&b);
	return rc;
}

static void
test_depth(void)
{
	struct reg_err err;

	/* the object itself is one level */
	T_EQ_INT(parse_nested(REG_MANIFEST_MAX_DEPTH - 1, &err), 0);
	T_EQ_INT(parse_nested(REG_MANIFEST_MAX_DEPTH, &err), -1);
	T_EQ_INT(err.code, REG_E_MANIFEST_INVALID);
	T_EQ_INT(parse_nested(100, &err), -1);
	T_EQ_INT(err.code, REG_E_MANIFEST_INVALID);
	T_ASSERT(strstr(err.detail, "invalid JSON") != NULL);
	T_EQ_INT(parse_nested(100000, &err), -1);
	T_EQ_INT(err.code, REG_E_MANIFEST_INVALID);
}

static void
test_release(void)
{
	struct reg_manifest m;
	struct reg_err err;

	memset(&m, 0, sizeof(m));
	reg_manifest_release(&m);
	reg_manifest_release(&m);
	reg_err_clear(&err);
	T_EQ_INT(reg_manifest_parse(&m, NULL, 0, NULL, &err), -1);
	T_EQ_INT(err.code, REG_E_MANIFEST_INVALID);
	reg_manifest_release(&m);
	/* a failure late in the parse, after refs were allocated */
	reg_err_clear(&err);
	T_EQ_INT(reg_manifest_parse(&m, OCI_MANIFEST, strlen(OCI_MANIFEST),
				    REG_MT_OCI_INDEX, &err),
		 -1);
	reg_manifest_release(&m);
	reg_manifest_release(&m);
	T_EQ_INT(reg_manifest_parse(&m, WITH_LAYER(LAYER "," LAYER ",{}"),
				    strlen(WITH_LAYER(LAYER "," LAYER ",{}")),
				    NULL, &err),
		 -1);
	T_ASSERT(strstr(err.detail, "layers[2].mediaType") != NULL);
	T_ASSERT(m.refs == NULL && m.nrefs == 0);
	reg_manifest_release(&m);
	reg_manifest_release(&m);
}

static const struct {
	const char *s;
	int line;
	bool ok;
} media_types[] = {
	{ REG_MT_OCI_MANIFEST, __LINE__, true },
	{ "a/b", __LINE__, true },
	{ "A/B", __LINE__, true },
	{ "0/9", __LINE__, true },
	{ "application/vnd.a!b#c$d&e-f^g_h.i+json", __LINE__, true },
	{ N127 "/" N127, __LINE__, true },
	{ N127 "a/b", __LINE__, false },
	{ "a/" N127 "a", __LINE__, false },
	{ "application/" C300, __LINE__, false },
	{ "", __LINE__, false },
	{ "/", __LINE__, false },
	{ "a/", __LINE__, false },
	{ "/b", __LINE__, false },
	{ "ab", __LINE__, false },
	{ "a/b/c", __LINE__, false },
	{ ".a/b", __LINE__, false },
	{ "a/+b", __LINE__, false },
	{ "a /b", __LINE__, false },
	{ "a/b ", __LINE__, false },
	{ " a/b", __LINE__, false },
	{ "a/b;x=y", __LINE__, false },
	{ "a/b\r\n", __LINE__, false },
	{ "a/b\n", __LINE__, false },
	{ "a/b\t", __LINE__, false },
	{ "a/b\"", __LINE__, false },
	{ "a/b*", __LINE__, false },
	{ "a/\xc3\xa9", __LINE__, false },
	{ "a/b\x7f", __LINE__, false },
};

static void
test_media_type(void)
{
	size_t i;

	for (i = 0; i < T_NITEMS(media_types); i++) {
		T_ROW(media_types[i].line);
		T_EQ_INT(reg_media_type_is_valid(media_types[i].s,
						 strlen(media_types[i].s)),
			 media_types[i].ok);
	}
	T_ROW(__LINE__);
	T_ASSERT(!reg_media_type_is_valid(NULL, 0));
	T_ASSERT(!reg_media_type_is_valid("a/b\0c", 5));
	T_ASSERT(reg_media_type_is_valid("a/bc", 3));
}

int
main(void)
{
	T_RUN(test_table, "manifest parse table");
	T_RUN(test_fields, "extracted fields");
	T_RUN(test_depth, "nesting limit");
	T_RUN(test_release, "release after failure and twice");
	T_RUN(test_media_type, "media type syntax");
	return T_DONE();
}
