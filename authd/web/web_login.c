/* The sign-in pages: user name and password, then the second factor
 * (a TOTP code, or a passkey through /static/passkey.js), sign-out. The
 * decisions are the flow's (authd/flow.c). */
#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "factor_password.h"
#include "flow.h"
#include "sesame/error.h"
#include "sesame/log.h"
#include "sesame/username.h"
#include "web_int.h"

/* ---- pages ---- */

/* A passkey button, shown by /static/passkey.js when the browser has
 * WebAuthn (the page works without it). csrf: the token the script sends. */
static void passkey_button(web_ctx_t *c, html_buf_t *b, const char *id, i18n_msg_t label,
			   const char *csrf)
{
	html_raw(b, "<div id=\"");
	html_raw(b, id);
	html_raw(b, "\" class=\"passkey\" hidden data-csrf=\"");
	html_text(b, csrf);
	html_raw(b, "\">\n<p><button type=\"button\">");
	html_msg(b, c->lang, label, NULL);
	html_raw(b, "</button></p>\n<p role=\"alert\" class=\"passkey-error\" hidden></p>\n"
		    "</div>\n");
	web_page_script(b);
}

static enum MHD_Result login_form(web_ctx_t *c, unsigned status, const char *csrf, const char *user,
				  i18n_msg_t alert, int64_t wait)
{
	html_buf_t b = {0};

	web_page_begin(c, &b, MSG_TITLE_LOGIN);
	web_page_alert(c, &b, alert, wait);
	html_raw(&b, "<form method=\"post\" action=\"/login\">\n");
	web_page_csrf(&b, csrf);
	html_raw(&b, "<p><label for=\"user\">");
	html_msg(&b, c->lang, MSG_USERNAME, NULL);
	/* "webauthn": browsers may offer the passkeys in the field's list */
	html_raw(&b, "</label><br>\n<input id=\"user\" name=\"user\" type=\"text\" "
		     "autocomplete=\"username webauthn\" autocapitalize=\"none\" "
		     "spellcheck=\"false\" maxlength=\"64\" required autofocus");
	web_page_field_error(c, &b);
	html_raw(&b, " value=\"");
	html_text(&b, user ? user : "");
	html_raw(&b, "\"></p>\n<p><label for=\"password\">");
	html_msg(&b, c->lang, MSG_PASSWORD, NULL);
	html_raw(&b, "</label><br>\n<input id=\"password\" name=\"password\" type=\"password\" "
		     "autocomplete=\"current-password\" required");
	web_page_field_error(c, &b);
	html_raw(&b, "></p>\n<p><button type=\"submit\">");
	html_msg(&b, c->lang, MSG_SUBMIT_LOGIN, NULL);
	html_raw(&b, "</button></p>\n</form>\n");
	passkey_button(c, &b, "passkey-login", MSG_PASSKEY_SIGN_IN, csrf);
	return web_page_send(c, status, &b);
}

static enum MHD_Result no_factor_page(web_ctx_t *c, const session_t *s)
{
	html_buf_t b = {0};

	web_page_begin(c, &b, MSG_TITLE_CODE);
	web_page_alert(c, &b, MSG_NO_FACTOR, 0);
	web_sign_out_form(c, &b, s->csrf);
	return web_page_send(c, MHD_HTTP_FORBIDDEN, &b);
}

/* The next factor's page: what the flow still misses of [require] web
 * among the factors the user has — the code form, "Use a passkey", both —
 * or, when nothing the user has can complete it, the no-factor page. */
static enum MHD_Result code_page(web_ctx_t *c, unsigned status, const session_t *s,
				 i18n_msg_t alert, int64_t wait)
{
	html_buf_t b = {0};
	unsigned missing;
	flow_t f;

	session_flow(s, c->rhost, &f);
	if (flow_missing(c->d, &f, &missing) != SESAME_OK)
		return web_unavailable(c);
	if (missing == 0)
		return no_factor_page(c, s);
	web_page_begin(c, &b, MSG_TITLE_CODE);
	web_page_alert(c, &b, alert, wait);
	if (missing & FACTOR_TOTP) {
		/* a code from the app on a numeric keyboard; a recovery code
		 * (letters and dashes) on a page of its own, one link away */
		const char *v =
		    MHD_lookup_connection_value(c->conn, MHD_GET_ARGUMENT_KIND, "recovery");
		int recovery = v != NULL && strcmp(v, "1") == 0;
		html_raw(&b, recovery ? "<form method=\"post\" action=\"/login/code?recovery=1\">\n"
				      : "<form method=\"post\" action=\"/login/code\">\n");
		web_page_csrf(&b, s->csrf);
		html_raw(&b, "<p><label for=\"code\">");
		html_msg(&b, c->lang, recovery ? MSG_RECOVERY_LABEL : MSG_CODE_LABEL, NULL);
		html_raw(&b, "</label><br>\n<input id=\"code\" name=\"code\" type=\"text\" ");
		html_raw(&b,
			 recovery
			     ? "autocomplete=\"off\" autocapitalize=\"none\" "
			       "spellcheck=\"false\" maxlength=\"24\" required autofocus"
			     : "inputmode=\"numeric\" pattern=\"[0-9]*\" "
			       "autocomplete=\"one-time-code\" maxlength=\"8\" required autofocus");
		web_page_field_error(c, &b);
		html_raw(&b, "></p>\n<p><button type=\"submit\">");
		html_msg(&b, c->lang, MSG_SUBMIT_CODE, NULL);
		html_raw(&b, "</button></p>\n</form>\n");
		if (!recovery) {
			html_raw(&b, "<p><a href=\"/login/code?recovery=1\">");
			html_msg(&b, c->lang, MSG_CODE_OR_RECOVERY, NULL);
			html_raw(&b, "</a></p>\n");
		}
	}
	if (missing & FACTOR_PASSKEY)
		passkey_button(c, &b, "passkey-second", MSG_PASSKEY_INSTEAD, s->csrf);
	web_sign_out_form(c, &b, s->csrf);
	return web_page_send(c, status, &b);
}

enum MHD_Result web_get_root(web_ctx_t *c)
{
	session_t s;
	int r = web_current_session(c, &s);

	if (r == SESAME_OK && (strcmp(s.s.stage, WEB_STAGE_DONE) == 0 || web_enrolling(&s)))
		return web_redirect(c, "/account");
	if (r != SESAME_OK && r != SESAME_ERR_NOT_FOUND && r != SESAME_ERR_EXPIRED)
		return web_unavailable(c);
	return web_redirect(c, "/login");
}

enum MHD_Result web_get_healthz(web_ctx_t *c)
{
	return web_respond(c, MHD_HTTP_OK, "text/plain; charset=utf-8", strdup("ok"), 2, NULL);
}

enum MHD_Result web_get_login(web_ctx_t *c)
{
	char fresh[WEB_TOKEN_LEN + 1];
	const char *csrf = web_login_csrf_cookie(c);
	session_t s;
	int r = web_current_session(c, &s);

	/* a waiting authorization request may need a new sign-in (prompt=login) */
	if (r == SESAME_OK && strcmp(s.s.stage, WEB_STAGE_DONE) == 0 && !web_oidc_waiting(c))
		return web_redirect(c, "/account");
	if (csrf == NULL) {
		if (token_new(fresh) != SESAME_OK)
			return web_unavailable(c);
		web_add_cookie(c, WEB_CSRF_COOKIE, fresh, 0);
		csrf = fresh;
	}
	return login_form(c, MHD_HTTP_OK, csrf, NULL, MSG__COUNT, 0);
}

enum MHD_Result web_post_login(web_ctx_t *c)
{
	web_form_field_t f[] = {{"user", WEB_MAX_FIELD, NULL, 0},
				{"password", SESAME_MAX_PASSWORD, NULL, 0},
				{"csrf", WEB_TOKEN_LEN, NULL, 0}};
	const char *csrf = web_login_csrf_cookie(c);
	char cookie[WEB_TOKEN_LEN + 1];
	enum MHD_Result sent = MHD_NO;
	session_t s;
	factor_password_in_t pw;
	flow_step_t step;
	flow_t flow;
	int r;

	if (web_read_form(c, f, 3, &sent) != SESAME_OK)
		return sent;
	if (!web_token_ok(f[2].value, f[2].len, csrf)) {
		sent = web_error_page(c, MHD_HTTP_FORBIDDEN, MSG_FORBIDDEN);
		goto out;
	}
	if (f[0].value == NULL || username_validate(f[0].value, f[0].len) != SESAME_OK) {
		sent = web_error_page(c, MHD_HTTP_BAD_REQUEST, MSG_BAD_USERNAME);
		goto out;
	}
	memset(&flow, 0, sizeof(flow));
	flow.door = FLOW_WEB;
	snprintf(flow.user, sizeof(flow.user), "%s", f[0].value);
	snprintf(flow.service, sizeof(flow.service), "%s", WEB_SERVICE);
	snprintf(flow.rhost, sizeof(flow.rhost), "%s", c->rhost);
	pw.pw = f[1].value ? f[1].value : "";
	pw.len = f[1].len;
	r = flow_answer(c->d, &flow, &factor_password, &pw, c->now, &step);
	if (r != SESAME_OK) {
		log_err("web: sign-in of %s: %s", f[0].value, sesame_err_code(r));
		sent = web_unavailable(c);
		goto out;
	}
	if (flow.passed & FACTOR_PASSWORD) {
		/* met: signed in; otherwise the second factor's page (which also
		 * tells a user without one what to do) */
		int done = step.kind == FLOW_STEP_VERDICT && step.result == AUTH_SUCCESS;
		r = session_create(
		    c->d, flow.user, done ? WEB_STAGE_DONE : WEB_STAGE_PASSWORD, flow.passed,
		    MHD_lookup_connection_value(c->conn, MHD_COOKIE_KIND, WEB_SESSION_COOKIE),
		    c->now, cookie, &s);
		if (r != SESAME_OK) {
			sent = web_unavailable(c);
			goto out;
		}
		web_add_cookie(c, WEB_SESSION_COOKIE, cookie, 0);
		OPENSSL_cleanse(cookie, sizeof(cookie));
		sent = done ? web_signed_in(c) : web_redirect(c, "/login/code");
		goto out;
	}
	if (step.reason == SESAME_ERR_LOCKED) {
		c->retry_after = step.wait;
		sent = login_form(c, MHD_HTTP_TOO_MANY_REQUESTS, csrf, f[0].value, MSG_LOCKED,
				  step.wait);
		goto out;
	}
	/* unknown, disabled, without a password or wrong: one sentence */
	sent = login_form(c, MHD_HTTP_OK, csrf, f[0].value, MSG_WRONG_PASSWORD, step.wait);
out:
	web_form_free(f, 3);
	return sent;
}

/* The session at the password stage, or a redirect sent into *sent. */
static int password_stage(web_ctx_t *c, session_t *s, enum MHD_Result *sent)
{
	int r = web_current_session(c, s);

	if (r == SESAME_OK && strcmp(s->s.stage, WEB_STAGE_PASSWORD) == 0)
		return SESAME_OK;
	if (r == SESAME_OK)
		*sent = web_redirect(c, "/account");
	else if (r == SESAME_ERR_NOT_FOUND || r == SESAME_ERR_EXPIRED)
		*sent = web_redirect(c, "/login");
	else
		*sent = web_unavailable(c);
	return r == SESAME_OK ? SESAME_ERR_CONFLICT : r;
}

enum MHD_Result web_get_login_code(web_ctx_t *c)
{
	enum MHD_Result sent = MHD_NO;
	session_t s;

	if (password_stage(c, &s, &sent) != SESAME_OK)
		return sent;
	return code_page(c, MHD_HTTP_OK, &s, MSG__COUNT, 0);
}

enum MHD_Result web_post_login_code(web_ctx_t *c)
{
	web_form_field_t f[] = {{"code", WEB_MAX_FIELD, NULL, 0}, {"csrf", WEB_TOKEN_LEN, NULL, 0}};
	char cookie[WEB_TOKEN_LEN + 1];
	enum MHD_Result sent = MHD_NO;
	session_t s, done;
	flow_step_t step;
	flow_t flow;
	int r;

	if (password_stage(c, &s, &sent) != SESAME_OK)
		return sent;
	if (web_read_form(c, f, 2, &sent) != SESAME_OK)
		return sent;
	if (!web_token_ok(f[1].value, f[1].len, s.csrf)) {
		sent = web_error_page(c, MHD_HTTP_FORBIDDEN, MSG_FORBIDDEN);
		goto out;
	}
	session_flow(&s, c->rhost, &flow);
	r = flow_answer(c->d, &flow, &factor_totp, f[0].value ? f[0].value : "", c->now, &step);
	if (r != SESAME_OK) {
		log_err("web: code of %s: %s", s.s.user, sesame_err_code(r));
		sent = web_unavailable(c);
		goto out;
	}
	switch (step.kind == FLOW_STEP_PROMPT ? SESAME_ERR_CONFLICT
		: step.result == AUTH_SUCCESS ? SESAME_OK
					      : step.reason) {
	case SESAME_OK:
		if (session_promote(c->d, &s, flow.passed, c->now, cookie, &done) != SESAME_OK) {
			sent = web_unavailable(c);
			break;
		}
		web_add_cookie(c, WEB_SESSION_COOKIE, cookie, 0);
		OPENSSL_cleanse(cookie, sizeof(cookie));
		sent = web_signed_in(c);
		break;
	case SESAME_ERR_CONFLICT: /* the requirement asks for one more factor */
		sent = session_set_factors(c->d, &s, flow.passed, c->now) == SESAME_OK
			   ? web_redirect(c, "/login/code")
			   : web_unavailable(c);
		break;
	case SESAME_ERR_NO_FACTOR:
		sent = no_factor_page(c, &s);
		break;
	case SESAME_ERR_DISABLED:
		if (session_delete(c->d, &s, c->rhost, c->now) != SESAME_OK) {
			sent = web_unavailable(c);
			break;
		}
		web_add_cookie(c, WEB_SESSION_COOKIE, "", 1);
		sent = web_error_page(c, MHD_HTTP_FORBIDDEN, MSG_DISABLED);
		break;
	case SESAME_ERR_LOCKED:
		c->retry_after = step.wait;
		sent = code_page(c, MHD_HTTP_TOO_MANY_REQUESTS, &s, MSG_LOCKED, step.wait);
		break;
	case SESAME_ERR_REPLAY:
		sent = code_page(c, MHD_HTTP_OK, &s, MSG_CODE_REUSED, step.wait);
		break;
	default:
		sent = code_page(c, MHD_HTTP_OK, &s, MSG_WRONG_CODE, step.wait);
	}
out:
	web_form_free(f, 2);
	return sent;
}

enum MHD_Result web_post_logout(web_ctx_t *c)
{
	web_form_field_t f[] = {{"csrf", WEB_TOKEN_LEN, NULL, 0}};
	enum MHD_Result sent = MHD_NO;
	session_t s;
	int r = web_current_session(c, &s);

	if (r == SESAME_ERR_NOT_FOUND || r == SESAME_ERR_EXPIRED)
		return web_redirect(c, "/login");
	if (r != SESAME_OK)
		return web_unavailable(c);
	if (web_read_form(c, f, 1, &sent) != SESAME_OK)
		return sent;
	if (!web_token_ok(f[0].value, f[0].len, s.csrf))
		sent = web_error_page(c, MHD_HTTP_FORBIDDEN, MSG_FORBIDDEN);
	else if (session_delete(c->d, &s, c->rhost, c->now) != SESAME_OK)
		sent = web_unavailable(c);
	else {
		web_add_cookie(c, WEB_SESSION_COOKIE, "", 1);
		web_oidc_signed_out(c, &s);
		sent = web_redirect(c, "/login");
	}
	web_form_free(f, 1);
	return sent;
}
