/* AES-256-GCM sealing of secrets under the master key (OpenSSL EVP). */
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "seal.h"
#include "sesame/error.h"
#include "sesame/keyfile.h"
#include "sesame/log.h"
#include "sesame/secmem.h"

#define SEAL_FORMAT 1
#define SEAL_NONCE 12
#define SEAL_TAG 16
#define SEAL_HEADER (1 + 4 + SEAL_NONCE)
#define SEAL_MAX_PT (1u << 20)
#define SEAL_AAD_MAX 256

/* Allocated whole with secmem_new(): the keys stay out of core dumps and
 * swap. */
struct seal_keyring {
	sesame_key_t keys[SESAME_MAX_KEYS];
	size_t n;
	size_t newest;	 /* index of the highest version */
	EVP_CIPHER *gcm; /* fetched once: an implicit fetch per call costs µs */
};

int seal_keyring_load(const char *path, seal_keyring_t **out)
{
	seal_keyring_t *k = NULL;
	int r;

	*out = NULL;
	if ((r = secmem_new(sizeof(*k), (void **)&k)) != SESAME_OK)
		return r;
	if ((r = keyfile_load(path, k->keys, &k->n)) != SESAME_OK) {
		seal_keyring_free(&k);
		return r;
	}
	if ((k->gcm = EVP_CIPHER_fetch(NULL, "AES-256-GCM", NULL)) == NULL) {
		log_err_f("EVP_CIPHER_fetch AES-256-GCM");
		seal_keyring_free(&k);
		return SESAME_ERR_CRYPTO;
	}
	for (size_t i = 1; i < k->n; i++)
		if (k->keys[i].version > k->keys[k->newest].version)
			k->newest = i;
	*out = k;
	return SESAME_OK;
}

void seal_keyring_free(seal_keyring_t **kp)
{
	if (kp == NULL || *kp == NULL)
		return;
	EVP_CIPHER_free((*kp)->gcm);
	secmem_free((void **)kp, sizeof(**kp)); /* wipes */
}

void seal_buf_free(unsigned char **bufp, size_t len)
{
	if (bufp == NULL || *bufp == NULL)
		return;
	OPENSSL_cleanse(*bufp, len);
	free(*bufp);
	*bufp = NULL;
}

/* "sesame-seal-v1" NUL purpose NUL subject: unambiguous since neither
 * purpose nor subject contains a NUL. */
static int build_aad(const char *purpose, const char *subject, unsigned char *aad, size_t *len)
{
	static const char label[] = "sesame-seal-v1";
	size_t pl = strlen(purpose), sl = strlen(subject);

	if (sizeof(label) + pl + 1 + sl > SEAL_AAD_MAX)
		return SESAME_ERR_INVALID_ARGUMENT;
	memcpy(aad, label, sizeof(label));
	memcpy(aad + sizeof(label), purpose, pl + 1);
	memcpy(aad + sizeof(label) + pl + 1, subject, sl);
	*len = sizeof(label) + pl + 1 + sl;
	return SESAME_OK;
}

int seal_encrypt(const seal_keyring_t *k, const char *purpose, const char *subject,
		 const unsigned char *pt, size_t ptlen, unsigned char **out, size_t *outlen)
{
	unsigned char aad[SEAL_AAD_MAX];
	size_t aadlen;
	unsigned char *buf = NULL;
	EVP_CIPHER_CTX *ctx = NULL;
	const sesame_key_t *key;
	int n, ok = SESAME_ERR_CRYPTO;
	size_t total;

	*out = NULL;
	*outlen = 0;
	if (ptlen > SEAL_MAX_PT)
		return SESAME_ERR_TOO_LARGE;
	if (build_aad(purpose, subject, aad, &aadlen) != SESAME_OK)
		return SESAME_ERR_INVALID_ARGUMENT;
	key = &k->keys[k->newest];
	total = SEAL_HEADER + ptlen + SEAL_TAG;
	if ((buf = malloc(total)) == NULL)
		return SESAME_ERR_NOMEM;
	buf[0] = SEAL_FORMAT;
	buf[1] = (unsigned char)(key->version >> 24);
	buf[2] = (unsigned char)(key->version >> 16);
	buf[3] = (unsigned char)(key->version >> 8);
	buf[4] = (unsigned char)key->version;
	if (RAND_bytes(buf + 5, SEAL_NONCE) != 1) {
		log_err_f("RAND_bytes");
		goto fail;
	}
	if ((ctx = EVP_CIPHER_CTX_new()) == NULL ||
	    EVP_EncryptInit_ex(ctx, k->gcm, NULL, NULL, NULL) != 1 ||
	    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_IVLEN, SEAL_NONCE, NULL) != 1 ||
	    EVP_EncryptInit_ex(ctx, NULL, NULL, key->key, buf + 5) != 1 ||
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
	seal_buf_free(&buf, total);
	return ok;
}

int seal_decrypt(const seal_keyring_t *k, const char *purpose, const char *subject,
		 const unsigned char *in, size_t inlen, unsigned char **pt, size_t *ptlen)
{
	unsigned char aad[SEAL_AAD_MAX];
	unsigned char tag[SEAL_TAG];
	size_t aadlen, clen;
	unsigned char *buf = NULL;
	EVP_CIPHER_CTX *ctx = NULL;
	const sesame_key_t *key = NULL;
	uint32_t version;
	int n, ok = SESAME_ERR_CRYPTO;

	*pt = NULL;
	*ptlen = 0;
	if (inlen < SEAL_HEADER + SEAL_TAG || inlen > SEAL_HEADER + SEAL_MAX_PT + SEAL_TAG ||
	    in[0] != SEAL_FORMAT)
		return SESAME_ERR_CRYPTO;
	if (build_aad(purpose, subject, aad, &aadlen) != SESAME_OK)
		return SESAME_ERR_INVALID_ARGUMENT;
	version = (uint32_t)in[1] << 24 | (uint32_t)in[2] << 16 | (uint32_t)in[3] << 8 | in[4];
	for (size_t i = 0; i < k->n; i++)
		if (k->keys[i].version == version)
			key = &k->keys[i];
	if (key == NULL)
		return SESAME_ERR_CRYPTO;
	clen = inlen - SEAL_HEADER - SEAL_TAG;
	if ((buf = malloc(clen + 1)) == NULL)
		return SESAME_ERR_NOMEM;
	memcpy(tag, in + inlen - SEAL_TAG, SEAL_TAG);
	if ((ctx = EVP_CIPHER_CTX_new()) == NULL ||
	    EVP_DecryptInit_ex(ctx, k->gcm, NULL, NULL, NULL) != 1 ||
	    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_IVLEN, SEAL_NONCE, NULL) != 1 ||
	    EVP_DecryptInit_ex(ctx, NULL, NULL, key->key, in + 5) != 1 ||
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
	seal_buf_free(&buf, clen + 1);
	return ok;
}

int seal_blob_version(const unsigned char *in, size_t inlen, uint32_t *version)
{
	if (in == NULL || inlen < SEAL_HEADER + SEAL_TAG || in[0] != SEAL_FORMAT)
		return SESAME_ERR_CRYPTO;
	*version = (uint32_t)in[1] << 24 | (uint32_t)in[2] << 16 | (uint32_t)in[3] << 8 | in[4];
	return SESAME_OK;
}

uint32_t seal_current_version(const seal_keyring_t *k)
{
	return k->keys[k->newest].version;
}

int seal_has_version(const seal_keyring_t *k, uint32_t version)
{
	for (size_t i = 0; i < k->n; i++)
		if (k->keys[i].version == version)
			return 1;
	return 0;
}
