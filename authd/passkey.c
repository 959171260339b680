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

#include "audit.h"
#include "passkey.h"
#include "sesame/base64url.h"
#include "sesame/error.h"
#include "sesame/log.h"
#include "source.h"

#define PASSKEY_FACTOR "passkey"
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

/* Counts a failure in the user's counter, the one PAM and the password
 * use; *wait: the lock-out it starts (0: none). */
static int count_failure(authd_t *d, store_tx_t *tx, const store_user_t *u, int64_t now,
			 int64_t *wait)
{
	unsigned failures = u->failures + 1;
	unsigned delay = throttle_delay(&d->throttle, failures);

	*wait = delay;
	return store_user_set_throttle(tx, u->id, failures, now, delay ? now + (int64_t)delay : 0);
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
	return audit_record(tx, c->now, user, c->service, c->rhost, PASSKEY_FACTOR, "ok",
			    "register");
denied:
	return audit_record(tx, c->now, user, c->service, c->rhost, PASSKEY_FACTOR, "denied",
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

/* ---- sign-in ---- */

struct login_ctx {
	authd_t *d;
	const char *purpose;
	const unsigned char *binding;
	int64_t session_user_id, now;
	const char *service, *rhost;
	const passkey_login_t *in;
	int have_challenge;
	unsigned char challenge[PASSKEY_CHALLENGE_LEN], hash[32];
	store_webauthn_t cred;
	passkey_verdict_t *v;
};

static int login_deny(struct login_ctx *c, store_tx_t *tx, int reason, const char *why)
{
	c->v->result = AUTH_DENIED;
	c->v->reason = reason;
	c->v->why = why;
	return audit_record(tx, c->now, c->v->user, c->service, c->rhost, PASSKEY_FACTOR, "denied",
			    why);
}

/* A failed attempt from the request's source: counted there too. */
static int source_count(struct login_ctx *c, store_tx_t *tx)
{
	int64_t wait = 0;
	int r = source_failure(c->d, tx, c->rhost, c->now, &wait);

	if (wait > c->v->wait)
		c->v->wait = wait;
	return r;
}

/* A failed ceremony of a known user: counted, then audited. */
static int login_fail(struct login_ctx *c, store_tx_t *tx, const store_user_t *u, const char *why)
{
	int r = count_failure(c->d, tx, u, c->now, &c->v->wait);

	if (r == SESAME_OK)
		r = source_count(c, tx);
	return r != SESAME_OK ? r : login_deny(c, tx, SESAME_ERR_PERMISSION, why);
}

static int login_tx(store_tx_t *tx, void *arg)
{
	struct login_ctx *c = arg;
	int second = strcmp(c->purpose, PASSKEY_FOR_SECOND) == 0;
	unsigned char handle[STORE_WA_HANDLE_LEN];
	webauthn_assert_params_t p;
	webauthn_assert_result_t res;
	struct rp rp;
	store_user_t u;
	int64_t ch_user = 0, expires = 0, wait;
	const char *why = WEBAUTHN_R_INTERNAL;
	int r, r_ch, has_handle;

	memset(c->v, 0, sizeof(*c->v));
	c->v->result = AUTH_DENIED;
	if ((r = source_wait(c->d, tx, c->rhost, c->now, &wait)) != SESAME_OK)
		return r;
	if (wait > 0) { /* nothing is verified, nor the challenge used */
		c->v->wait = wait;
		return login_deny(c, tx, SESAME_ERR_LOCKED, SOURCE_LOCKED_REASON);
	}
	r_ch = c->have_challenge ? store_webauthn_challenge_take(tx, c->hash, c->purpose,
								 c->binding, &ch_user, &expires)
				 : SESAME_ERR_NOT_FOUND;
	if (r_ch != SESAME_OK && r_ch != SESAME_ERR_NOT_FOUND)
		return r_ch;
	r = store_webauthn_get(tx, c->in->cred_id, c->in->cred_id_len, &c->cred);
	if (r != SESAME_OK && r != SESAME_ERR_NOT_FOUND)
		return r;
	if (second && (r == SESAME_ERR_NOT_FOUND || c->cred.user_id != c->session_user_id)) {
		/* not one of this user's: a failed second factor of this user */
		if ((r = user_by_id(tx, c->session_user_id, &u)) != SESAME_OK)
			return r;
		c->v->user_id = u.id;
		snprintf(c->v->user, sizeof(c->v->user), "%s", u.name);
		if (u.disabled)
			return login_deny(c, tx, SESAME_ERR_DISABLED,
					  sesame_err_code(SESAME_ERR_DISABLED));
		if ((wait = throttle_wait(u.locked_until, c->now)) > 0) {
			c->v->wait = wait;
			return login_deny(c, tx, SESAME_ERR_LOCKED,
					  sesame_err_code(SESAME_ERR_LOCKED));
		}
		return login_fail(c, tx, &u, PASSKEY_R_UNKNOWN);
	}
	if (r == SESAME_ERR_NOT_FOUND) { /* no user to count it against: the source */
		if ((r = source_count(c, tx)) != SESAME_OK)
			return r;
		return login_deny(c, tx, SESAME_ERR_NOT_FOUND, PASSKEY_R_UNKNOWN);
	}
	if ((r = user_by_id(tx, c->cred.user_id, &u)) != SESAME_OK)
		return r;
	c->v->user_id = u.id;
	snprintf(c->v->user, sizeof(c->v->user), "%s", u.name);
	if (u.disabled)
		return login_deny(c, tx, SESAME_ERR_DISABLED, sesame_err_code(SESAME_ERR_DISABLED));
	if ((wait = throttle_wait(u.locked_until, c->now)) > 0) {
		c->v->wait = wait;
		return login_deny(c, tx, SESAME_ERR_LOCKED, sesame_err_code(SESAME_ERR_LOCKED));
	}
	if (r_ch == SESAME_ERR_NOT_FOUND || (second && ch_user != c->session_user_id))
		return login_fail(c, tx, &u, PASSKEY_R_NO_CHALLENGE);
	if (expires <= c->now)
		return login_fail(c, tx, &u, PASSKEY_R_CHALLENGE_EXPIRED);
	r = store_user_handle_get(tx, u.id, handle);
	if (r != SESAME_OK && r != SESAME_ERR_NOT_FOUND)
		return r;
	has_handle = r == SESAME_OK;
	/* a discoverable sign-in names its user by the handle: it must be
	 * the credential owner's */
	if (!second && (!has_handle || c->in->a.user_handle == NULL))
		return login_fail(c, tx, &u, WEBAUTHN_R_WRONG_USER_HANDLE);
	rp_of(c->d, &rp);
	memset(&p, 0, sizeof(p));
	p.rp = rp.rp;
	p.challenge = c->challenge;
	p.challenge_len = sizeof(c->challenge);
	p.cose_key = c->cred.public_key;
	p.cose_key_len = c->cred.public_key_len;
	p.stored_sign_count = c->cred.sign_count;
	if (has_handle) {
		p.user_handle = handle;
		p.user_handle_len = sizeof(handle);
	}
	r = webauthn_assertion_verify(&p, &c->in->a, &res, &why);
	if (r == SESAME_ERR_NOMEM || r == SESAME_ERR_CRYPTO)
		return r;
	if (r != SESAME_OK) /* sign_count_regression included: not stored */
		return login_fail(c, tx, &u, why);
	if ((r = store_webauthn_used(tx, c->cred.id, res.sign_count,
				     (res.flags & WEBAUTHN_FLAG_BS) != 0, c->now)) != SESAME_OK ||
	    (r = store_user_set_success(tx, u.id, c->now)) != SESAME_OK)
		return r;
	c->v->result = AUTH_SUCCESS;
	c->v->reason = SESAME_OK;
	c->v->why = WEBAUTHN_R_OK;
	store_tx_durable(tx);
	return audit_record(tx, c->now, u.name, c->service, c->rhost, PASSKEY_FACTOR, "success",
			    "ok");
}

int passkey_login(authd_t *d, const char *purpose, const unsigned char binding[PASSKEY_BINDING_LEN],
		  int64_t session_user_id, const char *service, const char *rhost, int64_t now,
		  const passkey_login_t *in, passkey_verdict_t *v)
{
	struct login_ctx *c = calloc(1, sizeof(*c));
	int r = SESAME_OK;

	memset(v, 0, sizeof(*v));
	v->result = AUTH_DENIED;
	if (c == NULL)
		return SESAME_ERR_NOMEM;
	c->d = d;
	c->purpose = purpose;
	c->binding = binding;
	c->session_user_id = session_user_id;
	c->now = now;
	c->service = service;
	c->rhost = rhost;
	c->in = in;
	c->v = v;
	if (client_challenge(in->a.client_data, in->a.client_data_len, c->challenge) == SESAME_OK) {
		c->have_challenge = 1;
		r = sha256(c->challenge, sizeof(c->challenge), c->hash);
	}
	if (r == SESAME_OK)
		r = store_run(d->store, login_tx, c);
	OPENSSL_cleanse(c, sizeof(*c));
	free(c);
	return r;
}

/* ---- the account page ---- */

struct manage_ctx {
	authd_t *d;
	int64_t user_id, id, now;
	const char *name; /* rename; NULL: remove */
	const char *service, *rhost;
	size_t count;
};

static int manage_tx(store_tx_t *tx, void *arg)
{
	struct manage_ctx *c = arg;
	char user[SESAME_MAX_USERNAME + 1];
	store_webauthn_t *keys = NULL;
	store_totp_t *totp = NULL;
	size_t nkeys = 0, ntotp = 0, factors = 0, found = 0;
	int r;

	if ((r = store_user_name(tx, c->user_id, user)) != SESAME_OK)
		return r;
	if (c->name != NULL) {
		if ((r = store_webauthn_rename(tx, c->user_id, c->id, c->name)) != SESAME_OK)
			return r;
		return audit_record(tx, c->now, user, c->service, c->rhost, PASSKEY_FACTOR, "ok",
				    "rename");
	}
	if ((r = store_webauthn_list(tx, c->user_id, &keys, &nkeys)) != SESAME_OK ||
	    (r = store_totp_list(tx, c->user_id, &totp, &ntotp)) != SESAME_OK)
		goto out;
	for (size_t i = 0; i < nkeys; i++)
		found |= keys[i].id == c->id;
	for (size_t i = 0; i < ntotp; i++)
		factors += totp[i].confirmed != 0;
	factors += nkeys;
	if (!found) {
		r = SESAME_ERR_NOT_FOUND;
		goto out;
	}
	if (c->d->cfg.web.require_mfa && factors <= 1) {
		r = audit_record(tx, c->now, user, c->service, c->rhost, PASSKEY_FACTOR, "denied",
				 "last_factor");
		if (r == SESAME_OK)
			r = SESAME_ERR_PERMISSION;
		goto out;
	}
	if ((r = store_webauthn_delete(tx, c->user_id, c->id)) != SESAME_OK)
		goto out;
	r = audit_record(tx, c->now, user, c->service, c->rhost, PASSKEY_FACTOR, "ok", "remove");
out:
	free(keys);
	store_totp_list_free(&totp, ntotp);
	return r;
}

int passkey_rename(authd_t *d, int64_t user_id, int64_t id, const char *name, const char *service,
		   const char *rhost, int64_t now)
{
	struct manage_ctx c = {d, user_id, id, now, name, service, rhost, 0};
	return store_run(d->store, manage_tx, &c);
}

/* The refusal must be audited, so it commits: the error is carried out. */
struct remove_outer {
	struct manage_ctx m;
	int verdict;
};

static int remove_tx(store_tx_t *tx, void *arg)
{
	struct remove_outer *o = arg;
	int r = manage_tx(tx, &o->m);

	o->verdict = r;
	return r == SESAME_ERR_PERMISSION ? SESAME_OK : r;
}

int passkey_remove(authd_t *d, int64_t user_id, int64_t id, const char *service, const char *rhost,
		   int64_t now)
{
	struct remove_outer o = {{d, user_id, id, now, NULL, service, rhost, 0}, SESAME_OK};
	int r = store_run(d->store, remove_tx, &o);

	return r == SESAME_OK ? o.verdict : r;
}

struct count_ctx {
	int64_t user_id;
	size_t n;
};

static int count_tx(store_tx_t *tx, void *arg)
{
	struct count_ctx *c = arg;
	store_webauthn_t *keys = NULL;
	int r = store_webauthn_list(tx, c->user_id, &keys, &c->n);

	free(keys);
	return r;
}

int passkey_count(authd_t *d, int64_t user_id, size_t *n)
{
	struct count_ctx c = {user_id, 0};
	int r = store_read(d->store, count_tx, &c);

	*n = c.n;
	return r;
}
