/* Enrollment by invitation: GET /invite/TOKEN shows the form choosing the
 * password (nothing is used up by opening the link: mail scanners fetch
 * links), POST /invite judges it by the policy, uses the invitation and
 * opens a session at the "enroll" stage, whose only way on is to register
 * a first factor on the account page (a passkey or a TOTP authenticator);
 * that registration promotes it to a signed-in session. The invitations
 * themselves are invite.c's. */
#include <openssl/crypto.h>
#include <string.h>

#include "account.h"
#include "invite.h"
#include "sesame/error.h"
#include "sesame/log.h"
#include "userpw.h"
#include "web_int.h"

static enum MHD_Result invite_form(web_ctx_t *c, unsigned status, const char *token,
				   const char *csrf, const char *user, i18n_msg_t alert,
				   const password_result_t *refused)
{
	html_buf_t b = {0};

	web_page_begin(c, &b, MSG_TITLE_INVITE);
	web_page_alert(c, &b, alert, 0);
	if (refused)
		web_password_refused(c, &b, refused);
	html_raw(&b, "<p>");
	html_msg(&b, c->lang, MSG_INVITE_WELCOME, user);
	html_raw(&b, "</p>\n<form method=\"post\" action=\"/invite\">\n");
	web_page_csrf(&b, csrf);
	html_raw(&b, "<input type=\"hidden\" name=\"token\" value=\"");
	html_text(&b, token);
	html_raw(&b, "\">\n<input type=\"text\" name=\"username\" autocomplete=\"username\" "
		     "hidden disabled value=\"");
	html_text(&b, user);
	html_raw(&b, "\">\n");
	web_password_input(c, &b, "new", MSG_PASSWORD_NEW, "new-password");
	web_password_input(c, &b, "again", MSG_PASSWORD_AGAIN, "new-password");
	html_raw(&b, "<p><button type=\"submit\">");
	html_msg(&b, c->lang, MSG_INVITE_SUBMIT, NULL);
	html_raw(&b, "</button></p>\n</form>\n");
	return web_page_send(c, status, &b);
}

static enum MHD_Result invalid(web_ctx_t *c)
{
	return web_error_page(c, MHD_HTTP_NOT_FOUND, MSG_INVITE_INVALID);
}

enum MHD_Result web_get_invite(web_ctx_t *c)
{
	const char *token = c->url + strlen(INVITE_PATH);
	const char *csrf = web_login_csrf_cookie(c);
	char fresh[WEB_TOKEN_LEN + 1];
	store_user_t u;
	int r = invite_lookup(c->d, token, c->now, &u);

	if (r == SESAME_ERR_NOT_FOUND)
		return invalid(c);
	if (r != SESAME_OK)
		return web_unavailable(c);
	if (csrf == NULL) {
		if (token_new(fresh) != SESAME_OK)
			return web_unavailable(c);
		web_add_cookie(c, WEB_CSRF_COOKIE, fresh, 0);
		csrf = fresh;
	}
	return invite_form(c, MHD_HTTP_OK, token, csrf, u.name, MSG__COUNT, NULL);
}

enum MHD_Result web_post_invite(web_ctx_t *c)
{
	web_form_field_t f[] = {{"token", WEB_TOKEN_LEN, NULL, 0},
				{"new", SESAME_MAX_PASSWORD, NULL, 0},
				{"again", SESAME_MAX_PASSWORD, NULL, 0},
				{"csrf", WEB_TOKEN_LEN, NULL, 0}};
	const char *csrf = web_login_csrf_cookie(c);
	char hash[USERPW_ENCODED_MAX], cookie[WEB_TOKEN_LEN + 1];
	enum MHD_Result sent = MHD_NO;
	password_result_t res;
	session_t s;
	store_user_t u;
	int r;

	memset(hash, 0, sizeof(hash));
	memset(&res, 0, sizeof(res));
	if (web_read_form(c, f, 4, &sent) != SESAME_OK)
		return sent;
	if (!web_token_ok(f[3].value, f[3].len, csrf)) {
		sent = web_error_page(c, MHD_HTTP_FORBIDDEN, MSG_FORBIDDEN);
		goto out;
	}
	if ((r = invite_lookup(c->d, f[0].value, c->now, &u)) != SESAME_OK) {
		sent = r == SESAME_ERR_NOT_FOUND ? invalid(c) : web_unavailable(c);
		goto out;
	}
	if (f[1].value == NULL || f[2].value == NULL || f[1].len != f[2].len ||
	    CRYPTO_memcmp(f[1].value, f[2].value, f[1].len) != 0) {
		sent = invite_form(c, MHD_HTTP_BAD_REQUEST, f[0].value, csrf, u.name,
				   MSG_PASSWORD_MISMATCH, NULL);
		goto out;
	}
	/* policy and Argon2id: outside any transaction */
	r = account_new_password(c->d, u.name, u.real_name, f[1].value, f[1].len, NULL, 0, hash,
				 sizeof(hash), &res);
	if (r == SESAME_ERR_PASSWORD_REFUSED) {
		sent = invite_form(c, MHD_HTTP_BAD_REQUEST, f[0].value, csrf, u.name, MSG__COUNT,
				   &res);
		goto out;
	}
	if (r == SESAME_OK)
		r = invite_accept(c->d, f[0].value, u.id, hash, WEB_SERVICE, c->rhost, c->now);
	if (r == SESAME_ERR_NOT_FOUND) { /* used or replaced meanwhile */
		sent = invalid(c);
		goto out;
	}
	if (r == SESAME_OK)
		r = session_create(
		    c->d, u.name, WEB_STAGE_ENROLL, FACTOR_PASSWORD,
		    MHD_lookup_connection_value(c->conn, MHD_COOKIE_KIND, WEB_SESSION_COOKIE),
		    c->now, cookie, &s);
	if (r != SESAME_OK) {
		log_err("web: invitation of %s: %s", u.name, sesame_err_code(r));
		sent = web_unavailable(c);
		goto out;
	}
	web_add_cookie(c, WEB_SESSION_COOKIE, cookie, 0);
	OPENSSL_cleanse(cookie, sizeof(cookie));
	sent = web_redirect(c, "/account");
out:
	OPENSSL_cleanse(hash, sizeof(hash));
	OPENSSL_cleanse(&res, sizeof(res));
	web_form_free(f, 4);
	return sent;
}

int web_enrolling(const session_t *s)
{
	return strcmp(s->s.stage, WEB_STAGE_ENROLL) == 0;
}

int web_enroll_finish(web_ctx_t *c, session_t *s, unsigned factor)
{
	char cookie[WEB_TOKEN_LEN + 1];
	session_t done;
	int r;

	if (!web_enrolling(s))
		return SESAME_OK;
	if ((r = session_promote(c->d, s, s->s.factors | factor, c->now, cookie, &done)) !=
	    SESAME_OK)
		return r;
	web_add_cookie(c, WEB_SESSION_COOKIE, cookie, 0);
	OPENSSL_cleanse(cookie, sizeof(cookie));
	*s = done;
	OPENSSL_cleanse(&done, sizeof(done));
	return SESAME_OK;
}
