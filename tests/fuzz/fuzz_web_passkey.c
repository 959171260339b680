/* libFuzzer target: the web pages' passkey JSON endpoints (web_passkey.c)
 * on arbitrary bodies, against a real SQLite store in a temp folder, with
 * a signed-in session, a session at the password stage and a sign-in
 * form's CSRF cookie, so that every body gets past the session, Origin
 * and CSRF checks to read_json, json_bytes, transports_of, the name check,
 * and then passkey.c and the verifier. The first byte picks the endpoint
 * (low 3 bits) and the policy (0x10: user_verification = required, 0x20:
 * attestation = trusted); the rest is the body. Each verify request finds
 * the fixed challenge issued to it, so the seeds (softauthn.py --corpus)
 * are whole valid ceremonies. libmicrohttpd's connection is replaced by
 * MHD_lookup_connection_value and MHD_queue_response below: the request's
 * headers and cookies come from a table, the reply's status is kept. */
#include <limits.h>
#include <microhttpd.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "fuzz_webauthn_common.h"
#include "passkey.h"
#include "sesame/base64url.h"
#include "sesame/error.h"
#include "sesame/log.h"
#include "web/web_int.h"

#define FUZZ_NOW 1700000000
#define FUZZ_USER "fuzz"

enum {
	EP_REG_OPTIONS,
	EP_REG_VERIFY,
	EP_LOGIN_OPTIONS,
	EP_SECOND_OPTIONS,
	EP_LOGIN_VERIFY,
	EP_SECOND_VERIFY,
	EP__COUNT
};

/* softauthn.py FUZZ_CRED_ID, FUZZ_HANDLE and Key(ES256, 1): the passkey
 * of FUZZ_USER that the sign-in seeds answer with */
static const unsigned char cred_id[32] = {
    0x6a, 0x7e, 0x1f, 0x8c, 0xd3, 0x02, 0x22, 0x68, 0x0a, 0x77, 0x73, 0x97, 0xd1, 0x96, 0xbb, 0xf6,
    0x9b, 0x1e, 0xa9, 0xcb, 0xb7, 0x67, 0x10, 0xbf, 0x3c, 0xc9, 0xdb, 0xc1, 0x11, 0xf9, 0xfa, 0xb4};
static const unsigned char cred_key[77] = {
    0xa5, 0x01, 0x02, 0x03, 0x26, 0x20, 0x01, 0x21, 0x58, 0x20, 0xc1, 0x30, 0xb9, 0x0e, 0xce, 0x15,
    0x63, 0xfb, 0x54, 0x90, 0x10, 0x29, 0xca, 0xfa, 0x25, 0x90, 0x02, 0x17, 0x6e, 0xfb, 0x26, 0x09,
    0xf1, 0xb4, 0x76, 0xc0, 0xe4, 0xaa, 0xe0, 0x70, 0x44, 0x31, 0x22, 0x58, 0x20, 0x99, 0xcf, 0xae,
    0x64, 0x45, 0x47, 0xe5, 0x92, 0x87, 0x03, 0xd4, 0x0f, 0xdd, 0x6b, 0xb1, 0x8d, 0x96, 0xe3, 0x3a,
    0xfc, 0x03, 0xe8, 0x78, 0xca, 0x9a, 0xcc, 0x4f, 0xe5, 0xed, 0x65, 0x69, 0x80};
static const unsigned char handle[STORE_WA_HANDLE_LEN] = {
    0x60, 0x61, 0x62, 0x63, 0x64, 0x65, 0x66, 0x67, 0x68, 0x69, 0x6a, 0x6b, 0x6c, 0x6d, 0x6e, 0x6f,
    0x70, 0x71, 0x72, 0x73, 0x74, 0x75, 0x76, 0x77, 0x78, 0x79, 0x7a, 0x7b, 0x7c, 0x7d, 0x7e, 0x7f};
/* the sign-in form's double-submit token and the pre-session cookie */
static const char login_csrf[] = "TG9naW5Gb3JtQ3NyZlRva2VuT2ZUaGVGdXp6ZXIuLi4";
static const char login_cookie[] = "UHJlU2Vzc2lvbkNvb2tpZU9mVGhlRnV6emVyLi4uLi4";

static authd_t d;
static char dir[] = "/tmp/fuzz-web-passkey-XXXXXX";
static int64_t user_id, passkey_id;
static char done_cookie[WEB_TOKEN_LEN + 1], second_cookie[WEB_TOKEN_LEN + 1];
static session_t done_session, second_session;
static unsigned char login_binding[PASSKEY_BINDING_LEN], challenge_hash[32];

/* ---- the connection ---- */

typedef struct {
	enum MHD_ValueKind kind;
	const char *key, *value;
} fake_value_t;

static fake_value_t values[8];
static size_t n_values;
static unsigned queued, status;
static int fake_conn; /* its address stands for the connection */

static void value_add(enum MHD_ValueKind kind, const char *key, const char *value)
{
	values[n_values++] = (fake_value_t){kind, key, value};
}

const char *MHD_lookup_connection_value(struct MHD_Connection *connection, enum MHD_ValueKind kind,
					const char *key)
{
	if (connection != (struct MHD_Connection *)(void *)&fake_conn)
		abort();
	for (size_t i = 0; i < n_values; i++)
		if (values[i].kind == kind &&
		    (kind == MHD_COOKIE_KIND ? strcmp(values[i].key, key) == 0
					     : strcasecmp(values[i].key, key) == 0))
			return values[i].value;
	return NULL;
}

/* web_respond destroys the response after this: nothing is kept */
enum MHD_Result MHD_queue_response(struct MHD_Connection *connection, unsigned int status_code,
				   struct MHD_Response *response)
{
	if (connection != (struct MHD_Connection *)(void *)&fake_conn || response == NULL)
		abort();
	queued++;
	status = status_code;
	return MHD_YES;
}

/* ---- the store ---- */

static int setup_tx(store_tx_t *tx, void *arg)
{
	store_webauthn_t *w = arg;
	store_user_t u;
	int r;

	if ((r = store_user_add(tx, FUZZ_USER, "", FUZZ_NOW, &u)) != SESAME_OK ||
	    (r = store_user_handle_set(tx, u.id, handle)) != SESAME_OK)
		return r;
	w->user_id = user_id = u.id;
	if ((r = store_webauthn_add(tx, w)) != SESAME_OK)
		return r;
	passkey_id = w->id;
	return SESAME_OK;
}

/* Before each input: the one challenge its verify request may answer. */
static int challenge_tx(store_tx_t *tx, void *arg)
{
	int ep = *(const int *)arg, r;

	if ((r = store_webauthn_challenge_purge(tx, INT64_MAX)) != SESAME_OK)
		return r;
	if (ep == EP_REG_VERIFY)
		return store_webauthn_challenge_add(tx, challenge_hash, PASSKEY_FOR_REGISTER,
						    done_session.s.id_hash, user_id, FUZZ_NOW + 60);
	if (ep == EP_SECOND_VERIFY)
		return store_webauthn_challenge_add(tx, challenge_hash, PASSKEY_FOR_SECOND,
						    second_session.s.id_hash, user_id,
						    FUZZ_NOW + 60);
	if (ep == EP_LOGIN_VERIFY)
		return store_webauthn_challenge_add(tx, challenge_hash, PASSKEY_FOR_LOGIN,
						    login_binding, 0, FUZZ_NOW + 60);
	return SESAME_OK;
}

/* After an accepted ceremony: back to the initial state (one passkey,
 * sign count 0, no failure, the two sessions anew). */
static int reset_tx(store_tx_t *tx, void *arg)
{
	store_webauthn_t *items = NULL;
	size_t n = 0;
	int r;

	(void)arg;
	if ((r = store_webauthn_list(tx, user_id, &items, &n)) != SESAME_OK)
		return r;
	for (size_t i = 0; i < n && r == SESAME_OK; i++)
		if (items[i].id != passkey_id)
			r = store_webauthn_delete(tx, user_id, items[i].id);
	free(items);
	if (r != SESAME_OK || (r = store_webauthn_used(tx, passkey_id, 0, 0, 0)) != SESAME_OK ||
	    (r = store_user_set_success(tx, user_id, FUZZ_NOW)) != SESAME_OK)
		return r;
	return store_session_purge(tx, INT64_MAX);
}

static void sessions_new(void)
{
	if (session_create(&d, FUZZ_USER, WEB_STAGE_DONE, FACTOR_PASSWORD | FACTOR_TOTP, NULL,
			   FUZZ_NOW, done_cookie, &done_session) != SESAME_OK ||
	    session_create(&d, FUZZ_USER, WEB_STAGE_PASSWORD, FACTOR_PASSWORD, NULL, FUZZ_NOW,
			   second_cookie, &second_session) != SESAME_OK)
		abort();
}

static void cleanup(void)
{
	static const char *const suffixes[] = {"", "-wal", "-shm"};
	char path[sizeof(dir) + 16];

	store_close(&d.store);
	webauthn_trust_free(&d.passkey_trust);
	for (size_t i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++) {
		snprintf(path, sizeof(path), "%s/db%s", dir, suffixes[i]);
		unlink(path);
	}
	rmdir(dir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	store_webauthn_t w;
	unsigned char raw[WEB_TOKEN_BYTES];
	char db[sizeof(dir) + 8];
	unsigned hlen = 0;
	size_t n = 0;

	(void)argc;
	(void)argv;
	log_init("fuzz_web_passkey", 0, LOG_CRIT);
	if (mkdtemp(dir) == NULL)
		abort();
	snprintf(db, sizeof(db), "%s/db", dir);
	config_defaults(&d.cfg);
	snprintf(d.cfg.web.rp_id, sizeof(d.cfg.web.rp_id), "%s", "example.org");
	snprintf(d.cfg.web.origins[0], sizeof(d.cfg.web.origins[0]), "%s", fuzz_origins[0]);
	d.cfg.web.n_origins = 1;
	/* no lock-out: every failure is counted, none stops the ceremony */
	d.throttle = (throttle_params_t){UINT_MAX, d.cfg.base_delay, d.cfg.max_delay};
	if (store_open(db, &d.store) != SESAME_OK || webauthn_trust_new(&d.passkey_trust) != 0 ||
	    webauthn_trust_add_pem(d.passkey_trust, fuzz_root_pem, strlen(fuzz_root_pem)) != 0)
		abort();
	atexit(cleanup);
	memset(&w, 0, sizeof(w));
	memcpy(w.cred_id, cred_id, sizeof(cred_id));
	w.cred_id_len = sizeof(cred_id);
	memcpy(w.public_key, cred_key, sizeof(cred_key));
	w.public_key_len = sizeof(cred_key);
	w.alg = WEBAUTHN_ALG_ES256;
	snprintf(w.attestation, sizeof(w.attestation), "%s", "none/none");
	snprintf(w.transports, sizeof(w.transports), "%s", "usb,nfc");
	snprintf(w.name, sizeof(w.name), "%s", "fuzz");
	w.created = FUZZ_NOW;
	if (store_run(d.store, setup_tx, &w) != SESAME_OK)
		abort();
	sessions_new();
	/* as web_passkey.c binds a discoverable sign-in's challenge */
	if (base64url_decode(login_cookie, WEB_TOKEN_LEN, raw, sizeof(raw), &n) != SESAME_OK ||
	    n != sizeof(raw) ||
	    EVP_Digest(raw, sizeof(raw), login_binding, &hlen, EVP_sha256(), NULL) != 1 ||
	    EVP_Digest(fuzz_challenge, sizeof(fuzz_challenge), challenge_hash, &hlen, EVP_sha256(),
		       NULL) != 1)
		abort();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const web_handler_t handlers[EP__COUNT] = {
	    web_passkey_register_options, web_passkey_register_verify, web_passkey_login_options,
	    web_passkey_login_options,	  web_passkey_login_verify,    web_passkey_login_verify};
	http_body_t body;
	web_ctx_t c;
	int ep;

	if (size < 1 || size - 1 > WEB_MAX_JSON)
		return 0;
	ep = (data[0] & 7) % EP__COUNT;
	d.cfg.web.require_uv = (data[0] & 0x10) != 0;
	d.cfg.web.attestation_trusted = (data[0] & 0x20) != 0;
	if (store_run(d.store, challenge_tx, &ep) != SESAME_OK)
		abort();

	memset(&body, 0, sizeof(body));
	body.max = WEB_MAX_JSON;
	body.len = size - 1;
	if (body.len && (body.data = malloc(body.len)) == NULL)
		return 0;
	if (body.len)
		memcpy(body.data, data + 1, body.len); /* exactly the body: overreads are seen */

	n_values = 0;
	value_add(MHD_HEADER_KIND, "Origin", fuzz_origins[0]);
	value_add(MHD_HEADER_KIND, MHD_HTTP_HEADER_HOST, "example.org");
	if (ep == EP_REG_OPTIONS || ep == EP_REG_VERIFY) {
		value_add(MHD_COOKIE_KIND, WEB_SESSION_COOKIE, done_cookie);
		value_add(MHD_HEADER_KIND, WEB_CSRF_HEADER, done_session.csrf);
	} else if (ep == EP_SECOND_OPTIONS || ep == EP_SECOND_VERIFY) {
		value_add(MHD_COOKIE_KIND, WEB_SESSION_COOKIE, second_cookie);
		value_add(MHD_HEADER_KIND, WEB_CSRF_HEADER, second_session.csrf);
	} else {
		value_add(MHD_COOKIE_KIND, WEB_CSRF_COOKIE, login_csrf);
		value_add(MHD_COOKIE_KIND, "sesame_webauthn", login_cookie);
		value_add(MHD_HEADER_KIND, WEB_CSRF_HEADER, login_csrf);
	}

	memset(&c, 0, sizeof(c));
	c.d = &d;
	c.conn = (struct MHD_Connection *)(void *)&fake_conn;
	c.lang = i18n_negotiate(NULL);
	c.secure = 1;
	c.now = FUZZ_NOW;
	c.body = &body;
	snprintf(c.rhost, sizeof(c.rhost), "%s", "192.0.2.1");
	queued = status = 0;

	enum MHD_Result r = handlers[ep](&c);
	/* one reply, and a refusal rather than a failure: the store is fine */
	if (r != MHD_YES || queued != 1 || status == MHD_HTTP_SERVICE_UNAVAILABLE ||
	    status == MHD_HTTP_UNAUTHORIZED || status == MHD_HTTP_NOT_FOUND)
		abort();
	if (status == MHD_HTTP_OK &&
	    (ep == EP_REG_VERIFY || ep == EP_LOGIN_VERIFY || ep == EP_SECOND_VERIFY)) {
		if (store_run(d.store, reset_tx, NULL) != SESAME_OK)
			abort();
		sessions_new();
	}
	OPENSSL_cleanse(body.data, body.len);
	free(body.data);
	return 0;
}
