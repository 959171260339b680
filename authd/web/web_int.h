/* What the web pages' handlers share (authd/web/web_*.c): the request
 * being answered, the responses with the headers every page carries, the
 * page skeleton, and the session and CSRF checks. The server and its route
 * table are web.c's. */
#ifndef AUTHD_WEB_INT_H
#define AUTHD_WEB_INT_H

#include <arpa/inet.h>
#include <microhttpd.h>
#include <stdint.h>

#include "authd.h"
#include "factor.h"
#include "http_common.h"
#include "i18n.h"
#include "session.h"
#include "web.h"
#include "web_brand.h"
#include "web_form.h"
#include "web_html.h"

#define WEB_MAX_FORM 8192  /* bytes of a form body; 413 beyond */
#define WEB_MAX_JSON 32768 /* bytes of a JSON body (attestation objects with x5c) */
#define WEB_MAX_FIELD 256  /* user name field before validation, code */
#define WEB_CSRF_COOKIE "sesame_csrf"
#define WEB_CSRF_HEADER "X-CSRF-Token" /* the CSRF token of a JSON request */
#define WEB_SERVICE "web"
#define WEB_MAX_COOKIES 3
#define WEB_LANG_COOKIE "sesame_lang" /* "en" or "fr": the language switch's choice */
#define WEB_LANG_KEEP (400 * 86400)   /* seconds the choice is kept (browsers' cap) */
#define WEB_ALERT_ID "page-alert"     /* the id of a page's first alert */

/* A route's flags (web.c's table). */
#define ROUTE_PREFIX 1u /* path is a prefix (what follows is the handler's) */
#define ROUTE_COSTLY 2u /* hashes a password (Argon2id): [web] source_rate applies */
#define ROUTE_RECENT 4u /* changes how the user signs in: needs a recent proof */

/* What a route's POST body must be (GET routes take none). */
typedef enum { WEB_BODY_NONE, WEB_BODY_FORM, WEB_BODY_JSON } web_body_kind_t;

/* One request being answered. */
typedef struct {
	web_server_t *w;
	authd_t *d;
	struct MHD_Connection *conn;
	const char *url; /* the request's path */
	i18n_lang_t lang;
	int secure; /* the browser sees https */
	char rhost[INET6_ADDRSTRLEN];
	uint64_t source; /* source_id(rhost): a rate-limit key, 0 for loopback */
	int64_t now;
	const http_body_t *body;
	char cookies[WEB_MAX_COOKIES][160]; /* Set-Cookie values */
	size_t n_cookies;
	int64_t retry_after;  /* seconds, 0: no Retry-After */
	unsigned route_flags; /* ROUTE_* of the route being answered */
	const web_brand_t *brand;
	int page_error;		      /* the page shows an error alert (id WEB_ALERT_ID) */
	int field_error;	      /* ... about the page's form fields (web_page_field_error) */
	const char *www_authenticate; /* a 401's WWW-Authenticate, or NULL */
} web_ctx_t;

typedef enum MHD_Result (*web_handler_t)(web_ctx_t *c);

/* ---- responses (web_page.c) ---- */

/* Adds a Set-Cookie (HttpOnly, SameSite=Lax, Secure over https). */
void web_add_cookie(web_ctx_t *c, const char *name, const char *value, int remove);
/* A Set-Cookie kept for seconds (a preference, not a credential). */
void web_add_cookie_kept(web_ctx_t *c, const char *name, const char *value, long seconds);
/* Queues text (malloc'd, NUL-terminated, owned and wiped by the response)
 * with the headers every page carries. */
enum MHD_Result web_respond(web_ctx_t *c, unsigned status, const char *type, char *text, size_t len,
			    const char *location);
enum MHD_Result web_redirect(web_ctx_t *c, const char *location);
/* Queues a file that lives as long as the server (the stylesheet, the
 * logo): ETag "tag", 304 to a matching If-None-Match, cached for a year
 * when the URL names its version (?v=tag), revalidated otherwise. */
enum MHD_Result web_static(web_ctx_t *c, const char *type, const void *data, size_t len,
			   const char *tag);
/* The page skeleton: web_page_begin writes the head (stylesheet, viewport,
 * lang), the brand's header and opens <main> with the title as <h1>;
 * web_page_send closes it and adds the footer (support line, privacy
 * notice, language switch). Every page goes through both. */
void web_page_begin(web_ctx_t *c, html_buf_t *b, i18n_msg_t title);
/* An alert paragraph; MSG__COUNT: none. A wait adds the lock-out sentence. */
void web_page_alert(web_ctx_t *c, html_buf_t *b, i18n_msg_t id, int64_t wait);
void web_page_csrf(html_buf_t *b, const char *token);
/* The attributes of a form field the page's error alert is about
 * (aria-invalid, aria-describedby); nothing when there is none. */
void web_page_field_error(web_ctx_t *c, html_buf_t *b);
/* The page's script (/static/passkey.js): only pages with passkey buttons. */
void web_page_script(html_buf_t *b);
enum MHD_Result web_page_send(web_ctx_t *c, unsigned status, html_buf_t *b);
enum MHD_Result web_error_page(web_ctx_t *c, unsigned status, i18n_msg_t id);
enum MHD_Result web_unavailable(web_ctx_t *c);
void web_sign_out_form(web_ctx_t *c, html_buf_t *b, const char *csrf);

/* ---- request state (web_page.c) ---- */

/* The session of the request's cookie; a stale cookie is cleared. */
int web_current_session(web_ctx_t *c, session_t *s);
/* Constant-time comparison of a sent token with the expected one. */
int web_token_ok(const char *sent, size_t sent_len, const char *expected);
/* A well-formed double-submit cookie of the sign-in form, or NULL. */
const char *web_login_csrf_cookie(web_ctx_t *c);
/* Parses the body into fields: 400 or 413 page sent (*sent) on error. */
int web_read_form(web_ctx_t *c, web_form_field_t *f, size_t n, enum MHD_Result *sent);

/* ---- pages (web_login.c, web_account.c) ---- */

enum MHD_Result web_get_root(web_ctx_t *c);
enum MHD_Result web_get_healthz(web_ctx_t *c);
/* /static/sesame.css, /static/logo, /lang?to=LANG&back=PATH (web_page.c) */
enum MHD_Result web_get_css(web_ctx_t *c);
enum MHD_Result web_get_logo(web_ctx_t *c);
enum MHD_Result web_get_lang(web_ctx_t *c);
/* Whether url is a page a GET may ask for (web.c's route table). */
int web_route_gettable(const char *url);
enum MHD_Result web_get_login(web_ctx_t *c);
enum MHD_Result web_post_login(web_ctx_t *c);
enum MHD_Result web_get_login_code(web_ctx_t *c);
enum MHD_Result web_post_login_code(web_ctx_t *c);
enum MHD_Result web_post_logout(web_ctx_t *c);
enum MHD_Result web_get_account(web_ctx_t *c);
/* The account page of s, with an alert (MSG__COUNT: none). */
enum MHD_Result web_account_page(web_ctx_t *c, const session_t *s, unsigned status,
				 i18n_msg_t alert);
enum MHD_Result web_totp_add(web_ctx_t *c);
enum MHD_Result web_totp_confirm(web_ctx_t *c);
/* Rename/remove forms of a second factor of kind (factor_totp,
 * factor_passkey), through factor_manage.c. */
enum MHD_Result web_factor_rename(web_ctx_t *c, const factor_t *kind);
enum MHD_Result web_factor_remove(web_ctx_t *c, const factor_t *kind);
enum MHD_Result web_totp_rename(web_ctx_t *c);
enum MHD_Result web_totp_remove(web_ctx_t *c);
enum MHD_Result web_post_password(web_ctx_t *c);
/* "Confirm it's you": the password again, when a change needs a recent
 * proof (ROUTE_RECENT) and the sign-in is older than [web] reauth_after. */
enum MHD_Result web_get_confirm(web_ctx_t *c);
enum MHD_Result web_post_confirm(web_ctx_t *c);
/* Whether s may make a ROUTE_RECENT change now (enrolling sessions may). */
int web_recent(web_ctx_t *c, const session_t *s);
/* The confirmation page (status, alert), for a change that was refused. */
enum MHD_Result web_confirm_page(web_ctx_t *c, const session_t *s, unsigned status,
				 i18n_msg_t alert);
/* A password field of a form: label, input id and name, autocomplete. */
void web_password_input(web_ctx_t *c, html_buf_t *b, const char *id, i18n_msg_t label,
			const char *autocomplete);
/* Why the policy refused a new password: its reasons and hint. */
void web_password_refused(web_ctx_t *c, html_buf_t *b, const password_result_t *res);

/* ---- invitations (web_invite.c) ---- */

enum MHD_Result web_get_invite(web_ctx_t *c); /* /invite/TOKEN */
enum MHD_Result web_post_invite(web_ctx_t *c);
/* Whether s is at the "enroll" stage (invited, no factor registered yet). */
int web_enrolling(const session_t *s);
/* After a factor (FACTOR_*) was registered: an enrolling session is promoted to a
 * signed-in one (new cookie sent, *s replaced); others are left as they
 * are. */
int web_enroll_finish(web_ctx_t *c, session_t *s, unsigned factor);

/* ---- passkeys (web_passkey.c) ---- */

enum MHD_Result web_passkey_register_options(web_ctx_t *c);
enum MHD_Result web_passkey_register_verify(web_ctx_t *c);
enum MHD_Result web_passkey_login_options(web_ctx_t *c);
enum MHD_Result web_passkey_login_verify(web_ctx_t *c);
enum MHD_Result web_passkey_rename(web_ctx_t *c);
enum MHD_Result web_passkey_remove(web_ctx_t *c);
enum MHD_Result web_passkey_script(web_ctx_t *c);
/* The account page's passkey section: the list, rename and remove forms,
 * the "Add a passkey" form (shown by the script). */
int web_passkey_account(web_ctx_t *c, html_buf_t *b, const session_t *s,
			const store_webauthn_t *keys, size_t n);
/* A factor's name: UTF-8 text, 1..SESAME_MAX_LABEL bytes, no control. */
int web_name_ok(const char *s, size_t len);
/* The positive decimal id of a form field (0), or -1. */
int web_id_of(const web_form_field_t *f, int64_t *id);
/* The signed-in session (stage done; also "enroll" when enroll is set:
 * the forms adding a first factor) for an account form; a page sent into
 * *sent otherwise. */
int web_account_session(web_ctx_t *c, session_t *s, int enroll, enum MHD_Result *sent);

/* ---- recovery codes (web_recovery.c) ---- */

/* The account page's section: codes left, "Make new recovery codes". */
void web_recovery_account(web_ctx_t *c, html_buf_t *b, const session_t *s, unsigned left);
enum MHD_Result web_recovery_generate(web_ctx_t *c);

/* ---- the terminal hand-off's approval page (web_handoff.c) ---- */

enum MHD_Result web_get_handoff(web_ctx_t *c);
enum MHD_Result web_post_handoff(web_ctx_t *c);
enum MHD_Result web_post_handoff_decide(web_ctx_t *c);
/* a one-time login code for a terminal's code prompt */
enum MHD_Result web_post_logincode(web_ctx_t *c);

/* ---- OpenID Connect (web_oidc.c) ---- */

enum MHD_Result web_oidc_discovery(web_ctx_t *c);
enum MHD_Result web_oidc_jwks(web_ctx_t *c);
enum MHD_Result web_oidc_authorize(web_ctx_t *c);
enum MHD_Result web_oidc_resume(web_ctx_t *c);
enum MHD_Result web_oidc_token(web_ctx_t *c);
enum MHD_Result web_oidc_userinfo(web_ctx_t *c);
enum MHD_Result web_oidc_revoke(web_ctx_t *c);
enum MHD_Result web_oidc_introspect(web_ctx_t *c);
enum MHD_Result web_oidc_logout(web_ctx_t *c);
enum MHD_Result web_oidc_logout_post(web_ctx_t *c);
/* After session s ended: back-channel logout of the clients it signed in. */
void web_oidc_signed_out(web_ctx_t *c, const session_t *s);
/* Where a completed sign-in goes: back to a waiting authorization
 * request (/oidc/resume), or the account page. */
const char *web_signed_in_location(web_ctx_t *c);
/* The answer to a form that completed a sign-in: that location (a page
 * that goes on by itself when it is a waiting authorization request). */
enum MHD_Result web_signed_in(web_ctx_t *c);
/* Whether an authorization request waits for this browser's sign-in (the
 * sign-in form is then shown even to a signed-in browser). */
int web_oidc_waiting(web_ctx_t *c);

#endif
