/* COSE_Key (RFC 9052/9053) of a WebAuthn credential → EVP_PKEY: ES256
 * (EC2, P-256), EdDSA (OKP, Ed25519) and RS256 (RSA), with exact sizes and
 * points on their curves; and verification of the signatures these keys
 * make. */
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <pthread.h>
#include <string.h>

#include "sesame/error.h"
#include "webauthn_int.h"

#define COSE_LABEL_KTY 1
#define COSE_LABEL_ALG 3
#define COSE_KTY_OKP 1
#define COSE_KTY_EC2 2
#define COSE_KTY_RSA 3
#define COSE_CRV_P256 1
#define COSE_CRV_ED25519 6
#define COSE_MAX_NEG_LABELS 3 /* -1, -2, -3: crv/n, x/e, y */
#define ES256_COORD_LEN 32
#define EDDSA_KEY_LEN 32
#define RS256_MIN_N 256 /* 2048 bits */
#define RS256_MAX_N 512 /* 4096 bits */
#define RS256_MAX_E 4

/* The P-256 field prime: coordinates at or above it are not canonical
 * (OpenSSL would silently reduce them). */
static const unsigned char p256_p[ES256_COORD_LEN] = {
    0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff};

bool webauthn_alg_known(int64_t alg)
{
	return alg == WEBAUTHN_ALG_ES256 || alg == WEBAUTHN_ALG_EDDSA || alg == WEBAUTHN_ALG_RS256;
}

/* No EVP_PKEY_public_check here: for RSA it runs Miller-Rabin on n
 * (milliseconds, on a key from the network); rs256_pk checks the sizes. */
static EVP_PKEY *fromdata(const char *type, OSSL_PARAM *params)
{
	EVP_PKEY_CTX *ctx = NULL;
	EVP_PKEY *pkey = NULL;

	if ((ctx = EVP_PKEY_CTX_new_from_name(NULL, type, NULL)) == NULL ||
	    EVP_PKEY_fromdata_init(ctx) != 1 ||
	    EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_PUBLIC_KEY, params) != 1) {
		webauthn_debug("EVP_PKEY_fromdata %s", type);
		EVP_PKEY_free(pkey);
		pkey = NULL;
	}
	EVP_PKEY_CTX_free(ctx);
	ERR_clear_error();
	return pkey;
}

/* SHA-256, fetched once: an implicit fetch on every use costs µs. */
static pthread_once_t sha256_once = PTHREAD_ONCE_INIT;
static EVP_MD *sha256_md;

static void sha256_init(void)
{
	if ((sha256_md = EVP_MD_fetch(NULL, "SHA256", NULL)) == NULL)
		log_err_f("EVP_MD_fetch SHA256");
}

const EVP_MD *webauthn_sha256_md(void)
{
	if (pthread_once(&sha256_once, sha256_init) != 0)
		return NULL;
	return sha256_md;
}

/* P-256 domain parameters, built once: making the group costs more than a
 * third of a verification, duplicating it a tenth. Never freed. */
static pthread_once_t es256_once = PTHREAD_ONCE_INIT;
static EVP_PKEY *es256_template;

static void es256_template_init(void)
{
	OSSL_PARAM params[2];
	EVP_PKEY_CTX *ctx;

	params[0] =
	    OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, (char *)"prime256v1", 0);
	params[1] = OSSL_PARAM_construct_end();
	if ((ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL)) == NULL ||
	    EVP_PKEY_fromdata_init(ctx) != 1 ||
	    EVP_PKEY_fromdata(ctx, &es256_template, EVP_PKEY_KEY_PARAMETERS, params) != 1) {
		log_err_f("P-256 parameters");
		es256_template = NULL;
	}
	EVP_PKEY_CTX_free(ctx);
	ERR_clear_error();
}

static EVP_PKEY *es256_pk(const unsigned char *x, const unsigned char *y, unsigned char point[65])
{
	EVP_PKEY *pkey;

	if (memcmp(x, p256_p, ES256_COORD_LEN) >= 0 || memcmp(y, p256_p, ES256_COORD_LEN) >= 0) {
		webauthn_debug("coordinate not below p");
		return NULL;
	}
	point[0] = 0x04; /* SEC 1 uncompressed */
	memcpy(point + 1, x, ES256_COORD_LEN);
	memcpy(point + 1 + ES256_COORD_LEN, y, ES256_COORD_LEN);
	if (pthread_once(&es256_once, es256_template_init) != 0 || es256_template == NULL)
		return NULL;
	/* EC_POINT_oct2point refuses a point off the curve; 65 bytes cannot
	 * encode the point at infinity, and the coordinates are below p */
	if ((pkey = EVP_PKEY_dup(es256_template)) == NULL ||
	    EVP_PKEY_set1_encoded_public_key(pkey, point, 65) != 1) {
		webauthn_debug("P-256 public key");
		EVP_PKEY_free(pkey);
		pkey = NULL;
	}
	ERR_clear_error();
	return pkey;
}

/* Ed25519 (RFC 8032 5.1): the field prime p = 2^255 - 19 and the curve
 * constant d = -121665 / 121666 mod p, big-endian hex. */
#define ED25519_P "7fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffed"
#define ED25519_D "52036cee2b6ffe738cc740797779e89800700a4d4141d8ab75eb4dca135978a3"

/* Whether the 32 bytes decode as a point of Ed25519 (RFC 8032 5.1.3): y
 * (little-endian, bit 255 cleared) below p, x^2 = u / v = (y^2 - 1) /
 * (d y^2 + 1) a square mod p, and x = 0 only with a sign bit of 0.
 * OpenSSL keeps any 32 bytes as a key; one that is not a point could never
 * verify. u / v is a square exactly when u v = (u / v) v^2 is: no inverse,
 * and the Legendre symbol by BN_kronecker (binary, a few µs; Euler's
 * criterion by BN_mod_exp costs five times more on every assertion). */
static bool eddsa_on_curve(const unsigned char enc[EDDSA_KEY_LEN])
{
	BN_CTX *ctx = BN_CTX_new();
	BIGNUM *p = NULL, *d = NULL, *y, *y2, *u, *v;
	unsigned char ybytes[EDDSA_KEY_LEN];
	int sign = enc[EDDSA_KEY_LEN - 1] >> 7;
	bool ok = false;

	memcpy(ybytes, enc, EDDSA_KEY_LEN);
	ybytes[EDDSA_KEY_LEN - 1] &= 0x7f; /* the sign of x */
	if (ctx == NULL)
		goto fail;
	BN_CTX_start(ctx);
	y = BN_CTX_get(ctx);
	y2 = BN_CTX_get(ctx);
	u = BN_CTX_get(ctx);
	if ((v = BN_CTX_get(ctx)) == NULL || BN_hex2bn(&p, ED25519_P) == 0 ||
	    BN_hex2bn(&d, ED25519_D) == 0 || BN_lebin2bn(ybytes, EDDSA_KEY_LEN, y) == NULL) {
		webauthn_debug("BIGNUM");
		goto fail;
	}
	if (BN_cmp(y, p) >= 0) {
		webauthn_debug("Ed25519 y not below p");
		goto fail;
	}
	if (BN_mod_sqr(y2, y, p, ctx) != 1 || BN_mod_sub(u, y2, BN_value_one(), p, ctx) != 1 ||
	    BN_mod_mul(v, d, y2, p, ctx) != 1 || BN_mod_add(v, v, BN_value_one(), p, ctx) != 1 ||
	    BN_mod_mul(u, u, v, p, ctx) != 1) {
		webauthn_debug("BIGNUM");
		goto fail;
	}
	if (BN_is_zero(v)) { /* cannot happen: -1 / d is not a square */
		webauthn_debug("Ed25519 d y^2 + 1 = 0");
		goto fail;
	}
	if (BN_is_zero(u)) { /* y = 1 or -1: x = 0 */
		ok = sign == 0;
		if (!ok)
			webauthn_debug("Ed25519 x = 0 with sign bit 1");
		goto fail;
	}
	ok = BN_kronecker(u, p, ctx) == 1; /* -2: error */
	if (!ok)
		webauthn_debug("Ed25519 key is not a point");
fail:
	BN_free(p);
	BN_free(d);
	if (ctx != NULL)
		BN_CTX_end(ctx);
	BN_CTX_free(ctx);
	ERR_clear_error();
	return ok;
}

static EVP_PKEY *eddsa_pk(const unsigned char *x)
{
	EVP_PKEY *pkey;

	if (!eddsa_on_curve(x))
		return NULL;
	pkey = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, x, EDDSA_KEY_LEN);
	if (pkey == NULL) {
		webauthn_debug("EVP_PKEY_new_raw_public_key");
		ERR_clear_error();
	}
	return pkey;
}

static EVP_PKEY *rs256_pk(const unsigned char *n, size_t nlen, const unsigned char *e, size_t elen)
{
	OSSL_PARAM_BLD *bld = NULL;
	OSSL_PARAM *params = NULL;
	BIGNUM *bn = NULL, *be = NULL;
	EVP_PKEY *pkey = NULL;

	/* exact sizes: 2048..4096 bits, whole bytes, no leading zero; e odd, >= 3 */
	if (nlen < RS256_MIN_N || nlen > RS256_MAX_N || (n[0] & 0x80) == 0 ||
	    (n[nlen - 1] & 1) == 0 || elen == 0 || elen > RS256_MAX_E || e[0] == 0 ||
	    (e[elen - 1] & 1) == 0 || (elen == 1 && e[0] < 3)) {
		webauthn_debug("RSA sizes n=%zu e=%zu", nlen, elen);
		return NULL;
	}
	if ((bn = BN_bin2bn(n, (int)nlen, NULL)) == NULL ||
	    (be = BN_bin2bn(e, (int)elen, NULL)) == NULL || (bld = OSSL_PARAM_BLD_new()) == NULL ||
	    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, bn) != 1 ||
	    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, be) != 1 ||
	    (params = OSSL_PARAM_BLD_to_param(bld)) == NULL) {
		webauthn_debug("OSSL_PARAM_BLD");
		goto fail;
	}
	pkey = fromdata("RSA", params);
fail:
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	BN_free(bn);
	BN_free(be);
	ERR_clear_error();
	return pkey;
}

void webauthn_cose_clear(webauthn_cose_t *k)
{
	if (k == NULL)
		return;
	EVP_PKEY_free(k->pkey);
	memset(k, 0, sizeof(*k));
}

/* The labels of the map, each once; negative (key-type) labels other than
 * -1..-3 are refused: among them are the private parts (d, p, q, ...). */
struct cose_fields {
	bool has_kty, has_alg;
	int64_t kty, alg;
	const cbor_item_t *neg[COSE_MAX_NEG_LABELS + 1]; /* neg[1] is label -1 */
};

static int cose_fields(const cbor_item_t *map, struct cose_fields *f)
{
	struct cbor_pair *p = cbor_map_handle(map);
	size_t n = cbor_map_size(map);
	int64_t label;

	memset(f, 0, sizeof(*f));
	for (size_t i = 0; i < n; i++) {
		if (!webauthn_cbor_int(p[i].key, &label))
			return -1; /* text labels: none is defined for these key types */
		if (label == COSE_LABEL_KTY) {
			if (!webauthn_cbor_int(p[i].value, &f->kty))
				return -1;
			f->has_kty = true;
		} else if (label == COSE_LABEL_ALG) {
			if (!webauthn_cbor_int(p[i].value, &f->alg))
				return -1;
			f->has_alg = true;
		} else if (label < 0) {
			if (label < -COSE_MAX_NEG_LABELS)
				return -1;
			f->neg[-label] = p[i].value;
		}
		/* other positive labels (kid, key_ops, ...) carry no key material */
	}
	return f->has_kty && f->has_alg ? 0 : -1;
}

static bool int_is(const cbor_item_t *it, int64_t want)
{
	int64_t v;

	return it != NULL && webauthn_cbor_int(it, &v) && v == want;
}

static const unsigned char *bytes_of(const cbor_item_t *it, size_t want)
{
	const unsigned char *b;
	size_t n;

	if (it == NULL || (b = webauthn_cbor_bytes(it, &n)) == NULL || n != want)
		return NULL;
	return b;
}

int webauthn_cose_decode(const unsigned char *buf, size_t len, webauthn_cose_t *out,
			 const char **reason)
{
	cbor_item_t *map = NULL;
	struct cose_fields f;
	const unsigned char *x, *y, *n, *e;
	size_t nlen = 0, elen = 0;
	int r;

	memset(out, 0, sizeof(*out));
	if (buf == NULL || len == 0 || len > WEBAUTHN_MAX_COSE_KEY) {
		webauthn_debug("length %zu", len);
		return webauthn_fail(reason, WEBAUTHN_R_BAD_COSE_KEY, SESAME_ERR_INVALID_ARGUMENT);
	}
	if ((r = webauthn_cbor_load(buf, len, &map, reason)) != SESAME_OK)
		return r == SESAME_ERR_NOMEM ? r
					     : webauthn_fail(reason, WEBAUTHN_R_BAD_COSE_KEY, r);
	r = webauthn_fail(reason, WEBAUTHN_R_BAD_COSE_KEY, SESAME_ERR_INVALID_ARGUMENT);
	if (!webauthn_cbor_map_ok(map) || cose_fields(map, &f) != 0) {
		webauthn_debug("not a COSE_Key map");
		goto fail;
	}
	if (!webauthn_alg_known(f.alg)) {
		webauthn_debug("algorithm %lld", (long long)f.alg);
		r = webauthn_fail(reason, WEBAUTHN_R_UNSUPPORTED_ALG, SESAME_ERR_PERMISSION);
		goto fail;
	}
	switch (f.alg) {
	case WEBAUTHN_ALG_ES256:
		if (f.kty != COSE_KTY_EC2 || !int_is(f.neg[1], COSE_CRV_P256) ||
		    (x = bytes_of(f.neg[2], ES256_COORD_LEN)) == NULL ||
		    (y = bytes_of(f.neg[3], ES256_COORD_LEN)) == NULL) {
			webauthn_debug("ES256 key fields");
			goto fail;
		}
		out->pkey = es256_pk(x, y, out->ec_point);
		break;
	case WEBAUTHN_ALG_EDDSA:
		if (f.kty != COSE_KTY_OKP || !int_is(f.neg[1], COSE_CRV_ED25519) ||
		    (x = bytes_of(f.neg[2], EDDSA_KEY_LEN)) == NULL || f.neg[3] != NULL) {
			webauthn_debug("EdDSA key fields");
			goto fail;
		}
		out->pkey = eddsa_pk(x);
		break;
	default: /* RS256 */
		if (f.kty != COSE_KTY_RSA || f.neg[1] == NULL || f.neg[2] == NULL ||
		    f.neg[3] != NULL || (n = webauthn_cbor_bytes(f.neg[1], &nlen)) == NULL ||
		    (e = webauthn_cbor_bytes(f.neg[2], &elen)) == NULL) {
			webauthn_debug("RS256 key fields");
			goto fail;
		}
		out->pkey = rs256_pk(n, nlen, e, elen);
		break;
	}
	if (out->pkey == NULL)
		goto fail;
	out->alg = (int)f.alg;
	*reason = WEBAUTHN_R_OK;
	r = SESAME_OK;
fail:
	cbor_decref(&map);
	if (r != SESAME_OK)
		webauthn_cose_clear(out);
	return r;
}

int webauthn_sig_verify(EVP_PKEY *pkey, int alg, const unsigned char *msg, size_t msglen,
			const unsigned char *sig, size_t siglen, const char **reason)
{
	EVP_MD_CTX *ctx = NULL;
	const EVP_MD *md;
	int r, v;

	switch (alg) {
	case WEBAUTHN_ALG_ES256:
	case WEBAUTHN_ALG_RS256:
		if ((md = webauthn_sha256_md()) == NULL)
			return webauthn_fail(reason, WEBAUTHN_R_INTERNAL, SESAME_ERR_CRYPTO);
		break;
	case WEBAUTHN_ALG_EDDSA:
		md = NULL; /* Ed25519 hashes the message itself */
		break;
	default:
		return webauthn_fail(reason, WEBAUTHN_R_UNSUPPORTED_ALG, SESAME_ERR_PERMISSION);
	}
	if (sig == NULL || siglen == 0 || siglen > WEBAUTHN_MAX_SIGNATURE) {
		webauthn_debug("signature length %zu", siglen);
		return webauthn_fail(reason, WEBAUTHN_R_BAD_SIGNATURE, SESAME_ERR_PERMISSION);
	}
	if ((ctx = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestVerifyInit(ctx, NULL, md, NULL, pkey) != 1) {
		webauthn_debug("EVP_DigestVerifyInit");
		r = webauthn_fail(reason, WEBAUTHN_R_INTERNAL, SESAME_ERR_CRYPTO);
		goto fail;
	}
	/* ES256: OpenSSL accepts only the DER encoding of (r, s) */
	if ((v = EVP_DigestVerify(ctx, sig, siglen, msg, msglen)) != 1) {
		webauthn_debug("EVP_DigestVerify: %d", v);
		r = webauthn_fail(reason, WEBAUTHN_R_BAD_SIGNATURE, SESAME_ERR_PERMISSION);
		goto fail;
	}
	*reason = WEBAUTHN_R_OK;
	r = SESAME_OK;
fail:
	EVP_MD_CTX_free(ctx);
	ERR_clear_error();
	return r;
}

bool webauthn_pkey_fits_alg(EVP_PKEY *pkey, int alg)
{
	char group[32];

	if (pkey == NULL)
		return false;
	switch (alg) {
	case WEBAUTHN_ALG_ES256:
		return EVP_PKEY_is_a(pkey, "EC") &&
		       EVP_PKEY_get_utf8_string_param(pkey, OSSL_PKEY_PARAM_GROUP_NAME, group,
						      sizeof(group), NULL) == 1 &&
		       strcmp(group, "prime256v1") == 0;
	case WEBAUTHN_ALG_EDDSA:
		return EVP_PKEY_is_a(pkey, "ED25519");
	case WEBAUTHN_ALG_RS256:
		return EVP_PKEY_is_a(pkey, "RSA") && EVP_PKEY_get_bits(pkey) >= RS256_MIN_N * 8;
	default:
		return false;
	}
}
