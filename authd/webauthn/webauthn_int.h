/* Internals of authd/webauthn/ shared between its files; not for callers
 * outside the folder (they use webauthn.h). */
#ifndef AUTHD_WEBAUTHN_INT_H
#define AUTHD_WEBAUTHN_INT_H

#include <cbor.h>
#include <openssl/evp.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sesame/log.h"
#include "webauthn.h"

#define WEBAUTHN_CBOR_MAX_DEPTH 16 /* nesting of arrays, maps and tags */
#define WEBAUTHN_CBOR_MAX_MAP 32   /* pairs in any map we look into */
#define WEBAUTHN_AUTH_DATA_MIN 37  /* rpIdHash 32 | flags 1 | signCount 4 */
#define WEBAUTHN_SHA256_LEN 32
/* authData || clientDataHash, and the fido-u2f signature base, fit here */
#define WEBAUTHN_SIGNED_MAX (WEBAUTHN_MAX_AUTH_DATA + WEBAUTHN_SHA256_LEN)

/* One debug line per failure, named after the function. */
#define webauthn_debug(...) log_msg_f(LOG_DEBUG, __func__, __VA_ARGS__)

/* Sets *reason to why and returns err: every failure names its class. */
static inline int webauthn_fail(const char **reason, const char *why, int err)
{
	*reason = why;
	return err;
}

/* registration.c: the caller's RP parameters and challenge are usable. */
int webauthn_rp_params_ok(const webauthn_rp_t *rp, const unsigned char *challenge,
			  size_t challenge_len);

/* cbor_util.c: libcbor with the checks it does not make. */
int webauthn_cbor_item_len(const unsigned char *buf, size_t len, size_t *item_len);
int webauthn_cbor_load(const unsigned char *buf, size_t len, cbor_item_t **out,
		       const char **reason);
bool webauthn_cbor_is_text(const cbor_item_t *it, const char *s);
const unsigned char *webauthn_cbor_bytes(const cbor_item_t *it, size_t *len);
bool webauthn_cbor_int(const cbor_item_t *it, int64_t *v);
bool webauthn_cbor_map_ok(const cbor_item_t *it);

/* cose.c: COSE_Key → EVP_PKEY, and signature verification. */
typedef struct {
	int alg;
	EVP_PKEY *pkey;
	unsigned char ec_point[65]; /* ES256: 0x04 | x | y (fido-u2f signs it) */
} webauthn_cose_t;

int webauthn_cose_decode(const unsigned char *buf, size_t len, webauthn_cose_t *out,
			 const char **reason);
void webauthn_cose_clear(webauthn_cose_t *k);
bool webauthn_alg_known(int64_t alg);
/* pkey is of the type and size COSE alg signs with (ES256: P-256). */
bool webauthn_pkey_fits_alg(EVP_PKEY *pkey, int alg);
/* Verifies sig over msg with pkey for COSE alg (ES256: DER ECDSA over
 * SHA-256; EdDSA: Ed25519; RS256: PKCS#1 v1.5 SHA-256). */
int webauthn_sig_verify(EVP_PKEY *pkey, int alg, const unsigned char *msg, size_t msglen,
			const unsigned char *sig, size_t siglen, const char **reason);

/* authdata.c */
typedef struct {
	const unsigned char *rp_id_hash; /* 32 bytes; pointers into the input */
	unsigned flags;
	uint32_t sign_count;
	const unsigned char *aaguid; /* attested credential data (AT) */
	const unsigned char *cred_id;
	size_t cred_id_len;
	const unsigned char *cose_key;
	size_t cose_key_len;
	const unsigned char *ext; /* extensions map (ED) */
	size_t ext_len;
} webauthn_authdata_t;

/* attested: registration (AT required) or assertion (AT refused). */
int webauthn_authdata_parse(const unsigned char *buf, size_t len, bool attested,
			    webauthn_authdata_t *out, const char **reason);
/* rpIdHash, UP, UV when required, BE/BS consistency. */
int webauthn_authdata_check(const webauthn_authdata_t *ad, const webauthn_rp_t *rp,
			    const char **reason);

/* clientdata.c: parses and checks clientDataJSON and hashes it. */
int webauthn_clientdata_verify(const unsigned char *buf, size_t len, const char *type,
			       const unsigned char *challenge, size_t challenge_len,
			       const webauthn_rp_t *rp, unsigned char hash[WEBAUTHN_SHA256_LEN],
			       const char **reason);

int webauthn_sha256(const void *in, size_t len, unsigned char out[WEBAUTHN_SHA256_LEN]);
const EVP_MD *webauthn_sha256_md(void); /* cose.c: fetched once, never freed */

/* attestation.c: the attestation statement of fmt over authData. */
typedef struct {
	webauthn_fmt_t fmt;
	webauthn_att_type_t type;
	bool trusted;
} webauthn_att_result_t;

int webauthn_attestation_verify(const char *fmt, size_t fmt_len, const cbor_item_t *att_stmt,
				const unsigned char *auth_data, size_t auth_data_len,
				const webauthn_authdata_t *ad, const webauthn_cose_t *cred,
				const unsigned char client_data_hash[WEBAUTHN_SHA256_LEN],
				const webauthn_trust_t *trust, webauthn_att_result_t *out,
				const char **reason);

#endif
