/* The terminal hand-off (see handoff.h): the request a PAM flow opens,
 * its prompt, the approval page's actions, and the factor entry that
 * checks the number typed at the terminal. */
#include <arpa/inet.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "attempt.h"
#include "audit.h"
#include "handoff.h"
#include "sesame/error.h"
#include "sesame/log.h"
#include "sesame/qr.h"
#include "usercode.h"

#define HANDOFF_PURGE_AFTER 3600 /* seconds a finished request stays for the record */

int handoff_usable(const authd_t *d)
{
	return d->cfg.web.listen[0] != '\0';
}

/* The code as shown: upper case, "XXXX-XXXX". */
static void handoff_code_show(const char *norm, char out[16])
{
	size_t t = 0;

	for (size_t i = 0; i < HANDOFF_CODE_CHARS; i++) {
		char ch = norm[i];
		if (i == HANDOFF_CODE_CHARS / 2)
			out[t++] = '-';
		out[t++] = (char)(ch >= 'a' && ch <= 'z' ? ch - 'a' + 'A' : ch);
	}
	out[t] = '\0';
}

/* ---- the request (PAM side) ---- */

struct open_ctx {
	const flow_t *f;
	const unsigned char *replaces;
	int64_t replaces_expires;
	int64_t now;
	unsigned char hash[STORE_CODE_HASH_LEN];
};

static int open_tx(store_tx_t *tx, void *arg)
{
	struct open_ctx *c = arg;
	store_handoff_t h;
	int r;

	if ((r = store_handoff_purge(tx, c->now - HANDOFF_PURGE_AFTER)) != SESAME_OK)
		return r;
	/* the prompt this one replaces answers no more (REPLAY: it did already) */
	if (c->replaces != NULL &&
	    (r = store_flow_spend(tx, c->replaces, c->replaces_expires)) != SESAME_OK &&
	    r != SESAME_ERR_REPLAY)
		return r;
	memset(&h, 0, sizeof(h));
	memcpy(h.flow_id, c->f->id, STORE_FLOW_ID_LEN);
	snprintf(h.user, sizeof(h.user), "%s", c->f->user);
	snprintf(h.service, sizeof(h.service), "%s", c->f->service);
	snprintf(h.rhost, sizeof(h.rhost), "%s", c->f->rhost);
	h.created = c->now;
	h.expires = c->f->expires;
	if ((r = store_handoff_add(tx, &h, c->hash)) != SESAME_OK)
		return r;
	return audit_record(tx, c->now, c->f->user, c->f->service, c->f->rhost, "handoff", "ok",
			    "request");
}

int handoff_open(authd_t *d, flow_t *f, const unsigned char *replaces, int64_t replaces_expires,
		 int64_t now, flow_step_t *step)
{
	struct open_ctx c;
	char norm[HANDOFF_CODE_CHARS + 1];
	int r;

	memset(&c, 0, sizeof(c));
	c.f = f;
	c.replaces = replaces;
	c.replaces_expires = replaces_expires;
	c.now = now;
	f->expires = now + (int64_t)d->cfg.web.handoff_ttl;
	if ((r = usercode_random(HANDOFF_CODE_CHARS, norm)) != SESAME_OK ||
	    (r = usercode_digest(norm, HANDOFF_CODE_CHARS, c.hash)) != SESAME_OK)
		goto out;
	if ((r = store_run(d->store, open_tx, &c)) != SESAME_OK)
		goto out;
	handoff_code_show(norm, step->code);
	step->wait = f->expires - now;
out:
	OPENSSL_cleanse(norm, sizeof(norm));
	return r;
}

struct waiting_ctx {
	const unsigned char *id;
	int64_t now;
	int found, waiting;
	int64_t expires;
};

static int waiting_tx(store_tx_t *tx, void *arg)
{
	struct waiting_ctx *c = arg;
	store_handoff_t h;
	int r = store_handoff_by_flow(tx, c->id, &h);

	c->found = r == SESAME_OK;
	c->waiting = 0;
	if (r == SESAME_ERR_NOT_FOUND)
		return SESAME_OK;
	if (r != SESAME_OK)
		return r;
	c->expires = h.expires;
	c->waiting = h.state == STORE_HANDOFF_WAITING && h.expires > c->now;
	return SESAME_OK;
}

int handoff_waiting(authd_t *d, const flow_t *f, int64_t now, flow_step_t *step, int *waiting)
{
	struct waiting_ctx c = {f->id, now, 0, 0, 0};
	int r;

	*waiting = 0;
	if ((r = store_read(d->store, waiting_tx, &c)) != SESAME_OK || !c.waiting)
		return r;
	memset(step, 0, sizeof(*step));
	step->kind = FLOW_STEP_PROMPT;
	snprintf(step->factor, sizeof(step->factor), "%s", factor_handoff.name);
	step->missing = FACTOR_HANDOFF;
	step->wait = c.expires - now;
	snprintf(step->message, sizeof(step->message), "Not approved yet; %lld min %lld s left.",
		 (long long)(step->wait / 60), (long long)(step->wait % 60));
	*waiting = 1;
	/* Enter pressed too early: not a failure, but a step of the record */
	return audit_event(d->store, now, f->user, f->service, f->rhost, "handoff", "waiting",
			   "early");
}

/* The URL of the approval page, with the code when [web] handoff_link. */
static void handoff_url(const authd_t *d, const char *code, char *out, size_t outsz)
{
	char base[SESAME_MAX_ORIGIN + 1], norm[HANDOFF_CODE_CHARS + 1];

	config_web_public_url(&d->cfg.web, base);
	if (d->cfg.web.handoff_link && code != NULL &&
	    usercode_canonical(code, HANDOFF_CODE_CHARS, norm))
		snprintf(out, outsz, "%s%s?c=%s", base, HANDOFF_PATH, norm);
	else
		snprintf(out, outsz, "%s%s", base, HANDOFF_PATH);
}

int handoff_prompt_text(const authd_t *d, const flow_step_t *step, char **text)
{
	char url[SESAME_MAX_ORIGIN + 64];
	char *buf = NULL;
	size_t len = 0;
	FILE *out;
	int r = SESAME_OK;

	*text = NULL;
	if ((out = open_memstream(&buf, &len)) == NULL)
		return SESAME_ERR_NOMEM;
	if (step->code[0] == '\0') { /* the re-prompt: the rest is on the screen already */
		fprintf(out, "%s Type the number the page shows once you have approved: ",
			step->message);
		goto done;
	}
	handoff_url(d, step->code, url, sizeof(url));
	fprintf(out,
		"Approve this login with your passkey, on any device:\n"
		"  1. open %s  (or scan the code below)\n"
		"  2. sign in with your passkey and type the code  %s\n"
		"  3. check what you approve: approve only a login you just started\n"
		"  4. type here the number the page then shows\n",
		url, step->code);
	r = qr_print(out, url);
	fprintf(out,
		"The request expires in %lld min %lld s. Number: ", (long long)(step->wait / 60),
		(long long)(step->wait % 60));
done:
	if (fclose(out) != 0 && r == SESAME_OK)
		r = SESAME_ERR_NOMEM;
	if (r != SESAME_OK) {
		free(buf);
		return r;
	}
	*text = buf;
	return SESAME_OK;
}

/* ---- the number at the terminal: the factor entry ---- */

static int handoff_enrolled(store_tx_t *tx, const store_user_t *u, unsigned *count)
{
	size_t n = 0;
	int r = store_webauthn_count(tx, u->id, &n);

	*count = n > 0xffff ? 0xffff : (unsigned)n;
	return r;
}

/* The answer is the number the approval page showed; the request is the
 * one the flow opened (a->spend: the PAM flow id), used once. */
static int handoff_verify(attempt_t *a, store_tx_t *tx, const store_user_t *u)
{
	char typed[HANDOFF_NUMBER_DIGITS + 1];
	const char *in = a->in ? a->in : "";
	store_handoff_t h;
	size_t n = 0;
	int r;

	a->outcome = SESAME_ERR_NO_FACTOR;
	a->why = "handoff_missing";
	if (u == NULL || a->spend == NULL)
		return SESAME_OK;
	r = store_handoff_by_flow(tx, a->spend, &h);
	if (r == SESAME_ERR_NOT_FOUND || (r == SESAME_OK && strcmp(h.user, a->user) != 0))
		return SESAME_OK;
	if (r != SESAME_OK)
		return r;
	if (h.state == STORE_HANDOFF_DENIED) {
		a->outcome = SESAME_ERR_PERMISSION;
		a->why = "handoff_denied";
		a->refusal = "The login was denied on the approval page.";
		return SESAME_OK;
	}
	if (h.state == STORE_HANDOFF_USED) {
		a->outcome = SESAME_ERR_REPLAY;
		a->why = "handoff_used";
		return SESAME_OK;
	}
	if (h.expires <= a->now || h.state != STORE_HANDOFF_APPROVED) {
		a->outcome = SESAME_ERR_EXPIRED;
		a->why = h.expires <= a->now ? "handoff_expired" : "handoff_waiting";
		a->refusal = h.expires <= a->now
				 ? "The approval request expired; start the login again."
				 : "The login was not approved in time; start it again.";
		return SESAME_OK;
	}
	/* the digits typed, spaces around them left out */
	memset(typed, 0, sizeof(typed));
	while (*in == ' ')
		in++;
	while (*in >= '0' && *in <= '9' && n < HANDOFF_NUMBER_DIGITS)
		typed[n++] = *in++;
	while (*in == ' ' || *in == '\n')
		in++;
	a->outcome = SESAME_ERR_WRONG_CODE;
	a->why = "handoff_number";
	a->refusal = "Wrong number; start the login again.";
	if (*in != '\0' || n != HANDOFF_NUMBER_DIGITS ||
	    CRYPTO_memcmp(typed, h.number, HANDOFF_NUMBER_DIGITS + 1) != 0)
		return SESAME_OK;
	r = store_handoff_use(tx, a->spend, a->now);
	if (r == SESAME_ERR_CONFLICT) {
		a->outcome = SESAME_ERR_REPLAY;
		a->why = "handoff_used";
		a->refusal = NULL;
		return SESAME_OK;
	}
	if (r != SESAME_OK)
		return r;
	a->outcome = SESAME_OK;
	a->why = NULL;
	a->refusal = NULL;
	store_tx_durable(tx); /* a used approval stays used */
	return SESAME_OK;
}

const factor_t factor_handoff = {
    .name = "handoff",
    .bit = FACTOR_HANDOFF,
    .amr = "hwk", /* a passkey, on another device */
    .forgives = 1,
    .enrolled = handoff_enrolled,
    .prepare = NULL,
    .identify = NULL,
    .verify = handoff_verify,
    .release = NULL,
};

/* ---- the approval page ---- */

/* Whether two client addresses are on one network (IPv4 /24, IPv6 /64;
 * a local login and a loopback address are one place). */
static int handoff_same_network(const char *a, const char *b)
{
	unsigned char x[16], y[16];
	int local_a = a[0] == '\0' || strcmp(a, "127.0.0.1") == 0 || strcmp(a, "::1") == 0;
	int local_b = b[0] == '\0' || strcmp(b, "127.0.0.1") == 0 || strcmp(b, "::1") == 0;

	if (local_a || local_b)
		return local_a && local_b;
	if (inet_pton(AF_INET, a, x) == 1 && inet_pton(AF_INET, b, y) == 1)
		return memcmp(x, y, 3) == 0;
	if (inet_pton(AF_INET6, a, x) == 1 && inet_pton(AF_INET6, b, y) == 1)
		return memcmp(x, y, 8) == 0;
	return strcmp(a, b) == 0;
}

static int handoff_number(char out[HANDOFF_NUMBER_DIGITS + 1])
{
	unsigned char raw[2];
	unsigned v;

	do { /* uniform over 000..999 */
		if (RAND_bytes(raw, sizeof(raw)) != 1)
			return SESAME_ERR_CRYPTO;
		v = (unsigned)raw[0] << 8 | raw[1];
	} while (v >= 64000);
	snprintf(out, HANDOFF_NUMBER_DIGITS + 1, "%03u", v % 1000);
	return SESAME_OK;
}

struct approval {
	const char *code;
	handoff_action_t action;
	handoff_view_t *view;
};

static int approval_enrolled(store_tx_t *tx, const store_user_t *u, unsigned *count)
{
	return handoff_enrolled(tx, u, count);
}

static int approval_verify(attempt_t *a, store_tx_t *tx, const store_user_t *u)
{
	const struct approval *in = a->in;
	handoff_view_t *v = in->view;
	char norm[HANDOFF_CODE_CHARS + 1];
	unsigned char hash[STORE_CODE_HASH_LEN];
	store_handoff_t h;
	int r;

	a->outcome = SESAME_ERR_WRONG_CODE;
	a->why = "handoff_code";
	memset(v->number, 0, sizeof(v->number));
	if (u == NULL || !usercode_canonical(in->code, HANDOFF_CODE_CHARS, norm))
		return SESAME_OK;
	r = usercode_digest(norm, HANDOFF_CODE_CHARS, hash);
	OPENSSL_cleanse(norm, sizeof(norm));
	if (r != SESAME_OK)
		return r;
	if ((r = store_handoff_by_code(tx, hash, &h)) == SESAME_ERR_NOT_FOUND)
		return SESAME_OK;
	if (r != SESAME_OK)
		return r;
	if (strcmp(h.user, a->user) != 0) { /* another account cannot approve */
		a->why = "handoff_other_user";
		return SESAME_OK;
	}
	if (h.expires <= a->now) {
		a->outcome = SESAME_ERR_EXPIRED;
		a->why = "handoff_expired";
		return SESAME_OK;
	}
	if (h.state != STORE_HANDOFF_WAITING) {
		a->outcome = SESAME_ERR_CONFLICT;
		a->why = "handoff_decided";
		return SESAME_OK;
	}
	snprintf(v->user, sizeof(v->user), "%s", h.user);
	snprintf(v->service, sizeof(v->service), "%s", h.service);
	snprintf(v->rhost, sizeof(v->rhost), "%s", h.rhost);
	v->created = h.created;
	v->expires = h.expires;
	v->other_network = !handoff_same_network(h.rhost, a->rhost);
	a->outcome = SESAME_OK;
	a->why = NULL;
	if (in->action == HANDOFF_LOOK)
		return SESAME_OK;
	if (in->action == HANDOFF_APPROVE && (r = handoff_number(v->number)) != SESAME_OK)
		return r;
	r = store_handoff_decide(tx, h.flow_id,
				 in->action == HANDOFF_APPROVE ? STORE_HANDOFF_APPROVED
							       : STORE_HANDOFF_DENIED,
				 v->number, a->rhost, a->now);
	if (r == SESAME_ERR_CONFLICT) {
		memset(v->number, 0, sizeof(v->number));
		a->outcome = SESAME_ERR_CONFLICT;
		a->why = "handoff_decided";
		return SESAME_OK;
	}
	if (r != SESAME_OK)
		return r;
	store_tx_durable(tx);
	/* the decision, and whether it came from another network than the
	 * terminal's client (device-code phishing leaves this trace) */
	return audit_record(tx, a->now, a->user, a->service, a->rhost, "handoff", "ok",
			    in->action == HANDOFF_DENY ? "deny"
			    : v->other_network	       ? "approve_other_network"
						       : "approve");
}

static const factor_t handoff_approval = {
    .name = "handoff",
    .bit = FACTOR_HANDOFF,
    .amr = "hwk",
    .forgives = 0, /* a found code proves nothing: the user signed in already */
    .enrolled = approval_enrolled,
    .prepare = NULL,
    .identify = NULL,
    .verify = approval_verify,
    .release = NULL,
};

int handoff_act(authd_t *d, const char *user, const char *code, handoff_action_t action,
		const char *rhost, int64_t now, handoff_view_t *view, int *result, int64_t *wait)
{
	struct approval in = {code, action, view};
	attempt_t a;
	int r;

	memset(view, 0, sizeof(*view));
	memset(&a, 0, sizeof(a));
	*wait = 0;
	a.d = d;
	a.factor = &handoff_approval;
	snprintf(a.user, sizeof(a.user), "%s", user);
	a.service = "web";
	a.rhost = rhost;
	a.now = now;
	a.in = &in;
	if ((r = attempt_run(&a)) != SESAME_OK)
		return r;
	*result = a.result == ATTEMPT_SUCCESS ? SESAME_OK : a.reason;
	*wait = a.wait;
	if (gethostname(view->host, sizeof(view->host) - 1) != 0)
		snprintf(view->host, sizeof(view->host), "%s", "?");
	return SESAME_OK;
}
