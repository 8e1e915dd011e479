/* store_s3.c: the S3 storage driver (SigV4 over libcurl, multipart uploads) */
/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <curl/curl.h>
#include <dlfcn.h>
#include <errno.h>
#include <inttypes.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "file.h"
#include "log.h"
#include "parse.h"
#include "s3sig.h"
#include "store.h"

#include "banned.h"

/*
 * Objects live at <prefix><key> in one bucket; "directories" are key
 * prefixes listed with ListObjectsV2 and a '/' delimiter.  Every PUT and
 * CopyObject is atomic in S3, so nothing half-written is ever visible.
 *
 * Upload data is an S3 multipart upload at the data key plus, for bytes
 * below the 5 MiB part minimum, a tail object next to it.  What exists is
 * described by the layout (see store.h) that the caller saves with the
 * upload's hash state:
 *
 *   upload <UploadId or ->
 *   tail <tail key name or -> <size>
 *   part <number> <size> <ETag>          (one line per part, ascending)
 *
 * Parts and tails are never overwritten by a later append (new parts get
 * new numbers, a tail a fresh random name), so an old layout stays valid
 * if a writer dies before saving the new one: whatever it wrote is simply
 * not referenced.  Parts are uploaded from a buffer with their SHA-256 as
 * x-amz-content-sha256; the blob's own digest is hashed by the caller as
 * the bytes stream through, so nothing is read back to hash it.
 *
 * There is no lock in S3: the registry protocol already serializes the
 * chunks of one upload (each must start where the last one ended, checked
 * against the saved state), and an upload belongs to one client.
 */

#define S3_MIN_PART (5ULL * 1024 * 1024)
#define S3_MAX_PARTS 10000
#define S3_COPY_MAX (5ULL * 1024 * 1024 * 1024)
#define S3_LIST_MAX 1000
#define S3_ERRBODY_MAX (16 * 1024)
#define S3_XML_MAX (8 * 1024 * 1024)
#define S3_KEY_MAX 1100
#define S3_ETAG_MAX 128
#define S3_UPLOAD_ID_MAX 512
#define S3_NHDR 12
/* Requests up to this body size get a total time limit. */
#define S3_BOUNDED_BODY_MAX (1024 * 1024)

/*
 * libcurl is not linked but loaded with dlopen() when the driver opens:
 * linked, it and the ~28 libraries it pulls in doubled the RSS and the
 * start-up time of every program and CGI request, S3 or not.  curl.h
 * still gives the types and constants.  All calls go through lcurl; its
 * members are not named like curl's functions because curl.h turns
 * curl_easy_setopt and curl_easy_getinfo into type-checking macros.
 */
struct curl_api {
	CURLcode (*global_init)(long flags);
	CURL *(*easy_init)(void);
	void (*easy_cleanup)(CURL *curl);
	void (*easy_reset)(CURL *curl);
	CURLcode (*easy_setopt)(CURL *curl, CURLoption option, ...);
	CURLcode (*easy_perform)(CURL *curl);
	CURLcode (*easy_getinfo)(CURL *curl, CURLINFO info, ...);
	const char *(*easy_strerror)(CURLcode code);
	struct curl_slist *(*slist_append)(struct curl_slist *list,
					   const char *s);
	void (*slist_free_all)(struct curl_slist *list);
};

/* Where load_curl() puts each function it looks up. */
static const struct {
	const char *name;
	size_t off;
} curl_syms[] = {
	{ "curl_global_init", offsetof(struct curl_api, global_init) },
	{ "curl_easy_init", offsetof(struct curl_api, easy_init) },
	{ "curl_easy_cleanup", offsetof(struct curl_api, easy_cleanup) },
	{ "curl_easy_reset", offsetof(struct curl_api, easy_reset) },
	{ "curl_easy_setopt", offsetof(struct curl_api, easy_setopt) },
	{ "curl_easy_perform", offsetof(struct curl_api, easy_perform) },
	{ "curl_easy_getinfo", offsetof(struct curl_api, easy_getinfo) },
	{ "curl_easy_strerror", offsetof(struct curl_api, easy_strerror) },
	{ "curl_slist_append", offsetof(struct curl_api, slist_append) },
	{ "curl_slist_free_all", offsetof(struct curl_api, slist_free_all) },
};
_Static_assert(sizeof(curl_syms) / sizeof(curl_syms[0]) ==
		       sizeof(struct curl_api) / sizeof(void (*)(void)),
	       "curl_syms names every member of struct curl_api");

/* Filled in by load_curl(), once per process; NULL members until then. */
static struct curl_api lcurl;
static bool lcurl_loaded;

struct s3_store {
	CURL *curl;   /* one handle per process: its connections are reused */
	char *origin; /* "http://127.0.0.1:7480" */
	char *host;   /* the Host header value */
	char *bucket_path; /* "/bucket" (path style) or "" */
	char *bucket;
	char *prefix; /* "" or "dir/" */
	char *access_key;
	char *secret_key;
	char *region;
	const char *sse;     /* x-amz-server-side-encryption, or NULL */
	char *kms_key_id;    /* with sse "aws:kms" */
	char *storage_class; /* or NULL */
	char *ca_file;
	uint64_t part_size;
	uint64_t copy_cutoff;
	long timeout;
	unsigned retries;
	bool tls_verify;
	bool redirect;
	unsigned long redirect_expiry;
	bool no_server_copy; /* learnt: the store answered 501 to a copy */
};

struct reg_store_lock {
	int unused;
};

/* One S3 request and its response. */
struct s3_call {
	const char *method;
	const char *key; /* NULL: the bucket itself */
	const char *query;
	struct reg_s3_header hdr[S3_NHDR]; /* extra signed headers */
	size_t nhdr;
	const char *range; /* an unsigned Range header value, or NULL */
	const void *body;
	size_t body_len;
	bool slow; /* server-side copies: allow long silences */
	/* Response: 2xx bodies go to the sink, else to resp (if any). */
	reg_store_sink_fn sink;
	void *sink_ctx;
	struct reg_buf *resp;
	long status;
	uint64_t length;
	bool has_length;
	char etag[S3_ETAG_MAX];
	/* Transfer bookkeeping. */
	struct reg_buf errbody;
	bool sink_started;
	bool sink_failed;
	bool overflow;
	struct reg_err sink_err;
};

static struct s3_store *
s3_of(struct reg_store *s)
{
	return s->priv;
}

/* ---- small XML reading: the few elements S3 answers with ---- */

/* Decode the five predefined entities (and numeric ones) of <p,n>. */
static int
xml_text(struct reg_buf *out, const char *p, size_t n)
{
	static const struct {
		const char *ent;
		char c;
	} ents[] = { { "&amp;", '&' },
		     { "&lt;", '<' },
		     { "&gt;", '>' },
		     { "&quot;", '"' },
		     { "&apos;", '\'' } };
	size_t i = 0, k;

	reg_buf_reset(out);
	while (i < n) {
		bool done = false;

		if (p[i] != '&') {
			if (reg_buf_add(out, p + i, 1) == -1)
				return -1;
			i++;
			continue;
		}
		for (k = 0; k < sizeof(ents) / sizeof(ents[0]); k++) {
			size_t el = strlen(ents[k].ent);

			if (n - i >= el &&
			    memcmp(p + i, ents[k].ent, el) == 0) {
				if (reg_buf_add(out, &ents[k].c, 1) == -1)
					return -1;
				i += el;
				done = true;
				break;
			}
		}
		if (!done && n - i >= 4 && p[i + 1] == '#') {
			/* &#NN; for the ASCII our keys use. */
			uint64_t v;
			const char *semi = memchr(p + i, ';', n - i);
			char c;

			if (semi == NULL ||
			    reg_parse_u64n(p + i + 2,
					   (size_t)(semi - p - i - 2), 1, 126,
					   &v) == -1)
				return -1;
			c = (char)v;
			if (reg_buf_add(out, &c, 1) == -1)
				return -1;
			i = (size_t)(semi - p) + 1;
			done = true;
		}
		if (!done)
			return -1;
	}
	return 0;
}

/*
 * Find <tag>text</tag> in [*pos, end): its raw text in <*val,*len>, and
 * *pos moved past it.  0 if found, -1 if not.
 */
static int
xml_next(const char **pos, const char *end, const char *tag, const char **val,
	 size_t *len)
{
	char open[64], close[66];
	const char *a, *b;
	int n1 = snprintf(open, sizeof(open), "<%s>", tag);
	int n2 = snprintf(close, sizeof(close), "</%s>", tag);

	if (n1 < 0 || (size_t)n1 >= sizeof(open) || n2 < 0 ||
	    (size_t)n2 >= sizeof(close) || *pos >= end)
		return -1;
	a = memmem(*pos, (size_t)(end - *pos), open, (size_t)n1);
	if (a == NULL)
		return -1;
	a += n1;
	b = memmem(a, (size_t)(end - a), close, (size_t)n2);
	if (b == NULL)
		return -1;
	*val = a;
	*len = (size_t)(b - a);
	*pos = b + n2;
	return 0;
}

/* The decoded text of the first <tag> in a response body, or -1. */
static int
xml_first(const struct reg_buf *body, const char *tag, struct reg_buf *out)
{
	const char *pos = body->data, *v;
	size_t n;

	if (xml_next(&pos, body->data + body->len, tag, &v, &n) == -1)
		return -1;
	return xml_text(out, v, n);
}

/* ---- the HTTP exchange ---- */

static size_t
on_header(char *p, size_t size, size_t nmemb, void *ctx)
{
	struct s3_call *c = ctx;
	size_t n = size * nmemb, vlen;
	const char *v;

	if (n >= 5 && memcmp(p, "HTTP/", 5) == 0) {
		/* A new response (after a 100 Continue, say): start over. */
		c->has_length = false;
		c->etag[0] = '\0';
		return n;
	}
	v = memchr(p, ':', n);
	if (v == NULL)
		return n;
	vlen = n - (size_t)(v + 1 - p);
	v++;
	while (vlen > 0 && (*v == ' ' || *v == '\t')) {
		v++;
		vlen--;
	}
	while (vlen > 0 && (v[vlen - 1] == '\r' || v[vlen - 1] == '\n' ||
			    v[vlen - 1] == ' '))
		vlen--;
	if (n > 15 && strncasecmp(p, "content-length:", 15) == 0) {
		if (reg_parse_u64n(v, vlen, 0, UINT64_MAX, &c->length) == 0)
			c->has_length = true;
	} else if (n > 5 && strncasecmp(p, "etag:", 5) == 0 &&
		   vlen < sizeof(c->etag)) {
		memcpy(c->etag, v, vlen);
		c->etag[vlen] = '\0';
	}
	return n;
}

static int
add_header(struct curl_slist **list, const char *name, const char *value)
{
	char line[8192];
	struct curl_slist *l;
	int n = snprintf(line, sizeof(line), "%s: %s", name, value);

	if (n < 0 || (size_t)n >= sizeof(line))
		return -1;
	l = lcurl.slist_append(*list, line);
	if (l == NULL)
		return -1;
	*list = l;
	return 0;
}

static int
cmp_header(const void *a, const void *b)
{
	return strcmp(((const struct reg_s3_header *)a)->name,
		      ((const struct reg_s3_header *)b)->name);
}

/* The encoded path of a key ("/bucket/prefix/key"), or of the bucket. */
static int
object_path(const struct s3_store *s3, const char *key, struct reg_buf *out)
{
	if (reg_buf_adds(out, s3->bucket_path) == -1 ||
	    reg_buf_adds(out, "/") == -1)
		return -1;
	if (key == NULL)
		return 0;
	if (reg_s3_uri_encode(out, s3->prefix, true) == -1 ||
	    reg_s3_uri_encode(out, key, true) == -1)
		return -1;
	return 0;
}

struct body_ctx {
	struct s3_call *c;
	CURL *curl;
};

static size_t
write_body(char *p, size_t size, size_t nmemb, void *ctx)
{
	struct body_ctx *bc = ctx;
	struct s3_call *c = bc->c;
	size_t n = size * nmemb;
	long status = 0;

	lcurl.easy_getinfo(bc->curl, CURLINFO_RESPONSE_CODE, &status);
	if (status < 200 || status > 299) {
		/* Error documents are small; keep the start of one. */
		if (c->errbody.len < S3_ERRBODY_MAX)
			(void)reg_buf_add(&c->errbody, p,
					  n < S3_ERRBODY_MAX - c->errbody.len
						  ? n
						  : S3_ERRBODY_MAX -
							    c->errbody.len);
		return n;
	}
	if (c->sink != NULL) {
		c->sink_started = true;
		if (c->sink(c->sink_ctx, p, n, &c->sink_err) == -1) {
			c->sink_failed = true;
			return 0; /* aborts the transfer */
		}
		return n;
	}
	if (c->resp != NULL && reg_buf_add(c->resp, p, n) == -1) {
		c->overflow = true;
		return 0;
	}
	return n;
}

/*
 * bounded: a small request (no stream, a small body) that must be done
 * within timeout seconds in all; others (parts, blob streams, copies)
 * only must not stall for that long.
 */
static void
set_transport(struct s3_store *s3, CURL *curl, bool slow, bool bounded)
{
	lcurl.easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
	lcurl.easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
	lcurl.easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, s3->timeout);
	/* No total time limit (a blob may take long): a stalled
	 * connection is one that moves nothing for timeout seconds. */
	lcurl.easy_setopt(curl, CURLOPT_LOW_SPEED_LIMIT, 1L);
	lcurl.easy_setopt(curl, CURLOPT_LOW_SPEED_TIME,
			  slow ? 10 * s3->timeout : s3->timeout);
	if (bounded)
		lcurl.easy_setopt(curl, CURLOPT_TIMEOUT, s3->timeout);
	lcurl.easy_setopt(curl, CURLOPT_SSL_VERIFYPEER,
			  s3->tls_verify ? 1L : 0L);
	lcurl.easy_setopt(curl, CURLOPT_SSL_VERIFYHOST,
			  s3->tls_verify ? 2L : 0L);
	if (s3->ca_file != NULL)
		lcurl.easy_setopt(curl, CURLOPT_CAINFO, s3->ca_file);
}

/* Sign and send one attempt; 0 with c->status set, -1 on transport error
 * (with a curl message in why). */
static int
attempt(struct s3_store *s3, struct s3_call *c, CURLcode *cc)
{
	struct reg_buf path, url, auth;
	struct reg_s3_header h[S3_NHDR + 3];
	struct reg_s3_cred cred = { s3->access_key, s3->secret_key,
				    s3->region };
	struct curl_slist *hl = NULL;
	struct body_ctx bc = { c, s3->curl };
	char date[REG_S3_DATE_LEN + 1], payload[65];
	size_t i, nh = 0;
	int rc = -1;

	reg_buf_init(&path, 4096);
	reg_buf_init(&url, 8192);
	reg_buf_init(&auth, 4096);
	reg_s3_amz_date(time(NULL), date);
	if (c->body_len > 0)
		reg_s3_sha256_hex(c->body, c->body_len, payload);
	else
		memcpy(payload, REG_S3_EMPTY_SHA256, sizeof(payload));
	h[nh++] = (struct reg_s3_header){ "host", s3->host };
	h[nh++] = (struct reg_s3_header){ "x-amz-content-sha256", payload };
	h[nh++] = (struct reg_s3_header){ "x-amz-date", date };
	for (i = 0; i < c->nhdr; i++)
		h[nh++] = c->hdr[i];
	qsort(h, nh, sizeof(h[0]), cmp_header);
	if (object_path(s3, c->key, &path) == -1 ||
	    reg_s3_sign(&cred, date, c->method, path.data, c->query, h, nh,
			payload, &auth) == -1 ||
	    reg_buf_addf(&url, "%s%s%s%s", s3->origin, path.data,
			 *c->query ? "?" : "", c->query) == -1)
		goto out;
	for (i = 0; i < nh; i++) {
		if (add_header(&hl, h[i].name, h[i].value) == -1)
			goto out;
	}
	if (add_header(&hl, "Authorization", auth.data) == -1 ||
	    (c->range != NULL && add_header(&hl, "Range", c->range) == -1) ||
	    /* No curl defaults: no form content type, no 100-continue. */
	    (hl = lcurl.slist_append(hl, "Content-Type:")) == NULL ||
	    (hl = lcurl.slist_append(hl, "Expect:")) == NULL)
		goto out;

	lcurl.easy_reset(s3->curl); /* keeps the connection cache */
	set_transport(s3, s3->curl, c->slow,
		      !c->slow && c->sink == NULL &&
			      c->body_len <= S3_BOUNDED_BODY_MAX);
	lcurl.easy_setopt(s3->curl, CURLOPT_URL, url.data);
	lcurl.easy_setopt(s3->curl, CURLOPT_HTTPHEADER, hl);
	lcurl.easy_setopt(s3->curl, CURLOPT_HEADERFUNCTION, on_header);
	lcurl.easy_setopt(s3->curl, CURLOPT_HEADERDATA, c);
	lcurl.easy_setopt(s3->curl, CURLOPT_WRITEFUNCTION, write_body);
	lcurl.easy_setopt(s3->curl, CURLOPT_WRITEDATA, &bc);
	if (strcmp(c->method, "HEAD") == 0) {
		lcurl.easy_setopt(s3->curl, CURLOPT_NOBODY, 1L);
	} else if (strcmp(c->method, "GET") != 0) {
		lcurl.easy_setopt(s3->curl, CURLOPT_CUSTOMREQUEST, c->method);
		if (strcmp(c->method, "DELETE") != 0) {
			lcurl.easy_setopt(s3->curl, CURLOPT_POSTFIELDSIZE_LARGE,
					  (curl_off_t)c->body_len);
			lcurl.easy_setopt(s3->curl, CURLOPT_POSTFIELDS,
					  c->body_len ? c->body : "");
		}
	}
	c->status = 0;
	c->has_length = false;
	c->etag[0] = '\0';
	reg_buf_reset(&c->errbody);
	*cc = lcurl.easy_perform(s3->curl);
	lcurl.easy_getinfo(s3->curl, CURLINFO_RESPONSE_CODE, &c->status);
	rc = *cc == CURLE_OK ? 0 : -1;
out:
	lcurl.slist_free_all(hl);
	OPENSSL_cleanse(auth.data, auth.len);
	reg_buf_release(&path);
	reg_buf_release(&url);
	reg_buf_release(&auth);
	return rc;
}

/* The <Code> of an error document, or "" */
static void
error_code(const struct s3_call *c, char *code, size_t sz)
{
	struct reg_buf v;

	code[0] = '\0';
	reg_buf_init(&v, 256);
	if (xml_first(&c->errbody, "Code", &v) == 0 &&
	    !reg_has_ctl(v.data, v.len))
		snprintf(code, sz, "%s", v.data);
	reg_buf_release(&v);
}

static bool
is_transient(long status, const char *code)
{
	/* 501 NotImplemented is an answer, not a hiccup. */
	return (status >= 500 && status != 501) || status == 429 ||
	       strcmp(code, "SlowDown") == 0 ||
	       strcmp(code, "RequestTimeout") == 0;
}

static void
backoff(unsigned attempt_no)
{
	unsigned char r = 0;
	unsigned ms = 100u << (attempt_no < 5 ? attempt_no : 5);
	struct timespec ts;

	if (ms > 3000)
		ms = 3000;
	(void)RAND_bytes(&r, 1);
	ms += ms * r / 512; /* up to +50%: retries from many workers spread */
	ts.tv_sec = ms / 1000;
	ts.tv_nsec = (long)(ms % 1000) * 1000000L;
	nanosleep(&ts, NULL);
}

/*
 * Send a call with retries.  0 for any complete HTTP answer (the caller
 * looks at c->status); -1 with err set when the store could not be
 * reached or kept failing (503 UNAVAILABLE), or the sink failed.
 */
static int
perform(struct s3_store *s3, struct s3_call *c, struct reg_err *err)
{
	char code[64] = "", why[160] = "";
	unsigned i;
	size_t resp_start = c->resp ? c->resp->len : 0;

	reg_buf_init(&c->errbody, S3_ERRBODY_MAX);
	for (i = 0;; i++) {
		CURLcode cc = CURLE_OK;

		if (c->resp != NULL) {
			c->resp->len = resp_start;
			c->resp->data[resp_start] = '\0';
		}
		c->overflow = false;
		if (attempt(s3, c, &cc) == 0) {
			error_code(c, code, sizeof(code));
			if (!is_transient(c->status, code))
				return 0;
			snprintf(why, sizeof(why), "%ld %s", c->status,
				 *code ? code : "error");
		} else if (c->sink_failed) {
			*err = c->sink_err;
			return -1;
		} else if (c->overflow) {
			return reg_err_set(err, REG_E_SIZE_INVALID,
					   "object larger than expected");
		} else {
			snprintf(why, sizeof(why), "%s",
				 lcurl.easy_strerror(cc));
		}
		/* Bytes already passed on cannot be taken back. */
		if (i >= s3->retries || c->sink_started)
			break;
		reg_log_warn("s3 %s %s%s: %s; retry %u of %u", c->method,
			     s3->prefix, c->key ? c->key : "", why, i + 1,
			     s3->retries);
		backoff(i);
	}
	reg_log_err("s3 %s %s%s: %s after %u attempt%s", c->method, s3->prefix,
		    c->key ? c->key : "", why, i + 1, i ? "s" : "");
	return reg_err_set(err, REG_E_UNAVAILABLE, "storage unavailable: %s",
			   why);
}

static void
call_release(struct s3_call *c)
{
	reg_buf_release(&c->errbody);
}

/*
 * An HTTP answer that is not the expected success, as an error: 404 is
 * ENOENT (the store.h contract); refused credentials are 503 with a hint.
 */
static int
status_error(struct s3_store *s3, const struct s3_call *c, struct reg_err *err)
{
	char code[64];

	error_code(c, code, sizeof(code));
	if (c->status == 404 && strcmp(code, "NoSuchBucket") != 0 &&
	    strcmp(code, "NoSuchUpload") != 0) {
		reg_err_set(err, REG_E_INTERNAL, "not found");
		err->sys_errno = ENOENT;
		return -1;
	}
	reg_log_err("s3 %s %s%s: %ld %s", c->method, s3->prefix,
		    c->key ? c->key : "", c->status, *code ? code : "error");
	if (c->status == 403 || strcmp(code, "NoSuchBucket") == 0)
		return reg_err_set(err, REG_E_UNAVAILABLE,
				   "storage refused the request (%ld %s): "
				   "check the [s3] settings",
				   c->status, *code ? code : "error");
	return reg_err_set(err, REG_E_INTERNAL, "storage error: %ld %s",
			   c->status, *code ? code : "error");
}

/* perform, then anything but 2xx is an error. */
static int
request(struct s3_store *s3, struct s3_call *c, struct reg_err *err)
{
	int rc = perform(s3, c, err);

	if (rc == 0 && (c->status < 200 || c->status > 299))
		rc = status_error(s3, c, err);
	call_release(c);
	return rc;
}

/* Headers every object-creating request carries: encryption, class. */
static void
creation_headers(struct s3_store *s3, struct s3_call *c)
{
	if (s3->sse != NULL) {
		c->hdr[c->nhdr++] =
			(struct reg_s3_header){ "x-amz-server-side-encryption",
						s3->sse };
		if (s3->kms_key_id != NULL)
			c->hdr[c->nhdr++] = (struct reg_s3_header){
				"x-amz-server-side-encryption-aws-kms-key-id",
				s3->kms_key_id
			};
	}
	if (s3->storage_class != NULL)
		c->hdr[c->nhdr++] =
			(struct reg_s3_header){ "x-amz-storage-class",
						s3->storage_class };
}

/* ---- open / close ---- */

static char *
trimmed_copy(const char *p, size_t n)
{
	while (n > 0 &&
	       (p[n - 1] == '\n' || p[n - 1] == '\r' || p[n - 1] == ' '))
		n--;
	return reg_xstrndup(p, n);
}

static int
load_credentials(struct s3_store *s3, const struct reg_cfg *cfg,
		 struct reg_err *err)
{
	const char *ak = cfg->s3.access_key, *sk = cfg->s3.secret_key;

	if (ak == NULL)
		ak = getenv("AWS_ACCESS_KEY_ID");
	if (cfg->s3.secret_key_file != NULL) {
		struct reg_buf b;
		struct reg_file_sig sig;

		if (reg_file_read(cfg->s3.secret_key_file, 4096, &b, &sig, NULL,
				  err) == -1)
			return -1;
		s3->secret_key = trimmed_copy(b.data, b.len);
		OPENSSL_cleanse(b.data, b.len);
		reg_buf_release(&b);
	} else {
		if (sk == NULL)
			sk = getenv("AWS_SECRET_ACCESS_KEY");
		if (sk != NULL)
			s3->secret_key = reg_xstrdup(sk);
	}
	if (ak == NULL || *ak == '\0' || s3->secret_key == NULL ||
	    *s3->secret_key == '\0')
		return reg_err_set(err, REG_E_UNAVAILABLE,
				   "[s3]: no credentials (access_key and "
				   "secret_key, secret_key_file, or "
				   "AWS_ACCESS_KEY_ID and "
				   "AWS_SECRET_ACCESS_KEY)");
	if (reg_has_ctl(ak, strlen(ak)) || strchr(ak, '/') != NULL ||
	    reg_has_ctl(s3->secret_key, strlen(s3->secret_key)))
		return reg_err_set(err, REG_E_UNAVAILABLE,
				   "[s3]: malformed credentials");
	s3->access_key = reg_xstrdup(ak);
	return 0;
}

/* Origin, Host and bucket path from the endpoint (or AWS's for region). */
static void
set_addressing(struct s3_store *s3, const struct reg_cfg *cfg)
{
	const char *ep = cfg->s3.endpoint;
	bool path_style =
		cfg->s3.path_style == -1 ? ep != NULL : cfg->s3.path_style == 1;
	struct reg_buf b;
	const char *hostpart;
	size_t n;

	reg_buf_init(&b, 2048);
	if (ep == NULL) {
		(void)reg_buf_addf(&b, "https://s3.%s.amazonaws.com",
				   s3->region);
		ep = b.data;
	}
	hostpart = strstr(ep, "://") + 3;
	n = strcspn(hostpart, "/");
	if (path_style) {
		s3->origin = reg_xstrndup(ep, (size_t)(hostpart - ep) + n);
		s3->host = reg_xstrndup(hostpart, n);
		reg_buf_reset(&b);
		(void)reg_buf_addf(&b, "/%s", s3->bucket);
		s3->bucket_path = reg_buf_detach(&b, NULL);
	} else {
		struct reg_buf o, h;

		reg_buf_init(&o, 2048);
		reg_buf_init(&h, 2048);
		(void)reg_buf_addf(&h, "%s.%.*s", s3->bucket, (int)n, hostpart);
		(void)reg_buf_addf(&o, "%.*s%s", (int)(hostpart - ep), ep,
				   h.data);
		s3->origin = reg_buf_detach(&o, NULL);
		s3->host = reg_buf_detach(&h, NULL);
		s3->bucket_path = reg_xstrdup("");
	}
	reg_buf_release(&b);
}

static void
free_s3(struct s3_store *s3)
{
	if (s3 == NULL)
		return;
	if (s3->curl != NULL)
		lcurl.easy_cleanup(s3->curl);
	free(s3->origin);
	free(s3->host);
	free(s3->bucket_path);
	free(s3->bucket);
	free(s3->prefix);
	free(s3->access_key);
	if (s3->secret_key != NULL) {
		OPENSSL_cleanse(s3->secret_key, strlen(s3->secret_key));
		free(s3->secret_key);
	}
	free(s3->region);
	free(s3->kms_key_id);
	free(s3->storage_class);
	free(s3->ca_file);
	free(s3);
}

/* The error for a libcurl that cannot be loaded, with dlerror()'s why. */
static int
report_dlerror(struct reg_err *err)
{
	const char *why = dlerror();

	return reg_err_set(err, REG_E_UNAVAILABLE,
			   "S3 storage needs libcurl: cannot load %s: %s; "
			   "apt-get install libcurl4",
			   BERTH_LIBCURL, why ? why : "unknown error");
}

/*
 * Load libcurl (BERTH_LIBCURL, its soname) and initialize it, once per
 * process.  RTLD_LOCAL keeps its symbols, and those of the libraries it
 * brings, out of later lookups.  The handle is never closed: curl's
 * global state lives as long as the process.
 */
static int
load_curl(struct reg_err *err)
{
	struct curl_api api = { NULL };
	void *h, *fn;
	size_t i;

	if (lcurl_loaded)
		return 0;
	h = dlopen(BERTH_LIBCURL, RTLD_NOW | RTLD_LOCAL);
	if (h == NULL)
		return report_dlerror(err);
	for (i = 0; i < sizeof(curl_syms) / sizeof(curl_syms[0]); i++) {
		(void)dlerror();
		fn = dlsym(h, curl_syms[i].name);
		if (fn == NULL) {
			report_dlerror(err);
			dlclose(h);
			return -1;
		}
		/* POSIX: a dlsym() result converts to a function pointer. */
		memcpy((char *)&api + curl_syms[i].off, &fn, sizeof(fn));
	}
	if (api.global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		dlclose(h);
		return reg_err_set(err, REG_E_UNAVAILABLE,
				   "cannot start libcurl");
	}
	lcurl = api;
	lcurl_loaded = true;
	return 0;
}

static int
s3_open(struct reg_store *s, const struct reg_cfg *cfg, struct reg_err *err)
{
	struct s3_store *s3;
	const char *pfx = cfg->s3.prefix;
	size_t n;

	if (load_curl(err) == -1)
		return -1;
	s3 = reg_xcalloc(1, sizeof(*s3));
	if ((s3->curl = lcurl.easy_init()) == NULL) {
		free_s3(s3);
		return reg_err_set(err, REG_E_UNAVAILABLE,
				   "cannot start libcurl");
	}
	s3->bucket = reg_xstrdup(cfg->s3.bucket);
	s3->region = reg_xstrdup(cfg->s3.region ? cfg->s3.region : "us-east-1");
	/* "a/b/" for prefix "/a/b" or "a/b/": keys never start with '/'. */
	while (pfx != NULL && *pfx == '/')
		pfx++;
	n = pfx ? strlen(pfx) : 0;
	while (n > 0 && pfx[n - 1] == '/')
		n--;
	if (n > 0) {
		struct reg_buf p;

		reg_buf_init(&p, n + 2);
		(void)reg_buf_addf(&p, "%.*s/", (int)n, pfx);
		s3->prefix = reg_buf_detach(&p, NULL);
	} else {
		s3->prefix = reg_xstrdup("");
	}
	if (load_credentials(s3, cfg, err) == -1) {
		free_s3(s3);
		return -1;
	}
	set_addressing(s3, cfg);
	if (cfg->s3.encrypt)
		s3->sse = cfg->s3.kms_key_id ? "aws:kms" : "AES256";
	if (cfg->s3.kms_key_id)
		s3->kms_key_id = reg_xstrdup(cfg->s3.kms_key_id);
	if (cfg->s3.storage_class)
		s3->storage_class = reg_xstrdup(cfg->s3.storage_class);
	if (cfg->s3.ca_file)
		s3->ca_file = reg_xstrdup(cfg->s3.ca_file);
	s3->part_size = cfg->s3.part_size;
	s3->copy_cutoff = cfg->s3.copy_cutoff;
	s3->timeout = (long)cfg->s3.timeout;
	s3->retries = (unsigned)cfg->s3.retries;
	s3->tls_verify = cfg->s3.tls_verify;
	s3->redirect = cfg->s3.redirect;
	s3->redirect_expiry = (unsigned long)cfg->s3.redirect_expiry;
	s->priv = s3;
	return 0;
}

static void
s3_close(struct reg_store *s)
{
	free_s3(s3_of(s));
	s->priv = NULL;
}

/* ---- objects ---- */

static int
s3_stat(struct reg_store *s, const char *key, uint64_t *size,
	struct reg_err *err)
{
	struct s3_call c = { .method = "HEAD", .key = key, .query = "" };

	if (reg_store_check_key(key, err) == -1 ||
	    request(s3_of(s), &c, err) == -1)
		return -1;
	if (!c.has_length)
		return reg_err_set(err, REG_E_INTERNAL,
				   "storage sent no Content-Length");
	*size = c.length;
	return 0;
}

static int
s3_get(struct reg_store *s, const char *key, struct reg_buf *out,
       struct reg_err *err)
{
	struct s3_call c = { .method = "GET", .key = key, .query = "" };
	size_t start = out->len;

	if (reg_store_check_key(key, err) == -1)
		return -1;
	c.resp = out;
	if (request(s3_of(s), &c, err) == -1) {
		out->len = start;
		out->data[start] = '\0';
		return -1;
	}
	return 0;
}

static int
s3_read(struct reg_store *s, const char *key, uint64_t off, uint64_t len,
	reg_store_sink_fn sink, void *ctx, struct reg_err *err)
{
	struct s3_call c = { .method = "GET", .key = key, .query = "" };
	char range[64];

	if (reg_store_check_key(key, err) == -1)
		return -1;
	if (len == 0)
		return 0;
	if (off > UINT64_MAX - len)
		return reg_err_set(err, REG_E_INTERNAL, "range overflow");
	snprintf(range, sizeof(range), "bytes=%" PRIu64 "-%" PRIu64, off,
		 off + len - 1);
	c.range = range;
	c.sink = sink;
	c.sink_ctx = ctx;
	return request(s3_of(s), &c, err);
}

static int
put_object(struct s3_store *s3, const char *key, const void *p, size_t n,
	   struct reg_err *err)
{
	struct s3_call c = { .method = "PUT", .key = key, .query = "" };

	c.body = p;
	c.body_len = n;
	creation_headers(s3, &c);
	return request(s3, &c, err);
}

static int
s3_put(struct reg_store *s, const char *key, const void *p, size_t n,
       struct reg_err *err)
{
	if (reg_store_check_key(key, err) == -1)
		return -1;
	return put_object(s3_of(s), key, p, n, err);
}

static int
delete_object(struct s3_store *s3, const char *key, struct reg_err *err)
{
	struct s3_call c = { .method = "DELETE", .key = key, .query = "" };

	return request(s3, &c, err);
}

static int
s3_remove(struct reg_store *s, const char *key, struct reg_err *err)
{
	uint64_t size;

	/* S3 deletes absent keys happily; the contract wants ENOENT. */
	if (s3_stat(s, key, &size, err) == -1)
		return -1;
	return delete_object(s3_of(s), key, err);
}

/* ---- listing ---- */

struct list_page {
	struct reg_buf xml;
	struct reg_buf token; /* NextContinuationToken */
	bool truncated;
};

/* One ListObjectsV2 page under prefix (with the store's prefix added). */
static int
list_page(struct s3_store *s3, const char *prefix, bool delimit,
	  const char *start_after, size_t max, struct list_page *pg,
	  struct reg_err *err)
{
	struct s3_call c = { .method = "GET", .key = NULL };
	struct reg_buf q, full, v;
	int rc = -1;

	reg_buf_init(&q, 8192);
	reg_buf_init(&full, 4096);
	reg_buf_init(&v, 16);
	reg_buf_reset(&pg->xml);
	/* Query parameters in canonical (sorted) order. */
	if (pg->token.len > 0 &&
	    (reg_buf_adds(&q, "continuation-token=") == -1 ||
	     reg_s3_uri_encode(&q, pg->token.data, false) == -1 ||
	     reg_buf_adds(&q, "&") == -1))
		goto out;
	if ((delimit && reg_buf_adds(&q, "delimiter=%2F&") == -1) ||
	    reg_buf_addf(&q, "list-type=2&max-keys=%zu&prefix=", max) == -1 ||
	    reg_buf_addf(&full, "%s%s", s3->prefix, prefix) == -1 ||
	    reg_s3_uri_encode(&q, full.data, false) == -1)
		goto out;
	if (start_after != NULL && *start_after) {
		reg_buf_reset(&full);
		if (reg_buf_addf(&full, "%s%s", s3->prefix, start_after) ==
			    -1 ||
		    reg_buf_adds(&q, "&start-after=") == -1 ||
		    reg_s3_uri_encode(&q, full.data, false) == -1)
			goto out;
	}
	c.query = q.data;
	c.resp = &pg->xml;
	if (request(s3, &c, err) == -1)
		goto out;
	pg->truncated = xml_first(&pg->xml, "IsTruncated", &v) == 0 &&
			strcmp(v.data, "true") == 0;
	reg_buf_reset(&pg->token);
	if (pg->truncated &&
	    xml_first(&pg->xml, "NextContinuationToken", &pg->token) == -1) {
		reg_err_set(err, REG_E_INTERNAL,
			    "storage listing without a continuation token");
		goto out;
	}
	rc = 0;
out:
	reg_buf_release(&q);
	reg_buf_release(&full);
	reg_buf_release(&v);
	return rc;
}

/* A child name out of a full key ("<store prefix><prefix>/<child>[/]"). */
static const char *
child_of(const struct s3_store *s3, const char *full, size_t dirlen)
{
	size_t pl = strlen(s3->prefix);

	if (strncmp(full, s3->prefix, pl) != 0 || strlen(full) < pl + dirlen)
		return NULL;
	return full + pl + dirlen;
}

struct name_list {
	char **v;
	size_t n;
};

static int
cmp_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void
names_release(struct name_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

/* The children in a page: objects (Contents/Key) and "directories"
 * (CommonPrefixes/Prefix, without their '/'), merged in key order. */
static int
page_children(const struct s3_store *s3, const struct reg_buf *xml,
	      size_t dirlen, struct name_list *out)
{
	const char *pos = xml->data, *end = xml->data + xml->len;
	struct reg_buf t;
	size_t n;
	int rc = 0;

	reg_buf_init(&t, 4096);
	while (rc == 0) {
		const char *k1 = NULL, *k2 = NULL, *p1 = pos, *p2 = pos, *raw;
		size_t n1 = 0, n2 = 0;
		const char *name;
		bool dir;

		/* Whichever element comes first in the document. */
		if (xml_next(&p1, end, "Key", &k1, &n1) == -1)
			k1 = NULL;
		if (xml_next(&p2, end, "Prefix", &k2, &n2) == -1)
			k2 = NULL;
		/* <Prefix> also echoes the request's prefix at the top. */
		while (k2 != NULL) {
			const char *cp = memmem(pos, (size_t)(k2 - pos),
						"<CommonPrefixes>", 16);

			if (cp != NULL)
				break;
			pos = p2;
			if (xml_next(&p2, end, "Prefix", &k2, &n2) == -1)
				k2 = NULL;
			if (k1 != NULL && k1 < pos) {
				p1 = pos;
				if (xml_next(&p1, end, "Key", &k1, &n1) == -1)
					k1 = NULL;
			}
		}
		if (k1 == NULL && k2 == NULL)
			break;
		dir = k1 == NULL || (k2 != NULL && k2 < k1);
		raw = dir ? k2 : k1;
		n = dir ? n2 : n1;
		pos = dir ? p2 : p1;
		if (xml_text(&t, raw, n) == -1) {
			rc = -1;
			break;
		}
		if (dir && t.len > 0 && t.data[t.len - 1] == '/')
			t.data[--t.len] = '\0';
		name = child_of(s3, t.data, dirlen);
		if (name == NULL || *name == '\0' || strchr(name, '/') != NULL)
			continue;
		out->v = reg_xrealloc(out->v, (out->n + 1) * sizeof(char *));
		out->v[out->n++] = reg_xstrdup(name);
	}
	reg_buf_release(&t);
	/* S3 orders "name/" (a directory) by its slash; the contract is
	 * strcmp order of the names, as the filesystem driver lists. */
	if (out->n > 1)
		qsort(out->v, out->n, sizeof(out->v[0]), cmp_name);
	return rc;
}

static int
s3_list(struct reg_store *s, const char *prefix, const char *after,
	size_t limit, reg_store_list_fn fn, void *ctx, struct reg_err *err)
{
	struct s3_store *s3 = s3_of(s);
	struct list_page pg;
	struct reg_buf dir, start;
	size_t given = 0, i;
	bool any = false;
	int rc = -1;

	if (reg_store_check_key(prefix, err) == -1)
		return -1;
	reg_buf_init(&pg.xml, S3_XML_MAX);
	reg_buf_init(&pg.token, 4096);
	reg_buf_init(&dir, S3_KEY_MAX);
	reg_buf_init(&start, S3_KEY_MAX);
	if (reg_buf_addf(&dir, "%s/", prefix) == -1 ||
	    (after != NULL && *after &&
	     reg_buf_addf(&start, "%s/%s", prefix, after) == -1)) {
		reg_err_set(err, REG_E_INTERNAL, "storage key too long");
		goto out;
	}
	do {
		struct name_list names = { NULL, 0 };
		size_t want = limit - given;

		if (want > S3_LIST_MAX)
			want = S3_LIST_MAX;
		if (list_page(s3, dir.data, true, start.data, want, &pg, err) ==
			    -1 ||
		    page_children(s3, &pg.xml, dir.len, &names) == -1) {
			names_release(&names);
			if (err->code == REG_E_NONE)
				reg_err_set(err, REG_E_INTERNAL,
					    "unreadable storage listing");
			goto out;
		}
		for (i = 0; i < names.n; i++) {
			any = true;
			/* "after" itself as a directory ("after/") */
			if (after != NULL && strcmp(names.v[i], after) == 0)
				continue;
			if (names.v[i][0] == '.' || given >= limit)
				continue;
			given++;
			if (fn(ctx, names.v[i]) != 0) {
				names_release(&names);
				rc = 0;
				goto out;
			}
		}
		names_release(&names);
	} while (pg.truncated && given < limit);
	if (!any && (after == NULL || *after == '\0')) {
		reg_err_set(err, REG_E_INTERNAL, "not found");
		err->sys_errno = ENOENT;
		goto out;
	}
	if (!any) {
		/* Past the end of a listing, or no such prefix at all? */
		struct reg_buf empty;

		reg_buf_init(&empty, 1);
		reg_buf_reset(&pg.token);
		rc = list_page(s3, dir.data, true, empty.data, 1, &pg, err);
		reg_buf_release(&empty);
		if (rc == 0 && strstr(pg.xml.data, "<Key>") == NULL &&
		    strstr(pg.xml.data, "<CommonPrefixes>") == NULL) {
			reg_err_set(err, REG_E_INTERNAL, "not found");
			err->sys_errno = ENOENT;
			rc = -1;
		}
		goto out;
	}
	rc = 0;
out:
	reg_buf_release(&pg.xml);
	reg_buf_release(&pg.token);
	reg_buf_release(&dir);
	reg_buf_release(&start);
	return rc;
}

/* ---- multipart plumbing ---- */

static int
query_upload_id(struct reg_buf *q, const char *upload_id)
{
	return reg_buf_adds(q, "uploadId=") == -1 ||
			       reg_s3_uri_encode(q, upload_id, false) == -1
		       ? -1
		       : 0;
}

static int
abort_multipart(struct s3_store *s3, const char *key, const char *upload_id,
		struct reg_err *err)
{
	struct s3_call c = { .method = "DELETE", .key = key };
	struct reg_buf q;
	int rc;

	reg_buf_init(&q, 2048);
	if (query_upload_id(&q, upload_id) == -1) {
		reg_buf_release(&q);
		return reg_err_set(err, REG_E_INTERNAL, "upload id too long");
	}
	c.query = q.data;
	rc = request(s3, &c, err);
	reg_buf_release(&q);
	return rc;
}

/* Abort every multipart upload whose key starts with prefix. */
static int
abort_multiparts_under(struct s3_store *s3, const char *prefix,
		       struct reg_err *err)
{
	struct s3_call c = { .method = "GET", .key = NULL };
	struct reg_buf q, xml, full, key, id;
	const char *pos, *end;
	int rc = -1;

	reg_buf_init(&q, 4096);
	reg_buf_init(&xml, S3_XML_MAX);
	reg_buf_init(&full, S3_KEY_MAX);
	reg_buf_init(&key, S3_KEY_MAX);
	reg_buf_init(&id, S3_UPLOAD_ID_MAX);
	if (reg_buf_addf(&full, "%s%s", s3->prefix, prefix) == -1 ||
	    reg_buf_adds(&q, "prefix=") == -1 ||
	    reg_s3_uri_encode(&q, full.data, false) == -1 ||
	    reg_buf_adds(&q, "&uploads=") == -1) {
		reg_err_set(err, REG_E_INTERNAL, "storage key too long");
		goto out;
	}
	c.query = q.data;
	c.resp = &xml;
	if (request(s3, &c, err) == -1)
		goto out;
	pos = xml.data;
	end = xml.data + xml.len;
	for (;;) {
		const char *v, *upos;
		size_t n;
		const char *name;

		if (xml_next(&pos, end, "Upload", &v, &n) == -1)
			break;
		upos = v;
		if (xml_next(&upos, v + n, "Key", &v, &n) == -1 ||
		    xml_text(&key, v, n) == -1)
			continue;
		upos = v;
		if (xml_next(&upos, pos, "UploadId", &v, &n) == -1 ||
		    xml_text(&id, v, n) == -1)
			continue;
		name = child_of(s3, key.data, 0);
		if (name != NULL && reg_store_key_is_valid(name))
			(void)abort_multipart(s3, name, id.data, err);
	}
	rc = 0;
out:
	reg_buf_release(&q);
	reg_buf_release(&xml);
	reg_buf_release(&full);
	reg_buf_release(&key);
	reg_buf_release(&id);
	return rc;
}

/* DeleteObjects for up to 1000 keys (full keys, prefix included). */
static int
delete_batch(struct s3_store *s3, const struct name_list *keys,
	     struct reg_err *err)
{
	struct s3_call c = { .method = "POST",
			     .key = NULL,
			     .query = "delete=" };
	struct reg_buf body, resp;
	unsigned char md5[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	char b64[64];
	size_t i;
	int rc = -1;

	reg_buf_init(&body, S3_XML_MAX);
	reg_buf_init(&resp, S3_XML_MAX);
	if (reg_buf_adds(&body, "<Delete><Quiet>true</Quiet>") == -1)
		goto out;
	for (i = 0; i < keys->n; i++) {
		if (reg_buf_addf(&body, "<Object><Key>%s</Key></Object>",
				 keys->v[i]) == -1)
			goto out;
	}
	if (reg_buf_adds(&body, "</Delete>") == -1)
		goto out;
	/* DeleteObjects requires Content-MD5 (an integrity check, not
	 * security). */
	if (EVP_Digest(body.data, body.len, md5, &mdlen, EVP_md5(), NULL) !=
		    1 ||
	    EVP_EncodeBlock((unsigned char *)b64, md5, (int)mdlen) <= 0)
		goto out;
	c.hdr[c.nhdr++] = (struct reg_s3_header){ "content-md5", b64 };
	c.body = body.data;
	c.body_len = body.len;
	c.resp = &resp;
	if (request(s3, &c, err) == -1)
		goto out;
	if (strstr(resp.data, "<Error>") != NULL) {
		reg_err_set(err, REG_E_INTERNAL, "storage could not delete");
		goto out;
	}
	rc = 0;
out:
	if (rc == -1 && err->code == REG_E_NONE)
		reg_err_set(err, REG_E_INTERNAL, "delete request too large");
	reg_buf_release(&body);
	reg_buf_release(&resp);
	return rc;
}

static int
s3_remove_tree(struct reg_store *s, const char *prefix, struct reg_err *err)
{
	struct s3_store *s3 = s3_of(s);
	struct list_page pg;
	struct reg_buf dir;
	int rc = -1;

	if (reg_store_check_key(prefix, err) == -1)
		return -1;
	reg_buf_init(&pg.xml, S3_XML_MAX);
	reg_buf_init(&pg.token, 4096);
	reg_buf_init(&dir, S3_KEY_MAX);
	if (reg_buf_addf(&dir, "%s/", prefix) == -1)
		goto out;
	if (abort_multiparts_under(s3, dir.data, err) == -1)
		goto out;
	do {
		struct name_list keys = { NULL, 0 };
		const char *pos = NULL, *v;
		size_t n;
		int brc = 0;

		if (list_page(s3, dir.data, false, NULL, S3_LIST_MAX, &pg,
			      err) == -1)
			goto out;
		pos = pg.xml.data;
		while (xml_next(&pos, pg.xml.data + pg.xml.len, "Key", &v,
				&n) == 0) {
			/* Kept escaped: it goes straight back into XML. */
			keys.v = reg_xrealloc(keys.v,
					      (keys.n + 1) * sizeof(char *));
			keys.v[keys.n++] = reg_xstrndup(v, n);
		}
		if (keys.n > 0)
			brc = delete_batch(s3, &keys, err);
		names_release(&keys);
		if (brc == -1)
			goto out;
		/* Deleted keys are gone: list from the start again. */
		reg_buf_reset(&pg.token);
	} while (pg.truncated);
	rc = 0;
out:
	if (rc == -1 && err->code == REG_E_NONE)
		reg_err_set(err, REG_E_INTERNAL, "storage key too long");
	reg_buf_release(&pg.xml);
	reg_buf_release(&pg.token);
	reg_buf_release(&dir);
	return rc;
}

/* ---- locks: none in S3 (see the top of this file) ---- */

static struct reg_store_lock *
s3_lock(struct reg_store *s, const char *key, struct reg_err *err)
{
	(void)s;
	if (reg_store_check_key(key, err) == -1)
		return NULL;
	return reg_xcalloc(1, sizeof(struct reg_store_lock));
}

static void
s3_unlock(struct reg_store_lock *l)
{
	free(l);
}

/* ---- upload layout ---- */

struct part {
	unsigned number;
	uint64_t size;
	char etag[S3_ETAG_MAX];
};

struct layout {
	char upload_id[S3_UPLOAD_ID_MAX]; /* "" until the first part */
	char tail[64];			  /* tail object's name, or "" */
	uint64_t tail_size;
	struct part *parts;
	size_t nparts;
};

static void
layout_release(struct layout *l)
{
	free(l->parts);
	memset(l, 0, sizeof(*l));
}

static uint64_t
layout_size(const struct layout *l)
{
	uint64_t total = l->tail_size;
	size_t i;

	for (i = 0; i < l->nparts; i++)
		total += l->parts[i].size;
	return total;
}

/* A token of printable, space-free characters that fits in sz. */
static int
copy_token(char *dst, size_t sz, const char *p, size_t n)
{
	size_t i;

	if (n == 0 || n >= sz)
		return -1;
	for (i = 0; i < n; i++) {
		if ((unsigned char)p[i] <= ' ' || (unsigned char)p[i] >= 127)
			return -1;
	}
	memcpy(dst, p, n);
	dst[n] = '\0';
	return 0;
}

static int
layout_parse(struct layout *l, const struct reg_buf *b, struct reg_err *err)
{
	const char *p = b->data, *end = b->data + b->len;

	memset(l, 0, sizeof(*l));
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *w[4];
		size_t wl[4], nw = 0, len;
		const char *q;

		if (nl == NULL)
			goto bad;
		/* Split the line into at most four words. */
		for (q = p; q < nl && nw < 4;) {
			w[nw] = q;
			while (q < nl && *q != ' ')
				q++;
			wl[nw] = (size_t)(q - w[nw]);
			nw++;
			if (q < nl)
				q++;
		}
		if (q != nl || nw == 0)
			goto bad;
		len = wl[0];
		if (len == 6 && memcmp(w[0], "upload", 6) == 0 && nw == 2) {
			if (!(wl[1] == 1 && w[1][0] == '-') &&
			    copy_token(l->upload_id, sizeof(l->upload_id), w[1],
				       wl[1]) == -1)
				goto bad;
		} else if (len == 4 && memcmp(w[0], "tail", 4) == 0 &&
			   nw == 3) {
			if (!(wl[1] == 1 && w[1][0] == '-') &&
			    copy_token(l->tail, sizeof(l->tail), w[1], wl[1]) ==
				    -1)
				goto bad;
			if (reg_parse_u64n(w[2], wl[2], 0, S3_MIN_PART,
					   &l->tail_size) == -1)
				goto bad;
		} else if (len == 4 && memcmp(w[0], "part", 4) == 0 &&
			   nw == 4) {
			struct part pt;
			uint64_t num;

			if (reg_parse_u64n(w[1], wl[1], 1, S3_MAX_PARTS,
					   &num) == -1 ||
			    reg_parse_u64n(w[2], wl[2], 1, S3_COPY_MAX,
					   &pt.size) == -1 ||
			    copy_token(pt.etag, sizeof(pt.etag), w[3], wl[3]) ==
				    -1 ||
			    (l->nparts > 0 &&
			     num <= l->parts[l->nparts - 1].number))
				goto bad;
			pt.number = (unsigned)num;
			l->parts = reg_xrealloc(l->parts,
						(l->nparts + 1) * sizeof(pt));
			l->parts[l->nparts++] = pt;
		} else {
			goto bad;
		}
		p = nl + 1;
	}
	if (l->nparts > 0 && l->upload_id[0] == '\0')
		goto bad;
	return 0;
bad:
	layout_release(l);
	return reg_err_set(err, REG_E_BLOB_UPLOAD_INVALID,
			   "upload layout is corrupt");
}

static int
layout_write(const struct layout *l, struct reg_buf *b)
{
	size_t i;

	reg_buf_reset(b);
	if (reg_buf_addf(b, "upload %s\ntail %s %" PRIu64 "\n",
			 l->upload_id[0] ? l->upload_id : "-",
			 l->tail[0] ? l->tail : "-", l->tail_size) == -1)
		return -1;
	for (i = 0; i < l->nparts; i++) {
		if (reg_buf_addf(b, "part %u %" PRIu64 " %s\n",
				 l->parts[i].number, l->parts[i].size,
				 l->parts[i].etag) == -1)
			return -1;
	}
	return 0;
}

/* "<data key>.t<16 hex>": a tail object next to the data key. */
static int
tail_key(char *buf, size_t sz, const char *key, const char *tail)
{
	int n = snprintf(buf, sz, "%s.%s", key, tail);

	return n < 0 || (size_t)n >= sz ? -1 : 0;
}

static int
new_tail_name(char out[64])
{
	unsigned char raw[8];
	size_t i;

	if (RAND_bytes(raw, sizeof(raw)) != 1)
		return -1;
	out[0] = 't';
	for (i = 0; i < sizeof(raw); i++)
		snprintf(out + 1 + 2 * i, 3, "%02x", raw[i]);
	return 0;
}

static int
create_multipart(struct s3_store *s3, const char *key, char *upload_id,
		 size_t sz, struct reg_err *err)
{
	struct s3_call c = { .method = "POST",
			     .key = key,
			     .query = "uploads=" };
	struct reg_buf xml, id;
	int rc = -1;

	reg_buf_init(&xml, 64 * 1024);
	reg_buf_init(&id, S3_UPLOAD_ID_MAX);
	creation_headers(s3, &c);
	c.resp = &xml;
	if (request(s3, &c, err) == -1)
		goto out;
	if (xml_first(&xml, "UploadId", &id) == -1 ||
	    copy_token(upload_id, sz, id.data, id.len) == -1) {
		reg_err_set(err, REG_E_INTERNAL,
			    "storage answered no usable UploadId");
		goto out;
	}
	rc = 0;
out:
	reg_buf_release(&xml);
	reg_buf_release(&id);
	return rc;
}

static unsigned
next_part_number(const struct layout *l)
{
	return l->nparts ? l->parts[l->nparts - 1].number + 1 : 1;
}

static int
add_part(struct layout *l, uint64_t size, const char *etag, struct reg_err *err)
{
	struct part pt;
	size_t n = strlen(etag);

	memset(&pt, 0, sizeof(pt));
	pt.number = next_part_number(l);
	pt.size = size;
	if (pt.number > S3_MAX_PARTS)
		return reg_err_set(err, REG_E_SIZE_INVALID,
				   "blob needs more than %d parts: raise "
				   "[s3] part_size",
				   S3_MAX_PARTS);
	if (copy_token(pt.etag, sizeof(pt.etag), etag, n) == -1)
		return reg_err_set(err, REG_E_INTERNAL,
				   "storage answered no usable ETag");
	l->parts = reg_xrealloc(l->parts, (l->nparts + 1) * sizeof(pt));
	l->parts[l->nparts++] = pt;
	return 0;
}

/* Upload one part (starting the multipart upload if needed). */
static int
upload_part(struct s3_store *s3, const char *key, struct layout *l,
	    const void *p, size_t n, struct reg_err *err)
{
	struct s3_call c = { .method = "PUT", .key = key };
	struct reg_buf q;
	unsigned number = next_part_number(l);
	int rc = -1;

	if (l->upload_id[0] == '\0' &&
	    create_multipart(s3, key, l->upload_id, sizeof(l->upload_id),
			     err) == -1)
		return -1;
	reg_buf_init(&q, 2048);
	if (reg_buf_addf(&q, "partNumber=%u&", number) == -1 ||
	    query_upload_id(&q, l->upload_id) == -1) {
		reg_err_set(err, REG_E_INTERNAL, "upload id too long");
		goto out;
	}
	c.query = q.data;
	c.body = p;
	c.body_len = n;
	if (request(s3, &c, err) == -1)
		goto out;
	rc = add_part(l, n, c.etag, err);
out:
	reg_buf_release(&q);
	return rc;
}

struct fill_ctx {
	char *buf;
	size_t len;
	size_t cap;
};

static int
fill_sink(void *ctx, const void *p, size_t n, struct reg_err *err)
{
	struct fill_ctx *f = ctx;

	if (n > f->cap - f->len)
		return reg_err_set(err, REG_E_INTERNAL,
				   "object larger than expected");
	memcpy(f->buf + f->len, p, n);
	f->len += n;
	return 0;
}

/* Exactly n bytes of an object from off into buf (n bytes long). */
static int
read_exact(struct s3_store *s3, const char *key, uint64_t off, size_t n,
	   char *buf, struct reg_err *err)
{
	struct reg_store tmp = { &reg_store_s3_driver, s3 };
	struct fill_ctx f = { buf, 0, n };

	if (s3_read(&tmp, key, off, n, fill_sink, &f, err) == -1)
		return -1;
	if (f.len != n)
		return reg_err_set(err, REG_E_INTERNAL,
				   "storage sent %zu of %zu bytes", f.len, n);
	return 0;
}

/* Fill buf from the source until full or the source ends. */
static long
fill_from(reg_store_source_fn src, void *ctx, char *buf, size_t have,
	  size_t cap, uint64_t *added, struct reg_err *err)
{
	while (have < cap) {
		long n = src(ctx, buf + have, cap - have, err);

		if (n < 0)
			return -1;
		if (n == 0)
			break;
		have += (size_t)n;
		*added += (uint64_t)n;
	}
	return (long)have;
}

static int
s3_append(struct reg_store *s, const char *key, uint64_t offset,
	  struct reg_buf *layout, reg_store_source_fn src, void *ctx,
	  uint64_t *written, struct reg_err *err)
{
	struct s3_store *s3 = s3_of(s);
	struct layout l;
	char tkey[S3_KEY_MAX];
	uint64_t added = 0;
	size_t cap = (size_t)s3->part_size, have = 0;
	char *buf = NULL;
	int rc = -1;

	if (reg_store_check_key(key, err) == -1 ||
	    layout_parse(&l, layout, err) == -1)
		return -1;
	if (layout_size(&l) != offset) {
		layout_release(&l);
		return reg_err_set(err, REG_E_BLOB_UPLOAD_INVALID,
				   "upload layout does not match its state");
	}
	/* One part's buffer, only for the length of this append. */
	buf = reg_xmalloc(cap);
	if (l.tail[0] != '\0') {
		if (tail_key(tkey, sizeof(tkey), key, l.tail) == -1 ||
		    read_exact(s3, tkey, 0, (size_t)l.tail_size, buf, err) ==
			    -1)
			goto out;
		have = (size_t)l.tail_size;
	}
	for (;;) {
		long n = fill_from(src, ctx, buf, have, cap, &added, err);

		if (n < 0)
			goto out;
		have = (size_t)n;
		if (have < cap)
			break;
		if (upload_part(s3, key, &l, buf, have, err) == -1)
			goto out;
		have = 0;
	}
	if (added == 0) {
		/* Nothing new: the old layout still says it all. */
		*written = 0;
		rc = 0;
		goto out;
	}
	if (have >= S3_MIN_PART) {
		if (upload_part(s3, key, &l, buf, have, err) == -1)
			goto out;
		l.tail[0] = '\0';
		l.tail_size = 0;
	} else if (have > 0) {
		/* Below a part's minimum: keep it in the store, never only
		 * in this process, so any front end can go on. */
		if (new_tail_name(l.tail) == -1 ||
		    tail_key(tkey, sizeof(tkey), key, l.tail) == -1 ||
		    put_object(s3, tkey, buf, have, err) == -1)
			goto out;
		l.tail_size = have;
	} else {
		l.tail[0] = '\0';
		l.tail_size = 0;
	}
	if (layout_write(&l, layout) == -1) {
		reg_err_set(err, REG_E_SIZE_INVALID,
			    "upload has too many parts");
		goto out;
	}
	*written = added;
	rc = 0;
out:
	free(buf);
	layout_release(&l);
	return rc;
}

static int
complete_multipart(struct s3_store *s3, const char *key, const struct layout *l,
		   struct reg_err *err)
{
	struct s3_call c = { .method = "POST", .key = key };
	struct reg_buf q, body, resp;
	size_t i;
	int rc = -1;

	reg_buf_init(&q, 2048);
	reg_buf_init(&body, REG_STORE_LAYOUT_MAX * 2);
	reg_buf_init(&resp, 64 * 1024);
	if (query_upload_id(&q, l->upload_id) == -1 ||
	    reg_buf_adds(&body, "<CompleteMultipartUpload>") == -1)
		goto out;
	for (i = 0; i < l->nparts; i++) {
		if (reg_buf_addf(&body,
				 "<Part><PartNumber>%u</PartNumber>"
				 "<ETag>%s</ETag></Part>",
				 l->parts[i].number, l->parts[i].etag) == -1)
			goto out;
	}
	if (reg_buf_adds(&body, "</CompleteMultipartUpload>") == -1)
		goto out;
	c.query = q.data;
	c.body = body.data;
	c.body_len = body.len;
	c.resp = &resp;
	c.slow = true;
	if (request(s3, &c, err) == -1)
		goto out;
	/* S3 may answer 200 and put the failure in the body. */
	if (strstr(resp.data, "<Error>") != NULL) {
		reg_err_set(err, REG_E_INTERNAL,
			    "storage could not complete the upload");
		goto out;
	}
	rc = 0;
out:
	if (rc == -1 && err->code == REG_E_NONE)
		reg_err_set(err, REG_E_INTERNAL, "upload has too many parts");
	reg_buf_release(&q);
	reg_buf_release(&body);
	reg_buf_release(&resp);
	return rc;
}

static int copy_through(struct s3_store *s3, const char *from, const char *to,
			uint64_t size, struct reg_err *err);

/* ---- server-side copies ---- */

static int copy_through(struct s3_store *s3, const char *from, const char *to,
			uint64_t size, struct reg_err *err);

static void
note_no_server_copy(struct s3_store *s3)
{
	reg_log_info("s3: the store does not copy these objects server-side "
		     "(501); copying through berth");
	s3->no_server_copy = true;
}

static int
copy_source(struct s3_store *s3, const char *from, struct reg_buf *out)
{
	if (reg_buf_addf(out, "/%s/", s3->bucket) == -1 ||
	    reg_s3_uri_encode(out, s3->prefix, true) == -1 ||
	    reg_s3_uri_encode(out, from, true) == -1)
		return -1;
	return 0;
}

/* The store's own words that it does not copy this object server-side. */
static bool
copy_refused(const struct s3_call *c)
{
	char code[64];

	error_code(c, code, sizeof(code));
	return c->status == 501 && strcmp(code, "NotImplemented") == 0;
}

/*
 * One UploadPartCopy of src (a copy-source value) or of its range (NULL:
 * all of it, n bytes) as the upload's next part: 0, -1 on error, 1 if
 * the store refuses server-side copies.
 */
static int
upload_part_copy(struct s3_store *s3, const char *key, struct layout *l,
		 const char *src, const char *range, uint64_t n,
		 struct reg_err *err)
{
	struct s3_call c = { .method = "PUT", .key = key };
	struct reg_buf q, xml, etag;
	int rc = -1;

	reg_buf_init(&q, 2048);
	reg_buf_init(&xml, 64 * 1024);
	reg_buf_init(&etag, S3_ETAG_MAX);
	if (reg_buf_addf(&q, "partNumber=%u&", next_part_number(l)) == -1 ||
	    query_upload_id(&q, l->upload_id) == -1) {
		rc = reg_err_set(err, REG_E_INTERNAL, "upload id too long");
		goto out;
	}
	c.query = q.data;
	c.hdr[c.nhdr++] = (struct reg_s3_header){ "x-amz-copy-source", src };
	if (range != NULL)
		c.hdr[c.nhdr++] =
			(struct reg_s3_header){ "x-amz-copy-source-range",
						range };
	c.resp = &xml;
	c.slow = true;
	if (perform(s3, &c, err) == -1)
		goto done;
	if (copy_refused(&c))
		rc = 1;
	else if (c.status < 200 || c.status > 299)
		rc = status_error(s3, &c, err);
	else if (xml_first(&xml, "ETag", &etag) == -1)
		rc = reg_err_set(err, REG_E_INTERNAL,
				 "storage could not copy a part");
	else
		rc = add_part(l, n, etag.data, err);
done:
	call_release(&c);
out:
	reg_buf_release(&q);
	reg_buf_release(&xml);
	reg_buf_release(&etag);
	return rc;
}

/* Copy in parts of copy_cutoff (UploadPartCopy), for large objects. */
static int
copy_multipart(struct s3_store *s3, const char *from, const char *to,
	       const char *src, uint64_t size, struct reg_err *err)
{
	struct layout l;
	uint64_t part = s3->copy_cutoff, off;
	bool refused = false;
	int rc = -1;

	memset(&l, 0, sizeof(l));
	/* At most 10000 parts, each at most 5 GiB. */
	if (size / part >= S3_MAX_PARTS)
		part = size / (S3_MAX_PARTS - 1) + 1;
	if (part > S3_COPY_MAX)
		return reg_err_set(err, REG_E_SIZE_INVALID, "blob too large");
	if (create_multipart(s3, to, l.upload_id, sizeof(l.upload_id), err) ==
	    -1)
		return -1;
	for (off = 0; off < size; off += part) {
		char range[64];
		uint64_t n = size - off < part ? size - off : part;
		int prc;

		snprintf(range, sizeof(range), "bytes=%" PRIu64 "-%" PRIu64,
			 off, off + n - 1);
		prc = upload_part_copy(s3, to, &l, src, range, n, err);
		if (prc == 1) {
			refused = true;
			goto out;
		}
		if (prc == -1)
			goto out;
	}
	rc = complete_multipart(s3, to, &l, err);
out:
	if (rc == -1) {
		struct reg_err ignored;

		(void)abort_multipart(s3, to, l.upload_id, &ignored);
	}
	layout_release(&l);
	if (refused) {
		note_no_server_copy(s3);
		rc = copy_through(s3, from, to, size, err);
	}
	return rc;
}

/*
 * Copy through this process, part by part: for stores that refuse
 * server-side copies of some objects (radosgw before 18 answers 501 for
 * encrypted ones).  The bytes pass through once; nothing is hashed.
 */
static int
copy_through(struct s3_store *s3, const char *from, const char *to,
	     uint64_t size, struct reg_err *err)
{
	struct layout l;
	size_t cap = (size_t)(size < s3->part_size ? size : s3->part_size);
	char *buf = reg_xmalloc(cap ? cap : 1);
	uint64_t off;
	int rc = -1;

	memset(&l, 0, sizeof(l));
	if (size <= s3->part_size) {
		if (read_exact(s3, from, 0, cap, buf, err) == 0)
			rc = put_object(s3, to, buf, cap, err);
		free(buf);
		return rc;
	}
	for (off = 0; off < size; off += cap) {
		size_t n = (size_t)(size - off < cap ? size - off : cap);

		if (read_exact(s3, from, off, n, buf, err) == -1 ||
		    upload_part(s3, to, &l, buf, n, err) == -1)
			goto out;
	}
	rc = complete_multipart(s3, to, &l, err);
out:
	if (rc == -1 && l.upload_id[0] != '\0') {
		struct reg_err ignored;

		(void)abort_multipart(s3, to, l.upload_id, &ignored);
	}
	free(buf);
	layout_release(&l);
	return rc;
}

static int
copy_object(struct s3_store *s3, const char *from, const char *to,
	    uint64_t size, struct reg_err *err)
{
	struct s3_call c = { .method = "PUT", .key = to, .query = "" };
	struct reg_buf src, resp;
	int rc = -1;

	if (s3->no_server_copy)
		return copy_through(s3, from, to, size, err);
	reg_buf_init(&src, 4096);
	reg_buf_init(&resp, 64 * 1024);
	if (copy_source(s3, from, &src) == -1) {
		reg_err_set(err, REG_E_INTERNAL, "storage key too long");
		goto out;
	}
	if (size > s3->copy_cutoff) {
		rc = copy_multipart(s3, from, to, src.data, size, err);
		goto out;
	}
	c.hdr[c.nhdr++] =
		(struct reg_s3_header){ "x-amz-copy-source", src.data };
	creation_headers(s3, &c);
	c.resp = &resp;
	c.slow = true;
	if (perform(s3, &c, err) == -1) {
		call_release(&c);
		goto out;
	}
	if (copy_refused(&c)) {
		note_no_server_copy(s3);
		call_release(&c);
		rc = copy_through(s3, from, to, size, err);
		goto out;
	}
	rc = c.status >= 200 && c.status <= 299 ? 0 : status_error(s3, &c, err);
	call_release(&c);
	/* S3 may answer 200 and put the failure in the body. */
	if (rc == 0 && strstr(resp.data, "<Error>") != NULL)
		rc = reg_err_set(err, REG_E_INTERNAL, "storage could not copy");
out:
	reg_buf_release(&src);
	reg_buf_release(&resp);
	return rc;
}

/*
 * The tail as the upload's last part (the last may be below 5 MiB):
 * copied server-side (UploadPartCopy) where the store can, else sent
 * through this process.
 */
static int
tail_as_last_part(struct s3_store *s3, const char *key, struct layout *l,
		  const char *tkey, struct reg_err *err)
{
	char *buf;
	int rc;

	if (!s3->no_server_copy) {
		struct reg_buf src;

		reg_buf_init(&src, 4096);
		rc = copy_source(s3, tkey, &src) == -1
			     ? reg_err_set(err, REG_E_INTERNAL,
					   "storage key too long")
			     : upload_part_copy(s3, key, l, src.data, NULL,
						l->tail_size, err);
		reg_buf_release(&src);
		if (rc != 1)
			return rc;
		note_no_server_copy(s3);
	}
	buf = reg_xmalloc(l->tail_size ? (size_t)l->tail_size : 1);
	rc = read_exact(s3, tkey, 0, (size_t)l->tail_size, buf, err);
	if (rc == 0)
		rc = upload_part(s3, key, l, buf, (size_t)l->tail_size, err);
	free(buf);
	return rc;
}

static int
s3_assemble(struct reg_store *s, const char *key, uint64_t size,
	    const struct reg_buf *layout, struct reg_err *err)
{
	struct s3_store *s3 = s3_of(s);
	struct layout l;
	char tkey[S3_KEY_MAX];
	uint64_t have = 0;
	int rc = -1;

	if (reg_store_check_key(key, err) == -1 ||
	    layout_parse(&l, layout, err) == -1)
		return -1;
	if (layout_size(&l) != size) {
		layout_release(&l);
		return reg_err_set(err, REG_E_BLOB_UPLOAD_INVALID,
				   "upload layout does not match its state");
	}
	/* Done before (a retried finish)? */
	if (s3_stat(s, key, &have, err) == 0 && have == size) {
		layout_release(&l);
		return 0;
	}
	if (l.tail[0] != '\0' &&
	    tail_key(tkey, sizeof(tkey), key, l.tail) == -1)
		goto out;
	if (l.nparts == 0) {
		/* Small (below a part): the tail is the whole blob, or there
		 * is nothing. */
		rc = l.tail[0] ? copy_object(s3, tkey, key, l.tail_size, err)
			       : put_object(s3, key, "", 0, err);
		goto out;
	}
	if (l.tail[0] != '\0' &&
	    tail_as_last_part(s3, key, &l, tkey, err) == -1)
		goto out;
	rc = complete_multipart(s3, key, &l, err);
out:
	if (rc == -1 && err->code == REG_E_NONE)
		reg_err_set(err, REG_E_INTERNAL, "storage key too long");
	layout_release(&l);
	return rc;
}

/* No rename in S3: a server-side copy (atomic), then the old key goes. */
static int
s3_move(struct reg_store *s, const char *from, const char *to,
	struct reg_err *err)
{
	struct s3_store *s3 = s3_of(s);
	struct reg_err ignored;
	uint64_t size = 0;

	if (reg_store_check_key(from, err) == -1 ||
	    reg_store_check_key(to, err) == -1 ||
	    s3_stat(s, from, &size, err) == -1 ||
	    copy_object(s3, from, to, size, err) == -1)
		return -1;
	(void)delete_object(s3, from, &ignored);
	return 0;
}

static int
s3_redirect_url(struct reg_store *s, const char *key, struct reg_buf *url)
{
	struct s3_store *s3 = s3_of(s);
	struct reg_s3_cred cred = { s3->access_key, s3->secret_key,
				    s3->region };
	char date[REG_S3_DATE_LEN + 1];
	struct reg_buf path;
	int rc = -1;

	if (!s3->redirect || !reg_store_key_is_valid(key))
		return -1;
	reg_buf_init(&path, 4096);
	reg_s3_amz_date(time(NULL), date);
	if (object_path(s3, key, &path) == 0 &&
	    reg_buf_addf(url, "%s%s?", s3->origin, path.data) == 0 &&
	    reg_s3_presign(&cred, date, "GET", path.data, s3->host,
			   s3->redirect_expiry, url) == 0)
		rc = 0;
	reg_buf_release(&path);
	return rc;
}

const struct reg_store_driver reg_store_s3_driver = {
	.name = "s3",
	.open = s3_open,
	.close = s3_close,
	.stat = s3_stat,
	.get = s3_get,
	.read = s3_read,
	.put = s3_put,
	.remove = s3_remove,
	.remove_tree = s3_remove_tree,
	.list = s3_list,
	.lock = s3_lock,
	.unlock = s3_unlock,
	.append = s3_append,
	.assemble = s3_assemble,
	.move = s3_move,
	.local_path = NULL,
	.redirect_url = s3_redirect_url,
};
