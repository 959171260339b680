/* clientDataJSON (WebAuthn §5.8.1): parsed as JSON, never compared with a
 * template (browsers add keys); type, challenge, origin, crossOrigin are
 * checked and the exact bytes are hashed. */
#include <jansson.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <string.h>

#include "sesame/base64url.h"
#include "sesame/error.h"
#include "webauthn_int.h"

int webauthn_sha256(const void *in, size_t len, unsigned char out[WEBAUTHN_SHA256_LEN])
{
	const EVP_MD *md = webauthn_sha256_md();
	unsigned int n = 0;

	if (md == NULL || EVP_Digest(in, len, out, &n, md, NULL) != 1 || n != WEBAUTHN_SHA256_LEN) {
		webauthn_debug("EVP_Digest");
		return SESAME_ERR_CRYPTO;
	}
	return SESAME_OK;
}

/* A member that must be a string; NULL otherwise. */
static const char *member_string(json_t *root, const char *key, size_t *len)
{
	json_t *v = json_object_get(root, key);

	if (!json_is_string(v))
		return NULL;
	*len = json_string_length(v);
	return json_string_value(v);
}

static bool origin_allowed(const webauthn_rp_t *rp, const char *origin, size_t len)
{
	for (size_t i = 0; i < rp->n_origins; i++)
		if (rp->origins[i] != NULL && strlen(rp->origins[i]) == len &&
		    memcmp(rp->origins[i], origin, len) == 0)
			return true;
	return false;
}

int webauthn_clientdata_verify(const unsigned char *buf, size_t len, const char *type,
			       const unsigned char *challenge, size_t challenge_len,
			       const webauthn_rp_t *rp, unsigned char hash[WEBAUTHN_SHA256_LEN],
			       const char **reason)
{
	unsigned char got[WEBAUTHN_MAX_CHALLENGE];
	json_t *root = NULL, *co;
	json_error_t jerr;
	const char *s;
	size_t slen = 0, gotlen = 0;
	int r;

	if (len > WEBAUTHN_MAX_CLIENT_DATA) {
		webauthn_debug("%zu bytes", len);
		return webauthn_fail(reason, WEBAUTHN_R_TOO_LARGE, SESAME_ERR_TOO_LARGE);
	}
	r = webauthn_fail(reason, WEBAUTHN_R_BAD_CLIENT_DATA, SESAME_ERR_INVALID_ARGUMENT);
	if (buf == NULL || len == 0 ||
	    (root = json_loadb((const char *)buf, len, JSON_REJECT_DUPLICATES, &jerr)) == NULL ||
	    !json_is_object(root)) {
		webauthn_debug("not a JSON object");
		goto fail;
	}
	/* the checks in the order of §7.1 steps 7-10 / §7.2 steps 11-14 */
	if ((s = member_string(root, "type", &slen)) == NULL) {
		webauthn_debug("type is not a string");
		goto fail;
	}
	if (slen != strlen(type) || memcmp(s, type, slen) != 0) {
		webauthn_debug("type is not %s", type);
		r = webauthn_fail(reason, WEBAUTHN_R_WRONG_TYPE, SESAME_ERR_PERMISSION);
		goto fail;
	}
	if ((s = member_string(root, "challenge", &slen)) == NULL) {
		webauthn_debug("challenge is not a string");
		goto fail;
	}
	if (base64url_decode(s, slen, got, sizeof(got), &gotlen) != SESAME_OK ||
	    gotlen != challenge_len || CRYPTO_memcmp(got, challenge, challenge_len) != 0) {
		webauthn_debug("challenge differs");
		r = webauthn_fail(reason, WEBAUTHN_R_WRONG_CHALLENGE, SESAME_ERR_PERMISSION);
		goto fail;
	}
	if ((s = member_string(root, "origin", &slen)) == NULL) {
		webauthn_debug("origin is not a string");
		goto fail;
	}
	if (slen > WEBAUTHN_MAX_ORIGIN || !origin_allowed(rp, s, slen)) {
		webauthn_debug("origin not allowed");
		r = webauthn_fail(reason, WEBAUTHN_R_WRONG_ORIGIN, SESAME_ERR_PERMISSION);
		goto fail;
	}
	if ((co = json_object_get(root, "crossOrigin")) != NULL) {
		if (!json_is_boolean(co)) {
			webauthn_debug("crossOrigin is not a boolean");
			goto fail;
		}
		if (json_is_true(co) && !rp->allow_cross_origin) {
			webauthn_debug("cross-origin ceremony not allowed");
			r = webauthn_fail(reason, WEBAUTHN_R_WRONG_ORIGIN, SESAME_ERR_PERMISSION);
			goto fail;
		}
	}
	if ((r = webauthn_sha256(buf, len, hash)) != SESAME_OK) {
		r = webauthn_fail(reason, WEBAUTHN_R_INTERNAL, r);
		goto fail;
	}
	*reason = WEBAUTHN_R_OK;
	r = SESAME_OK;
fail:
	OPENSSL_cleanse(got, sizeof(got));
	json_decref(root);
	return r;
}
