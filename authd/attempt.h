/* The attempt frame: one try of one factor by one (claimed) user from one
 * source, decided the same way at every door. In one store transaction:
 *
 *   spend the flow token (when the door gives one: single use)
 *   → the source waits?           (password spraying across accounts)
 *   → the factor names its user   (discoverable passkeys)
 *   → disabled?                   (an administrator's decision)
 *   → this name from this source waits? or the account reached its ceiling?
 *   → verify (the factor's entry)
 *   → count the failure (name+source, account, source), or, for a second
 *     factor, forgive it (a right password alone must not reopen guessing)
 *   → durable when something single-use was consumed
 *   → audit
 *
 * Unknown names go through the same gates, counters and sentences as
 * known ones, so that the answers do not tell who exists; one source's
 * failures slow that source down for that name, and only the account-wide
 * ceiling ([throttle] account_max_failures, NIST SP 800-63B §5.2.2) stops
 * every source. */
#ifndef AUTHD_ATTEMPT_H
#define AUTHD_ATTEMPT_H

#include <stdint.h>

#include "authd.h"
#include "factor.h"

typedef enum { ATTEMPT_SUCCESS, ATTEMPT_DENIED } attempt_result_t;

struct attempt {
	/* in */
	authd_t *d;
	const factor_t *factor;
	char user[SESAME_MAX_USERNAME + 1]; /* the name tried ("" until identify) */
	const char *service;		    /* the door: PAM service, "web", ... */
	const char *rhost;		    /* as the daemon knows it ("" local) */
	int64_t now;
	const void *in;		    /* the factor's input (code, password, assertion) */
	const unsigned char *spend; /* a flow id to spend (STORE_FLOW_ID_LEN), or NULL */
	int64_t spend_expires;	    /* until when the spent id is remembered */
	void *state;		    /* the factor's, between prepare and verify */
	/* set by the factor's verify */
	int outcome;	     /* SESAME_OK or the refusal (SESAME_ERR_*) */
	const char *why;     /* the audited reason of a refusal (default: outcome's code) */
	const char *refusal; /* the sentence of a refusal (default: the outcome's) */
	/* out */
	attempt_result_t result;
	int reason;	   /* SESAME_OK, or why it was denied (SESAME_ERR_*) */
	int64_t wait;	   /* seconds, when a wait applies (locked now or by this failure) */
	int64_t user_id;   /* the user's record, 0 when none */
	char message[192]; /* for the user (English; doors may say it their way) */
};

/* Runs a (a->d, factor, user or identify, service, rhost, now, in set by
 * the caller; the rest zeroed). Returns a store or crypto error (then
 * nothing was decided: the door answers "unavailable"); SESAME_OK with the
 * verdict in a->result, a->reason, a->wait, a->message otherwise. */
int attempt_run(attempt_t *a);

/* Whether name may try from rhost now, read only (the doors' "locked?"
 * before asking anything): the longest wait of the source, the name from
 * this source and the account, 0 when none. */
int attempt_wait(authd_t *d, store_tx_t *tx, const char *name, const char *rhost, int64_t now,
		 int64_t *wait, int *source_locked);

/* Forgets the failures of name from every source (an administrator's
 * unlock, a new password set by an administrator). */
int attempt_forgive(store_tx_t *tx, const char *name);

/* The account-wide state of name: consecutive failures and the wait. */
int attempt_account(store_tx_t *tx, const char *name, int64_t now, unsigned *failures,
		    int64_t *wait);

/* The longest wait of name from any source (the account's included). */
int attempt_longest_wait(store_tx_t *tx, const char *name, int64_t now, int64_t *wait);

/* Sentences told at every door. */
#define ATTEMPT_LOCKED_FMT "Too many failed attempts; try again in %lld seconds."
#define ATTEMPT_SOURCE_LOCKED_FMT                                                                  \
	"Too many failed attempts from your address; try again in %lld seconds."
#define ATTEMPT_DISABLED_MESSAGE "This account is disabled."
#define ATTEMPT_NO_FACTOR_MESSAGE                                                                  \
	"Authentication failed. This login needs a code from an authenticator app: add one "       \
	"on your account page, or ask your administrator."
#define ATTEMPT_ACCOUNT_LOCKED_REASON "account_locked"

#endif
