/* Unit tests for authd/pam_txn.c: sealed PAM transaction tokens. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h> /* after the four headers it needs */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pam_txn.h"
#include "seal.h"
#include "sesame/base64url.h"
#include "sesame/error.h"
#include "sesame/limits.h"
#include "unit_util.h"

#define NOW 1700000000

struct fixture {
	char *dir;
	seal_keyring_t *k;
	seal_keyring_t *other; /* same version, another key */
};

static int load_ring(const char *dir, const char *name, unsigned char fill, seal_keyring_t **out)
{
	char path[512], text[128] = "";
	unit_path(path, sizeof(path), dir, name);
	unit_key_line(text, sizeof(text), 1, fill);
	if (unit_write_text(path, text, 0600) != 0)
		return -1;
	return seal_keyring_load(path, out) == SESAME_OK ? 0 : -1;
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	if (f == NULL || (f->dir = unit_tmpdir()) == NULL ||
	    load_ring(f->dir, "a.key", 0x42, &f->k) != 0 ||
	    load_ring(f->dir, "b.key", 0x43, &f->other) != 0)
		return -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	seal_keyring_free(&f->k);
	seal_keyring_free(&f->other);
	unit_rmtree(f->dir);
	free(f->dir);
	free(f);
	return 0;
}

/* Seals in with the expiry exp. */
static int seal_at(const seal_keyring_t *k, flow_t *in, int64_t exp, char *token, size_t tokensz)
{
	in->expires = exp;
	return pam_txn_seal(k, in, token, tokensz);
}

static flow_t sample(void)
{
	flow_t rq;
	memset(&rq, 0, sizeof(rq));
	snprintf(rq.user, sizeof(rq.user), "alice");
	snprintf(rq.service, sizeof(rq.service), "sshd");
	snprintf(rq.rhost, sizeof(rq.rhost), "2001:db8::1");
	snprintf(rq.tty, sizeof(rq.tty), "ssh");
	rq.nullok = 1;
	snprintf(rq.next, sizeof(rq.next), "totp");
	rq.passed = FACTOR_TOTP;
	rq.passed_at[1] = NOW - 5;
	rq.auth_time = NOW - 5;
	memset(rq.id, 0xa5, sizeof(rq.id));
	return rq;
}

static void assert_same_request(const flow_t *a, const flow_t *b)
{
	assert_string_equal(a->user, b->user);
	assert_string_equal(a->service, b->service);
	assert_string_equal(a->rhost, b->rhost);
	assert_string_equal(a->tty, b->tty);
	assert_int_equal(a->nullok, b->nullok);
	assert_string_equal(a->next, b->next);
	assert_int_equal(a->passed, b->passed);
	for (size_t i = 0; i < FACTOR_COUNT; i++)
		assert_int_equal(a->passed_at[i], b->passed_at[i]);
	assert_int_equal(a->auth_time, b->auth_time);
	assert_memory_equal(a->id, b->id, sizeof(a->id));
	assert_int_equal(a->expires, b->expires);
}

static void test_round_trip(void **state)
{
	struct fixture *f = *state;
	flow_t in = sample(), out;
	char token[SESAME_MAX_TXN + 1];

	assert_int_equal(seal_at(f->k, &in, NOW + 300, token, sizeof(token)), SESAME_OK);
	assert_int_equal(
	    strspn(token, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
	    strlen(token));
	/* nothing of the request is readable in the token */
	assert_null(strstr(token, "alice"));
	memset(&out, 0x5a, sizeof(out));
	assert_int_equal(pam_txn_open(f->k, token, NOW, &out), SESAME_OK);
	assert_same_request(&in, &out);

	/* the other value of every field */
	memset(&in, 0, sizeof(in));
	snprintf(in.user, sizeof(in.user), "host$");
	snprintf(in.service, sizeof(in.service), "su-l");
	in.rhost[0] = '\0';
	snprintf(in.tty, sizeof(in.tty), "/dev/pts/3");
	in.nullok = 0;
	snprintf(in.next, sizeof(in.next), "none");
	assert_int_equal(seal_at(f->k, &in, NOW, token, sizeof(token)), SESAME_OK);
	memset(&out, 0x5a, sizeof(out));
	assert_int_equal(pam_txn_open(f->k, token, NOW, &out), SESAME_OK);
	assert_same_request(&in, &out);
}

static void test_each_field_is_carried(void **state)
{
	struct fixture *f = *state;
	char token[SESAME_MAX_TXN + 1];

	/* change one field at a time, so that no field is silently dropped */
	for (int field = 0; field < 6; field++) {
		flow_t in = sample(), out;
		switch (field) {
		case 0:
			snprintf(in.user, sizeof(in.user), "bob");
			break;
		case 1:
			snprintf(in.service, sizeof(in.service), "login");
			break;
		case 2:
			snprintf(in.rhost, sizeof(in.rhost), "192.0.2.7");
			break;
		case 3:
			snprintf(in.tty, sizeof(in.tty), "tty1");
			break;
		case 4:
			in.nullok = 0;
			break;
		default:
			snprintf(in.next, sizeof(in.next), "none");
			break;
		}
		assert_int_equal(seal_at(f->k, &in, NOW + 1, token, sizeof(token)), SESAME_OK);
		assert_int_equal(pam_txn_open(f->k, token, NOW, &out), SESAME_OK);
		assert_same_request(&in, &out);
	}
}

static void test_maximal_fields(void **state)
{
	struct fixture *f = *state;
	flow_t in, out;
	char token[SESAME_MAX_TXN + 1];

	memset(&in, 0, sizeof(in));
	memset(in.user, 'u', SESAME_MAX_USERNAME);
	memset(in.service, 's', SESAME_MAX_SERVICE);
	memset(in.rhost, 'r', SESAME_MAX_RHOST);
	memset(in.tty, 't', SESAME_MAX_TTY);
	memset(in.next, 'f', sizeof(in.next) - 1);
	in.nullok = 1;
	assert_int_equal(seal_at(f->k, &in, INT64_MAX, token, sizeof(token)), SESAME_OK);
	assert_true(strlen(token) <= SESAME_MAX_TXN);
	assert_int_equal(pam_txn_open(f->k, token, NOW, &out), SESAME_OK);
	assert_same_request(&in, &out);
}

static void test_maximal_fields_with_escaped_characters(void **state)
{
	struct fixture *f = *state;
	flow_t in, out;
	char token[SESAME_MAX_TXN + 1];

	/* the API lets any printable ASCII through in service, rhost and tty
	 * (api_string); '"' and '\\' double in JSON */
	memset(&in, 0, sizeof(in));
	memset(in.user, 'u', SESAME_MAX_USERNAME);
	memset(in.service, '"', SESAME_MAX_SERVICE);
	memset(in.rhost, '\\', SESAME_MAX_RHOST);
	memset(in.tty, '"', SESAME_MAX_TTY);
	snprintf(in.next, sizeof(in.next), "totp");
	int r = seal_at(f->k, &in, NOW + 300, token, sizeof(token));
	if (r != SESAME_OK)
		fail_msg("a request the API accepts cannot be sealed into SESAME_MAX_TXN: %d", r);
	assert_int_equal(pam_txn_open(f->k, token, NOW, &out), SESAME_OK);
	assert_same_request(&in, &out);
}

static void test_seal_buffer_too_small(void **state)
{
	struct fixture *f = *state;
	flow_t in = sample();
	char token[64];

	assert_int_equal(seal_at(f->k, &in, NOW, token, sizeof(token)), SESAME_ERR_TOO_LARGE);
}

static void test_expiry(void **state)
{
	struct fixture *f = *state;
	flow_t in = sample(), out;
	char token[SESAME_MAX_TXN + 1];

	assert_int_equal(seal_at(f->k, &in, NOW + 300, token, sizeof(token)), SESAME_OK);
	assert_int_equal(pam_txn_open(f->k, token, NOW - 1000, &out), SESAME_OK);
	assert_int_equal(pam_txn_open(f->k, token, NOW + 300, &out), SESAME_OK);
	assert_int_equal(pam_txn_open(f->k, token, NOW + 301, &out), SESAME_ERR_EXPIRED);
	assert_int_equal(pam_txn_open(f->k, token, INT64_MAX, &out), SESAME_ERR_EXPIRED);
}

static void test_every_changed_character_refused(void **state)
{
	static const char alphabet[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	struct fixture *f = *state;
	flow_t in = sample(), out;
	char token[SESAME_MAX_TXN + 1];
	size_t len;

	assert_int_equal(seal_at(f->k, &in, NOW + 300, token, sizeof(token)), SESAME_OK);
	len = strlen(token);
	for (size_t i = 0; i < len; i++) {
		char saved = token[i];
		/* the next letter of the alphabet: a change of one to six bits */
		const char *p = strchr(alphabet, saved);
		assert_non_null(p);
		token[i] = alphabet[(size_t)(p - alphabet + 1) % 64];
		int r = pam_txn_open(f->k, token, NOW, &out);
		token[i] = saved;
		if (r != SESAME_ERR_INVALID_ARGUMENT)
			fail_msg("change at %zu of %zu gave %d", i, len, r);
	}
	/* and removing or adding a character */
	token[len - 1] = '\0';
	assert_int_equal(pam_txn_open(f->k, token, NOW, &out), SESAME_ERR_INVALID_ARGUMENT);
	assert_int_equal(seal_at(f->k, &in, NOW + 300, token, sizeof(token)), SESAME_OK);
	strcat(token, "A");
	assert_int_equal(pam_txn_open(f->k, token, NOW, &out), SESAME_ERR_INVALID_ARGUMENT);
	strcat(token, "AAA");
	assert_int_equal(pam_txn_open(f->k, token, NOW, &out), SESAME_ERR_INVALID_ARGUMENT);
}

static void test_other_key_refused(void **state)
{
	struct fixture *f = *state;
	flow_t in = sample(), out;
	char token[SESAME_MAX_TXN + 1];

	assert_int_equal(seal_at(f->other, &in, NOW + 300, token, sizeof(token)), SESAME_OK);
	assert_int_equal(pam_txn_open(f->k, token, NOW, &out), SESAME_ERR_INVALID_ARGUMENT);
	assert_int_equal(pam_txn_open(f->other, token, NOW, &out), SESAME_OK);
}

static void test_garbage_refused(void **state)
{
	static const char *bad[] = {
	    "", "A", "AA", "AAAA", "!!!!", "not a token", "eyJ1IjoiYWxpY2UifQ", "Zm9vYmFy", "===="};
	struct fixture *f = *state;
	flow_t out;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int r = pam_txn_open(f->k, bad[i], NOW, &out);
		if (r != SESAME_ERR_INVALID_ARGUMENT)
			fail_msg("garbage #%zu gave %d", i, r);
	}
}

static void test_oversized_refused(void **state)
{
	struct fixture *f = *state;
	flow_t out;
	size_t sizes[] = {SESAME_MAX_TXN + 1, SESAME_MAX_TXN + 4, 4 * SESAME_MAX_TXN, 100000};
	char *big = malloc(100001);

	assert_non_null(big);
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		memset(big, 'A', sizes[i]);
		big[sizes[i]] = '\0';
		assert_int_equal(pam_txn_open(f->k, big, NOW, &out), SESAME_ERR_INVALID_ARGUMENT);
	}
	free(big);
}

/* Seals arbitrary bytes the way pam_txn_seal does, to check that open
 * validates the content and not just the seal. */
static void seal_text(const seal_keyring_t *k, const char *purpose, const char *text, size_t len,
		      char *token, size_t tokensz)
{
	unsigned char *blob = NULL;
	size_t bloblen = 0;
	assert_int_equal(
	    seal_encrypt(k, purpose, "", (const unsigned char *)text, len, &blob, &bloblen),
	    SESAME_OK);
	assert_int_equal(base64url_encode(blob, bloblen, token, tokensz), SESAME_OK);
	free(blob);
}

/* The layout (pam_txn.c): version, nullok, passed, 16 id bytes, five
 * big-endian i64 times, then five strings (length byte + bytes). */
#define TXN_V 4 /* the layout's version */
#define TIMES_BYTES (8 * (FACTOR_COUNT + 2))

static size_t layout(unsigned char *out, unsigned version, unsigned nullok, unsigned passed,
		     int64_t expires, const char *const strings[5])
{
	unsigned char *p = out;
	int64_t times[FACTOR_COUNT + 2] = {0};

	times[1] = NOW - 5; /* passed_at of totp */
	times[FACTOR_COUNT] = NOW - 5;
	times[FACTOR_COUNT + 1] = expires;

	*p++ = (unsigned char)version;
	*p++ = (unsigned char)nullok;
	*p++ = (unsigned char)passed;
	for (int i = 0; i < 16; i++)
		*p++ = (unsigned char)(i * 17);
	for (int i = 0; i < FACTOR_COUNT + 2; i++)
		for (int b = 7; b >= 0; b--)
			*p++ = (unsigned char)((uint64_t)times[i] >> (8 * b));
	for (int i = 0; i < 5; i++) {
		size_t n = strlen(strings[i]);
		*p++ = (unsigned char)n;
		memcpy(p, strings[i], n);
		p += n;
	}
	return (size_t)(p - out);
}

static void test_sealed_but_invalid_content(void **state)
{
	static const char *const good[5] = {"alice", "sshd", "", "", "totp"};
	static const char *const long_next[5] = {"alice", "sshd", "", "", "totpxxxxxxxxxxxxxxxxx"};
	struct fixture *f = *state;
	unsigned char buf[2048];
	char token[SESAME_MAX_TXN + 1];
	flow_t out;
	size_t n;

	struct {
		size_t len;
		const char *what;
	} bad[16];
	unsigned char texts[16][2048];
	size_t nbad = 0;

#define BAD(what_, expr)                                                                           \
	do {                                                                                       \
		bad[nbad].len = (expr);                                                            \
		bad[nbad].what = what_;                                                            \
		memcpy(texts[nbad], buf, bad[nbad].len);                                           \
		nbad++;                                                                            \
	} while (0)
	BAD("empty", 0);
	BAD("version", layout(buf, TXN_V - 1, 1, FACTOR_TOTP, NOW + 300, good));
	BAD("nullok", layout(buf, TXN_V, 2, FACTOR_TOTP, NOW + 300, good));
	BAD("passed", layout(buf, TXN_V, 1, 0x80, NOW + 300, good));
	BAD("next too long", layout(buf, TXN_V, 1, FACTOR_TOTP, NOW + 300, long_next));
	n = layout(buf, TXN_V, 1, FACTOR_TOTP, NOW + 300, good);
	BAD("truncated", n - 1);
	buf[n] = 'x';
	BAD("extra byte", n + 1);
	n = layout(buf, TXN_V, 1, FACTOR_TOTP, NOW + 300, good);
	buf[3 + 16 + TIMES_BYTES] = 200; /* the user's length runs past the end */
	BAD("string length", n);
	n = layout(buf, TXN_V, 1, FACTOR_TOTP, NOW + 300, good);
	buf[3 + 16 + TIMES_BYTES + 2] = '\0'; /* a NUL inside the user name */
	BAD("NUL inside", n);
	BAD("fixed part only", 3 + 16 + TIMES_BYTES - 1);
#undef BAD
	for (size_t i = 0; i < nbad; i++) {
		seal_text(f->k, "pam-txn", (const char *)texts[i], bad[i].len, token,
			  sizeof(token));
		int r = pam_txn_open(f->k, token, NOW, &out);
		if (r != SESAME_ERR_INVALID_ARGUMENT)
			fail_msg("content \"%s\" gave %d", bad[i].what, r);
	}
	n = layout(buf, TXN_V, 1, FACTOR_TOTP, NOW + 300, good);
	/* the same valid content sealed for another purpose */
	seal_text(f->k, "totp-seed", (const char *)buf, n, token, sizeof(token));
	assert_int_equal(pam_txn_open(f->k, token, NOW, &out), SESAME_ERR_INVALID_ARGUMENT);
	seal_text(f->k, "pam-txn", (const char *)buf, n, token, sizeof(token));
	assert_int_equal(pam_txn_open(f->k, token, NOW, &out), SESAME_OK);
	assert_string_equal(out.user, "alice");
	assert_string_equal(out.next, "totp");
	assert_int_equal(out.nullok, 1);
	assert_int_equal(out.passed, FACTOR_TOTP);
	assert_int_equal(out.id[15], 15 * 17);
	assert_int_equal(out.auth_time, NOW - 5);
	assert_int_equal(out.expires, NOW + 300);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_round_trip),
	    cmocka_unit_test(test_each_field_is_carried),
	    cmocka_unit_test(test_maximal_fields),
	    cmocka_unit_test(test_maximal_fields_with_escaped_characters),
	    cmocka_unit_test(test_seal_buffer_too_small),
	    cmocka_unit_test(test_expiry),
	    cmocka_unit_test(test_every_changed_character_refused),
	    cmocka_unit_test(test_other_key_refused),
	    cmocka_unit_test(test_garbage_refused),
	    cmocka_unit_test(test_oversized_refused),
	    cmocka_unit_test(test_sealed_but_invalid_content),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
