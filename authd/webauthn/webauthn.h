/* WebAuthn relying-party verification (W3C WebAuthn Level 2/3, §7.1
 * registration and §7.2 assertion), independent of HTTP, JSON transport
 * and the store: the caller decodes base64url, owns challenges (single
 * use, expiry), looks credentials up and stores the record we return. */
#ifndef AUTHD_WEBAUTHN_H
#define AUTHD_WEBAUTHN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Bounds on untrusted input, checked before anything is parsed. */
#define WEBAUTHN_MAX_CLIENT_DATA 4096 /* clientDataJSON, bytes */
#define WEBAUTHN_MAX_ATT_OBJECT 16384 /* attestationObject (x5c chains), bytes */
#define WEBAUTHN_MAX_AUTH_DATA 2048   /* authenticatorData, bytes */
#define WEBAUTHN_MAX_SIGNATURE 1024   /* assertion signature, bytes */
#define WEBAUTHN_MAX_CRED_ID 1023     /* credential id (Level 3 §7.1 step 23) */
#define WEBAUTHN_MAX_COSE_KEY 1024    /* COSE_Key: RSA-4096 needs about 530 */
#define WEBAUTHN_MIN_CHALLENGE 16     /* expected challenge, bytes (spec: at least 16) */
#define WEBAUTHN_MAX_CHALLENGE 64     /* expected challenge, bytes */
#define WEBAUTHN_MAX_USER_HANDLE 64   /* user.id (spec maximum) */
#define WEBAUTHN_MAX_X5C 4	      /* certificates in an attestation x5c */
#define WEBAUTHN_MAX_ORIGIN 256	      /* an origin string, bytes */
#define WEBAUTHN_AAGUID_LEN 16
#define WEBAUTHN_RP_ID_HASH_LEN 32

/* COSE algorithm identifiers (IANA "COSE Algorithms"). */
enum { WEBAUTHN_ALG_ES256 = -7, WEBAUTHN_ALG_EDDSA = -8, WEBAUTHN_ALG_RS256 = -257 };

/* authenticatorData flags (bit values as in the flags byte). */
#define WEBAUTHN_FLAG_UP 0x01u
#define WEBAUTHN_FLAG_UV 0x04u
#define WEBAUTHN_FLAG_BE 0x08u
#define WEBAUTHN_FLAG_BS 0x10u
#define WEBAUTHN_FLAG_AT 0x40u
#define WEBAUTHN_FLAG_ED 0x80u

/* Stable reason strings, one per failure class ("ok" on success). */
#define WEBAUTHN_R_OK "ok"
#define WEBAUTHN_R_BAD_CLIENT_DATA "bad_client_data"
#define WEBAUTHN_R_WRONG_TYPE "wrong_type"
#define WEBAUTHN_R_WRONG_CHALLENGE "wrong_challenge"
#define WEBAUTHN_R_WRONG_ORIGIN "wrong_origin"
#define WEBAUTHN_R_WRONG_RP_ID "wrong_rp_id"
#define WEBAUTHN_R_USER_NOT_PRESENT "user_not_present"
#define WEBAUTHN_R_USER_NOT_VERIFIED "user_not_verified"
#define WEBAUTHN_R_BAD_CBOR "bad_cbor"
#define WEBAUTHN_R_BAD_AUTH_DATA "bad_auth_data"
#define WEBAUTHN_R_BAD_COSE_KEY "bad_cose_key"
#define WEBAUTHN_R_UNSUPPORTED_ALG "unsupported_algorithm"
#define WEBAUTHN_R_BAD_ATTESTATION "bad_attestation"
#define WEBAUTHN_R_UNTRUSTED_ATTESTATION "untrusted_attestation"
#define WEBAUTHN_R_BAD_SIGNATURE "bad_signature"
#define WEBAUTHN_R_SIGN_COUNT "sign_count_regression"
#define WEBAUTHN_R_TRAILING_BYTES "trailing_bytes"
#define WEBAUTHN_R_TOO_LARGE "too_large"
#define WEBAUTHN_R_WRONG_USER_HANDLE "wrong_user_handle"
#define WEBAUTHN_R_INVALID_PARAMS "invalid_parameters" /* the caller's parameters */
#define WEBAUTHN_R_INTERNAL "internal"		       /* out of memory, OpenSSL failure */

typedef enum {
	WEBAUTHN_FMT_NONE,
	WEBAUTHN_FMT_PACKED,
	WEBAUTHN_FMT_FIDO_U2F,
} webauthn_fmt_t;

typedef enum {
	WEBAUTHN_ATT_TYPE_NONE,	 /* fmt none: nothing is attested */
	WEBAUTHN_ATT_TYPE_SELF,	 /* packed without x5c: signed by the credential key */
	WEBAUTHN_ATT_TYPE_BASIC, /* x5c: see att_trusted for the chain */
} webauthn_att_type_t;

typedef enum {
	WEBAUTHN_ATT_POLICY_ANY,     /* none, self and untrusted basic are accepted */
	WEBAUTHN_ATT_POLICY_TRUSTED, /* only basic whose chain ends at a trust anchor */
} webauthn_att_policy_t;

/* Attestation trust anchors (an X509_STORE). */
typedef struct webauthn_trust webauthn_trust_t;

/* The relying party, common to both ceremonies. origins are compared
 * byte for byte ("https://example.org", no trailing slash). */
typedef struct {
	const char *rp_id;
	const char *const *origins;
	size_t n_origins;
	bool allow_cross_origin; /* accept clientData crossOrigin: true */
	bool require_uv;
} webauthn_rp_t;

typedef struct {
	webauthn_rp_t rp;
	const unsigned char *challenge; /* the one issued for this ceremony */
	size_t challenge_len;
	const int *algs; /* allowed COSE algorithms; NULL: ES256, EdDSA, RS256 */
	size_t n_algs;
	webauthn_att_policy_t policy;
	const webauthn_trust_t *trust; /* may be NULL (then basic is untrusted) */
} webauthn_reg_params_t;

/* What registration yields, for the store. No secret in it. */
typedef struct {
	unsigned char id[WEBAUTHN_MAX_CRED_ID];
	size_t id_len;
	unsigned char cose_key[WEBAUTHN_MAX_COSE_KEY]; /* as received */
	size_t cose_key_len;
	int alg;
	uint32_t sign_count;
	unsigned char aaguid[WEBAUTHN_AAGUID_LEN];
	unsigned flags; /* WEBAUTHN_FLAG_UP | _UV | _BE | _BS as received */
	webauthn_fmt_t fmt;
	webauthn_att_type_t att_type;
	bool att_trusted; /* basic attestation chained to a configured anchor */
} webauthn_credential_t;

typedef struct {
	webauthn_rp_t rp;
	const unsigned char *challenge;
	size_t challenge_len;
	const unsigned char *cose_key; /* the stored credential */
	size_t cose_key_len;
	uint32_t stored_sign_count;
	const unsigned char *user_handle; /* the stored user's id; NULL: not compared */
	size_t user_handle_len;
} webauthn_assert_params_t;

/* The browser's AuthenticatorAssertionResponse, base64url-decoded. */
typedef struct {
	const unsigned char *client_data;
	size_t client_data_len;
	const unsigned char *auth_data;
	size_t auth_data_len;
	const unsigned char *sig;
	size_t sig_len;
	const unsigned char *user_handle; /* may be NULL */
	size_t user_handle_len;
} webauthn_assertion_t;

typedef struct {
	uint32_t sign_count; /* the new count, to store */
	unsigned flags;	     /* WEBAUTHN_FLAG_UP | _UV | _BE | _BS as received */
} webauthn_assert_result_t;

/* Trust anchors: _new() gives an empty set; _add_pem() adds every
 * CERTIFICATE block of a PEM buffer (at least one); _free() NULLs *tp.
 * Chains are built with X509_V_FLAG_PARTIAL_CHAIN, so an anchor may be an
 * intermediate or the attestation certificate itself. */
int webauthn_trust_new(webauthn_trust_t **out);
int webauthn_trust_add_pem(webauthn_trust_t *t, const char *pem, size_t len);
void webauthn_trust_free(webauthn_trust_t **tp);

/* Verifies a registration (§7.1). Returns SESAME_OK and fills *out, or
 * SESAME_ERR_TOO_LARGE (input above a bound), SESAME_ERR_INVALID_ARGUMENT
 * (malformed input or parameters), SESAME_ERR_PERMISSION (a check that
 * failed), SESAME_ERR_NOMEM / SESAME_ERR_CRYPTO; *reason is always set to
 * one of the WEBAUTHN_R_* strings (static). */
int webauthn_registration_verify(const webauthn_reg_params_t *p, const unsigned char *client_data,
				 size_t client_data_len, const unsigned char *att_obj,
				 size_t att_obj_len, webauthn_credential_t *out,
				 const char **reason);

/* Verifies an assertion (§7.2) against the stored credential. Returns as
 * above. On "sign_count_regression" (SESAME_ERR_PERMISSION) the signature
 * was valid and *out is filled: the caller decides (flag, refuse). */
int webauthn_assertion_verify(const webauthn_assert_params_t *p, const webauthn_assertion_t *a,
			      webauthn_assert_result_t *out, const char **reason);

/* "none", "packed", "fido-u2f" / "none", "self", "basic". */
const char *webauthn_fmt_name(webauthn_fmt_t fmt);
const char *webauthn_att_type_name(webauthn_att_type_t t);

#endif
