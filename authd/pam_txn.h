/* The opaque PAM transaction token: the request of a conversation (user,
 * service, rhost, tty, nullok, prompted factor) and its expiry, sealed
 * under the master key so the module can carry it but not change it. */
#ifndef AUTHD_PAM_TXN_H
#define AUTHD_PAM_TXN_H

#include <stddef.h>
#include <stdint.h>

#include "auth.h"

/* Writes a base64url token (NUL-terminated) into out. */
int pam_txn_seal(const seal_keyring_t *k, const auth_request_t *rq, int64_t expires, char *out,
		 size_t outsz);

/* Opens a token; SESAME_ERR_INVALID_ARGUMENT when forged or malformed,
 * SESAME_ERR_EXPIRED after its expiry. */
int pam_txn_open(const seal_keyring_t *k, const char *token, int64_t now, auth_request_t *rq);

#endif
