/* The attempt frame (see attempt.h): gates, verification through the
 * factor table, counting, durability and audit, once for every door. */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attempt.h"
#include "audit.h"
#include "sesame/error.h"
#include "source.h"
#include "throttle.h"

#define ACCOUNT_ROW "*"	     /* the account-wide row of a name */
#define LOCAL_SOURCE "local" /* no client address, or loopback */
#define PURGE_EVERY 1024     /* failures between purges of forgotten rows */
#define FORGET_AFTER (30 * 86400)

/* The attempts row of rhost: its source key, or "local". */
static void row_of(const char *rhost, char key[SOURCE_KEY_MAX])
{
	if (!source_key(rhost, key))
		snprintf(key, SOURCE_KEY_MAX, "%s", LOCAL_SOURCE);
}

static int row_get(store_tx_t *tx, const char *name, const char *row, store_attempts_t *out)
{
	int r = store_attempts_get(tx, name, row, out);

	if (r == SESAME_ERR_NOT_FOUND) {
		memset(out, 0, sizeof(*out));
		return SESAME_OK;
	}
	return r;
}

/* The rows of a name as seen from one source: read once per attempt, by
 * the gate, then updated by the count. */
struct rows {
	char key[SOURCE_KEY_MAX]; /* this source's row */
	store_attempts_t mine, account;
};

static int rows_get(store_tx_t *tx, const char *name, const char *rhost, struct rows *w)
{
	int r;

	row_of(rhost, w->key);
	if ((r = row_get(tx, name, w->key, &w->mine)) != SESAME_OK)
		return r;
	return row_get(tx, name, ACCOUNT_ROW, &w->account);
}

static int64_t rows_wait(const struct rows *w, int64_t now)
{
	int64_t mine = throttle_wait(w->mine.locked_until, now);
	int64_t account = throttle_wait(w->account.locked_until, now);

	return mine > account ? mine : account;
}

int attempt_wait(authd_t *d, store_tx_t *tx, const char *name, const char *rhost, int64_t now,
		 int64_t *wait, int *source_locked)
{
	struct rows rows;
	int64_t w;
	int r;

	*wait = 0;
	*source_locked = 0;
	if ((r = source_wait(d, tx, rhost, now, &w)) != SESAME_OK)
		return r;
	if (w > 0) {
		*wait = w;
		*source_locked = 1;
		return SESAME_OK;
	}
	if (name == NULL || *name == '\0')
		return SESAME_OK;
	if ((r = rows_get(tx, name, rhost, &rows)) != SESAME_OK)
		return r;
	*wait = rows_wait(&rows, now);
	return SESAME_OK;
}

int attempt_forgive(store_tx_t *tx, const char *name)
{
	return store_attempts_clear(tx, name);
}

int attempt_account(store_tx_t *tx, const char *name, int64_t now, unsigned *failures,
		    int64_t *wait)
{
	store_attempts_t account;
	int r = row_get(tx, name, ACCOUNT_ROW, &account);

	*failures = account.failures;
	*wait = r == SESAME_OK ? throttle_wait(account.locked_until, now) : 0;
	return r;
}

int attempt_longest_wait(store_tx_t *tx, const char *name, int64_t now, int64_t *wait)
{
	store_attempts_row_t *rows = NULL;
	size_t n = 0;
	int r = store_attempts_list(tx, name, 256, &rows, &n);

	*wait = 0;
	for (size_t i = 0; r == SESAME_OK && i < n; i++)
		if (throttle_wait(rows[i].a.locked_until, now) > *wait)
			*wait = throttle_wait(rows[i].a.locked_until, now);
	free(rows);
	return r;
}

static void say(attempt_t *a, const char *text)
{
	snprintf(a->message, sizeof(a->message), "%s", text);
}

/* Appends the sentence of a wait (of the source, or of this name) to the
 * message. */
static void say_wait(attempt_t *a, int source, int64_t wait)
{
	size_t len = strlen(a->message);

	if (len && len + 1 < sizeof(a->message))
		a->message[len++] = ' ';
	if (source)
		snprintf(a->message + len, sizeof(a->message) - len, ATTEMPT_SOURCE_LOCKED_FMT,
			 (long long)wait);
	else
		snprintf(a->message + len, sizeof(a->message) - len, ATTEMPT_LOCKED_FMT,
			 (long long)wait);
	if (wait > a->wait)
		a->wait = wait;
}

static const char *refusal_text(int outcome)
{
	switch (outcome) {
	case SESAME_ERR_WRONG_CODE:
		return "Wrong verification code.";
	case SESAME_ERR_REPLAY:
		return "This verification code was already used; wait for the next one.";
	case SESAME_ERR_NO_FACTOR:
		return ATTEMPT_NO_FACTOR_MESSAGE;
	case SESAME_ERR_WRONG_PASSWORD:
		return "Wrong user name or password.";
	case SESAME_ERR_PERMISSION:
		return "The passkey was not accepted.";
	default:
		return "Authentication failed.";
	}
}

static int audit(attempt_t *a, store_tx_t *tx, const char *reason)
{
	return audit_record(tx, a->now, a->user, a->service, a->rhost, a->factor->name,
			    a->result == ATTEMPT_SUCCESS ? "success" : "denied", reason);
}

/* A failure: counted for the name from this source (its own back-off),
 * for the account (the ceiling), and for the source (spraying). */
static int count_failure(attempt_t *a, store_tx_t *tx, struct rows *rows)
{
	static atomic_ulong purge_tick;
	authd_t *d = a->d;
	store_attempts_t *mine = rows ? &rows->mine : NULL, *account = rows ? &rows->account : NULL;
	int64_t source_wait_s = 0;
	unsigned delay;
	int r;

	if (rows != NULL) { /* a name to count it against */
		if (mine->failures < UINT32_MAX)
			mine->failures++;
		mine->last_failure = a->now;
		delay = throttle_delay(&d->throttle, mine->failures);
		mine->locked_until = delay ? a->now + (int64_t)delay : 0;
		if (account->failures < UINT32_MAX)
			account->failures++;
		account->last_failure = a->now;
		if (d->cfg.account_max_failures && account->failures >= d->cfg.account_max_failures)
			account->locked_until = a->now + (int64_t)d->cfg.account_lock_time;
		if ((r = store_attempts_set(tx, a->user, rows->key, mine)) != SESAME_OK ||
		    (r = store_attempts_set(tx, a->user, ACCOUNT_ROW, account)) != SESAME_OK)
			return r;
		if (delay)
			say_wait(a, 0, (int64_t)delay);
		if (throttle_wait(account->locked_until, a->now) > (int64_t)delay)
			say_wait(a, 0, throttle_wait(account->locked_until, a->now));
	}
	if ((r = source_failure(d, tx, a->rhost, a->now, &source_wait_s)) != SESAME_OK)
		return r;
	if (source_wait_s > a->wait)
		say_wait(a, 1, source_wait_s);
	/* rows of names nobody has tried for a month go (guessed names too) */
	if (atomic_fetch_add(&purge_tick, 1) % PURGE_EVERY == PURGE_EVERY - 1)
		return store_attempts_purge(tx, a->now - FORGET_AFTER);
	return SESAME_OK;
}

/* A success forgives this source's failures for the name and the
 * account's consecutive count; other sources keep theirs. */
static int forgive(attempt_t *a, store_tx_t *tx, const store_user_t *u, const struct rows *rows)
{
	int r;

	/* the rows were read by the gate: most successes have none to delete */
	if ((rows->mine.failures || rows->mine.locked_until) &&
	    (r = store_attempts_delete(tx, a->user, rows->key)) != SESAME_OK)
		return r;
	if ((rows->account.failures || rows->account.locked_until) &&
	    (r = store_attempts_delete(tx, a->user, ACCOUNT_ROW)) != SESAME_OK)
		return r;
	return store_user_set_success(tx, u->id, a->now);
}

static void deny(attempt_t *a, int reason, const char *message)
{
	a->result = ATTEMPT_DENIED;
	a->reason = reason;
	say(a, message);
}

static int attempt_tx(store_tx_t *tx, void *arg)
{
	static atomic_ulong spend_tick;
	attempt_t *a = arg;
	store_user_t u, *up = NULL;
	struct rows rows;
	int64_t wait;
	int r;

	/* the function may run more than once: outputs start afresh */
	a->result = ATTEMPT_DENIED;
	a->reason = SESAME_ERR_INTERNAL;
	a->wait = 0;
	a->user_id = 0;
	a->message[0] = '\0';
	a->outcome = SESAME_ERR_INTERNAL;
	a->why = NULL;
	a->refusal = NULL;

	if (a->spend != NULL) {
		r = store_flow_spend(tx, a->spend, a->spend_expires);
		if (r == SESAME_ERR_REPLAY) {
			deny(a, SESAME_ERR_EXPIRED,
			     "This login was already answered; start again.");
			return audit(a, tx, "flow_spent");
		}
		if (r != SESAME_OK)
			return r;
		/* the spent ids of tokens that expired go now and then */
		if (atomic_fetch_add(&spend_tick, 1) % PURGE_EVERY == PURGE_EVERY - 1 &&
		    (r = store_flow_purge(tx, a->now)) != SESAME_OK)
			return r;
	}
	if ((r = source_wait(a->d, tx, a->rhost, a->now, &wait)) != SESAME_OK)
		return r;
	if (wait > 0) { /* nothing is verified */
		deny(a, SESAME_ERR_LOCKED, "");
		say_wait(a, 1, wait);
		return audit(a, tx, SOURCE_LOCKED_REASON);
	}
	if (a->factor->identify != NULL) {
		r = a->factor->identify(a, tx);
		if (r == SESAME_ERR_NOT_FOUND) { /* no name to count it against: the source */
			deny(a, SESAME_ERR_NOT_FOUND, refusal_text(SESAME_ERR_PERMISSION));
			if ((r = count_failure(a, tx, NULL)) != SESAME_OK)
				return r;
			return audit(a, tx, a->why ? a->why : "not_found");
		}
		if (r != SESAME_OK)
			return r;
	}
	r = store_user_get(tx, a->user, &u);
	if (r != SESAME_OK && r != SESAME_ERR_NOT_FOUND)
		return r;
	if (r == SESAME_OK) {
		up = &u;
		a->user_id = u.id;
		if (u.disabled) {
			deny(a, SESAME_ERR_DISABLED, ATTEMPT_DISABLED_MESSAGE);
			return audit(a, tx, sesame_err_code(SESAME_ERR_DISABLED));
		}
	}
	if ((r = rows_get(tx, a->user, a->rhost, &rows)) != SESAME_OK)
		return r;
	if ((wait = rows_wait(&rows, a->now)) > 0) { /* known or not: the same answer */
		deny(a, SESAME_ERR_LOCKED, "");
		say_wait(a, 0, wait);
		return audit(a, tx, sesame_err_code(SESAME_ERR_LOCKED));
	}
	if ((r = a->factor->verify(a, tx, up)) != SESAME_OK)
		return r;
	if (a->outcome == SESAME_OK && up != NULL) {
		if (a->factor->forgives && (r = forgive(a, tx, up, &rows)) != SESAME_OK)
			return r;
		a->result = ATTEMPT_SUCCESS;
		a->reason = SESAME_OK;
		return audit(a, tx, "ok");
	}
	if (a->outcome == SESAME_OK) /* a factor cannot succeed without a record */
		a->outcome = SESAME_ERR_NO_FACTOR;
	deny(a, a->outcome, a->refusal ? a->refusal : refusal_text(a->outcome));
	if ((r = count_failure(a, tx, a->user[0] ? &rows : NULL)) != SESAME_OK)
		return r;
	return audit(a, tx, a->why ? a->why : sesame_err_code(a->outcome));
}

/* Whether a gate refuses before anything is verified (read only): then
 * the slow preparation is skipped and the write pass records the refusal. */
static int gated_tx(store_tx_t *tx, void *arg)
{
	attempt_t *a = arg;
	store_user_t u;
	int64_t wait;
	int source_locked, r;

	a->outcome = SESAME_OK;
	if ((r = attempt_wait(a->d, tx, a->user, a->rhost, a->now, &wait, &source_locked)) !=
	    SESAME_OK)
		return r;
	if (wait > 0) {
		a->outcome = SESAME_ERR_LOCKED;
		return SESAME_OK;
	}
	r = store_user_get(tx, a->user, &u);
	if (r == SESAME_OK && u.disabled)
		a->outcome = SESAME_ERR_DISABLED;
	return r == SESAME_ERR_NOT_FOUND ? SESAME_OK : r;
}

int attempt_run(attempt_t *a)
{
	int r = SESAME_OK;

	if (a->factor->prepare != NULL) {
		if ((r = store_read(a->d->store, gated_tx, a)) == SESAME_OK &&
		    a->outcome == SESAME_OK)
			r = a->factor->prepare(a);
	}
	if (r == SESAME_OK)
		r = store_run(a->d->store, attempt_tx, a);
	if (a->factor->release != NULL)
		a->factor->release(a);
	return r;
}
