/* Unit tests for authd/userpw.c: Argon2id hashes of user passwords, their
 * parameters, the refusal of foreign or absurd encoded strings before
 * libargon2 allocates anything, and NFKC: one hash for every spelling,
 * and hashes made before normalisation still verify (and ask for a
 * rehash). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h> /* after the four headers it needs */

#include <argon2.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "sesame/error.h"
#include "sesame/limits.h"
#include "userpw.h"

static const char pw[] = "correct horse battery staple";

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* An encoded Argon2id string made by libargon2 with other parameters. */
static void other_hash(uint32_t t, uint32_t m, uint32_t p, size_t saltlen, size_t taglen, char *out,
		       size_t outsz)
{
	unsigned char salt[64];
	memset(salt, 0x5a, sizeof(salt));
	assert_int_equal(
	    argon2id_hash_encoded(t, m, p, pw, strlen(pw), salt, saltlen, taglen, out, outsz),
	    ARGON2_OK);
}

static void test_round_trip(void **state)
{
	char enc[USERPW_ENCODED_MAX];
	char prefix[64];
	int rehash = -1;
	double t0, t1;

	(void)state;
	t0 = now_s();
	assert_int_equal(userpw_hash(pw, strlen(pw), enc, sizeof(enc)), SESAME_OK);
	t1 = now_s();
	print_message("userpw_hash: %.0f ms (m=%u KiB, t=%u, p=%u)\n", (t1 - t0) * 1e3,
		      USERPW_M_COST_KIB, USERPW_T_COST, USERPW_PARALLELISM);
	snprintf(prefix, sizeof(prefix), "$argon2id$v=19$m=%u,t=%u,p=%u$", USERPW_M_COST_KIB,
		 USERPW_T_COST, USERPW_PARALLELISM);
	assert_memory_equal(enc, prefix, strlen(prefix));
	/* 16-byte salt and 32-byte tag, unpadded base64: 22 and 43 characters */
	const char *salt = enc + strlen(prefix), *tag = strchr(salt, '$');
	assert_non_null(tag);
	assert_int_equal(tag - salt, 22);
	assert_int_equal(strlen(tag + 1), 43);

	t0 = now_s();
	assert_int_equal(userpw_verify(enc, pw, strlen(pw), &rehash), SESAME_OK);
	t1 = now_s();
	print_message("userpw_verify: %.0f ms\n", (t1 - t0) * 1e3);
	assert_int_equal(rehash, 0);
	assert_int_equal(userpw_verify(enc, pw, strlen(pw), NULL), SESAME_OK);

	/* the empty password and a password with any bytes but NUL */
	assert_int_equal(userpw_hash("", 0, enc, sizeof(enc)), SESAME_OK);
	assert_int_equal(userpw_verify(enc, "", 0, &rehash), SESAME_OK);
	assert_int_equal(userpw_verify(enc, "x", 1, &rehash), SESAME_ERR_WRONG_PASSWORD);
	static const char odd[] = "\xc3\xa9t\xc3\xa9 \xf0\x9f\x94\x91 \x01\x7f";
	assert_int_equal(userpw_hash(odd, strlen(odd), enc, sizeof(enc)), SESAME_OK);
	assert_int_equal(userpw_verify(enc, odd, strlen(odd), &rehash), SESAME_OK);
}

static void test_wrong_password(void **state)
{
	char enc[USERPW_ENCODED_MAX];
	char other[sizeof(pw)];
	int rehash = -1;

	(void)state;
	assert_int_equal(userpw_hash(pw, strlen(pw), enc, sizeof(enc)), SESAME_OK);
	memcpy(other, pw, sizeof(pw));
	other[0] ^= 0x20; /* case */
	assert_int_equal(userpw_verify(enc, other, strlen(other), &rehash),
			 SESAME_ERR_WRONG_PASSWORD);
	assert_int_equal(rehash, 0);
	assert_int_equal(userpw_verify(enc, pw, strlen(pw) - 1, &rehash),
			 SESAME_ERR_WRONG_PASSWORD);
	assert_int_equal(userpw_verify(enc, "", 0, &rehash), SESAME_ERR_WRONG_PASSWORD);
	/* a tag changed in its last character */
	size_t n = strlen(enc);
	enc[n - 2] = enc[n - 2] == 'A' ? 'B' : 'A';
	assert_int_equal(userpw_verify(enc, pw, strlen(pw), &rehash), SESAME_ERR_WRONG_PASSWORD);
}

static void test_needs_rehash(void **state)
{
	static const struct {
		uint32_t t, m, p;
		size_t salt, tag;
	} v[] = {
	    {1, 1024, 1, 16, 32},			   /* weaker memory and time */
	    {USERPW_T_COST, 1024, 1, 16, 32},		   /* memory only */
	    {USERPW_T_COST + 1, 8192, 1, 16, 32},	   /* more passes */
	    {USERPW_T_COST, USERPW_M_COST_KIB, 2, 16, 32}, /* lanes */
	    {1, 1024, 1, 32, 32},			   /* salt length */
	    {1, 1024, 1, 16, 64},			   /* tag length */
	};
	char enc[USERPW_ENCODED_MAX];
	int rehash;

	(void)state;
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		other_hash(v[i].t, v[i].m, v[i].p, v[i].salt, v[i].tag, enc, sizeof(enc));
		rehash = -1;
		assert_int_equal(userpw_verify(enc, pw, strlen(pw), &rehash), SESAME_OK);
		assert_int_equal(rehash, 1);
		rehash = -1;
		assert_int_equal(userpw_verify(enc, "nope", 4, &rehash), SESAME_ERR_WRONG_PASSWORD);
		assert_int_equal(rehash, 0);
	}
	/* the current parameters through libargon2 directly: no rehash */
	other_hash(USERPW_T_COST, USERPW_M_COST_KIB, USERPW_PARALLELISM, USERPW_SALT_LEN,
		   USERPW_TAG_LEN, enc, sizeof(enc));
	assert_int_equal(userpw_verify(enc, pw, strlen(pw), &rehash), SESAME_OK);
	assert_int_equal(rehash, 0);
}

static void test_foreign_and_absurd_encodings(void **state)
{
	/* a valid salt and tag of 16 and 32 bytes, for the strings below */
	static const char st[] = "$WlpaWlpaWlpaWlpaWlpaWg$"
				 "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
	static const char *const heads[] = {
	    "$argon2i$v=19$m=65536,t=3,p=1",
	    "$argon2d$v=19$m=65536,t=3,p=1",
	    "$argon2id$v=16$m=65536,t=3,p=1",
	    "$argon2id$m=65536,t=3,p=1",	/* no version: 1.0 */
	    "$argon2id$v=19$m=4194304,t=3,p=1", /* 4 GiB */
	    "$argon2id$v=19$m=4294967295,t=3,p=1",
	    "$argon2id$v=19$m=99999999999,t=3,p=1",
	    "$argon2id$v=19$m=262145,t=3,p=1", /* just over the bound */
	    "$argon2id$v=19$m=65536,t=17,p=1",
	    "$argon2id$v=19$m=65536,t=3,p=9",
	    "$argon2id$v=19$m=65536,t=0,p=1",
	    "$argon2id$v=19$m=65536,t=3,p=0",
	    "$argon2id$v=19$m=7,t=3,p=1",
	    "$argon2id$v=19$m=065536,t=3,p=1",
	    "$argon2id$v=19$m=-1,t=3,p=1",
	    "$argon2id$v=19$m=65536,p=1,t=3",
	    "$argon2id$v=19$m=65536,t=3,p=1,keyid=x",
	    "$argon2id$v=19$m=65536, t=3,p=1",
	    "$ARGON2ID$v=19$m=65536,t=3,p=1",
	    "$2b$12$m=65536,t=3,p=1",
	};
	static const char *const whole[] = {
	    "",
	    "$argon2id$",
	    "$argon2id$v=19$m=65536,t=3,p=1",
	    "$argon2id$v=19$m=65536,t=3,p=1$WlpaWlpaWlpaWlpaWlpaWg",
	    "$argon2id$v=19$m=65536,t=3,p=1$$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
	    "$argon2id$v=19$m=65536,t=3,p=1$WlpaWg$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
	    "$argon2id$v=19$m=65536,t=3,p=1$WlpaWlpaWlpaWlpaWlpaWg$AAAAAAAAAAAAAAAAAAAA",
	    "$argon2id$v=19$m=65536,t=3,p=1$WlpaWlpaWlpaWlpaWlpaWg==$"
	    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
	    "$argon2id$v=19$m=65536,t=3,p=1$WlpaWlpaWlpaWlpaWlpaWg$"
	    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA$",
	    "$argon2id$v=19$m=65536,t=3,p=1$WlpaWlpaWlpaWlpaWlpaWg$"
	    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n",
	    "$argon2id$v=19$m=65536,t=3,p=1$WlpaWlpaWlpaWlpaWlpaWg$"
	    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", /* 4n+1 characters */
	    "{SSHA}abcdef",
	    "$6$salt$hash",
	};
	char enc[USERPW_ENCODED_MAX * 2];
	int rehash;

	(void)state;
	for (size_t i = 0; i < sizeof(heads) / sizeof(heads[0]); i++) {
		snprintf(enc, sizeof(enc), "%s%s", heads[i], st);
		double t0 = now_s();
		rehash = -1;
		if (userpw_verify(enc, pw, strlen(pw), &rehash) != SESAME_ERR_INVALID_ARGUMENT)
			fail_msg("accepted: %s", enc);
		assert_int_equal(rehash, 0);
		/* refused by parsing: no hash was computed */
		assert_true(now_s() - t0 < 0.02);
	}
	for (size_t i = 0; i < sizeof(whole) / sizeof(whole[0]); i++)
		if (userpw_verify(whole[i], pw, strlen(pw), &rehash) != SESAME_ERR_INVALID_ARGUMENT)
			fail_msg("accepted: %s", whole[i]);
	/* the well-formed version of the strings above parses (and mismatches) */
	snprintf(enc, sizeof(enc), "$argon2id$v=19$m=1024,t=1,p=1%s", st);
	assert_int_equal(userpw_verify(enc, pw, strlen(pw), &rehash), SESAME_ERR_WRONG_PASSWORD);
	/* longer than any hash of the bounded parameters */
	memset(enc, 'A', sizeof(enc) - 1);
	enc[sizeof(enc) - 1] = '\0';
	memcpy(enc, "$argon2id$v=19$m=1024,t=1,p=1$", 30);
	assert_int_equal(userpw_verify(enc, pw, strlen(pw), &rehash), SESAME_ERR_INVALID_ARGUMENT);
	assert_int_equal(userpw_verify(NULL, pw, strlen(pw), &rehash), SESAME_ERR_INVALID_ARGUMENT);
}

static void test_salt_unique(void **state)
{
	char a[USERPW_ENCODED_MAX], b[USERPW_ENCODED_MAX], c[USERPW_ENCODED_MAX];

	(void)state;
	assert_int_equal(userpw_hash(pw, strlen(pw), a, sizeof(a)), SESAME_OK);
	assert_int_equal(userpw_hash(pw, strlen(pw), b, sizeof(b)), SESAME_OK);
	assert_int_equal(userpw_hash(pw, strlen(pw), c, sizeof(c)), SESAME_OK);
	/* the salts differ, hence the tags */
	const char *sa = strrchr(a, '$'), *sb = strrchr(b, '$'), *sc = strrchr(c, '$');
	assert_string_not_equal(a, b);
	assert_string_not_equal(b, c);
	assert_string_not_equal(a, c);
	assert_string_not_equal(sa, sb);
	assert_string_not_equal(sb, sc);
	assert_int_equal(userpw_verify(a, pw, strlen(pw), NULL), SESAME_OK);
	assert_int_equal(userpw_verify(b, pw, strlen(pw), NULL), SESAME_OK);
}

static void test_bounds(void **state)
{
	static char big[SESAME_MAX_PASSWORD + 2];
	char enc[USERPW_ENCODED_MAX];

	(void)state;
	memset(big, 'a', sizeof(big) - 1);
	assert_int_equal(userpw_hash(big, SESAME_MAX_PASSWORD + 1, enc, sizeof(enc)),
			 SESAME_ERR_INVALID_ARGUMENT);
	assert_string_equal(enc, "");
	assert_int_equal(userpw_hash(pw, strlen(pw), enc, 40), SESAME_ERR_INVALID_ARGUMENT);
	assert_int_equal(userpw_hash(big, SESAME_MAX_PASSWORD, enc, sizeof(enc)), SESAME_OK);
	assert_int_equal(userpw_verify(enc, big, SESAME_MAX_PASSWORD, NULL), SESAME_OK);
	assert_int_equal(userpw_verify(enc, big, SESAME_MAX_PASSWORD + 1, NULL),
			 SESAME_ERR_INVALID_ARGUMENT);
}

/* "Crème brûlée" precomposed (NFC) and with combining marks (NFD). */
static const char nfc[] = "Cr\xc3\xa8me br\xc3\xbbl\xc3\xa9"
			  "e au caramel";
static const char nfd[] = "Cre\xcc\x80me bru\xcc\x82le\xcc\x81"
			  "e au caramel";

static void test_normalized(void **state)
{
	char enc[USERPW_ENCODED_MAX];
	int rehash;

	(void)state;
	/* a hash of either spelling verifies the other, without a rehash */
	assert_int_equal(userpw_hash(nfc, strlen(nfc), enc, sizeof(enc)), SESAME_OK);
	rehash = -1;
	assert_int_equal(userpw_verify(enc, nfd, strlen(nfd), &rehash), SESAME_OK);
	assert_int_equal(rehash, 0);
	rehash = -1;
	assert_int_equal(userpw_verify(enc, nfc, strlen(nfc), &rehash), SESAME_OK);
	assert_int_equal(rehash, 0);
	assert_int_equal(userpw_hash(nfd, strlen(nfd), enc, sizeof(enc)), SESAME_OK);
	assert_int_equal(userpw_verify(enc, nfc, strlen(nfc), &rehash), SESAME_OK);
	assert_int_equal(rehash, 0);
	/* what was hashed is the NFC form, as libargon2 computes it itself */
	assert_int_equal(argon2id_verify(enc, nfc, strlen(nfc)), ARGON2_OK);
	assert_int_equal(argon2id_verify(enc, nfd, strlen(nfd)), ARGON2_VERIFY_MISMATCH);
	/* a different password still fails in either spelling */
	static const char other[] = "Cre\xcc\x80me brulee au caramel";
	assert_int_equal(userpw_verify(enc, other, strlen(other), &rehash),
			 SESAME_ERR_WRONG_PASSWORD);
	assert_int_equal(rehash, 0);
	/* compatibility forms: the ligature "ﬁ" is "fi" */
	assert_int_equal(userpw_hash("\xef\xac\x81ve", 5, enc, sizeof(enc)), SESAME_OK);
	assert_int_equal(userpw_verify(enc, "five", 4, &rehash), SESAME_OK);
	/* invalid UTF-8 is hashed as it is, not refused */
	assert_int_equal(userpw_hash("e\xcc\x81\xff", 4, enc, sizeof(enc)), SESAME_OK);
	assert_int_equal(userpw_verify(enc, "e\xcc\x81\xff", 4, &rehash), SESAME_OK);
	assert_int_equal(userpw_verify(enc, "\xc3\xa9\xff", 3, &rehash), SESAME_ERR_WRONG_PASSWORD);
}

/* Hashes from before normalisation: the bytes as typed, hashed by
 * libargon2 with the current parameters. */
static void test_legacy_unnormalized(void **state)
{
	unsigned char salt[USERPW_SALT_LEN];
	char enc[USERPW_ENCODED_MAX], fresh[USERPW_ENCODED_MAX];
	int rehash;

	(void)state;
	memset(salt, 0x42, sizeof(salt));
	assert_int_equal(argon2id_hash_encoded(USERPW_T_COST, USERPW_M_COST_KIB, USERPW_PARALLELISM,
					       nfd, strlen(nfd), salt, sizeof(salt), USERPW_TAG_LEN,
					       enc, sizeof(enc)),
			 ARGON2_OK);
	/* the same bytes: matched through the raw form, rehash asked for */
	rehash = -1;
	assert_int_equal(userpw_verify(enc, nfd, strlen(nfd), &rehash), SESAME_OK);
	assert_int_equal(rehash, 1);
	/* the other spelling never matched the old hash and does not now */
	rehash = -1;
	assert_int_equal(userpw_verify(enc, nfc, strlen(nfc), &rehash), SESAME_ERR_WRONG_PASSWORD);
	assert_int_equal(rehash, 0);
	rehash = -1;
	assert_int_equal(userpw_verify(enc, "nope", 4, &rehash), SESAME_ERR_WRONG_PASSWORD);
	assert_int_equal(rehash, 0);
	/* the rehash the caller makes (userpw_hash of what was typed) takes
	 * both spellings, without a further rehash */
	assert_int_equal(userpw_hash(nfd, strlen(nfd), fresh, sizeof(fresh)), SESAME_OK);
	assert_int_equal(userpw_verify(fresh, nfd, strlen(nfd), &rehash), SESAME_OK);
	assert_int_equal(rehash, 0);
	assert_int_equal(userpw_verify(fresh, nfc, strlen(nfc), &rehash), SESAME_OK);
	assert_int_equal(rehash, 0);
	/* an old NFC hash (most keyboards) is already the normalised form */
	assert_int_equal(argon2id_hash_encoded(USERPW_T_COST, USERPW_M_COST_KIB, USERPW_PARALLELISM,
					       nfc, strlen(nfc), salt, sizeof(salt), USERPW_TAG_LEN,
					       enc, sizeof(enc)),
			 ARGON2_OK);
	assert_int_equal(userpw_verify(enc, nfd, strlen(nfd), &rehash), SESAME_OK);
	assert_int_equal(rehash, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_round_trip),
	    cmocka_unit_test(test_wrong_password),
	    cmocka_unit_test(test_needs_rehash),
	    cmocka_unit_test(test_foreign_and_absurd_encodings),
	    cmocka_unit_test(test_salt_unique),
	    cmocka_unit_test(test_bounds),
	    cmocka_unit_test(test_normalized),
	    cmocka_unit_test(test_legacy_unnormalized),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
