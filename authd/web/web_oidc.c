/* The OpenID Connect provider's HTTP side: discovery, JWKS, /authorize
 * (and the way back from the sign-in pages), token, userinfo, revocation,
 * introspection. Handlers decode the request, call oidc_*.c, and encode
 * the reply; the provider's decisions are there. */
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "oidc_authz.h"
#include "oidc_logout.h"
#include "oidc_token.h"
#include "sesame/error.h"
#include "sesame/log.h"
#include "web_int.h"

#define OIDC_MAX_FIELD 2048 /* a form field of the back channel */
#define OIDC_MAX_BASIC 512  /* an Authorization: Basic value */

static enum MHD_Result json_send(web_ctx_t *c, unsigned status, json_t *j)
{
	char *text = j ? json_dumps(j, JSON_COMPACT) : NULL;

	json_decref(j);
	if (text == NULL)
		return web_unavailable(c);
	return web_respond(c, status, "application/json", text, strlen(text), NULL);
}

static enum MHD_Result reply_send(web_ctx_t *c, oidc_reply_t *r)
{
	if (r->www_basic)
		c->www_authenticate = "Basic realm=\"sesame\"";
	else if (r->www_bearer)
		c->www_authenticate = "Bearer error=\"invalid_token\"";
	return json_send(c, r->status, r->body);
}

/* The provider is off: as if these pages did not exist. */
#define NEED_OIDC(c)                                                                               \
	do {                                                                                       \
		if ((c)->d->oidc == NULL)                                                          \
			return web_error_page((c), MHD_HTTP_NOT_FOUND, MSG_NOT_FOUND);             \
	} while (0)

/* ---- discovery and keys ---- */

enum MHD_Result web_oidc_discovery(web_ctx_t *c)
{
	char *text;

	NEED_OIDC(c);
	if ((text = strdup(c->d->oidc->discovery)) == NULL)
		return web_unavailable(c);
	return web_respond(c, MHD_HTTP_OK, "application/json", text, strlen(text), NULL);
}

enum MHD_Result web_oidc_jwks(web_ctx_t *c)
{
	char *text = NULL;

	NEED_OIDC(c);
	if (oidc_keys_jwks(c->d, c->d->oidc->keys, c->now, &text) != SESAME_OK)
		return web_unavailable(c);
	return web_respond(c, MHD_HTTP_OK, "application/jwk-set+json", text, strlen(text), NULL);
}

/* ---- /authorize ---- */

struct args_ctx {
	oidc_authz_req_t *req;
	unsigned seen;
};

static enum MHD_Result on_arg(void *cls, enum MHD_ValueKind kind, const char *key,
			      const char *value)
{
	struct args_ctx *a = cls;

	(void)kind;
	oidc_authz_param(a->req, key, value, &a->seen);
	return MHD_YES;
}

static enum MHD_Result authz_answer(web_ctx_t *c, oidc_authz_req_t *req, int resumed)
{
	oidc_authz_result_t *res = calloc(1, sizeof(*res));
	enum MHD_Result sent;
	session_t s;
	int r = web_current_session(c, &s);
	int signed_in = r == SESAME_OK && strcmp(s.s.stage, WEB_STAGE_DONE) == 0;

	if (res == NULL)
		return web_unavailable(c);
	if (r != SESAME_OK && r != SESAME_ERR_NOT_FOUND && r != SESAME_ERR_EXPIRED)
		r = SESAME_ERR_UNAVAILABLE;
	else
		r = oidc_authorize(c->d, req, signed_in ? &s : NULL, resumed, c->rhost, c->now,
				   res);
	if (r != SESAME_OK) {
		log_err("oidc: authorization request of %s: %s", req->client_id,
			sesame_err_code(r));
		sent = web_unavailable(c);
	} else if (res->kind == OIDC_AUTHZ_PAGE) {
		log_info("oidc: authorization request refused without redirect: %s", res->location);
		sent = web_error_page(c, MHD_HTTP_BAD_REQUEST, MSG_OIDC_BAD_CLIENT);
	} else if (res->kind == OIDC_AUTHZ_LOGIN) {
		web_add_cookie(c, OIDC_COOKIE, res->cookie, 0);
		sent = web_redirect(c, res->location);
	} else {
		sent = web_redirect(c, res->location);
	}
	OPENSSL_cleanse(res, sizeof(*res)); /* a code */
	free(res);
	return sent;
}

enum MHD_Result web_oidc_authorize(web_ctx_t *c)
{
	oidc_authz_req_t *req;
	struct args_ctx a = {NULL, 0};
	enum MHD_Result sent;

	NEED_OIDC(c);
	if ((req = calloc(1, sizeof(*req))) == NULL)
		return web_unavailable(c);
	req->max_age = -1;
	a.req = req;
	MHD_get_connection_values(c->conn, MHD_GET_ARGUMENT_KIND, on_arg, &a);
	sent = authz_answer(c, req, 0);
	free(req);
	return sent;
}

enum MHD_Result web_oidc_resume(web_ctx_t *c)
{
	const char *cookie = MHD_lookup_connection_value(c->conn, MHD_COOKIE_KIND, OIDC_COOKIE);
	oidc_authz_req_t *req;
	enum MHD_Result sent;
	int r;

	NEED_OIDC(c);
	if (cookie == NULL)
		return web_redirect(c, "/account");
	if ((req = calloc(1, sizeof(*req))) == NULL)
		return web_unavailable(c);
	r = oidc_authz_resume(c->d, cookie, c->now, req);
	web_add_cookie(c, OIDC_COOKIE, "", 1);
	if (r == SESAME_ERR_NOT_FOUND)
		sent = web_error_page(c, MHD_HTTP_BAD_REQUEST, MSG_OIDC_EXPIRED);
	else if (r != SESAME_OK)
		sent = web_unavailable(c);
	else
		sent = authz_answer(c, req, 1);
	free(req);
	return sent;
}

int web_oidc_waiting(web_ctx_t *c)
{
	return c->d->oidc != NULL &&
	       MHD_lookup_connection_value(c->conn, MHD_COOKIE_KIND, OIDC_COOKIE) != NULL;
}

const char *web_signed_in_location(web_ctx_t *c)
{
	return web_oidc_waiting(c) ? "/oidc/resume" : "/account";
}

/* A page that goes on to location by itself. A form's 303 to a relying
 * party would be blocked by the pages' CSP (form-action 'self' applies to
 * the redirects that follow a form); a new navigation is not. */
static enum MHD_Result continue_page(web_ctx_t *c, const char *location)
{
	html_buf_t b = {0};

	web_page_begin(c, &b, MSG_TITLE_LOGIN);
	html_raw(&b, "<meta http-equiv=\"refresh\" content=\"0;url=");
	html_text(&b, location);
	html_raw(&b, "\">\n<p><a id=\"continue\" href=\"");
	html_text(&b, location);
	html_raw(&b, "\">");
	html_msg(&b, c->lang, MSG_OIDC_CONTINUE, NULL);
	html_raw(&b, "</a></p>\n");
	return web_page_send(c, MHD_HTTP_OK, &b);
}

enum MHD_Result web_signed_in(web_ctx_t *c)
{
	return web_oidc_waiting(c) ? continue_page(c, "/oidc/resume") : web_redirect(c, "/account");
}

/* ---- the back channel ---- */

/* The fields of a back-channel form; others are ignored (RFC 6749 §3.2). */
static const char *const token_fields[] = {
    "grant_type", "code",	   "redirect_uri", "code_verifier",   "refresh_token",
    "client_id",  "client_secret", "token",	   "token_type_hint", "scope",
};
#define N_TOKEN_FIELDS (sizeof(token_fields) / sizeof(token_fields[0]))

typedef struct {
	web_form_field_t f[N_TOKEN_FIELDS];
	web_form_field_t basic[2]; /* id, secret */
	oidc_token_req_t req;
} token_form_t;

static void token_form_free(token_form_t *t)
{
	web_form_free(t->f, N_TOKEN_FIELDS);
	web_form_free(t->basic, 2);
}

/* One "name=value" of the body into its field: a repeat is remembered. */
static int token_pair(token_form_t *t, const char *pair, size_t len)
{
	const char *eq = memchr(pair, '=', len);
	size_t nl = eq ? (size_t)(eq - pair) : len;

	for (size_t i = 0; i < N_TOKEN_FIELDS; i++) {
		web_form_field_t one = {token_fields[i], OIDC_MAX_FIELD, NULL, 0};
		if (strlen(token_fields[i]) != nl || strncmp(pair, token_fields[i], nl) != 0)
			continue;
		if (t->f[i].value != NULL) {
			t->req.repeated = 1;
			return SESAME_OK;
		}
		if (web_form_parse(pair, len, &one, 1) != SESAME_OK)
			return SESAME_ERR_INVALID_ARGUMENT;
		t->f[i] = one;
		return SESAME_OK;
	}
	return SESAME_OK;
}

/* A form-urlencoded part of Basic credentials (RFC 6749 §2.3.1), decoded. */
static int basic_part(const char *text, size_t len, web_form_field_t *out)
{
	char buf[OIDC_MAX_BASIC + 3];
	web_form_field_t one = {"v", OIDC_MAX_BASIC, NULL, 0};
	int r;

	if (len > OIDC_MAX_BASIC)
		return SESAME_ERR_TOO_LARGE;
	memcpy(buf, "v=", 2);
	memcpy(buf + 2, text, len);
	r = web_form_parse(buf, len + 2, &one, 1);
	OPENSSL_cleanse(buf, sizeof(buf));
	if (r == SESAME_OK)
		*out = one;
	return r;
}

static int token_basic(web_ctx_t *c, token_form_t *t)
{
	const char *h =
	    MHD_lookup_connection_value(c->conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION);
	unsigned char dec[OIDC_MAX_BASIC * 2];
	size_t n;
	int len, r = SESAME_ERR_INVALID_ARGUMENT;
	const char *colon;

	if (h == NULL || strncasecmp(h, "Basic ", 6) != 0)
		return SESAME_OK;
	h += 6;
	n = strlen(h);
	if (n == 0 || n > OIDC_MAX_BASIC || n % 4 != 0)
		return r;
	if ((len = EVP_DecodeBlock(dec, (const unsigned char *)h, (int)n)) < 0)
		return r;
	/* EVP_DecodeBlock counts the padding as zero bytes */
	if (n >= 1 && h[n - 1] == '=')
		len--;
	if (n >= 2 && h[n - 2] == '=')
		len--;
	dec[len] = '\0';
	if ((colon = memchr(dec, ':', (size_t)len)) == NULL)
		goto out;
	if ((r = basic_part((const char *)dec, (size_t)(colon - (const char *)dec),
			    &t->basic[0])) != SESAME_OK ||
	    (r = basic_part(colon + 1, (size_t)len - (size_t)(colon + 1 - (const char *)dec),
			    &t->basic[1])) != SESAME_OK)
		goto out;
	t->req.basic = 1;
	t->req.basic_id = t->basic[0].value;
	t->req.basic_secret = t->basic[1].value;
out:
	OPENSSL_cleanse(dec, sizeof(dec));
	return r;
}

/* The form and client credentials of a back-channel POST. */
static int token_read(web_ctx_t *c, token_form_t *t)
{
	const char *body = c->body->data ? c->body->data : "";
	size_t len = c->body->len, start = 0;
	int r;

	memset(t, 0, sizeof(*t));
	for (size_t i = 0; i < N_TOKEN_FIELDS; i++)
		t->f[i].name = token_fields[i];
	while (start < len) {
		const char *amp = memchr(body + start, '&', len - start);
		size_t end = amp ? (size_t)(amp - body) : len;
		if (end > start && (r = token_pair(t, body + start, end - start)) != SESAME_OK)
			return r;
		start = end + 1;
	}
	if ((r = token_basic(c, t)) != SESAME_OK)
		return r;
	t->req.grant_type = t->f[0].value;
	t->req.code = t->f[1].value;
	t->req.redirect_uri = t->f[2].value;
	t->req.code_verifier = t->f[3].value;
	t->req.refresh_token = t->f[4].value;
	t->req.post_id = t->f[5].value;
	t->req.post_secret = t->f[6].value;
	t->req.token = t->f[7].value;
	t->req.token_type_hint = t->f[8].value;
	t->req.scope = t->f[9].value;
	return SESAME_OK;
}

typedef int (*backchannel_fn)(authd_t *d, const oidc_token_req_t *req, const char *rhost,
			      int64_t now, oidc_reply_t *out);

static enum MHD_Result backchannel(web_ctx_t *c, backchannel_fn fn)
{
	token_form_t *t = calloc(1, sizeof(*t));
	oidc_reply_t reply;
	enum MHD_Result sent;
	int r;

	if (t == NULL)
		return web_unavailable(c);
	memset(&reply, 0, sizeof(reply));
	if (token_read(c, t) != SESAME_OK) {
		sent = json_send(c, MHD_HTTP_BAD_REQUEST,
				 json_pack("{s:s, s:s}", "error", "invalid_request",
					   "error_description", "The form is malformed."));
		goto out;
	}
	r = fn(c->d, &t->req, c->rhost, c->now, &reply);
	if (r != SESAME_OK) {
		log_err("oidc: %s: %s", c->url, sesame_err_code(r));
		json_decref(reply.body);
		sent = json_send(c, MHD_HTTP_INTERNAL_SERVER_ERROR,
				 json_pack("{s:s}", "error", "server_error"));
	} else {
		sent = reply_send(c, &reply);
	}
out:
	token_form_free(t);
	OPENSSL_cleanse(t, sizeof(*t));
	free(t);
	return sent;
}

enum MHD_Result web_oidc_token(web_ctx_t *c)
{
	NEED_OIDC(c);
	return backchannel(c, oidc_token);
}

enum MHD_Result web_oidc_revoke(web_ctx_t *c)
{
	NEED_OIDC(c);
	return backchannel(c, oidc_revoke);
}

enum MHD_Result web_oidc_introspect(web_ctx_t *c)
{
	NEED_OIDC(c);
	return backchannel(c, oidc_introspect);
}

enum MHD_Result web_oidc_userinfo(web_ctx_t *c)
{
	const char *h =
	    MHD_lookup_connection_value(c->conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION);
	oidc_reply_t reply;
	int r;

	NEED_OIDC(c);
	memset(&reply, 0, sizeof(reply));
	if (h != NULL && strncasecmp(h, "Bearer ", 7) == 0)
		h += 7;
	else
		h = NULL;
	r = oidc_userinfo(c->d, h, c->now, &reply);
	if (r != SESAME_OK) {
		json_decref(reply.body);
		return web_unavailable(c);
	}
	return reply_send(c, &reply);
}

/* ---- RP-initiated logout ---- */

/* uri?state=STATE (percent-encoded) into out. */
static const char *logout_location(const char *uri, const char *state, char *out, size_t outsz)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t n;

	snprintf(out, outsz, "%s", uri);
	if (state == NULL || *state == '\0')
		return out;
	n = strlen(out);
	snprintf(out + n, outsz - n, "%cstate=", strchr(uri, '?') ? '&' : '?');
	n = strlen(out);
	for (const unsigned char *p = (const unsigned char *)state; *p && n + 4 < outsz; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || strchr("-._~", *p)) {
			out[n++] = (char)*p;
		} else {
			out[n++] = '%';
			out[n++] = hex[*p >> 4];
			out[n++] = hex[*p & 15];
		}
	}
	out[n] = '\0';
	return out;
}

/* Back to the client when it named a redirect URI of its own, else the
 * sign-in page. */
static enum MHD_Result logout_done(web_ctx_t *c, const char *client_id, const char *uri,
				   const char *state)
{
	char location[OIDC_MAX_LOCATION];

	if (!oidc_logout_redirect_ok(c->d, client_id, uri))
		return web_redirect(c, "/login");
	logout_location(uri, state, location, sizeof(location));
	/* after the confirmation form: not a redirect (the CSP's form-action) */
	return c->body->len ? continue_page(c, location) : web_redirect(c, location);
}

static void hidden(html_buf_t *b, const char *name, const char *value)
{
	if (value == NULL)
		return;
	html_raw(b, "<input type=\"hidden\" name=\"");
	html_raw(b, name);
	html_raw(b, "\" value=\"");
	html_text(b, value);
	html_raw(b, "\">\n");
}

enum MHD_Result web_oidc_logout(web_ctx_t *c)
{
	const char *client_id, *uri, *state;
	html_buf_t b = {0};
	session_t s;
	int r;

	NEED_OIDC(c);
	client_id = MHD_lookup_connection_value(c->conn, MHD_GET_ARGUMENT_KIND, "client_id");
	uri =
	    MHD_lookup_connection_value(c->conn, MHD_GET_ARGUMENT_KIND, "post_logout_redirect_uri");
	state = MHD_lookup_connection_value(c->conn, MHD_GET_ARGUMENT_KIND, "state");
	r = web_current_session(c, &s);
	if (r == SESAME_ERR_NOT_FOUND || r == SESAME_ERR_EXPIRED)
		return logout_done(c, client_id, uri, state);
	if (r != SESAME_OK)
		return web_unavailable(c);
	/* a GET from anywhere must not end a session: the user confirms */
	web_page_begin(c, &b, MSG_OIDC_LOGOUT_TITLE);
	web_page_alert(c, &b, MSG_OIDC_LOGOUT_ASK, 0);
	html_raw(&b, "<form method=\"post\" action=\"/oidc/logout\">\n");
	web_page_csrf(&b, s.csrf);
	hidden(&b, "client_id", client_id);
	hidden(&b, "post_logout_redirect_uri", uri);
	hidden(&b, "state", state);
	html_raw(&b, "<p><button type=\"submit\">");
	html_msg(&b, c->lang, MSG_SIGN_OUT, NULL);
	html_raw(&b, "</button></p>\n</form>\n");
	return web_page_send(c, MHD_HTTP_OK, &b);
}

enum MHD_Result web_oidc_logout_post(web_ctx_t *c)
{
	web_form_field_t f[] = {{"csrf", WEB_TOKEN_LEN, NULL, 0},
				{"client_id", OIDC_MAX_CLIENT_ID, NULL, 0},
				{"post_logout_redirect_uri", OIDC_MAX_URI, NULL, 0},
				{"state", OIDC_MAX_STATE, NULL, 0}};
	enum MHD_Result sent = MHD_NO;
	session_t s;
	int r;

	NEED_OIDC(c);
	r = web_current_session(c, &s);
	if (r != SESAME_OK && r != SESAME_ERR_NOT_FOUND && r != SESAME_ERR_EXPIRED)
		return web_unavailable(c);
	if (web_read_form(c, f, 4, &sent) != SESAME_OK)
		return sent;
	if (r == SESAME_OK) {
		if (!web_token_ok(f[0].value, f[0].len, s.csrf)) {
			sent = web_error_page(c, MHD_HTTP_FORBIDDEN, MSG_FORBIDDEN);
			goto out;
		}
		if (session_delete(c->d, &s, c->rhost, c->now) != SESAME_OK) {
			sent = web_unavailable(c);
			goto out;
		}
		web_add_cookie(c, WEB_SESSION_COOKIE, "", 1);
		web_oidc_signed_out(c, &s);
	}
	sent = logout_done(c, f[1].value, f[2].value, f[3].value);
out:
	web_form_free(f, 4);
	return sent;
}

void web_oidc_signed_out(web_ctx_t *c, const session_t *s)
{
	int r;

	if (c->d->oidc != NULL && (r = oidc_logout_session(c->d, s, c->now)) != SESAME_OK)
		log_err("oidc: logout of %s: %s", s->s.user, sesame_err_code(r));
}
