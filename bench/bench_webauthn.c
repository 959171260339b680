/* Benchmark: WebAuthn assertions verified per second on one core through
 * webauthn_assertion_verify (ES256 and EdDSA, prebuilt valid assertions:
 * COSE decoding, clientDataJSON parsing, hashing and the signature, all
 * included), against the verify column of `openssl speed` in the same run.
 * Usage: bench_webauthn [SECONDS [ROUNDS]]   (default 3 s, 3 rounds) */
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "sesame/base64url.h"
#include "sesame/error.h"
#include "webauthn/webauthn.h"

#define RP_ID "example.org"
#define ORIGIN "https://example.org"
#define TARGET_RATIO 0.7
#define ROUNDS 3
#define MAX_ROUNDS 15

typedef struct {
	const char *name;
	int alg;
	unsigned char cose[128];
	size_t cose_len;
	unsigned char challenge[32];
	char client_data[256];
	unsigned char auth_data[37];
	unsigned char sig[128];
	size_t sig_len;
} prebuilt_t;

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* User CPU time of this process: `openssl speed` divides by the same (it
 * counts for SECONDS of wall time, then divides by CPU user time), so a
 * busy machine shifts neither figure. */
static double user_cpu(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6;
}

static void die(const char *what)
{
	fprintf(stderr, "bench_webauthn: %s\n", what);
	exit(1);
}

/* A key, its COSE_Key (hand-encoded, canonical) and one signed assertion. */
static void prebuild(prebuilt_t *b, const char *name, int alg)
{
	static const unsigned char es256_head[] = {0xa5, 0x01, 0x02, 0x03, 0x26,
						   0x20, 0x01, 0x21, 0x58, 0x20};
	static const unsigned char eddsa_head[] = {0xa4, 0x01, 0x01, 0x03, 0x27,
						   0x20, 0x06, 0x21, 0x58, 0x20};
	unsigned char pub[65], signed_buf[37 + 32], hash[32];
	char ch64[64];
	size_t n = 0;
	unsigned int hl = 0;
	EVP_PKEY *k;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();

	memset(b, 0, sizeof(*b));
	b->name = name;
	b->alg = alg;
	if (alg == WEBAUTHN_ALG_ES256) {
		k = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
		if (k == NULL ||
		    EVP_PKEY_get_octet_string_param(k, OSSL_PKEY_PARAM_PUB_KEY, pub, sizeof(pub),
						    &n) != 1 ||
		    n != 65)
			die("EC key");
		memcpy(b->cose, es256_head, sizeof(es256_head));
		memcpy(b->cose + 10, pub + 1, 32);
		b->cose[42] = 0x22;
		b->cose[43] = 0x58;
		b->cose[44] = 0x20;
		memcpy(b->cose + 45, pub + 33, 32);
		b->cose_len = 77;
	} else {
		n = 32;
		k = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
		if (k == NULL || EVP_PKEY_get_raw_public_key(k, pub, &n) != 1 || n != 32)
			die("Ed25519 key");
		memcpy(b->cose, eddsa_head, sizeof(eddsa_head));
		memcpy(b->cose + 10, pub, 32);
		b->cose_len = 42;
	}
	for (size_t i = 0; i < sizeof(b->challenge); i++)
		b->challenge[i] = (unsigned char)(i * 7 + 3);
	base64url_encode(b->challenge, sizeof(b->challenge), ch64, sizeof(ch64));
	snprintf(b->client_data, sizeof(b->client_data),
		 "{\"type\":\"webauthn.get\",\"challenge\":\"%s\",\"origin\":\"%s\","
		 "\"crossOrigin\":false}",
		 ch64, ORIGIN);
	EVP_Digest(RP_ID, strlen(RP_ID), b->auth_data, &hl, EVP_sha256(), NULL);
	b->auth_data[32] = WEBAUTHN_FLAG_UP | WEBAUTHN_FLAG_UV;
	b->auth_data[36] = 1; /* signCount 1 */
	EVP_Digest(b->client_data, strlen(b->client_data), hash, &hl, EVP_sha256(), NULL);
	memcpy(signed_buf, b->auth_data, 37);
	memcpy(signed_buf + 37, hash, 32);
	b->sig_len = sizeof(b->sig);
	if (ctx == NULL ||
	    EVP_DigestSignInit(ctx, NULL, alg == WEBAUTHN_ALG_ES256 ? EVP_sha256() : NULL, NULL,
			       k) != 1 ||
	    EVP_DigestSign(ctx, b->sig, &b->sig_len, signed_buf, sizeof(signed_buf)) != 1)
		die("sign");
	EVP_MD_CTX_free(ctx);
	EVP_PKEY_free(k);
}

static double rate(const prebuilt_t *b, double secs)
{
	const char *origins[] = {ORIGIN};
	webauthn_assert_params_t p;
	webauthn_assertion_t a;
	webauthn_assert_result_t r;
	const char *reason;
	unsigned long n = 0;
	double t0, u0;

	memset(&p, 0, sizeof(p));
	p.rp = (webauthn_rp_t){RP_ID, origins, 1, false, true};
	p.challenge = b->challenge;
	p.challenge_len = sizeof(b->challenge);
	p.cose_key = b->cose;
	p.cose_key_len = b->cose_len;
	a = (webauthn_assertion_t){(const unsigned char *)b->client_data,
				   strlen(b->client_data),
				   b->auth_data,
				   sizeof(b->auth_data),
				   b->sig,
				   b->sig_len,
				   NULL,
				   0};
	t0 = now();
	u0 = user_cpu();
	do {
		for (int i = 0; i < 64; i++, n++)
			if (webauthn_assertion_verify(&p, &a, &r, &reason) != SESAME_OK)
				die(reason);
	} while (now() - t0 < secs);
	return (double)n / (user_cpu() - u0);
}

/* The verify/s column of `openssl speed` for nistp256 and Ed25519. */
static int openssl_speed(int secs, double *ecdsa, double *ed25519)
{
	char cmd[128], line[512];
	FILE *f;

	*ecdsa = *ed25519 = 0;
	snprintf(cmd, sizeof(cmd), "openssl speed -seconds %d ecdsap256 ed25519 2>/dev/null", secs);
	if ((f = popen(cmd, "r")) == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL) {
		double *dst = strstr(line, "(nistp256)")  ? ecdsa
			      : strstr(line, "(Ed25519)") ? ed25519
							  : NULL;
		char *last = strrchr(line, ' ');
		if (dst != NULL && last != NULL)
			*dst = strtod(last + 1, NULL);
	}
	return pclose(f) == 0 && *ecdsa > 0 && *ed25519 > 0 ? 0 : -1;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp_double);
	return v[n / 2];
}

/* Rounds interleave our loops with openssl's, so that both see the same
 * machine; the figures are the medians of the rounds. */
int main(int argc, char **argv)
{
	int secs = argc > 1 ? atoi(argv[1]) : 3;
	int rounds = argc > 2 ? atoi(argv[2]) : ROUNDS;
	double r_es[MAX_ROUNDS], r_ed[MAX_ROUNDS], o_es[MAX_ROUNDS], o_ed[MAX_ROUNDS];
	prebuilt_t es, ed;
	double mes, med, moes, moed;

	if (secs <= 0)
		secs = 3;
	if (rounds <= 0 || rounds > MAX_ROUNDS)
		rounds = ROUNDS;
	prebuild(&es, "ES256", WEBAUTHN_ALG_ES256);
	prebuild(&ed, "EdDSA", WEBAUTHN_ALG_EDDSA);
	rate(&es, 0.2); /* warm up */
	for (int i = 0; i < rounds; i++) {
		r_es[i] = rate(&es, secs);
		r_ed[i] = rate(&ed, secs);
		if (openssl_speed(secs, &o_es[i], &o_ed[i]) != 0)
			die("openssl speed failed or printed nothing usable");
		printf("round %d: ES256 %.1f/s (openssl %.1f/s)  EdDSA %.1f/s (openssl %.1f/s)\n",
		       i + 1, r_es[i], o_es[i], r_ed[i], o_ed[i]);
		fflush(stdout);
	}
	mes = median(r_es, rounds);
	med = median(r_ed, rounds);
	moes = median(o_es, rounds);
	moed = median(o_ed, rounds);
	printf("== WebAuthn assertions verified per second, one core "
	       "(median of %d rounds of %d s)\n",
	       rounds, secs);
	printf("%-6s webauthn_assertion_verify %9.1f/s (%5.1f us)   openssl speed verify "
	       "%9.1f/s (%5.1f us)   ratio %.2f\n",
	       "ES256", mes, 1e6 / mes, moes, 1e6 / moes, mes / moes);
	printf("%-6s webauthn_assertion_verify %9.1f/s (%5.1f us)   openssl speed verify "
	       "%9.1f/s (%5.1f us)   ratio %.2f\n",
	       "EdDSA", med, 1e6 / med, moed, 1e6 / moed, med / moed);
	printf("target ratio >= %.2f: %s\n", TARGET_RATIO,
	       mes / moes >= TARGET_RATIO && med / moed >= TARGET_RATIO ? "met" : "NOT met");
	return 0;
}
