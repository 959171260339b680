/* The web pages' responses and request checks (see web_int.h): every
 * response carries the same security headers, among them the one
 * Content-Security-Policy. */
#include <openssl/crypto.h>
#include <stdint.h>
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

void web_add_cookie_kept(web_ctx_t *c, const char *name, const char *value, long seconds)
{
	if (c->n_cookies >= WEB_MAX_COOKIES)
		return;
	snprintf(c->cookies[c->n_cookies++], sizeof(c->cookies[0]),
		 "%s=%s; Path=/; HttpOnly; SameSite=Lax%s; Max-Age=%ld", name, value,
		 c->secure ? "; Secure" : "", seconds);
}

/* Queues resp with the headers every response carries; cache: its
 * Cache-Control. */
static enum MHD_Result queue(web_ctx_t *c, unsigned status, struct MHD_Response *resp,
			     const char *type, const char *cache, const char *location)
{
	enum MHD_Result r;
	char retry[24];

	if (type)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	MHD_add_response_header(resp, "Content-Security-Policy", WEB_CSP);
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	/* not no-referrer: with it browsers send "Origin: null" on every POST
	 * (Fetch standard), which the Origin check must refuse; same-origin
	 * keeps the real origin on our own requests and sends none elsewhere */
	MHD_add_response_header(resp, "Referrer-Policy", "same-origin");
	MHD_add_response_header(resp, "Cache-Control", cache);
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

/* Queues text (malloc'd, NUL-terminated, owned and wiped by the response)
 * with the headers every page carries. */
enum MHD_Result web_respond(web_ctx_t *c, unsigned status, const char *type, char *text, size_t len,
			    const char *location)
{
	struct MHD_Response *resp;

	if (text == NULL || (resp = http_response_wiped(text, len)) == NULL)
		return MHD_NO;
	return queue(c, status, resp, type, "no-store", location);
}

enum MHD_Result web_redirect(web_ctx_t *c, const char *location)
{
	return web_respond(c, MHD_HTTP_SEE_OTHER, "text/plain; charset=utf-8", strdup(""), 0,
			   location);
}

enum MHD_Result web_static(web_ctx_t *c, const char *type, const void *data, size_t len,
			   const char *tag)
{
	const char *match =
	    MHD_lookup_connection_value(c->conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_IF_NONE_MATCH);
	const char *v = MHD_lookup_connection_value(c->conn, MHD_GET_ARGUMENT_KIND, "v");
	struct MHD_Response *resp;
	char etag[WEB_BRAND_TAG_LEN + 3];
	int fresh;

	snprintf(etag, sizeof(etag), "\"%s\"", tag);
	fresh = match != NULL && strcmp(match, etag) == 0;
	resp = MHD_create_response_from_buffer(fresh ? 0 : len, (void *)(uintptr_t)data,
					       MHD_RESPMEM_PERSISTENT);
	if (resp == NULL)
		return MHD_NO;
	MHD_add_response_header(resp, MHD_HTTP_HEADER_ETAG, etag);
	/* the versioned URL never changes; the other is checked each time */
	return queue(c, fresh ? MHD_HTTP_NOT_MODIFIED : MHD_HTTP_OK, resp, type,
		     v != NULL && strcmp(v, tag) == 0 ? "public, max-age=31536000, immutable"
						      : "no-cache",
		     NULL);
}

/* A context made without the server's brand (none of web.c's) still gets
 * a page: Sésame's name, the URLs unversioned. */
static const web_brand_t no_brand = {.name = "S\xc3\xa9same", .css_tag = "0", .logo_tag = "0"};

void web_page_begin(web_ctx_t *c, html_buf_t *b, i18n_msg_t title)
{
	const web_brand_t *br = c->brand ? c->brand : &no_brand;

	html_raw(b, "<!DOCTYPE html>\n<html lang=\"");
	html_raw(b, i18n_tag(c->lang));
	html_raw(b, "\">\n<head>\n<meta charset=\"utf-8\">\n"
		    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
		    "<meta name=\"color-scheme\" content=\"light dark\">\n<title>");
	html_msg(b, c->lang, title, NULL);
	html_raw(b, " \xe2\x80\x93 ");
	html_text(b, br->name);
	html_raw(b, "</title>\n<link rel=\"stylesheet\" href=\"/static/sesame.css?v=");
	html_raw(b, br->css_tag);
	html_raw(b, "\">\n<link rel=\"icon\" href=\"/static/logo?v=");
	html_raw(b, br->logo_tag);
	html_raw(b, "\">\n</head>\n<body>\n<header><a href=\"/\" aria-label=\"");
	html_msg(b, c->lang, MSG_HOME, br->name);
	html_raw(b, "\"><img src=\"/static/logo?v=");
	html_raw(b, br->logo_tag);
	html_raw(b, "\" alt=\"\" height=\"40\"><span>");
	html_text(b, br->name);
	html_raw(b, "</span></a></header>\n<main>\n<h1>");
	html_msg(b, c->lang, title, NULL);
	html_raw(b, "</h1>\n");
}

/* Sentences that say something went well: a status, not an error. */
static int is_success(i18n_msg_t id)
{
	static const i18n_msg_t ok[] = {MSG_TOTP_CONFIRMED, MSG_PASSWORD_CHANGED, MSG_ENROLL_DONE,
					MSG_REAUTH_DONE};

	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		if (ok[i] == id)
			return 1;
	return 0;
}

static void alert_open(web_ctx_t *c, html_buf_t *b, int success)
{
	html_raw(b, success ? "<p role=\"status\" class=\"alert ok\""
			    : "<p role=\"alert\" class=\"alert\"");
	if (!c->page_error && !success) {
		c->page_error = c->field_error = 1;
		html_raw(b, " id=\"" WEB_ALERT_ID "\"");
	}
	html_raw(b, ">");
}

/* An alert paragraph; MSG__COUNT: none. A wait adds the lock-out sentence. */
void web_page_alert(web_ctx_t *c, html_buf_t *b, i18n_msg_t id, int64_t wait)
{
	char secs[24];

	if (id != MSG__COUNT && id != MSG_LOCKED) {
		alert_open(c, b, is_success(id));
		html_msg(b, c->lang, id, NULL);
		html_raw(b, "</p>\n");
	}
	if (wait > 0 || id == MSG_LOCKED) {
		snprintf(secs, sizeof(secs), "%lld", (long long)wait);
		alert_open(c, b, 0);
		html_msg(b, c->lang, MSG_LOCKED, secs);
		html_raw(b, "</p>\n");
	}
}

void web_page_field_error(web_ctx_t *c, html_buf_t *b)
{
	if (c->field_error)
		html_raw(b, " aria-invalid=\"true\" aria-describedby=\"" WEB_ALERT_ID "\"");
}

void web_page_csrf(html_buf_t *b, const char *token)
{
	html_raw(b, "<input type=\"hidden\" name=\"csrf\" value=\"");
	html_text(b, token);
	html_raw(b, "\">\n");
}

/* The link of the language switch: /lang?to=TAG&back=PATH, PATH this page
 * when a GET can show it again, else "/" (which leads on). */
static void lang_link(web_ctx_t *c, html_buf_t *b, i18n_lang_t to)
{
	static const char hex[] = "0123456789ABCDEF";
	const char *back = web_route_gettable(c->url) ? c->url : "/";
	char esc[4] = "%";

	html_raw(b, "<a href=\"/lang?to=");
	html_raw(b, i18n_tag(to));
	html_raw(b, "&amp;back=");
	for (const unsigned char *p = (const unsigned char *)back; *p; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || strchr("/-_.~", *p) != NULL) {
			char one[2] = {(char)*p, '\0'};
			html_raw(b, one);
			continue;
		}
		esc[1] = hex[*p >> 4];
		esc[2] = hex[*p & 15];
		html_raw(b, esc);
	}
	html_raw(b, "\" hreflang=\"");
	html_raw(b, i18n_tag(to));
	html_raw(b, "\" lang=\"");
	html_raw(b, i18n_tag(to));
	html_raw(b, "\">");
	html_text(b, i18n_name(to));
	html_raw(b, "</a>");
}

enum MHD_Result web_page_send(web_ctx_t *c, unsigned status, html_buf_t *b)
{
	const web_brand_t *br = c->brand ? c->brand : &no_brand;
	char *text;
	size_t len = 0;

	html_raw(b, "</main>\n<footer>\n");
	if (br->support[0]) {
		html_raw(b, "<p>");
		html_text(b, br->support);
		html_raw(b, "</p>\n");
	}
	if (br->privacy[0]) {
		html_raw(b, "<p><a href=\"");
		html_text(b, br->privacy);
		html_raw(b, "\">");
		html_msg(b, c->lang, MSG_PRIVACY, NULL);
		html_raw(b, "</a></p>\n");
	}
	html_raw(b, "<nav class=\"lang\" aria-label=\"");
	html_msg(b, c->lang, MSG_LANGUAGE, NULL);
	html_raw(b, "\"><ul>");
	for (int l = 0; l < I18N__COUNT; l++) {
		html_raw(b, "<li>");
		if ((i18n_lang_t)l == c->lang) {
			html_raw(b, "<span aria-current=\"true\">");
			html_text(b, i18n_name((i18n_lang_t)l));
			html_raw(b, "</span>");
		} else {
			lang_link(c, b, (i18n_lang_t)l);
		}
		html_raw(b, "</li>");
	}
	html_raw(b, "</ul></nav>\n</footer>\n</body>\n</html>\n");
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
	html_raw(b, "<p><button type=\"submit\" class=\"secondary\">");
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

enum MHD_Result web_get_css(web_ctx_t *c)
{
	return web_static(c, "text/css; charset=utf-8", c->brand->css, c->brand->css_len,
			  c->brand->css_tag);
}

enum MHD_Result web_get_logo(web_ctx_t *c)
{
	return web_static(c, c->brand->logo_type, c->brand->logo, c->brand->logo_len,
			  c->brand->logo_tag);
}

/* A path of this site: "/...", printable ASCII, not "//host" nor "/\\host"
 * (which browsers take for another site). */
static int back_ok(const char *back)
{
	if (back == NULL || back[0] != '/' || back[1] == '/' || back[1] == '\\' ||
	    strlen(back) > 512)
		return 0;
	for (const char *p = back; *p; p++)
		if ((unsigned char)*p <= 0x20 || (unsigned char)*p >= 0x7f || *p == '\\')
			return 0;
	return 1;
}

/* The language switch: remembers the choice in a cookie and goes back to
 * the page, a path of this site only (no open redirect). */
enum MHD_Result web_get_lang(web_ctx_t *c)
{
	const char *to = MHD_lookup_connection_value(c->conn, MHD_GET_ARGUMENT_KIND, "to");
	const char *back = MHD_lookup_connection_value(c->conn, MHD_GET_ARGUMENT_KIND, "back");
	i18n_lang_t lang;

	if (i18n_from_tag(to, &lang) != 0)
		return web_error_page(c, MHD_HTTP_BAD_REQUEST, MSG_BAD_FORM);
	if (!back_ok(back))
		back = "/";
	c->lang = lang;
	web_add_cookie_kept(c, WEB_LANG_COOKIE, i18n_tag(lang), WEB_LANG_KEEP);
	return web_redirect(c, back);
}

void web_page_script(html_buf_t *b)
{
	html_raw(b, "<script src=\"/static/passkey.js\" defer></script>\n");
}
