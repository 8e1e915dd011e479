/* manifest.h: validation of OCI / Docker schema 2 manifests and indexes */
/* SPDX-License-Identifier: MIT */
#ifndef BERTH_MANIFEST_H
#define BERTH_MANIFEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "digest.h"
#include "err.h"

#define REG_MT_OCI_MANIFEST "application/vnd.oci.image.manifest.v1+json"
#define REG_MT_OCI_INDEX "application/vnd.oci.image.index.v1+json"
#define REG_MT_DOCKER_MANIFEST                                                 \
	"application/vnd.docker.distribution.manifest.v2+json"
#define REG_MT_DOCKER_LIST                                                     \
	"application/vnd.docker.distribution.manifest.list.v2+json"

/* Longest media type we accept (RFC 6838 allows 127 + '/' + 127). */
#define REG_MEDIA_TYPE_MAX 255
/* JSON nesting limit for manifests. */
#define REG_MANIFEST_MAX_DEPTH 64

enum reg_manifest_kind {
	REG_MANIFEST_IMAGE, /* OCI image manifest or Docker schema 2 */
	REG_MANIFEST_INDEX, /* OCI image index or Docker manifest list */
};

/*
 * A content descriptor.  Strings are owned by the enclosing reg_manifest.
 * foreign is true for layers the registry is not expected to hold
 * (Docker foreign layers, OCI non-distributable layers) that carry urls.
 */
struct reg_descriptor {
	char *media_type;
	struct reg_digest digest;
	uint64_t size;
	char *artifact_type; /* NULL if absent */
	bool foreign;
};

/*
 * What the registry needs to know of a manifest: its effective media type,
 * the blobs or manifests it references, and its subject for the referrers
 * API.  The raw bytes are never re-serialized: they are stored and hashed
 * as they came.  Everything is owned by the struct; release with
 * reg_manifest_release (safe on a zeroed or already released struct).
 */
struct reg_manifest {
	enum reg_manifest_kind kind;
	char *media_type; /* effective media type, never NULL after parse */
	/*
	 * For the referrers API: the manifest's artifactType, else (image
	 * manifests) its config's mediaType; NULL for an index without one.
	 */
	char *artifact_type;
	bool has_config;
	struct reg_descriptor config; /* image manifests */
	struct reg_descriptor *refs;  /* layers (image) or manifests (index) */
	size_t nrefs;
	bool has_subject;
	struct reg_descriptor subject;
	/* The "annotations" object as compact JSON text, or NULL if absent. */
	char *annotations_json;
};

/*
 * Parse and validate the manifest in <body,len>.  content_type is the
 * request's Content-Type (parameters after ';' ignored; NULL or "" if
 * absent).  Rules:
 *  - strict JSON (json-c, JSON_TOKENER_STRICT), an object, nesting at most
 *    REG_MANIFEST_MAX_DEPTH, schemaVersion the integer 2;
 *  - mediaType, when present in the body, must be a valid media type string
 *    and, when content_type is also given, equal to it; otherwise the
 *    content_type is used; with neither, an object with "manifests" is an
 *    OCI index and one with "config" an OCI image manifest;
 *  - the media type must be one of the four REG_MT_* types (Docker schema 1
 *    is refused, with a detail saying so);
 *  - an image manifest needs a valid config descriptor and a "layers" array
 *    of valid descriptors (Docker schema 2 needs at least one layer);
 *  - an index needs a "manifests" array of valid descriptors;
 *  - a descriptor is an object with a valid mediaType, a digest that
 *    reg_digest_parse accepts and a non-negative integer size; artifactType,
 *    if present, must be a valid media type;
 *  - subject, if present, must be a valid descriptor; artifactType, if
 *    present, a valid media type.
 * Failures are REG_E_MANIFEST_INVALID with a detail naming the field; *m is
 * left released.  A media type is valid if it is at most
 * REG_MEDIA_TYPE_MAX bytes of the form type "/" subtype with RFC 6838
 * restricted-name characters only (so it is safe to echo in a header).
 */
int reg_manifest_parse(struct reg_manifest *m, const char *body, size_t len,
		       const char *content_type, struct reg_err *err);
void reg_manifest_release(struct reg_manifest *m);

/* True if <p,len> is a syntactically valid media type (see above). */
bool reg_media_type_is_valid(const char *p, size_t len);

#endif
