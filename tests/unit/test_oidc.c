/* Unit tests for the OpenID Connect provider's pure parts: [oidc] parsing
 * and its URI rule (authd/oidc_config.c), and JOSE (authd/oidc_jose.c):
 * signatures of each algorithm checked here by OpenSSL from the public JWK
 * alone, a changed byte refused, the DER round trip, at_hash. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h> /* after the four headers it needs */

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <stdlib.h>
#include <string.h>

#include "oidc_config.h"
#include "oidc_jose.h"
#include "sesame/base64url.h"
#include "sesame/error.h"

static void test_uri_rule(void **state)
{
	(void)state;
	assert_true(oidc_uri_ok("https://mas.example.org/upstream/callback/01", 0));
	assert_true(oidc_uri_ok("http://localhost:8080/cb", 0));
	assert_true(oidc_uri_ok("http://127.0.0.1/cb?x=1", 0));
	assert_true(oidc_uri_ok("http://[::1]:9/cb", 0));
	assert_false(oidc_uri_ok("http://example.org/cb", 0));
	assert_true(oidc_uri_ok("http://example.org/cb", 1));
	assert_false(oidc_uri_ok("http://localhost.evil.example/cb", 0));
	assert_false(oidc_uri_ok("http://localhost@evil.example/cb", 0));
	assert_false(oidc_uri_ok("https://example.org/cb#frag", 0));
	assert_false(oidc_uri_ok("https://exa mple.org/", 0));
	assert_false(oidc_uri_ok("javascript:alert(1)", 0));
	assert_false(oidc_uri_ok("https:///cb", 0));
	assert_false(oidc_uri_ok("", 0));
}

static void test_config(void **state)
{
	oidc_config_t o;
	char err[256], issuer[OIDC_MAX_ISSUER + 1];

	(void)state;
	oidc_config_defaults(&o);
	assert_int_equal(oidc_config_apply(&o, "oidc", "enabled", "yes"), 0);
	assert_int_equal(oidc_config_apply(&o, "oidc", "issuer", "https://auth.example.org/"), 0);
	assert_int_equal(oidc_config_apply(&o, "oidc", "algorithms", "ES256, EdDSA"), 0);
	assert_int_equal(oidc_config_apply(&o, "oidc", "algorithms", "HS256"), -1);
	assert_int_equal(oidc_config_apply(&o, "oidc", "code_ttl", "5"), -1);
	assert_int_equal(oidc_config_apply(&o, "oidc", "colour", "blue"), -2);
	assert_int_equal(
	    oidc_config_apply(&o, "oidc.client.app", "redirect_uri", "https://app.example.org/cb"),
	    0);
	assert_int_equal(
	    oidc_config_apply(&o, "oidc.client.app", "redirect_uri", "http://app.example.org/cb"),
	    -1);
	assert_int_equal(oidc_config_apply(&o, "oidc.client.app", "secret_sha256", "abc"), -1);
	assert_int_equal(oidc_config_apply(&o, "oidc.client.bad id", "require", "totp"), -2);
	oidc_config_issuer(&o, NULL, issuer);
	assert_string_equal(issuer, "https://auth.example.org");
	assert_int_equal(oidc_config_algorithms(&o),
			 OIDC_ALG_RS256 | OIDC_ALG_ES256 | OIDC_ALG_EDDSA);
	/* a confidential client without its secret's hash */
	assert_int_equal(oidc_config_validate(&o, NULL, err, sizeof(err)), SESAME_ERR_CONFIG);
	assert_non_null(strstr(err, "secret_sha256"));
	assert_int_equal(
	    oidc_config_apply(&o, "oidc.client.app", "secret_sha256",
			      "2bb80d537b1da3e38bd30361aa855686bde0eacd7162fef6a25fe97bf527a25b"),
	    0);
	assert_int_equal(oidc_config_validate(&o, NULL, err, sizeof(err)), SESAME_OK);
	/* plain http only for a loopback issuer */
	assert_int_equal(oidc_config_apply(&o, "oidc", "issuer", "http://auth.example.org"), 0);
	assert_int_equal(oidc_config_validate(&o, NULL, err, sizeof(err)), SESAME_ERR_CONFIG);
	assert_int_equal(oidc_config_apply(&o, "oidc", "issuer", "http://localhost:8443"), 0);
	assert_int_equal(oidc_config_validate(&o, NULL, err, sizeof(err)), SESAME_OK);
}

static size_t b64d(const char *s, size_t n, unsigned char *out, size_t outsz)
{
	size_t len = 0;
	assert_int_equal(base64url_decode(s, n, out, outsz, &len), SESAME_OK);
	return len;
}

static BIGNUM *jwk_bn(json_t *jwk, const char *k)
{
	unsigned char buf[512];
	const char *v = json_string_value(json_object_get(jwk, k));
	assert_non_null(v);
	size_t n = b64d(v, strlen(v), buf, sizeof(buf));
	return BN_bin2bn(buf, (int)n, NULL);
}

/* The public key of a JWK, built by OpenSSL from its members only. */
static EVP_PKEY *from_jwk(json_t *jwk)
{
	const char *kty = json_string_value(json_object_get(jwk, "kty"));
	EVP_PKEY *pk = NULL;

	if (strcmp(kty, "OKP") == 0) {
		unsigned char x[32];
		const char *v = json_string_value(json_object_get(jwk, "x"));
		assert_int_equal(b64d(v, strlen(v), x, sizeof(x)), 32);
		return EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, x, 32);
	}
	OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
	EVP_PKEY_CTX *ctx =
	    EVP_PKEY_CTX_new_from_name(NULL, strcmp(kty, "RSA") == 0 ? "RSA" : "EC", NULL);
	BIGNUM *a, *b;
	unsigned char pub[65];
	if (strcmp(kty, "RSA") == 0) {
		a = jwk_bn(jwk, "n");
		b = jwk_bn(jwk, "e");
		OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, a);
		OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, b);
	} else {
		a = jwk_bn(jwk, "x");
		b = jwk_bn(jwk, "y");
		pub[0] = 4;
		assert_int_equal(BN_bn2binpad(a, pub + 1, 32), 32);
		assert_int_equal(BN_bn2binpad(b, pub + 33, 32), 32);
		OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, "P-256", 0);
		OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, pub, sizeof(pub));
	}
	OSSL_PARAM *params = OSSL_PARAM_BLD_to_param(bld);
	assert_int_equal(EVP_PKEY_fromdata_init(ctx), 1);
	assert_int_equal(EVP_PKEY_fromdata(ctx, &pk, EVP_PKEY_PUBLIC_KEY, params), 1);
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	EVP_PKEY_CTX_free(ctx);
	BN_free(a);
	BN_free(b);
	return pk;
}

static int verify(EVP_PKEY *pub, const char *alg, const char *jwt)
{
	const char *dot = strrchr(jwt, '.');
	unsigned char sig[512], der[128];
	size_t n = b64d(dot + 1, strlen(dot + 1), sig, sizeof(sig));
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	int ok;

	if (strcmp(alg, "ES256") == 0) { /* R || S back to DER for OpenSSL */
		ECDSA_SIG *s = ECDSA_SIG_new();
		unsigned char *p = der;
		assert_int_equal(n, 64);
		ECDSA_SIG_set0(s, BN_bin2bn(sig, 32, NULL), BN_bin2bn(sig + 32, 32, NULL));
		n = (size_t)i2d_ECDSA_SIG(s, &p);
		memcpy(sig, der, n);
		ECDSA_SIG_free(s);
	}
	ok = EVP_DigestVerifyInit(md, NULL, strcmp(alg, "EdDSA") == 0 ? NULL : EVP_sha256(), NULL,
				  pub) == 1 &&
	     EVP_DigestVerify(md, sig, n, (const unsigned char *)jwt, (size_t)(dot - jwt)) == 1;
	EVP_MD_CTX_free(md);
	return ok;
}

static void test_jose(void **state)
{
	static const char *const algs[] = {"RS256", "ES256", "EdDSA"};

	(void)state;
	for (size_t i = 0; i < 3; i++) {
		EVP_PKEY *k = NULL, *again = NULL, *pub;
		json_t *jwk = NULL, *claims = json_pack("{s:s, s:i}", "sub", "alice", "iat", 1);
		unsigned char *der = NULL;
		size_t len = 0;
		char *jwt = NULL, *jwt2 = NULL;

		assert_int_equal(oidc_jose_keygen(algs[i], &k), SESAME_OK);
		assert_int_equal(oidc_jose_public_jwk(k, algs[i], "kid1", &jwk), SESAME_OK);
		assert_null(json_object_get(jwk, "d")); /* public members only */
		assert_int_equal(oidc_jose_sign(k, algs[i], "kid1", "JWT", claims, &jwt),
				 SESAME_OK);
		pub = from_jwk(jwk);
		assert_true(verify(pub, algs[i], jwt));
		/* one changed byte of the claims */
		char *p = strchr(jwt, '.') + 3;
		*p = *p == 'A' ? 'B' : 'A';
		assert_false(verify(pub, algs[i], jwt));
		/* the sealed form's round trip signs the same way */
		assert_int_equal(oidc_jose_key_der(k, &der, &len), SESAME_OK);
		assert_int_equal(oidc_jose_key_from_der(der, len, &again), SESAME_OK);
		assert_int_equal(oidc_jose_sign(again, algs[i], "kid1", "JWT", claims, &jwt2),
				 SESAME_OK);
		assert_true(verify(pub, algs[i], jwt2));
		free(der);
		free(jwt);
		free(jwt2);
		json_decref(jwk);
		json_decref(claims);
		EVP_PKEY_free(pub);
		EVP_PKEY_free(k);
		EVP_PKEY_free(again);
	}
	assert_int_equal(oidc_jose_keygen("HS256", &(EVP_PKEY *){NULL}),
			 SESAME_ERR_INVALID_ARGUMENT);
}

static void test_half_hash(void **state)
{
	char out[64];

	(void)state;
	/* the left half of SHA-256 (SHA-512 for EdDSA), base64url; the values
	 * computed with Python's hashlib */
	assert_int_equal(oidc_jose_half_hash("RS256", "jHkWEdUXMU1BwAsC4vtUsZwnNqTepXXVXDVVZ8uB",
					     out, sizeof(out)),
			 SESAME_OK);
	assert_string_equal(out, "uej6PHPVDUsdiEopTJA9dw");
	assert_int_equal(oidc_jose_half_hash("EdDSA", "jHkWEdUXMU1BwAsC4vtUsZwnNqTepXXVXDVVZ8uB",
					     out, sizeof(out)),
			 SESAME_OK);
	assert_string_equal(out, "6jfG5Yvk3VPZdAK0RYTYT9AxajcZMwZr31w2THZ20WE");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_uri_rule),
	    cmocka_unit_test(test_config),
	    cmocka_unit_test(test_jose),
	    cmocka_unit_test(test_half_hash),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
