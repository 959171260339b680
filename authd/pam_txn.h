/* The PAM transaction token: a PAM flow (flow.h: user, service, rhost,
 * tty, nullok, factors proved, the factor asked for, its id) and its
 * expiry, sealed under the key of its purpose so that the module can
 * carry it but neither read nor change it. The id is spent at the first
 * answer (store_flow_spend): a token answers once. */
#ifndef AUTHD_PAM_TXN_H
#define AUTHD_PAM_TXN_H

#include <stddef.h>
#include <stdint.h>

#include "flow.h"

/* Writes a base64url token (NUL-terminated) of f into out. */
int pam_txn_seal(const seal_keyring_t *k, const flow_t *f, char *out, size_t outsz);

/* Opens a token; SESAME_ERR_INVALID_ARGUMENT when forged or malformed,
 * SESAME_ERR_EXPIRED after its expiry (f is then filled all the same). */
int pam_txn_open(const seal_keyring_t *k, const char *token, int64_t now, flow_t *f);

#endif
