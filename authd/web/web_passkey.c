/* Passkeys on the web pages: the JSON endpoints of the two WebAuthn
 * ceremonies (options, then the browser's result), the account page's
 * passkey section and its rename and remove forms, and /static/passkey.js.
 * JSON requests carry the CSRF token in X-CSRF-Token; the decisions are
 * passkey.c's. */
#include <jansson.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "passkey.h"
#include "sesame/base64url.h"
#include "sesame/error.h"
#include "sesame/log.h"
#include "sesame/utf8.h"
#include "web_int.h"

#define WEB_PASSKEY_COOKIE "sesame_webauthn" /* binds a sign-in challenge */
#define WEB_MAX_TRANSPORTS 8
#define WEB_MAX_TRANSPORT 16

/* embedded from web/passkey.js by embed_file.cmake */
extern const unsigned char web_passkey_js[];
extern const size_t web_passkey_js_len;

/* ---- JSON in and out ---- */

/* Sends j (stolen) as the reply. */
static enum MHD_Result json_reply(web_ctx_t *c, unsigned status, json_t *j)
{
	char *text = j ? json_dumps(j, JSON_COMPACT) : NULL;

	json_decref(j);
	if (text == NULL)
		return MHD_NO;
	return web_respond(c, status, "application/json", text, strlen(text), NULL);
}

/* {"error": code, "message": the sentence in the page's language}. */
static enum MHD_Result json_error(web_ctx_t *c, unsigned status, const char *code, i18n_msg_t msg)
{
	return json_reply(
	    c, status, json_pack("{s:s, s:s}", "error", code, "message", i18n_get(c->lang, msg)));
}

/* The request's JSON object with only the fields named (NULL-terminated);
 * NULL when malformed. */
static json_t *read_json(web_ctx_t *c, const char *const *fields)
{
	json_t *j = NULL, *v;
	const char *k;

	if (c->body->data == NULL || c->body->len == 0 ||
	    (j = json_loadb(c->body->data, c->body->len, JSON_REJECT_DUPLICATES, NULL)) == NULL)
		return NULL;
	if (!json_is_object(j))
		goto bad;
	json_object_foreach(j, k, v)
	{
		size_t i = 0;
		while (fields[i] && strcmp(fields[i], k) != 0)
			i++;
		if (fields[i] == NULL)
			goto bad;
	}
	return j;
bad:
	json_decref(j);
	return NULL;
}

/* A base64url string member decoded into a malloc'd buffer of at most max
 * bytes. SESAME_ERR_NOT_FOUND when absent or null (optional members). */
static int json_bytes(json_t *j, const char *key, size_t max, unsigned char **out, size_t *len)
{
	json_t *v = json_object_get(j, key);
	size_t n;

	*out = NULL;
	*len = 0;
	if (v == NULL || json_is_null(v))
		return SESAME_ERR_NOT_FOUND;
	if (!json_is_string(v))
		return SESAME_ERR_INVALID_ARGUMENT;
	n = json_string_length(v);
	if (n > (max / 3) * 4 + 4) /* checked before decoding: base64url is 4/3 */
		return SESAME_ERR_TOO_LARGE;
	if ((*out = malloc(max ? max : 1)) == NULL)
		return SESAME_ERR_NOMEM;
	if (base64url_decode(json_string_value(v), n, *out, max, len) != SESAME_OK) {
		free(*out);
		*out = NULL;
		return SESAME_ERR_INVALID_ARGUMENT;
	}
	return SESAME_OK;
}

static int b64_set(json_t *o, const char *key, const unsigned char *b, size_t len)
{
	size_t n = base64url_encoded_len(len);
	char *text = malloc(n);
	int r = -1;

	if (text && base64url_encode(b, len, text, n) == SESAME_OK)
		r = json_object_set_new(o, key, json_string(text));
	free(text);
	return r;
}

/* A credential descriptor list (exclude or allow). */
static json_t *descriptors(const store_webauthn_t *creds, size_t n)
{
	json_t *a = json_array();

	for (size_t i = 0; a && i < n; i++) {
		json_t *d = json_pack("{s:s}", "type", "public-key");
		if (d == NULL || b64_set(d, "id", creds[i].cred_id, creds[i].cred_id_len) != 0) {
			json_decref(d);
			json_decref(a);
			return NULL;
		}
		if (creds[i].transports[0]) {
			json_t *t = json_array();
			char buf[sizeof(creds[i].transports)], *save = NULL;
			memcpy(buf, creds[i].transports, sizeof(buf));
			for (char *tok = strtok_r(buf, ",", &save); t && tok;
			     tok = strtok_r(NULL, ",", &save))
				json_array_append_new(t, json_string(tok));
			json_object_set_new(d, "transports", t ? t : json_array());
		}
		json_array_append_new(a, d);
	}
	return a;
}

/* ---- request checks ---- */

/* The X-CSRF-Token header against expected (constant time). */
static int csrf_header_ok(web_ctx_t *c, const char *expected)
{
	const char *t = MHD_lookup_connection_value(c->conn, MHD_HEADER_KIND, WEB_CSRF_HEADER);

	return t != NULL && web_token_ok(t, strlen(t), expected);
}

/* JSON requests come from our script: a browser always sends Origin. */
static int origin_present(web_ctx_t *c)
{
	return MHD_lookup_connection_value(c->conn, MHD_HEADER_KIND, "Origin") != NULL;
}

/* The session registering a passkey: signed in ("done") or adding the
 * first factor after an invitation ("enroll"); else a JSON error sent
 * into *sent. */
static int register_session(web_ctx_t *c, session_t *s, enum MHD_Result *sent)
{
	int r = web_current_session(c, s);
	int staged =
	    r == SESAME_OK && (strcmp(s->s.stage, WEB_STAGE_DONE) == 0 || web_enrolling(s));

	if (staged && origin_present(c) && csrf_header_ok(c, s->csrf)) {
		if (web_recent(c, s))
			return SESAME_OK;
		*sent = json_error(c, MHD_HTTP_FORBIDDEN, "reauth_required", MSG_REAUTH_INTRO);
		return SESAME_ERR_PERMISSION;
	}
	if (r != SESAME_OK && r != SESAME_ERR_NOT_FOUND && r != SESAME_ERR_EXPIRED)
		*sent = json_error(c, MHD_HTTP_SERVICE_UNAVAILABLE, "unavailable", MSG_UNAVAILABLE);
	else if (staged)
		*sent = json_error(c, MHD_HTTP_FORBIDDEN, "forbidden", MSG_FORBIDDEN);
	else
		*sent = json_error(c, MHD_HTTP_UNAUTHORIZED, "not_signed_in", MSG_FORBIDDEN);
	return SESAME_ERR_PERMISSION;
}

typedef enum { MODE_NONE, MODE_DISCOVERABLE, MODE_SECOND } login_mode_t;

/* Which sign-in the request continues: the second factor of a session at
 * the password stage (its token), or a discoverable sign-in (the sign-in
 * form's double-submit token). */
static login_mode_t login_mode(web_ctx_t *c, session_t *s, int *store_failed)
{
	int r = web_current_session(c, s);

	*store_failed = r != SESAME_OK && r != SESAME_ERR_NOT_FOUND && r != SESAME_ERR_EXPIRED;
	if (!origin_present(c))
		return MODE_NONE;
	if (r == SESAME_OK && strcmp(s->s.stage, WEB_STAGE_PASSWORD) == 0 &&
	    csrf_header_ok(c, s->csrf))
		return MODE_SECOND;
	if (csrf_header_ok(c, web_login_csrf_cookie(c)))
		return MODE_DISCOVERABLE;
	return MODE_NONE;
}

/* ---- registration ---- */

enum MHD_Result web_passkey_register_options(web_ctx_t *c)
{
	static const char *const fields[] = {NULL};
	const web_config_t *cfg = &c->d->cfg.web;
	enum MHD_Result sent = MHD_NO;
	passkey_options_t o;
	session_t s;
	json_t *req, *pk = NULL, *ex;

	if (register_session(c, &s, &sent) != SESAME_OK)
		return sent;
	if ((req = read_json(c, fields)) == NULL)
		return json_error(c, MHD_HTTP_BAD_REQUEST, "bad_json", MSG_BAD_FORM);
	json_decref(req);
	if (passkey_options(c->d, PASSKEY_FOR_REGISTER, s.s.id_hash, s.s.user_id, c->now, &o) !=
	    SESAME_OK)
		return json_error(c, MHD_HTTP_SERVICE_UNAVAILABLE, "unavailable", MSG_UNAVAILABLE);
	ex = descriptors(o.creds, o.n_creds);
	pk = json_pack("{s:{s:s, s:s}, s:{s:s, s:s}, s:[{s:s, s:i}, {s:s, s:i}, {s:s, s:i}], "
		       "s:I, s:o, s:{s:s, s:b, s:s}, s:s}",
		       "rp", "id", cfg->rp_id, "name", cfg->rp_name, "user", "name", s.s.user,
		       "displayName", s.s.user, "pubKeyCredParams", "type", "public-key", "alg",
		       WEBAUTHN_ALG_ES256, "type", "public-key", "alg", WEBAUTHN_ALG_EDDSA, "type",
		       "public-key", "alg", WEBAUTHN_ALG_RS256, "timeout",
		       (json_int_t)cfg->challenge_ttl * 1000, "excludeCredentials",
		       ex ? ex : json_array(), "authenticatorSelection", "residentKey", "preferred",
		       "requireResidentKey", 0, "userVerification",
		       cfg->require_uv ? "required" : "preferred", "attestation",
		       cfg->attestation_trusted ? "direct" : "none");
	if (pk == NULL || b64_set(pk, "challenge", o.challenge, sizeof(o.challenge)) != 0 ||
	    b64_set(json_object_get(pk, "user"), "id", o.handle, sizeof(o.handle)) != 0) {
		json_decref(pk);
		passkey_options_free(&o);
		return MHD_NO;
	}
	passkey_options_free(&o);
	return json_reply(c, MHD_HTTP_OK, json_pack("{s:o}", "publicKey", pk));
}

/* A passkey's name: UTF-8 text, 1..SESAME_MAX_LABEL bytes, no control. */
int web_name_ok(const char *s, size_t len)
{
	size_t ncp = 0;

	if (s == NULL || len == 0 || len > SESAME_MAX_LABEL || !utf8_validate(s, len, &ncp))
		return 0;
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return 0;
	return 1;
}

/* transports: an optional array of short lower-case words, joined by ",". */
static int transports_of(json_t *j, char *out, size_t outsz)
{
	json_t *a = json_object_get(j, "transports"), *v;
	size_t i, len = 0;

	out[0] = '\0';
	if (a == NULL || json_is_null(a))
		return 0;
	if (!json_is_array(a) || json_array_size(a) > WEB_MAX_TRANSPORTS)
		return -1;
	json_array_foreach(a, i, v)
	{
		const char *t = json_is_string(v) ? json_string_value(v) : NULL;
		size_t n = t ? strlen(t) : 0;
		if (n == 0 || n > WEB_MAX_TRANSPORT ||
		    strspn(t, "abcdefghijklmnopqrstuvwxyz-") != n)
			return -1;
		if (len + n + 2 > outsz)
			return 0; /* a hint only: the rest is dropped */
		if (len)
			out[len++] = ',';
		memcpy(out + len, t, n + 1);
		len += n;
	}
	return 0;
}

enum MHD_Result web_passkey_register_verify(web_ctx_t *c)
{
	static const char *const fields[] = {"name", "clientDataJSON", "attestationObject",
					     "transports", NULL};
	char transports[STORE_WA_MAX_TRANSPORTS + 1];
	unsigned char *cd = NULL, *ao = NULL;
	enum MHD_Result sent = MHD_NO;
	const char *reason = NULL, *name;
	json_t *req = NULL, *jn;
	session_t s;
	passkey_reg_t in;
	int refused = 0;

	if (register_session(c, &s, &sent) != SESAME_OK)
		return sent;
	if ((req = read_json(c, fields)) == NULL ||
	    json_bytes(req, "clientDataJSON", WEBAUTHN_MAX_CLIENT_DATA, &cd, &in.client_data_len) !=
		SESAME_OK ||
	    json_bytes(req, "attestationObject", WEBAUTHN_MAX_ATT_OBJECT, &ao, &in.att_obj_len) !=
		SESAME_OK ||
	    transports_of(req, transports, sizeof(transports)) != 0) {
		sent = json_error(c, MHD_HTTP_BAD_REQUEST, "bad_json", MSG_BAD_FORM);
		goto out;
	}
	jn = json_object_get(req, "name");
	name = json_is_string(jn) ? json_string_value(jn) : NULL;
	if (!web_name_ok(name, name ? json_string_length(jn) : 0) ||
	    strlen(name) != json_string_length(jn)) {
		sent = json_error(c, MHD_HTTP_BAD_REQUEST, "bad_name", MSG_PASSKEY_BAD_NAME);
		goto out;
	}
	in.name = name;
	in.transports = transports;
	in.client_data = cd;
	in.att_obj = ao;
	if (passkey_register(c->d, s.s.user_id, s.s.id_hash, WEB_SERVICE, c->rhost, c->now, &in,
			     &refused, &reason) != SESAME_OK) {
		sent = json_error(c, MHD_HTTP_SERVICE_UNAVAILABLE, "unavailable", MSG_UNAVAILABLE);
		goto out;
	}
	if (refused != SESAME_OK)
		sent =
		    strcmp(reason, "credential_exists") == 0
			? json_error(c, MHD_HTTP_CONFLICT, "credential_exists", MSG_PASSKEY_EXISTS)
			: json_error(c, MHD_HTTP_BAD_REQUEST, "passkey_refused",
				     MSG_PASSKEY_FAILED);
	else if (web_enroll_finish(c, &s, FACTOR_PASSKEY) != SESAME_OK)
		sent = json_error(c, MHD_HTTP_SERVICE_UNAVAILABLE, "unavailable", MSG_UNAVAILABLE);
	else
		sent = json_reply(c, MHD_HTTP_OK, json_pack("{s:s}", "redirect", "/account"));
out:
	free(cd);
	free(ao);
	json_decref(req);
	return sent;
}

/* ---- sign-in ---- */

enum MHD_Result web_passkey_login_options(web_ctx_t *c)
{
	static const char *const fields[] = {NULL};
	const web_config_t *cfg = &c->d->cfg.web;
	unsigned char binding[PASSKEY_BINDING_LEN];
	char cookie[WEB_TOKEN_LEN + 1];
	passkey_options_t o;
	session_t s;
	json_t *req, *pk, *allow;
	int store_failed, r;
	login_mode_t mode = login_mode(c, &s, &store_failed);

	if (store_failed)
		return json_error(c, MHD_HTTP_SERVICE_UNAVAILABLE, "unavailable", MSG_UNAVAILABLE);
	if (mode == MODE_NONE)
		return json_error(c, MHD_HTTP_FORBIDDEN, "forbidden", MSG_FORBIDDEN);
	if ((req = read_json(c, fields)) == NULL)
		return json_error(c, MHD_HTTP_BAD_REQUEST, "bad_json", MSG_BAD_FORM);
	json_decref(req);
	/* [require] web may not let a passkey sign in alone */
	if (mode == MODE_DISCOVERABLE && !requirement_met(&c->d->require_web, FACTOR_PASSKEY))
		return json_error(c, MHD_HTTP_FORBIDDEN, "forbidden", MSG_FORBIDDEN);
	if (mode == MODE_SECOND) {
		r = passkey_options(c->d, PASSKEY_FOR_SECOND, s.s.id_hash, s.s.user_id, c->now, &o);
	} else {
		/* a pre-session cookie: the challenge answers only this browser */
		if (token_new(cookie) != SESAME_OK || token_hash(cookie, binding) != 0)
			return json_error(c, MHD_HTTP_SERVICE_UNAVAILABLE, "unavailable",
					  MSG_UNAVAILABLE);
		web_add_cookie(c, WEB_PASSKEY_COOKIE, cookie, 0);
		OPENSSL_cleanse(cookie, sizeof(cookie));
		r = passkey_options(c->d, PASSKEY_FOR_LOGIN, binding, 0, c->now, &o);
	}
	if (r != SESAME_OK)
		return json_error(c, MHD_HTTP_SERVICE_UNAVAILABLE, "unavailable", MSG_UNAVAILABLE);
	if (mode == MODE_SECOND && o.n_creds == 0) {
		passkey_options_free(&o);
		return json_error(c, MHD_HTTP_NOT_FOUND, "no_factor", MSG_NO_FACTOR);
	}
	allow = descriptors(o.creds, o.n_creds);
	pk = json_pack("{s:s, s:I, s:s, s:o}", "rpId", cfg->rp_id, "timeout",
		       (json_int_t)cfg->challenge_ttl * 1000, "userVerification",
		       cfg->require_uv ? "required" : "preferred", "allowCredentials",
		       allow ? allow : json_array());
	if (pk == NULL || b64_set(pk, "challenge", o.challenge, sizeof(o.challenge)) != 0) {
		json_decref(pk);
		passkey_options_free(&o);
		return MHD_NO;
	}
	passkey_options_free(&o);
	return json_reply(c, MHD_HTTP_OK, json_pack("{s:o}", "publicKey", pk));
}

/* The verdict's reply: the session on success, else a refusal that says
 * no more than the sign-in form does (the audit has the reason). */
static enum MHD_Result login_reply(web_ctx_t *c, login_mode_t mode, const session_t *s,
				   const passkey_verdict_t *v)
{
	char cookie[WEB_TOKEN_LEN + 1];
	session_t done;
	int r;

	if (v->result == AUTH_SUCCESS) {
		flow_step_t step;
		flow_t f;

		if (mode == MODE_SECOND) {
			session_flow(s, c->rhost, &f);
		} else {
			memset(&f, 0, sizeof(f));
			f.door = FLOW_WEB;
			snprintf(f.user, sizeof(f.user), "%s", v->user);
			snprintf(f.service, sizeof(f.service), "%s", WEB_SERVICE);
		}
		if ((r = flow_proved(c->d, &f, &factor_passkey, c->now, &step)) != SESAME_OK)
			return json_error(c, MHD_HTTP_SERVICE_UNAVAILABLE, "unavailable",
					  MSG_UNAVAILABLE);
		if (step.kind != FLOW_STEP_VERDICT || step.result != AUTH_SUCCESS)
			/* [require] web asks more than this passkey */
			return json_error(c, MHD_HTTP_FORBIDDEN, "passkey_refused",
					  MSG_PASSKEY_FAILED);
		if (mode == MODE_SECOND)
			r = session_promote(c->d, s, f.passed, c->now, cookie, &done);
		else
			r = session_create(c->d, v->user, WEB_STAGE_DONE, f.passed,
					   MHD_lookup_connection_value(c->conn, MHD_COOKIE_KIND,
								       WEB_SESSION_COOKIE),
					   c->now, cookie, &done);
		if (r != SESAME_OK)
			return json_error(c, MHD_HTTP_SERVICE_UNAVAILABLE, "unavailable",
					  MSG_UNAVAILABLE);
		web_add_cookie(c, WEB_SESSION_COOKIE, cookie, 0);
		OPENSSL_cleanse(cookie, sizeof(cookie));
		if (mode == MODE_DISCOVERABLE)
			web_add_cookie(c, WEB_PASSKEY_COOKIE, "", 1);
		return json_reply(c, MHD_HTTP_OK,
				  json_pack("{s:s}", "redirect", web_signed_in_location(c)));
	}
	if (v->reason == SESAME_ERR_LOCKED) {
		char secs[24];
		c->retry_after = v->wait;
		snprintf(secs, sizeof(secs), "%lld", (long long)v->wait);
		json_t *j = json_pack("{s:s, s:I}", "error", "locked", "wait", (json_int_t)v->wait);
		const char *m = i18n_get(c->lang, MSG_LOCKED), *hole = strstr(m, "{}");
		char text[256];
		snprintf(text, sizeof(text), "%.*s%s%s", (int)(hole ? hole - m : (long)strlen(m)),
			 m, hole ? secs : "", hole ? hole + 2 : "");
		if (j)
			json_object_set_new(j, "message", json_string(text));
		return json_reply(c, MHD_HTTP_TOO_MANY_REQUESTS, j);
	}
	if (v->reason == SESAME_ERR_DISABLED)
		return json_error(c, MHD_HTTP_FORBIDDEN, "account_disabled", MSG_DISABLED);
	if (v->wait > 0) /* this failure started a lock-out */
		c->retry_after = v->wait;
	return json_error(c, MHD_HTTP_FORBIDDEN, "passkey_refused", MSG_PASSKEY_FAILED);
}

enum MHD_Result web_passkey_login_verify(web_ctx_t *c)
{
	static const char *const fields[] = {"credentialId", "clientDataJSON", "authenticatorData",
					     "signature",    "userHandle",     NULL};
	unsigned char binding[PASSKEY_BINDING_LEN];
	unsigned char *id = NULL, *cd = NULL, *ad = NULL, *sig = NULL, *uh = NULL;
	size_t uh_len = 0;
	enum MHD_Result sent;
	passkey_verdict_t v;
	passkey_login_t in;
	session_t s;
	json_t *req = NULL;
	int store_failed, r;
	login_mode_t mode = login_mode(c, &s, &store_failed);

	memset(&in, 0, sizeof(in));
	if (store_failed)
		return json_error(c, MHD_HTTP_SERVICE_UNAVAILABLE, "unavailable", MSG_UNAVAILABLE);
	if (mode == MODE_NONE)
		return json_error(c, MHD_HTTP_FORBIDDEN, "forbidden", MSG_FORBIDDEN);
	if ((req = read_json(c, fields)) == NULL ||
	    json_bytes(req, "credentialId", WEBAUTHN_MAX_CRED_ID, &id, &in.cred_id_len) !=
		SESAME_OK ||
	    json_bytes(req, "clientDataJSON", WEBAUTHN_MAX_CLIENT_DATA, &cd,
		       &in.a.client_data_len) != SESAME_OK ||
	    json_bytes(req, "authenticatorData", WEBAUTHN_MAX_AUTH_DATA, &ad,
		       &in.a.auth_data_len) != SESAME_OK ||
	    json_bytes(req, "signature", WEBAUTHN_MAX_SIGNATURE, &sig, &in.a.sig_len) !=
		SESAME_OK ||
	    ((r = json_bytes(req, "userHandle", WEBAUTHN_MAX_USER_HANDLE, &uh, &uh_len)) !=
		 SESAME_OK &&
	     r != SESAME_ERR_NOT_FOUND)) {
		sent = json_error(c, MHD_HTTP_BAD_REQUEST, "bad_json", MSG_BAD_FORM);
		goto out;
	}
	in.cred_id = id;
	in.a.client_data = cd;
	in.a.auth_data = ad;
	in.a.sig = sig;
	if (uh != NULL && uh_len > 0) { /* an empty handle is no handle */
		in.a.user_handle = uh;
		in.a.user_handle_len = uh_len;
	}
	if (mode == MODE_SECOND)
		memcpy(binding, s.s.id_hash, sizeof(binding));
	else if (token_hash(
		     MHD_lookup_connection_value(c->conn, MHD_COOKIE_KIND, WEB_PASSKEY_COOKIE),
		     binding) != 0)
		memset(binding, 0, sizeof(binding)); /* matches no challenge */
	r = passkey_login(c->d, mode == MODE_SECOND ? PASSKEY_FOR_SECOND : PASSKEY_FOR_LOGIN,
			  binding, mode == MODE_SECOND ? s.s.user : NULL, WEB_SERVICE, c->rhost,
			  c->now, &in, &v);
	if (r != SESAME_OK) {
		log_err("web: passkey sign-in: %s", sesame_err_code(r));
		sent = json_error(c, MHD_HTTP_SERVICE_UNAVAILABLE, "unavailable", MSG_UNAVAILABLE);
		goto out;
	}
	sent = login_reply(c, mode, &s, &v);
out:
	free(id);
	free(cd);
	free(ad);
	free(sig);
	free(uh);
	json_decref(req);
	return sent;
}

/* ---- the account page ---- */

static void date_of(int64_t t, char *out, size_t outsz)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (gmtime_r(&tt, &tm) == NULL || strftime(out, outsz, "%Y-%m-%d %H:%M UTC", &tm) == 0)
		snprintf(out, outsz, "?");
}

static void id_field(html_buf_t *b, int64_t id)
{
	char num[24];

	snprintf(num, sizeof(num), "%lld", (long long)id);
	html_raw(b, "<input type=\"hidden\" name=\"id\" value=\"");
	html_text(b, num);
	html_raw(b, "\">\n");
}

int web_passkey_account(web_ctx_t *c, html_buf_t *b, const session_t *s,
			const store_webauthn_t *keys, size_t n)
{
	char date[48];

	html_raw(b, "<h2>");
	html_msg(b, c->lang, MSG_PASSKEYS, NULL);
	html_raw(b, "</h2>\n");
	if (web_enrolling(s))
		n = 0; /* only adding, while enrolling */
	else
		html_raw(b, "<ul>\n");
	for (size_t i = 0; i < n; i++) {
		const store_webauthn_t *w = &keys[i];
		html_raw(b, "<li><span><strong class=\"passkey-name\">");
		html_text(b, w->name);
		html_raw(b, "</strong>, ");
		date_of(w->created, date, sizeof(date));
		html_msg(b, c->lang, MSG_PASSKEY_CREATED, date);
		html_raw(b, ", ");
		if (w->last_used) {
			date_of(w->last_used, date, sizeof(date));
			html_msg(b, c->lang, MSG_PASSKEY_LAST_USED, date);
		} else {
			html_msg(b, c->lang, MSG_PASSKEY_NEVER_USED, NULL);
		}
		html_raw(b, "</span>\n<form method=\"post\" action=\"/account/passkey/rename\">\n");
		web_page_csrf(b, s->csrf);
		id_field(b, w->id);
		html_raw(b, "<input name=\"name\" type=\"text\" maxlength=\"64\" required "
			    "aria-label=\"");
		html_msg(b, c->lang, MSG_PASSKEY_NAME, NULL);
		html_raw(b, "\" value=\"");
		html_text(b, w->name);
		html_raw(b, "\"> <button type=\"submit\" class=\"secondary\">");
		html_msg(b, c->lang, MSG_PASSKEY_RENAME, NULL);
		html_raw(b, "</button>\n</form>\n<form method=\"post\" "
			    "action=\"/account/passkey/remove\">\n");
		web_page_csrf(b, s->csrf);
		id_field(b, w->id);
		html_raw(b, "<button type=\"submit\" class=\"secondary\">");
		html_msg(b, c->lang, MSG_PASSKEY_REMOVE, NULL);
		html_raw(b, "</button>\n</form></li>\n");
	}
	if (!web_enrolling(s)) {
		if (n == 0) {
			html_raw(b, "<li>");
			html_msg(b, c->lang, MSG_NO_FACTORS, NULL);
			html_raw(b, "</li>\n");
		}
		html_raw(b, "</ul>\n");
	}
	/* shown by the script when the browser has WebAuthn */
	html_raw(b, "<form id=\"passkey-add\" hidden data-csrf=\"");
	html_text(b, s->csrf);
	html_raw(b, "\">\n<p><label for=\"passkey-name\">");
	html_msg(b, c->lang, MSG_PASSKEY_NAME, NULL);
	html_raw(b, "</label><br>\n<input id=\"passkey-name\" name=\"name\" type=\"text\" "
		    "maxlength=\"64\" required></p>\n<p><button type=\"submit\">");
	html_msg(b, c->lang, MSG_PASSKEY_ADD, NULL);
	html_raw(b, "</button></p>\n<p role=\"alert\" class=\"passkey-error\" hidden></p>\n"
		    "</form>\n");
	web_page_script(b);
	return SESAME_OK;
}

/* The signed-in session for an account form; a page sent otherwise. */
int web_account_session(web_ctx_t *c, session_t *s, int enroll, enum MHD_Result *sent)
{
	int r = web_current_session(c, s);

	if (r == SESAME_OK &&
	    (strcmp(s->s.stage, WEB_STAGE_DONE) == 0 || (enroll && web_enrolling(s)))) {
		if (web_recent(c, s))
			return SESAME_OK;
		*sent = web_confirm_page(c, s, MHD_HTTP_FORBIDDEN, MSG__COUNT);
		return SESAME_ERR_PERMISSION;
	}
	if (r == SESAME_OK && web_enrolling(s))
		*sent = web_redirect(c, "/account");
	else if (r == SESAME_OK)
		*sent = web_redirect(c, "/login/code");
	else if (r == SESAME_ERR_NOT_FOUND || r == SESAME_ERR_EXPIRED)
		*sent = web_redirect(c, "/login");
	else
		*sent = web_unavailable(c);
	return SESAME_ERR_PERMISSION;
}

int web_id_of(const web_form_field_t *f, int64_t *id)
{
	char *end = NULL;
	long long v;

	if (f->value == NULL || f->len == 0 || f->len > 18 ||
	    strspn(f->value, "0123456789") != f->len)
		return -1;
	v = strtoll(f->value, &end, 10);
	if (*end != '\0' || v <= 0)
		return -1;
	*id = v;
	return 0;
}

enum MHD_Result web_passkey_rename(web_ctx_t *c)
{
	return web_factor_rename(c, &factor_passkey);
}

enum MHD_Result web_passkey_remove(web_ctx_t *c)
{
	return web_factor_remove(c, &factor_passkey);
}

/* ---- the script ---- */

enum MHD_Result web_passkey_script(web_ctx_t *c)
{
	char *text = malloc(web_passkey_js_len + 1);

	if (text == NULL)
		return MHD_NO;
	memcpy(text, web_passkey_js, web_passkey_js_len + 1);
	return web_respond(c, MHD_HTTP_OK, "text/javascript; charset=utf-8", text,
			   web_passkey_js_len, NULL);
}
