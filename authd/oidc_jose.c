/* JOSE signatures and keys for the OpenID Connect provider (oidc_jose.h). */
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/sha.h>
#include <openssl/x509.h>
#include <stdlib.h>
#include <string.h>

#include "oidc_jose.h"
#include "sesame/base64url.h"
#include "sesame/error.h"
#include "sesame/log.h"

#define JOSE_MAX_SIG 512 /* bytes of an RS256 (2048-bit), ES256 or EdDSA signature */

int oidc_jose_keygen(const char *alg, EVP_PKEY **out)
{
	*out = NULL;
	if (strcmp(alg, "RS256") == 0)
		*out = EVP_RSA_gen(2048);
	else if (strcmp(alg, "ES256") == 0)
		*out = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	else if (strcmp(alg, "EdDSA") == 0)
		*out = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	else
		return SESAME_ERR_INVALID_ARGUMENT;
	if (*out == NULL) {
		log_err("%s: key generation for %s failed", __func__, alg);
		return SESAME_ERR_CRYPTO;
	}
	return SESAME_OK;
}

int oidc_jose_key_der(EVP_PKEY *k, unsigned char **der, size_t *len)
{
	unsigned char *buf = NULL;
	int n = i2d_PrivateKey(k, &buf);

	if (n <= 0) {
		log_err("%s: i2d_PrivateKey", __func__);
		return SESAME_ERR_CRYPTO;
	}
	/* OpenSSL's memory: copied into ours so that the caller's free is free() */
	*der = malloc((size_t)n);
	if (*der != NULL)
		memcpy(*der, buf, (size_t)n);
	OPENSSL_clear_free(buf, (size_t)n);
	if (*der == NULL)
		return SESAME_ERR_NOMEM;
	*len = (size_t)n;
	return SESAME_OK;
}

int oidc_jose_key_from_der(const unsigned char *der, size_t len, EVP_PKEY **out)
{
	const unsigned char *p = der;

	*out = d2i_AutoPrivateKey(NULL, &p, (long)len);
	if (*out == NULL) {
		log_err("%s: d2i_AutoPrivateKey", __func__);
		return SESAME_ERR_CRYPTO;
	}
	return SESAME_OK;
}

/* A JSON string of the base64url of len bytes; NULL on failure. */
static json_t *b64_json(const unsigned char *b, size_t len)
{
	size_t n = base64url_encoded_len(len);
	char *t = malloc(n);
	json_t *j = NULL;

	if (t != NULL && base64url_encode(b, len, t, n) == SESAME_OK)
		j = json_string(t);
	free(t);
	return j;
}

static json_t *bn_json(EVP_PKEY *k, const char *name, size_t pad)
{
	BIGNUM *bn = NULL;
	unsigned char buf[512];
	int n;
	json_t *j = NULL;

	if (EVP_PKEY_get_bn_param(k, name, &bn) != 1)
		return NULL;
	if (pad == 0)
		pad = (size_t)BN_num_bytes(bn);
	if (pad <= sizeof(buf) && (n = BN_bn2binpad(bn, buf, (int)pad)) > 0)
		j = b64_json(buf, (size_t)n);
	BN_free(bn);
	return j;
}

int oidc_jose_public_jwk(EVP_PKEY *k, const char *alg, const char *kid, json_t **out)
{
	json_t *j = json_pack("{s:s, s:s, s:s}", "kid", kid, "alg", alg, "use", "sig");
	int ok = 0;

	*out = NULL;
	if (j == NULL)
		return SESAME_ERR_NOMEM;
	if (strcmp(alg, "RS256") == 0) {
		ok = json_object_set_new(j, "kty", json_string("RSA")) == 0 &&
		     json_object_set_new(j, "n", bn_json(k, OSSL_PKEY_PARAM_RSA_N, 0)) == 0 &&
		     json_object_set_new(j, "e", bn_json(k, OSSL_PKEY_PARAM_RSA_E, 0)) == 0;
	} else if (strcmp(alg, "ES256") == 0) {
		ok = json_object_set_new(j, "kty", json_string("EC")) == 0 &&
		     json_object_set_new(j, "crv", json_string("P-256")) == 0 &&
		     json_object_set_new(j, "x", bn_json(k, OSSL_PKEY_PARAM_EC_PUB_X, 32)) == 0 &&
		     json_object_set_new(j, "y", bn_json(k, OSSL_PKEY_PARAM_EC_PUB_Y, 32)) == 0;
	} else if (strcmp(alg, "EdDSA") == 0) {
		unsigned char raw[32];
		size_t len = sizeof(raw);
		ok = EVP_PKEY_get_raw_public_key(k, raw, &len) == 1 && len == 32 &&
		     json_object_set_new(j, "kty", json_string("OKP")) == 0 &&
		     json_object_set_new(j, "crv", json_string("Ed25519")) == 0 &&
		     json_object_set_new(j, "x", b64_json(raw, len)) == 0;
	}
	if (!ok) {
		log_err("%s: cannot export the %s public key", __func__, alg);
		json_decref(j);
		return SESAME_ERR_CRYPTO;
	}
	*out = j;
	return SESAME_OK;
}

/* ECDSA's DER signature as JWS wants it: R || S, 32 bytes each. */
static int ecdsa_raw(const unsigned char *der, size_t len, unsigned char *out, size_t *outlen)
{
	const unsigned char *p = der;
	ECDSA_SIG *s = d2i_ECDSA_SIG(NULL, &p, (long)len);
	const BIGNUM *r = NULL, *sv = NULL;
	int ok;

	if (s == NULL)
		return SESAME_ERR_CRYPTO;
	ECDSA_SIG_get0(s, &r, &sv);
	ok = BN_bn2binpad(r, out, 32) == 32 && BN_bn2binpad(sv, out + 32, 32) == 32;
	ECDSA_SIG_free(s);
	*outlen = 64;
	return ok ? SESAME_OK : SESAME_ERR_CRYPTO;
}

/* base64url(json) appended at out + *used (NUL-terminated). */
static int append_b64(char *out, size_t outsz, size_t *used, const unsigned char *b, size_t len)
{
	if (*used + base64url_encoded_len(len) > outsz ||
	    base64url_encode(b, len, out + *used, outsz - *used) != SESAME_OK)
		return SESAME_ERR_TOO_LARGE;
	*used += strlen(out + *used);
	return SESAME_OK;
}

int oidc_jose_sign(EVP_PKEY *k, const char *alg, const char *kid, const char *typ,
		   const json_t *claims, char **jwt)
{
	json_t *header = json_pack("{s:s, s:s, s:s}", "alg", alg, "typ", typ, "kid", kid);
	char *h = NULL, *c = NULL, *out = NULL;
	unsigned char sig[JOSE_MAX_SIG], raw[JOSE_MAX_SIG];
	size_t siglen = sizeof(sig), outsz, used = 0;
	EVP_MD_CTX *md = NULL;
	int ed = strcmp(alg, "EdDSA") == 0, r = SESAME_ERR_CRYPTO;

	*jwt = NULL;
	if (header == NULL || (h = json_dumps(header, JSON_COMPACT)) == NULL ||
	    (c = json_dumps(claims, JSON_COMPACT)) == NULL) {
		r = SESAME_ERR_NOMEM;
		goto fail;
	}
	outsz = base64url_encoded_len(strlen(h)) + base64url_encoded_len(strlen(c)) +
		base64url_encoded_len(JOSE_MAX_SIG) + 2;
	if ((out = malloc(outsz)) == NULL) {
		r = SESAME_ERR_NOMEM;
		goto fail;
	}
	if ((r = append_b64(out, outsz, &used, (const unsigned char *)h, strlen(h))) != SESAME_OK)
		goto fail;
	out[used++] = '.';
	if ((r = append_b64(out, outsz, &used, (const unsigned char *)c, strlen(c))) != SESAME_OK)
		goto fail;
	r = SESAME_ERR_CRYPTO;
	if ((md = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestSignInit(md, NULL, ed ? NULL : EVP_sha256(), NULL, k) != 1 ||
	    EVP_DigestSign(md, sig, &siglen, (const unsigned char *)out, used) != 1) {
		log_err("%s: %s signature failed", __func__, alg);
		goto fail;
	}
	if (strcmp(alg, "ES256") == 0) {
		size_t rl;
		if (ecdsa_raw(sig, siglen, raw, &rl) != SESAME_OK)
			goto fail;
		memcpy(sig, raw, rl);
		siglen = rl;
	}
	out[used++] = '.';
	if ((r = append_b64(out, outsz, &used, sig, siglen)) != SESAME_OK)
		goto fail;
	*jwt = out;
	out = NULL;
	r = SESAME_OK;
fail:
	EVP_MD_CTX_free(md);
	json_decref(header);
	free(h);
	free(c);
	free(out);
	return r;
}

int oidc_jose_half_hash(const char *alg, const char *token, char *out, size_t outsz)
{
	unsigned char d[SHA512_DIGEST_LENGTH];
	size_t half;

	if (strcmp(alg, "EdDSA") == 0) {
		SHA512((const unsigned char *)token, strlen(token), d);
		half = SHA512_DIGEST_LENGTH / 2;
	} else {
		SHA256((const unsigned char *)token, strlen(token), d);
		half = SHA256_DIGEST_LENGTH / 2;
	}
	return base64url_encode(d, half, out, outsz);
}
