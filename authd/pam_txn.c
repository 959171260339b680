/* PAM transaction tokens: a fixed binary layout, sealed with AES-256-GCM
 * under the key of its purpose, base64url. No text formatting or parsing
 * on the hot path:
 *
 *   u8 version (4) | u8 nullok | u8 passed | 16 id
 *   | i64 passed_at[FACTOR_COUNT] | i64 auth_time | i64 expires   (big-endian)
 *   | user, service, rhost, tty, next: each u8 length + bytes
 */
#include <stdlib.h>
#include <string.h>

#include "pam_txn.h"
#include "sesame/base64url.h"
#include "sesame/error.h"

#define TXN_PURPOSE SEAL_PURPOSE_PAM_TXN
#define TXN_VERSION 4
#define TXN_TIMES (FACTOR_COUNT + 2)
#define TXN_FIXED (3 + FLOW_ID_LEN + 8 * TXN_TIMES)
#define TXN_STRINGS 5
#define TXN_PLAIN_MAX (TXN_FIXED + TXN_STRINGS * 256)

/* every string field's length fits its u8 */
_Static_assert(SESAME_MAX_USERNAME < 256 && SESAME_MAX_SERVICE < 256 && SESAME_MAX_RHOST < 256 &&
		   SESAME_MAX_TTY < 256 && sizeof(((flow_t *)0)->next) <= 256,
	       "a string field of the token is longer than its length byte");

static void put_i64(unsigned char *p, int64_t v)
{
	uint64_t u = (uint64_t)v;

	for (int i = 7; i >= 0; i--, u >>= 8)
		p[i] = (unsigned char)u;
}

static int64_t get_i64(const unsigned char *p)
{
	uint64_t u = 0;

	for (int i = 0; i < 8; i++)
		u = u << 8 | p[i];
	return (int64_t)u;
}

int pam_txn_seal(const seal_keyring_t *k, const flow_t *f, char *out, size_t outsz)
{
	const char *strings[TXN_STRINGS] = {f->user, f->service, f->rhost, f->tty, f->next};
	int64_t times[TXN_TIMES];
	unsigned char plain[TXN_PLAIN_MAX], *p = plain, *sealed = NULL;
	size_t sealed_len = 0;
	int ok;

	for (size_t i = 0; i < FACTOR_COUNT; i++)
		times[i] = f->passed_at[i];
	times[FACTOR_COUNT] = f->auth_time;
	times[FACTOR_COUNT + 1] = f->expires;
	*p++ = TXN_VERSION;
	*p++ = f->nullok ? 1 : 0;
	*p++ = (unsigned char)(f->passed & FACTOR_ALL);
	memcpy(p, f->id, FLOW_ID_LEN);
	p += FLOW_ID_LEN;
	for (size_t i = 0; i < TXN_TIMES; i++, p += 8)
		put_i64(p, times[i]);
	for (size_t i = 0; i < TXN_STRINGS; i++) {
		size_t n = strlen(strings[i]);
		if (n > 255)
			return SESAME_ERR_TOO_LARGE;
		*p++ = (unsigned char)n;
		memcpy(p, strings[i], n);
		p += n;
	}
	ok = seal_encrypt(k, TXN_PURPOSE, "", plain, (size_t)(p - plain), &sealed, &sealed_len);
	if (ok == SESAME_OK)
		ok = base64url_encode(sealed, sealed_len, out, outsz);
	free(sealed);
	return ok;
}

/* The string at *p (length byte first) into dst; -1 when it runs past end
 * or does not fit. */
static int get_string(const unsigned char **p, const unsigned char *end, char *dst, size_t dstsz)
{
	size_t n;

	if (*p >= end || (n = **p) >= dstsz || (size_t)(end - *p - 1) < n)
		return -1;
	memcpy(dst, *p + 1, n);
	dst[n] = '\0';
	*p += 1 + n;
	return memchr(dst, '\0', n) == NULL ? 0 : -1;
}

int pam_txn_open(const seal_keyring_t *k, const char *token, int64_t now, flow_t *f)
{
	unsigned char raw[SESAME_MAX_TXN];
	unsigned char *text = NULL;
	const unsigned char *p, *end;
	size_t rawlen = 0, textlen = 0, len = strlen(token);
	int64_t times[TXN_TIMES];
	int ok = SESAME_ERR_INVALID_ARGUMENT;

	memset(f, 0, sizeof(*f));
	f->door = FLOW_PAM;
	if (len > SESAME_MAX_TXN ||
	    base64url_decode(token, len, raw, sizeof(raw), &rawlen) != SESAME_OK)
		return SESAME_ERR_INVALID_ARGUMENT;
	if (seal_decrypt(k, TXN_PURPOSE, "", raw, rawlen, &text, &textlen) != SESAME_OK)
		return SESAME_ERR_INVALID_ARGUMENT;
	p = text;
	end = text + textlen;
	if (textlen < TXN_FIXED || p[0] != TXN_VERSION || p[1] > 1 || (p[2] & ~FACTOR_ALL) != 0)
		goto fail;
	f->nullok = p[1];
	f->passed = p[2];
	memcpy(f->id, p + 3, FLOW_ID_LEN);
	p += 3 + FLOW_ID_LEN;
	for (size_t i = 0; i < TXN_TIMES; i++, p += 8)
		times[i] = get_i64(p);
	if (get_string(&p, end, f->user, sizeof(f->user)) ||
	    get_string(&p, end, f->service, sizeof(f->service)) ||
	    get_string(&p, end, f->rhost, sizeof(f->rhost)) ||
	    get_string(&p, end, f->tty, sizeof(f->tty)) ||
	    get_string(&p, end, f->next, sizeof(f->next)) || p != end)
		goto fail;
	for (size_t i = 0; i < FACTOR_COUNT; i++)
		f->passed_at[i] = times[i];
	f->auth_time = times[FACTOR_COUNT];
	f->expires = times[FACTOR_COUNT + 1];
	ok = f->expires < now ? SESAME_ERR_EXPIRED : SESAME_OK;
fail:
	if (ok == SESAME_ERR_INVALID_ARGUMENT)
		memset(f, 0, sizeof(*f));
	seal_buf_free(&text, textlen + 1);
	return ok;
}
