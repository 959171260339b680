/* /v1/pam/...: the PAM door. Decodes the step protocol, asks the flow
 * (flow.h) for the next step, encodes it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api.h"
#include "flow.h"
#include "handoff.h"
#include "pam_txn.h"
#include "sesame/error.h"
#include "sesame/log.h"
#include "sesame/peer.h"

#define PAM_PROMPT_CODE "Verification code: "
#define PAM_PROMPT_CODE_OR_PASSKEY "Verification code (or press Enter to approve with a passkey): "

static json_t *step_json(authd_t *d, const flow_t *f, const flow_step_t *s)
{
	char txn[SESAME_MAX_TXN + 1];
	static const char *const results[] = {"success", "denied", "unavailable"};

	if (s->kind == FLOW_STEP_PROMPT) {
		char *text = NULL;
		json_t *o;
		int handoff = strcmp(s->factor, factor_handoff.name) == 0;

		if (pam_txn_seal(d->keys, f, txn, sizeof(txn)) != SESAME_OK ||
		    (handoff && handoff_prompt_text(d, s, &text) != SESAME_OK))
			return NULL;
		/* everything inside the prompt: OpenSSH shows a PAM_TEXT_INFO
		 * only with the next prompt (OpenSSH bug 2876) */
		o = json_pack("{s:s, s:s, s:s, s:s, s:b, s:i}", "step", "prompt", "txn", txn,
			      "factor", s->factor, "prompt",
			      handoff			      ? text
			      : (s->missing & FACTOR_HANDOFF) ? PAM_PROMPT_CODE_OR_PASSKEY
							      : PAM_PROMPT_CODE,
			      "echo", handoff, "digits", (int)s->digits);
		free(text);
		return o;
	}
	json_t *o = json_pack(
	    "{s:s, s:s, s:s, s:s}", "step", "verdict", "result", results[s->result], "reason",
	    s->reason == SESAME_OK ? "ok" : sesame_err_code(s->reason), "message", s->message);
	if (o && f->next[0])
		json_object_set_new(o, "factor", json_string(f->next));
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

/* rhost and tty: the client address decides whose failures count where,
 * so only root and pam_trusted_users may name one; from any other caller
 * the login is local. Checked wherever they come from. */
static int peer_fields(const authd_caller_t *c, json_t *req, flow_t *f, api_error_t *err)
{
	const char *rhost, *tty;
	int r;

	if ((r = api_string(req, "rhost", 0, SESAME_MAX_RHOST, "", &rhost, err)) ||
	    (r = api_string(req, "tty", 0, SESAME_MAX_TTY, "", &tty, err)))
		return r;
	if (!peer_rhost_valid(rhost, strlen(rhost))) {
		snprintf(err->message, sizeof(err->message), "%s",
			 "The field \"rhost\" must be an IP address or a host name.");
		return SESAME_ERR_INVALID_ARGUMENT;
	}
	if (!peer_tty_valid(tty, strlen(tty))) {
		snprintf(err->message, sizeof(err->message), "%s",
			 "The field \"tty\" must be a terminal name.");
		return SESAME_ERR_INVALID_ARGUMENT;
	}
	if (!c->is_root && !c->pam_trusted)
		rhost = tty = "";
	snprintf(f->rhost, sizeof(f->rhost), "%s", rhost);
	snprintf(f->tty, sizeof(f->tty), "%s", tty);
	return SESAME_OK;
}

int api_pam_start(authd_t *d, const authd_caller_t *c, json_t *req, json_t **reply,
		  api_error_t *err)
{
	static const char *const fields[] = {"user",   "service", "rhost", "tty",
					     "nullok", "suffix",  NULL};
	flow_t f;
	flow_step_t step;
	const char *user, *service;
	int nullok, suffix, r;
	int64_t now = (int64_t)time(NULL);

	memset(&f, 0, sizeof(f));
	if ((r = api_fields(req, fields, err)) || (r = api_user(req, "user", &user, err)) ||
	    (r = api_string(req, "service", 1, SESAME_MAX_SERVICE, NULL, &service, err)) ||
	    (r = peer_fields(c, req, &f, err)) || (r = api_bool(req, "nullok", 0, &nullok, err)) ||
	    (r = api_bool(req, "suffix", 0, &suffix, err)))
		return r;
	if (service[0] == '\0')
		return SESAME_ERR_INVALID_ARGUMENT;
	f.door = FLOW_PAM;
	snprintf(f.user, sizeof(f.user), "%s", user);
	snprintf(f.service, sizeof(f.service), "%s", service);
	f.nullok = nullok;
	r = flow_begin(d, &f, now, &step);
	*reply = r == SESAME_OK ? step_json(d, &f, &step) : unavailable();
	if (r != SESAME_OK)
		log_err("pam/start for %s: %s", user, sesame_err_code(r));
	return *reply ? SESAME_OK : SESAME_ERR_NOMEM;
}

int api_pam_continue(authd_t *d, const authd_caller_t *c, json_t *req, json_t **reply,
		     api_error_t *err)
{
	static const char *const fields[] = {"txn", "answer", NULL};
	flow_t f;
	flow_step_t step;
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
	r = pam_txn_open(d->keys, txn, now, &f);
	if (r == SESAME_ERR_EXPIRED) {
		memset(&step, 0, sizeof(step));
		step.kind = FLOW_STEP_VERDICT;
		step.result = AUTH_DENIED;
		step.reason = SESAME_ERR_EXPIRED;
		snprintf(step.message, sizeof(step.message), "%s",
			 "The login took too long; start again.");
		*reply = step_json(d, &f, &step);
		return *reply ? SESAME_OK : SESAME_ERR_NOMEM;
	}
	if (r != SESAME_OK) {
		snprintf(err->message, sizeof(err->message), "%s",
			 "The transaction token is not valid.");
		return SESAME_ERR_INVALID_ARGUMENT;
	}
	if ((r = api_may_act_for(c, f.user, 1, err)) != SESAME_OK)
		return r;
	r = flow_answer(d, &f, NULL, answer, now, &step);
	*reply = r == SESAME_OK ? step_json(d, &f, &step) : unavailable();
	if (r != SESAME_OK)
		log_err("pam/continue for %s: %s", f.user, sesame_err_code(r));
	return *reply ? SESAME_OK : SESAME_ERR_NOMEM;
}

int api_pam_account(authd_t *d, const authd_caller_t *c, json_t *req, json_t **reply,
		    api_error_t *err)
{
	(void)c; /* who may ask: the route table (api_util.c) */
	static const char *const fields[] = {"user", "service", NULL};
	const char *user, *service;
	char message[192];
	int64_t wait = 0;
	int disabled = 0, r;

	if ((r = api_fields(req, fields, err)) || (r = api_user(req, "user", &user, err)) ||
	    (r = api_string(req, "service", 0, SESAME_MAX_SERVICE, "", &service, err)))
		return r;
	if ((r = flow_account(d, user, service, (int64_t)time(NULL), &wait, &disabled, message,
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
