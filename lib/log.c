/* log.c: structured logging (json or text), one line per request */
/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "log.h"

#include "banned.h"

#define LOG_LINE_MAX 8192

static struct {
	enum reg_log_level level;
	bool json;
	int fd;
	bool own_fd;
	struct reg_log_field fields[REG_LOG_FIELDS_MAX];
	int nfields;
	char request_id[64];
} logger = { REG_LOG_WARN, false, 2, false, { { NULL, NULL } }, 0, "" };

static const char *const level_names[] = { "error", "warn", "info", "debug" };

int
reg_log_level_parse(const char *s, enum reg_log_level *out)
{
	size_t i;

	for (i = 0; i < sizeof(level_names) / sizeof(level_names[0]); i++) {
		if (strcmp(s, level_names[i]) == 0) {
			*out = (enum reg_log_level)i;
			return 0;
		}
	}
	return -1;
}

static void
free_fields(void)
{
	int i;

	for (i = 0; i < logger.nfields; i++) {
		free(logger.fields[i].key);
		free(logger.fields[i].value);
	}
	logger.nfields = 0;
}

void
reg_log_reset(void)
{
	if (logger.own_fd)
		close(logger.fd);
	free_fields();
	logger.fd = 2;
	logger.own_fd = false;
	logger.level = REG_LOG_WARN;
	logger.json = false;
}

int
reg_log_setup(const struct reg_log_cfg *cfg)
{
	int i, fd, rc = 0;

	reg_log_reset();
	logger.level = cfg->level;
	logger.json = cfg->json;
	for (i = 0; i < cfg->nfields && i < REG_LOG_FIELDS_MAX; i++) {
		logger.fields[i].key = reg_xstrdup(cfg->fields[i].key);
		logger.fields[i].value = reg_xstrdup(cfg->fields[i].value);
	}
	logger.nfields = i;
	if (cfg->file != NULL) {
		fd = open(cfg->file,
			  O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY,
			  0640);
		if (fd == -1) {
			rc = -1;
		} else {
			logger.fd = fd;
			logger.own_fd = true;
		}
	}
	return rc;
}

void
reg_log_set_request_id(const char *id)
{
	int n = snprintf(logger.request_id, sizeof(logger.request_id), "%s",
			 id ? id : "");

	if (n < 0 || (size_t)n >= sizeof(logger.request_id))
		logger.request_id[0] = '\0';
}

bool
reg_log_enabled(enum reg_log_level level)
{
	return level <= logger.level;
}

/* Append s, escaped for JSON (quotes included) or for text (vis-like). */
static void
add_escaped(struct reg_buf *b, const char *s, bool json)
{
	const unsigned char *p;

	if (json)
		reg_buf_add(b, "\"", 1);
	for (p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' && json) {
			reg_buf_add(b, "\\\"", 2);
		} else if (*p == '\\') {
			reg_buf_add(b, "\\\\", 2);
		} else if (*p < 0x20 || *p == 0x7f) {
			if (json)
				reg_buf_addf(b, "\\u%04x", *p);
			else
				reg_buf_addf(b, "\\x%02x", *p);
		} else {
			reg_buf_add(b, p, 1);
		}
	}
	if (json)
		reg_buf_add(b, "\"", 1);
}

/* Text values with spaces or quotes are quoted so lines stay parseable. */
static void
add_text_value(struct reg_buf *b, const char *s)
{
	if (*s == '\0' || strpbrk(s, " \"=") != NULL) {
		reg_buf_add(b, "\"", 1);
		for (; *s; s++) {
			if (*s == '"')
				reg_buf_add(b, "\\\"", 2);
			else
				add_escaped(b, (char[]){ *s, '\0' }, false);
		}
		reg_buf_add(b, "\"", 1);
	} else {
		add_escaped(b, s, false);
	}
}

static void
add_kv(struct reg_buf *b, const char *key, const char *value, bool *first)
{
	if (logger.json) {
		if (!*first)
			reg_buf_add(b, ",", 1);
		add_escaped(b, key, true);
		reg_buf_add(b, ":", 1);
		add_escaped(b, value, true);
	} else {
		if (!*first)
			reg_buf_add(b, " ", 1);
		reg_buf_adds(b, key);
		reg_buf_add(b, "=", 1);
		add_text_value(b, value);
	}
	*first = false;
}

/* A number, unquoted in JSON. */
static void
add_kn(struct reg_buf *b, const char *key, const char *num, bool *first)
{
	if (logger.json) {
		if (!*first)
			reg_buf_add(b, ",", 1);
		add_escaped(b, key, true);
		reg_buf_add(b, ":", 1);
		reg_buf_adds(b, num);
		*first = false;
	} else {
		add_kv(b, key, num, first);
	}
}

static void
begin_line(struct reg_buf *b, enum reg_log_level level, bool *first)
{
	char ts[40];
	struct timespec now;
	struct tm tm;
	int i;

	clock_gettime(CLOCK_REALTIME, &now);
	gmtime_r(&now.tv_sec, &tm);
	if (strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%S", &tm) == 0)
		ts[0] = '\0';
	if (logger.json)
		reg_buf_add(b, "{", 1);
	{
		char full[64];
		int n = snprintf(full, sizeof(full), "%s.%03ldZ", ts,
				 now.tv_nsec / 1000000L);

		if (n < 0 || (size_t)n >= sizeof(full))
			full[0] = '\0';
		add_kv(b, "time", full, first);
	}
	add_kv(b, "level", level_names[level], first);
	for (i = 0; i < logger.nfields; i++)
		add_kv(b, logger.fields[i].key, logger.fields[i].value, first);
	if (logger.request_id[0])
		add_kv(b, "request_id", logger.request_id, first);
}

static void
end_line(struct reg_buf *b)
{
	ssize_t n;
	size_t off = 0;

	if (logger.json)
		reg_buf_add(b, "}", 1);
	/* The cap may have cut the line; always end it. */
	if (b->len >= b->max)
		b->len = b->max - 1;
	b->data[b->len++] = '\n';
	while (off < b->len) {
		n = write(logger.fd, b->data + off, b->len - off);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		off += (size_t)n;
	}
}

void
reg_log(enum reg_log_level level, const char *func, const char *fmt, ...)
{
	struct reg_buf b, msg;
	va_list ap;
	bool first = true;
	int saved = errno;

	if (!reg_log_enabled(level))
		return;
	reg_buf_init(&b, LOG_LINE_MAX);
	reg_buf_init(&msg, LOG_LINE_MAX / 2);
	va_start(ap, fmt);
	if (reg_buf_vaddf(&msg, fmt, ap) == -1)
		reg_buf_adds(&msg, "(message too long)");
	va_end(ap);
	begin_line(&b, level, &first);
	if (func != NULL)
		add_kv(&b, "func", func, &first);
	add_kv(&b, "msg", msg.data, &first);
	end_line(&b);
	reg_buf_release(&msg);
	reg_buf_release(&b);
	errno = saved;
}

void
reg_log_request(const struct reg_log_request *r)
{
	enum reg_log_level level =
		r->status >= 500 ? REG_LOG_ERROR : REG_LOG_INFO;
	struct reg_buf b;
	bool first = true;
	char num[32];

	if (!reg_log_enabled(level))
		return;
	reg_buf_init(&b, LOG_LINE_MAX);
	begin_line(&b, level, &first);
	add_kv(&b, "msg", "request", &first);
	if (r->method)
		add_kv(&b, "method", r->method, &first);
	if (r->path)
		add_kv(&b, "path", r->path, &first);
	snprintf(num, sizeof(num), "%d", r->status);
	add_kn(&b, "status", num, &first);
	snprintf(num, sizeof(num), "%llu", (unsigned long long)r->bytes_in);
	add_kn(&b, "bytes_in", num, &first);
	snprintf(num, sizeof(num), "%llu", (unsigned long long)r->bytes_out);
	add_kn(&b, "bytes_out", num, &first);
	snprintf(num, sizeof(num), "%.3f", r->duration_ms);
	add_kn(&b, "duration_ms", num, &first);
	if (r->repository && *r->repository)
		add_kv(&b, "repository", r->repository, &first);
	if (r->digest && *r->digest)
		add_kv(&b, "digest", r->digest, &first);
	if (r->user && *r->user)
		add_kv(&b, "user", r->user, &first);
	if (r->remote_addr && *r->remote_addr)
		add_kv(&b, "remote_addr", r->remote_addr, &first);
	if (r->error_code && *r->error_code)
		add_kv(&b, "error", r->error_code, &first);
	end_line(&b);
	reg_buf_release(&b);
}

void
reg_log_audit(enum reg_log_level level, const struct reg_log_audit *a)
{
	struct reg_buf b;
	bool first = true;

	if (!reg_log_enabled(level))
		return;
	reg_buf_init(&b, LOG_LINE_MAX);
	begin_line(&b, level, &first);
	add_kv(&b, "msg", "audit", &first);
	add_kv(&b, "event", a->event, &first);
	if (a->user && *a->user)
		add_kv(&b, "user", a->user, &first);
	if (a->repository && *a->repository)
		add_kv(&b, "repository", a->repository, &first);
	if (a->reference && *a->reference)
		add_kv(&b, "reference", a->reference, &first);
	if (a->digest && *a->digest)
		add_kv(&b, "digest", a->digest, &first);
	if (a->remote_addr && *a->remote_addr)
		add_kv(&b, "remote_addr", a->remote_addr, &first);
	if (a->detail && *a->detail)
		add_kv(&b, "detail", a->detail, &first);
	end_line(&b);
	reg_buf_release(&b);
}
