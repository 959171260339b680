/* Authentication ceremony (WebAuthn §7.2): an assertion checked against
 * the stored credential, in the order of the specification's steps. */
#include <openssl/crypto.h>
#include <string.h>

#include "sesame/error.h"
#include "webauthn_int.h"

int webauthn_assertion_verify(const webauthn_assert_params_t *p, const webauthn_assertion_t *a,
			      webauthn_assert_result_t *out, const char **reason)
{
	unsigned char signed_buf[WEBAUTHN_SIGNED_MAX];
	unsigned char cdh[WEBAUTHN_SHA256_LEN];
	const char *unused;
	webauthn_cose_t key;
	webauthn_authdata_t ad;
	int r;

	if (reason == NULL)
		reason = &unused;
	memset(&key, 0, sizeof(key));
	if (out != NULL)
		memset(out, 0, sizeof(*out));
	if (p == NULL || a == NULL || out == NULL ||
	    webauthn_rp_params_ok(&p->rp, p->challenge, p->challenge_len) != 0 ||
	    p->cose_key == NULL || (p->user_handle != NULL && p->user_handle_len == 0)) {
		webauthn_debug("parameters");
		return webauthn_fail(reason, WEBAUTHN_R_INVALID_PARAMS,
				     SESAME_ERR_INVALID_ARGUMENT);
	}
	if (a->client_data_len > WEBAUTHN_MAX_CLIENT_DATA ||
	    a->auth_data_len > WEBAUTHN_MAX_AUTH_DATA || a->sig_len > WEBAUTHN_MAX_SIGNATURE ||
	    a->user_handle_len > WEBAUTHN_MAX_USER_HANDLE) {
		webauthn_debug("an input is above its bound");
		return webauthn_fail(reason, WEBAUTHN_R_TOO_LARGE, SESAME_ERR_TOO_LARGE);
	}
	/* step 6: the response's userHandle, when both sides have one, is the
	 * stored user's (the caller found the credential and the user) */
	if (p->user_handle != NULL && a->user_handle != NULL &&
	    (a->user_handle_len != p->user_handle_len ||
	     CRYPTO_memcmp(a->user_handle, p->user_handle, p->user_handle_len) != 0)) {
		webauthn_debug("userHandle is not the stored user's");
		return webauthn_fail(reason, WEBAUTHN_R_WRONG_USER_HANDLE, SESAME_ERR_PERMISSION);
	}
	/* step 7: the stored credential public key */
	if ((r = webauthn_cose_decode(p->cose_key, p->cose_key_len, &key, reason)) != SESAME_OK)
		return r;
	/* steps 9-14 and 20: clientDataJSON and its hash */
	if ((r = webauthn_clientdata_verify(a->client_data, a->client_data_len, "webauthn.get",
					    p->challenge, p->challenge_len, &p->rp, cdh, reason)) !=
	    SESAME_OK)
		goto fail;
	/* steps 15-19: authenticatorData */
	if ((r = webauthn_authdata_parse(a->auth_data, a->auth_data_len, false, &ad, reason)) !=
	    SESAME_OK)
		goto fail;
	if ((r = webauthn_authdata_check(&ad, &p->rp, reason)) != SESAME_OK)
		goto fail;
	/* step 21: the signature over authenticatorData || hash */
	memcpy(signed_buf, a->auth_data, a->auth_data_len);
	memcpy(signed_buf + a->auth_data_len, cdh, sizeof(cdh));
	if ((r = webauthn_sig_verify(key.pkey, key.alg, signed_buf, a->auth_data_len + sizeof(cdh),
				     a->sig, a->sig_len, reason)) != SESAME_OK)
		goto fail;
	out->sign_count = ad.sign_count;
	out->flags =
	    ad.flags & (WEBAUTHN_FLAG_UP | WEBAUTHN_FLAG_UV | WEBAUTHN_FLAG_BE | WEBAUTHN_FLAG_BS);
	/* step 22: a count that does not grow, once either side counts, may
	 * mean a cloned authenticator; *out stays filled for the caller */
	if ((ad.sign_count != 0 || p->stored_sign_count != 0) &&
	    ad.sign_count <= p->stored_sign_count) {
		webauthn_debug("signCount %u, stored %u", (unsigned)ad.sign_count,
			       (unsigned)p->stored_sign_count);
		r = webauthn_fail(reason, WEBAUTHN_R_SIGN_COUNT, SESAME_ERR_PERMISSION);
		goto fail;
	}
	*reason = WEBAUTHN_R_OK;
	r = SESAME_OK;
fail:
	webauthn_cose_clear(&key);
	return r;
}
