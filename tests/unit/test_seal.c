/* Unit tests for authd/seal.c: AES-256-GCM sealing, binding, tampering,
 * key versions, one key per purpose (HKDF-SHA256, recomputed here from the
 * documented parameters), and blobs of format 1 (sealed directly under the
 * master key, made here the way the daemon used to) still opening. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h> /* after the four headers it needs */

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/params.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "seal.h"
#include "sesame/error.h"
#include "sesame/keyfile.h"
#include "unit_util.h"

#define HEADER 17 /* format, version (4), nonce (12) */
#define TAG 16

enum { RING_V1, RING_V1_OTHER, RING_V2, RING_V12, RING_V21, RING__COUNT };

struct fixture {
	char *dir;
	seal_keyring_t *ring[RING__COUNT];
};

static const unsigned char secret[] = "12345678901234567890";

static int load_ring(const char *dir, const char *name, const char *text, seal_keyring_t **out)
{
	char path[512];
	unit_path(path, sizeof(path), dir, name);
	if (unit_write_text(path, text, 0600) != 0)
		return -1;
	return seal_keyring_load(path, out) == SESAME_OK ? 0 : -1;
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	char t[RING__COUNT][256];

	if (f == NULL || (f->dir = unit_tmpdir()) == NULL)
		return -1;
	memset(t, 0, sizeof(t));
	unit_key_line(t[RING_V1], sizeof(t[0]), 1, 0x11);
	unit_key_line(t[RING_V1_OTHER], sizeof(t[0]), 1, 0x33);
	unit_key_line(t[RING_V2], sizeof(t[0]), 2, 0x22);
	unit_key_line(t[RING_V12], sizeof(t[0]), 1, 0x11);
	unit_key_line(t[RING_V12], sizeof(t[0]), 2, 0x22);
	unit_key_line(t[RING_V21], sizeof(t[0]), 2, 0x22);
	unit_key_line(t[RING_V21], sizeof(t[0]), 1, 0x11);
	for (int i = 0; i < RING__COUNT; i++) {
		char name[32];
		snprintf(name, sizeof(name), "ring%d.key", i);
		if (load_ring(f->dir, name, t[i], &f->ring[i]) != 0)
			return -1;
	}
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	if (f == NULL)
		return 0;
	for (int i = 0; i < RING__COUNT; i++)
		seal_keyring_free(&f->ring[i]);
	unit_rmtree(f->dir);
	free(f->dir);
	free(f);
	return 0;
}

static uint32_t blob_version(const unsigned char *blob)
{
	return (uint32_t)blob[1] << 24 | (uint32_t)blob[2] << 16 | (uint32_t)blob[3] << 8 | blob[4];
}

static void seal_ok(const seal_keyring_t *k, const char *purpose, const char *subject,
		    const unsigned char *pt, size_t ptlen, unsigned char **blob, size_t *bloblen)
{
	assert_int_equal(seal_encrypt(k, purpose, subject, pt, ptlen, blob, bloblen), SESAME_OK);
	assert_non_null(*blob);
	assert_int_equal(*bloblen, HEADER + ptlen + TAG);
}

static void test_round_trip(void **state)
{
	struct fixture *f = *state;
	unsigned char *blob = NULL, *pt = NULL;
	size_t bloblen = 0, ptlen = 0;

	seal_ok(f->ring[RING_V1], "totp-seed", "alice", secret, 20, &blob, &bloblen);
	assert_int_equal(blob[0], 2);
	assert_int_equal(seal_blob_format(blob, bloblen), SEAL_FORMAT_DERIVED);
	assert_int_equal(blob_version(blob), 1);
	/* the ciphertext is not the plaintext */
	assert_memory_not_equal(blob + HEADER, secret, 20);
	assert_int_equal(
	    seal_decrypt(f->ring[RING_V1], "totp-seed", "alice", blob, bloblen, &pt, &ptlen),
	    SESAME_OK);
	assert_int_equal(ptlen, 20);
	assert_memory_equal(pt, secret, 20);
	seal_buf_free(&pt, ptlen);
	assert_null(pt);
	free(blob);
}

static void test_round_trip_sizes(void **state)
{
	struct fixture *f = *state;
	unsigned char in[300];

	for (size_t i = 0; i < sizeof(in); i++)
		in[i] = (unsigned char)(i * 13 + 5);
	for (size_t len = 0; len <= sizeof(in); len += 23) {
		unsigned char *blob = NULL, *pt = NULL;
		size_t bloblen = 0, ptlen = 99;
		seal_ok(f->ring[RING_V12], "p", "", in, len, &blob, &bloblen);
		assert_int_equal(
		    seal_decrypt(f->ring[RING_V12], "p", "", blob, bloblen, &pt, &ptlen),
		    SESAME_OK);
		assert_int_equal(ptlen, len);
		if (len > 0)
			assert_memory_equal(pt, in, len);
		seal_buf_free(&pt, ptlen);
		free(blob);
	}
}

static void test_every_bit_flip_detected(void **state)
{
	struct fixture *f = *state;
	unsigned char *blob = NULL;
	size_t bloblen = 0;

	/* on the two-key ring, so that version flips can also hit a known key */
	seal_ok(f->ring[RING_V12], "totp-seed", "alice", secret, 20, &blob, &bloblen);
	for (size_t i = 0; i < bloblen; i++) {
		for (int b = 0; b < 8; b++) {
			unsigned char *pt = (unsigned char *)"untouched";
			size_t ptlen = 99;
			blob[i] ^= (unsigned char)(1u << b);
			int r = seal_decrypt(f->ring[RING_V12], "totp-seed", "alice", blob, bloblen,
					     &pt, &ptlen);
			blob[i] ^= (unsigned char)(1u << b);
			if (r != SESAME_ERR_CRYPTO)
				fail_msg("flip of byte %zu bit %d gave %d", i, b, r);
			assert_null(pt);
			assert_int_equal(ptlen, 0);
		}
	}
	free(blob);
}

static void test_wrong_binding(void **state)
{
	struct fixture *f = *state;
	const seal_keyring_t *k = f->ring[RING_V1];
	unsigned char *blob = NULL, *pt = NULL;
	size_t bloblen = 0, ptlen = 0;

	seal_ok(k, "totp-seed", "alice", secret, 20, &blob, &bloblen);
	assert_int_equal(seal_decrypt(k, "recovery", "alice", blob, bloblen, &pt, &ptlen),
			 SESAME_ERR_CRYPTO);
	assert_int_equal(seal_decrypt(k, "totp-seed", "bob", blob, bloblen, &pt, &ptlen),
			 SESAME_ERR_CRYPTO);
	assert_int_equal(seal_decrypt(k, "totp-seed", "alice2", blob, bloblen, &pt, &ptlen),
			 SESAME_ERR_CRYPTO);
	assert_int_equal(seal_decrypt(k, "totp-seed", "Alice", blob, bloblen, &pt, &ptlen),
			 SESAME_ERR_CRYPTO);
	assert_int_equal(seal_decrypt(k, "totp-seed", "", blob, bloblen, &pt, &ptlen),
			 SESAME_ERR_CRYPTO);
	/* the purpose/subject boundary is part of the binding */
	assert_int_equal(seal_decrypt(k, "totp-seeda", "lice", blob, bloblen, &pt, &ptlen),
			 SESAME_ERR_CRYPTO);
	assert_int_equal(seal_decrypt(k, "totp-", "seedalice", blob, bloblen, &pt, &ptlen),
			 SESAME_ERR_CRYPTO);
	assert_null(pt);
	free(blob);
}

static void test_truncated_or_extended(void **state)
{
	struct fixture *f = *state;
	const seal_keyring_t *k = f->ring[RING_V1];
	unsigned char *blob = NULL, *pt = NULL;
	unsigned char longer[HEADER + 20 + TAG + 1];
	size_t bloblen = 0, ptlen = 0;

	seal_ok(k, "totp-seed", "alice", secret, 20, &blob, &bloblen);
	for (size_t len = 0; len < bloblen; len++)
		assert_int_equal(seal_decrypt(k, "totp-seed", "alice", blob, len, &pt, &ptlen),
				 SESAME_ERR_CRYPTO);
	/* also cut from the front: drop the format byte */
	assert_int_equal(seal_decrypt(k, "totp-seed", "alice", blob + 1, bloblen - 1, &pt, &ptlen),
			 SESAME_ERR_CRYPTO);
	memcpy(longer, blob, bloblen);
	longer[bloblen] = 0;
	assert_int_equal(seal_decrypt(k, "totp-seed", "alice", longer, bloblen + 1, &pt, &ptlen),
			 SESAME_ERR_CRYPTO);
	assert_null(pt);
	free(blob);
}

static void test_unknown_key_version(void **state)
{
	struct fixture *f = *state;
	unsigned char *blob = NULL, *pt = NULL;
	size_t bloblen = 0, ptlen = 0;

	seal_ok(f->ring[RING_V1], "totp-seed", "alice", secret, 20, &blob, &bloblen);
	/* a ring without version 1 */
	assert_int_equal(
	    seal_decrypt(f->ring[RING_V2], "totp-seed", "alice", blob, bloblen, &pt, &ptlen),
	    SESAME_ERR_CRYPTO);
	/* a ring whose version 1 is another key */
	assert_int_equal(
	    seal_decrypt(f->ring[RING_V1_OTHER], "totp-seed", "alice", blob, bloblen, &pt, &ptlen),
	    SESAME_ERR_CRYPTO);
	/* the version field rewritten to one the ring does not have */
	blob[1] = 0x7f;
	assert_int_equal(
	    seal_decrypt(f->ring[RING_V1], "totp-seed", "alice", blob, bloblen, &pt, &ptlen),
	    SESAME_ERR_CRYPTO);
	assert_null(pt);
	free(blob);
}

static void test_random_nonce(void **state)
{
	struct fixture *f = *state;
	unsigned char *a = NULL, *b = NULL;
	size_t alen = 0, blen = 0;

	seal_ok(f->ring[RING_V1], "totp-seed", "alice", secret, 20, &a, &alen);
	seal_ok(f->ring[RING_V1], "totp-seed", "alice", secret, 20, &b, &blen);
	assert_int_equal(alen, blen);
	assert_memory_equal(a, b, 5); /* same format and version */
	assert_memory_not_equal(a + 5, b + 5, 12);
	assert_memory_not_equal(a + HEADER, b + HEADER, 20);
	free(a);
	free(b);
}

static void test_two_versions(void **state)
{
	struct fixture *f = *state;
	unsigned char *old = NULL, *cur = NULL, *cur21 = NULL, *pt = NULL;
	size_t oldlen = 0, curlen = 0, cur21len = 0, ptlen = 0;

	seal_ok(f->ring[RING_V1], "totp-seed", "alice", secret, 20, &old, &oldlen);
	seal_ok(f->ring[RING_V12], "totp-seed", "alice", secret, 20, &cur, &curlen);
	seal_ok(f->ring[RING_V21], "totp-seed", "alice", secret, 20, &cur21, &cur21len);
	/* the highest version seals, whatever the order of the lines */
	assert_int_equal(blob_version(old), 1);
	assert_int_equal(blob_version(cur), 2);
	assert_int_equal(blob_version(cur21), 2);

	const unsigned char *blobs[3] = {old, cur, cur21};
	const size_t lens[3] = {oldlen, curlen, cur21len};
	for (int r = RING_V12; r <= RING_V21; r++) {
		for (int i = 0; i < 3; i++) {
			assert_int_equal(seal_decrypt(f->ring[r], "totp-seed", "alice", blobs[i],
						      lens[i], &pt, &ptlen),
					 SESAME_OK);
			assert_int_equal(ptlen, 20);
			assert_memory_equal(pt, secret, 20);
			seal_buf_free(&pt, ptlen);
		}
	}
	/* the version-2 ring alone opens the new blobs, not the old one */
	assert_int_equal(
	    seal_decrypt(f->ring[RING_V2], "totp-seed", "alice", cur, curlen, &pt, &ptlen),
	    SESAME_OK);
	seal_buf_free(&pt, ptlen);
	assert_int_equal(
	    seal_decrypt(f->ring[RING_V2], "totp-seed", "alice", old, oldlen, &pt, &ptlen),
	    SESAME_ERR_CRYPTO);
	/* the version-1 ring cannot open what version 2 sealed */
	assert_int_equal(
	    seal_decrypt(f->ring[RING_V1], "totp-seed", "alice", cur, curlen, &pt, &ptlen),
	    SESAME_ERR_CRYPTO);
	free(old);
	free(cur);
	free(cur21);
}

/* ---- the scheme, recomputed without seal.c ---- */

/* HKDF-SHA256, no salt, info "sesame seal v2 " purpose (docs/protocol.md). */
static void derive(unsigned char fill, const char *purpose, unsigned char out[32])
{
	unsigned char master[32];
	char info[256];
	int n = snprintf(info, sizeof(info), "sesame seal v2 %s", purpose);
	EVP_KDF *kdf = EVP_KDF_fetch(NULL, "HKDF", NULL);
	EVP_KDF_CTX *ctx = EVP_KDF_CTX_new(kdf);
	OSSL_PARAM params[] = {
	    OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, (char *)"SHA256", 0),
	    OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, master, sizeof(master)),
	    OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, info, (size_t)n),
	    OSSL_PARAM_construct_end(),
	};

	unit_test_key(fill, master);
	assert_non_null(ctx);
	assert_int_equal(EVP_KDF_derive(ctx, out, 32, params), 1);
	EVP_KDF_CTX_free(ctx);
	EVP_KDF_free(kdf);
}

/* label NUL purpose NUL subject. */
static size_t aad_of(const char *label, const char *purpose, const char *subject,
		     unsigned char *aad)
{
	size_t ll = strlen(label) + 1, pl = strlen(purpose) + 1, sl = strlen(subject);
	memcpy(aad, label, ll);
	memcpy(aad + ll, purpose, pl);
	memcpy(aad + ll + pl, subject, sl);
	return ll + pl + sl;
}

/* Whether AES-256-GCM under key and aad opens blob (header, ciphertext, tag). */
static int gcm_opens(const unsigned char *key, const unsigned char *aad, size_t aadlen,
		     const unsigned char *blob, size_t bloblen)
{
	unsigned char out[512], tag[TAG];
	size_t clen = bloblen - HEADER - TAG;
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	int n, ok;

	assert_true(clen <= sizeof(out));
	memcpy(tag, blob + bloblen - TAG, TAG);
	ok = ctx && EVP_DecryptInit_ex(ctx, EVP_aes_256_gcm(), NULL, key, blob + 5) == 1 &&
	     EVP_DecryptUpdate(ctx, NULL, &n, aad, (int)aadlen) == 1 &&
	     EVP_DecryptUpdate(ctx, out, &n, blob + HEADER, (int)clen) == 1 &&
	     EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, TAG, tag) == 1 &&
	     EVP_DecryptFinal_ex(ctx, out + n, &n) == 1;
	EVP_CIPHER_CTX_free(ctx);
	return ok;
}

/* A format-1 blob as the daemon made them before the derived keys: the
 * master key (unit_test_key(fill)) itself, AAD label "sesame-seal-v1". */
static size_t seal_format1(unsigned char fill, uint32_t version, const char *purpose,
			   const char *subject, const unsigned char *pt, size_t ptlen,
			   unsigned char *blob)
{
	unsigned char master[32], aad[256];
	size_t aadlen = aad_of("sesame-seal-v1", purpose, subject, aad);
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	int n;

	unit_test_key(fill, master);
	blob[0] = 1;
	blob[1] = (unsigned char)(version >> 24);
	blob[2] = (unsigned char)(version >> 16);
	blob[3] = (unsigned char)(version >> 8);
	blob[4] = (unsigned char)version;
	assert_int_equal(RAND_bytes(blob + 5, 12), 1);
	assert_non_null(ctx);
	assert_int_equal(EVP_EncryptInit_ex(ctx, EVP_aes_256_gcm(), NULL, master, blob + 5), 1);
	assert_int_equal(EVP_EncryptUpdate(ctx, NULL, &n, aad, (int)aadlen), 1);
	assert_int_equal(EVP_EncryptUpdate(ctx, blob + HEADER, &n, pt, (int)ptlen), 1);
	assert_int_equal(EVP_EncryptFinal_ex(ctx, blob + HEADER + n, &n), 1);
	assert_int_equal(EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, TAG, blob + HEADER + ptlen),
			 1);
	EVP_CIPHER_CTX_free(ctx);
	return HEADER + ptlen + TAG;
}

static void test_derived_key_not_master(void **state)
{
	struct fixture *f = *state;
	static const char *const purposes[] = {"totp-seed", "pam-txn", "recovery"};
	unsigned char master[32], key[32], aad[256];

	unit_test_key(0x11, master);
	for (size_t i = 0; i < sizeof(purposes) / sizeof(purposes[0]); i++) {
		unsigned char *blob = NULL, *pt = NULL;
		size_t bloblen = 0, ptlen = 0;
		size_t aadlen = aad_of("sesame-seal-v2", purposes[i], "alice", aad);

		seal_ok(f->ring[RING_V1], purposes[i], "alice", secret, 20, &blob, &bloblen);
		assert_int_equal(blob[0], 2);
		/* the documented derivation opens it; the raw master key does not */
		derive(0x11, purposes[i], key);
		assert_memory_not_equal(key, master, 32);
		assert_true(gcm_opens(key, aad, aadlen, blob, bloblen));
		assert_false(gcm_opens(master, aad, aadlen, blob, bloblen));
		aadlen = aad_of("sesame-seal-v1", purposes[i], "alice", aad);
		assert_false(gcm_opens(master, aad, aadlen, blob, bloblen));
		/* passed off as format 1, it is tried under the master key: refused */
		blob[0] = 1;
		assert_int_equal(seal_decrypt(f->ring[RING_V1], purposes[i], "alice", blob, bloblen,
					      &pt, &ptlen),
				 SESAME_ERR_CRYPTO);
		blob[0] = 3;
		assert_int_equal(seal_blob_format(blob, bloblen), 0);
		assert_int_equal(seal_decrypt(f->ring[RING_V1], purposes[i], "alice", blob, bloblen,
					      &pt, &ptlen),
				 SESAME_ERR_CRYPTO);
		assert_null(pt);
		free(blob);
	}
}

static void test_format1_still_opens(void **state)
{
	struct fixture *f = *state;
	unsigned char blob[HEADER + 20 + TAG], *pt = NULL;
	size_t bloblen, ptlen = 0;
	uint32_t v = 0;

	bloblen = seal_format1(0x11, 1, "totp-seed", "alice", secret, 20, blob);
	assert_int_equal(seal_blob_format(blob, bloblen), SEAL_FORMAT_MASTER);
	assert_int_equal(seal_blob_version(blob, bloblen, &v), SESAME_OK);
	assert_int_equal(v, 1);
	for (int r = RING_V1; r <= RING_V21; r++) {
		if (r == RING_V1_OTHER || r == RING_V2)
			continue;
		assert_int_equal(
		    seal_decrypt(f->ring[r], "totp-seed", "alice", blob, bloblen, &pt, &ptlen),
		    SESAME_OK);
		assert_int_equal(ptlen, 20);
		assert_memory_equal(pt, secret, 20);
		seal_buf_free(&pt, ptlen);
	}
	/* still bound to its purpose, subject and key */
	assert_int_equal(
	    seal_decrypt(f->ring[RING_V1], "pam-txn", "alice", blob, bloblen, &pt, &ptlen),
	    SESAME_ERR_CRYPTO);
	assert_int_equal(
	    seal_decrypt(f->ring[RING_V1], "totp-seed", "bob", blob, bloblen, &pt, &ptlen),
	    SESAME_ERR_CRYPTO);
	assert_int_equal(
	    seal_decrypt(f->ring[RING_V1_OTHER], "totp-seed", "alice", blob, bloblen, &pt, &ptlen),
	    SESAME_ERR_CRYPTO);
	/* passed off as format 2, it is tried under the derived key: refused */
	blob[0] = 2;
	assert_int_equal(
	    seal_decrypt(f->ring[RING_V1], "totp-seed", "alice", blob, bloblen, &pt, &ptlen),
	    SESAME_ERR_CRYPTO);
	assert_null(pt);
	/* an uncached purpose too */
	bloblen = seal_format1(0x22, 2, "recovery", "", secret, 20, blob);
	assert_int_equal(
	    seal_decrypt(f->ring[RING_V12], "recovery", "", blob, bloblen, &pt, &ptlen), SESAME_OK);
	seal_buf_free(&pt, ptlen);
}

static void test_purposes_do_not_cross(void **state)
{
	struct fixture *f = *state;
	static const char *const purposes[] = {"totp-seed", "pam-txn", "recovery", "totp-seed2"};
	const size_t np = sizeof(purposes) / sizeof(purposes[0]);
	unsigned char keys[4][32], aad[256];

	for (size_t i = 0; i < np; i++)
		derive(0x22, purposes[i], keys[i]);
	for (size_t i = 0; i < np; i++) {
		unsigned char *blob = NULL, *pt = NULL;
		size_t bloblen = 0, ptlen = 0;
		/* same ring, two versions: version 2 seals */
		seal_ok(f->ring[RING_V12], purposes[i], "", secret, 20, &blob, &bloblen);
		assert_int_equal(blob_version(blob), 2);
		for (size_t j = 0; j < np; j++) {
			int r = seal_decrypt(f->ring[RING_V12], purposes[j], "", blob, bloblen, &pt,
					     &ptlen);
			assert_int_equal(r, i == j ? SESAME_OK : SESAME_ERR_CRYPTO);
			seal_buf_free(&pt, ptlen);
			if (i == j)
				continue;
			/* another purpose's key fails even with this purpose's AAD:
			 * the keys differ, not only the binding */
			assert_memory_not_equal(keys[i], keys[j], 32);
			size_t aadlen = aad_of("sesame-seal-v2", purposes[i], "", aad);
			assert_false(gcm_opens(keys[j], aad, aadlen, blob, bloblen));
			assert_true(gcm_opens(keys[i], aad, aadlen, blob, bloblen));
		}
		free(blob);
	}
}

static void test_limits(void **state)
{
	struct fixture *f = *state;
	unsigned char *blob = (unsigned char *)"untouched";
	size_t bloblen = 99;
	char longp[300];
	unsigned char *big = calloc(1, (1u << 20) + 1);

	assert_non_null(big);
	assert_int_equal(
	    seal_encrypt(f->ring[RING_V1], "p", "s", big, (1u << 20) + 1, &blob, &bloblen),
	    SESAME_ERR_TOO_LARGE);
	assert_null(blob);
	assert_int_equal(bloblen, 0);
	memset(longp, 'p', sizeof(longp) - 1);
	longp[sizeof(longp) - 1] = '\0';
	assert_int_equal(seal_encrypt(f->ring[RING_V1], longp, "s", secret, 20, &blob, &bloblen),
			 SESAME_ERR_INVALID_ARGUMENT);
	assert_null(blob);
	free(big);
}

static void test_keyring_load_errors(void **state)
{
	struct fixture *f = *state;
	seal_keyring_t *k = (seal_keyring_t *)f; /* any non-NULL value */
	char path[512], text[256] = "";

	unit_path(path, sizeof(path), f->dir, "missing.key");
	assert_int_equal(seal_keyring_load(path, &k), SESAME_ERR_NOT_FOUND);
	assert_null(k);
	unit_path(path, sizeof(path), f->dir, "open.key");
	unit_key_line(text, sizeof(text), 1, 0x11);
	assert_int_equal(unit_write_text(path, text, 0644), 0);
	assert_int_equal(seal_keyring_load(path, &k), SESAME_ERR_PERMISSION);
	assert_null(k);
	seal_keyring_free(&k);
	seal_keyring_free(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_round_trip),
	    cmocka_unit_test(test_round_trip_sizes),
	    cmocka_unit_test(test_every_bit_flip_detected),
	    cmocka_unit_test(test_wrong_binding),
	    cmocka_unit_test(test_truncated_or_extended),
	    cmocka_unit_test(test_unknown_key_version),
	    cmocka_unit_test(test_random_nonce),
	    cmocka_unit_test(test_two_versions),
	    cmocka_unit_test(test_derived_key_not_master),
	    cmocka_unit_test(test_format1_still_opens),
	    cmocka_unit_test(test_purposes_do_not_cross),
	    cmocka_unit_test(test_limits),
	    cmocka_unit_test(test_keyring_load_errors),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
