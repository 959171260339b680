/* The HMAC of a TOTP authenticator (RFC 6238) and its names, shared by
 * the daemon and sesamectl. */
#ifndef SESAME_TOTP_ALG_H
#define SESAME_TOTP_ALG_H

typedef enum { TOTP_ALG_SHA1 = 0, TOTP_ALG_SHA256, TOTP_ALG_SHA512 } totp_alg_t;

/* "SHA1", "SHA256", "SHA512" in any case; SESAME_ERR_INVALID_ARGUMENT. */
int totp_alg_parse(const char *name, totp_alg_t *alg);
/* "SHA1", "SHA256", "SHA512". */
const char *totp_alg_name(totp_alg_t alg);

#endif
