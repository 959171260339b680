/* The web pages' responses and request checks (see web_int.h): every
 * response carries the same security headers, among them the one
 * Content-Security-Policy. */
#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sesame/base64url.h"
#include "sesame/error.h"
#include "web_int.h"

/* script-src 'self': /static/passkey.js, the only script; connect-src 'self':
 * its fetch() of /webauthn/... (default-src 'none' would block it) */
#define WEB_CSP                                                                                    \
	"default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'self'; "            \
	"img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

void web_add_cookie(web_ctx_t *c, const char *name, const char *value, int remove)
{
	if (c->n_cookies >= WEB_MAX_COOKIES)
		return;
	snprintf(c->cookies[c->n_cookies++], sizeof(c->cookies[0]),
		 "%s=%s; Path=/; HttpOnly; SameSite=Lax%s%s", name, value,
		 c->secure ? "; Secure" : "", remove ? "; Max-Age=0" : "");
}

/* Queues text (malloc'd, NUL-terminated, owned and wiped by the response)
 * with the headers every page carries. */
enum MHD_Result web_respond(web_ctx_t *c, unsigned status, const char *type, char *text, size_t len,
			    const char *location)
{
	struct MHD_Response *resp;
	enum MHD_Result r;
	char retry[24];

	if (text == NULL || (resp = http_response_wiped(text, len)) == NULL)
		return MHD_NO;
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	MHD_add_response_header(resp, "Content-Security-Policy", WEB_CSP);
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	/* not no-referrer: with it browsers send "Origin: null" on every POST
	 * (Fetch standard), which the Origin check must refuse; same-origin
	 * keeps the real origin on our own requests and sends none elsewhere */
	MHD_add_response_header(resp, "Referrer-Policy", "same-origin");
	MHD_add_response_header(resp, "Cache-Control", "no-store");
	MHD_add_response_header(resp, "X-Frame-Options", "DENY");
	MHD_add_response_header(resp, "Content-Language", i18n_tag(c->lang));
	MHD_add_response_header(resp, "Vary", "Accept-Language, Cookie");
	if (c->secure) /* https only from now on; never over plain http (RFC 6797 §7.2) */
		MHD_add_response_header(resp, "Strict-Transport-Security", "max-age=31536000");
	if (location)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_LOCATION, location);
	if (c->www_authenticate)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_WWW_AUTHENTICATE,
					c->www_authenticate);
	if (c->retry_after > 0) {
		snprintf(retry, sizeof(retry), "%lld", (long long)c->retry_after);
		MHD_add_response_header(resp, "Retry-After", retry);
	}
	for (size_t i = 0; i < c->n_cookies; i++)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_SET_COOKIE, c->cookies[i]);
	r = MHD_queue_response(c->conn, status, resp);
	MHD_destroy_response(resp);
	return r;
}

enum MHD_Result web_redirect(web_ctx_t *c, const char *location)
{
	return web_respond(c, MHD_HTTP_SEE_OTHER, "text/plain; charset=utf-8", strdup(""), 0,
			   location);
}

void web_page_begin(web_ctx_t *c, html_buf_t *b, i18n_msg_t title)
{
	html_raw(b, "<!DOCTYPE html>\n<html lang=\"");
	html_raw(b, i18n_tag(c->lang));
	html_raw(b, "\">\n<head>\n<meta charset=\"utf-8\">\n"
		    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
		    "<title>");
	html_msg(b, c->lang, title, NULL);
	html_raw(b, " \xe2\x80\x93 ");
	html_msg(b, c->lang, MSG_SITE_NAME, NULL);
	html_raw(b, "</title>\n</head>\n<body>\n<main>\n<h1>");
	html_msg(b, c->lang, title, NULL);
	html_raw(b, "</h1>\n");
}

/* An alert paragraph; MSG__COUNT: none. A wait adds the lock-out sentence. */
void web_page_alert(web_ctx_t *c, html_buf_t *b, i18n_msg_t id, int64_t wait)
{
	char secs[24];

	if (id != MSG__COUNT && id != MSG_LOCKED) {
		html_raw(b, "<p role=\"alert\">");
		html_msg(b, c->lang, id, NULL);
		html_raw(b, "</p>\n");
	}
	if (wait > 0 || id == MSG_LOCKED) {
		snprintf(secs, sizeof(secs), "%lld", (long long)wait);
		html_raw(b, "<p role=\"alert\">");
		html_msg(b, c->lang, MSG_LOCKED, secs);
		html_raw(b, "</p>\n");
	}
}

void web_page_csrf(html_buf_t *b, const char *token)
{
	html_raw(b, "<input type=\"hidden\" name=\"csrf\" value=\"");
	html_text(b, token);
	html_raw(b, "\">\n");
}

enum MHD_Result web_page_send(web_ctx_t *c, unsigned status, html_buf_t *b)
{
	char *text;
	size_t len = 0;

	html_raw(b, "</main>\n</body>\n</html>\n");
	if ((text = html_take(b, &len)) == NULL)
		return MHD_NO;
	return web_respond(c, status, "text/html; charset=utf-8", text, len, NULL);
}

enum MHD_Result web_error_page(web_ctx_t *c, unsigned status, i18n_msg_t id)
{
	html_buf_t b = {0};

	web_page_begin(c, &b, MSG_TITLE_ERROR);
	web_page_alert(c, &b, id, 0);
	html_raw(&b, "<p><a href=\"/login\">");
	html_msg(&b, c->lang, MSG_BACK_TO_LOGIN, NULL);
	html_raw(&b, "</a></p>\n");
	return web_page_send(c, status, &b);
}

enum MHD_Result web_unavailable(web_ctx_t *c)
{
	return web_error_page(c, MHD_HTTP_SERVICE_UNAVAILABLE, MSG_UNAVAILABLE);
}

void web_sign_out_form(web_ctx_t *c, html_buf_t *b, const char *csrf)
{
	html_raw(b, "<form method=\"post\" action=\"/logout\">\n");
	web_page_csrf(b, csrf);
	html_raw(b, "<p><button type=\"submit\">");
	html_msg(b, c->lang, MSG_SIGN_OUT, NULL);
	html_raw(b, "</button></p>\n</form>\n");
}

/* The session of the request's cookie; a stale cookie is cleared. */
int web_current_session(web_ctx_t *c, session_t *s)
{
	const char *cookie =
	    MHD_lookup_connection_value(c->conn, MHD_COOKIE_KIND, WEB_SESSION_COOKIE);
	int r;

	memset(s, 0, sizeof(*s));
	if (cookie == NULL)
		return SESAME_ERR_NOT_FOUND;
	r = session_lookup(c->d, cookie, c->rhost, c->now, s);
	if (r == SESAME_ERR_NOT_FOUND || r == SESAME_ERR_EXPIRED)
		web_add_cookie(c, WEB_SESSION_COOKIE, "", 1);
	return r;
}

/* Constant-time comparison of a form's token with the expected one. */
int web_token_ok(const char *sent, size_t sent_len, const char *expected)
{
	return sent != NULL && expected != NULL && sent_len == WEB_TOKEN_LEN &&
	       strlen(expected) == WEB_TOKEN_LEN &&
	       CRYPTO_memcmp(sent, expected, WEB_TOKEN_LEN) == 0;
}

/* A well-formed double-submit cookie of the sign-in form, or NULL. */
const char *web_login_csrf_cookie(web_ctx_t *c)
{
	const char *v = MHD_lookup_connection_value(c->conn, MHD_COOKIE_KIND, WEB_CSRF_COOKIE);
	unsigned char raw[WEB_TOKEN_BYTES];
	size_t n = 0;

	if (v == NULL || strlen(v) != WEB_TOKEN_LEN ||
	    base64url_decode(v, WEB_TOKEN_LEN, raw, sizeof(raw), &n) != SESAME_OK ||
	    n != sizeof(raw))
		return NULL;
	return v;
}

/* Parses the body into fields: 400 or 413 page sent (*sent) on error. */
int web_read_form(web_ctx_t *c, web_form_field_t *f, size_t n, enum MHD_Result *sent)
{
	int r = web_form_parse(c->body->data ? c->body->data : "", c->body->len, f, n);

	if (r == SESAME_ERR_TOO_LARGE)
		*sent = web_error_page(c, MHD_HTTP_CONTENT_TOO_LARGE, MSG_TOO_LARGE);
	else if (r == SESAME_ERR_NOMEM)
		*sent = MHD_NO;
	else if (r != SESAME_OK)
		*sent = web_error_page(c, MHD_HTTP_BAD_REQUEST, MSG_BAD_FORM);
	return r;
}

void web_page_script(html_buf_t *b)
{
	html_raw(b, "<script src=\"/static/passkey.js\" defer></script>\n");
}
