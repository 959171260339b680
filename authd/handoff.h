/* The terminal hand-off: a PAM login approved with a passkey in a browser.
 *
 * The PAM flow asks for the factor "handoff" (a user with a passkey, at a
 * terminal): handoff_open stores a request keyed by the flow's id (so
 * bound to that PAM conversation) with a short user code and an expiry
 * ([web] handoff_ttl, at most 5 minutes); the prompt carries the URL, the
 * code and a QR code. On the approval page the user, signed in with a
 * passkey of the same account, types the code, sees user, host, service,
 * client address and time, and approves (once) or denies; an approval
 * shows a number, which the user types at the terminal (number matching:
 * the approver must be at that terminal). Every step goes through the
 * attempt frame or is audited (factor "handoff"). */
#ifndef AUTHD_HANDOFF_H
#define AUTHD_HANDOFF_H

#include <stdint.h>

#include "authd.h"
#include "flow.h"

#define HANDOFF_CODE_CHARS 8 /* Crockford base32: 40 bits, typed "XXXX-XXXX" */
#define HANDOFF_NUMBER_DIGITS 3
#define HANDOFF_PATH "/h" /* the approval page, on the web listener */

/* Whether the hand-off can be offered: the web pages are configured. */
int handoff_usable(const authd_t *d);

/* After the flow made a prompt for factor_handoff: the request, keyed by
 * f->id; f->expires becomes its expiry; step->code and step->wait are
 * set. Audited "handoff" "ok" "request". replaces (NULL: none): the id of
 * the prompt this one replaces (a code prompt answered by Enter), spent
 * in the same transaction until replaces_expires. */
int handoff_open(authd_t *d, flow_t *f, const unsigned char *replaces, int64_t replaces_expires,
		 int64_t now, flow_step_t *step);

/* Before an answer to a hand-off prompt: when f's request still waits for
 * an approval, *waiting is set and step is the same prompt again (same
 * id, wait = the time left; audited "handoff" "waiting" "early"); else
 * the answer goes through the attempt frame (factor_handoff). */
int handoff_waiting(authd_t *d, const flow_t *f, int64_t now, flow_step_t *step, int *waiting);

/* The text of a hand-off prompt (step->code set: the first; else the
 * re-prompt saying the time left): malloc'd, NUL-terminated; the QR code
 * (Unicode half blocks) fits 80 columns. */
int handoff_prompt_text(const authd_t *d, const flow_step_t *step, char **text);

/* ---- the approval page ---- */

typedef enum { HANDOFF_LOOK, HANDOFF_APPROVE, HANDOFF_DENY } handoff_action_t;

typedef struct {
	char user[SESAME_MAX_USERNAME + 1];
	char service[SESAME_MAX_SERVICE + 1];
	char rhost[SESAME_MAX_RHOST + 1]; /* the terminal's client, as the daemon saw it */
	char host[256];			  /* this machine */
	int64_t created, expires;
	char number[HANDOFF_NUMBER_DIGITS + 1]; /* after an approval */
	int other_network;			/* the approver is not on the client's network */
} handoff_view_t;

/* One action of user (signed in on the web with a passkey) from rhost on
 * the request whose code is code, through the attempt frame (the source's
 * and the user's waits, a wrong code counted, audited). *result: SESAME_OK
 * (view filled), SESAME_ERR_WRONG_CODE (no waiting request of this user
 * has this code), SESAME_ERR_LOCKED (*wait seconds), SESAME_ERR_CONFLICT
 * (decided already), SESAME_ERR_DISABLED. */
int handoff_act(authd_t *d, const char *user, const char *code, handoff_action_t action,
		const char *rhost, int64_t now, handoff_view_t *view, int *result, int64_t *wait);

#endif
