/* The flow: one sign-in in progress, whatever the door (the PAM step loop,
 * the web pages; next OpenID Connect and the terminal hand-off). A door
 * decodes its transport and asks the flow for the next step; the flow asks
 * the door's requirement ([require]) what is still missing and runs each
 * answer through the attempt frame (attempt.h). What a flow proved is what
 * a session or an ID token states (factors, amr, auth_time).
 *
 * Where it lives: a PAM flow travels sealed in the transaction token that
 * the module carries (pam_txn.c), spent at its first answer; a web flow is
 * the session record (factors and auth_time columns). */
#ifndef AUTHD_FLOW_H
#define AUTHD_FLOW_H

#include <stdint.h>

#include "authd.h"
#include "factor.h"

typedef enum { FLOW_PAM, FLOW_WEB } flow_door_t;
typedef enum { AUTH_SUCCESS, AUTH_DENIED, AUTH_UNAVAILABLE } auth_result_t;

#define FLOW_ID_LEN STORE_FLOW_ID_LEN

typedef struct {
	flow_door_t door;
	char user[SESAME_MAX_USERNAME + 1];
	char service[SESAME_MAX_SERVICE + 1]; /* the PAM service, "web" */
	char rhost[SESAME_MAX_RHOST + 1];     /* as the daemon takes it ("" local) */
	char tty[SESAME_MAX_TTY + 1];
	int nullok;			 /* PAM: users without a factor pass */
	unsigned passed;		 /* FACTOR_* bits proved */
	int64_t passed_at[FACTOR_COUNT]; /* when, by factor_table index */
	int64_t auth_time;		 /* the last proof */
	char next[16];			 /* the factor asked for ("none": no usable one) */
	unsigned char id[FLOW_ID_LEN];	 /* PAM: spent at the first answer */
	int64_t expires;
} flow_t;

typedef enum { FLOW_STEP_PROMPT, FLOW_STEP_VERDICT } flow_step_kind_t;

typedef struct flow_step {
	flow_step_kind_t kind;
	/* prompt */
	char factor[16];  /* the factor asked for */
	unsigned digits;  /* of a code */
	unsigned missing; /* FACTOR_* bits that could complete the requirement */
	char code[16];	  /* a hand-off's first prompt: the code to type on its page */
	/* verdict */
	auth_result_t result;
	int reason;	   /* sesame_err_t; SESAME_OK on success */
	int64_t wait;	   /* seconds, when a wait applies */
	char message[192]; /* for the user */
} flow_step_t;

/* Parses [require] into d (at start). SESAME_ERR_CONFIG with a sentence. */
int flow_requirements_load(authd_t *d, char *err, size_t errsz);

/* The requirement of f's door. */
const requirement_t *flow_requirement(const authd_t *d, const flow_t *f);

/* The factors a door can ask for itself. */
unsigned flow_askable(flow_door_t door);

/* Starts f (door, user, service, rhost, tty, nullok set by the caller):
 * the first step — a prompt, or a verdict when nothing can be asked
 * (disabled, locked, nullok). Sets f->next, f->id, f->expires. */
int flow_begin(authd_t *d, flow_t *f, int64_t now, flow_step_t *step);

/* An answer for factor (NULL: the one f asked for, f->next) (in: its
 * input, see factor.h) within f: the
 * attempt frame (spending f->id for PAM), then the next step: a prompt
 * when the requirement needs more, else the verdict. f->passed and the
 * times are updated on success. */
int flow_answer(authd_t *d, flow_t *f, const factor_t *factor, const void *in, int64_t now,
		flow_step_t *step);

/* After a proof made elsewhere (a passkey ceremony of the web pages):
 * records it in f and says what is still missing (the step as above). */
int flow_proved(authd_t *d, flow_t *f, const factor_t *factor, int64_t now, flow_step_t *step);

/* Whether f proved a factor recently enough to change how its user signs
 * in ([web] reauth_after seconds; 0: always). */
int flow_recent(const authd_t *d, const flow_t *f, int64_t now);

/* The factors (FACTOR_* bits) that could still complete f's requirement
 * with what its user has; 0 when it is met or cannot be completed. */
int flow_missing(authd_t *d, const flow_t *f, unsigned *missing);

/* Account state for pam_sm_acct_mgmt: *wait > 0 when the account is
 * locked (its ceiling), *disabled when an administrator disabled it;
 * message says why (empty when neither). */
int flow_account(authd_t *d, const char *user, const char *service, int64_t now, int64_t *wait,
		 int *disabled, char *message, size_t msgsz);

#endif
