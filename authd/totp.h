/* TOTP (RFC 6238) on top of liboath: code generation, and verification in
 * constant time against every step of the window, with replay refusal. */
#ifndef AUTHD_TOTP_H
#define AUTHD_TOTP_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "config.h"

typedef struct {
	totp_alg_t alg;
	unsigned digits; /* 6..8 */
	unsigned period; /* seconds */
} totp_params_t;

/* Call once at start (liboath global init). */
int totp_init(void);
void totp_done(void);

/* Recommended seed length for alg (RFC 6238: the hash's output size). */
size_t totp_seed_len(totp_alg_t alg);

/* Writes the code for time `now` into out (digits + NUL, outsz >= 9). */
int totp_generate(const unsigned char *seed, size_t seedlen, const totp_params_t *p, time_t now,
		  char *out, size_t outsz);

/* Checks code against steps now-window..now+window. Every candidate is
 * computed and compared (CRYPTO_memcmp) so timing does not depend on the
 * code. Returns SESAME_OK and the matched step in *step when the code
 * matches a step greater than last_step; SESAME_ERR_REPLAY when it only
 * matches steps <= last_step; SESAME_ERR_WRONG_CODE otherwise (also for
 * codes of the wrong length or with non-digits). */
int totp_verify(const unsigned char *seed, size_t seedlen, const totp_params_t *p, unsigned window,
		time_t now, const char *code, int64_t last_step, int64_t *step);

/* The time step that contains `now`. */
int64_t totp_step(const totp_params_t *p, time_t now);

#endif
