/* The web pages' HTTP server: a second libmicrohttpd daemon on TCP (TLS
 * with GnuTLS when configured), thread per connection like the unix
 * socket's, with its own route table. Every response carries the same
 * security headers; every POST is checked for its Origin and its CSRF
 * token before anything else happens. The decisions are auth.c's. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "auth.h"
#include "http_common.h"
#include "sesame/base64url.h"
#include "sesame/error.h"
#include "sesame/log.h"
#include "sesame/username.h"
#include "web.h"
#include "web_form.h"
#include "web_html.h"
#include "web_session.h"

#define WEB_MAX_FORM 8192 /* bytes of a form body; 413 beyond */
/* Browsers send more headers (cookies, client hints) than the PAM module. */
#define WEB_CONNECTION_MEMORY 16384
#define WEB_MAX_PEM (1024 * 1024) /* bytes of the certificate or key file */
#define WEB_MAX_FIELD 256	  /* user name field before validation, code */
#define WEB_CSRF_COOKIE "sesame_csrf"
#define WEB_SERVICE "web"
#define WEB_CSP                                                                                    \
	"default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; "         \
	"frame-ancestors 'none'; base-uri 'none'"
#define WEB_MAX_COOKIES 2

struct web_server {
	authd_t *d;
	struct MHD_Daemon *mhd;
	int fd;
	char *cert, *key; /* PEM, NUL-terminated; the key is wiped at stop */
	size_t cert_len, key_len;
	int tls;
	int proxy_family; /* AF_INET, AF_INET6, 0: no trusted proxy */
	unsigned char proxy_addr[16];
};

struct web_request {
	http_body_t body;
};

/* One request being answered. */
typedef struct {
	web_server_t *w;
	authd_t *d;
	struct MHD_Connection *conn;
	i18n_lang_t lang;
	int secure; /* the browser sees https */
	char rhost[INET6_ADDRSTRLEN];
	int64_t now;
	const http_body_t *body;
	char cookies[WEB_MAX_COOKIES][160]; /* Set-Cookie values */
	size_t n_cookies;
	int64_t retry_after; /* seconds, 0: no Retry-After */
} web_ctx_t;

typedef enum MHD_Result (*web_handler_t)(web_ctx_t *c);

/* ---- responses ---- */

static void add_cookie(web_ctx_t *c, const char *name, const char *value, int remove)
{
	if (c->n_cookies >= WEB_MAX_COOKIES)
		return;
	snprintf(c->cookies[c->n_cookies++], sizeof(c->cookies[0]),
		 "%s=%s; Path=/; HttpOnly; SameSite=Lax%s%s", name, value,
		 c->secure ? "; Secure" : "", remove ? "; Max-Age=0" : "");
}

/* Queues text (malloc'd, NUL-terminated, owned and wiped by the response)
 * with the headers every page carries. */
static enum MHD_Result respond(web_ctx_t *c, unsigned status, const char *type, char *text,
			       size_t len, const char *location)
{
	struct MHD_Response *resp;
	enum MHD_Result r;
	char retry[24];

	if (text == NULL || (resp = http_response_wiped(text, len)) == NULL)
		return MHD_NO;
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	MHD_add_response_header(resp, "Content-Security-Policy", WEB_CSP);
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
	MHD_add_response_header(resp, "Cache-Control", "no-store");
	MHD_add_response_header(resp, "X-Frame-Options", "DENY");
	MHD_add_response_header(resp, "Content-Language", i18n_tag(c->lang));
	MHD_add_response_header(resp, "Vary", "Accept-Language, Cookie");
	if (location)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_LOCATION, location);
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

static enum MHD_Result redirect(web_ctx_t *c, const char *location)
{
	return respond(c, MHD_HTTP_SEE_OTHER, "text/plain; charset=utf-8", strdup(""), 0, location);
}

static void page_begin(web_ctx_t *c, html_buf_t *b, i18n_msg_t title)
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
static void page_alert(web_ctx_t *c, html_buf_t *b, i18n_msg_t id, int64_t wait)
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

static void page_csrf(html_buf_t *b, const char *token)
{
	html_raw(b, "<input type=\"hidden\" name=\"csrf\" value=\"");
	html_text(b, token);
	html_raw(b, "\">\n");
}

static enum MHD_Result page_send(web_ctx_t *c, unsigned status, html_buf_t *b)
{
	char *text;
	size_t len = 0;

	html_raw(b, "</main>\n</body>\n</html>\n");
	if ((text = html_take(b, &len)) == NULL)
		return MHD_NO;
	return respond(c, status, "text/html; charset=utf-8", text, len, NULL);
}

static enum MHD_Result error_page(web_ctx_t *c, unsigned status, i18n_msg_t id)
{
	html_buf_t b = {0};

	page_begin(c, &b, MSG_TITLE_ERROR);
	page_alert(c, &b, id, 0);
	html_raw(&b, "<p><a href=\"/login\">");
	html_msg(&b, c->lang, MSG_BACK_TO_LOGIN, NULL);
	html_raw(&b, "</a></p>\n");
	return page_send(c, status, &b);
}

static enum MHD_Result unavailable(web_ctx_t *c)
{
	return error_page(c, MHD_HTTP_SERVICE_UNAVAILABLE, MSG_UNAVAILABLE);
}

static void sign_out_form(web_ctx_t *c, html_buf_t *b, const char *csrf)
{
	html_raw(b, "<form method=\"post\" action=\"/logout\">\n");
	page_csrf(b, csrf);
	html_raw(b, "<p><button type=\"submit\">");
	html_msg(b, c->lang, MSG_SIGN_OUT, NULL);
	html_raw(b, "</button></p>\n</form>\n");
}

/* ---- request state ---- */

/* The session of the request's cookie; a stale cookie is cleared. */
static int current_session(web_ctx_t *c, web_session_t *s)
{
	const char *cookie =
	    MHD_lookup_connection_value(c->conn, MHD_COOKIE_KIND, WEB_SESSION_COOKIE);
	int r;

	memset(s, 0, sizeof(*s));
	if (cookie == NULL)
		return SESAME_ERR_NOT_FOUND;
	r = web_session_lookup(c->d, cookie, c->rhost, c->now, s);
	if (r == SESAME_ERR_NOT_FOUND || r == SESAME_ERR_EXPIRED)
		add_cookie(c, WEB_SESSION_COOKIE, "", 1);
	return r;
}

/* Constant-time comparison of a form's token with the expected one. */
static int token_ok(const char *sent, size_t sent_len, const char *expected)
{
	return sent != NULL && expected != NULL && sent_len == WEB_TOKEN_LEN &&
	       strlen(expected) == WEB_TOKEN_LEN &&
	       CRYPTO_memcmp(sent, expected, WEB_TOKEN_LEN) == 0;
}

/* A well-formed double-submit cookie of the sign-in form, or NULL. */
static const char *login_csrf_cookie(web_ctx_t *c)
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
static int read_form(web_ctx_t *c, web_form_field_t *f, size_t n, enum MHD_Result *sent)
{
	int r = web_form_parse(c->body->data ? c->body->data : "", c->body->len, f, n);

	if (r == SESAME_ERR_TOO_LARGE)
		*sent = error_page(c, MHD_HTTP_CONTENT_TOO_LARGE, MSG_TOO_LARGE);
	else if (r == SESAME_ERR_NOMEM)
		*sent = MHD_NO;
	else if (r != SESAME_OK)
		*sent = error_page(c, MHD_HTTP_BAD_REQUEST, MSG_BAD_FORM);
	return r;
}

struct factors_ctx {
	int64_t user_id;
	store_totp_t *items;
	size_t n;
};

static int factors_tx(store_tx_t *tx, void *arg)
{
	struct factors_ctx *f = arg;
	return store_totp_list(tx, f->user_id, &f->items, &f->n);
}

/* ---- pages ---- */

static enum MHD_Result login_form(web_ctx_t *c, unsigned status, const char *csrf, const char *user,
				  i18n_msg_t alert, int64_t wait)
{
	html_buf_t b = {0};

	page_begin(c, &b, MSG_TITLE_LOGIN);
	page_alert(c, &b, alert, wait);
	html_raw(&b, "<form method=\"post\" action=\"/login\">\n");
	page_csrf(&b, csrf);
	html_raw(&b, "<p><label for=\"user\">");
	html_msg(&b, c->lang, MSG_USERNAME, NULL);
	html_raw(&b, "</label><br>\n<input id=\"user\" name=\"user\" type=\"text\" "
		     "autocomplete=\"username\" autocapitalize=\"none\" spellcheck=\"false\" "
		     "maxlength=\"64\" required autofocus value=\"");
	html_text(&b, user ? user : "");
	html_raw(&b, "\"></p>\n<p><label for=\"password\">");
	html_msg(&b, c->lang, MSG_PASSWORD, NULL);
	html_raw(&b, "</label><br>\n<input id=\"password\" name=\"password\" type=\"password\" "
		     "autocomplete=\"current-password\" required></p>\n<p><button "
		     "type=\"submit\">");
	html_msg(&b, c->lang, MSG_SUBMIT_LOGIN, NULL);
	html_raw(&b, "</button></p>\n</form>\n");
	return page_send(c, status, &b);
}

static enum MHD_Result code_form(web_ctx_t *c, unsigned status, const web_session_t *s,
				 i18n_msg_t alert, int64_t wait)
{
	html_buf_t b = {0};

	page_begin(c, &b, MSG_TITLE_CODE);
	page_alert(c, &b, alert, wait);
	html_raw(&b, "<form method=\"post\" action=\"/login/code\">\n");
	page_csrf(&b, s->csrf);
	html_raw(&b, "<p><label for=\"code\">");
	html_msg(&b, c->lang, MSG_CODE_LABEL, NULL);
	html_raw(&b, "</label><br>\n<input id=\"code\" name=\"code\" type=\"text\" "
		     "inputmode=\"numeric\" autocomplete=\"one-time-code\" maxlength=\"8\" "
		     "required autofocus></p>\n<p><button type=\"submit\">");
	html_msg(&b, c->lang, MSG_SUBMIT_CODE, NULL);
	html_raw(&b, "</button></p>\n</form>\n");
	sign_out_form(c, &b, s->csrf);
	return page_send(c, status, &b);
}

static enum MHD_Result no_factor_page(web_ctx_t *c, const web_session_t *s)
{
	html_buf_t b = {0};

	page_begin(c, &b, MSG_TITLE_CODE);
	page_alert(c, &b, MSG_NO_FACTOR, 0);
	sign_out_form(c, &b, s->csrf);
	return page_send(c, MHD_HTTP_FORBIDDEN, &b);
}

/* 1: user has a confirmed TOTP credential; 0: none; <0: store error. */
static int has_factor(web_ctx_t *c, const web_session_t *s)
{
	struct factors_ctx f = {s->s.user_id, NULL, 0};
	int found = 0;

	if (store_read(c->d->store, factors_tx, &f) != SESAME_OK)
		return -1;
	for (size_t i = 0; i < f.n; i++)
		found |= f.items[i].confirmed;
	store_totp_list_free(&f.items, f.n);
	return found;
}

static enum MHD_Result get_root(web_ctx_t *c)
{
	web_session_t s;
	int r = current_session(c, &s);

	if (r == SESAME_OK && strcmp(s.s.stage, WEB_STAGE_DONE) == 0)
		return redirect(c, "/account");
	if (r != SESAME_OK && r != SESAME_ERR_NOT_FOUND && r != SESAME_ERR_EXPIRED)
		return unavailable(c);
	return redirect(c, "/login");
}

static enum MHD_Result get_healthz(web_ctx_t *c)
{
	return respond(c, MHD_HTTP_OK, "text/plain; charset=utf-8", strdup("ok"), 2, NULL);
}

static enum MHD_Result get_login(web_ctx_t *c)
{
	char fresh[WEB_TOKEN_LEN + 1];
	const char *csrf = login_csrf_cookie(c);
	web_session_t s;
	int r = current_session(c, &s);

	if (r == SESAME_OK && strcmp(s.s.stage, WEB_STAGE_DONE) == 0)
		return redirect(c, "/account");
	if (csrf == NULL) {
		if (web_token_new(fresh) != SESAME_OK)
			return unavailable(c);
		add_cookie(c, WEB_CSRF_COOKIE, fresh, 0);
		csrf = fresh;
	}
	return login_form(c, MHD_HTTP_OK, csrf, NULL, MSG__COUNT, 0);
}

static enum MHD_Result post_login(web_ctx_t *c)
{
	web_form_field_t f[] = {{"user", WEB_MAX_FIELD, NULL, 0},
				{"password", SESAME_MAX_PASSWORD, NULL, 0},
				{"csrf", WEB_TOKEN_LEN, NULL, 0}};
	const char *csrf = login_csrf_cookie(c);
	char cookie[WEB_TOKEN_LEN + 1];
	enum MHD_Result sent = MHD_NO;
	web_session_t s;
	auth_step_t step;
	int r;

	if (read_form(c, f, 3, &sent) != SESAME_OK)
		return sent;
	if (!token_ok(f[2].value, f[2].len, csrf)) {
		sent = error_page(c, MHD_HTTP_FORBIDDEN, MSG_FORBIDDEN);
		goto out;
	}
	if (f[0].value == NULL || username_validate(f[0].value, f[0].len) != SESAME_OK) {
		sent = error_page(c, MHD_HTTP_BAD_REQUEST, MSG_BAD_USERNAME);
		goto out;
	}
	r = auth_password(c->d, f[0].value, WEB_SERVICE, c->rhost, f[1].value ? f[1].value : "",
			  f[1].len, c->now, &step);
	if (r != SESAME_OK) {
		log_err("web: sign-in of %s: %s", f[0].value, sesame_err_code(r));
		sent = unavailable(c);
		goto out;
	}
	if (step.result == AUTH_SUCCESS) {
		r = web_session_create(
		    c->d, f[0].value, WEB_STAGE_PASSWORD,
		    MHD_lookup_connection_value(c->conn, MHD_COOKIE_KIND, WEB_SESSION_COOKIE),
		    c->now, cookie, &s);
		if (r != SESAME_OK) {
			sent = unavailable(c);
			goto out;
		}
		add_cookie(c, WEB_SESSION_COOKIE, cookie, 0);
		OPENSSL_cleanse(cookie, sizeof(cookie));
		sent = redirect(c, "/login/code");
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
static int password_stage(web_ctx_t *c, web_session_t *s, enum MHD_Result *sent)
{
	int r = current_session(c, s);

	if (r == SESAME_OK && strcmp(s->s.stage, WEB_STAGE_PASSWORD) == 0)
		return SESAME_OK;
	if (r == SESAME_OK)
		*sent = redirect(c, "/account");
	else if (r == SESAME_ERR_NOT_FOUND || r == SESAME_ERR_EXPIRED)
		*sent = redirect(c, "/login");
	else
		*sent = unavailable(c);
	return r == SESAME_OK ? SESAME_ERR_CONFLICT : r;
}

static enum MHD_Result get_login_code(web_ctx_t *c)
{
	enum MHD_Result sent = MHD_NO;
	web_session_t s;
	int f;

	if (password_stage(c, &s, &sent) != SESAME_OK)
		return sent;
	if ((f = has_factor(c, &s)) < 0)
		return unavailable(c);
	if (f == 0)
		return no_factor_page(c, &s);
	return code_form(c, MHD_HTTP_OK, &s, MSG__COUNT, 0);
}

static enum MHD_Result post_login_code(web_ctx_t *c)
{
	web_form_field_t f[] = {{"code", WEB_MAX_FIELD, NULL, 0}, {"csrf", WEB_TOKEN_LEN, NULL, 0}};
	char cookie[WEB_TOKEN_LEN + 1];
	enum MHD_Result sent = MHD_NO;
	web_session_t s, done;
	auth_step_t step;
	int r;

	if (password_stage(c, &s, &sent) != SESAME_OK)
		return sent;
	if (read_form(c, f, 2, &sent) != SESAME_OK)
		return sent;
	if (!token_ok(f[1].value, f[1].len, s.csrf)) {
		sent = error_page(c, MHD_HTTP_FORBIDDEN, MSG_FORBIDDEN);
		goto out;
	}
	r = auth_totp_verify(c->d, s.s.user, WEB_SERVICE, c->rhost, f[0].value ? f[0].value : "",
			     c->now, &step);
	if (r != SESAME_OK) {
		log_err("web: code of %s: %s", s.s.user, sesame_err_code(r));
		sent = unavailable(c);
		goto out;
	}
	switch (step.result == AUTH_SUCCESS ? SESAME_OK : step.reason) {
	case SESAME_OK:
		if (web_session_promote(c->d, &s, c->now, cookie, &done) != SESAME_OK) {
			sent = unavailable(c);
			break;
		}
		add_cookie(c, WEB_SESSION_COOKIE, cookie, 0);
		OPENSSL_cleanse(cookie, sizeof(cookie));
		sent = redirect(c, "/account");
		break;
	case SESAME_ERR_NO_FACTOR:
		sent = no_factor_page(c, &s);
		break;
	case SESAME_ERR_DISABLED:
		if (web_session_delete(c->d, &s, c->rhost, c->now) != SESAME_OK) {
			sent = unavailable(c);
			break;
		}
		add_cookie(c, WEB_SESSION_COOKIE, "", 1);
		sent = error_page(c, MHD_HTTP_FORBIDDEN, MSG_DISABLED);
		break;
	case SESAME_ERR_LOCKED:
		c->retry_after = step.wait;
		sent = code_form(c, MHD_HTTP_TOO_MANY_REQUESTS, &s, MSG_LOCKED, step.wait);
		break;
	case SESAME_ERR_REPLAY:
		sent = code_form(c, MHD_HTTP_OK, &s, MSG_CODE_REUSED, step.wait);
		break;
	default:
		sent = code_form(c, MHD_HTTP_OK, &s, MSG_WRONG_CODE, step.wait);
	}
out:
	web_form_free(f, 2);
	return sent;
}

static enum MHD_Result post_logout(web_ctx_t *c)
{
	web_form_field_t f[] = {{"csrf", WEB_TOKEN_LEN, NULL, 0}};
	enum MHD_Result sent = MHD_NO;
	web_session_t s;
	int r = current_session(c, &s);

	if (r == SESAME_ERR_NOT_FOUND || r == SESAME_ERR_EXPIRED)
		return redirect(c, "/login");
	if (r != SESAME_OK)
		return unavailable(c);
	if (read_form(c, f, 1, &sent) != SESAME_OK)
		return sent;
	if (!token_ok(f[0].value, f[0].len, s.csrf))
		sent = error_page(c, MHD_HTTP_FORBIDDEN, MSG_FORBIDDEN);
	else if (web_session_delete(c->d, &s, c->rhost, c->now) != SESAME_OK)
		sent = unavailable(c);
	else {
		add_cookie(c, WEB_SESSION_COOKIE, "", 1);
		sent = redirect(c, "/login");
	}
	web_form_free(f, 1);
	return sent;
}

static enum MHD_Result get_account(web_ctx_t *c)
{
	struct factors_ctx f = {0, NULL, 0};
	html_buf_t b = {0};
	web_session_t s;
	size_t shown = 0;
	int r = current_session(c, &s);

	if (r == SESAME_ERR_NOT_FOUND || r == SESAME_ERR_EXPIRED)
		return redirect(c, "/login");
	if (r != SESAME_OK)
		return unavailable(c);
	if (strcmp(s.s.stage, WEB_STAGE_DONE) != 0)
		return redirect(c, "/login/code");
	f.user_id = s.s.user_id;
	if (store_read(c->d->store, factors_tx, &f) != SESAME_OK)
		return unavailable(c);
	page_begin(c, &b, MSG_TITLE_ACCOUNT);
	html_raw(&b, "<p>");
	html_msg(&b, c->lang, MSG_SIGNED_IN_AS, s.s.user);
	html_raw(&b, "</p>\n<h2>");
	html_msg(&b, c->lang, MSG_FACTORS, NULL);
	html_raw(&b, "</h2>\n<ul>\n");
	for (size_t i = 0; i < f.n; i++) {
		if (!f.items[i].confirmed)
			continue;
		html_raw(&b, "<li>");
		html_msg(&b, c->lang, MSG_FACTOR_TOTP, f.items[i].name);
		html_raw(&b, "</li>\n");
		shown++;
	}
	if (shown == 0) {
		html_raw(&b, "<li>");
		html_msg(&b, c->lang, MSG_NO_FACTORS, NULL);
		html_raw(&b, "</li>\n");
	}
	html_raw(&b, "</ul>\n");
	store_totp_list_free(&f.items, f.n);
	sign_out_form(c, &b, s.csrf);
	return page_send(c, MHD_HTTP_OK, &b);
}

static const struct {
	const char *path;
	const char *method;
	web_handler_t fn;
} routes[] = {
    {"/", MHD_HTTP_METHOD_GET, get_root},
    {"/healthz", MHD_HTTP_METHOD_GET, get_healthz},
    {"/login", MHD_HTTP_METHOD_GET, get_login},
    {"/login", MHD_HTTP_METHOD_POST, post_login},
    {"/login/code", MHD_HTTP_METHOD_GET, get_login_code},
    {"/login/code", MHD_HTTP_METHOD_POST, post_login_code},
    {"/logout", MHD_HTTP_METHOD_POST, post_logout},
    {"/account", MHD_HTTP_METHOD_GET, get_account},
};

/* ---- dispatch ---- */

/* An Origin header, when sent, must name this site as the browser sees it. */
static int origin_ok(web_ctx_t *c)
{
	const char *origin = MHD_lookup_connection_value(c->conn, MHD_HEADER_KIND, "Origin");
	const char *host =
	    MHD_lookup_connection_value(c->conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_HOST);
	const char *scheme = c->secure ? "https://" : "http://";
	size_t sl = strlen(scheme);

	if (origin == NULL)
		return 1;
	return host != NULL && *host != '\0' && strncasecmp(origin, scheme, sl) == 0 &&
	       strcasecmp(origin + sl, host) == 0;
}

static int form_content_type(web_ctx_t *c)
{
	static const char form[] = "application/x-www-form-urlencoded";
	const char *t =
	    MHD_lookup_connection_value(c->conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE);

	return t != NULL && strncasecmp(t, form, sizeof(form) - 1) == 0 &&
	       (t[sizeof(form) - 1] == '\0' || t[sizeof(form) - 1] == ';');
}

static enum MHD_Result dispatch(web_ctx_t *c, const char *url, const char *method)
{
	int is_post = strcmp(method, MHD_HTTP_METHOD_POST) == 0;
	int get_like =
	    strcmp(method, MHD_HTTP_METHOD_GET) == 0 || strcmp(method, MHD_HTTP_METHOD_HEAD) == 0;
	int path_known = 0;

	if (c->body->too_large)
		return error_page(c, MHD_HTTP_CONTENT_TOO_LARGE, MSG_TOO_LARGE);
	for (size_t i = 0; i < sizeof(routes) / sizeof(routes[0]); i++) {
		if (strcmp(routes[i].path, url) != 0)
			continue;
		path_known = 1;
		if (strcmp(routes[i].method, MHD_HTTP_METHOD_POST) == 0 ? !is_post : !get_like)
			continue;
		if (is_post) {
			/* before any state is read or changed */
			if (!origin_ok(c))
				return error_page(c, MHD_HTTP_FORBIDDEN, MSG_FORBIDDEN);
			if (!form_content_type(c))
				return error_page(c, MHD_HTTP_UNSUPPORTED_MEDIA_TYPE, MSG_BAD_FORM);
		} else if (c->body->len) {
			return error_page(c, MHD_HTTP_BAD_REQUEST, MSG_BAD_FORM);
		}
		return routes[i].fn(c);
	}
	if (path_known)
		return error_page(c, MHD_HTTP_METHOD_NOT_ALLOWED, MSG_BAD_METHOD);
	return error_page(c, MHD_HTTP_NOT_FOUND, MSG_NOT_FOUND);
}

/* The client's address: the peer, or the last X-Forwarded-For hop when the
 * peer is the trusted proxy (which also tells whether the browser used
 * https, by X-Forwarded-Proto). */
static void client_of(web_ctx_t *c)
{
	const union MHD_ConnectionInfo *ci =
	    MHD_get_connection_info(c->conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	const struct sockaddr *sa = ci ? ci->client_addr : NULL;
	unsigned char peer[16];
	int family = 0;

	c->secure = c->w->tls;
	snprintf(c->rhost, sizeof(c->rhost), "%s", "unknown");
	if (sa != NULL && sa->sa_family == AF_INET) {
		memcpy(peer, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, 4);
		family = AF_INET;
	} else if (sa != NULL && sa->sa_family == AF_INET6) {
		const struct in6_addr *a =
		    &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr;
		if (IN6_IS_ADDR_V4MAPPED(a)) {
			memcpy(peer, a->s6_addr + 12, 4);
			family = AF_INET;
		} else {
			memcpy(peer, a->s6_addr, 16);
			family = AF_INET6;
		}
	}
	if (family == 0)
		return;
	inet_ntop(family, peer, c->rhost, sizeof(c->rhost));
	if (c->w->proxy_family != family ||
	    memcmp(peer, c->w->proxy_addr, family == AF_INET ? 4 : 16) != 0)
		return;

	const char *xff = MHD_lookup_connection_value(c->conn, MHD_HEADER_KIND, "X-Forwarded-For");
	const char *proto =
	    MHD_lookup_connection_value(c->conn, MHD_HEADER_KIND, "X-Forwarded-Proto");
	if (proto != NULL && strcasecmp(proto, "https") == 0)
		c->secure = 1;
	if (xff != NULL) {
		const char *hop = strrchr(xff, ',');
		char text[INET6_ADDRSTRLEN];
		unsigned char addr[16];
		size_t n;

		hop = hop ? hop + 1 : xff;
		hop += strspn(hop, " \t");
		n = strcspn(hop, " \t");
		if (n == 0 || n >= sizeof(text))
			return;
		memcpy(text, hop, n);
		text[n] = '\0';
		if (inet_pton(AF_INET, text, addr) == 1)
			inet_ntop(AF_INET, addr, c->rhost, sizeof(c->rhost));
		else if (inet_pton(AF_INET6, text, addr) == 1)
			inet_ntop(AF_INET6, addr, c->rhost, sizeof(c->rhost));
	}
}

static enum MHD_Result serve(web_server_t *w, struct MHD_Connection *conn, const char *url,
			     const char *method, struct web_request *rq)
{
	web_ctx_t c;

	memset(&c, 0, sizeof(c));
	c.w = w;
	c.d = w->d;
	c.conn = conn;
	c.now = (int64_t)time(NULL);
	c.body = &rq->body;
	c.lang = i18n_negotiate(
	    MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_ACCEPT_LANGUAGE));
	client_of(&c);
	return dispatch(&c, url, method);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
				  const char *method, const char *version, const char *upload_data,
				  size_t *upload_data_size, void **con_cls)
{
	web_server_t *w = cls;
	struct web_request *rq = *con_cls;

	(void)version;
	if (rq == NULL) {
		if ((rq = calloc(1, sizeof(*rq))) == NULL)
			return MHD_NO;
		*con_cls = rq;
		rq->body.max = WEB_MAX_FORM;
		http_body_precheck(conn, &rq->body);
		if (rq->body.too_large) /* refused before reading the body */
			return serve(w, conn, url, method, rq);
		return MHD_YES;
	}
	if (*upload_data_size != 0) {
		size_t n = *upload_data_size;
		*upload_data_size = 0;
		return http_body_append(&rq->body, upload_data, n) == SESAME_OK ? MHD_YES : MHD_NO;
	}
	return serve(w, conn, url, method, rq);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
			 enum MHD_RequestTerminationCode toe)
{
	struct web_request *rq = *con_cls;

	(void)cls;
	(void)conn;
	(void)toe;
	if (rq == NULL)
		return;
	http_body_free(&rq->body); /* may hold a password */
	free(rq);
	*con_cls = NULL;
}

/* ---- start and stop ---- */

/* Reads a PEM file whole, NUL-terminated, at most WEB_MAX_PEM bytes. */
static int read_pem(const char *path, char **out, size_t *len)
{
	struct stat st;
	char *buf = NULL;
	size_t got = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	*out = NULL;
	if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size <= 0 ||
	    st.st_size > WEB_MAX_PEM || (buf = malloc((size_t)st.st_size + 1)) == NULL)
		goto fail;
	while (got < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + got, (size_t)st.st_size - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			goto fail;
		got += (size_t)n;
	}
	buf[got] = '\0';
	close(fd);
	*out = buf;
	*len = got;
	return SESAME_OK;
fail:
	log_err("web: cannot read %s: %s", path, errno ? strerror(errno) : "empty or too large");
	if (buf) {
		OPENSSL_cleanse(buf, got);
		free(buf);
	}
	if (fd >= 0)
		close(fd);
	return SESAME_ERR_IO;
}

static int bind_tcp(const char *listen_value, int *out)
{
	char host[SESAME_MAX_LISTEN];
	unsigned port = 0;
	struct sockaddr_storage ss;
	socklen_t len;
	int fd, one = 1, v6 = listen_value[0] == '[';

	if (config_listen_parse(listen_value, host, sizeof(host), &port) != SESAME_OK)
		return SESAME_ERR_CONFIG;
	memset(&ss, 0, sizeof(ss));
	if (v6) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((uint16_t)port);
		inet_pton(AF_INET6, host, &s6->sin6_addr);
		len = sizeof(*s6);
	} else {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
		s4->sin_family = AF_INET;
		s4->sin_port = htons((uint16_t)port);
		inet_pton(AF_INET, host, &s4->sin_addr);
		len = sizeof(*s4);
	}
	if ((fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
		return SESAME_ERR_IO;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (v6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&ss, len) != 0 || listen(fd, 512) != 0) {
		log_err("web: cannot listen on %s: %s", listen_value, strerror(errno));
		close(fd);
		return SESAME_ERR_IO;
	}
	*out = fd;
	return SESAME_OK;
}

int web_start(authd_t *d, web_server_t **out)
{
	const web_config_t *cfg = &d->cfg.web;
	unsigned flags = MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD |
			 MHD_USE_POLL | MHD_USE_ERROR_LOG | MHD_USE_TURBO;
	web_server_t *w;
	int r;

	*out = NULL;
	if ((w = calloc(1, sizeof(*w))) == NULL)
		return SESAME_ERR_NOMEM;
	w->d = d;
	w->fd = -1;
	if (cfg->trusted_proxy[0]) {
		if (inet_pton(AF_INET, cfg->trusted_proxy, w->proxy_addr) == 1)
			w->proxy_family = AF_INET;
		else if (inet_pton(AF_INET6, cfg->trusted_proxy, w->proxy_addr) == 1)
			w->proxy_family = AF_INET6;
	}
	if (cfg->tls_certificate[0]) {
		if (MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES) {
			log_err("web: this libmicrohttpd has no TLS support");
			r = SESAME_ERR_CONFIG;
			goto fail;
		}
		if ((r = read_pem(cfg->tls_certificate, &w->cert, &w->cert_len)) != SESAME_OK ||
		    (r = read_pem(cfg->tls_key, &w->key, &w->key_len)) != SESAME_OK)
			goto fail;
		w->tls = 1;
		flags |= MHD_USE_TLS;
	}
	/* the dummy hash of unknown users, now rather than at the first sign-in */
	if ((r = auth_password_init()) != SESAME_OK)
		goto fail;
	if ((r = bind_tcp(cfg->listen, &w->fd)) != SESAME_OK)
		goto fail;
	if (w->tls)
		w->mhd = MHD_start_daemon(
		    flags, 0, NULL, NULL, on_request, w, MHD_OPTION_LISTEN_SOCKET, w->fd,
		    MHD_OPTION_HTTPS_MEM_CERT, w->cert, MHD_OPTION_HTTPS_MEM_KEY, w->key,
		    MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL, MHD_OPTION_CONNECTION_TIMEOUT,
		    (unsigned)HTTP_CONNECTION_TIMEOUT, MHD_OPTION_CONNECTION_LIMIT,
		    d->cfg.threads_max, MHD_OPTION_CONNECTION_MEMORY_LIMIT,
		    (size_t)WEB_CONNECTION_MEMORY, MHD_OPTION_EXTERNAL_LOGGER, http_mhd_log, NULL,
		    MHD_OPTION_END);
	else
		w->mhd = MHD_start_daemon(
		    flags, 0, NULL, NULL, on_request, w, MHD_OPTION_LISTEN_SOCKET, w->fd,
		    MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL, MHD_OPTION_CONNECTION_TIMEOUT,
		    (unsigned)HTTP_CONNECTION_TIMEOUT, MHD_OPTION_CONNECTION_LIMIT,
		    d->cfg.threads_max, MHD_OPTION_CONNECTION_MEMORY_LIMIT,
		    (size_t)WEB_CONNECTION_MEMORY, MHD_OPTION_EXTERNAL_LOGGER, http_mhd_log, NULL,
		    MHD_OPTION_END);
	if (w->mhd == NULL) {
		log_err("web: cannot start the web server on %s%s", cfg->listen,
			w->tls ? " (check the TLS certificate and key)" : "");
		r = SESAME_ERR_INTERNAL;
		goto fail;
	}
	*out = w;
	return SESAME_OK;
fail:
	web_stop(&w);
	return r;
}

void web_stop(web_server_t **wp)
{
	web_server_t *w;

	if (wp == NULL || (w = *wp) == NULL)
		return;
	if (w->mhd)
		MHD_stop_daemon(w->mhd); /* closes the listening socket too */
	else if (w->fd >= 0)
		close(w->fd);
	if (w->key) {
		OPENSSL_cleanse(w->key, w->key_len);
		free(w->key);
	}
	free(w->cert);
	free(w);
	*wp = NULL;
}
