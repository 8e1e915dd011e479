/* err.c: the one table of error codes, messages and HTTP statuses */
/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "err.h"

#include "banned.h"

struct err_row {
	const char *wire;
	const char *message;
	int status;
};

/* The wire codes and statuses of the OCI distribution spec (and distribution).
 */
static const struct err_row err_table[REG_E__COUNT] = {
	[REG_E_NONE] = { "UNKNOWN", "no error", 200 },
	[REG_E_BLOB_UNKNOWN] = { "BLOB_UNKNOWN", "blob unknown to registry",
				 404 },
	[REG_E_BLOB_UPLOAD_INVALID] = { "BLOB_UPLOAD_INVALID",
					"blob upload invalid", 400 },
	[REG_E_BLOB_UPLOAD_UNKNOWN] = { "BLOB_UPLOAD_UNKNOWN",
					"blob upload unknown to registry",
					404 },
	[REG_E_DIGEST_INVALID] = { "DIGEST_INVALID",
				   "provided digest did not match uploaded "
				   "content",
				   400 },
	[REG_E_MANIFEST_BLOB_UNKNOWN] = { "MANIFEST_BLOB_UNKNOWN",
					  "manifest references a manifest or "
					  "blob unknown to registry",
					  400 },
	[REG_E_MANIFEST_INVALID] = { "MANIFEST_INVALID", "manifest invalid",
				     400 },
	[REG_E_MANIFEST_UNKNOWN] = { "MANIFEST_UNKNOWN",
				     "manifest unknown to registry", 404 },
	[REG_E_MANIFEST_TOO_LARGE] = { "SIZE_INVALID",
				       "manifest is larger than the registry "
				       "accepts",
				       413 },
	[REG_E_NAME_INVALID] = { "NAME_INVALID", "invalid repository name",
				 400 },
	[REG_E_NAME_UNKNOWN] = { "NAME_UNKNOWN",
				 "repository name not known to registry", 404 },
	[REG_E_TAG_INVALID] = { "TAG_INVALID", "manifest tag did not match URI",
				400 },
	[REG_E_SIZE_INVALID] = { "SIZE_INVALID",
				 "provided length did not match content length",
				 400 },
	[REG_E_RANGE_INVALID] = { "RANGE_INVALID", "invalid content range",
				  416 },
	[REG_E_RANGE_NOT_SATISFIABLE] = { "RANGE_INVALID",
					  "requested range not satisfiable",
					  416 },
	[REG_E_PAGINATION_NUMBER_INVALID] = { "PAGINATION_NUMBER_INVALID",
					      "invalid number of results "
					      "requested",
					      400 },
	[REG_E_UNAUTHORIZED] = { "UNAUTHORIZED", "authentication required",
				 401 },
	[REG_E_DENIED] = { "DENIED",
			   "requested access to the resource is denied", 403 },
	[REG_E_UNSUPPORTED] = { "UNSUPPORTED", "the operation is unsupported",
				400 },
	[REG_E_DELETE_DISABLED] = { "UNSUPPORTED",
				    "deletes are disabled on this registry",
				    405 },
	[REG_E_READONLY] = { "UNSUPPORTED", "the registry is in read-only mode",
			     405 },
	[REG_E_METHOD_NOT_ALLOWED] = { "UNSUPPORTED",
				       "the method is not allowed on this "
				       "endpoint",
				       405 },
	[REG_E_ROUTE_UNKNOWN] = { "NOT_FOUND", "no such endpoint", 404 },
	[REG_E_TOOMANYREQUESTS] = { "TOOMANYREQUESTS", "too many requests",
				    429 },
	[REG_E_UNAVAILABLE] = { "UNAVAILABLE", "service unavailable", 503 },
	[REG_E_INTERNAL] = { "UNKNOWN", "unknown error", 500 },
	[REG_E_NOMEM] = { "UNKNOWN", "out of memory", 500 },
};

static const struct err_row *
row_of(enum reg_errcode code)
{
	if ((unsigned)code >= REG_E__COUNT || err_table[code].wire == NULL)
		return &err_table[REG_E_INTERNAL];
	return &err_table[code];
}

const char *
reg_err_wire_code(enum reg_errcode code)
{
	return row_of(code)->wire;
}

const char *
reg_err_message(enum reg_errcode code)
{
	return row_of(code)->message;
}

int
reg_err_http_status(enum reg_errcode code)
{
	return row_of(code)->status;
}

void
reg_err_clear(struct reg_err *err)
{
	err->code = REG_E_NONE;
	err->sys_errno = 0;
	err->detail[0] = '\0';
}

static int err_vset(struct reg_err *err, enum reg_errcode code, int sys_errno,
		    const char *fmt, va_list ap)
	__attribute__((format(printf, 4, 0)));

static int
err_vset(struct reg_err *err, enum reg_errcode code, int sys_errno,
	 const char *fmt, va_list ap)
{
	int n;

	err->code = code;
	err->sys_errno = sys_errno;
	n = vsnprintf(err->detail, sizeof(err->detail), fmt, ap);
	if (n < 0)
		err->detail[0] = '\0';
	/* Truncation is acceptable for a detail: vsnprintf terminated it. */
	return -1;
}

int
reg_err_set(struct reg_err *err, enum reg_errcode code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	err_vset(err, code, 0, fmt, ap);
	va_end(ap);
	return -1;
}

int
reg_err_sys(struct reg_err *err, enum reg_errcode code, const char *fmt, ...)
{
	va_list ap;
	int saved = errno;

	va_start(ap, fmt);
	err_vset(err, code, saved, fmt, ap);
	va_end(ap);
	errno = saved;
	return -1;
}
