/* Single-use codes (see usercode.h) and the recovery-code factor entry. */
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <string.h>

#include "attempt.h"
#include "audit.h"
#include "sesame/error.h"
#include "usercode.h"

static const char usercode_alphabet[] = "0123456789abcdefghjkmnpqrstvwxyz";

/* The canonical form of one character, or 0 when it is not base32
 * (letters folded, the usual misreadings mapped: i l → 1, o → 0). */
static char usercode_canon(char ch)
{
	if (ch >= 'A' && ch <= 'Z')
		ch = (char)(ch - 'A' + 'a');
	if (ch == 'i' || ch == 'l')
		return '1';
	if (ch == 'o')
		return '0';
	if (ch == 'u' || ch == '\0')
		return 0;
	return strchr(usercode_alphabet, ch) != NULL ? ch : 0;
}

int usercode_canonical(const char *in, size_t chars, char *out)
{
	size_t n = 0;

	if (in == NULL)
		return 0;
	for (size_t i = 0; in[i] != '\0' && i < SESAME_MAX_ANSWER; i++) {
		char ch;
		if (in[i] == '-' || in[i] == ' ')
			continue;
		if (n == chars || (ch = usercode_canon(in[i])) == 0)
			return 0;
		out[n++] = ch;
	}
	out[n] = '\0';
	return n == chars;
}

static int usercode_normalize(const char *in, char out[USERCODE_CHARS + 1])
{
	return usercode_canonical(in, USERCODE_CHARS, out);
}

int usercode_shaped(const char *in)
{
	char norm[USERCODE_CHARS + 1];
	int ok = usercode_normalize(in, norm);

	OPENSSL_cleanse(norm, sizeof(norm));
	return ok;
}

/* SHA-256 of the canonical code: codes carry 80 random bits, so a
 * stolen table gives nothing to guess from. */
int usercode_digest(const char *norm, size_t chars, unsigned char out[STORE_CODE_HASH_LEN])
{
	unsigned len = 0;

	return EVP_Digest(norm, chars, out, &len, EVP_sha256(), NULL) == 1 &&
		       len == STORE_CODE_HASH_LEN
		   ? SESAME_OK
		   : SESAME_ERR_CRYPTO;
}

static int usercode_hash(const char *norm, unsigned char out[STORE_CODE_HASH_LEN])
{
	return usercode_digest(norm, USERCODE_CHARS, out);
}

int usercode_random(size_t chars, char *norm)
{
	unsigned char raw[USERCODE_CHARS];

	if (chars > sizeof(raw) || RAND_bytes(raw, (int)chars) != 1)
		return SESAME_ERR_CRYPTO;
	for (size_t k = 0; k < chars; k++)
		norm[k] = usercode_alphabet[raw[k] & 31];
	norm[chars] = '\0';
	OPENSSL_cleanse(raw, sizeof(raw));
	return SESAME_OK;
}

/* n random codes: their text (grouped by four) and hashes. */
static int usercode_make(size_t n, char (*text)[USERCODE_TEXT_LEN],
			 unsigned char (*hashes)[STORE_CODE_HASH_LEN])
{
	unsigned char raw[USERCODE_CHARS];
	char norm[USERCODE_CHARS + 1];
	int r = SESAME_OK;

	for (size_t i = 0; i < n && r == SESAME_OK; i++) {
		size_t t = 0;
		if (RAND_bytes(raw, sizeof(raw)) != 1) {
			r = SESAME_ERR_CRYPTO;
			break;
		}
		for (size_t k = 0; k < USERCODE_CHARS; k++) {
			norm[k] = usercode_alphabet[raw[k] & 31];
			if (k && k % 4 == 0)
				text[i][t++] = '-';
			text[i][t++] = norm[k];
		}
		norm[USERCODE_CHARS] = '\0';
		text[i][t] = '\0';
		r = usercode_hash(norm, hashes[i]);
	}
	OPENSSL_cleanse(raw, sizeof(raw));
	OPENSSL_cleanse(norm, sizeof(norm));
	return r;
}

/* A new set of codes of one kind for a user: the old set is void (a
 * recovery set, or the previous one-time login code), the expired codes of
 * everyone go, durable, audited. */
struct replace_ctx {
	const char *user, *service, *rhost;
	int64_t now, expires; /* expires 0: never */
	store_code_kind_t kind;
	const unsigned char (*hashes)[STORE_CODE_HASH_LEN];
	size_t n;
	const char *factor, *reason; /* of the audit event */
	int found;
};

static int replace_tx(store_tx_t *tx, void *arg)
{
	struct replace_ctx *c = arg;
	store_user_t u;
	int r = store_user_get(tx, c->user, &u);

	c->found = r == SESAME_OK;
	if (r == SESAME_ERR_NOT_FOUND)
		return SESAME_OK;
	if (r != SESAME_OK || (r = store_user_lock(tx, u.id)) != SESAME_OK || /* one set */
	    (r = store_codes_purge(tx, c->now)) != SESAME_OK ||
	    (r = store_codes_replace(tx, u.id, c->kind, c->hashes, c->n, c->now, c->expires)) !=
		SESAME_OK)
		return r;
	store_tx_durable(tx); /* a voided code must not come back */
	return audit_record(tx, c->now, c->user, c->service, c->rhost, c->factor, "ok", c->reason);
}

int usercode_recovery_generate(authd_t *d, const char *user, const char *service, const char *rhost,
			       int64_t now, char codes[USERCODE_RECOVERY_COUNT][USERCODE_TEXT_LEN])
{
	unsigned char hashes[USERCODE_RECOVERY_COUNT][STORE_CODE_HASH_LEN];
	struct replace_ctx c = {.user = user,
				.service = service,
				.rhost = rhost,
				.now = now,
				.kind = STORE_CODE_RECOVERY,
				.hashes = (const unsigned char(*)[STORE_CODE_HASH_LEN])hashes,
				.n = USERCODE_RECOVERY_COUNT,
				.factor = "recovery",
				.reason = "generate"};
	int r = usercode_make(USERCODE_RECOVERY_COUNT, codes, hashes);

	if (r == SESAME_OK)
		r = store_run(d->store, replace_tx, &c);
	if (r == SESAME_OK && !c.found)
		r = SESAME_ERR_NOT_FOUND;
	if (r != SESAME_OK)
		OPENSSL_cleanse(codes, sizeof(char[USERCODE_RECOVERY_COUNT][USERCODE_TEXT_LEN]));
	return r;
}

int usercode_recovery_left_tx(store_tx_t *tx, int64_t user_id, unsigned *left)
{
	return store_codes_count(tx, user_id, STORE_CODE_RECOVERY, 0, left);
}

struct left_ctx {
	const char *user;
	unsigned left;
};

static int left_tx(store_tx_t *tx, void *arg)
{
	struct left_ctx *c = arg;
	store_user_t u;
	int r = store_user_get(tx, c->user, &u);

	c->left = 0;
	if (r == SESAME_ERR_NOT_FOUND)
		return SESAME_OK;
	return r == SESAME_OK ? usercode_recovery_left_tx(tx, u.id, &c->left) : r;
}

int usercode_recovery_left(authd_t *d, const char *user, unsigned *left)
{
	struct left_ctx c = {user, 0};
	int r = store_read(d->store, left_tx, &c);

	*left = c.left;
	return r;
}

int usercode_login_shaped(const char *in)
{
	char norm[USERCODE_LOGIN_CHARS + 1];
	int ok = usercode_canonical(in, USERCODE_LOGIN_CHARS, norm);

	OPENSSL_cleanse(norm, sizeof(norm));
	return ok;
}

int usercode_login_issue(authd_t *d, const char *user, const char *service, const char *rhost,
			 int64_t now, unsigned ttl, char code[USERCODE_TEXT_LEN])
{
	unsigned char hash[1][STORE_CODE_HASH_LEN];
	struct replace_ctx c = {.user = user,
				.service = service,
				.rhost = rhost,
				.now = now,
				.expires = now + (int64_t)ttl,
				.kind = STORE_CODE_LOGIN,
				.hashes = (const unsigned char(*)[STORE_CODE_HASH_LEN])hash,
				.n = 1,
				.factor = "logincode",
				.reason = "issue"};
	char norm[USERCODE_LOGIN_CHARS + 1];
	size_t t = 0;
	int r;

	code[0] = '\0';
	if ((r = usercode_random(USERCODE_LOGIN_CHARS, norm)) != SESAME_OK ||
	    (r = usercode_digest(norm, USERCODE_LOGIN_CHARS, hash[0])) != SESAME_OK ||
	    (r = store_run(d->store, replace_tx, &c)) != SESAME_OK)
		goto out;
	if (!c.found) {
		r = SESAME_ERR_NOT_FOUND;
		goto out;
	}
	for (size_t k = 0; k < USERCODE_LOGIN_CHARS; k++) {
		if (k && k % 4 == 0)
			code[t++] = '-';
		code[t++] = norm[k];
	}
	code[t] = '\0';
out:
	OPENSSL_cleanse(norm, sizeof(norm));
	return r;
}

/* ---- the factor entries ---- */

static int recovery_enrolled(store_tx_t *tx, const store_user_t *u, unsigned *left)
{
	return usercode_recovery_left_tx(tx, u->id, left);
}

/* One unused code of the user, spent: the row count of the delete is the
 * verdict, so two answers with one code cannot both pass. */
static int recovery_verify(attempt_t *a, store_tx_t *tx, const store_user_t *u)
{
	char norm[USERCODE_CHARS + 1];
	unsigned char hash[STORE_CODE_HASH_LEN];
	int r = SESAME_OK;

	a->outcome = SESAME_ERR_WRONG_CODE;
	if (u == NULL || !usercode_normalize(a->in, norm))
		goto out;
	if ((r = usercode_hash(norm, hash)) != SESAME_OK)
		goto out;
	r = store_codes_take(tx, u->id, STORE_CODE_RECOVERY, hash, a->now);
	if (r == SESAME_ERR_NOT_FOUND) {
		r = SESAME_OK;
		goto out;
	}
	if (r != SESAME_OK)
		goto out;
	a->outcome = SESAME_OK;
	store_tx_durable(tx); /* a spent code stays spent */
out:
	OPENSSL_cleanse(norm, sizeof(norm));
	OPENSSL_cleanse(hash, sizeof(hash));
	return r;
}

/* A one-time login code: a passkey proof made on the web, carried to a
 * terminal; unexpired, spent by the delete whose row count is the verdict. */
static int logincode_verify(attempt_t *a, store_tx_t *tx, const store_user_t *u)
{
	char norm[USERCODE_LOGIN_CHARS + 1];
	unsigned char hash[STORE_CODE_HASH_LEN];
	int r = SESAME_OK;

	a->outcome = SESAME_ERR_WRONG_CODE;
	a->why = "logincode";
	if (u == NULL || !usercode_canonical(a->in, USERCODE_LOGIN_CHARS, norm))
		goto out;
	if ((r = usercode_digest(norm, USERCODE_LOGIN_CHARS, hash)) != SESAME_OK)
		goto out;
	r = store_codes_take(tx, u->id, STORE_CODE_LOGIN, hash, a->now);
	if (r == SESAME_ERR_NOT_FOUND) {
		r = SESAME_OK;
		goto out;
	}
	if (r != SESAME_OK)
		goto out;
	a->outcome = SESAME_OK;
	a->why = NULL;
	store_tx_durable(tx);
out:
	OPENSSL_cleanse(norm, sizeof(norm));
	OPENSSL_cleanse(hash, sizeof(hash));
	return r;
}

/* Nobody "has" a login code: the passkeys make the hand-off available
 * (factor_handoff.enrolled). */
static int logincode_enrolled(store_tx_t *tx, const store_user_t *u, unsigned *detail)
{
	(void)tx;
	(void)u;
	*detail = 0;
	return SESAME_OK;
}

const factor_t factor_logincode = {
    .name = "logincode",
    .bit = FACTOR_HANDOFF, /* what it proves: a passkey, for this terminal login */
    .amr = "hwk",
    .forgives = 1,
    .enrolled = logincode_enrolled,
    .prepare = NULL,
    .identify = NULL,
    .verify = logincode_verify,
    .release = NULL,
};

const factor_t factor_recovery = {
    .name = "recovery",
    .bit = FACTOR_RECOVERY,
    .amr = "otp",
    .forgives = 1,
    .enrolled = recovery_enrolled,
    .prepare = NULL,
    .identify = NULL,
    .verify = recovery_verify,
    .release = NULL,
};
