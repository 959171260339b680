/* The one spelling of a password: Unicode NFKC (NIST SP 800-63B 5.1.1.2
 * asks verifiers to normalise before checking and hashing), so that "é"
 * typed as U+00E9 or as "e" + U+0301, or "ﬁ" and "fi", are one password
 * for the policy, the hash and the breach lookups. */
#ifndef AUTHD_PW_NORMALIZE_H
#define AUTHD_PW_NORMALIZE_H

#include <stddef.h>

#include "sesame/limits.h"

/* Bytes of a normalised password, at most: the bound of any password
 * given to a check. The NFKC form may be longer than its input. */
#define PW_NORMALIZE_MAX SESAME_MAX_PASSWORD
/* Room for it with a NUL: the size of the out buffer of pw_normalize(). */
#define PW_NORMALIZE_BUF (PW_NORMALIZE_MAX + 1)

typedef enum {
	PW_NORMALIZE_NFKC = 0, /* out holds the NFKC form (maybe the input itself) */
	PW_NORMALIZE_INVALID,  /* not valid UTF-8 (sesame/utf8.h): the raw bytes */
	PW_NORMALIZE_TOO_LONG, /* the NFKC form is over PW_NORMALIZE_MAX: the raw bytes */
} pw_normalize_form_t;

/* Writes the NFKC form of pw[0..len) (len <= SESAME_MAX_PASSWORD) into
 * out (outsz >= PW_NORMALIZE_BUF), NUL-terminated, its length in *outlen,
 * and which form it is in *form (form may be NULL).
 *
 * Input that cannot be normalised is not an error: invalid UTF-8 (or a
 * NUL) and input whose NFKC form exceeds PW_NORMALIZE_MAX bytes are
 * copied as they are, so that hashing and verifying treat the same bytes
 * the same way and a wrong password is counted as wrong, never refused
 * differently. The policy refuses both on its own (invalid_utf8,
 * input_too_large), so no such password is ever set.
 *
 * SESAME_ERR_INVALID_ARGUMENT (len, outsz, NULL), SESAME_ERR_NOMEM;
 * out is then the empty string. The caller wipes out after use
 * (OPENSSL_cleanse); nothing else is left behind here but what
 * libunistring allocates for a run of more than about 64 combining marks. */
int pw_normalize(const char *pw, size_t len, char *out, size_t outsz, size_t *outlen,
		 pw_normalize_form_t *form);

#endif
