/* PAM authentication policy: lock-out, factor choice, TOTP verification
 * with replay refusal, throttling, audit. Each decision runs as one store
 * transaction, so counters and consumed steps stay consistent. */
#include <stdio.h>
#include <string.h>

#include "audit.h"
#include "auth.h"
#include "sesame/error.h"
#include "sesame/log.h"
#include "totp.h"

#define SEAL_PURPOSE_TOTP "totp-seed"

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

	r = store_user_get(tx, c->rq->user, &u);
	if (r == SESAME_ERR_NOT_FOUND) {
		verdict(c->step, AUTH_DENIED, SESAME_ERR_NO_FACTOR, "Authentication failed.");
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
