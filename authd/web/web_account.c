/* The account page: who is signed in, the second factors (TOTP
 * authenticators: add with a QR code made here, confirm, rename, remove;
 * the passkeys are web_passkey.c's), the password change, sign-out. The
 * enrollment is totp_enroll.c's (shared with sesamectl), the new
 * password's policy and hash account_new_password's. */
#include <errno.h>
#include <openssl/crypto.h>
#include <qrencode.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "account.h"
#include "audit.h"
#include "factor_manage.h"
#include "factor_password.h"
#include "flow.h"
#include "sesame/error.h"
#include "sesame/log.h"
#include "totp_enroll.h"
#include "userpw.h"
#include "web_int.h"

#define QR_MARGIN 4 /* modules of quiet zone */

/* What the page shows besides its alert: the QR code of a new
 * authenticator, the policy's verdict on a refused password. */
typedef struct {
	const char *uri;
	const password_result_t *refused;
} account_extra_t;

/* The QR code of text as an inline SVG (one path, a run of dark modules
 * per "h"): markup of our own, digits only, so html_raw. */
static int qr_svg(html_buf_t *b, const char *text)
{
	QRcode *qr;
	char num[64];
	int size;

	errno = 0;
	if ((qr = QRcode_encodeString(text, 0, QR_ECLEVEL_M, QR_MODE_8, 1)) == NULL)
		return errno == ENOMEM ? SESAME_ERR_NOMEM : SESAME_ERR_INVALID_ARGUMENT;
	size = qr->width + 2 * QR_MARGIN;
	snprintf(num, sizeof(num), "0 0 %d %d", size, size);
	html_raw(b, "<p><svg xmlns=\"http://www.w3.org/2000/svg\" class=\"qr\" width=\"240\" "
		    "height=\"240\" viewBox=\"");
	html_raw(b, num);
	html_raw(b, "\" shape-rendering=\"crispEdges\" role=\"img\" aria-label=\"QR\">"
		    "<rect width=\"100%\" height=\"100%\" fill=\"#fff\"/><path fill=\"#000\" d=\"");
	for (int y = 0; y < qr->width; y++) {
		for (int x = 0; x < qr->width;) {
			int run = 0;
			while (x + run < qr->width && (qr->data[y * qr->width + x + run] & 1))
				run++;
			if (run == 0) {
				x++;
				continue;
			}
			snprintf(num, sizeof(num), "M%d %dh%dv1h-%dz", x + QR_MARGIN, y + QR_MARGIN,
				 run, run);
			html_raw(b, num);
			x += run;
		}
	}
	html_raw(b, "\"/></svg></p>\n");
	/* the modules encode the enrollment secret */
	OPENSSL_cleanse(qr->data, (size_t)qr->width * (size_t)qr->width);
	QRcode_free(qr);
	return SESAME_OK;
}

static void id_field(html_buf_t *b, int64_t id)
{
	char num[24];

	snprintf(num, sizeof(num), "%lld", (long long)id);
	html_raw(b, "<input type=\"hidden\" name=\"id\" value=\"");
	html_text(b, num);
	html_raw(b, "\">\n");
}

static void totp_remove_form(web_ctx_t *c, html_buf_t *b, const session_t *s, int64_t id)
{
	html_raw(b, "<form method=\"post\" action=\"/account/totp/remove\">\n");
	web_page_csrf(b, s->csrf);
	id_field(b, id);
	html_raw(b, "<button type=\"submit\" class=\"secondary\">");
	html_msg(b, c->lang, MSG_PASSKEY_REMOVE, NULL);
	html_raw(b, "</button>\n</form>");
}

void web_password_input(web_ctx_t *c, html_buf_t *b, const char *id, i18n_msg_t label,
			const char *autocomplete)
{
	html_raw(b, "<p><label for=\"");
	html_raw(b, id);
	html_raw(b, "\">");
	html_msg(b, c->lang, label, NULL);
	html_raw(b, "</label><br>\n<input id=\"");
	html_raw(b, id);
	html_raw(b, "\" name=\"");
	html_raw(b, id);
	html_raw(b, "\" type=\"password\" autocomplete=\"");
	html_raw(b, autocomplete);
	html_raw(b, "\" required");
	web_page_field_error(c, b);
	html_raw(b, "></p>\n");
}

/* The policy's reasons (English sentences, as the policy words them) and
 * its hint. */
void web_password_refused(web_ctx_t *c, html_buf_t *b, const password_result_t *res)
{
	char text[256];

	html_raw(b, "<p role=\"alert\" class=\"alert\"");
	if (!c->page_error) {
		c->page_error = c->field_error = 1;
		html_raw(b, " id=\"" WEB_ALERT_ID "\"");
	}
	html_raw(b, ">");
	html_msg(b, c->lang, MSG_PASSWORD_REFUSED, NULL);
	html_raw(b, "</p>\n<ul class=\"password-reasons\" lang=\"en\">\n");
	for (int i = 0; i < PW__COUNT; i++) {
		if (!(res->reasons & (1u << i)))
			continue;
		password_reason_text(c->d->password, (password_reason_t)i, text, sizeof(text));
		html_raw(b, "<li>");
		html_text(b, text);
		html_raw(b, "</li>\n");
	}
	html_raw(b, "</ul>\n");
	if (res->hint[0]) {
		html_raw(b, "<p class=\"password-hint\" lang=\"en\">");
		html_text(b, res->hint);
		html_raw(b, "</p>\n");
	}
}

static void password_section(web_ctx_t *c, html_buf_t *b, const session_t *s,
			     const account_extra_t *x)
{
	html_raw(b, "<h2>");
	html_msg(b, c->lang, MSG_TITLE_PASSWORD, NULL);
	html_raw(b, "</h2>\n");
	if (x->refused)
		web_password_refused(c, b, x->refused);
	html_raw(b, "<form method=\"post\" action=\"/account/password\">\n");
	web_page_csrf(b, s->csrf);
	html_raw(b, "<input type=\"text\" name=\"username\" autocomplete=\"username\" hidden "
		    "disabled value=\"");
	html_text(b, s->s.user);
	html_raw(b, "\">\n");
	web_password_input(c, b, "current", MSG_PASSWORD_CURRENT, "current-password");
	web_password_input(c, b, "new", MSG_PASSWORD_NEW, "new-password");
	web_password_input(c, b, "again", MSG_PASSWORD_AGAIN, "new-password");
	html_raw(b, "<p><button type=\"submit\" class=\"secondary\">");
	html_msg(b, c->lang, MSG_PASSWORD_SUBMIT, NULL);
	html_raw(b, "</button></p>\n</form>\n");
}

/* The TOTP part: the confirmed authenticators (rename, remove), the one
 * waiting for confirmation (its QR code right after it was added), the
 * form adding one. While enrolling, only adding. */
static int totp_section(web_ctx_t *c, html_buf_t *b, const session_t *s, const store_totp_t *items,
			size_t n, const account_extra_t *x)
{
	const store_totp_t *pending = NULL;
	int enrolling = web_enrolling(s);
	size_t shown = 0;

	if (!enrolling)
		html_raw(b, "<ul>\n");
	for (size_t i = 0; i < n; i++) {
		if (!items[i].confirmed) {
			pending = &items[i];
			continue;
		}
		if (enrolling)
			continue;
		html_raw(b, "<li><span class=\"totp-name\">");
		html_msg(b, c->lang, MSG_FACTOR_TOTP, items[i].name);
		html_raw(b, "</span>\n<form method=\"post\" action=\"/account/totp/rename\">\n");
		web_page_csrf(b, s->csrf);
		id_field(b, items[i].id);
		html_raw(b, "<input name=\"name\" type=\"text\" maxlength=\"64\" required "
			    "aria-label=\"");
		html_msg(b, c->lang, MSG_TOTP_NAME, NULL);
		html_raw(b, "\" value=\"");
		html_text(b, items[i].name);
		html_raw(b, "\"> <button type=\"submit\" class=\"secondary\">");
		html_msg(b, c->lang, MSG_PASSKEY_RENAME, NULL);
		html_raw(b, "</button>\n</form>\n");
		totp_remove_form(c, b, s, items[i].id);
		html_raw(b, "</li>\n");
		shown++;
	}
	if (!enrolling && shown == 0) {
		html_raw(b, "<li>");
		html_msg(b, c->lang, MSG_NO_FACTORS, NULL);
		html_raw(b, "</li>\n");
	}
	if (!enrolling)
		html_raw(b, "</ul>\n");
	if (pending != NULL) {
		html_raw(b, "<section id=\"totp-pending\">\n<p>");
		html_msg(b, c->lang, MSG_TOTP_PENDING, pending->name);
		html_raw(b, "</p>\n");
		if (x->uri != NULL) {
			html_raw(b, "<p>");
			html_msg(b, c->lang, MSG_TOTP_SCAN, NULL);
			html_raw(b, "</p>\n");
			if (qr_svg(b, x->uri) != SESAME_OK)
				return SESAME_ERR_INTERNAL;
			html_raw(b, "<details>\n<summary>");
			html_msg(b, c->lang, MSG_TOTP_SHOW_KEY, NULL);
			html_raw(b, "</summary>\n<p><code class=\"otpauth\">");
			html_text(b, x->uri);
			html_raw(b, "</code></p>\n</details>\n");
		}
		html_raw(b, "<form method=\"post\" action=\"/account/totp/confirm\">\n");
		web_page_csrf(b, s->csrf);
		html_raw(b, "<p><label for=\"totp-code\">");
		html_msg(b, c->lang, MSG_CODE_LABEL, NULL);
		html_raw(b, "</label><br>\n<input id=\"totp-code\" name=\"code\" type=\"text\" "
			    "inputmode=\"numeric\" pattern=\"[0-9]*\" "
			    "autocomplete=\"one-time-code\" maxlength=\"8\" required");
		web_page_field_error(c, b);
		html_raw(b, "></p>\n<p><button type=\"submit\">");
		html_msg(b, c->lang, MSG_TOTP_CONFIRM, NULL);
		html_raw(b, "</button></p>\n</form>\n");
		if (!enrolling)
			totp_remove_form(c, b, s, pending->id);
		html_raw(b, "\n</section>\n");
	}
	html_raw(b, "<form method=\"post\" action=\"/account/totp/add\">\n");
	web_page_csrf(b, s->csrf);
	html_raw(b, "<p><label for=\"totp-name\">");
	html_msg(b, c->lang, MSG_TOTP_NAME, NULL);
	html_raw(b, "</label><br>\n<input id=\"totp-name\" name=\"name\" type=\"text\" "
		    "maxlength=\"64\" required value=\"authenticator\"></p>\n<p><button "
		    "type=\"submit\" class=\"secondary\">");
	html_msg(b, c->lang, MSG_TOTP_ADD, NULL);
	html_raw(b, "</button></p>\n</form>\n");
	return SESAME_OK;
}

static enum MHD_Result account_render(web_ctx_t *c, const session_t *s, unsigned status,
				      i18n_msg_t alert, const account_extra_t *x)
{
	factor_lists_t f;
	html_buf_t b = {0};
	int r;

	if (factor_lists(c->d, s->s.user, &f) != SESAME_OK) {
		factor_lists_free(&f);
		return web_unavailable(c);
	}
	web_page_begin(c, &b, web_enrolling(s) ? MSG_TITLE_ENROLL : MSG_TITLE_ACCOUNT);
	web_page_alert(c, &b, alert, c->retry_after);
	/* several forms: the alert is not about all their fields */
	c->field_error = 0;
	/* enrolling, the person is not signed in yet */
	html_raw(&b, "<p>");
	html_msg(&b, c->lang, web_enrolling(s) ? MSG_ENROLL_INTRO : MSG_SIGNED_IN_AS, s->s.user);
	html_raw(&b, "</p>\n");
	html_raw(&b, "<h2>");
	html_msg(&b, c->lang, MSG_FACTORS, NULL);
	html_raw(&b, "</h2>\n");
	r = totp_section(c, &b, s, f.totp, f.n_totp, x);
	if (r == SESAME_OK)
		r = web_passkey_account(c, &b, s, f.keys, f.n_keys);
	if (r == SESAME_OK)
		web_recovery_account(c, &b, s, f.recovery_left);
	factor_lists_free(&f);
	if (r != SESAME_OK) {
		html_free(&b);
		return web_unavailable(c);
	}
	if (!web_enrolling(s))
		password_section(c, &b, s, x);
	web_sign_out_form(c, &b, s->csrf);
	return web_page_send(c, status, &b);
}

enum MHD_Result web_account_page(web_ctx_t *c, const session_t *s, unsigned status,
				 i18n_msg_t alert)
{
	account_extra_t x = {NULL, NULL};
	return account_render(c, s, status, alert, &x);
}

enum MHD_Result web_get_account(web_ctx_t *c)
{
	session_t s;
	int r = web_current_session(c, &s);

	if (r == SESAME_ERR_NOT_FOUND || r == SESAME_ERR_EXPIRED)
		return web_redirect(c, "/login");
	if (r != SESAME_OK)
		return web_unavailable(c);
	if (strcmp(s.s.stage, WEB_STAGE_DONE) != 0 && !web_enrolling(&s))
		return web_redirect(c, "/login/code");
	return web_account_page(c, &s, MHD_HTTP_OK, MSG__COUNT);
}

/* ---- TOTP authenticators ---- */

/* The session and the form of an account POST, its CSRF token checked;
 * a page sent into *sent otherwise (and the fields freed). enroll: the
 * form may also come from a session at the "enroll" stage. */
static int account_form(web_ctx_t *c, session_t *s, int enroll, web_form_field_t *f, size_t n,
			enum MHD_Result *sent)
{
	if (web_account_session(c, s, enroll, sent) != SESAME_OK ||
	    web_read_form(c, f, n, sent) != SESAME_OK)
		return SESAME_ERR_PERMISSION;
	if (!web_token_ok(f[n - 1].value, f[n - 1].len, s->csrf)) {
		*sent = web_error_page(c, MHD_HTTP_FORBIDDEN, MSG_FORBIDDEN);
		web_form_free(f, n);
		return SESAME_ERR_PERMISSION;
	}
	return SESAME_OK;
}

enum MHD_Result web_totp_add(web_ctx_t *c)
{
	web_form_field_t f[] = {{"name", SESAME_MAX_LABEL, NULL, 0},
				{"csrf", WEB_TOKEN_LEN, NULL, 0}};
	enum MHD_Result sent = MHD_NO;
	session_t s;
	totp_enroll_t e;
	char *uri = NULL;
	int64_t id = 0;
	int r;

	if (account_form(c, &s, 1, f, 2, &sent) != SESAME_OK)
		return sent;
	if (!web_name_ok(f[0].value, f[0].len)) {
		sent = web_account_page(c, &s, MHD_HTTP_BAD_REQUEST, MSG_PASSKEY_BAD_NAME);
		goto out;
	}
	memset(&e, 0, sizeof(e));
	e.user = s.s.user;
	e.name = f[0].value;
	e.alg = c->d->cfg.algorithm;
	e.digits = c->d->cfg.digits;
	e.service = WEB_SERVICE;
	e.rhost = c->rhost;
	e.now = c->now;
	if ((r = totp_enroll_start(c->d, &e, &id, &uri)) != SESAME_OK) {
		log_err("web: TOTP enrollment of %s: %s", s.s.user, sesame_err_code(r));
		sent = web_unavailable(c);
		goto out;
	}
	account_extra_t x = {uri, NULL};
	sent = account_render(c, &s, MHD_HTTP_OK, MSG__COUNT, &x);
	OPENSSL_cleanse(uri, strlen(uri));
	free(uri);
out:
	web_form_free(f, 2);
	return sent;
}

enum MHD_Result web_totp_confirm(web_ctx_t *c)
{
	web_form_field_t f[] = {{"code", WEB_MAX_FIELD, NULL, 0}, {"csrf", WEB_TOKEN_LEN, NULL, 0}};
	enum MHD_Result sent = MHD_NO;
	session_t s;
	int64_t id = 0;
	int r, result = SESAME_ERR_INTERNAL;

	if (account_form(c, &s, 1, f, 2, &sent) != SESAME_OK)
		return sent;
	r = totp_enroll_confirm(c->d, s.s.user, f[0].value ? f[0].value : "", WEB_SERVICE, c->rhost,
				c->now, &result, &id);
	if (r != SESAME_OK)
		sent = web_unavailable(c);
	else if (result == SESAME_OK && web_enrolling(&s))
		sent = web_enroll_finish(c, &s, FACTOR_TOTP) == SESAME_OK
			   ? web_account_page(c, &s, MHD_HTTP_OK, MSG_ENROLL_DONE)
			   : web_unavailable(c);
	else if (result == SESAME_OK)
		sent = web_account_page(c, &s, MHD_HTTP_OK, MSG_TOTP_CONFIRMED);
	else if (result == SESAME_ERR_CONFLICT)
		sent = web_account_page(c, &s, MHD_HTTP_CONFLICT, MSG_TOTP_NOTHING_PENDING);
	else
		sent = web_account_page(c, &s, MHD_HTTP_OK, MSG_TOTP_WRONG_CODE);
	web_form_free(f, 2);
	return sent;
}

/* Renaming and removing a second factor (TOTP authenticator or passkey):
 * one form handling, one rule (factor_manage.c). */
enum MHD_Result web_factor_rename(web_ctx_t *c, const factor_t *kind)
{
	web_form_field_t f[] = {{"id", 24, NULL, 0},
				{"name", SESAME_MAX_LABEL, NULL, 0},
				{"csrf", WEB_TOKEN_LEN, NULL, 0}};
	enum MHD_Result sent = MHD_NO;
	session_t s;
	int64_t id = 0;
	int r;

	if (account_form(c, &s, 0, f, 3, &sent) != SESAME_OK)
		return sent;
	if (web_id_of(&f[0], &id) != 0)
		sent = web_error_page(c, MHD_HTTP_BAD_REQUEST, MSG_BAD_FORM);
	else if (!web_name_ok(f[1].value, f[1].len))
		sent = web_account_page(c, &s, MHD_HTTP_BAD_REQUEST, MSG_PASSKEY_BAD_NAME);
	else if ((r = factor_rename(c->d, s.s.user, kind, id, f[1].value, WEB_SERVICE, c->rhost,
				    c->now)) == SESAME_ERR_NOT_FOUND)
		sent = web_error_page(c, MHD_HTTP_NOT_FOUND, MSG_NOT_FOUND);
	else if (r != SESAME_OK)
		sent = web_unavailable(c);
	else
		sent = web_redirect(c, "/account");
	web_form_free(f, 3);
	return sent;
}

enum MHD_Result web_factor_remove(web_ctx_t *c, const factor_t *kind)
{
	web_form_field_t f[] = {{"id", 24, NULL, 0}, {"csrf", WEB_TOKEN_LEN, NULL, 0}};
	enum MHD_Result sent = MHD_NO;
	session_t s;
	int64_t id = 0;
	int r;

	if (account_form(c, &s, 0, f, 2, &sent) != SESAME_OK)
		return sent;
	if (web_id_of(&f[0], &id) != 0)
		sent = web_error_page(c, MHD_HTTP_BAD_REQUEST, MSG_BAD_FORM);
	else if ((r = factor_remove(c->d, s.s.user, kind, id, 0, WEB_SERVICE, c->rhost, c->now)) ==
		 SESAME_ERR_NOT_FOUND)
		sent = web_error_page(c, MHD_HTTP_NOT_FOUND, MSG_NOT_FOUND);
	else if (r == SESAME_ERR_PERMISSION)
		sent = web_account_page(c, &s, MHD_HTTP_CONFLICT, MSG_PASSKEY_LAST_FACTOR);
	else if (r != SESAME_OK)
		sent = web_unavailable(c);
	else
		sent = web_redirect(c, "/account");
	web_form_free(f, 2);
	return sent;
}

enum MHD_Result web_totp_rename(web_ctx_t *c)
{
	return web_factor_rename(c, &factor_totp);
}

enum MHD_Result web_totp_remove(web_ctx_t *c)
{
	return web_factor_remove(c, &factor_totp);
}

/* ---- password change ---- */

enum MHD_Result web_post_password(web_ctx_t *c)
{
	web_form_field_t f[] = {{"current", SESAME_MAX_PASSWORD, NULL, 0},
				{"new", SESAME_MAX_PASSWORD, NULL, 0},
				{"again", SESAME_MAX_PASSWORD, NULL, 0},
				{"csrf", WEB_TOKEN_LEN, NULL, 0}};
	char hash[USERPW_ENCODED_MAX], real_name[SESAME_MAX_REAL_NAME + 1];
	enum MHD_Result sent = MHD_NO;
	factor_password_in_t cur;
	password_result_t res;
	session_t s;
	flow_step_t step;
	flow_t flow;
	int r;

	if (account_form(c, &s, 0, f, 4, &sent) != SESAME_OK)
		return sent;
	memset(hash, 0, sizeof(hash));
	memset(&res, 0, sizeof(res));
	if (f[0].value == NULL || f[1].value == NULL || f[2].value == NULL ||
	    f[1].len != f[2].len || CRYPTO_memcmp(f[1].value, f[2].value, f[1].len) != 0) {
		sent = web_account_page(c, &s, MHD_HTTP_BAD_REQUEST, MSG_PASSWORD_MISMATCH);
		goto out;
	}
	/* the current password: the sign-in's verdict, lock-out and counter */
	session_flow(&s, c->rhost, &flow);
	flow.passed = 0;
	cur.pw = f[0].value;
	cur.len = f[0].len;
	r = flow_answer(c->d, &flow, &factor_password, &cur, c->now, &step);
	if (r != SESAME_OK) {
		sent = web_unavailable(c);
		goto out;
	}
	if (!(flow.passed & FACTOR_PASSWORD)) {
		c->retry_after = step.reason == SESAME_ERR_LOCKED ? step.wait : 0;
		sent = web_account_page(
		    c, &s,
		    step.reason == SESAME_ERR_LOCKED ? MHD_HTTP_TOO_MANY_REQUESTS
						     : MHD_HTTP_FORBIDDEN,
		    step.reason == SESAME_ERR_LOCKED ? MSG_LOCKED : MSG_PASSWORD_WRONG_CURRENT);
		goto out;
	}
	if (account_real_name(c->d, s.s.user, real_name) != SESAME_OK) {
		sent = web_unavailable(c);
		goto out;
	}
	/* policy and Argon2id: outside any transaction */
	r = account_new_password(c->d, s.s.user, real_name, f[1].value, f[1].len, f[0].value,
				 f[0].len, hash, sizeof(hash), &res);
	if (r == SESAME_ERR_PASSWORD_REFUSED) {
		account_extra_t x = {NULL, &res};
		sent = account_render(c, &s, MHD_HTTP_BAD_REQUEST, MSG__COUNT, &x);
		goto out;
	}
	/* the other sessions end; this one stays */
	if (r != SESAME_OK || account_password_set(c->d, s.s.user, hash, s.s.id_hash, WEB_SERVICE,
						   c->rhost, "change", c->now) != SESAME_OK) {
		sent = web_unavailable(c);
		goto out;
	}
	sent = web_account_page(c, &s, MHD_HTTP_OK, MSG_PASSWORD_CHANGED);
out:
	OPENSSL_cleanse(hash, sizeof(hash));
	OPENSSL_cleanse(&res, sizeof(res));
	web_form_free(f, 4);
	return sent;
}

/* ---- "confirm it is you" (a recent proof before sign-in changes) ---- */

int web_recent(web_ctx_t *c, const session_t *s)
{
	flow_t f;

	if (!(c->route_flags & ROUTE_RECENT) || web_enrolling(s))
		return 1;
	session_flow(s, c->rhost, &f);
	return flow_recent(c->d, &f, c->now);
}

enum MHD_Result web_confirm_page(web_ctx_t *c, const session_t *s, unsigned status,
				 i18n_msg_t alert)
{
	html_buf_t b = {0};

	web_page_begin(c, &b, MSG_TITLE_CONFIRM);
	web_page_alert(c, &b, alert, c->retry_after);
	html_raw(&b, "<p>");
	html_msg(&b, c->lang, MSG_REAUTH_INTRO, NULL);
	html_raw(&b, "</p>\n<form method=\"post\" action=\"/account/confirm\">\n");
	web_page_csrf(&b, s->csrf);
	web_password_input(c, &b, "password", MSG_PASSWORD, "current-password");
	html_raw(&b, "<p><button type=\"submit\">");
	html_msg(&b, c->lang, MSG_SUBMIT_CONFIRM, NULL);
	html_raw(&b, "</button></p>\n</form>\n");
	web_sign_out_form(c, &b, s->csrf);
	return web_page_send(c, status, &b);
}

enum MHD_Result web_get_confirm(web_ctx_t *c)
{
	enum MHD_Result sent = MHD_NO;
	session_t s;

	if (web_account_session(c, &s, 0, &sent) != SESAME_OK)
		return sent;
	return web_confirm_page(c, &s, MHD_HTTP_OK, MSG__COUNT);
}

/* The password again, through the sign-in's attempt frame (counted,
 * throttled, audited); a success makes the session's proof recent. */
enum MHD_Result web_post_confirm(web_ctx_t *c)
{
	web_form_field_t f[] = {{"password", SESAME_MAX_PASSWORD, NULL, 0},
				{"csrf", WEB_TOKEN_LEN, NULL, 0}};
	enum MHD_Result sent = MHD_NO;
	factor_password_in_t pw;
	flow_step_t step;
	session_t s;
	flow_t flow;
	int r;

	if (account_form(c, &s, 0, f, 2, &sent) != SESAME_OK)
		return sent;
	session_flow(&s, c->rhost, &flow);
	pw.pw = f[0].value ? f[0].value : "";
	pw.len = f[0].len;
	if ((r = flow_answer(c->d, &flow, &factor_password, &pw, c->now, &step)) != SESAME_OK)
		sent = web_unavailable(c);
	else if (step.kind == FLOW_STEP_VERDICT && step.result == AUTH_SUCCESS)
		sent = session_set_factors(c->d, &s, flow.passed, c->now) == SESAME_OK
			   ? web_account_page(c, &s, MHD_HTTP_OK, MSG_REAUTH_DONE)
			   : web_unavailable(c);
	else if (step.reason == SESAME_ERR_LOCKED) {
		c->retry_after = step.wait;
		sent = web_confirm_page(c, &s, MHD_HTTP_TOO_MANY_REQUESTS, MSG_LOCKED);
	} else
		sent = web_confirm_page(c, &s, MHD_HTTP_FORBIDDEN, MSG_PASSWORD_WRONG_CURRENT);
	web_form_free(f, 2);
	return sent;
}
