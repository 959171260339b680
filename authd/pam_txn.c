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
#define TXN_VERSION "t2"
/* version, user, service, rhost, tty, next, nullok, passed, 3 times, auth_time, id, expires */
#define TXN_FIELDS 14
#define TXN_PLAIN_MAX 1024

int pam_txn_seal(const seal_keyring_t *k, const flow_t *f, char *out, size_t outsz)
{
	char plain[TXN_PLAIN_MAX], id[2 * FLOW_ID_LEN + 1];
	unsigned char *sealed = NULL;
	size_t sealed_len = 0;
	int n, ok;

	for (size_t i = 0; i < FLOW_ID_LEN; i++)
		snprintf(id + 2 * i, 3, "%02x", f->id[i]);
	n = snprintf(plain, sizeof(plain),
		     "%s%c%s%c%s%c%s%c%s%c%s%c%d%c%u%c%lld%c%lld%c%lld%c%lld%c%s%c%lld",
		     TXN_VERSION, 0, f->user, 0, f->service, 0, f->rhost, 0, f->tty, 0, f->next, 0,
		     f->nullok ? 1 : 0, 0, f->passed, 0, (long long)f->passed_at[0], 0,
		     (long long)f->passed_at[1], 0, (long long)f->passed_at[2], 0,
		     (long long)f->auth_time, 0, id, 0, (long long)f->expires);
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

static int number(const char *s, long long *out)
{
	char *end;

	*out = strtoll(s, &end, 10);
	return *s != '\0' && *end == '\0' ? 0 : -1;
}

static int nibble(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

static int hex_id(const char *s, unsigned char id[FLOW_ID_LEN])
{
	if (strlen(s) != 2 * FLOW_ID_LEN)
		return -1;
	for (size_t i = 0; i < FLOW_ID_LEN; i++) {
		int hi = nibble(s[2 * i]), lo = nibble(s[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return -1;
		id[i] = (unsigned char)(hi << 4 | lo);
	}
	return 0;
}

int pam_txn_open(const seal_keyring_t *k, const char *token, int64_t now, flow_t *f)
{
	unsigned char raw[SESAME_MAX_TXN];
	size_t rawlen = 0, textlen = 0;
	unsigned char *text = NULL;
	const char *field[TXN_FIELDS];
	size_t nfields = 0;
	long long num[6], expires, passed;
	int ok = SESAME_ERR_INVALID_ARGUMENT;

	memset(f, 0, sizeof(*f));
	f->door = FLOW_PAM;
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
	    copy_field(field[1], f->user, sizeof(f->user)) ||
	    copy_field(field[2], f->service, sizeof(f->service)) ||
	    copy_field(field[3], f->rhost, sizeof(f->rhost)) ||
	    copy_field(field[4], f->tty, sizeof(f->tty)) ||
	    copy_field(field[5], f->next, sizeof(f->next)) ||
	    (strcmp(field[6], "0") != 0 && strcmp(field[6], "1") != 0) ||
	    number(field[7], &passed) || passed < 0 || passed > (long long)FACTOR_ALL ||
	    number(field[8], &num[0]) || number(field[9], &num[1]) || number(field[10], &num[2]) ||
	    number(field[11], &num[3]) || hex_id(field[12], f->id) || number(field[13], &expires))
		goto fail;
	f->nullok = field[6][0] == '1';
	f->passed = (unsigned)passed;
	for (size_t i = 0; i < FACTOR_COUNT; i++)
		f->passed_at[i] = num[i];
	f->auth_time = num[3];
	f->expires = expires;
	ok = expires < now ? SESAME_ERR_EXPIRED : SESAME_OK;
fail:
	seal_buf_free(&text, textlen + 1);
	return ok;
}
