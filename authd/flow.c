/* The flow (see flow.h): what each door requires, what is asked next,
 * and the verdict. */
#include <openssl/rand.h>
#include <stdio.h>
#include <string.h>

#include "attempt.h"
#include "audit.h"
#include "flow.h"
#include "handoff.h"
#include "sesame/error.h"
#include "source.h"
#include "throttle.h"
#include "usercode.h"

int flow_requirements_load(authd_t *d, char *err, size_t errsz)
{
	const require_config_t *rc = &d->cfg.require;
	char why[256];

	if (requirement_parse(rc->pam, flow_askable(FLOW_PAM), &d->require_pam, why, sizeof(why)) !=
	    SESAME_OK) {
		snprintf(err, errsz, "require.pam: %s", why);
		return SESAME_ERR_CONFIG;
	}
	for (size_t i = 0; i < rc->n_services; i++)
		if (requirement_parse(rc->service_rules[i], flow_askable(FLOW_PAM),
				      &d->require_services[i], why, sizeof(why)) != SESAME_OK) {
			snprintf(err, errsz, "require.pam.%s: %s", rc->services[i], why);
			return SESAME_ERR_CONFIG;
		}
	if (requirement_parse(rc->web, flow_askable(FLOW_WEB), &d->require_web, why, sizeof(why)) !=
	    SESAME_OK) {
		snprintf(err, errsz, "require.web: %s", why);
		return SESAME_ERR_CONFIG;
	}
	/* the sign-in form starts with a password; a passkey signs in alone */
	for (size_t i = 0; i < d->require_web.n; i++) {
		const requirement_alt_t *a = &d->require_web.alt[i];
		if (!(a->all & FACTOR_PASSWORD) && !(a->all == FACTOR_PASSKEY && !a->second)) {
			snprintf(err, errsz,
				 "require.web: \"%s\": each alternative starts with password, or "
				 "is passkey alone",
				 rc->web);
			return SESAME_ERR_CONFIG;
		}
	}
	return SESAME_OK;
}

const requirement_t *flow_requirement(const authd_t *d, const flow_t *f)
{
	if (f->door == FLOW_WEB)
		return &d->require_web;
	for (size_t i = 0; i < d->cfg.require.n_services; i++)
		if (strcmp(d->cfg.require.services[i], f->service) == 0)
			return &d->require_services[i];
	return &d->require_pam;
}

unsigned flow_askable(flow_door_t door)
{
	/* the password of a PAM service is the stack's (pam_unix) before
	 * pam_sesame; a terminal cannot hold a passkey ceremony */
	/* ... but the user's browser can: the hand-off (handoff.c) */
	return door == FLOW_PAM ? FACTOR_TOTP | FACTOR_RECOVERY | FACTOR_HANDOFF
				: FACTOR_ALL & ~FACTOR_HANDOFF;
}

/* What the door can ask here: the hand-off needs the web pages. */
static unsigned door_usable(const authd_t *d, flow_door_t door)
{
	unsigned askable = flow_askable(door);

	return handoff_usable(d) ? askable : askable & ~FACTOR_HANDOFF;
}

static void verdict(flow_step_t *step, auth_result_t result, int reason, const char *message)
{
	step->kind = FLOW_STEP_VERDICT;
	step->result = result;
	step->reason = reason;
	snprintf(step->message, sizeof(step->message), "%s", message);
}

/* The lowest factor bit of mask, in the table's order. */
static const factor_t *first_of(unsigned mask)
{
	for (size_t i = 0; i < FACTOR_COUNT; i++)
		if (mask & factor_table[i]->bit)
			return factor_table[i];
	return NULL;
}

/* A new prompt of f: a fresh id (single use) and expiry. */
static int prompt(flow_t *f, const char *factor, unsigned digits, unsigned missing, int64_t now,
		  flow_step_t *step)
{
	step->kind = FLOW_STEP_PROMPT;
	snprintf(step->factor, sizeof(step->factor), "%s", factor);
	snprintf(f->next, sizeof(f->next), "%s", factor);
	step->digits = digits ? digits : 6;
	step->missing = missing;
	f->expires = now + SESAME_PAM_TXN_TTL;
	return RAND_bytes(f->id, sizeof(f->id)) == 1 ? SESAME_OK : SESAME_ERR_CRYPTO;
}

/* A prompt of the door: a hand-off also opens its request (handoff.c). */
static int door_prompt(authd_t *d, flow_t *f, const char *factor, unsigned digits, unsigned missing,
		       int64_t now, flow_step_t *step)
{
	unsigned char before[FLOW_ID_LEN];
	int64_t before_expires = f->expires;
	unsigned char any = 0;
	int r;

	memcpy(before, f->id, FLOW_ID_LEN);
	for (size_t i = 0; i < FLOW_ID_LEN; i++)
		any |= before[i];
	r = prompt(f, factor, digits, missing, now, step);
	/* a hand-off opens its request; the prompt it replaces (if any) is spent */
	if (r == SESAME_OK && strcmp(factor, factor_handoff.name) == 0)
		r = handoff_open(d, f, any ? before : NULL, before_expires, now, step);
	return r;
}

/* ---- the first step (PAM) ---- */

struct begin_ctx {
	authd_t *d;
	flow_t *f;
	int64_t now;
	flow_step_t *step;
	int need_write; /* a read-only pass found a verdict that must be recorded */
	unsigned enrolled, detail[FACTOR_COUNT];
	int variant; /* a user record differs from the name only by case */
};

static int begin_audit(struct begin_ctx *c, store_tx_t *tx, const char *factor, const char *reason)
{
	if (store_tx_readonly(tx)) {
		c->need_write = 1;
		return SESAME_OK;
	}
	return audit_record(tx, c->now, c->f->user, c->f->service, c->f->rhost, factor,
			    c->step->result == AUTH_SUCCESS ? "success" : "denied", reason);
}

static int begin_tx(store_tx_t *tx, void *arg)
{
	struct begin_ctx *c = arg;
	flow_t *f = c->f;
	char canonical[SESAME_MAX_USERNAME + 1];
	store_user_t u;
	int64_t wait;
	int r, source_locked, known;
	unsigned missing;

	memset(c->step, 0, sizeof(*c->step));
	c->enrolled = 0;
	memset(c->detail, 0, sizeof(c->detail));
	c->variant = 0;
	r = store_user_get(tx, f->user, &u);
	if (r != SESAME_OK && r != SESAME_ERR_NOT_FOUND)
		return r;
	known = r == SESAME_OK;
	if (known && u.disabled) {
		/* an administrator's decision, not a secret: said at once */
		verdict(c->step, AUTH_DENIED, SESAME_ERR_DISABLED, ATTEMPT_DISABLED_MESSAGE);
		return begin_audit(c, tx, "none", sesame_err_code(SESAME_ERR_DISABLED));
	}
	if (r == SESAME_ERR_NOT_FOUND) {
		/* "ALICE" is not a user without a factor when "alice" has one */
		r = store_user_find_folded(tx, f->user, canonical);
		if (r != SESAME_OK && r != SESAME_ERR_NOT_FOUND)
			return r;
		c->variant = r == SESAME_OK;
	} else {
		/* what this door can ask first: most users have it, and the
		 * rest matters only when they do not */
		if ((r = factor_enrolled_mask(tx, &u, door_usable(c->d, f->door), &c->enrolled,
					      c->detail)) != SESAME_OK)
			return r;
	}
	if ((r = attempt_wait(c->d, tx, f->user, f->rhost, c->now, &wait, &source_locked)) !=
	    SESAME_OK)
		return r;
	/* a waiting source is told at the answer, as before any prompt it
	 * would tell an outsider nothing more */
	if (wait > 0 && !source_locked) { /* known or not, the same answer */
		verdict(c->step, AUTH_DENIED, SESAME_ERR_LOCKED, "");
		snprintf(c->step->message, sizeof(c->step->message), ATTEMPT_LOCKED_FMT,
			 (long long)wait);
		c->step->wait = wait;
		return begin_audit(c, tx, "totp", sesame_err_code(SESAME_ERR_LOCKED));
	}
	missing = requirement_missing(flow_requirement(c->d, f), f->passed, c->enrolled,
				      door_usable(c->d, f->door));
	if (missing != 0) {
		c->step->kind = FLOW_STEP_PROMPT;
		c->step->missing = missing;
		return SESAME_OK;
	}
	if (known && f->nullok) { /* the rest of what the user has: a passkey is a factor */
		unsigned rest = 0;
		if ((r = factor_enrolled_mask(tx, &u, FACTOR_ALL & ~flow_askable(f->door), &rest,
					      c->detail)) != SESAME_OK)
			return r;
		c->enrolled |= rest;
	}
	if (f->nullok && !(c->enrolled & FACTOR_SECOND) && !c->variant) {
		verdict(c->step, AUTH_SUCCESS, SESAME_OK, "");
		return begin_audit(c, tx, "none", "nullok");
	}
	/* Nothing this door can ask: still asked for a code and then denied,
	 * so that the prompt does not tell an outsider who is enrolled. */
	c->step->kind = FLOW_STEP_PROMPT;
	c->step->missing = 0;
	return SESAME_OK;
}

int flow_begin(authd_t *d, flow_t *f, int64_t now, flow_step_t *step)
{
	struct begin_ctx c = {d, f, now, step, 0, 0, {0}, 0};
	unsigned missing;
	int r;

	/* most first steps only read; a verdict here (disabled, locked,
	 * nullok) is recorded by a write pass that decides again */
	r = store_read(d->store, begin_tx, &c);
	if (r == SESAME_OK && c.need_write)
		r = store_run(d->store, begin_tx, &c);
	if (r != SESAME_OK || step->kind != FLOW_STEP_PROMPT)
		return r;
	missing = step->missing;
	/* a code prompt says how many digits the user's authenticator has */
	return door_prompt(d, f, missing ? first_of(missing)->name : "none",
			   c.detail[factor_index(&factor_totp)], missing, now, step);
}

/* ---- answers ---- */

struct enrolled_ctx {
	const char *user;
	unsigned mask;
};

static int enrolled_tx(store_tx_t *tx, void *arg)
{
	struct enrolled_ctx *c = arg;
	store_user_t u;
	int r = store_user_get(tx, c->user, &u);

	c->mask = 0;
	if (r == SESAME_ERR_NOT_FOUND)
		return SESAME_OK;
	return r == SESAME_OK ? factor_enrolled_mask(tx, &u, FACTOR_ALL, &c->mask, NULL) : r;
}

int flow_recent(const authd_t *d, const flow_t *f, int64_t now)
{
	unsigned after = d->cfg.web.reauth_after;

	return after == 0 || (f->auth_time > 0 && now - f->auth_time < (int64_t)after);
}

int flow_missing(authd_t *d, const flow_t *f, unsigned *missing)
{
	struct enrolled_ctx c = {f->user, 0};
	int r;

	*missing = 0;
	if (requirement_met(flow_requirement(d, f), f->passed))
		return SESAME_OK;
	if ((r = store_read(d->store, enrolled_tx, &c)) != SESAME_OK)
		return r;
	*missing =
	    requirement_missing(flow_requirement(d, f), f->passed, c.mask, door_usable(d, f->door));
	return SESAME_OK;
}

int flow_proved(authd_t *d, flow_t *f, const factor_t *factor, int64_t now, flow_step_t *step)
{
	unsigned missing;
	int r;

	memset(step, 0, sizeof(*step));
	f->passed |= factor->bit;
	f->passed_at[factor_index(factor)] = now;
	f->auth_time = now;
	if (requirement_met(flow_requirement(d, f), f->passed)) {
		verdict(step, AUTH_SUCCESS, SESAME_OK, "");
		return SESAME_OK;
	}
	/* what the user has is read only now: most proofs meet the requirement */
	if ((r = flow_missing(d, f, &missing)) != SESAME_OK)
		return r;
	if (missing == 0) { /* nothing the user has can complete it */
		verdict(step, AUTH_DENIED, SESAME_ERR_NO_FACTOR, ATTEMPT_NO_FACTOR_MESSAGE);
		return SESAME_OK;
	}
	return door_prompt(d, f, first_of(missing)->name, 0, missing, now, step);
}

int flow_answer(authd_t *d, flow_t *f, const factor_t *factor, const void *in, int64_t now,
		flow_step_t *step)
{
	attempt_t a;
	int r;

	/* a one-time login code, typed at any code or hand-off prompt */
	if (factor == NULL && f->door == FLOW_PAM && usercode_login_shaped(in) &&
	    (door_usable(d, f->door) & FACTOR_HANDOFF) &&
	    requirement_met(flow_requirement(d, f), f->passed | FACTOR_HANDOFF))
		factor = &factor_logincode;
	if (factor == NULL && f->door == FLOW_PAM && strcmp(f->next, factor_handoff.name) == 0) {
		int waiting; /* Enter before the approval: asked again, not counted */
		if ((r = handoff_waiting(d, f, now, step, &waiting)) != SESAME_OK || waiting)
			return r;
	}
	if (factor == NULL && f->door == FLOW_PAM && strcmp(f->next, factor_totp.name) == 0 &&
	    in != NULL && *(const char *)in == '\0') {
		unsigned missing; /* the empty answer to a code prompt: the user chose a passkey */
		if ((r = flow_missing(d, f, &missing)) != SESAME_OK)
			return r;
		if (missing & FACTOR_HANDOFF) {
			memset(step, 0, sizeof(*step));
			return door_prompt(d, f, factor_handoff.name, 0, missing, now, step);
		}
	}
	/* the factor asked for; when nothing could be asked ("none"), the
	 * answer is checked as a code and fails like a wrong one */
	if (factor == NULL &&
	    ((factor = factor_by_name(f->next)) == NULL || !(factor->bit & flow_askable(f->door))))
		factor = &factor_totp;
	/* a code prompt takes a recovery code too: told apart by its shape */
	if ((factor == &factor_totp || factor == &factor_recovery) &&
	    (flow_askable(f->door) & FACTOR_RECOVERY))
		factor = usercode_shaped(in) ? &factor_recovery : &factor_totp;
	memset(step, 0, sizeof(*step));
	memset(&a, 0, sizeof(a));
	a.d = d;
	a.factor = factor;
	snprintf(a.user, sizeof(a.user), "%s", f->user);
	a.service = f->service;
	a.rhost = f->rhost;
	a.now = now;
	a.in = in;
	if (f->door == FLOW_PAM) { /* one answer per token */
		a.spend = f->id;
		a.spend_expires = f->expires;
	}
	if ((r = attempt_run(&a)) != SESAME_OK)
		return r;
	if (a.result != ATTEMPT_SUCCESS) {
		verdict(step, AUTH_DENIED, a.reason, a.message);
		step->wait = a.wait;
		return SESAME_OK;
	}
	return flow_proved(d, f, factor, now, step);
}

/* ---- account state (pam_sm_acct_mgmt) ---- */

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
	unsigned failures;
	int r = store_user_get(tx, c->user, &u);

	c->disabled = 0;
	c->wait = 0;
	if (r == SESAME_ERR_NOT_FOUND)
		return SESAME_OK;
	if (r != SESAME_OK)
		return r;
	c->disabled = u.disabled;
	if ((r = attempt_account(tx, c->user, c->now, &failures, &c->wait)) != SESAME_OK)
		return r;
	if ((c->disabled || c->wait > 0) && !store_tx_readonly(tx))
		return audit_record(tx, c->now, c->user, c->service, "", "account", "denied",
				    c->disabled ? sesame_err_code(SESAME_ERR_DISABLED) : "locked");
	return SESAME_OK;
}

int flow_account(authd_t *d, const char *user, const char *service, int64_t now, int64_t *wait,
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
		snprintf(message, msgsz, "%s", ATTEMPT_DISABLED_MESSAGE);
	else if (r == SESAME_OK && c.wait > 0)
		snprintf(
		    message, msgsz,
		    "Account locked after too many failed attempts; try again in %lld seconds.",
		    (long long)c.wait);
	return r;
}
