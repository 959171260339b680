/* Unit tests for authd/webauthn/: the ceremonies captured from a real
 * Chromium (tests/webauthn/vectors/), the CBOR pre-scan, trust anchors,
 * the checks of the caller's parameters, and Ed25519 keys that are not
 * points. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h> /* after the four headers it needs */

#include <cbor.h>
#include <jansson.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sesame/base64url.h"
#include "sesame/error.h"
#include "webauthn/webauthn.h"
#include "webauthn/webauthn_int.h"

#ifndef WEBAUTHN_VECTOR_DIR
#error "WEBAUTHN_VECTOR_DIR must name tests/webauthn/vectors"
#endif

#define BUF_MAX 20000

typedef struct {
	unsigned char b[BUF_MAX];
	size_t n;
} buf_t;

typedef struct {
	json_t *root;
	const char *rp_id, *origin;
	buf_t reg_challenge, client_data, att_obj, cred_id, cose;
	buf_t get_challenge, get_client_data, auth_data, sig, user_handle, user_id;
	const char *fmt;
} vector_t;

static const char *jstr(json_t *root, const char *path)
{
	char copy[256], *save = NULL;
	json_t *v = root;

	snprintf(copy, sizeof(copy), "%s", path);
	for (char *k = strtok_r(copy, ".", &save); k != NULL; k = strtok_r(NULL, ".", &save))
		v = json_object_get(v, k);
	assert_non_null(json_string_value(v));
	return json_string_value(v);
}

static void b64(json_t *root, const char *path, buf_t *out)
{
	const char *s = jstr(root, path);
	assert_int_equal(base64url_decode(s, strlen(s), out->b, sizeof(out->b), &out->n),
			 SESAME_OK);
}

static void vector_load(const char *file, vector_t *v)
{
	char path[512];
	json_error_t err;

	memset(v, 0, sizeof(*v));
	snprintf(path, sizeof(path), "%s/%s", WEBAUTHN_VECTOR_DIR, file);
	v->root = json_load_file(path, 0, &err);
	assert_non_null(v->root);
	v->rp_id = jstr(v->root, "meta.rpId");
	v->origin = jstr(v->root, "meta.origin");
	v->fmt = jstr(v->root, "registration.result.fmt");
	b64(v->root, "registration.challenge", &v->reg_challenge);
	b64(v->root, "registration.response.clientDataJSON", &v->client_data);
	b64(v->root, "registration.response.attestationObject", &v->att_obj);
	b64(v->root, "registration.credentialId", &v->cred_id);
	b64(v->root, "registration.options.user.id", &v->user_id);
	b64(v->root, "credentialPublicKey.cose", &v->cose);
	b64(v->root, "assertion.challenge", &v->get_challenge);
	b64(v->root, "assertion.response.clientDataJSON", &v->get_client_data);
	b64(v->root, "assertion.response.authenticatorData", &v->auth_data);
	b64(v->root, "assertion.response.signature", &v->sig);
	b64(v->root, "assertion.response.userHandle", &v->user_handle);
}

static void reg_params(const vector_t *v, const char *const *origins, webauthn_reg_params_t *p)
{
	memset(p, 0, sizeof(*p));
	p->rp.rp_id = v->rp_id;
	p->rp.origins = origins;
	p->rp.n_origins = 1;
	p->rp.require_uv = true;
	p->challenge = v->reg_challenge.b;
	p->challenge_len = v->reg_challenge.n;
	p->policy = WEBAUTHN_ATT_POLICY_ANY;
}

static int reg(const webauthn_reg_params_t *p, const vector_t *v, webauthn_credential_t *c,
	       const char **reason)
{
	return webauthn_registration_verify(p, v->client_data.b, v->client_data.n, v->att_obj.b,
					    v->att_obj.n, c, reason);
}

/* The attestation certificate of the packed vector, as PEM: the test's
 * own reading of the attestation object (libcbor + OpenSSL). */
static char *x5c_pem(const vector_t *v)
{
	struct cbor_load_result res;
	cbor_item_t *root = cbor_load(v->att_obj.b, v->att_obj.n, &res), *stmt = NULL;
	struct cbor_pair *p;
	const unsigned char *der;
	X509 *x;
	BIO *bio = BIO_new(BIO_s_mem());
	char *data, *out;
	long n;

	assert_non_null(root);
	p = cbor_map_handle(root);
	for (size_t i = 0; i < cbor_map_size(root); i++)
		if (webauthn_cbor_is_text(p[i].key, "attStmt"))
			stmt = p[i].value;
	assert_non_null(stmt);
	p = cbor_map_handle(stmt);
	for (size_t i = 0; i < cbor_map_size(stmt); i++) {
		if (webauthn_cbor_is_text(p[i].key, "x5c")) {
			cbor_item_t *c0 = cbor_array_handle(p[i].value)[0];
			der = cbor_bytestring_handle(c0);
			x = d2i_X509(NULL, &der, (long)cbor_bytestring_length(c0));
			assert_non_null(x);
			assert_int_equal(PEM_write_bio_X509(bio, x), 1);
			X509_free(x);
		}
	}
	n = BIO_get_mem_data(bio, &data);
	assert_true(n > 0);
	out = calloc(1, (size_t)n + 1);
	memcpy(out, data, (size_t)n);
	BIO_free(bio);
	cbor_decref(&root);
	return out;
}

static void check_vector_registration(const vector_t *v, bool packed)
{
	const char *origins[] = {v->origin};
	static const unsigned char aaguid[16] = {1, 2, 3, 4, 5, 6, 7, 8, 1, 2, 3, 4, 5, 6, 7, 8};
	webauthn_reg_params_t p;
	webauthn_credential_t c;
	const char *reason = NULL;

	reg_params(v, origins, &p);
	assert_int_equal(reg(&p, v, &c, &reason), SESAME_OK);
	assert_string_equal(reason, "ok");
	assert_string_equal(webauthn_fmt_name(c.fmt), v->fmt);
	assert_string_equal(webauthn_att_type_name(c.att_type), packed ? "basic" : "none");
	assert_false(c.att_trusted);
	assert_int_equal(c.alg, WEBAUTHN_ALG_ES256);
	assert_int_equal(c.sign_count, 1);
	assert_memory_equal(c.aaguid, aaguid, 16);
	assert_int_equal(c.flags, WEBAUTHN_FLAG_UP | WEBAUTHN_FLAG_UV);
	assert_int_equal(c.id_len, v->cred_id.n);
	assert_memory_equal(c.id, v->cred_id.b, c.id_len);
	assert_int_equal(c.cose_key_len, v->cose.n);
	assert_memory_equal(c.cose_key, v->cose.b, c.cose_key_len);

	/* the same ceremony, refused for each thing the RP expects otherwise */
	{
		const char *other[] = {"http://localhost:1"};
		webauthn_reg_params_t q = p;
		q.rp.origins = other;
		assert_int_equal(reg(&q, v, &c, &reason), SESAME_ERR_PERMISSION);
		assert_string_equal(reason, "wrong_origin");
		q = p;
		q.rp.rp_id = "example.org";
		assert_int_equal(reg(&q, v, &c, &reason), SESAME_ERR_PERMISSION);
		assert_string_equal(reason, "wrong_rp_id");
		q = p;
		q.challenge = v->get_challenge.b;
		assert_int_equal(reg(&q, v, &c, &reason), SESAME_ERR_PERMISSION);
		assert_string_equal(reason, "wrong_challenge");
		q = p;
		q.algs = (const int[]){WEBAUTHN_ALG_EDDSA};
		q.n_algs = 1;
		assert_int_equal(reg(&q, v, &c, &reason), SESAME_ERR_PERMISSION);
		assert_string_equal(reason, "unsupported_algorithm");
		q = p;
		q.policy = WEBAUTHN_ATT_POLICY_TRUSTED;
		assert_int_equal(reg(&q, v, &c, &reason), SESAME_ERR_PERMISSION);
		assert_string_equal(reason, "untrusted_attestation");
	}
}

static void check_vector_assertion(const vector_t *v)
{
	const char *origins[] = {v->origin};
	webauthn_assert_params_t p;
	webauthn_assertion_t a;
	webauthn_assert_result_t r;
	const char *reason = NULL;

	memset(&p, 0, sizeof(p));
	p.rp.rp_id = v->rp_id;
	p.rp.origins = origins;
	p.rp.n_origins = 1;
	p.rp.require_uv = true;
	p.challenge = v->get_challenge.b;
	p.challenge_len = v->get_challenge.n;
	p.cose_key = v->cose.b;
	p.cose_key_len = v->cose.n;
	p.stored_sign_count = 1; /* what registration returned */
	p.user_handle = v->user_id.b;
	p.user_handle_len = v->user_id.n;
	a = (webauthn_assertion_t){v->get_client_data.b,
				   v->get_client_data.n,
				   v->auth_data.b,
				   v->auth_data.n,
				   v->sig.b,
				   v->sig.n,
				   v->user_handle.b,
				   v->user_handle.n};
	assert_int_equal(webauthn_assertion_verify(&p, &a, &r, &reason), SESAME_OK);
	assert_string_equal(reason, "ok");
	assert_int_equal(r.sign_count, 2);
	assert_int_equal(r.flags, WEBAUTHN_FLAG_UP | WEBAUTHN_FLAG_UV);

	p.stored_sign_count = 2; /* replayed, or a clone */
	assert_int_equal(webauthn_assertion_verify(&p, &a, &r, &reason), SESAME_ERR_PERMISSION);
	assert_string_equal(reason, "sign_count_regression");
	assert_int_equal(r.sign_count, 2);
	p.stored_sign_count = 1;

	p.challenge = v->reg_challenge.b;
	assert_int_equal(webauthn_assertion_verify(&p, &a, &r, &reason), SESAME_ERR_PERMISSION);
	assert_string_equal(reason, "wrong_challenge");
	p.challenge = v->get_challenge.b;

	/* the registration's clientDataJSON is not an assertion's */
	a.client_data = v->client_data.b;
	a.client_data_len = v->client_data.n;
	assert_int_equal(webauthn_assertion_verify(&p, &a, &r, &reason), SESAME_ERR_PERMISSION);
	assert_string_equal(reason, "wrong_type");
	a.client_data = v->get_client_data.b;
	a.client_data_len = v->get_client_data.n;

	a.sig_len--; /* a truncated DER signature */
	assert_int_equal(webauthn_assertion_verify(&p, &a, &r, &reason), SESAME_ERR_PERMISSION);
	assert_string_equal(reason, "bad_signature");
	a.sig_len++;

	p.user_handle = (const unsigned char *)"someone-else";
	p.user_handle_len = 12;
	assert_int_equal(webauthn_assertion_verify(&p, &a, &r, &reason), SESAME_ERR_PERMISSION);
	assert_string_equal(reason, "wrong_user_handle");
}

static void test_vector_none(void **state)
{
	vector_t *v = malloc(sizeof(*v));

	(void)state;
	vector_load("chromium-none.json", v);
	assert_string_equal(v->fmt, "none");
	check_vector_registration(v, false);
	check_vector_assertion(v);
	json_decref(v->root);
	free(v);
}

static void test_vector_packed(void **state)
{
	vector_t *v = malloc(sizeof(*v));
	const char *origins[1];
	webauthn_reg_params_t p;
	webauthn_credential_t c;
	webauthn_trust_t *t = NULL;
	const char *reason = NULL;
	char *pem;

	(void)state;
	vector_load("chromium-packed.json", v);
	assert_string_equal(v->fmt, "packed");
	check_vector_registration(v, true);
	check_vector_assertion(v);

	/* with its own certificate as the anchor, the attestation is trusted */
	origins[0] = v->origin;
	pem = x5c_pem(v);
	assert_int_equal(webauthn_trust_new(&t), SESAME_OK);
	assert_int_equal(webauthn_trust_add_pem(t, pem, strlen(pem)), SESAME_OK);
	reg_params(v, origins, &p);
	p.trust = t;
	p.policy = WEBAUTHN_ATT_POLICY_TRUSTED;
	assert_int_equal(reg(&p, v, &c, &reason), SESAME_OK);
	assert_string_equal(webauthn_att_type_name(c.att_type), "basic");
	assert_true(c.att_trusted);
	p.policy = WEBAUTHN_ATT_POLICY_ANY;
	assert_int_equal(reg(&p, v, &c, &reason), SESAME_OK);
	assert_true(c.att_trusted);
	webauthn_trust_free(&t);
	assert_null(t);
	free(pem);
	json_decref(v->root);
	free(v);
}

static void test_cbor_scan(void **state)
{
	static const struct {
		const char *hex;
		int ok;
		size_t len;
	} cases[] = {
	    {"00", 1, 1},
	    {"1bffffffffffffffff", 1, 9},
	    {"3bffffffffffffffff", 1, 9}, /* accepted by the scan; no int64 for it */
	    {"a26161016162820203", 1, 9},
	    {"a1616101ff", 1, 4}, /* item, then a trailing byte */
	    {"5f4101ff", 0, 0},	  /* indefinite bytes */
	    {"9f01ff", 0, 0},	  /* indefinite array */
	    {"bf616101ff", 0, 0}, /* indefinite map */
	    {"ff", 0, 0},	  /* break alone */
	    {"1c", 0, 0},	  /* reserved additional information */
	    {"f810", 0, 0},	  /* simple value below 32 in two bytes */
	    {"5affffffff00", 0, 0},
	    {"9affffffff", 0, 0},
	    {"bb00000000ffffffff", 0, 0},
	    {"820102", 1, 3},
	    {"8201", 0, 0},   /* truncated */
	    {"c24101", 1, 3}, /* a tag */
	    {"", 0, 0},
	};
	unsigned char b[64];
	size_t n, len;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		n = strlen(cases[i].hex) / 2;
		for (size_t j = 0; j < n; j++)
			sscanf(cases[i].hex + 2 * j, "%2hhx", &b[j]);
		len = 0;
		if (cases[i].ok) {
			assert_int_equal(webauthn_cbor_item_len(b, n, &len), SESAME_OK);
			assert_int_equal(len, cases[i].len);
		} else {
			assert_int_not_equal(webauthn_cbor_item_len(b, n, &len), SESAME_OK);
		}
	}
	/* nesting: 16 levels pass, 17 do not */
	memset(b, 0x81, sizeof(b));
	b[16] = 0x00;
	assert_int_equal(webauthn_cbor_item_len(b, 17, &len), SESAME_OK);
	b[16] = 0x81;
	b[17] = 0x00;
	assert_int_not_equal(webauthn_cbor_item_len(b, 18, &len), SESAME_OK);
}

static void test_trust_pem(void **state)
{
	webauthn_trust_t *t = NULL;
	static const char junk[] = "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n";

	(void)state;
	assert_int_equal(webauthn_trust_new(&t), SESAME_OK);
	assert_int_equal(webauthn_trust_add_pem(t, "hello", 5), SESAME_ERR_INVALID_ARGUMENT);
	assert_int_equal(webauthn_trust_add_pem(t, junk, strlen(junk)),
			 SESAME_ERR_INVALID_ARGUMENT);
	assert_int_equal(webauthn_trust_add_pem(t, NULL, 0), SESAME_ERR_INVALID_ARGUMENT);
	webauthn_trust_free(&t);
	webauthn_trust_free(&t); /* NULL is fine */
	webauthn_trust_free(NULL);
}

static void test_parameters(void **state)
{
	static const unsigned char ch[32];
	const char *origins[] = {"https://example.org"};
	webauthn_reg_params_t p;
	webauthn_credential_t c;
	webauthn_assert_params_t ap;
	webauthn_assertion_t a;
	webauthn_assert_result_t r;
	const char *reason = NULL;

	(void)state;
	memset(&p, 0, sizeof(p));
	p.rp = (webauthn_rp_t){"example.org", origins, 1, false, true};
	p.challenge = ch;
	p.challenge_len = 15; /* below WEBAUTHN_MIN_CHALLENGE */
	assert_int_equal(webauthn_registration_verify(&p, ch, 1, ch, 1, &c, &reason),
			 SESAME_ERR_INVALID_ARGUMENT);
	assert_string_equal(reason, "invalid_parameters");
	p.challenge_len = 32;
	p.rp.n_origins = 0;
	assert_int_equal(webauthn_registration_verify(&p, ch, 1, ch, 1, &c, &reason),
			 SESAME_ERR_INVALID_ARGUMENT);
	p.rp.n_origins = 1;
	assert_int_equal(webauthn_registration_verify(&p, ch, 1, ch, 1, NULL, &reason),
			 SESAME_ERR_INVALID_ARGUMENT);
	assert_int_equal(webauthn_registration_verify(&p, ch, 4097, ch, 1, &c, &reason),
			 SESAME_ERR_TOO_LARGE);
	assert_string_equal(reason, "too_large");
	assert_int_equal(webauthn_registration_verify(&p, NULL, 0, ch, 1, &c, NULL),
			 SESAME_ERR_INVALID_ARGUMENT); /* reason may be NULL */

	memset(&ap, 0, sizeof(ap));
	memset(&a, 0, sizeof(a));
	ap.rp = p.rp;
	ap.challenge = ch;
	ap.challenge_len = 32;
	assert_int_equal(webauthn_assertion_verify(&ap, &a, &r, &reason),
			 SESAME_ERR_INVALID_ARGUMENT); /* no stored key */
	ap.cose_key = ch;
	ap.cose_key_len = 1;
	a.user_handle_len = WEBAUTHN_MAX_USER_HANDLE + 1;
	assert_int_equal(webauthn_assertion_verify(&ap, &a, &r, &reason), SESAME_ERR_TOO_LARGE);
	a.user_handle_len = 0;
	assert_int_equal(webauthn_assertion_verify(&ap, &a, &r, &reason),
			 SESAME_ERR_INVALID_ARGUMENT);
	assert_string_equal(reason, "bad_cose_key");
	assert_int_equal(webauthn_assertion_verify(NULL, &a, &r, &reason),
			 SESAME_ERR_INVALID_ARGUMENT);
	assert_string_equal(webauthn_fmt_name(WEBAUTHN_FMT_FIDO_U2F), "fido-u2f");
	assert_string_equal(webauthn_att_type_name(WEBAUTHN_ATT_TYPE_SELF), "self");
}

/* A COSE_Key of alg EdDSA, crv Ed25519 and the 32 bytes enc. */
static size_t eddsa_cose(const unsigned char enc[32], unsigned char *out, size_t outsz)
{
	cbor_item_t *map = cbor_new_definite_map(4);
	size_t n;

	assert_non_null(map);
	assert_true(cbor_map_add(map, (struct cbor_pair){cbor_move(cbor_build_uint8(1)),
							 cbor_move(cbor_build_uint8(1))}));
	assert_true(cbor_map_add(map, (struct cbor_pair){cbor_move(cbor_build_uint8(3)),
							 cbor_move(cbor_build_negint8(7))}));
	assert_true(cbor_map_add(map, (struct cbor_pair){cbor_move(cbor_build_negint8(0)),
							 cbor_move(cbor_build_uint8(6))}));
	assert_true(
	    cbor_map_add(map, (struct cbor_pair){cbor_move(cbor_build_negint8(1)),
						 cbor_move(cbor_build_bytestring(enc, 32))}));
	n = cbor_serialize(map, out, outsz);
	assert_true(n > 0);
	cbor_decref(&map);
	return n;
}

static int eddsa_decode(const unsigned char enc[32], const char **reason)
{
	unsigned char buf[128];
	size_t n = eddsa_cose(enc, buf, sizeof(buf));
	webauthn_cose_t k;
	int r = webauthn_cose_decode(buf, n, &k, reason);

	if (r == SESAME_OK)
		assert_true(webauthn_pkey_fits_alg(k.pkey, WEBAUTHN_ALG_EDDSA));
	webauthn_cose_clear(&k);
	return r;
}

/* An Ed25519 key must decode as a point (RFC 8032 5.1.3): OpenSSL keeps any
 * 32 bytes, and such a key could never verify. The y values were chosen
 * with a one-off pure-Python script (Python integers, p = 2^255 - 19,
 * d = -121665/121666): y = 2, 7 and p - 2 give an x^2 = (y^2 - 1) /
 * (d y^2 + 1) that is not a square mod p, by Euler's criterion and by RFC
 * 8032's square-root recovery alike; y = 3 gives a square; y = 1 and
 * p - 1 give x = 0, whose sign bit must be 0. */
static void test_eddsa_points(void **state)
{
	static const struct {
		const char *y; /* little-endian hex, 32 bytes, sign bit included */
		int ok;
	} cases[] = {
	    {"0200000000000000000000000000000000000000000000000000000000000000", 0}, /* y = 2 */
	    {"0200000000000000000000000000000000000000000000000000000000000080",
	     0}, /* either sign */
	    {"0700000000000000000000000000000000000000000000000000000000000000", 0}, /* y = 7 */
	    {"ebffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f", 0}, /* p - 2 */
	    {"0300000000000000000000000000000000000000000000000000000000000000", 1}, /* y = 3 */
	    {"0300000000000000000000000000000000000000000000000000000000000080", 1},
	    {"0100000000000000000000000000000000000000000000000000000000000000", 1}, /* x = 0 */
	    {"0100000000000000000000000000000000000000000000000000000000000080",
	     0}, /* x = 0, sign 1 */
	    {"ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f", 1}, /* y = p - 1 */
	    {"ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff", 0}, /* sign 1 */
	    {"edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f", 0}, /* y = p */
	    {"eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f", 0}, /* p + 1 */
	};
	const char *reason = NULL;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		unsigned char enc[32];
		for (size_t j = 0; j < 32; j++)
			assert_int_equal(sscanf(cases[i].y + 2 * j, "%2hhx", &enc[j]), 1);
		reason = NULL;
		if (cases[i].ok) {
			assert_int_equal(eddsa_decode(enc, &reason), SESAME_OK);
			assert_string_equal(reason, "ok");
		} else {
			assert_int_equal(eddsa_decode(enc, &reason), SESAME_ERR_INVALID_ARGUMENT);
			assert_string_equal(reason, "bad_cose_key");
		}
	}
	/* keys OpenSSL makes: both signs of x, every one a point */
	for (int i = 0; i < 200; i++) {
		EVP_PKEY *pk = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
		unsigned char enc[32];
		size_t len = sizeof(enc);

		assert_non_null(pk);
		assert_int_equal(EVP_PKEY_get_raw_public_key(pk, enc, &len), 1);
		assert_int_equal(len, 32);
		EVP_PKEY_free(pk);
		assert_int_equal(eddsa_decode(enc, &reason), SESAME_OK);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_vector_none), cmocka_unit_test(test_vector_packed),
	    cmocka_unit_test(test_cbor_scan),	cmocka_unit_test(test_trust_pem),
	    cmocka_unit_test(test_parameters),	cmocka_unit_test(test_eddsa_points),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
