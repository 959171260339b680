/* Builds otpauth:// URIs with percent-encoded label and issuer. */
#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "otpauth.h"
#include "sesame/base32.h"
#include "sesame/error.h"

#define OTPAUTH_MAX 1024

/* RFC 3986 unreserved characters stay; everything else is %XX. */
static int pct_encode(const char *in, char *out, size_t outsz)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t o = 0;

	for (const unsigned char *p = (const unsigned char *)in; *p; p++) {
		int plain = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
			    (*p >= '0' && *p <= '9') || *p == '-' || *p == '.' || *p == '_' ||
			    *p == '~';
		if (o + (plain ? 1 : 3) >= outsz)
			return SESAME_ERR_TOO_LARGE;
		if (plain) {
			out[o++] = (char)*p;
		} else {
			out[o++] = '%';
			out[o++] = hex[*p >> 4];
			out[o++] = hex[*p & 15];
		}
	}
	out[o] = '\0';
	return SESAME_OK;
}

int otpauth_uri(const char *issuer, const char *user, const unsigned char *seed, size_t seedlen,
		const totp_params_t *p, char **out)
{
	char iss[3 * 64 + 1], usr[3 * 64 + 1], secret[160];
	char *uri = NULL;
	int n, ok;

	*out = NULL;
	if ((ok = pct_encode(issuer, iss, sizeof(iss))) != SESAME_OK ||
	    (ok = pct_encode(user, usr, sizeof(usr))) != SESAME_OK ||
	    (ok = base32_encode(seed, seedlen, 0, secret, sizeof(secret))) != SESAME_OK)
		goto fail;
	ok = SESAME_ERR_NOMEM;
	if ((uri = malloc(OTPAUTH_MAX)) == NULL)
		goto fail;
	n = snprintf(uri, OTPAUTH_MAX,
		     "otpauth://totp/%s:%s?secret=%s&issuer=%s&algorithm=%s&digits=%u&period=%u",
		     iss, usr, secret, iss, totp_alg_name(p->alg), p->digits, p->period);
	if (n < 0 || n >= OTPAUTH_MAX) {
		ok = SESAME_ERR_TOO_LARGE;
		goto fail;
	}
	*out = uri;
	uri = NULL;
	ok = SESAME_OK;
fail:
	OPENSSL_cleanse(secret, sizeof(secret));
	if (uri) {
		OPENSSL_cleanse(uri, OTPAUTH_MAX);
		free(uri);
	}
	return ok;
}
