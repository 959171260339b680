/* Registration ceremony (WebAuthn §7.1): clientDataJSON, the attestation
 * object, authenticatorData, the credential key and the attestation
 * statement, checked in the order of the specification's steps. */
#include <string.h>

#include "sesame/error.h"
#include "webauthn_int.h"

static const int default_algs[] = {WEBAUTHN_ALG_ES256, WEBAUTHN_ALG_EDDSA, WEBAUTHN_ALG_RS256};

const char *webauthn_fmt_name(webauthn_fmt_t fmt)
{
	switch (fmt) {
	case WEBAUTHN_FMT_PACKED:
		return "packed";
	case WEBAUTHN_FMT_FIDO_U2F:
		return "fido-u2f";
	default:
		return "none";
	}
}

const char *webauthn_att_type_name(webauthn_att_type_t t)
{
	switch (t) {
	case WEBAUTHN_ATT_TYPE_SELF:
		return "self";
	case WEBAUTHN_ATT_TYPE_BASIC:
		return "basic";
	default:
		return "none";
	}
}

/* Shared by both ceremonies: the caller's own parameters. */
int webauthn_rp_params_ok(const webauthn_rp_t *rp, const unsigned char *challenge,
			  size_t challenge_len)
{
	if (rp->rp_id == NULL || rp->rp_id[0] == '\0' || rp->origins == NULL ||
	    rp->n_origins == 0 || challenge == NULL || challenge_len < WEBAUTHN_MIN_CHALLENGE ||
	    challenge_len > WEBAUTHN_MAX_CHALLENGE)
		return -1;
	return 0;
}

static bool alg_allowed(const webauthn_reg_params_t *p, int alg)
{
	const int *algs = p->algs != NULL ? p->algs : default_algs;
	size_t n = p->algs != NULL ? p->n_algs : sizeof(default_algs) / sizeof(default_algs[0]);

	for (size_t i = 0; i < n; i++)
		if (algs[i] == alg)
			return true;
	return false;
}

/* The attestation object: a definite map of exactly fmt (text), attStmt
 * (map) and authData (bytes). */
typedef struct {
	const char *fmt;
	size_t fmt_len;
	const cbor_item_t *att_stmt;
	const unsigned char *auth_data;
	size_t auth_data_len;
} att_obj_t;

static int att_obj_fields(const cbor_item_t *m, att_obj_t *o)
{
	struct cbor_pair *p;

	memset(o, 0, sizeof(*o));
	if (!webauthn_cbor_map_ok(m) || cbor_map_size(m) != 3)
		return -1;
	p = cbor_map_handle(m);
	for (size_t i = 0; i < 3; i++) {
		const cbor_item_t *v = p[i].value;
		if (webauthn_cbor_is_text(p[i].key, "fmt")) {
			if (!cbor_isa_string(v) || !cbor_string_is_definite(v))
				return -1;
			o->fmt_len = cbor_string_length(v);
			o->fmt = o->fmt_len ? (const char *)cbor_string_handle(v) : "";
		} else if (webauthn_cbor_is_text(p[i].key, "attStmt")) {
			if (!cbor_isa_map(v) || !cbor_map_is_definite(v))
				return -1;
			o->att_stmt = v;
		} else if (webauthn_cbor_is_text(p[i].key, "authData")) {
			if ((o->auth_data = webauthn_cbor_bytes(v, &o->auth_data_len)) == NULL)
				return -1;
		} else {
			return -1;
		}
	}
	return o->fmt != NULL && o->att_stmt != NULL && o->auth_data != NULL ? 0 : -1;
}

int webauthn_registration_verify(const webauthn_reg_params_t *p, const unsigned char *client_data,
				 size_t client_data_len, const unsigned char *att_obj,
				 size_t att_obj_len, webauthn_credential_t *out,
				 const char **reason)
{
	unsigned char cdh[WEBAUTHN_SHA256_LEN];
	const char *unused;
	cbor_item_t *root = NULL;
	webauthn_cose_t cred;
	webauthn_authdata_t ad;
	webauthn_att_result_t att;
	att_obj_t o;
	int r;

	if (reason == NULL)
		reason = &unused;
	memset(&cred, 0, sizeof(cred));
	if (out != NULL)
		memset(out, 0, sizeof(*out));
	if (p == NULL || out == NULL ||
	    webauthn_rp_params_ok(&p->rp, p->challenge, p->challenge_len) != 0 ||
	    (p->algs != NULL && p->n_algs == 0) ||
	    (p->policy != WEBAUTHN_ATT_POLICY_ANY && p->policy != WEBAUTHN_ATT_POLICY_TRUSTED)) {
		webauthn_debug("parameters");
		return webauthn_fail(reason, WEBAUTHN_R_INVALID_PARAMS,
				     SESAME_ERR_INVALID_ARGUMENT);
	}
	if (client_data_len > WEBAUTHN_MAX_CLIENT_DATA || att_obj_len > WEBAUTHN_MAX_ATT_OBJECT) {
		webauthn_debug("clientDataJSON %zu, attestationObject %zu bytes", client_data_len,
			       att_obj_len);
		return webauthn_fail(reason, WEBAUTHN_R_TOO_LARGE, SESAME_ERR_TOO_LARGE);
	}
	/* steps 5-11: clientDataJSON and its hash */
	if ((r = webauthn_clientdata_verify(client_data, client_data_len, "webauthn.create",
					    p->challenge, p->challenge_len, &p->rp, cdh, reason)) !=
	    SESAME_OK)
		return r;
	/* step 12: the attestation object */
	if ((r = webauthn_cbor_load(att_obj, att_obj_len, &root, reason)) != SESAME_OK)
		return r;
	if (att_obj_fields(root, &o) != 0) {
		webauthn_debug("attestationObject is not {fmt, attStmt, authData}");
		r = webauthn_fail(reason, WEBAUTHN_R_BAD_CBOR, SESAME_ERR_INVALID_ARGUMENT);
		goto fail;
	}
	if ((r = webauthn_authdata_parse(o.auth_data, o.auth_data_len, true, &ad, reason)) !=
	    SESAME_OK)
		goto fail;
	/* steps 13-16: rpIdHash, UP, UV; BE/BS were checked by the parser */
	if ((r = webauthn_authdata_check(&ad, &p->rp, reason)) != SESAME_OK)
		goto fail;
	/* step 17: the credential public key and its algorithm */
	if ((r = webauthn_cose_decode(ad.cose_key, ad.cose_key_len, &cred, reason)) != SESAME_OK)
		goto fail;
	if (!alg_allowed(p, cred.alg)) {
		webauthn_debug("algorithm %d not allowed", cred.alg);
		r = webauthn_fail(reason, WEBAUTHN_R_UNSUPPORTED_ALG, SESAME_ERR_PERMISSION);
		goto fail;
	}
	/* step 18: extensions were parsed by webauthn_authdata_parse; none is
	 * acted upon. Steps 19-21: the attestation statement. */
	if ((r = webauthn_attestation_verify(o.fmt, o.fmt_len, o.att_stmt, o.auth_data,
					     o.auth_data_len, &ad, &cred, cdh, p->trust, &att,
					     reason)) != SESAME_OK)
		goto fail;
	/* step 22: trustworthiness under the configured policy */
	if (p->policy == WEBAUTHN_ATT_POLICY_TRUSTED &&
	    !(att.type == WEBAUTHN_ATT_TYPE_BASIC && att.trusted)) {
		webauthn_debug("attestation %s is not trusted", webauthn_att_type_name(att.type));
		r = webauthn_fail(reason, WEBAUTHN_R_UNTRUSTED_ATTESTATION, SESAME_ERR_PERMISSION);
		goto fail;
	}
	/* step 23 (id length) was checked by the parser; step 24 (id not yet
	 * registered) and storing the record are the caller's */
	memcpy(out->id, ad.cred_id, ad.cred_id_len);
	out->id_len = ad.cred_id_len;
	memcpy(out->cose_key, ad.cose_key, ad.cose_key_len);
	out->cose_key_len = ad.cose_key_len;
	out->alg = cred.alg;
	out->sign_count = ad.sign_count;
	memcpy(out->aaguid, ad.aaguid, WEBAUTHN_AAGUID_LEN);
	out->flags =
	    ad.flags & (WEBAUTHN_FLAG_UP | WEBAUTHN_FLAG_UV | WEBAUTHN_FLAG_BE | WEBAUTHN_FLAG_BS);
	out->fmt = att.fmt;
	out->att_type = att.type;
	out->att_trusted = att.trusted;
	*reason = WEBAUTHN_R_OK;
	r = SESAME_OK;
fail:
	webauthn_cose_clear(&cred);
	cbor_decref(&root);
	return r;
}
