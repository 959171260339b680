/* TOTP with liboath (generation) and OpenSSL (constant-time comparison). */
#include <liboath/oath.h>
#include <openssl/crypto.h>
#include <string.h>

#include "sesame/error.h"
#include "sesame/limits.h"
#include "totp.h"

int totp_init(void)
{
	return oath_init() == OATH_OK ? SESAME_OK : SESAME_ERR_INTERNAL;
}

void totp_done(void)
{
	oath_done();
}

size_t totp_seed_len(totp_alg_t alg)
{
	switch (alg) {
	case TOTP_ALG_SHA256:
		return 32;
	case TOTP_ALG_SHA512:
		return 64;
	default:
		return 20;
	}
}

static int oath_flags(totp_alg_t alg)
{
	switch (alg) {
	case TOTP_ALG_SHA256:
		return OATH_TOTP_HMAC_SHA256;
	case TOTP_ALG_SHA512:
		return OATH_TOTP_HMAC_SHA512;
	default:
		return 0;
	}
}

int64_t totp_step(const totp_params_t *p, time_t now)
{
	return now < 0 ? -1 : (int64_t)now / (int64_t)p->period;
}

int totp_generate(const unsigned char *seed, size_t seedlen, const totp_params_t *p, time_t now,
		  char *out, size_t outsz)
{
	if (p->digits < SESAME_TOTP_MIN_DIGITS || p->digits > SESAME_TOTP_MAX_DIGITS ||
	    outsz < p->digits + 1 || now < 0)
		return SESAME_ERR_INVALID_ARGUMENT;
	if (oath_totp_generate2((const char *)seed, seedlen, now, p->period, 0, p->digits,
				oath_flags(p->alg), out) != OATH_OK)
		return SESAME_ERR_CRYPTO;
	return SESAME_OK;
}

int totp_verify(const unsigned char *seed, size_t seedlen, const totp_params_t *p, unsigned window,
		time_t now, const char *code, int64_t last_step, int64_t *step)
{
	char candidate[SESAME_TOTP_MAX_DIGITS + 1];
	int64_t center = totp_step(p, now);
	int64_t fresh = -1;
	int stale = 0;
	size_t len = strnlen(code, SESAME_TOTP_MAX_DIGITS + 1);

	if (len != p->digits)
		return SESAME_ERR_WRONG_CODE;
	for (size_t i = 0; i < len; i++)
		if (code[i] < '0' || code[i] > '9')
			return SESAME_ERR_WRONG_CODE;
	for (int64_t s = center - (int64_t)window; s <= center + (int64_t)window; s++) {
		if (s < 0)
			continue;
		if (totp_generate(seed, seedlen, p, (time_t)(s * (int64_t)p->period), candidate,
				  sizeof(candidate)) != SESAME_OK)
			return SESAME_ERR_CRYPTO;
		int match = CRYPTO_memcmp(candidate, code, len) == 0;
		/* the newest fresh step wins, so a later code cannot be replayed */
		if (match && s > last_step)
			fresh = s;
		else if (match)
			stale = 1;
	}
	OPENSSL_cleanse(candidate, sizeof(candidate));
	if (fresh >= 0) {
		*step = fresh;
		return SESAME_OK;
	}
	return stale ? SESAME_ERR_REPLAY : SESAME_ERR_WRONG_CODE;
}
