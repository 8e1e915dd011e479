/* manifest.c: validation of OCI / Docker schema 2 manifests and indexes */
/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "buf.h"
#include "manifest.h"

#include "banned.h"

/*
 * The manifest is stored and hashed byte for byte as it came; json-c is
 * only used here to check it and to pull out what the registry needs.  Every
 * failure names the offending field ("layers[2].digest: invalid digest") so
 * that a client can tell what to fix.  Details only ever echo values that
 * have already been validated, never raw request bytes.
 */

#define MT_DOCKER_V1 "application/vnd.docker.distribution.manifest.v1+json"
#define MT_DOCKER_V1_SIGNED                                                    \
	"application/vnd.docker.distribution.manifest.v1+prettyjws"
#define MT_DOCKER_FOREIGN                                                      \
	"application/vnd.docker.image.rootfs.foreign.diff.tar.gzip"

#define NITEMS(a) (sizeof(a) / sizeof((a)[0]))

/* Room for "manifests[<SIZE_MAX>]" and friends. */
#define FIELD_MAX 64

static const struct {
	const char *media_type;
	enum reg_manifest_kind kind;
} known_types[] = {
	{ REG_MT_OCI_MANIFEST, REG_MANIFEST_IMAGE },
	{ REG_MT_OCI_INDEX, REG_MANIFEST_INDEX },
	{ REG_MT_DOCKER_MANIFEST, REG_MANIFEST_IMAGE },
	{ REG_MT_DOCKER_LIST, REG_MANIFEST_INDEX },
};

static bool
is_alnum(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9');
}

/* RFC 6838 restricted-name-chars. */
static bool
is_restricted_char(unsigned char c)
{
	switch (c) {
	case '!':
	case '#':
	case '$':
	case '&':
	case '-':
	case '^':
	case '_':
	case '.':
	case '+':
		return true;
	default:
		return is_alnum(c);
	}
}

/* True if <p,len> is an RFC 6838 restricted-name (1 to 127 bytes). */
static bool
is_restricted_name(const char *p, size_t len)
{
	size_t i;

	if (len == 0 || len > 127 || !is_alnum((unsigned char)p[0]))
		return false;
	for (i = 1; i < len; i++) {
		if (!is_restricted_char((unsigned char)p[i]))
			return false;
	}
	return true;
}

bool
reg_media_type_is_valid(const char *p, size_t len)
{
	const char *slash;

	if (p == NULL || len == 0 || len > REG_MEDIA_TYPE_MAX)
		return false;
	slash = memchr(p, '/', len);
	if (slash == NULL)
		return false;
	return is_restricted_name(p, (size_t)(slash - p)) &&
	       is_restricted_name(slash + 1, len - (size_t)(slash - p) - 1);
}

/* Build "key[i]" into out; -1 if it does not fit. */
static int
make_index_field(char *out, size_t outsz, const char *key, size_t i)
{
	int n;

	n = snprintf(out, outsz, "%s[%zu]", key, i);
	if (n < 0 || (size_t)n >= outsz)
		return -1;
	return 0;
}

/* Fail with MANIFEST_INVALID, naming the field prefix.key. */
static int
invalid(struct reg_err *err, const char *prefix, const char *key,
	const char *what)
{
	return reg_err_set(err, REG_E_MANIFEST_INVALID, "%s%s%s: %s", prefix,
			   *prefix && *key ? "." : "", key, what);
}

/*
 * The member key of obj, or NULL if it is absent.  An explicit JSON null
 * counts as absent, as it does for the Go clients and registries that
 * produce most manifests.
 */
static struct json_object *
get_member(struct json_object *obj, const char *key)
{
	return json_object_object_get(obj, key);
}

/* Validate the media type member key of obj; *out is NULL if absent. */
static int
get_media_type(struct json_object *obj, const char *prefix, const char *key,
	       bool required, const char **out, struct reg_err *err)
{
	struct json_object *v = get_member(obj, key);

	*out = NULL;
	if (v == NULL)
		return required ? invalid(err, prefix, key, "missing") : 0;
	if (!json_object_is_type(v, json_type_string))
		return invalid(err, prefix, key, "must be a string");
	if (!reg_media_type_is_valid(json_object_get_string(v),
				     (size_t)json_object_get_string_len(v)))
		return invalid(err, prefix, key, "invalid media type");
	*out = json_object_get_string(v);
	return 0;
}

/*
 * Check that a present annotations member of obj is an object of strings;
 * *out is the (borrowed) object, or NULL if absent.
 */
static int
check_annotations(struct json_object *obj, const char *prefix,
		  struct json_object **out, struct reg_err *err)
{
	struct json_object *v = get_member(obj, "annotations");
	struct json_object_iterator it, end;

	*out = NULL;
	if (v == NULL)
		return 0;
	if (!json_object_is_type(v, json_type_object))
		return invalid(err, prefix, "annotations", "must be an object");
	it = json_object_iter_begin(v);
	end = json_object_iter_end(v);
	while (!json_object_iter_equal(&it, &end)) {
		if (!json_object_is_type(json_object_iter_peek_value(&it),
					 json_type_string))
			return invalid(err, prefix, "annotations",
				       "values must be strings");
		json_object_iter_next(&it);
	}
	*out = v;
	return 0;
}

/* A URL of a descriptor: non-empty, no spaces or control characters. */
static bool
is_plausible_url(const char *p, size_t len)
{
	size_t i;

	if (len == 0)
		return false;
	for (i = 0; i < len; i++) {
		if ((unsigned char)p[i] <= ' ' || p[i] == 0x7f)
			return false;
	}
	return true;
}

/* Check a present urls member; *count is its length (0 if absent). */
static int
check_urls(struct json_object *obj, const char *prefix, size_t *count,
	   struct reg_err *err)
{
	struct json_object *v = get_member(obj, "urls");
	char field[FIELD_MAX];
	size_t i, n;

	*count = 0;
	if (v == NULL)
		return 0;
	if (!json_object_is_type(v, json_type_array))
		return invalid(err, prefix, "urls", "must be an array");
	n = json_object_array_length(v);
	for (i = 0; i < n; i++) {
		struct json_object *u = json_object_array_get_idx(v, i);

		if (make_index_field(field, sizeof(field), "urls", i) == -1)
			return invalid(err, prefix, "urls", "too many entries");
		if (!json_object_is_type(u, json_type_string) ||
		    !is_plausible_url(json_object_get_string(u),
				      (size_t)json_object_get_string_len(u)))
			return invalid(err, prefix, field, "invalid URL");
	}
	*count = n;
	return 0;
}

/* Check the digest member of a descriptor into *d. */
static int
get_digest(struct json_object *obj, const char *prefix, struct reg_digest *d,
	   struct reg_err *err)
{
	struct json_object *v = get_member(obj, "digest");
	struct reg_err scratch;

	if (v == NULL)
		return invalid(err, prefix, "digest", "missing");
	if (!json_object_is_type(v, json_type_string))
		return invalid(err, prefix, "digest", "must be a string");
	reg_err_clear(&scratch);
	if (reg_digest_parse(d, json_object_get_string(v),
			     (size_t)json_object_get_string_len(v),
			     &scratch) == -1)
		return invalid(err, prefix, "digest",
			       scratch.detail[0] ? scratch.detail
						 : "invalid digest");
	return 0;
}

/*
 * Check the size member of a descriptor: an integer from 0 to 2^63-1 (the
 * OCI spec's int64).  json-c reads integers past INT64_MAX as uint64 (and
 * clamps those past UINT64_MAX), and 1.0 or 1e3 as doubles.
 */
static int
get_size(struct json_object *obj, const char *prefix, uint64_t *size,
	 struct reg_err *err)
{
	struct json_object *v = get_member(obj, "size");

	if (v == NULL)
		return invalid(err, prefix, "size", "missing");
	if (!json_object_is_type(v, json_type_int) ||
	    json_object_get_int64(v) < 0 ||
	    json_object_get_uint64(v) > (uint64_t)INT64_MAX)
		return invalid(err, prefix, "size",
			       "must be an integer from 0 to 2^63-1");
	*size = (uint64_t)json_object_get_int64(v);
	return 0;
}

/*
 * Parse the descriptor v, called prefix in details, into *d (whose strings
 * then belong to the enclosing manifest).  layer says whether it may be a
 * foreign layer.  *d is written only on success.
 */
static int
parse_descriptor(struct reg_descriptor *d, struct json_object *v,
		 const char *prefix, bool layer, struct reg_err *err)
{
	struct reg_descriptor tmp;
	struct json_object *ann, *x;
	const char *mt, *at;
	size_t nurls;

	memset(&tmp, 0, sizeof(tmp));
	if (!json_object_is_type(v, json_type_object))
		return invalid(err, prefix, "", "must be an object");
	if (get_media_type(v, prefix, "mediaType", true, &mt, err) == -1 ||
	    get_digest(v, prefix, &tmp.digest, err) == -1 ||
	    get_size(v, prefix, &tmp.size, err) == -1 ||
	    get_media_type(v, prefix, "artifactType", false, &at, err) == -1 ||
	    check_urls(v, prefix, &nurls, err) == -1 ||
	    check_annotations(v, prefix, &ann, err) == -1)
		return -1;
	x = get_member(v, "platform");
	if (x != NULL && !json_object_is_type(x, json_type_object))
		return invalid(err, prefix, "platform", "must be an object");
	x = get_member(v, "data");
	if (x != NULL && !json_object_is_type(x, json_type_string))
		return invalid(err, prefix, "data", "must be a string");

	tmp.foreign = layer && nurls > 0 &&
		      (strcmp(mt, MT_DOCKER_FOREIGN) == 0 ||
		       strstr(mt, ".nondistributable.") != NULL);
	tmp.media_type = reg_xstrdup(mt);
	tmp.artifact_type = at ? reg_xstrdup(at) : NULL;
	*d = tmp;
	return 0;
}

/*
 * Parse the array member key of root (layers or manifests) into m->refs.
 * m->nrefs is set before the entries are parsed so that a failure half way
 * leaves something reg_manifest_release can free.
 */
static int
parse_refs(struct reg_manifest *m, struct json_object *root, const char *key,
	   bool layers, struct reg_err *err)
{
	struct json_object *v = get_member(root, key);
	char field[FIELD_MAX];
	size_t i, n;

	if (v == NULL)
		return invalid(err, "", key, "missing");
	if (!json_object_is_type(v, json_type_array))
		return invalid(err, "", key, "must be an array");
	n = json_object_array_length(v);
	if (n == 0)
		return 0;
	m->refs = reg_xcalloc(n, sizeof(*m->refs));
	m->nrefs = n;
	for (i = 0; i < n; i++) {
		if (make_index_field(field, sizeof(field), key, i) == -1)
			return invalid(err, "", key, "too many entries");
		if (parse_descriptor(&m->refs[i],
				     json_object_array_get_idx(v, i), field,
				     layers, err) == -1)
			return -1;
	}
	return 0;
}

static bool
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Skip a JSON number at p[*i]; -1 if malformed. */
static int
skip_number(const char *p, size_t len, size_t *i)
{
	size_t j = *i;

	if (j < len && p[j] == '-')
		j++;
	if (j < len && p[j] == '0')
		j++;
	else if (j < len && is_digit(p[j]))
		while (j < len && is_digit(p[j]))
			j++;
	else
		return -1;
	if (j < len && p[j] == '.') {
		if (++j == len || !is_digit(p[j]))
			return -1;
		while (j < len && is_digit(p[j]))
			j++;
	}
	if (j < len && (p[j] == 'e' || p[j] == 'E')) {
		j++;
		if (j < len && (p[j] == '+' || p[j] == '-'))
			j++;
		if (j == len || !is_digit(p[j]))
			return -1;
		while (j < len && is_digit(p[j]))
			j++;
	}
	/* "01", "1.2.3", "1e5e5", "1-2" */
	if (j < len && p[j] != '\0' &&
	    (is_digit(p[j]) || strchr(".eE+-", p[j]) != NULL))
		return -1;
	*i = j;
	return 0;
}

/*
 * RFC 8259 says a JSON text is what json-c's strict mode accepts, minus a
 * few things it still lets through: single-quoted strings, NaN and
 * Infinity, numbers such as "1." or "-01", and raw control characters
 * inside strings.  Since the bytes are stored as they came, a document that
 * other clients cannot read must not get in, so this pass rejects those at
 * the lexical level and leaves the grammar (and escapes) to json-c.  It also
 * rejects NUL bytes, which json-c would take as the end of the input.
 */
static int
check_json_lexically(const char *p, size_t len, struct reg_err *err)
{
	size_t i = 0;

	while (i < len) {
		unsigned char c = (unsigned char)p[i];

		if (c == '"') {
			for (i++; i < len; i++) {
				c = (unsigned char)p[i];
				if (c == '"')
					break;
				if (c < 0x20)
					return reg_err_set(
						err, REG_E_MANIFEST_INVALID,
						"manifest: invalid JSON: "
						"control character in a string "
						"at offset %zu",
						i);
				if (c == '\\' && ++i == len)
					break;
			}
			if (i >= len)
				return reg_err_set(err, REG_E_MANIFEST_INVALID,
						   "manifest: invalid JSON: "
						   "unterminated string");
			i++;
		} else if (c == '-' || is_digit((char)c)) {
			if (skip_number(p, len, &i) == -1)
				return reg_err_set(err, REG_E_MANIFEST_INVALID,
						   "manifest: invalid JSON: "
						   "bad number at offset %zu",
						   i);
		} else if (c != '\0' &&
			   strchr(" \t\r\n{}[]:,aeflnrstu", (char)c) != NULL) {
			/* structure, whitespace, true/false/null */
			i++;
		} else {
			return reg_err_set(err, REG_E_MANIFEST_INVALID,
					   "manifest: invalid JSON: "
					   "unexpected byte at offset %zu",
					   i);
		}
	}
	return 0;
}

/* Parse <body,len> into *out (owned by the caller). */
static int
parse_json(const char *body, size_t len, struct json_object **out,
	   struct reg_err *err)
{
	struct json_tokener *tok;
	struct json_object *root;
	enum json_tokener_error jerr;
	size_t end;
	int flags = JSON_TOKENER_STRICT;

#ifdef JSON_TOKENER_VALIDATE_UTF8
	flags |= JSON_TOKENER_VALIDATE_UTF8;
#endif
	*out = NULL;
	if (len > INT_MAX)
		return reg_err_set(err, REG_E_MANIFEST_TOO_LARGE,
				   "manifest: too large");
	if (check_json_lexically(body, len, err) == -1)
		return -1;
	tok = json_tokener_new_ex(REG_MANIFEST_MAX_DEPTH);
	if (tok == NULL)
		return reg_err_set(err, REG_E_NOMEM, "out of memory");
	json_tokener_set_flags(tok, flags);
	root = json_tokener_parse_ex(tok, body, (int)len);
	jerr = json_tokener_get_error(tok);
	end = json_tokener_get_parse_end(tok);
	json_tokener_free(tok);
	if (jerr == json_tokener_continue) {
		json_object_put(root);
		return reg_err_set(err, REG_E_MANIFEST_INVALID,
				   "manifest: invalid JSON: unexpected end");
	}
	if (jerr != json_tokener_success) {
		json_object_put(root);
		return reg_err_set(err, REG_E_MANIFEST_INVALID,
				   "manifest: invalid JSON: %s at offset %zu",
				   json_tokener_error_desc(jerr), end);
	}
	if (end != len) {
		json_object_put(root);
		return reg_err_set(err, REG_E_MANIFEST_INVALID,
				   "manifest: invalid JSON: trailing data at "
				   "offset %zu",
				   end);
	}
	if (!json_object_is_type(root, json_type_object)) {
		json_object_put(root);
		return reg_err_set(err, REG_E_MANIFEST_INVALID,
				   "manifest: must be a JSON object");
	}
	*out = root;
	return 0;
}

static int
check_schema_version(struct json_object *root, struct reg_err *err)
{
	struct json_object *v = get_member(root, "schemaVersion");

	if (v == NULL)
		return invalid(err, "", "schemaVersion", "missing");
	if (!json_object_is_type(v, json_type_int))
		return invalid(err, "", "schemaVersion",
			       "must be the integer 2");
	if (json_object_get_int64(v) == 1)
		return invalid(err, "", "schemaVersion",
			       "docker schema 1 manifests are not supported");
	if (json_object_get_int64(v) != 2)
		return invalid(err, "", "schemaVersion",
			       "must be the integer 2");
	return 0;
}

/*
 * The Content-Type without parameters or surrounding spaces; *len is 0 if
 * there is none.
 */
static const char *
trim_content_type(const char *ct, size_t *len)
{
	const char *end;

	*len = 0;
	if (ct == NULL)
		return NULL;
	while (*ct == ' ' || *ct == '\t')
		ct++;
	end = strchr(ct, ';');
	if (end == NULL)
		end = ct + strlen(ct);
	while (end > ct && (end[-1] == ' ' || end[-1] == '\t'))
		end--;
	*len = (size_t)(end - ct);
	return ct;
}

static bool
is_str(const char *p, size_t len, const char *s)
{
	return strlen(s) == len && memcmp(p, s, len) == 0;
}

/*
 * Work out the effective media type from the body's mediaType, the
 * Content-Type and, failing both, the shape of the body.  *out is the
 * index of its known_types entry.
 */
static int
resolve_media_type(struct json_object *root, const char *content_type,
		   size_t *out, struct reg_err *err)
{
	const char *mt, *field, *ct;
	size_t mtlen, ctlen, i;
	bool has_config, has_manifests;

	if (get_media_type(root, "", "mediaType", false, &mt, err) == -1)
		return -1;
	ct = trim_content_type(content_type, &ctlen);
	field = "mediaType";
	if (mt != NULL) {
		mtlen = strlen(mt);
		if (ctlen > 0 && (ctlen != mtlen || memcmp(ct, mt, mtlen) != 0))
			return reg_err_set(err, REG_E_MANIFEST_INVALID,
					   "mediaType: \"%s\" does not match "
					   "the Content-Type",
					   mt);
	} else if (ctlen > 0) {
		field = "Content-Type";
		if (!reg_media_type_is_valid(ct, ctlen))
			return invalid(err, "", field, "invalid media type");
		mt = ct;
		mtlen = ctlen;
	} else {
		has_config = get_member(root, "config") != NULL;
		has_manifests = get_member(root, "manifests") != NULL;
		if (has_config == has_manifests)
			return invalid(err, "", field,
				       "missing, with no Content-Type to "
				       "tell a manifest from an index");
		mt = has_config ? REG_MT_OCI_MANIFEST : REG_MT_OCI_INDEX;
		mtlen = strlen(mt);
	}
	if (is_str(mt, mtlen, MT_DOCKER_V1) ||
	    is_str(mt, mtlen, MT_DOCKER_V1_SIGNED))
		return invalid(err, "", field,
			       "docker schema 1 manifests are not supported");
	for (i = 0; i < NITEMS(known_types); i++) {
		if (is_str(mt, mtlen, known_types[i].media_type)) {
			*out = i;
			return 0;
		}
	}
	return reg_err_set(err, REG_E_MANIFEST_INVALID,
			   "%s: unsupported media type \"%.*s\"", field,
			   (int)mtlen, mt);
}

static int
parse_image(struct reg_manifest *m, struct json_object *root, bool docker,
	    struct reg_err *err)
{
	struct json_object *v;

	/* CVE-2021-41190: a body must not read as both kinds */
	if (get_member(root, "manifests") != NULL)
		return invalid(err, "", "manifests",
			       "not allowed in an image manifest");
	v = get_member(root, "config");
	if (v == NULL)
		return invalid(err, "", "config", "missing");
	if (parse_descriptor(&m->config, v, "config", false, err) == -1)
		return -1;
	m->has_config = true;
	if (parse_refs(m, root, "layers", true, err) == -1)
		return -1;
	if (docker && m->nrefs == 0)
		return invalid(err, "", "layers",
			       "a docker schema 2 manifest needs at least one "
			       "layer");
	return 0;
}

static int
parse_index(struct reg_manifest *m, struct json_object *root,
	    struct reg_err *err)
{
	if (get_member(root, "config") != NULL)
		return invalid(err, "", "config", "not allowed in an index");
	if (get_member(root, "layers") != NULL)
		return invalid(err, "", "layers", "not allowed in an index");
	return parse_refs(m, root, "manifests", false, err);
}

/* Check the manifest's annotations and keep them as compact JSON text. */
static int
copy_annotations(struct reg_manifest *m, struct json_object *root,
		 struct reg_err *err)
{
	struct json_object *ann;
	const char *json;

	if (check_annotations(root, "", &ann, err) == -1)
		return -1;
	if (ann == NULL)
		return 0;
	json = json_object_to_json_string_ext(
		ann, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
	if (json == NULL)
		return reg_err_set(err, REG_E_NOMEM, "out of memory");
	m->annotations_json = reg_xstrdup(json);
	return 0;
}

/* Everything after the JSON parse; on failure the caller releases *m. */
static int
parse_manifest(struct reg_manifest *m, struct json_object *root,
	       const char *content_type, struct reg_err *err)
{
	struct json_object *v;
	const char *at;
	size_t t = 0;

	if (check_schema_version(root, err) == -1 ||
	    resolve_media_type(root, content_type, &t, err) == -1)
		return -1;
	m->kind = known_types[t].kind;
	if (m->kind == REG_MANIFEST_IMAGE) {
		if (parse_image(m, root,
				strcmp(known_types[t].media_type,
				       REG_MT_DOCKER_MANIFEST) == 0,
				err) == -1)
			return -1;
	} else if (parse_index(m, root, err) == -1) {
		return -1;
	}
	if (get_media_type(root, "", "artifactType", false, &at, err) == -1)
		return -1;
	v = get_member(root, "subject");
	if (v != NULL) {
		if (parse_descriptor(&m->subject, v, "subject", false, err) ==
		    -1)
			return -1;
		m->has_subject = true;
	}
	if (copy_annotations(m, root, err) == -1)
		return -1;
	m->media_type = reg_xstrdup(known_types[t].media_type);
	if (at != NULL)
		m->artifact_type = reg_xstrdup(at);
	else if (m->has_config)
		m->artifact_type = reg_xstrdup(m->config.media_type);
	return 0;
}

int
reg_manifest_parse(struct reg_manifest *m, const char *body, size_t len,
		   const char *content_type, struct reg_err *err)
{
	struct json_object *root = NULL;
	int rc = -1;

	memset(m, 0, sizeof(*m));
	if (body == NULL || len == 0) {
		reg_err_set(err, REG_E_MANIFEST_INVALID,
			    "manifest: empty body");
		goto out;
	}
	if (parse_json(body, len, &root, err) == -1)
		goto out;
	rc = parse_manifest(m, root, content_type, err);
out:
	json_object_put(root);
	if (rc == -1)
		reg_manifest_release(m);
	return rc;
}

static void
release_descriptor(struct reg_descriptor *d)
{
	free(d->media_type);
	free(d->artifact_type);
	memset(d, 0, sizeof(*d));
}

void
reg_manifest_release(struct reg_manifest *m)
{
	size_t i;

	for (i = 0; i < m->nrefs; i++)
		release_descriptor(&m->refs[i]);
	free(m->refs);
	release_descriptor(&m->config);
	release_descriptor(&m->subject);
	free(m->media_type);
	free(m->artifact_type);
	free(m->annotations_json);
	memset(m, 0, sizeof(*m));
}
