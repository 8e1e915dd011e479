/* fcgi-hello.c: the smallest useful FastCGI responder (a benchmark ceiling) */
/* SPDX-License-Identifier: MIT */
/*
 * Answers every request with a short JSON body (headers only for HEAD), the
 * way a registry answers a small GET or HEAD, but without touching storage.
 * Behind the same web server configuration as berth it shows what that
 * server and libfcgi alone cost per request.
 */
#include <fcgiapp.h>
#include <stdio.h>
#include <string.h>

static const char body[] = "{\"hello\":\"world\"}\n";

int
main(void)
{
	FCGX_Request rq;
	char head[128];
	const char *m;
	int n;

	if (FCGX_Init() != 0 || FCGX_InitRequest(&rq, 0, 0) != 0)
		return 1;
	while (FCGX_Accept_r(&rq) >= 0) {
		m = FCGX_GetParam("REQUEST_METHOD", rq.envp);
		/* libfcgi's own printf knows no %zu: format here. */
		n = snprintf(head, sizeof(head),
			     "Status: 200 OK\r\n"
			     "Content-Type: application/json\r\n"
			     "Content-Length: %zu\r\n\r\n",
			     sizeof(body) - 1);
		if (n > 0 && (size_t)n < sizeof(head))
			FCGX_PutStr(head, n, rq.out);
		if (m == NULL || strcmp(m, "HEAD") != 0)
			FCGX_PutStr(body, (int)sizeof(body) - 1, rq.out);
		FCGX_Finish_r(&rq);
	}
	return 0;
}
