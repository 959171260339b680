/* JOSE for the OpenID Connect provider: signing keys (RS256, ES256,
 * EdDSA with Ed25519), their public JWKs (RFC 7517), compact JWS
 * signatures of JSON claims (RFC 7515), the left-half hashes of ID tokens
 * (at_hash), with OpenSSL's EVP interface. */
#ifndef AUTHD_OIDC_JOSE_H
#define AUTHD_OIDC_JOSE_H

#include <jansson.h>
#include <openssl/evp.h>
#include <stddef.h>

/* A new key for alg ("RS256": RSA 2048; "ES256": P-256; "EdDSA": Ed25519). */
int oidc_jose_keygen(const char *alg, EVP_PKEY **out);

/* The private key as PKCS#8 DER (*der malloc'd; the caller wipes and
 * frees it), and back. */
int oidc_jose_key_der(EVP_PKEY *k, unsigned char **der, size_t *len);
int oidc_jose_key_from_der(const unsigned char *der, size_t len, EVP_PKEY **out);

/* The public JWK of k: kty and its members, kid, alg, use "sig". */
int oidc_jose_public_jwk(EVP_PKEY *k, const char *alg, const char *kid, json_t **out);

/* header.claims.signature, base64url; *jwt malloc'd. typ: "JWT", or
 * "logout+jwt" for a logout token. */
int oidc_jose_sign(EVP_PKEY *k, const char *alg, const char *kid, const char *typ,
		   const json_t *claims, char **jwt);

/* The left half of the hash of token (SHA-256 for RS256 and ES256,
 * SHA-512 for EdDSA), base64url, as at_hash and c_hash are. */
int oidc_jose_half_hash(const char *alg, const char *token, char *out, size_t outsz);

#endif
