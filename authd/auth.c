/* Authentication policy for PAM and the web pages: lock-out, factor
 * choice, password and TOTP verification with replay refusal, throttling,
 * audit. Each decision runs as one store
 * transaction, so counters and consumed steps stay consistent. */
#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "audit.h"
#include "auth.h"
#include "sesame/error.h"
#include "sesame/log.h"
#include "source.h"
#include "totp.h"
#include "userpw.h"

struct auth_ctx {
	authd_t *d;
	const auth_request_t *rq;
	const char *answer;
	int64_t now;
	auth_step_t *step;
	int need_write; /* a read-only pass found a decision that must be recorded */
};

static void verdict(auth_step_t *step, auth_result_t result, int reason, const char *message)
{
	step->kind = AUTH_STEP_VERDICT;
	step->result = result;
	step->reason = reason;
	snprintf(step->message, sizeof(step->message), "%s", message);
}

static void verdict_locked(auth_step_t *step, int64_t wait)
{
	verdict(step, AUTH_DENIED, SESAME_ERR_LOCKED, "");
	step->wait = wait;
	snprintf(step->message, sizeof(step->message),
		 "Too many failed attempts; try again in %lld seconds.", (long long)wait);
}

/* The source (client address) waits: nothing is verified. */
static void verdict_source_locked(auth_step_t *step, int64_t wait)
{
	verdict(step, AUTH_DENIED, SESAME_ERR_LOCKED, "");
	step->wait = wait;
	snprintf(step->message, sizeof(step->message),
		 "Too many failed attempts from your address; try again in %lld seconds.",
		 (long long)wait);
}

/* Counts a failed attempt from the request's source; a wait it starts
 * that is longer than the user's is told too. */
static int source_failed(authd_t *d, store_tx_t *tx, const char *rhost, int64_t now,
			 auth_step_t *step)
{
	int64_t wait = 0;
	int r = source_failure(d, tx, rhost, now, &wait);

	if (r == SESAME_OK && wait > step->wait) {
		size_t len = strlen(step->message);
		snprintf(step->message + len, sizeof(step->message) - len,
			 " Too many failed attempts from your address; try again in %lld seconds.",
			 (long long)wait);
		step->wait = wait;
	}
	return r;
}

/* An administrator's decision, not a secret: said at once, before any
 * prompt, and nullok does not excuse it. */
static void verdict_disabled(auth_step_t *step)
{
	verdict(step, AUTH_DENIED, SESAME_ERR_DISABLED, AUTH_DISABLED_MESSAGE);
}

static int audit_step(struct auth_ctx *c, store_tx_t *tx, const char *factor)
{
	const auth_step_t *s = c->step;
	return audit_record(tx, c->now, c->rq->user, c->rq->service, c->rq->rhost, factor,
			    s->result == AUTH_SUCCESS ? "success" : "denied",
			    s->reason == SESAME_OK ? "ok" : sesame_err_code(s->reason));
}

/* Newest confirmed credential, or NULL. */
static const store_totp_t *newest_confirmed(const store_totp_t *v, size_t n)
{
	const store_totp_t *best = NULL;
	for (size_t i = 0; i < n; i++)
		if (v[i].confirmed)
			best = &v[i];
	return best;
}

static int begin_tx(store_tx_t *tx, void *arg)
{
	struct auth_ctx *c = arg;
	store_user_t u;
	store_totp_t *creds = NULL;
	size_t n = 0;
	const store_totp_t *cred = NULL;
	int64_t wait;
	int r;

	r = store_user_get(tx, c->rq->user, &u);
	if (r != SESAME_OK && r != SESAME_ERR_NOT_FOUND)
		return r;
	if (r == SESAME_OK) {
		if (u.disabled) {
			if (store_tx_readonly(tx)) {
				c->need_write = 1;
				return SESAME_OK;
			}
			verdict_disabled(c->step);
			return audit_step(c, tx, "none");
		}
		if ((wait = throttle_wait(u.locked_until, c->now)) > 0) {
			if (store_tx_readonly(tx)) {
				c->need_write = 1;
				return SESAME_OK;
			}
			verdict_locked(c->step, wait);
			return audit_step(c, tx, "totp");
		}
		if ((r = store_totp_list(tx, u.id, &creds, &n)) != SESAME_OK)
			return r;
		cred = newest_confirmed(creds, n);
	}
	if (cred == NULL && c->rq->nullok) {
		if (store_tx_readonly(tx)) {
			c->need_write = 1;
			r = SESAME_OK;
			goto out;
		}
		verdict(c->step, AUTH_SUCCESS, SESAME_OK, "");
		r = audit_record(tx, c->now, c->rq->user, c->rq->service, c->rq->rhost, "none",
				 "success", "nullok");
		goto out;
	}
	/* Without a factor the user is still asked for a code and then denied,
	 * so the prompt does not tell an outsider who is enrolled. */
	c->step->kind = AUTH_STEP_PROMPT;
	snprintf(c->step->factor, sizeof(c->step->factor), "%s", cred ? "totp" : "none");
	c->step->digits = cred ? cred->digits : 6;
	r = SESAME_OK;
out:
	store_totp_list_free(&creds, n);
	return r;
}

int auth_begin(authd_t *d, auth_request_t *rq, int64_t now, auth_step_t *step)
{
	struct auth_ctx c = {d, rq, NULL, now, step, 0};
	int r;

	/* Most first steps only read (which factor to ask for); a verdict at
	 * this point (disabled, locked, nullok) is recorded, in a write transaction that
	 * decides again. */
	memset(step, 0, sizeof(*step));
	r = store_read(d->store, begin_tx, &c);
	if (r == SESAME_OK && c.need_write) {
		memset(step, 0, sizeof(*step));
		r = store_run(d->store, begin_tx, &c);
	}
	if (r == SESAME_OK && step->kind == AUTH_STEP_PROMPT)
		snprintf(rq->factor, sizeof(rq->factor), "%s", step->factor);
	return r;
}

/* Checks answer against every confirmed credential whose digit count fits.
 * *matched receives the index of the accepting credential. */
static int check_code(struct auth_ctx *c, store_totp_t *creds, size_t n, size_t *matched,
		      int64_t *step)
{
	int result = SESAME_ERR_NO_FACTOR;

	for (size_t i = 0; i < n; i++) {
		unsigned char *seed = NULL;
		size_t seedlen = 0;
		int r;

		if (!creds[i].confirmed)
			continue;
		if (result == SESAME_ERR_NO_FACTOR)
			result = SESAME_ERR_WRONG_CODE;
		if (seal_decrypt(c->d->keys, SEAL_PURPOSE_TOTP, c->rq->user, creds[i].sealed,
				 creds[i].sealed_len, &seed, &seedlen) != SESAME_OK) {
			log_err(
			    "auth: cannot unseal TOTP credential %lld of %s (wrong master key?)",
			    (long long)creds[i].id, c->rq->user);
			return SESAME_ERR_CRYPTO;
		}
		totp_params_t p = {creds[i].alg, creds[i].digits, creds[i].period};
		r = totp_verify(seed, seedlen, &p, c->d->cfg.window, (time_t)c->now, c->answer,
				creds[i].last_step, step);
		seal_buf_free(&seed, seedlen);
		if (r == SESAME_OK) {
			*matched = i;
			return SESAME_OK;
		}
		if (r == SESAME_ERR_REPLAY)
			result = SESAME_ERR_REPLAY;
		else if (r != SESAME_ERR_WRONG_CODE)
			return r;
	}
	return result;
}

static int answer_tx(store_tx_t *tx, void *arg)
{
	struct auth_ctx *c = arg;
	store_user_t u;
	store_totp_t *creds = NULL;
	size_t n = 0, matched = 0;
	int64_t wait, step = -1;
	int r, outcome;

	if ((r = source_wait(c->d, tx, c->rq->rhost, c->now, &wait)) != SESAME_OK)
		return r;
	if (wait > 0) {
		verdict_source_locked(c->step, wait);
		return audit_record(tx, c->now, c->rq->user, c->rq->service, c->rq->rhost,
				    strcmp(c->rq->factor, "totp") == 0 ? "totp" : "none", "denied",
				    SOURCE_LOCKED_REASON);
	}
	r = store_user_get(tx, c->rq->user, &u);
	if (r == SESAME_ERR_NOT_FOUND) {
		verdict(c->step, AUTH_DENIED, SESAME_ERR_NO_FACTOR, "Authentication failed.");
		if ((r = source_failed(c->d, tx, c->rq->rhost, c->now, c->step)) != SESAME_OK)
			return r;
		return audit_step(c, tx, "none");
	}
	if (r != SESAME_OK)
		return r;
	if (u.disabled) { /* disabled while the prompt was shown */
		verdict_disabled(c->step);
		return audit_step(c, tx, "none");
	}
	if ((wait = throttle_wait(u.locked_until, c->now)) > 0) {
		verdict_locked(c->step, wait);
		return audit_step(c, tx, "totp");
	}
	if ((r = store_totp_list(tx, u.id, &creds, &n)) != SESAME_OK)
		return r;
	outcome = strcmp(c->rq->factor, "totp") == 0 ? check_code(c, creds, n, &matched, &step)
						     : SESAME_ERR_NO_FACTOR;
	if (outcome == SESAME_OK)
		outcome = store_totp_consume(tx, creds[matched].id, step, c->now);
	if (outcome == SESAME_OK) {
		if ((r = store_user_set_success(tx, u.id, c->now)) != SESAME_OK)
			goto out;
		verdict(c->step, AUTH_SUCCESS, SESAME_OK, "");
		store_tx_durable(tx); /* the consumed step must survive a crash */
		r = audit_step(c, tx, "totp");
		goto out;
	}
	if (outcome == SESAME_ERR_NO_FACTOR) {
		verdict(c->step, AUTH_DENIED, SESAME_ERR_NO_FACTOR, "Authentication failed.");
		if ((r = source_failed(c->d, tx, c->rq->rhost, c->now, c->step)) != SESAME_OK)
			goto out;
		r = audit_step(c, tx, "none");
		goto out;
	}
	if (outcome != SESAME_ERR_WRONG_CODE && outcome != SESAME_ERR_REPLAY) {
		r = outcome;
		goto out;
	}
	unsigned failures = u.failures + 1;
	unsigned delay = throttle_delay(&c->d->throttle, failures);
	if ((r = store_user_set_throttle(tx, u.id, failures, c->now,
					 delay ? c->now + (int64_t)delay : 0)) != SESAME_OK)
		goto out;
	verdict(c->step, AUTH_DENIED, outcome,
		outcome == SESAME_ERR_REPLAY
		    ? "This verification code was already used; wait for the next one."
		    : "Wrong verification code.");
	if (delay) {
		size_t len = strlen(c->step->message);
		snprintf(c->step->message + len, sizeof(c->step->message) - len,
			 " Too many failed attempts; try again in %u seconds.", delay);
		c->step->wait = delay;
	}
	if ((r = source_failed(c->d, tx, c->rq->rhost, c->now, c->step)) != SESAME_OK)
		goto out;
	r = audit_step(c, tx, "totp");
out:
	store_totp_list_free(&creds, n);
	return r;
}

int auth_answer(authd_t *d, const auth_request_t *rq, const char *answer, int64_t now,
		auth_step_t *step)
{
	struct auth_ctx c = {d, rq, answer, now, step, 0};

	memset(step, 0, sizeof(*step));
	return store_run(d->store, answer_tx, &c);
}

int auth_totp_verify(authd_t *d, const char *user, const char *service, const char *rhost,
		     const char *code, int64_t now, auth_step_t *step)
{
	auth_request_t rq;

	memset(step, 0, sizeof(*step));
	if (strlen(user) > SESAME_MAX_USERNAME || strlen(service) > SESAME_MAX_SERVICE ||
	    strlen(rhost) > SESAME_MAX_RHOST)
		return SESAME_ERR_INVALID_ARGUMENT;
	memset(&rq, 0, sizeof(rq));
	memcpy(rq.user, user, strlen(user) + 1);
	memcpy(rq.service, service, strlen(service) + 1);
	memcpy(rq.rhost, rhost, strlen(rhost) + 1);
	memcpy(rq.factor, "totp", sizeof("totp"));
	/* the PAM path's own transaction: same counters, replay refusal, audit */
	return auth_answer(d, &rq, code, now, step);
}

/* ---- passwords (the web sign-in) ---- */

/* A hash of a random password with the current parameters: verifying
 * against it costs what a real verification costs, for unknown users. */
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

int auth_password_init(void)
{
	pthread_once(&dummy_once, dummy_make);
	return dummy_ok ? SESAME_OK : SESAME_ERR_CRYPTO;
}

struct pw_ctx {
	authd_t *d;
	const char *user, *service, *rhost;
	int64_t now;
	auth_step_t *step;
	/* read pass */
	int known, disabled, has_hash;
	int64_t wait, source_wait;
	char hash[STORE_MAX_PASSWORD_HASH + 1];
	/* verification, outside any transaction */
	int matched;
	const char *rehash; /* new hash to store, or NULL */
};

static int pw_read_tx(store_tx_t *tx, void *arg)
{
	struct pw_ctx *c = arg;
	store_user_t u;
	int r = source_wait(c->d, tx, c->rhost, c->now, &c->source_wait);

	if (r != SESAME_OK)
		return r;
	r = store_user_get(tx, c->user, &u);
	if (r == SESAME_ERR_NOT_FOUND)
		return SESAME_OK;
	if (r != SESAME_OK)
		return r;
	c->known = 1;
	c->disabled = u.disabled;
	c->wait = throttle_wait(u.locked_until, c->now);
	if (!u.has_password)
		return SESAME_OK;
	r = store_user_password_get(tx, u.id, c->hash, sizeof(c->hash));
	if (r == SESAME_OK)
		c->has_hash = 1;
	return r == SESAME_ERR_NOT_FOUND ? SESAME_OK : r;
}

static int pw_audit(struct pw_ctx *c, store_tx_t *tx, const char *reason)
{
	return audit_record(tx, c->now, c->user, c->service, c->rhost, "password",
			    c->step->result == AUTH_SUCCESS ? "success" : "denied", reason);
}

static int pw_write_tx(store_tx_t *tx, void *arg)
{
	struct pw_ctx *c = arg;
	char now_hash[STORE_MAX_PASSWORD_HASH + 1];
	store_user_t u;
	int64_t wait;
	int r = source_wait(c->d, tx, c->rhost, c->now, &wait);

	if (r != SESAME_OK)
		return r;
	if (wait > 0) {
		verdict_source_locked(c->step, wait);
		return pw_audit(c, tx, SOURCE_LOCKED_REASON);
	}
	r = store_user_get(tx, c->user, &u);
	if (r == SESAME_ERR_NOT_FOUND) {
		verdict(c->step, AUTH_DENIED, SESAME_ERR_WRONG_PASSWORD, AUTH_PASSWORD_MESSAGE);
		if ((r = source_failed(c->d, tx, c->rhost, c->now, c->step)) != SESAME_OK)
			return r;
		return pw_audit(c, tx, sesame_err_code(SESAME_ERR_NOT_FOUND));
	}
	if (r != SESAME_OK)
		return r;
	if (u.disabled) {
		verdict(c->step, AUTH_DENIED, SESAME_ERR_DISABLED, AUTH_PASSWORD_MESSAGE);
		return pw_audit(c, tx, sesame_err_code(SESAME_ERR_DISABLED));
	}
	if ((wait = throttle_wait(u.locked_until, c->now)) > 0) {
		verdict_locked(c->step, wait);
		return pw_audit(c, tx, sesame_err_code(SESAME_ERR_LOCKED));
	}
	if (!c->has_hash) {
		verdict(c->step, AUTH_DENIED, SESAME_ERR_WRONG_PASSWORD, AUTH_PASSWORD_MESSAGE);
		if ((r = source_failed(c->d, tx, c->rhost, c->now, c->step)) != SESAME_OK)
			return r;
		return pw_audit(c, tx, "no_password");
	}
	/* the password changed while it was being verified: the old one
	 * proves nothing */
	r = store_user_password_get(tx, u.id, now_hash, sizeof(now_hash));
	if (r == SESAME_OK && strcmp(now_hash, c->hash) != 0)
		r = SESAME_ERR_NOT_FOUND;
	OPENSSL_cleanse(now_hash, sizeof(now_hash));
	if (r == SESAME_ERR_NOT_FOUND)
		c->matched = 0;
	else if (r != SESAME_OK)
		return r;
	if (c->matched) {
		/* The counters are reset only by the second factor: a right
		 * password alone must not reopen code guessing. */
		if (c->rehash && (r = store_user_set_password(tx, u.id, c->rehash,
							      u.password_changed)) != SESAME_OK)
			return r;
		verdict(c->step, AUTH_SUCCESS, SESAME_OK, "");
		return pw_audit(c, tx, "ok");
	}
	unsigned failures = u.failures + 1;
	unsigned delay = throttle_delay(&c->d->throttle, failures);
	if ((r = store_user_set_throttle(tx, u.id, failures, c->now,
					 delay ? c->now + (int64_t)delay : 0)) != SESAME_OK)
		return r;
	verdict(c->step, AUTH_DENIED, SESAME_ERR_WRONG_PASSWORD, AUTH_PASSWORD_MESSAGE);
	if (delay) {
		size_t len = strlen(c->step->message);
		snprintf(c->step->message + len, sizeof(c->step->message) - len,
			 " Too many failed attempts; try again in %u seconds.", delay);
		c->step->wait = delay;
	}
	if ((r = source_failed(c->d, tx, c->rhost, c->now, c->step)) != SESAME_OK)
		return r;
	return pw_audit(c, tx, sesame_err_code(SESAME_ERR_WRONG_PASSWORD));
}

int auth_password(authd_t *d, const char *user, const char *service, const char *rhost,
		  const char *pw, size_t len, int64_t now, auth_step_t *step)
{
	struct pw_ctx c;
	char rehash[USERPW_ENCODED_MAX];
	int r, needs_rehash = 0;

	memset(step, 0, sizeof(*step));
	memset(&c, 0, sizeof(c));
	c.d = d;
	c.user = user;
	c.service = service;
	c.rhost = rhost;
	c.now = now;
	c.step = step;
	rehash[0] = '\0';
	if ((r = auth_password_init()) != SESAME_OK)
		return r;
	if ((r = store_read(d->store, pw_read_tx, &c)) != SESAME_OK)
		goto out;
	if (c.source_wait > 0 || (c.known && !c.disabled && c.wait > 0)) {
		/* locked: told the wait at once, as PAM does; nothing verified */
		r = store_run(d->store, pw_write_tx, &c);
		goto out;
	}
	/* Argon2 outside any transaction. Unknown, disabled or password-less
	 * users cost one verification too, against the dummy hash, so that
	 * the time does not tell who exists. */
	if (c.has_hash && !c.disabled && len <= SESAME_MAX_PASSWORD) {
		r = userpw_verify(c.hash, pw, len, &needs_rehash);
		if (r == SESAME_ERR_INVALID_ARGUMENT)
			log_err("auth: the stored password hash of %s is malformed", user);
		else if (r != SESAME_OK && r != SESAME_ERR_WRONG_PASSWORD)
			goto out;
		c.matched = r == SESAME_OK;
	} else {
		(void)userpw_verify(dummy_hash, pw, len <= SESAME_MAX_PASSWORD ? len : 0, NULL);
	}
	if (c.matched && needs_rehash && userpw_hash(pw, len, rehash, sizeof(rehash)) == SESAME_OK)
		c.rehash = rehash;
	r = store_run(d->store, pw_write_tx, &c);
out:
	OPENSSL_cleanse(c.hash, sizeof(c.hash));
	OPENSSL_cleanse(rehash, sizeof(rehash));
	return r;
}

struct account_ctx {
	const char *user;
	const char *service;
	int64_t now;
	int64_t wait;
	int disabled;
};

/* Read-only pass first: a refusal is then recorded by a write pass. */

static int account_tx(store_tx_t *tx, void *arg)
{
	struct account_ctx *c = arg;
	store_user_t u;
	int r = store_user_get(tx, c->user, &u);

	if (r == SESAME_ERR_NOT_FOUND)
		return SESAME_OK;
	if (r != SESAME_OK)
		return r;
	c->disabled = u.disabled;
	c->wait = throttle_wait(u.locked_until, c->now);
	if ((c->disabled || c->wait > 0) && !store_tx_readonly(tx))
		return audit_record(tx, c->now, c->user, c->service, "", "account", "denied",
				    c->disabled ? sesame_err_code(SESAME_ERR_DISABLED) : "locked");
	return SESAME_OK;
}

int auth_account(authd_t *d, const char *user, const char *service, int64_t now, int64_t *wait,
		 int *disabled, char *message, size_t msgsz)
{
	struct account_ctx c = {user, service, now, 0, 0};
	int r = store_read(d->store, account_tx, &c);

	if (r == SESAME_OK && (c.disabled || c.wait > 0))
		r = store_run(d->store, account_tx, &c);

	*wait = c.wait;
	*disabled = c.disabled;
	message[0] = '\0';
	if (r == SESAME_OK && c.disabled)
		snprintf(message, msgsz, "%s", AUTH_DISABLED_MESSAGE);
	else if (r == SESAME_OK && c.wait > 0)
		snprintf(
		    message, msgsz,
		    "Account locked after too many failed attempts; try again in %lld seconds.",
		    (long long)c.wait);
	return r;
}
