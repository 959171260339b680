/* AES-256-GCM sealing of secrets under keys derived per purpose from the
 * master key (OpenSSL EVP; the scheme is in seal.h). */
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/params.h>
#include <openssl/rand.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "seal.h"
#include "sesame/error.h"
#include "sesame/keyfile.h"
#include "sesame/log.h"
#include "sesame/secmem.h"

#define SEAL_NONCE 12
#define SEAL_TAG 16
#define SEAL_HEADER (1 + 4 + SEAL_NONCE)
#define SEAL_MAX_PT (1u << 20)
#define SEAL_AAD_MAX 256
#define SEAL_INFO "sesame seal v2 " /* HKDF info: this, then the purpose */

/* The purposes whose keys are derived once, at load: they are on the hot
 * paths (every PAM transaction, every code checked). Any other purpose
 * derives its key per call (a few µs). */
static const char *const seal_cached[] = {SEAL_PURPOSE_TOTP, SEAL_PURPOSE_PAM_TXN};
#define SEAL_N_CACHED (sizeof(seal_cached) / sizeof(seal_cached[0]))

/* The key material, allocated whole with secmem_new(): it stays out of
 * core dumps and swap. It holds no pointer (leak checkers do not scan
 * such pages). */
struct seal_keys {
	sesame_key_t keys[SESAME_MAX_KEYS];
	unsigned char derived[SESAME_MAX_KEYS][SEAL_N_CACHED][SESAME_KEY_LEN];
	size_t n;
	size_t newest; /* index of the highest version */
};

struct seal_keyring {
	struct seal_keys *s;
	EVP_CIPHER *gcm; /* fetched once: an implicit fetch per call costs µs */
	EVP_KDF *hkdf;
};

/* HKDF-SHA256 (RFC 5869) of one master key: no salt, info SEAL_INFO
 * followed by the purpose, 32 bytes into out. */
static int seal_derive(EVP_KDF *hkdf, const sesame_key_t *master, const char *purpose,
		       unsigned char *out)
{
	char info[SEAL_AAD_MAX];
	OSSL_PARAM params[4];
	EVP_KDF_CTX *ctx = NULL;
	size_t len = strlen(purpose);
	int ok = SESAME_ERR_CRYPTO;

	if (len > sizeof(info) - sizeof(SEAL_INFO))
		return SESAME_ERR_INVALID_ARGUMENT;
	memcpy(info, SEAL_INFO, sizeof(SEAL_INFO) - 1);
	memcpy(info + sizeof(SEAL_INFO) - 1, purpose, len);
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, (char *)"SHA256", 0);
	params[1] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY,
						      (unsigned char *)master->key, SESAME_KEY_LEN);
	params[2] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, info,
						      sizeof(SEAL_INFO) - 1 + len);
	params[3] = OSSL_PARAM_construct_end();
	if ((ctx = EVP_KDF_CTX_new(hkdf)) == NULL ||
	    EVP_KDF_derive(ctx, out, SESAME_KEY_LEN, params) != 1) {
		log_err_f("HKDF-SHA256 failed");
		goto fail;
	}
	ok = SESAME_OK;
fail:
	EVP_KDF_CTX_free(ctx);
	return ok;
}

int seal_keyring_load(const char *path, seal_keyring_t **out)
{
	seal_keyring_t *k = NULL;
	int r;

	*out = NULL;
	if ((k = calloc(1, sizeof(*k))) == NULL)
		return SESAME_ERR_NOMEM;
	if ((r = secmem_new(sizeof(*k->s), (void **)&k->s)) != SESAME_OK) {
		free(k);
		return r;
	}
	if ((r = keyfile_load(path, k->s->keys, &k->s->n)) != SESAME_OK) {
		seal_keyring_free(&k);
		return r;
	}
	r = SESAME_ERR_CRYPTO;
	if ((k->gcm = EVP_CIPHER_fetch(NULL, "AES-256-GCM", NULL)) == NULL ||
	    (k->hkdf = EVP_KDF_fetch(NULL, "HKDF", NULL)) == NULL) {
		log_err_f("EVP fetch AES-256-GCM, HKDF");
		goto fail;
	}
	for (size_t i = 0; i < k->s->n; i++)
		for (size_t p = 0; p < SEAL_N_CACHED; p++)
			if ((r = seal_derive(k->hkdf, &k->s->keys[i], seal_cached[p],
					     k->s->derived[i][p])) != SESAME_OK)
				goto fail;
	for (size_t i = 1; i < k->s->n; i++)
		if (k->s->keys[i].version > k->s->keys[k->s->newest].version)
			k->s->newest = i;
	*out = k;
	return SESAME_OK;
fail:
	seal_keyring_free(&k);
	return r;
}

void seal_keyring_free(seal_keyring_t **kp)
{
	if (kp == NULL || *kp == NULL)
		return;
	EVP_CIPHER_free((*kp)->gcm);
	EVP_KDF_free((*kp)->hkdf);
	secmem_free((void **)&(*kp)->s, sizeof(*(*kp)->s)); /* wipes */
	free(*kp);
	*kp = NULL;
}

void seal_buf_free(unsigned char **bufp, size_t len)
{
	if (bufp == NULL || *bufp == NULL)
		return;
	OPENSSL_cleanse(*bufp, len);
	free(*bufp);
	*bufp = NULL;
}

/* The AES key for a blob of format under keys[i]: the master key itself
 * (format 1), or the purpose's derived key, cached or derived into tmp. */
static int seal_key(const seal_keyring_t *k, size_t i, int format, const char *purpose,
		    unsigned char *tmp, const unsigned char **key)
{
	if (format == SEAL_FORMAT_MASTER) {
		*key = k->s->keys[i].key;
		return SESAME_OK;
	}
	for (size_t p = 0; p < SEAL_N_CACHED; p++)
		if (strcmp(purpose, seal_cached[p]) == 0) {
			*key = k->s->derived[i][p];
			return SESAME_OK;
		}
	*key = tmp;
	return seal_derive(k->hkdf, &k->s->keys[i], purpose, tmp);
}

/* label NUL purpose NUL subject, label "sesame-seal-vN" for format N:
 * unambiguous since neither purpose nor subject contains a NUL. */
static int build_aad(int format, const char *purpose, const char *subject, unsigned char *aad,
		     size_t *len)
{
	char label[16];
	size_t ll = (size_t)snprintf(label, sizeof(label), "sesame-seal-v%d", format) + 1;
	size_t pl = strlen(purpose), sl = strlen(subject);

	if (ll + pl + 1 + sl > SEAL_AAD_MAX)
		return SESAME_ERR_INVALID_ARGUMENT;
	memcpy(aad, label, ll);
	memcpy(aad + ll, purpose, pl + 1);
	memcpy(aad + ll + pl + 1, subject, sl);
	*len = ll + pl + 1 + sl;
	return SESAME_OK;
}

int seal_encrypt(const seal_keyring_t *k, const char *purpose, const char *subject,
		 const unsigned char *pt, size_t ptlen, unsigned char **out, size_t *outlen)
{
	unsigned char aad[SEAL_AAD_MAX], tmp[SESAME_KEY_LEN];
	size_t aadlen;
	unsigned char *buf = NULL;
	EVP_CIPHER_CTX *ctx = NULL;
	const unsigned char *key;
	uint32_t version = k->s->keys[k->s->newest].version;
	int n, ok = SESAME_ERR_CRYPTO;
	size_t total = SEAL_HEADER + ptlen + SEAL_TAG;

	*out = NULL;
	*outlen = 0;
	if (ptlen > SEAL_MAX_PT)
		return SESAME_ERR_TOO_LARGE;
	if (build_aad(SEAL_FORMAT_DERIVED, purpose, subject, aad, &aadlen) != SESAME_OK)
		return SESAME_ERR_INVALID_ARGUMENT;
	if ((ok = seal_key(k, k->s->newest, SEAL_FORMAT_DERIVED, purpose, tmp, &key)) != SESAME_OK)
		goto fail;
	ok = SESAME_ERR_NOMEM;
	if ((buf = malloc(total)) == NULL)
		goto fail;
	ok = SESAME_ERR_CRYPTO;
	buf[0] = SEAL_FORMAT_DERIVED;
	buf[1] = (unsigned char)(version >> 24);
	buf[2] = (unsigned char)(version >> 16);
	buf[3] = (unsigned char)(version >> 8);
	buf[4] = (unsigned char)version;
	if (RAND_bytes(buf + 5, SEAL_NONCE) != 1) {
		log_err_f("RAND_bytes");
		goto fail;
	}
	if ((ctx = EVP_CIPHER_CTX_new()) == NULL ||
	    EVP_EncryptInit_ex(ctx, k->gcm, NULL, NULL, NULL) != 1 ||
	    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_IVLEN, SEAL_NONCE, NULL) != 1 ||
	    EVP_EncryptInit_ex(ctx, NULL, NULL, key, buf + 5) != 1 ||
	    EVP_EncryptUpdate(ctx, NULL, &n, aad, (int)aadlen) != 1 ||
	    EVP_EncryptUpdate(ctx, buf + SEAL_HEADER, &n, pt, (int)ptlen) != 1 ||
	    EVP_EncryptFinal_ex(ctx, buf + SEAL_HEADER + n, &n) != 1 ||
	    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, SEAL_TAG, buf + SEAL_HEADER + ptlen) !=
		1) {
		log_err_f("EVP AES-256-GCM encryption failed");
		goto fail;
	}
	*out = buf;
	*outlen = total;
	buf = NULL;
	ok = SESAME_OK;
fail:
	EVP_CIPHER_CTX_free(ctx);
	OPENSSL_cleanse(tmp, sizeof(tmp));
	seal_buf_free(&buf, total);
	return ok;
}

int seal_decrypt(const seal_keyring_t *k, const char *purpose, const char *subject,
		 const unsigned char *in, size_t inlen, unsigned char **pt, size_t *ptlen)
{
	unsigned char aad[SEAL_AAD_MAX], tmp[SESAME_KEY_LEN];
	unsigned char tag[SEAL_TAG];
	size_t aadlen, clen = 0;
	unsigned char *buf = NULL;
	EVP_CIPHER_CTX *ctx = NULL;
	const unsigned char *key;
	size_t at = SESAME_MAX_KEYS;
	uint32_t version;
	int format, n, ok = SESAME_ERR_CRYPTO;

	*pt = NULL;
	*ptlen = 0;
	if (seal_blob_version(in, inlen, &version) != SESAME_OK ||
	    inlen > SEAL_HEADER + SEAL_MAX_PT + SEAL_TAG)
		return SESAME_ERR_CRYPTO;
	format = in[0];
	if (build_aad(format, purpose, subject, aad, &aadlen) != SESAME_OK)
		return SESAME_ERR_INVALID_ARGUMENT;
	for (size_t i = 0; i < k->s->n; i++)
		if (k->s->keys[i].version == version)
			at = i;
	if (at == SESAME_MAX_KEYS)
		return SESAME_ERR_CRYPTO;
	if ((ok = seal_key(k, at, format, purpose, tmp, &key)) != SESAME_OK)
		goto fail;
	ok = SESAME_ERR_NOMEM;
	clen = inlen - SEAL_HEADER - SEAL_TAG;
	if ((buf = malloc(clen + 1)) == NULL)
		goto fail;
	ok = SESAME_ERR_CRYPTO;
	memcpy(tag, in + inlen - SEAL_TAG, SEAL_TAG);
	if ((ctx = EVP_CIPHER_CTX_new()) == NULL ||
	    EVP_DecryptInit_ex(ctx, k->gcm, NULL, NULL, NULL) != 1 ||
	    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_IVLEN, SEAL_NONCE, NULL) != 1 ||
	    EVP_DecryptInit_ex(ctx, NULL, NULL, key, in + 5) != 1 ||
	    EVP_DecryptUpdate(ctx, NULL, &n, aad, (int)aadlen) != 1 ||
	    EVP_DecryptUpdate(ctx, buf, &n, in + SEAL_HEADER, (int)clen) != 1 ||
	    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, SEAL_TAG, tag) != 1 ||
	    EVP_DecryptFinal_ex(ctx, buf + n, &n) != 1)
		goto fail; /* tampered, wrong binding or wrong key: no detail */
	*pt = buf;
	*ptlen = clen;
	buf = NULL;
	ok = SESAME_OK;
fail:
	EVP_CIPHER_CTX_free(ctx);
	OPENSSL_cleanse(tmp, sizeof(tmp));
	seal_buf_free(&buf, clen + 1);
	return ok;
}

int seal_blob_format(const unsigned char *in, size_t inlen)
{
	if (in == NULL || inlen < SEAL_HEADER + SEAL_TAG ||
	    (in[0] != SEAL_FORMAT_MASTER && in[0] != SEAL_FORMAT_DERIVED))
		return 0;
	return in[0];
}

int seal_blob_version(const unsigned char *in, size_t inlen, uint32_t *version)
{
	if (seal_blob_format(in, inlen) == 0)
		return SESAME_ERR_CRYPTO;
	*version = (uint32_t)in[1] << 24 | (uint32_t)in[2] << 16 | (uint32_t)in[3] << 8 | in[4];
	return SESAME_OK;
}

uint32_t seal_current_version(const seal_keyring_t *k)
{
	return k->s->keys[k->s->newest].version;
}

int seal_has_version(const seal_keyring_t *k, uint32_t version)
{
	for (size_t i = 0; i < k->s->n; i++)
		if (k->s->keys[i].version == version)
			return 1;
	return 0;
}
