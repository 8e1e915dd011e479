/* headload.c: closed-loop HTTP/1.1 load for HEAD requests (wrk cannot) */
/* SPDX-License-Identifier: MIT */
/*
 * wrk 4.1 parses every response as if it had the body its Content-Length
 * announces, so a HEAD response (headers only, Content-Length of the
 * resource) leaves it waiting forever.  This is the smallest tool that does
 * what bench/run needs from wrk for HEAD: CONNS keep-alive connections,
 * one thread each, one request in flight per connection, for SECONDS; it
 * prints wrk.lua's summary line:
 *
 *   WRKRESULT <requests> <seconds> <req/s> <p50 ms> <p99 ms> <non-2xx/3xx>
 * <socket errors>
 *
 * Usage: headload CONNS SECONDS URL [HEADER...]   (http://127.0.0.1:PORT/path)
 * GET works too (the body is read by Content-Length; no chunked bodies).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

struct worker {
	pthread_t tid;
	double *lat; /* milliseconds */
	size_t n, cap;
	unsigned long bad, errors;
};

static struct sockaddr_in addr;
static char request[8192];
static size_t request_len;
static int is_head;
static double deadline;

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int
connect_one(void)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), one = 1;

	if (fd == -1)
		return -1;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) == -1) {
		close(fd);
		return -1;
	}
	return fd;
}

static int
write_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);

		if (w == -1 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/*
 * One response: headers, then Content-Length bytes unless HEAD.  Returns
 * the status, or -1 on a socket error; *keep is 0 if the server closes.
 */
static int
read_response(int fd, int *keep)
{
	char buf[65536], *end, *p;
	size_t have = 0, hlen;
	long long clen = 0, left;
	int status;

	for (;;) {
		ssize_t r;

		if (have == sizeof(buf) - 1)
			return -1;
		r = read(fd, buf + have, sizeof(buf) - 1 - have);
		if (r == -1 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		have += (size_t)r;
		buf[have] = '\0';
		if ((end = strstr(buf, "\r\n\r\n")) != NULL)
			break;
	}
	hlen = (size_t)(end - buf) + 4;
	if (sscanf(buf, "HTTP/1.%*d %d", &status) != 1)
		return -1;
	*keep = 1;
	for (p = strstr(buf, "\r\n"); p != NULL && p < end;
	     p = strstr(p + 2, "\r\n")) {
		if (strncasecmp(p + 2, "Content-Length:", 15) == 0)
			clen = strtoll(p + 17, NULL, 10);
		else if (strncasecmp(p + 2, "Connection: close", 17) == 0)
			*keep = 0;
	}
	if (is_head || status == 204 || status == 304)
		clen = 0;
	left = clen - (long long)(have - hlen);
	while (left > 0) {
		ssize_t r = read(fd, buf,
				 left < (long long)sizeof(buf) ? (size_t)left
							       : sizeof(buf));

		if (r == -1 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		left -= r;
	}
	return status;
}

static void *
run(void *arg)
{
	struct worker *w = arg;
	int fd = -1, keep, status;
	double t0, t1;

	while ((t0 = now()) < deadline) {
		if (fd == -1 && (fd = connect_one()) == -1) {
			w->errors++;
			usleep(1000);
			continue;
		}
		if (write_all(fd, request, request_len) == -1 ||
		    (status = read_response(fd, &keep)) == -1) {
			w->errors++;
			close(fd);
			fd = -1;
			continue;
		}
		t1 = now();
		if (status < 200 || status > 399)
			w->bad++;
		if (w->n == w->cap) {
			w->cap = w->cap ? 2 * w->cap : 65536;
			w->lat = realloc(w->lat, w->cap * sizeof(*w->lat));
			if (w->lat == NULL)
				abort();
		}
		w->lat[w->n++] = (t1 - t0) * 1e3;
		if (!keep) {
			close(fd);
			fd = -1;
		}
	}
	if (fd != -1)
		close(fd);
	return NULL;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

int
main(int argc, char **argv)
{
	struct worker *w;
	const char *url, *hostport, *path;
	char host[256], method[16];
	double *all, start, secs;
	size_t total = 0, k;
	unsigned long bad = 0, errors = 0;
	int conns, i, port, n;

	if (argc < 4) {
		fprintf(stderr,
			"usage: headload CONNS SECONDS URL [HEADER...]\n");
		return 2;
	}
	conns = (int)strtol(argv[1], NULL, 10);
	secs = strtod(argv[2], NULL);
	url = argv[3];
	snprintf(method, sizeof(method), "%s",
		 getenv("HEADLOAD_METHOD") ? getenv("HEADLOAD_METHOD")
					   : "HEAD");
	is_head = strcmp(method, "HEAD") == 0;
	if (conns < 1 || conns > 1024 || secs <= 0 ||
	    strncmp(url, "http://", 7) != 0) {
		fprintf(stderr, "headload: bad arguments\n");
		return 2;
	}
	hostport = url + 7;
	path = strchr(hostport, '/');
	if (path == NULL)
		path = "/";
	n = (int)(strcspn(hostport, ":/"));
	if (n >= (int)sizeof(host) || hostport[n] != ':')
		return 2;
	memcpy(host, hostport, (size_t)n);
	host[n] = '\0';
	port = (int)strtol(hostport + n + 1, NULL, 10);
	memset(&addr, 0, sizeof(addr));
	addr.sin_family = AF_INET;
	addr.sin_port = htons((uint16_t)port);
	if (inet_pton(AF_INET, host, &addr.sin_addr) != 1)
		return 2;
	n = snprintf(request, sizeof(request),
		     "%s %s HTTP/1.1\r\nHost: %.*s\r\n", method, path,
		     (int)(path - hostport), hostport);
	for (i = 4; i < argc && n > 0 && (size_t)n < sizeof(request); i++)
		n += snprintf(request + n, sizeof(request) - (size_t)n,
			      "%s\r\n", argv[i]);
	if (n < 0 || (size_t)n + 3 > sizeof(request))
		return 2;
	n += snprintf(request + n, sizeof(request) - (size_t)n, "\r\n");
	request_len = (size_t)n;

	w = calloc((size_t)conns, sizeof(*w));
	if (w == NULL)
		return 1;
	start = now();
	deadline = start + secs;
	for (i = 0; i < conns; i++)
		pthread_create(&w[i].tid, NULL, run, &w[i]);
	for (i = 0; i < conns; i++) {
		pthread_join(w[i].tid, NULL);
		total += w[i].n;
		bad += w[i].bad;
		errors += w[i].errors;
	}
	secs = now() - start;
	all = malloc((total ? total : 1) * sizeof(*all));
	if (all == NULL)
		return 1;
	for (i = 0, k = 0; i < conns; i++) {
		memcpy(all + k, w[i].lat, w[i].n * sizeof(*all));
		k += w[i].n;
		free(w[i].lat);
	}
	qsort(all, total, sizeof(*all), cmp_double);
	printf("WRKRESULT %zu %.3f %.1f %.3f %.3f %lu %lu\n", total, secs,
	       (double)total / secs, total ? all[(total - 1) / 2] : 0.0,
	       total ? all[(size_t)((double)(total - 1) * 0.99)] : 0.0, bad,
	       errors);
	free(all);
	free(w);
	return 0;
}
