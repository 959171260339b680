/* /v1/pam/...: the step protocol between pam_sesame.so and the policy. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "api.h"
#include "auth.h"
#include "pam_txn.h"
#include "sesame/error.h"
#include "sesame/log.h"

static json_t *step_json(authd_t *d, const auth_request_t *rq, const auth_step_t *s, int64_t now)
{
	char txn[SESAME_MAX_TXN + 1];
	static const char *const results[] = {"success", "denied", "unavailable"};

	if (s->kind == AUTH_STEP_PROMPT) {
		if (pam_txn_seal(d->keys, rq, now + SESAME_PAM_TXN_TTL, txn, sizeof(txn)) !=
		    SESAME_OK)
			return NULL;
		return json_pack("{s:s, s:s, s:s, s:s, s:b, s:i}", "step", "prompt", "txn", txn,
				 "factor", s->factor, "prompt", "Verification code: ", "echo", 0,
				 "digits", (int)s->digits);
	}
	json_t *o = json_pack(
	    "{s:s, s:s, s:s, s:s}", "step", "verdict", "result", results[s->result], "reason",
	    s->reason == SESAME_OK ? "ok" : sesame_err_code(s->reason), "message", s->message);
	if (o && s->factor[0])
		json_object_set_new(o, "factor", json_string(s->factor));
	if (o && s->wait > 0)
		json_object_set_new(o, "wait", json_integer(s->wait));
	return o;
}

/* The store or the keys failed: the verdict is "unavailable" (fail closed). */
static json_t *unavailable(void)
{
	return json_pack("{s:s, s:s, s:s, s:s}", "step", "verdict", "result", "unavailable",
			 "reason", "unavailable", "message",
			 sesame_err_message(SESAME_ERR_UNAVAILABLE));
}

int api_pam_start(authd_t *d, const authd_caller_t *c, json_t *req, json_t **reply,
		  api_error_t *err)
{
	static const char *const fields[] = {"user",   "service", "rhost", "tty",
					     "nullok", "suffix",  NULL};
	auth_request_t rq;
	auth_step_t step;
	const char *user, *service, *rhost, *tty;
	int nullok, suffix, r;
	int64_t now = (int64_t)time(NULL);

	if ((r = api_fields(req, fields, err)) || (r = api_user(req, "user", &user, err)) ||
	    (r = api_string(req, "service", 1, SESAME_MAX_SERVICE, NULL, &service, err)) ||
	    (r = api_string(req, "rhost", 0, SESAME_MAX_RHOST, "", &rhost, err)) ||
	    (r = api_string(req, "tty", 0, SESAME_MAX_TTY, "", &tty, err)) ||
	    (r = api_bool(req, "nullok", 0, &nullok, err)) ||
	    (r = api_bool(req, "suffix", 0, &suffix, err)) ||
	    (r = api_may_act_for(c, user, 1, err)))
		return r;
	if (service[0] == '\0')
		return SESAME_ERR_INVALID_ARGUMENT;
	memset(&rq, 0, sizeof(rq));
	snprintf(rq.user, sizeof(rq.user), "%s", user);
	snprintf(rq.service, sizeof(rq.service), "%s", service);
	snprintf(rq.rhost, sizeof(rq.rhost), "%s", rhost);
	snprintf(rq.tty, sizeof(rq.tty), "%s", tty);
	rq.nullok = nullok;
	r = auth_begin(d, &rq, now, &step);
	*reply = r == SESAME_OK ? step_json(d, &rq, &step, now) : unavailable();
	if (r != SESAME_OK)
		log_err("pam/start for %s: %s", user, sesame_err_code(r));
	return *reply ? SESAME_OK : SESAME_ERR_NOMEM;
}

int api_pam_continue(authd_t *d, const authd_caller_t *c, json_t *req, json_t **reply,
		     api_error_t *err)
{
	static const char *const fields[] = {"txn", "answer", NULL};
	auth_request_t rq;
	auth_step_t step;
	const char *txn, *answer;
	int64_t now = (int64_t)time(NULL);
	int r;

	if ((r = api_fields(req, fields, err)) ||
	    (r = api_string(req, "txn", 1, SESAME_MAX_TXN, NULL, &txn, err)))
		return r;
	/* Any text is a possible (wrong) answer: it is counted, not refused. */
	json_t *a = json_object_get(req, "answer");
	if (!json_is_string(a) || json_string_length(a) > SESAME_MAX_ANSWER) {
		snprintf(err->message, sizeof(err->message), "%s",
			 "The field \"answer\" must be a string of at most 256 bytes.");
		return SESAME_ERR_INVALID_ARGUMENT;
	}
	answer = json_string_value(a);
	r = pam_txn_open(d->keys, txn, now, &rq);
	if (r == SESAME_ERR_EXPIRED) {
		memset(&step, 0, sizeof(step));
		step.kind = AUTH_STEP_VERDICT;
		step.result = AUTH_DENIED;
		step.reason = SESAME_ERR_EXPIRED;
		snprintf(step.message, sizeof(step.message), "%s",
			 "The login took too long; start again.");
		*reply = step_json(d, &rq, &step, now);
		return *reply ? SESAME_OK : SESAME_ERR_NOMEM;
	}
	if (r != SESAME_OK) {
		snprintf(err->message, sizeof(err->message), "%s",
			 "The transaction token is not valid.");
		return SESAME_ERR_INVALID_ARGUMENT;
	}
	if ((r = api_may_act_for(c, rq.user, 1, err)) != SESAME_OK)
		return r;
	r = auth_answer(d, &rq, answer, now, &step);
	*reply = r == SESAME_OK ? step_json(d, &rq, &step, now) : unavailable();
	if (r != SESAME_OK)
		log_err("pam/continue for %s: %s", rq.user, sesame_err_code(r));
	return *reply ? SESAME_OK : SESAME_ERR_NOMEM;
}

int api_pam_account(authd_t *d, const authd_caller_t *c, json_t *req, json_t **reply,
		    api_error_t *err)
{
	static const char *const fields[] = {"user", "service", NULL};
	const char *user, *service;
	char message[192];
	int64_t wait = 0;
	int disabled = 0, r;

	if ((r = api_fields(req, fields, err)) || (r = api_user(req, "user", &user, err)) ||
	    (r = api_string(req, "service", 0, SESAME_MAX_SERVICE, "", &service, err)) ||
	    (r = api_may_act_for(c, user, 1, err)))
		return r;
	if ((r = auth_account(d, user, service, (int64_t)time(NULL), &wait, &disabled, message,
			      sizeof(message))))
		return r;
	/* a disabled account is also "locked": a module that predates
	 * "disabled" still denies it */
	*reply = json_pack("{s:s, s:b, s:I, s:b}", "user", user, "locked", wait > 0 || disabled,
			   "wait", (json_int_t)wait, "disabled", disabled);
	if (*reply && message[0])
		json_object_set_new(*reply, "message", json_string(message));
	return *reply ? SESAME_OK : SESAME_ERR_NOMEM;
}

int api_health(authd_t *d, const authd_caller_t *c, json_t *req, json_t **reply, api_error_t *err)
{
	(void)d;
	(void)c;
	(void)req;
	(void)err;
	*reply = json_pack("{s:s, s:s}", "status", "ok", "version", SESAME_VERSION);
	return *reply ? SESAME_OK : SESAME_ERR_NOMEM;
}
