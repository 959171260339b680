/* NFKC normalisation of passwords (see pw_normalize.h) through
 * libunistring's u8_normalize, into a stack buffer large enough for any
 * input so that the library never reallocates (and leaves copies behind). */
#include <errno.h>
#include <openssl/crypto.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <uninorm.h>

#include "sesame/error.h"
#include "sesame/log.h"
#include "sesame/pw_normalize.h"
#include "sesame/utf8.h"

/* UAX #15 section 9: NFKC makes UTF-8 text at most 11 times longer
 * (U+FDFA, 3 bytes, becomes 33). With that much room u8_normalize writes
 * its result in place; should a later Unicode exceed it, the library
 * allocates and the result is wiped and freed below all the same. */
#define PW_NORMALIZE_EXPANSION 11
#define PW_NORMALIZE_ROOM (PW_NORMALIZE_EXPANSION * SESAME_MAX_PASSWORD)

static int is_ascii(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)s[i] >= 0x80)
			return 0;
	return 1;
}

int pw_normalize(const char *pw, size_t len, char *out, size_t outsz, size_t *outlen,
		 pw_normalize_form_t *form)
{
	uint8_t room[PW_NORMALIZE_ROOM];
	const uint8_t *src = (const uint8_t *)pw;
	uint8_t *nf = NULL;
	size_t n = len, nflen = sizeof(room);
	pw_normalize_form_t f = PW_NORMALIZE_NFKC;

	if (out != NULL && outsz > 0)
		out[0] = '\0';
	if (outlen != NULL)
		*outlen = 0;
	if (form != NULL)
		*form = PW_NORMALIZE_INVALID;
	if (out == NULL || outlen == NULL || outsz < PW_NORMALIZE_BUF || (pw == NULL && len) ||
	    len > SESAME_MAX_PASSWORD)
		return SESAME_ERR_INVALID_ARGUMENT;
	if (!utf8_validate(pw != NULL ? pw : "", len, NULL)) {
		f = PW_NORMALIZE_INVALID;
	} else if (!is_ascii(pw, len)) { /* NFKC leaves ASCII as it is */
		nf = u8_normalize(UNINORM_NFKC, src, len, room, &nflen);
		if (nf == NULL) {
			int r = errno == ENOMEM ? SESAME_ERR_NOMEM : SESAME_ERR_INTERNAL;
			log_err_f("u8_normalize: %s", sesame_err_message(r));
			return r;
		}
		if (nflen > PW_NORMALIZE_MAX) {
			f = PW_NORMALIZE_TOO_LONG;
		} else {
			src = nf;
			n = nflen;
		}
	}
	if (n > 0)
		memcpy(out, src, n);
	out[n] = '\0';
	*outlen = n;
	if (form != NULL)
		*form = f;
	if (nf != NULL) {
		OPENSSL_cleanse(nf, nflen);
		if (nf != room)
			free(nf);
	}
	return SESAME_OK;
}
