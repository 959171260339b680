/* Unit tests for authd/seal.c: AES-256-GCM sealing, binding, tampering,
 * key versions. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h> /* after the four headers it needs */

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
	assert_int_equal(blob[0], 1);
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
	    cmocka_unit_test(test_limits),
	    cmocka_unit_test(test_keyring_load_errors),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
