/* The terminal hand-off's approval page (handoff.h): sign in with a
 * passkey, type the code the terminal shows, see what is approved, approve
 * or deny; an approval shows the number to type at the terminal. The
 * decisions are handoff.c's, through the attempt frame. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "handoff.h"
#include "sesame/error.h"
#include "sesame/log.h"
#include "usercode.h"
#include "web_int.h"

/* The session may approve: signed in, with a passkey, recently. */
static int handoff_session(web_ctx_t *c, session_t *s)
{
	flow_t f;

	if (web_current_session(c, s) != SESAME_OK || strcmp(s->s.stage, WEB_STAGE_DONE) != 0)
		return 0;
	session_flow(s, c->rhost, &f);
	return (f.passed & FACTOR_PASSKEY) && flow_recent(c->d, &f, c->now);
}

/* "Sign in with your passkey", then back here (passkey.js: data-next). */
static enum MHD_Result handoff_sign_in_page(web_ctx_t *c)
{
	char fresh[WEB_TOKEN_LEN + 1];
	const char *csrf = web_login_csrf_cookie(c);
	html_buf_t b = {0};

	if (csrf == NULL) {
		if (token_new(fresh) != SESAME_OK)
			return web_unavailable(c);
		web_add_cookie(c, WEB_CSRF_COOKIE, fresh, 0);
		csrf = fresh;
	}
	web_page_begin(c, &b, MSG_HANDOFF_TITLE);
	html_raw(&b, "<p>");
	html_msg(&b, c->lang, MSG_HANDOFF_SIGN_IN, NULL);
	html_raw(
	    &b, "</p>\n<div id=\"passkey-login\" class=\"passkey\" hidden data-next=\"" HANDOFF_PATH
		"\" data-csrf=\"");
	html_text(&b, csrf);
	html_raw(&b, "\">\n<p><button type=\"button\">");
	html_msg(&b, c->lang, MSG_PASSKEY_SIGN_IN, NULL);
	html_raw(&b, "</button></p>\n<p role=\"alert\" class=\"passkey-error\" hidden></p>\n"
		     "</div>\n");
	web_page_script(&b);
	return web_page_send(c, MHD_HTTP_OK, &b);
}

static enum MHD_Result handoff_code_page(web_ctx_t *c, const session_t *s, unsigned status,
					 i18n_msg_t alert, const char *code)
{
	html_buf_t b = {0};

	web_page_begin(c, &b, MSG_HANDOFF_TITLE);
	web_page_alert(c, &b, alert, c->retry_after);
	html_raw(&b, "<form method=\"post\" action=\"" HANDOFF_PATH "\">\n");
	web_page_csrf(&b, s->csrf);
	html_raw(&b, "<p><label for=\"code\">");
	html_msg(&b, c->lang, MSG_HANDOFF_CODE_LABEL, NULL);
	html_raw(&b, "</label><br>\n<input id=\"code\" name=\"code\" type=\"text\" "
		     "autocomplete=\"off\" autocapitalize=\"characters\" spellcheck=\"false\" "
		     "maxlength=\"16\" required autofocus value=\"");
	html_text(&b, code ? code : "");
	html_raw(&b, "\"></p>\n<p><button type=\"submit\">");
	html_msg(&b, c->lang, MSG_HANDOFF_CONTINUE, NULL);
	html_raw(&b, "</button></p>\n</form>\n<h2>");
	html_msg(&b, c->lang, MSG_LOGINCODE_TITLE, NULL);
	html_raw(&b, "</h2>\n<p>");
	html_msg(&b, c->lang, MSG_LOGINCODE_OFFER, NULL);
	html_raw(&b, "</p>\n<form method=\"post\" action=\"" HANDOFF_PATH "/code\">\n");
	web_page_csrf(&b, s->csrf);
	html_raw(&b, "<p><button type=\"submit\" id=\"logincode-get\">");
	html_msg(&b, c->lang, MSG_LOGINCODE_GET, NULL);
	html_raw(&b, "</button></p>\n</form>\n");
	web_sign_out_form(c, &b, s->csrf);
	return web_page_send(c, status, &b);
}

/* A refusal of handoff_act, on the code page. */
static enum MHD_Result handoff_refused(web_ctx_t *c, const session_t *s, int result, int64_t wait)
{
	switch (result) {
	case SESAME_ERR_LOCKED:
		c->retry_after = wait;
		return handoff_code_page(c, s, MHD_HTTP_TOO_MANY_REQUESTS, MSG_LOCKED, NULL);
	case SESAME_ERR_EXPIRED:
		return handoff_code_page(c, s, MHD_HTTP_OK, MSG_HANDOFF_EXPIRED, NULL);
	case SESAME_ERR_CONFLICT:
		return handoff_code_page(c, s, MHD_HTTP_CONFLICT, MSG_HANDOFF_DECIDED, NULL);
	case SESAME_ERR_DISABLED:
		return web_error_page(c, MHD_HTTP_FORBIDDEN, MSG_DISABLED);
	default:
		return handoff_code_page(c, s, MHD_HTTP_OK, MSG_HANDOFF_WRONG_CODE, NULL);
	}
}

static void handoff_row(web_ctx_t *c, html_buf_t *b, const char *id, i18n_msg_t label,
			const char *value)
{
	html_raw(b, "<dt>");
	html_msg(b, c->lang, label, NULL);
	html_raw(b, "</dt><dd id=\"handoff-");
	html_raw(b, id);
	html_raw(b, "\">");
	html_text(b, value);
	html_raw(b, "</dd>\n");
}

static enum MHD_Result handoff_review_page(web_ctx_t *c, const session_t *s, const char *code,
					   const handoff_view_t *v)
{
	char when[64], local[64];
	struct tm tm;
	time_t t = (time_t)v->created;
	html_buf_t b = {0};

	if (gmtime_r(&t, &tm) == NULL ||
	    strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S UTC", &tm) == 0)
		snprintf(when, sizeof(when), "%lld", (long long)v->created);
	snprintf(local, sizeof(local), "%s", i18n_get(c->lang, MSG_HANDOFF_LOCAL));
	web_page_begin(c, &b, MSG_HANDOFF_TITLE);
	html_raw(&b, "<dl id=\"handoff-request\">\n");
	handoff_row(c, &b, "user", MSG_HANDOFF_USER, v->user);
	handoff_row(c, &b, "host", MSG_HANDOFF_HOST, v->host);
	handoff_row(c, &b, "service", MSG_HANDOFF_SERVICE, v->service);
	handoff_row(c, &b, "client", MSG_HANDOFF_CLIENT, v->rhost[0] ? v->rhost : local);
	handoff_row(c, &b, "time", MSG_HANDOFF_TIME, when);
	html_raw(&b, "</dl>\n<p role=\"alert\" id=\"handoff-warning\">");
	html_msg(&b, c->lang, MSG_HANDOFF_WARNING, NULL);
	html_raw(&b, "</p>\n");
	if (v->other_network) {
		html_raw(&b, "<p role=\"alert\" id=\"handoff-other-network\">");
		html_msg(&b, c->lang, MSG_HANDOFF_OTHER_NETWORK, NULL);
		html_raw(&b, "</p>\n");
	}
	html_raw(&b, "<form method=\"post\" action=\"" HANDOFF_PATH "/decide\">\n");
	web_page_csrf(&b, s->csrf);
	html_raw(&b, "<input type=\"hidden\" name=\"code\" value=\"");
	html_text(&b, code);
	html_raw(&b, "\">\n<p><button type=\"submit\" name=\"action\" value=\"deny\" "
		     "id=\"handoff-deny\">");
	html_msg(&b, c->lang, MSG_HANDOFF_DENY, NULL);
	html_raw(&b, "</button> <button type=\"submit\" name=\"action\" value=\"approve\" "
		     "id=\"handoff-approve\">");
	html_msg(&b, c->lang, MSG_HANDOFF_APPROVE, NULL);
	html_raw(&b, "</button></p>\n</form>\n");
	web_sign_out_form(c, &b, s->csrf);
	return web_page_send(c, MHD_HTTP_OK, &b);
}

enum MHD_Result web_get_handoff(web_ctx_t *c)
{
	const char *code = c->d->cfg.web.handoff_link
			       ? MHD_lookup_connection_value(c->conn, MHD_GET_ARGUMENT_KIND, "c")
			       : NULL;
	session_t s;

	if (code != NULL && strlen(code) > 16)
		code = NULL;
	if (!handoff_session(c, &s))
		return handoff_sign_in_page(c);
	return handoff_code_page(c, &s, MHD_HTTP_OK, MSG__COUNT, code);
}

/* The code (and action) of an approval form, the session checked: a page
 * sent into *sent otherwise. */
static int handoff_form(web_ctx_t *c, session_t *s, web_form_field_t *f, size_t n,
			enum MHD_Result *sent)
{
	if (!handoff_session(c, s)) {
		*sent = web_redirect(c, HANDOFF_PATH);
		return SESAME_ERR_PERMISSION;
	}
	if (web_read_form(c, f, n, sent) != SESAME_OK)
		return SESAME_ERR_PERMISSION;
	if (!web_token_ok(f[n - 1].value, f[n - 1].len, s->csrf)) {
		*sent = web_error_page(c, MHD_HTTP_FORBIDDEN, MSG_FORBIDDEN);
		web_form_free(f, n);
		return SESAME_ERR_PERMISSION;
	}
	return SESAME_OK;
}

enum MHD_Result web_post_handoff(web_ctx_t *c)
{
	web_form_field_t f[] = {{"code", 16, NULL, 0}, {"csrf", WEB_TOKEN_LEN, NULL, 0}};
	enum MHD_Result sent = MHD_NO;
	handoff_view_t v;
	session_t s;
	int64_t wait = 0;
	int result = SESAME_ERR_INTERNAL;

	if (handoff_form(c, &s, f, 2, &sent) != SESAME_OK)
		return sent;
	if (handoff_act(c->d, s.s.user, f[0].value ? f[0].value : "", HANDOFF_LOOK, c->rhost,
			c->now, &v, &result, &wait) != SESAME_OK)
		sent = web_unavailable(c);
	else if (result != SESAME_OK)
		sent = handoff_refused(c, &s, result, wait);
	else
		sent = handoff_review_page(c, &s, f[0].value, &v);
	web_form_free(f, 2);
	return sent;
}

enum MHD_Result web_post_handoff_decide(web_ctx_t *c)
{
	web_form_field_t f[] = {
	    {"code", 16, NULL, 0}, {"action", 16, NULL, 0}, {"csrf", WEB_TOKEN_LEN, NULL, 0}};
	enum MHD_Result sent = MHD_NO;
	handoff_action_t action;
	html_buf_t b = {0};
	handoff_view_t v;
	session_t s;
	int64_t wait = 0;
	int result = SESAME_ERR_INTERNAL;

	if (handoff_form(c, &s, f, 3, &sent) != SESAME_OK)
		return sent;
	if (f[1].value != NULL && strcmp(f[1].value, "approve") == 0)
		action = HANDOFF_APPROVE;
	else if (f[1].value != NULL && strcmp(f[1].value, "deny") == 0)
		action = HANDOFF_DENY;
	else {
		sent = web_error_page(c, MHD_HTTP_BAD_REQUEST, MSG_BAD_FORM);
		goto out;
	}
	if (handoff_act(c->d, s.s.user, f[0].value ? f[0].value : "", action, c->rhost, c->now, &v,
			&result, &wait) != SESAME_OK) {
		sent = web_unavailable(c);
		goto out;
	}
	if (result != SESAME_OK) {
		sent = handoff_refused(c, &s, result, wait);
		goto out;
	}
	web_page_begin(c, &b, MSG_HANDOFF_TITLE);
	html_raw(&b, "<p>");
	html_msg(&b, c->lang, action == HANDOFF_APPROVE ? MSG_HANDOFF_NUMBER : MSG_HANDOFF_DENIED,
		 NULL);
	html_raw(&b, "</p>\n");
	if (action == HANDOFF_APPROVE) {
		html_raw(&b, "<p class=\"handoff-number\"><strong id=\"handoff-number\">");
		html_text(&b, v.number);
		html_raw(&b, "</strong></p>\n");
	}
	web_sign_out_form(c, &b, s.csrf);
	sent = web_page_send(c, MHD_HTTP_OK, &b);
out:
	web_form_free(f, 3);
	return sent;
}

/* A one-time login code (signed in with a passkey): shown once. */
enum MHD_Result web_post_logincode(web_ctx_t *c)
{
	web_form_field_t f[] = {{"csrf", WEB_TOKEN_LEN, NULL, 0}};
	char code[USERCODE_TEXT_LEN], minutes[16];
	enum MHD_Result sent = MHD_NO;
	html_buf_t b = {0};
	session_t s;
	unsigned ttl = c->d->cfg.web.handoff_ttl;
	int r;

	if (handoff_form(c, &s, f, 1, &sent) != SESAME_OK)
		return sent;
	r = usercode_login_issue(c->d, s.s.user, WEB_SERVICE, c->rhost, c->now, ttl, code);
	if (r != SESAME_OK) {
		log_err("web: login code of %s: %s", s.s.user, sesame_err_code(r));
		sent = web_unavailable(c);
		goto out;
	}
	snprintf(minutes, sizeof(minutes), "%u", (ttl + 59) / 60);
	web_page_begin(c, &b, MSG_LOGINCODE_TITLE);
	html_raw(&b, "<p>");
	html_msg(&b, c->lang, MSG_LOGINCODE_SHOWN, minutes);
	html_raw(&b, "</p>\n<p class=\"handoff-number\"><strong id=\"logincode\">");
	html_text(&b, code);
	html_raw(&b, "</strong></p>\n");
	explicit_bzero(code, sizeof(code));
	web_sign_out_form(c, &b, s.csrf);
	sent = web_page_send(c, MHD_HTTP_OK, &b);
out:
	web_form_free(f, 1);
	return sent;
}
