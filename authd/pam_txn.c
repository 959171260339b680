/* PAM transaction tokens: the fields joined by NUL bytes (none of them can
 * hold a NUL: they are validated printable ASCII), sealed with AES-256-GCM,
 * base64url. A fixed layout keeps the hot path free of JSON work. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pam_txn.h"
#include "sesame/base64url.h"
#include "sesame/error.h"

#define TXN_PURPOSE SEAL_PURPOSE_PAM_TXN
#define TXN_VERSION "t1"
#define TXN_FIELDS 8 /* version, user, service, rhost, tty, factor, nullok, expires */
#define TXN_PLAIN_MAX 1024

int pam_txn_seal(const seal_keyring_t *k, const auth_request_t *rq, int64_t expires, char *out,
		 size_t outsz)
{
	char plain[TXN_PLAIN_MAX];
	unsigned char *sealed = NULL;
	size_t sealed_len = 0;
	int n, ok;

	n = snprintf(plain, sizeof(plain), "%s%c%s%c%s%c%s%c%s%c%s%c%d%c%lld", TXN_VERSION, 0,
		     rq->user, 0, rq->service, 0, rq->rhost, 0, rq->tty, 0, rq->factor, 0,
		     rq->nullok ? 1 : 0, 0, (long long)expires);
	if (n < 0 || (size_t)n >= sizeof(plain))
		return SESAME_ERR_TOO_LARGE;
	if ((ok = seal_encrypt(k, TXN_PURPOSE, "", (const unsigned char *)plain, (size_t)n, &sealed,
			       &sealed_len)) != SESAME_OK)
		return ok;
	ok = base64url_encode(sealed, sealed_len, out, outsz);
	free(sealed);
	return ok;
}

static int copy_field(const char *src, char *dst, size_t dstsz)
{
	size_t len = strlen(src);
	if (len >= dstsz)
		return -1;
	memcpy(dst, src, len + 1);
	return 0;
}

int pam_txn_open(const seal_keyring_t *k, const char *token, int64_t now, auth_request_t *rq)
{
	unsigned char raw[SESAME_MAX_TXN];
	size_t rawlen = 0, textlen = 0;
	unsigned char *text = NULL;
	const char *field[TXN_FIELDS];
	size_t nfields = 0;
	char *end;
	long long expires;
	int ok = SESAME_ERR_INVALID_ARGUMENT;

	memset(rq, 0, sizeof(*rq));
	if (strlen(token) > SESAME_MAX_TXN ||
	    base64url_decode(token, strlen(token), raw, sizeof(raw), &rawlen) != SESAME_OK)
		return SESAME_ERR_INVALID_ARGUMENT;
	if (seal_decrypt(k, TXN_PURPOSE, "", raw, rawlen, &text, &textlen) != SESAME_OK)
		return SESAME_ERR_INVALID_ARGUMENT;
	text[textlen] = '\0'; /* seal_decrypt leaves room for it */
	for (size_t i = 0, start = 0; i <= textlen; i++) {
		if (text[i] != '\0')
			continue;
		if (nfields == TXN_FIELDS)
			goto fail;
		field[nfields++] = (const char *)text + start;
		start = i + 1;
	}
	if (nfields != TXN_FIELDS || strcmp(field[0], TXN_VERSION) != 0 ||
	    copy_field(field[1], rq->user, sizeof(rq->user)) ||
	    copy_field(field[2], rq->service, sizeof(rq->service)) ||
	    copy_field(field[3], rq->rhost, sizeof(rq->rhost)) ||
	    copy_field(field[4], rq->tty, sizeof(rq->tty)) ||
	    copy_field(field[5], rq->factor, sizeof(rq->factor)) ||
	    (strcmp(field[6], "0") != 0 && strcmp(field[6], "1") != 0))
		goto fail;
	rq->nullok = field[6][0] == '1';
	expires = strtoll(field[7], &end, 10);
	if (*end != '\0' || end == field[7])
		goto fail;
	ok = expires < now ? SESAME_ERR_EXPIRED : SESAME_OK;
fail:
	seal_buf_free(&text, textlen + 1);
	return ok;
}
