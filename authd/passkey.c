/* Passkeys as a factor of the web sign-in (see passkey.h): each decision
 * is one store transaction, so a challenge is consumed, a failure counted
 * and the event audited together, or none of them. */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "attempt.h"
#include "audit.h"
#include "passkey.h"
#include "sesame/base64url.h"
#include "sesame/error.h"
#include "sesame/log.h"
#include "source.h"

#define PASSKEY_MAX_ANCHORS (1024 * 1024)	 /* bytes of the anchors' PEM file */
#define PASSKEY_R_NO_CHALLENGE "wrong_challenge" /* never issued, used, or purged */
#define PASSKEY_R_CHALLENGE_EXPIRED "challenge_expired"
#define PASSKEY_R_EXISTS "credential_exists"
#define PASSKEY_R_UNKNOWN "not_found" /* no such credential (for this user) */

/* ---- trust anchors ---- */

int passkey_trust_load(authd_t *d)
{
	const char *path = d->cfg.web.attestation_anchors;
	struct stat st;
	char *pem = NULL;
	size_t got = 0;
	int fd = -1, r = SESAME_ERR_IO;

	if (path[0] == '\0')
		return SESAME_OK;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0 || fstat(fd, &st) != 0 ||
	    !S_ISREG(st.st_mode) || st.st_size <= 0 || st.st_size > PASSKEY_MAX_ANCHORS ||
	    (pem = malloc((size_t)st.st_size)) == NULL)
		goto fail;
	while (got < (size_t)st.st_size) {
		ssize_t n = read(fd, pem + got, (size_t)st.st_size - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			goto fail;
		got += (size_t)n;
	}
	if ((r = webauthn_trust_new(&d->passkey_trust)) != SESAME_OK ||
	    (r = webauthn_trust_add_pem(d->passkey_trust, pem, got)) != SESAME_OK) {
		webauthn_trust_free(&d->passkey_trust);
		goto fail;
	}
	r = SESAME_OK;
fail:
	if (r != SESAME_OK)
		log_err("web: cannot load the attestation anchors %s", path);
	free(pem);
	if (fd >= 0)
		close(fd);
	return r;
}

/* ---- helpers ---- */

static int sha256(const unsigned char *in, size_t len, unsigned char out[32])
{
	unsigned hlen = 0;

	return EVP_Digest(in, len, out, &hlen, EVP_sha256(), NULL) == 1 && hlen == 32
		   ? SESAME_OK
		   : SESAME_ERR_CRYPTO;
}

/* The challenge clientDataJSON names, decoded, so that the stored one can
 * be found by its hash (the verifier then compares them again).
 * SESAME_ERR_NOT_FOUND when it names none we could have issued. */
static int client_challenge(const unsigned char *cd, size_t len,
			    unsigned char out[PASSKEY_CHALLENGE_LEN])
{
	unsigned char raw[WEBAUTHN_MAX_CHALLENGE];
	json_t *root = NULL, *ch;
	const char *text;
	size_t n = 0;
	int r = SESAME_ERR_NOT_FOUND;

	if (cd == NULL || len == 0 || len > WEBAUTHN_MAX_CLIENT_DATA)
		return r;
	if ((root = json_loadb((const char *)cd, len, JSON_REJECT_DUPLICATES, NULL)) == NULL ||
	    !json_is_object(root) || (ch = json_object_get(root, "challenge")) == NULL ||
	    !json_is_string(ch))
		goto out;
	text = json_string_value(ch);
	if (base64url_decode(text, json_string_length(ch), raw, sizeof(raw), &n) == SESAME_OK &&
	    n == PASSKEY_CHALLENGE_LEN) {
		memcpy(out, raw, n);
		r = SESAME_OK;
	}
out:
	json_decref(root);
	return r;
}

/* The relying party of the configuration. */
struct rp {
	char origins[SESAME_MAX_WEB_ORIGINS][SESAME_MAX_ORIGIN + 1];
	const char *ptrs[SESAME_MAX_WEB_ORIGINS];
	webauthn_rp_t rp;
};

static void rp_of(const authd_t *d, struct rp *p)
{
	size_t n = config_web_origins(&d->cfg.web, p->origins);

	for (size_t i = 0; i < n; i++)
		p->ptrs[i] = p->origins[i];
	p->rp.rp_id = d->cfg.web.rp_id;
	p->rp.origins = p->ptrs;
	p->rp.n_origins = n;
	p->rp.allow_cross_origin = false;
	p->rp.require_uv = d->cfg.web.require_uv != 0;
}

static int user_by_id(store_tx_t *tx, int64_t id, store_user_t *u)
{
	char name[SESAME_MAX_USERNAME + 1];
	int r = store_user_name(tx, id, name);

	return r == SESAME_OK ? store_user_get(tx, name, u) : r;
}

/* ---- options ---- */

struct options_ctx {
	authd_t *d;
	const char *purpose;
	const unsigned char *binding;
	int64_t user_id, now;
	unsigned char hash[32];
	passkey_options_t *o;
};

static int options_tx(store_tx_t *tx, void *arg)
{
	struct options_ctx *c = arg;
	int r;

	if ((r = store_webauthn_challenge_purge(tx, c->now)) != SESAME_OK)
		return r;
	if (strcmp(c->purpose, PASSKEY_FOR_REGISTER) == 0) {
		r = store_user_handle_get(tx, c->user_id, c->o->handle);
		if (r == SESAME_ERR_NOT_FOUND) {
			/* the first passkey: a random handle, never the name */
			if (RAND_bytes(c->o->handle, STORE_WA_HANDLE_LEN) != 1)
				return SESAME_ERR_CRYPTO;
			r = store_user_handle_set(tx, c->user_id, c->o->handle);
		}
		if (r != SESAME_OK)
			return r;
	}
	if (c->user_id > 0 &&
	    (r = store_webauthn_list(tx, c->user_id, &c->o->creds, &c->o->n_creds)) != SESAME_OK)
		return r;
	return store_webauthn_challenge_add(tx, c->hash, c->purpose, c->binding, c->user_id,
					    c->now + (int64_t)c->d->cfg.web.challenge_ttl);
}

int passkey_options(authd_t *d, const char *purpose,
		    const unsigned char binding[PASSKEY_BINDING_LEN], int64_t user_id, int64_t now,
		    passkey_options_t *out)
{
	struct options_ctx c = {d, purpose, binding, user_id, now, {0}, out};
	int r;

	memset(out, 0, sizeof(*out));
	if (RAND_bytes(out->challenge, sizeof(out->challenge)) != 1)
		return SESAME_ERR_CRYPTO;
	if ((r = sha256(out->challenge, sizeof(out->challenge), c.hash)) != SESAME_OK)
		return r;
	if ((r = store_run(d->store, options_tx, &c)) != SESAME_OK)
		passkey_options_free(out);
	return r;
}

void passkey_options_free(passkey_options_t *o)
{
	free(o->creds);
	OPENSSL_cleanse(o, sizeof(*o));
}

/* ---- registration ---- */

struct reg_ctx {
	authd_t *d;
	int64_t user_id, now;
	const unsigned char *binding;
	const char *service, *rhost;
	const passkey_reg_t *in;
	int have_challenge;
	unsigned char challenge[PASSKEY_CHALLENGE_LEN], hash[32];
	webauthn_credential_t cred;
	store_webauthn_t rec;
	int refused;
	const char *reason;
};

static int reg_tx(store_tx_t *tx, void *arg)
{
	struct reg_ctx *c = arg;
	struct rp rp;
	webauthn_reg_params_t p;
	char user[SESAME_MAX_USERNAME + 1];
	int64_t ch_user = 0, expires = 0;
	int r;

	c->refused = SESAME_ERR_PERMISSION;
	if ((r = store_user_name(tx, c->user_id, user)) != SESAME_OK)
		return r;
	r = c->have_challenge ? store_webauthn_challenge_take(tx, c->hash, PASSKEY_FOR_REGISTER,
							      c->binding, &ch_user, &expires)
			      : SESAME_ERR_NOT_FOUND;
	if (r != SESAME_OK && r != SESAME_ERR_NOT_FOUND)
		return r;
	if (r == SESAME_ERR_NOT_FOUND || ch_user != c->user_id) {
		c->reason = PASSKEY_R_NO_CHALLENGE;
		goto denied;
	}
	if (expires <= c->now) {
		c->reason = PASSKEY_R_CHALLENGE_EXPIRED;
		goto denied;
	}
	rp_of(c->d, &rp);
	memset(&p, 0, sizeof(p));
	p.rp = rp.rp;
	p.challenge = c->challenge;
	p.challenge_len = sizeof(c->challenge);
	p.policy = c->d->cfg.web.attestation_trusted ? WEBAUTHN_ATT_POLICY_TRUSTED
						     : WEBAUTHN_ATT_POLICY_ANY;
	p.trust = c->d->passkey_trust;
	r = webauthn_registration_verify(&p, c->in->client_data, c->in->client_data_len,
					 c->in->att_obj, c->in->att_obj_len, &c->cred, &c->reason);
	if (r == SESAME_ERR_NOMEM || r == SESAME_ERR_CRYPTO)
		return r;
	if (r != SESAME_OK)
		goto denied;
	memset(&c->rec, 0, sizeof(c->rec));
	c->rec.user_id = c->user_id;
	memcpy(c->rec.cred_id, c->cred.id, c->cred.id_len);
	c->rec.cred_id_len = c->cred.id_len;
	memcpy(c->rec.public_key, c->cred.cose_key, c->cred.cose_key_len);
	c->rec.public_key_len = c->cred.cose_key_len;
	c->rec.alg = c->cred.alg;
	c->rec.sign_count = c->cred.sign_count;
	memcpy(c->rec.aaguid, c->cred.aaguid, sizeof(c->rec.aaguid));
	c->rec.backup_eligible = (c->cred.flags & WEBAUTHN_FLAG_BE) != 0;
	c->rec.backup_state = (c->cred.flags & WEBAUTHN_FLAG_BS) != 0;
	snprintf(c->rec.attestation, sizeof(c->rec.attestation), "%s/%s%s",
		 webauthn_fmt_name(c->cred.fmt), webauthn_att_type_name(c->cred.att_type),
		 c->cred.att_trusted ? "-trusted" : "");
	snprintf(c->rec.transports, sizeof(c->rec.transports), "%s", c->in->transports);
	snprintf(c->rec.name, sizeof(c->rec.name), "%s", c->in->name);
	c->rec.created = c->now;
	r = store_webauthn_add(tx, &c->rec);
	if (r == SESAME_ERR_CONFLICT) { /* §7.1 step 24: whoever holds it */
		c->reason = PASSKEY_R_EXISTS;
		goto denied;
	}
	if (r != SESAME_OK)
		return r;
	c->refused = SESAME_OK;
	store_tx_durable(tx);
	return audit_record(tx, c->now, user, c->service, c->rhost, factor_passkey.name, "ok",
			    "register");
denied:
	return audit_record(tx, c->now, user, c->service, c->rhost, factor_passkey.name, "denied",
			    c->reason);
}

int passkey_register(authd_t *d, int64_t user_id, const unsigned char binding[PASSKEY_BINDING_LEN],
		     const char *service, const char *rhost, int64_t now, const passkey_reg_t *in,
		     int *refused, const char **reason)
{
	struct reg_ctx *c = calloc(1, sizeof(*c)); /* ~4 KiB of credential: not on the stack */
	int r;

	*refused = SESAME_ERR_PERMISSION;
	*reason = WEBAUTHN_R_INTERNAL;
	if (c == NULL)
		return SESAME_ERR_NOMEM;
	c->d = d;
	c->user_id = user_id;
	c->now = now;
	c->binding = binding;
	c->service = service;
	c->rhost = rhost;
	c->in = in;
	if (client_challenge(in->client_data, in->client_data_len, c->challenge) == SESAME_OK) {
		c->have_challenge = 1;
		if ((r = sha256(c->challenge, sizeof(c->challenge), c->hash)) != SESAME_OK)
			goto out;
	}
	if ((r = store_run(d->store, reg_tx, c)) == SESAME_OK) {
		*refused = c->refused;
		*reason = c->refused == SESAME_OK ? WEBAUTHN_R_OK : c->reason;
	}
out:
	OPENSSL_cleanse(c, sizeof(*c));
	free(c);
	return r;
}

/* ---- sign-in: the passkey entry of the factor table ---- */

/* What an assertion brings into the attempt frame (a->in). */
struct login_in {
	const char *purpose;
	const unsigned char *binding;
	const passkey_login_t *in;
	int have_challenge;
	unsigned char challenge[PASSKEY_CHALLENGE_LEN], hash[32];
	store_webauthn_t cred; /* found by identify ("login") or verify ("second") */
	int have_cred;
};

static int is_second(const struct login_in *l)
{
	return strcmp(l->purpose, PASSKEY_FOR_SECOND) == 0;
}

static int passkey_enrolled(store_tx_t *tx, const store_user_t *u, unsigned *count)
{
	size_t n = 0;
	int r = store_webauthn_count(tx, u->id, &n);

	*count = r == SESAME_OK ? (unsigned)n : 0;
	return r;
}

/* A discoverable sign-in names its user by the credential; a second
 * factor is the session's user (a->user, set by the caller). */
static int passkey_identify(attempt_t *a, store_tx_t *tx)
{
	struct login_in *l = a->state;
	store_user_t u;
	int r;

	l->have_cred = 0;
	if (is_second(l))
		return SESAME_OK;
	a->user[0] = '\0';
	r = store_webauthn_get(tx, l->in->cred_id, l->in->cred_id_len, &l->cred);
	if (r == SESAME_ERR_NOT_FOUND)
		a->why = PASSKEY_R_UNKNOWN;
	if (r != SESAME_OK)
		return r;
	if ((r = user_by_id(tx, l->cred.user_id, &u)) != SESAME_OK)
		return r;
	l->have_cred = 1;
	snprintf(a->user, sizeof(a->user), "%s", u.name);
	return SESAME_OK;
}

static int refuse(attempt_t *a, const char *why)
{
	a->outcome = SESAME_ERR_PERMISSION;
	a->why = why;
	return SESAME_OK;
}

static int passkey_check(attempt_t *a, store_tx_t *tx, const store_user_t *u)
{
	struct login_in *l = a->state;
	int second = is_second(l);
	unsigned char handle[STORE_WA_HANDLE_LEN];
	webauthn_assert_params_t p;
	webauthn_assert_result_t res;
	const char *why = WEBAUTHN_R_INTERNAL;
	struct rp rp;
	int64_t ch_user = 0, expires = 0;
	int r, r_ch, has_handle;

	a->outcome = SESAME_ERR_NO_FACTOR;
	if (u == NULL)
		return SESAME_OK;
	r_ch = l->have_challenge ? store_webauthn_challenge_take(tx, l->hash, l->purpose,
								 l->binding, &ch_user, &expires)
				 : SESAME_ERR_NOT_FOUND;
	if (r_ch != SESAME_OK && r_ch != SESAME_ERR_NOT_FOUND)
		return r_ch;
	if (second) {
		r = store_webauthn_get(tx, l->in->cred_id, l->in->cred_id_len, &l->cred);
		if (r != SESAME_OK && r != SESAME_ERR_NOT_FOUND)
			return r;
		/* not one of this user's: a failed second factor of this user */
		if (r == SESAME_ERR_NOT_FOUND || l->cred.user_id != u->id)
			return refuse(a, PASSKEY_R_UNKNOWN);
	} else if (!l->have_cred || l->cred.user_id != u->id) {
		return refuse(a, PASSKEY_R_UNKNOWN);
	}
	if (r_ch == SESAME_ERR_NOT_FOUND || (second && ch_user != u->id))
		return refuse(a, PASSKEY_R_NO_CHALLENGE);
	if (expires <= a->now)
		return refuse(a, PASSKEY_R_CHALLENGE_EXPIRED);
	r = store_user_handle_get(tx, u->id, handle);
	if (r != SESAME_OK && r != SESAME_ERR_NOT_FOUND)
		return r;
	has_handle = r == SESAME_OK;
	/* a discoverable sign-in names its user by the handle: it must be
	 * the credential owner's */
	if (!second && (!has_handle || l->in->a.user_handle == NULL))
		return refuse(a, WEBAUTHN_R_WRONG_USER_HANDLE);
	rp_of(a->d, &rp);
	memset(&p, 0, sizeof(p));
	p.rp = rp.rp;
	p.challenge = l->challenge;
	p.challenge_len = sizeof(l->challenge);
	p.cose_key = l->cred.public_key;
	p.cose_key_len = l->cred.public_key_len;
	p.stored_sign_count = l->cred.sign_count;
	if (has_handle) {
		p.user_handle = handle;
		p.user_handle_len = sizeof(handle);
	}
	r = webauthn_assertion_verify(&p, &l->in->a, &res, &why);
	if (r == SESAME_ERR_NOMEM || r == SESAME_ERR_CRYPTO)
		return r;
	if (r != SESAME_OK) /* sign_count_regression included: not stored */
		return refuse(a, why);
	if ((r = store_webauthn_used(tx, l->cred.id, res.sign_count,
				     (res.flags & WEBAUTHN_FLAG_BS) != 0, a->now)) != SESAME_OK)
		return r;
	store_tx_durable(tx);
	a->outcome = SESAME_OK;
	return SESAME_OK;
}

const factor_t factor_passkey = {
    .name = "passkey",
    .bit = FACTOR_PASSKEY,
    .amr = "hwk",
    .forgives = 1,
    .enrolled = passkey_enrolled,
    .prepare = NULL,
    .identify = passkey_identify,
    .verify = passkey_check,
    .release = NULL,
};

int passkey_login(authd_t *d, const char *purpose, const unsigned char binding[PASSKEY_BINDING_LEN],
		  const char *session_user, const char *service, const char *rhost, int64_t now,
		  const passkey_login_t *in, passkey_verdict_t *v)
{
	struct login_in *l = calloc(1, sizeof(*l)); /* a credential: not on the stack */
	attempt_t a;
	int r = SESAME_OK;

	memset(v, 0, sizeof(*v));
	v->result = AUTH_DENIED;
	if (l == NULL)
		return SESAME_ERR_NOMEM;
	l->purpose = purpose;
	l->binding = binding;
	l->in = in;
	if (client_challenge(in->a.client_data, in->a.client_data_len, l->challenge) == SESAME_OK) {
		l->have_challenge = 1;
		r = sha256(l->challenge, sizeof(l->challenge), l->hash);
	}
	memset(&a, 0, sizeof(a));
	a.d = d;
	a.factor = &factor_passkey;
	a.service = service;
	a.rhost = rhost;
	a.now = now;
	a.in = in;
	a.state = l;
	if (session_user != NULL)
		snprintf(a.user, sizeof(a.user), "%s", session_user);
	if (r == SESAME_OK)
		r = attempt_run(&a);
	if (r == SESAME_OK) {
		v->result = a.result == ATTEMPT_SUCCESS ? AUTH_SUCCESS : AUTH_DENIED;
		v->reason = a.reason;
		v->why = a.why ? a.why : (a.reason == SESAME_OK ? WEBAUTHN_R_OK : "denied");
		v->wait = a.wait;
		v->user_id = a.user_id;
		snprintf(v->user, sizeof(v->user), "%s", a.user);
	}
	OPENSSL_cleanse(l, sizeof(*l));
	free(l);
	return r;
}
