/* The password factor: Argon2id outside any transaction (unknown,
 * disabled and password-less names are verified against a dummy hash:
 * same work, same sentence), then, in the decision, a check that the hash
 * did not change meanwhile and the rehash of an old-parameter hash. */
#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "attempt.h"
#include "factor_password.h"
#include "sesame/error.h"
#include "sesame/log.h"
#include "userpw.h"

/* A hash of a random password with the current parameters. */
static char dummy_hash[USERPW_ENCODED_MAX];
static int dummy_ok;
static pthread_once_t dummy_once = PTHREAD_ONCE_INIT;

static void dummy_make(void)
{
	unsigned char pw[32];

	if (RAND_bytes(pw, sizeof(pw)) == 1 &&
	    userpw_hash((const char *)pw, sizeof(pw), dummy_hash, sizeof(dummy_hash)) == SESAME_OK)
		dummy_ok = 1;
	OPENSSL_cleanse(pw, sizeof(pw));
}

int factor_password_init(void)
{
	pthread_once(&dummy_once, dummy_make);
	return dummy_ok ? SESAME_OK : SESAME_ERR_CRYPTO;
}

struct pw_state {
	int prepared, has_hash, matched;
	char hash[STORE_MAX_PASSWORD_HASH + 1];
	char rehash[USERPW_ENCODED_MAX];
};

static int pw_enrolled(store_tx_t *tx, const store_user_t *u, unsigned *yes)
{
	(void)tx;
	*yes = u->has_password != 0;
	return SESAME_OK;
}

static int hash_tx(store_tx_t *tx, void *arg)
{
	attempt_t *a = arg;
	struct pw_state *s = a->state;
	store_user_t u;
	int r = store_user_get(tx, a->user, &u);

	s->has_hash = 0;
	if (r == SESAME_ERR_NOT_FOUND || (r == SESAME_OK && (u.disabled || !u.has_password)))
		return SESAME_OK;
	if (r != SESAME_OK)
		return r;
	r = store_user_password_get(tx, u.id, s->hash, sizeof(s->hash));
	if (r == SESAME_OK)
		s->has_hash = 1;
	return r == SESAME_ERR_NOT_FOUND ? SESAME_OK : r;
}

static int pw_prepare(attempt_t *a)
{
	const factor_password_in_t *in = a->in;
	struct pw_state *s;
	int r, needs_rehash = 0;
	size_t len = in->len <= SESAME_MAX_PASSWORD ? in->len : 0;

	if ((r = factor_password_init()) != SESAME_OK)
		return r;
	if ((s = calloc(1, sizeof(*s))) == NULL)
		return SESAME_ERR_NOMEM;
	a->state = s;
	if ((r = store_read(a->d->store, hash_tx, a)) != SESAME_OK)
		return r;
	if (s->has_hash && in->len <= SESAME_MAX_PASSWORD) {
		r = userpw_verify(s->hash, in->pw, in->len, &needs_rehash);
		if (r == SESAME_ERR_INVALID_ARGUMENT)
			log_err("password: the stored hash of %s is malformed", a->user);
		else if (r != SESAME_OK && r != SESAME_ERR_WRONG_PASSWORD)
			return r;
		s->matched = r == SESAME_OK;
	} else {
		(void)userpw_verify(dummy_hash, in->pw, len, NULL);
	}
	if (s->matched && needs_rehash &&
	    userpw_hash(in->pw, in->len, s->rehash, sizeof(s->rehash)) != SESAME_OK)
		s->rehash[0] = '\0';
	s->prepared = 1;
	return SESAME_OK;
}

static int pw_check(attempt_t *a, store_tx_t *tx, const store_user_t *u)
{
	struct pw_state *s = a->state;
	char now_hash[STORE_MAX_PASSWORD_HASH + 1];
	int r;

	a->outcome = SESAME_ERR_WRONG_PASSWORD;
	if (u == NULL) {
		a->why = sesame_err_code(SESAME_ERR_NOT_FOUND);
		return SESAME_OK;
	}
	if (s == NULL || !s->prepared || !s->has_hash) {
		a->why = s && s->prepared ? "no_password" : NULL;
		return SESAME_OK;
	}
	/* the password changed while it was being verified: the old one
	 * proves nothing */
	r = store_user_password_get(tx, u->id, now_hash, sizeof(now_hash));
	if (r == SESAME_OK && strcmp(now_hash, s->hash) != 0)
		r = SESAME_ERR_NOT_FOUND;
	OPENSSL_cleanse(now_hash, sizeof(now_hash));
	if (r == SESAME_ERR_NOT_FOUND)
		return SESAME_OK;
	if (r != SESAME_OK)
		return r;
	if (!s->matched)
		return SESAME_OK;
	if (s->rehash[0] &&
	    (r = store_user_set_password(tx, u->id, s->rehash, u->password_changed)) != SESAME_OK)
		return r;
	a->outcome = SESAME_OK;
	return SESAME_OK;
}

static void pw_release(attempt_t *a)
{
	if (a->state != NULL) {
		OPENSSL_cleanse(a->state, sizeof(struct pw_state));
		free(a->state);
		a->state = NULL;
	}
}

const factor_t factor_password = {
    .name = "password",
    .bit = FACTOR_PASSWORD,
    .amr = "pwd",
    .forgives = 0,
    .enrolled = pw_enrolled,
    .prepare = pw_prepare,
    .identify = NULL,
    .verify = pw_check,
    .release = pw_release,
};
