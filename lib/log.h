/* log.h: structured logging (json or text), one line per request */
/* SPDX-License-Identifier: MIT */
#ifndef BERTH_LOG_H
#define BERTH_LOG_H

#include <stdbool.h>
#include <stdint.h>

enum reg_log_level {
	REG_LOG_ERROR = 0,
	REG_LOG_WARN,
	REG_LOG_INFO,
	REG_LOG_DEBUG,
};

#define REG_LOG_FIELDS_MAX 16

/* A static key=value added to every line (service=registry, ...). */
struct reg_log_field {
	char *key;
	char *value;
};

struct reg_log_cfg {
	enum reg_log_level level;
	bool json;
	char *file; /* NULL: stderr (the web server's error log) */
	struct reg_log_field fields[REG_LOG_FIELDS_MAX];
	int nfields;
};

/*
 * Install a configuration (copied).  Opens the file, if any, for appending;
 * on failure logging falls back to stderr and -1 is returned.  Before the
 * first call, lines at warn and above go to stderr as text.
 */
int reg_log_setup(const struct reg_log_cfg *cfg);
/* Close the file and return to the built-in default. */
void reg_log_reset(void);
/* Set the id carried by every line until the next call ("" for none). */
void reg_log_set_request_id(const char *id);
bool reg_log_enabled(enum reg_log_level level);

/*
 * Log one message.  Control characters are escaped; each line is written
 * with a single write(2) so concurrent workers never interleave.  Never
 * pass secrets (Authorization headers, tokens, passwords) or bodies.
 */
void reg_log(enum reg_log_level level, const char *func, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#define reg_log_err(...) reg_log(REG_LOG_ERROR, __func__, __VA_ARGS__)
#define reg_log_warn(...) reg_log(REG_LOG_WARN, __func__, __VA_ARGS__)
#define reg_log_info(...) reg_log(REG_LOG_INFO, __func__, __VA_ARGS__)
#define reg_log_debug(...) reg_log(REG_LOG_DEBUG, __func__, __VA_ARGS__)

/* The access line of one request; NULL strings are omitted. */
struct reg_log_request {
	const char *method;
	const char *path;
	int status;
	uint64_t bytes_in;
	uint64_t bytes_out;
	double duration_ms;
	const char *repository;
	const char *digest;
	const char *user;
	const char *remote_addr;
	const char *error_code; /* wire code when status >= 400 */
};

/* Log the request line at info (status < 500) or error (>= 500). */
void reg_log_request(const struct reg_log_request *r);

/*
 * An audit event (push, delete, tag_move, login_failure, token_issued,
 * denied): one line with msg=audit and event=..., at info, or at warn for
 * failures and denials.  NULL strings are omitted.
 */
struct reg_log_audit {
	const char *event;
	const char *user;
	const char *repository;
	const char *reference; /* tag or digest named in the request */
	const char *digest;
	const char *remote_addr;
	const char *detail;
};
void reg_log_audit(enum reg_log_level level, const struct reg_log_audit *a);

/* Parse "error|warn|info|debug"; -1 if unknown. */
int reg_log_level_parse(const char *s, enum reg_log_level *out);

#endif
