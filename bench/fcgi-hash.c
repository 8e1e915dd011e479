/* fcgi-hash.c: read a request body and SHA-256 it (a benchmark ceiling) */
/* SPDX-License-Identifier: MIT */
/*
 * The least work a registry upload can do: take the body from the web
 * server through libfcgi in 1 MiB reads (berth's buffer size) and hash it
 * with OpenSSL's EVP SHA-256, then answer 201 with the digest.  Nothing
 * is written to disk.  Behind the same web server configuration as berth
 * it shows the upload throughput that server, libfcgi and hashing allow.
 */
#include <fcgiapp.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>

#define BUFSZ (1024 * 1024)

int
main(void)
{
	static const char hex[] = "0123456789abcdef";
	FCGX_Request rq;
	EVP_MD_CTX *ctx;
	unsigned char md[EVP_MAX_MD_SIZE];
	char out[2 * EVP_MAX_MD_SIZE + 1], head[256];
	unsigned int mdlen, i;
	unsigned long long total;
	char *buf;
	int n, h;

	buf = malloc(BUFSZ);
	ctx = EVP_MD_CTX_new();
	if (buf == NULL || ctx == NULL || FCGX_Init() != 0 ||
	    FCGX_InitRequest(&rq, 0, 0) != 0)
		return 1;
	while (FCGX_Accept_r(&rq) >= 0) {
		total = 0;
		EVP_DigestInit_ex(ctx, EVP_sha256(), NULL);
		while ((n = FCGX_GetStr(buf, BUFSZ, rq.in)) > 0) {
			EVP_DigestUpdate(ctx, buf, (size_t)n);
			total += (unsigned long long)n;
		}
		EVP_DigestFinal_ex(ctx, md, &mdlen);
		for (i = 0; i < mdlen; i++) {
			out[2 * i] = hex[md[i] >> 4];
			out[2 * i + 1] = hex[md[i] & 15];
		}
		out[2 * mdlen] = '\0';
		/* libfcgi's own printf knows no %llu: format here. */
		h = snprintf(head, sizeof(head),
			     "Status: 201 Created\r\n"
			     "Docker-Content-Digest: sha256:%s\r\n"
			     "X-Bytes-Hashed: %llu\r\n"
			     "Content-Length: 0\r\n\r\n",
			     out, total);
		if (h > 0 && (size_t)h < sizeof(head))
			FCGX_PutStr(head, h, rq.out);
		FCGX_Finish_r(&rq);
	}
	EVP_MD_CTX_free(ctx);
	free(buf);
	return 0;
}
