/* jwt.h: tokens of the Docker Registry token authentication spec (JWS) */
/* SPDX-License-Identifier: MIT */
#ifndef BERTH_JWT_H
#define BERTH_JWT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "buf.h"
#include "err.h"

/*
 * A token is a JWS in compact form: base64url(header) "." base64url(claims)
 * "." base64url(signature), as the token server hands it to the client and
 * the client sends it back in "Authorization: Bearer".  This module signs
 * tokens (the token server), verifies them (the registry) and decodes them
 * without verifying (berthctl token-doctor).
 *
 * Every key is bound to exactly one algorithm, derived from the key itself:
 * Ed25519 -> EdDSA, P-256 -> ES256, RSA (2048 bits or more) -> RS256, and
 * an HMAC secret -> HS256.  A token's "alg" must be allowed by the caller
 * AND equal the bound algorithm of the key that checks it, so "none",
 * HMAC-with-a-public-key and other algorithm confusions cannot happen.
 *
 * Every token failure is REG_E_UNAUTHORIZED with a detail that says which
 * check failed ("token expired 312 s ago"); values taken from the token are
 * quoted, escaped and shortened.  Failures while loading keys and
 * configuration are REG_E_INTERNAL (the detail names the file and the
 * problem).  Nothing here logs; callers must never log a token.
 */

enum reg_jwt_alg {
	REG_JWT_EDDSA = 0, /* Ed25519 (RFC 8037) */
	REG_JWT_ES256,	   /* ECDSA P-256 with SHA-256, raw R||S signature */
	REG_JWT_RS256,	   /* RSASSA-PKCS1-v1_5 with SHA-256 */
	REG_JWT_HS256,	   /* HMAC-SHA-256 with a shared secret */
	REG_JWT__COUNT
};

/*
 * A set of algorithms is an unsigned with bit REG_JWT_ALG_BIT(alg) set for
 * each member.  0 is the empty set, which accepts nothing.
 */
#define REG_JWT_ALG_BIT(alg) (1u << (unsigned)(alg))
#define REG_JWT_ALGS_ALL ((1u << REG_JWT__COUNT) - 1u)

/* Tokens longer than this are refused before any decoding (by default). */
#define REG_JWT_MAX_LEN 8192
/* An RFC 7638 thumbprint: base64url of a SHA-256, 43 characters. */
#define REG_JWT_THUMBPRINT_LEN 43
/* A libtrust key id: 12 groups of 4 base32 characters joined by ':'. */
#define REG_JWT_LIBTRUST_ID_LEN 59
/* Longest key id ("kid") we accept or issue. */
#define REG_JWT_KID_MAX 128
/* Shortest HMAC secret (RFC 7518 3.2: at least the hash size). */
#define REG_JWT_HMAC_MIN 32
/* Largest key, certificate or secret file we read. */
#define REG_JWT_FILE_MAX ((size_t)1024 * 1024)

/* "EdDSA", "ES256", "RS256" or "HS256"; an alg outside the enum aborts. */
const char *reg_jwt_alg_name(enum reg_jwt_alg alg);
/*
 * Parse an algorithm name as written in a JWS header (case-sensitive, so
 * "es256" is not ES256).  Returns 0 and sets *alg, or -1 for any other name
 * ("none" included), leaving *alg untouched.
 */
int reg_jwt_alg_parse(const char *name, enum reg_jwt_alg *alg);
/*
 * Parse a configured list of algorithms separated by commas and/or spaces
 * ("EdDSA, ES256") into a set.  An unknown name, "none" or an empty list
 * fails with REG_E_INTERNAL naming the culprit; *set is written only on
 * success.
 */
int reg_jwt_algs_parse(const char *list, unsigned *set, struct reg_err *err);

/*
 * The trusted keys of a verifier.  Each key has up to three ids a token's
 * "kid" can name: its RFC 7638 thumbprint, its libtrust key id (what
 * docker/distribution 2.x calls the key id: SHA-256 of the DER
 * SubjectPublicKeyInfo, the first 240 bits in base32, 12 groups of 4
 * characters joined by ':') and the "kid" given in a JWKS.  An HMAC secret
 * has only the kid it was added with (a hash of a secret is never used as
 * an id).  Ids are unique within a set: adding a key whose ids collide with
 * a key already in the set fails.  A set also holds an optional CA bundle
 * against which "x5c" certificate chains are verified.
 *
 * A keyset is immutable once loaded and may then be shared.
 */
struct reg_jwt_keyset;

/* A new, empty set; free with reg_jwt_keyset_free (NULL is fine). */
struct reg_jwt_keyset *reg_jwt_keyset_new(void);
/* Free the set, wiping HMAC secrets. */
void reg_jwt_keyset_free(struct reg_jwt_keyset *ks);
/*
 * Add the public keys of a file (at most REG_JWT_FILE_MAX bytes) that is
 * either a PEM bundle of "PUBLIC KEY", "RSA PUBLIC KEY" and "CERTIFICATE"
 * blocks, or a JWKS JSON document ({"keys":[...]} with kty OKP/Ed25519,
 * EC/P-256 or RSA).  Certificates contribute only their public key here
 * (expiry is not checked: the key is trusted as configured); use
 * reg_jwt_keyset_load_ca_* for chains.  A JWKS member "alg" must agree with
 * the key, keys with "use":"enc" are skipped, and private keys, "oct" keys,
 * unsupported curves and RSA keys under 2048 bits are refused, as is a file
 * without any key.  On error nothing of the file is added.
 */
int reg_jwt_keyset_load_file(struct reg_jwt_keyset *ks, const char *path,
			     struct reg_err *err);
/* The same for a document in memory (name appears in error details). */
int reg_jwt_keyset_load_mem(struct reg_jwt_keyset *ks, const char *name,
			    const char *data, size_t len, struct reg_err *err);
/*
 * Add an HMAC secret (copied; at least REG_JWT_HMAC_MIN bytes) bound to
 * HS256 and found by the token's "kid" only.  kid is 1 to REG_JWT_KID_MAX
 * printable ASCII characters without spaces.
 */
int reg_jwt_keyset_add_hmac(struct reg_jwt_keyset *ks, const char *kid,
			    const unsigned char *secret, size_t len,
			    struct reg_err *err);
/*
 * Add the secret held in a file: its whole content minus trailing CR and
 * LF characters.  The file must not be accessible by others (no o+rwx).
 */
int reg_jwt_keyset_load_hmac_file(struct reg_jwt_keyset *ks, const char *kid,
				  const char *path, struct reg_err *err);
/*
 * Add the certificates of a PEM bundle to the CA store that x5c chains are
 * verified against (only "CERTIFICATE" blocks; at least one).  May be called
 * more than once.
 */
int reg_jwt_keyset_load_ca_file(struct reg_jwt_keyset *ks, const char *path,
				struct reg_err *err);
int reg_jwt_keyset_load_ca_mem(struct reg_jwt_keyset *ks, const char *name,
			       const char *data, size_t len,
			       struct reg_err *err);
/* Number of keys (not counting CA certificates). */
size_t reg_jwt_keyset_count(const struct reg_jwt_keyset *ks);

/* A description of one key, for berthctl; the strings belong to the set. */
struct reg_jwt_key_info {
	enum reg_jwt_alg alg;
	const char *thumbprint;	 /* "" for HMAC secrets */
	const char *libtrust_id; /* "" for HMAC secrets */
	const char *kid;	 /* JWKS or HMAC kid; NULL if none */
};

/* Describe key i (i < reg_jwt_keyset_count, else abort). */
void reg_jwt_keyset_key_info(const struct reg_jwt_keyset *ks, size_t i,
			     struct reg_jwt_key_info *info);

/* What a verifier expects; all pointers are borrowed for the call. */
struct reg_jwt_opts {
	unsigned algs;	      /* allowed algorithms (REG_JWT_ALG_BIT) */
	const char *issuer;   /* "iss" must equal this (required) */
	const char *audience; /* "aud" must be or contain this (required) */
	time_t now;	      /* the current time */
	unsigned leeway;      /* seconds of clock skew tolerated */
	size_t max_len;	      /* 0: REG_JWT_MAX_LEN */
};

/* One entry of the "access" claim: type:name:actions. */
struct reg_jwt_access {
	char *type;	/* "repository", "registry", ... */
	char *name;	/* "library/alpine", "catalog", ... */
	char **actions; /* "pull", "push", "delete", "*" */
	size_t nactions;
};

/*
 * A verified token.  Initialize with reg_jwt_init, free with
 * reg_jwt_release (which leaves it initialized and empty).
 */
struct reg_jwt {
	enum reg_jwt_alg alg;
	char *iss; /* never NULL once verified */
	char *sub; /* NULL when absent */
	char *jti; /* NULL when absent */
	int64_t exp;
	int64_t nbf; /* 0 when absent */
	int64_t iat; /* 0 when absent */
	struct reg_jwt_access *access;
	size_t naccess;
	/* The key that verified it: thumbprint, or the kid of an HMAC key. */
	char key_id[REG_JWT_KID_MAX + 1];
};

void reg_jwt_init(struct reg_jwt *t);
void reg_jwt_release(struct reg_jwt *t);

/*
 * Verify the compact token <token,len> against the trusted keys ks.
 *
 * Tokens longer than opts->max_len are refused before any decoding.  The
 * token must have exactly three strict base64url parts (no padding, no
 * other characters), and header and claims must each be a JSON object
 * (strict, depth-limited, no duplicate member names, no NUL characters).
 * The header's "alg" must be in opts->algs; "crit" is refused; "typ", if
 * present, must be "JWT".
 *
 * The key is found through, in this order (as docker/distribution does):
 *   "x5c": the leaf certificate's key is used if the chain verifies against
 *          the CA bundle at opts->now, or if that key is itself a trusted
 *          key of the set;
 *   "jwk": only if its key material equals a trusted key, which is then
 *          used (an embedded key is never trusted by itself);
 *   "kid": matched against each key's thumbprint, libtrust id and kid.
 * None of these fails.  The token's alg must then equal the key's bound
 * algorithm, and the signature must verify (EdDSA and ES256 signatures are
 * exactly 64 bytes, RS256 the modulus size, HS256 32 bytes compared in
 * constant time).
 *
 * Only then are the claims read: "iss" must equal opts->issuer, "aud" (a
 * string or an array of strings) must be or contain opts->audience, "exp"
 * is required and must be after now - leeway, and "nbf" and "iat", when
 * present, must not be after now + leeway.  Times are integers (seconds).
 * "sub" and "jti" must be strings if present; "access" must be an array of
 * {"type","name","actions"} objects if present (unknown members such as
 * "class" are ignored).
 *
 * Returns 0 and fills *out (which must be initialized and empty), or -1
 * with REG_E_UNAUTHORIZED and a detail naming the failed check; *out is
 * untouched on error.
 */
int reg_jwt_verify(const struct reg_jwt_keyset *ks, const char *token,
		   size_t len, const struct reg_jwt_opts *opts,
		   struct reg_jwt *out, struct reg_err *err);

/*
 * True if the verified token grants action on type:name: an "access" entry
 * with exactly that type and name lists the action or "*".  Asking for
 * action "*" (registry:catalog:*) therefore needs "*" in the token.
 */
bool reg_jwt_grants(const struct reg_jwt *t, const char *type, const char *name,
		    const char *action);

/*
 * Decode a token WITHOUT verifying anything but its shape (three strict
 * base64url parts, at most max_len bytes, 0 for REG_JWT_MAX_LEN): append
 * the header and the claims as they were signed (normally JSON, but not
 * checked and possibly with control characters: escape before printing)
 * to header and claims.  For diagnostics only; never trust the result.
 * Returns -1 (REG_E_UNAUTHORIZED) if malformed, or if a buffer's cap is
 * too small; the buffers are written only on success.
 */
int reg_jwt_decode(const char *token, size_t len, size_t max_len,
		   struct reg_buf *header, struct reg_buf *claims,
		   struct reg_err *err);

/*
 * The token server's signing key.  The header of every token carries
 * "typ":"JWT", "alg", "kid" (by default the key's RFC 7638 thumbprint;
 * see reg_jwt_signer_set_kid) and, when a certificate chain is
 * configured, "x5c" (standard base64 DER, leaf first).
 *
 * docker/distribution looks the key up by x5c first: it verifies the
 * chain against its "rootcertbundle" and ignores kid.  Without x5c,
 * distribution 2.x matches kid against the libtrust ids of the
 * rootcertbundle's keys and distribution 3 against their RFC 7638
 * thumbprints, or against the "kid" of its "jwks" file.
 */
struct reg_jwt_signer;

/*
 * A signer for alg (EdDSA, ES256 or RS256) from a PEM private key (PKCS#8
 * or traditional, unencrypted) whose type must match alg, and an optional
 * PEM chain (chain may be NULL) whose first certificate must hold the same
 * key.  Returns NULL with REG_E_INTERNAL on error.
 */
struct reg_jwt_signer *
reg_jwt_signer_new_pem(enum reg_jwt_alg alg, const char *key, size_t keylen,
		       const char *chain, size_t chainlen, struct reg_err *err);
/*
 * The same from files (cert_path may be NULL).  The key file must not be
 * accessible by others (no o+rwx).
 */
struct reg_jwt_signer *reg_jwt_signer_new_files(enum reg_jwt_alg alg,
						const char *key_path,
						const char *cert_path,
						struct reg_err *err);
/*
 * An HS256 signer with a copy of secret (at least REG_JWT_HMAC_MIN bytes)
 * and the kid that verifiers know the secret by (rules as in
 * reg_jwt_keyset_add_hmac).
 */
struct reg_jwt_signer *reg_jwt_signer_new_hmac(const char *kid,
					       const unsigned char *secret,
					       size_t len, struct reg_err *err);
/* The same with the secret read as reg_jwt_keyset_load_hmac_file does. */
struct reg_jwt_signer *reg_jwt_signer_new_hmac_file(const char *kid,
						    const char *path,
						    struct reg_err *err);
/* Free the signer, wiping the secret; NULL is fine. */
void reg_jwt_signer_free(struct reg_jwt_signer *s);
/*
 * Put kid in the "kid" header instead of the thumbprint, e.g. the
 * libtrust id for a distribution 2.x registry without x5c.  kid follows
 * the rules of reg_jwt_keyset_add_hmac.
 */
int reg_jwt_signer_set_kid(struct reg_jwt_signer *s, const char *kid,
			   struct reg_err *err);
enum reg_jwt_alg reg_jwt_signer_alg(const struct reg_jwt_signer *s);
/* The "kid" put in headers. */
const char *reg_jwt_signer_kid(const struct reg_jwt_signer *s);
/* The key's ids ("" for HS256). */
const char *reg_jwt_signer_thumbprint(const struct reg_jwt_signer *s);
const char *reg_jwt_signer_libtrust_id(const struct reg_jwt_signer *s);

/*
 * Sign the claims <payload,len>, which must be a JSON object (checked as
 * strictly as verification does), and append the compact token to out.
 * Returns -1 (REG_E_INTERNAL) if the payload is not a JSON object, if
 * signing fails, or if out's cap is too small; out is written only on
 * success.  The caller builds the claims: for docker/distribution 2.x put
 * "aud" as a single string.
 */
int reg_jwt_sign(const struct reg_jwt_signer *s, const char *payload,
		 size_t len, struct reg_buf *out, struct reg_err *err);
/*
 * Append the signer's public key as a JWKS document:
 * {"keys":[{kty, crv/x/y or n/e, "kid", "alg", "use":"sig"}]}.
 * Fails (REG_E_INTERNAL) for HS256, whose secret is never published, or
 * if out's cap is too small.
 */
int reg_jwt_signer_jwks(const struct reg_jwt_signer *s, struct reg_buf *out,
			struct reg_err *err);

/*
 * Generate a key pair for alg (EdDSA, ES256, or RS256 with 3072 bits) and
 * a self-signed certificate for it (CN "berth token signer", valid from
 * five minutes ago for ten years, SHA-256, or no digest for Ed25519,
 * basicConstraints CA:TRUE so that it can serve as its own root in a
 * registry's rootcertbundle).  Writes dir/key.pem (PKCS#8, mode 0600) and
 * dir/cert.pem (mode 0644), both created with O_EXCL: an existing file is
 * never overwritten.  On error (REG_E_INTERNAL) neither file is left.
 */
int reg_jwt_keygen(enum reg_jwt_alg alg, const char *dir, struct reg_err *err);

#endif
