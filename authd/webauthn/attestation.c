/* Attestation statements (WebAuthn §8): "none", "packed" (self and x5c)
 * and "fido-u2f"; the x5c chain is verified against configured anchors. */
#include <limits.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <stdlib.h>
#include <string.h>

#include "sesame/error.h"
#include "webauthn_int.h"

#define OID_FIDO_GEN_CE_AAGUID "1.3.6.1.4.1.45724.1.1.4"
#define ATT_SUBJECT_OU "Authenticator Attestation"
#define U2F_SIGNED_LEN(idlen) (1 + 2 * WEBAUTHN_SHA256_LEN + (idlen) + 65)

struct webauthn_trust {
	X509_STORE *store;
	size_t n;
};

int webauthn_trust_new(webauthn_trust_t **out)
{
	webauthn_trust_t *t;

	*out = NULL;
	if ((t = calloc(1, sizeof(*t))) == NULL)
		return SESAME_ERR_NOMEM;
	if ((t->store = X509_STORE_new()) == NULL ||
	    X509_STORE_set_flags(t->store, X509_V_FLAG_PARTIAL_CHAIN) != 1) {
		log_err_f("X509_STORE_new");
		webauthn_trust_free(&t);
		return SESAME_ERR_CRYPTO;
	}
	*out = t;
	return SESAME_OK;
}

void webauthn_trust_free(webauthn_trust_t **tp)
{
	if (tp == NULL || *tp == NULL)
		return;
	X509_STORE_free((*tp)->store);
	free(*tp);
	*tp = NULL;
}

int webauthn_trust_add_pem(webauthn_trust_t *t, const char *pem, size_t len)
{
	BIO *bio = NULL;
	X509 *x;
	size_t added = 0;
	unsigned long e;
	int ok = SESAME_ERR_INVALID_ARGUMENT;

	if (t == NULL || pem == NULL || len == 0 || len > INT_MAX)
		return SESAME_ERR_INVALID_ARGUMENT;
	ERR_clear_error();
	if ((bio = BIO_new_mem_buf(pem, (int)len)) == NULL)
		return SESAME_ERR_NOMEM;
	while ((x = PEM_read_bio_X509(bio, NULL, NULL, NULL)) != NULL) {
		int r = X509_STORE_add_cert(t->store, x);
		X509_free(x);
		if (r != 1) {
			log_err_f("X509_STORE_add_cert");
			goto fail;
		}
		added++;
	}
	/* the loop ends at the end of the buffer, or at a broken block */
	e = ERR_peek_last_error();
	if (added == 0 || (e != 0 && ERR_GET_REASON(e) != PEM_R_NO_START_LINE)) {
		log_err_f("no certificate, or a malformed one, in the PEM text");
		goto fail;
	}
	t->n += added;
	ok = SESAME_OK;
fail:
	ERR_clear_error();
	BIO_free(bio);
	return ok;
}

static int bad(const char **reason)
{
	return webauthn_fail(reason, WEBAUTHN_R_BAD_ATTESTATION, SESAME_ERR_PERMISSION);
}

/* attStmt's members: each known key once, nothing else. */
struct att_stmt {
	const cbor_item_t *alg, *sig, *x5c;
};

static int stmt_fields(const cbor_item_t *m, struct att_stmt *s, bool want_alg)
{
	struct cbor_pair *p = cbor_map_handle(m);

	memset(s, 0, sizeof(*s));
	for (size_t i = 0; i < cbor_map_size(m); i++) {
		if (want_alg && webauthn_cbor_is_text(p[i].key, "alg"))
			s->alg = p[i].value;
		else if (webauthn_cbor_is_text(p[i].key, "sig"))
			s->sig = p[i].value;
		else if (webauthn_cbor_is_text(p[i].key, "x5c"))
			s->x5c = p[i].value;
		else
			return -1; /* unknown member, or ecdaaKeyId (withdrawn) */
	}
	return s->sig != NULL && (!want_alg || s->alg != NULL) ? 0 : -1;
}

typedef struct {
	X509 *cert[WEBAUTHN_MAX_X5C];
	size_t n;
} x5c_t;

static void x5c_clear(x5c_t *c)
{
	for (size_t i = 0; i < c->n; i++)
		X509_free(c->cert[i]);
	c->n = 0;
}

/* A definite array of 1..WEBAUTHN_MAX_X5C DER certificates, each byte
 * string exactly one certificate. */
static int x5c_decode(const cbor_item_t *a, size_t max, x5c_t *c)
{
	cbor_item_t **items;
	size_t n;

	c->n = 0;
	if (!cbor_isa_array(a) || !cbor_array_is_definite(a) || (n = cbor_array_size(a)) == 0 ||
	    n > max)
		return -1;
	items = cbor_array_handle(a);
	for (size_t i = 0; i < n; i++) {
		const unsigned char *der, *p;
		size_t len;

		if ((der = webauthn_cbor_bytes(items[i], &len)) == NULL || len == 0 ||
		    len > LONG_MAX)
			return -1;
		p = der;
		if ((c->cert[c->n] = d2i_X509(NULL, &p, (long)len)) == NULL) {
			ERR_clear_error();
			return -1;
		}
		c->n++;
		if (p != der + len)
			return -1;
	}
	return 0;
}

static bool name_entry_is(X509_NAME *name, int nid, const char *want)
{
	int i = X509_NAME_get_index_by_NID(name, nid, -1);
	const ASN1_STRING *s;

	if (i < 0 || X509_NAME_get_index_by_NID(name, nid, i) >= 0)
		return false; /* absent, or more than one */
	if (want == NULL)
		return true;
	s = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, i));
	return s != NULL && (size_t)ASN1_STRING_length(s) == strlen(want) &&
	       memcmp(ASN1_STRING_get0_data(s), want, strlen(want)) == 0;
}

/* id-fido-gen-ce-aaguid: when present, not critical, an OCTET STRING of 16
 * bytes inside the extension's OCTET STRING, equal to authData's AAGUID. */
static int aaguid_ext_check(X509 *leaf, const unsigned char *aaguid)
{
	ASN1_OBJECT *obj = OBJ_txt2obj(OID_FIDO_GEN_CE_AAGUID, 1);
	ASN1_OCTET_STRING *inner = NULL;
	const ASN1_OCTET_STRING *outer;
	X509_EXTENSION *ext;
	const unsigned char *p;
	int i, ok = -1;

	if (obj == NULL)
		return -1;
	if ((i = X509_get_ext_by_OBJ(leaf, obj, -1)) < 0) {
		ok = 0;
		goto out;
	}
	if (X509_get_ext_by_OBJ(leaf, obj, i) >= 0 || (ext = X509_get_ext(leaf, i)) == NULL ||
	    X509_EXTENSION_get_critical(ext) || (outer = X509_EXTENSION_get_data(ext)) == NULL)
		goto out;
	p = ASN1_STRING_get0_data(outer);
	if ((inner = d2i_ASN1_OCTET_STRING(NULL, &p, ASN1_STRING_length(outer))) == NULL ||
	    p != ASN1_STRING_get0_data(outer) + ASN1_STRING_length(outer) ||
	    ASN1_STRING_length(inner) != WEBAUTHN_AAGUID_LEN ||
	    CRYPTO_memcmp(ASN1_STRING_get0_data(inner), aaguid, WEBAUTHN_AAGUID_LEN) != 0)
		goto out;
	ok = 0;
out:
	ASN1_OCTET_STRING_free(inner);
	ASN1_OBJECT_free(obj);
	ERR_clear_error();
	return ok;
}

/* §8.2.1 packed attestation statement certificate requirements. */
static int packed_cert_check(X509 *leaf, const unsigned char *aaguid)
{
	X509_NAME *subj = X509_get_subject_name(leaf);
	uint32_t xf = X509_get_extension_flags(leaf);

	if (X509_get_version(leaf) != X509_VERSION_3) {
		webauthn_debug("not an X.509 v3 certificate");
		return -1;
	}
	if (subj == NULL || !name_entry_is(subj, NID_countryName, NULL) ||
	    !name_entry_is(subj, NID_organizationName, NULL) ||
	    !name_entry_is(subj, NID_organizationalUnitName, ATT_SUBJECT_OU) ||
	    !name_entry_is(subj, NID_commonName, NULL)) {
		webauthn_debug("subject is not C, O, OU=" ATT_SUBJECT_OU ", CN");
		return -1;
	}
	if ((xf & EXFLAG_INVALID) || !(xf & EXFLAG_BCONS) || (xf & EXFLAG_CA)) {
		webauthn_debug("basicConstraints missing or CA");
		return -1;
	}
	if (aaguid_ext_check(leaf, aaguid) != 0) {
		webauthn_debug("AAGUID extension differs from authData");
		return -1;
	}
	return 0;
}

/* X509_verify_cert from the leaf through the rest of x5c to an anchor. */
static bool chain_trusted(const webauthn_trust_t *trust, const x5c_t *c)
{
	STACK_OF(X509) *untrusted = NULL;
	X509_STORE_CTX *ctx = NULL;
	bool ok = false;

	if (trust == NULL || trust->n == 0)
		return false;
	if ((untrusted = sk_X509_new_null()) == NULL || (ctx = X509_STORE_CTX_new()) == NULL)
		goto out;
	for (size_t i = 1; i < c->n; i++)
		if (sk_X509_push(untrusted, c->cert[i]) <= 0)
			goto out;
	if (X509_STORE_CTX_init(ctx, trust->store, c->cert[0], untrusted) != 1)
		goto out;
	if (X509_verify_cert(ctx) == 1)
		ok = true;
	else
		webauthn_debug("X509_verify_cert: %s",
			       X509_verify_cert_error_string(X509_STORE_CTX_get_error(ctx)));
out:
	X509_STORE_CTX_free(ctx);
	sk_X509_free(untrusted); /* the certificates stay owned by c */
	ERR_clear_error();
	return ok;
}

static int packed_verify(const cbor_item_t *stmt, const unsigned char *signed_buf,
			 size_t signed_len, const webauthn_authdata_t *ad,
			 const webauthn_cose_t *cred, const webauthn_trust_t *trust,
			 webauthn_att_result_t *out, const char **reason)
{
	struct att_stmt s;
	const unsigned char *sig;
	x5c_t c = {.n = 0};
	size_t siglen;
	int64_t alg;
	int r;

	if (stmt_fields(stmt, &s, true) != 0 || !webauthn_cbor_int(s.alg, &alg) ||
	    (sig = webauthn_cbor_bytes(s.sig, &siglen)) == NULL) {
		webauthn_debug("packed attStmt members");
		return bad(reason);
	}
	if (!webauthn_alg_known(alg)) {
		webauthn_debug("packed alg %lld", (long long)alg);
		return webauthn_fail(reason, WEBAUTHN_R_UNSUPPORTED_ALG, SESAME_ERR_PERMISSION);
	}
	if (s.x5c == NULL) { /* self attestation: the credential key signs */
		if (alg != cred->alg) {
			webauthn_debug("self attestation alg differs from the credential's");
			return bad(reason);
		}
		if ((r = webauthn_sig_verify(cred->pkey, cred->alg, signed_buf, signed_len, sig,
					     siglen, reason)) != SESAME_OK)
			return r;
		out->type = WEBAUTHN_ATT_TYPE_SELF;
		out->trusted = false;
		return SESAME_OK;
	}
	r = bad(reason);
	if (x5c_decode(s.x5c, WEBAUTHN_MAX_X5C, &c) != 0) {
		webauthn_debug("x5c");
		goto out;
	}
	if (!webauthn_pkey_fits_alg(X509_get0_pubkey(c.cert[0]), (int)alg)) {
		webauthn_debug("attestation key does not fit alg %lld", (long long)alg);
		goto out;
	}
	if (packed_cert_check(c.cert[0], ad->aaguid) != 0)
		goto out;
	if ((r = webauthn_sig_verify(X509_get0_pubkey(c.cert[0]), (int)alg, signed_buf, signed_len,
				     sig, siglen, reason)) != SESAME_OK)
		goto out;
	out->type = WEBAUTHN_ATT_TYPE_BASIC;
	out->trusted = chain_trusted(trust, &c);
	r = SESAME_OK;
out:
	x5c_clear(&c);
	return r;
}

static int u2f_verify(const cbor_item_t *stmt, const unsigned char client_data_hash[32],
		      const webauthn_authdata_t *ad, const webauthn_cose_t *cred,
		      const webauthn_trust_t *trust, webauthn_att_result_t *out,
		      const char **reason)
{
	unsigned char base[U2F_SIGNED_LEN(WEBAUTHN_MAX_CRED_ID)];
	struct att_stmt s;
	const unsigned char *sig;
	x5c_t c = {.n = 0};
	size_t siglen, off = 0;
	int r = bad(reason);

	if (stmt_fields(stmt, &s, false) != 0 || s.x5c == NULL ||
	    (sig = webauthn_cbor_bytes(s.sig, &siglen)) == NULL) {
		webauthn_debug("fido-u2f attStmt members");
		return r;
	}
	if (x5c_decode(s.x5c, 1, &c) != 0 ||
	    !webauthn_pkey_fits_alg(X509_get0_pubkey(c.cert[0]), WEBAUTHN_ALG_ES256)) {
		webauthn_debug("fido-u2f x5c: one P-256 certificate");
		goto out;
	}
	if (cred->alg != WEBAUTHN_ALG_ES256) {
		webauthn_debug("fido-u2f credential key is not ES256");
		goto out;
	}
	/* 0x00 | rpIdHash | clientDataHash | credentialId | 0x04 | x | y */
	base[off++] = 0x00;
	memcpy(base + off, ad->rp_id_hash, WEBAUTHN_SHA256_LEN);
	off += WEBAUTHN_SHA256_LEN;
	memcpy(base + off, client_data_hash, WEBAUTHN_SHA256_LEN);
	off += WEBAUTHN_SHA256_LEN;
	memcpy(base + off, ad->cred_id, ad->cred_id_len);
	off += ad->cred_id_len;
	memcpy(base + off, cred->ec_point, sizeof(cred->ec_point));
	off += sizeof(cred->ec_point);
	if ((r = webauthn_sig_verify(X509_get0_pubkey(c.cert[0]), WEBAUTHN_ALG_ES256, base, off,
				     sig, siglen, reason)) != SESAME_OK)
		goto out;
	out->type = WEBAUTHN_ATT_TYPE_BASIC;
	out->trusted = chain_trusted(trust, &c);
	r = SESAME_OK;
out:
	x5c_clear(&c);
	return r;
}

static bool fmt_is(const char *fmt, size_t len, const char *want)
{
	return len == strlen(want) && memcmp(fmt, want, len) == 0;
}

int webauthn_attestation_verify(const char *fmt, size_t fmt_len, const cbor_item_t *att_stmt,
				const unsigned char *auth_data, size_t auth_data_len,
				const webauthn_authdata_t *ad, const webauthn_cose_t *cred,
				const unsigned char client_data_hash[WEBAUTHN_SHA256_LEN],
				const webauthn_trust_t *trust, webauthn_att_result_t *out,
				const char **reason)
{
	unsigned char signed_buf[WEBAUTHN_SIGNED_MAX];
	int r;

	memset(out, 0, sizeof(*out));
	if (!webauthn_cbor_map_ok(att_stmt)) {
		webauthn_debug("attStmt is not a map");
		return bad(reason);
	}
	if (fmt_is(fmt, fmt_len, "none")) {
		if (cbor_map_size(att_stmt) != 0) {
			webauthn_debug("none with a non-empty attStmt");
			return bad(reason);
		}
		out->fmt = WEBAUTHN_FMT_NONE;
		out->type = WEBAUTHN_ATT_TYPE_NONE;
		*reason = WEBAUTHN_R_OK;
		return SESAME_OK;
	}
	if (fmt_is(fmt, fmt_len, "packed")) {
		if (auth_data_len > WEBAUTHN_MAX_AUTH_DATA)
			return webauthn_fail(reason, WEBAUTHN_R_TOO_LARGE, SESAME_ERR_TOO_LARGE);
		memcpy(signed_buf, auth_data, auth_data_len);
		memcpy(signed_buf + auth_data_len, client_data_hash, WEBAUTHN_SHA256_LEN);
		out->fmt = WEBAUTHN_FMT_PACKED;
		r = packed_verify(att_stmt, signed_buf, auth_data_len + WEBAUTHN_SHA256_LEN, ad,
				  cred, trust, out, reason);
	} else if (fmt_is(fmt, fmt_len, "fido-u2f")) {
		out->fmt = WEBAUTHN_FMT_FIDO_U2F;
		r = u2f_verify(att_stmt, client_data_hash, ad, cred, trust, out, reason);
	} else {
		webauthn_debug("unsupported attestation format");
		return bad(reason);
	}
	if (r == SESAME_OK)
		*reason = WEBAUTHN_R_OK;
	return r;
}
