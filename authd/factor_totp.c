/* The TOTP factor (RFC 6238): a code checked against every confirmed
 * authenticator of the user whose digit count fits, the accepted time step
 * consumed atomically (a code is never accepted twice). */
#include <string.h>

#include "attempt.h"
#include "seal.h"
#include "sesame/error.h"
#include "sesame/log.h"
#include "totp.h"

/* The digits of the newest confirmed authenticator: the prompt's. */
static int totp_enrolled(store_tx_t *tx, const store_user_t *u, unsigned *digits)
{
	store_totp_t *creds = NULL;
	size_t n = 0;
	int r = store_totp_list(tx, u->id, &creds, &n);

	*digits = 0;
	for (size_t i = 0; r == SESAME_OK && i < n; i++)
		if (creds[i].confirmed)
			*digits = creds[i].digits;
	store_totp_list_free(&creds, n);
	return r;
}

/* Checks the code against every confirmed credential. *matched: the index
 * of the accepting one. SESAME_ERR_NO_FACTOR when there is none. */
static int check_code(attempt_t *a, store_totp_t *creds, size_t n, size_t *matched, int64_t *step)
{
	const char *code = a->in;
	int result = SESAME_ERR_NO_FACTOR;

	for (size_t i = 0; i < n; i++) {
		unsigned char *seed = NULL;
		size_t seedlen = 0;
		int r;

		if (!creds[i].confirmed)
			continue;
		if (result == SESAME_ERR_NO_FACTOR)
			result = SESAME_ERR_WRONG_CODE;
		if (seal_decrypt(a->d->keys, SEAL_PURPOSE_TOTP, a->user, creds[i].sealed,
				 creds[i].sealed_len, &seed, &seedlen) != SESAME_OK) {
			log_err("totp: cannot unseal credential %lld of %s (wrong master key?)",
				(long long)creds[i].id, a->user);
			return SESAME_ERR_CRYPTO;
		}
		totp_params_t p = {creds[i].alg, creds[i].digits, creds[i].period};
		r = totp_verify(seed, seedlen, &p, a->d->cfg.window, (time_t)a->now, code,
				creds[i].last_step, step);
		seal_buf_free(&seed, seedlen);
		if (r == SESAME_OK) {
			*matched = i;
			return SESAME_OK;
		}
		if (r == SESAME_ERR_REPLAY)
			result = SESAME_ERR_REPLAY;
		else if (r != SESAME_ERR_WRONG_CODE)
			return r;
	}
	return result;
}

static int totp_check(attempt_t *a, store_tx_t *tx, const store_user_t *u)
{
	store_totp_t *creds = NULL;
	size_t n = 0, matched = 0;
	int64_t step = -1;
	int r;

	a->outcome = SESAME_ERR_NO_FACTOR;
	if (u == NULL)
		return SESAME_OK;
	if ((r = store_totp_list(tx, u->id, &creds, &n)) != SESAME_OK)
		return r;
	a->outcome = check_code(a, creds, n, &matched, &step);
	if (a->outcome == SESAME_OK) /* refused here if another answer took the step */
		a->outcome = store_totp_consume(tx, creds[matched].id, step, a->now);
	if (a->outcome == SESAME_OK)
		store_tx_durable(tx); /* the consumed step must survive a crash */
	r = SESAME_OK;
	if (a->outcome != SESAME_OK && a->outcome != SESAME_ERR_WRONG_CODE &&
	    a->outcome != SESAME_ERR_REPLAY && a->outcome != SESAME_ERR_NO_FACTOR)
		r = a->outcome; /* a store or crypto failure: nothing decided */
	store_totp_list_free(&creds, n);
	return r;
}

const factor_t factor_totp = {
    .name = "totp",
    .bit = FACTOR_TOTP,
    .amr = "otp",
    .forgives = 1,
    .enrolled = totp_enrolled,
    .prepare = NULL,
    .identify = NULL,
    .verify = totp_check,
    .release = NULL,
};
