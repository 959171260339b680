/* PAM transaction tokens: JSON sealed with AES-256-GCM, base64url. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pam_txn.h"
#include "sesame/base64url.h"
#include "sesame/error.h"

#define TXN_PURPOSE "pam-txn"

int pam_txn_seal(const seal_keyring_t *k, const auth_request_t *rq, int64_t expires, char *out,
		 size_t outsz)
{
	json_t *o = NULL;
	char *text = NULL;
	unsigned char *sealed = NULL;
	size_t sealed_len = 0;
	int ok = SESAME_ERR_NOMEM;

	o = json_pack("{s:s, s:s, s:s, s:s, s:b, s:s, s:I}", "u", rq->user, "s", rq->service, "r",
		      rq->rhost, "t", rq->tty, "n", rq->nullok, "f", rq->factor, "e",
		      (json_int_t)expires);
	if (o == NULL || (text = json_dumps(o, JSON_COMPACT)) == NULL)
		goto fail;
	if ((ok = seal_encrypt(k, TXN_PURPOSE, "", (const unsigned char *)text, strlen(text), &sealed,
			       &sealed_len)) != SESAME_OK)
		goto fail;
	ok = base64url_encode(sealed, sealed_len, out, outsz);
fail:
	json_decref(o);
	free(text);
	free(sealed);
	return ok;
}

static int copy_str(json_t *o, const char *key, char *dst, size_t dstsz)
{
	const char *v = json_string_value(json_object_get(o, key));
	if (v == NULL || strlen(v) >= dstsz)
		return -1;
	memcpy(dst, v, strlen(v) + 1);
	return 0;
}

int pam_txn_open(const seal_keyring_t *k, const char *token, int64_t now, auth_request_t *rq)
{
	unsigned char raw[SESAME_MAX_TXN];
	size_t rawlen = 0, textlen = 0;
	unsigned char *text = NULL;
	json_t *o = NULL;
	json_t *e, *n;
	int ok = SESAME_ERR_INVALID_ARGUMENT;

	memset(rq, 0, sizeof(*rq));
	if (strlen(token) > SESAME_MAX_TXN ||
	    base64url_decode(token, strlen(token), raw, sizeof(raw), &rawlen) != SESAME_OK)
		return SESAME_ERR_INVALID_ARGUMENT;
	if (seal_decrypt(k, TXN_PURPOSE, "", raw, rawlen, &text, &textlen) != SESAME_OK)
		return SESAME_ERR_INVALID_ARGUMENT;
	o = json_loadb((const char *)text, textlen, 0, NULL);
	if (o == NULL)
		goto fail;
	e = json_object_get(o, "e");
	n = json_object_get(o, "n");
	if (!json_is_integer(e) || !json_is_boolean(n) ||
	    copy_str(o, "u", rq->user, sizeof(rq->user)) ||
	    copy_str(o, "s", rq->service, sizeof(rq->service)) ||
	    copy_str(o, "r", rq->rhost, sizeof(rq->rhost)) ||
	    copy_str(o, "t", rq->tty, sizeof(rq->tty)) ||
	    copy_str(o, "f", rq->factor, sizeof(rq->factor)))
		goto fail;
	rq->nullok = json_is_true(n);
	ok = json_integer_value(e) < now ? SESAME_ERR_EXPIRED : SESAME_OK;
fail:
	json_decref(o);
	seal_buf_free(&text, textlen);
	return ok;
}
