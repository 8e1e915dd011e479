/* err.h: error codes of the distribution spec and the caller-owned reg_err */
/* SPDX-License-Identifier: MIT */
#ifndef BERTH_ERR_H
#define BERTH_ERR_H

/*
 * Every fallible function returns 0 or -1 and fills a caller-owned
 * struct reg_err.  The code selects a row of the one table in err.c that
 * holds the wire code ("BLOB_UNKNOWN"), the message and the HTTP status; the
 * detail is free text for the client (generic for 5xx: the specifics go to
 * the log).  Filling an error never allocates.
 */
enum reg_errcode {
	REG_E_NONE = 0,
	REG_E_BLOB_UNKNOWN,
	REG_E_BLOB_UPLOAD_INVALID,
	REG_E_BLOB_UPLOAD_UNKNOWN,
	REG_E_DIGEST_INVALID,
	REG_E_MANIFEST_BLOB_UNKNOWN,
	REG_E_MANIFEST_INVALID,
	REG_E_MANIFEST_UNKNOWN,
	REG_E_MANIFEST_TOO_LARGE,
	REG_E_NAME_INVALID,
	REG_E_NAME_UNKNOWN,
	REG_E_TAG_INVALID,
	REG_E_SIZE_INVALID,
	REG_E_RANGE_INVALID,
	REG_E_RANGE_NOT_SATISFIABLE,
	REG_E_PAGINATION_NUMBER_INVALID,
	REG_E_UNAUTHORIZED,
	REG_E_DENIED,
	REG_E_UNSUPPORTED,
	REG_E_DELETE_DISABLED,
	REG_E_READONLY,
	REG_E_METHOD_NOT_ALLOWED,
	REG_E_ROUTE_UNKNOWN,
	REG_E_TOOMANYREQUESTS,
	REG_E_UNAVAILABLE,
	REG_E_INTERNAL,
	REG_E_NOMEM,
	REG_E__COUNT
};

#define REG_ERR_DETAIL_MAX 200

struct reg_err {
	enum reg_errcode code;
	int sys_errno; /* errno at the failure, 0 if none */
	char detail[REG_ERR_DETAIL_MAX];
};

/* Reset to "no error". */
void reg_err_clear(struct reg_err *err);
/*
 * Set code and a printf-style detail (truncated to fit); always returns -1
 * so that callers can write "return reg_err_set(err, ...)".
 */
int reg_err_set(struct reg_err *err, enum reg_errcode code, const char *fmt,
		...) __attribute__((format(printf, 3, 4)));
/* Like reg_err_set, and records errno as sys_errno. */
int reg_err_sys(struct reg_err *err, enum reg_errcode code, const char *fmt,
		...) __attribute__((format(printf, 3, 4)));

/* The table lookups; an out-of-range code yields the INTERNAL row. */
const char *reg_err_wire_code(enum reg_errcode code); /* "BLOB_UNKNOWN" */
const char *reg_err_message(enum reg_errcode code);
int reg_err_http_status(enum reg_errcode code);

#endif
