/* Argon2id password hashes (see userpw.h). The encoded string is parsed
 * and bounded here before libargon2 decodes it: its verify allocates the
 * memory the string names, and the string comes from the database. What
 * is hashed is the password's NFKC form (password/pw_normalize.h). */
#include <argon2.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <pthread.h>
#include <stdint.h>
#include <string.h>

#include "sesame/error.h"
#include "sesame/limits.h"
#include "sesame/log.h"
#include "sesame/pw_normalize.h"
#include "userpw.h"

#define USERPW_PREFIX "$argon2id$v=19$"
#define USERPW_MAX_DIGITS 10 /* a decimal uint32_t */

/* At most USERPW_MAX_CONCURRENT hashes hold their memory at a time. */
static pthread_mutex_t userpw_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t userpw_cv = PTHREAD_COND_INITIALIZER;
static unsigned userpw_running;

static void slot_take(void)
{
	pthread_mutex_lock(&userpw_mu);
	while (userpw_running >= USERPW_MAX_CONCURRENT)
		pthread_cond_wait(&userpw_cv, &userpw_mu);
	userpw_running++;
	pthread_mutex_unlock(&userpw_mu);
}

static void slot_give(void)
{
	pthread_mutex_lock(&userpw_mu);
	userpw_running--;
	pthread_cond_signal(&userpw_cv);
	pthread_mutex_unlock(&userpw_mu);
}

static int map_argon2(int rc, const char *what)
{
	if (rc == ARGON2_OK)
		return SESAME_OK;
	if (rc == ARGON2_VERIFY_MISMATCH)
		return SESAME_ERR_WRONG_PASSWORD;
	if (rc == ARGON2_DECODING_FAIL) /* e.g. base64 with stray low bits */
		return SESAME_ERR_INVALID_ARGUMENT;
	log_err("userpw: %s: %s", what, argon2_error_message(rc));
	return rc == ARGON2_MEMORY_ALLOCATION_ERROR ? SESAME_ERR_NOMEM : SESAME_ERR_CRYPTO;
}

int userpw_hash(const char *pw, size_t len, char *out, size_t outsz)
{
	unsigned char salt[USERPW_SALT_LEN];
	char norm[PW_NORMALIZE_BUF];
	size_t nlen = 0;
	int rc, r;

	if (out == NULL || outsz == 0)
		return SESAME_ERR_INVALID_ARGUMENT;
	out[0] = '\0';
	if ((pw == NULL && len) || len > SESAME_MAX_PASSWORD ||
	    outsz < argon2_encodedlen(USERPW_T_COST, USERPW_M_COST_KIB, USERPW_PARALLELISM,
				      USERPW_SALT_LEN, USERPW_TAG_LEN, Argon2_id))
		return SESAME_ERR_INVALID_ARGUMENT;
	if ((r = pw_normalize(pw, len, norm, sizeof(norm), &nlen, NULL)) != SESAME_OK)
		return r;
	if (RAND_bytes(salt, sizeof(salt)) != 1) {
		OPENSSL_cleanse(norm, sizeof(norm));
		return SESAME_ERR_CRYPTO;
	}
	slot_take();
	rc = argon2id_hash_encoded(USERPW_T_COST, USERPW_M_COST_KIB, USERPW_PARALLELISM, norm, nlen,
				   salt, sizeof(salt), USERPW_TAG_LEN, out, outsz);
	slot_give();
	OPENSSL_cleanse(salt, sizeof(salt));
	OPENSSL_cleanse(norm, sizeof(norm));
	if (rc != ARGON2_OK)
		out[0] = '\0';
	return map_argon2(rc, "hash");
}

/* "name=" then a decimal without leading zeros, at most max; advances *p. */
static int parse_param(const char **p, const char *name, uint32_t max, uint32_t *out)
{
	const char *s = *p;
	size_t n = strlen(name), digits = 0;
	uint64_t v = 0;

	if (strncmp(s, name, n) != 0)
		return -1;
	s += n;
	if (s[0] == '0' && s[1] >= '0' && s[1] <= '9')
		return -1;
	while (*s >= '0' && *s <= '9') {
		if (++digits > USERPW_MAX_DIGITS)
			return -1;
		v = v * 10 + (uint64_t)(*s++ - '0');
	}
	if (digits == 0 || v > max)
		return -1;
	*out = (uint32_t)v;
	*p = s;
	return 0;
}

/* Unpadded standard base64 up to the next '$' or the end; *bytes is the
 * decoded length. Advances *p. */
static int parse_b64(const char **p, size_t *bytes)
{
	const char *s = *p;
	size_t n = strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/");

	if (n == 0 || n % 4 == 1)
		return -1;
	*bytes = n / 4 * 3 + (n % 4 ? n % 4 - 1 : 0);
	*p = s + n;
	return 0;
}

typedef struct {
	uint32_t m, t, p;
	size_t saltlen, taglen;
} userpw_params_t;

/* The exact grammar of an Argon2id v1.3 string, with every number and
 * length within the USERPW_MAX_* bounds. */
static int parse_encoded(const char *s, userpw_params_t *pp)
{
	if (strnlen(s, USERPW_ENCODED_MAX) >= USERPW_ENCODED_MAX ||
	    strncmp(s, USERPW_PREFIX, strlen(USERPW_PREFIX)) != 0)
		return -1;
	s += strlen(USERPW_PREFIX);
	if (parse_param(&s, "m=", USERPW_MAX_M_COST_KIB, &pp->m) != 0 || *s++ != ',' ||
	    parse_param(&s, "t=", USERPW_MAX_T_COST, &pp->t) != 0 || *s++ != ',' ||
	    parse_param(&s, "p=", USERPW_MAX_PARALLELISM, &pp->p) != 0 || *s++ != '$' ||
	    parse_b64(&s, &pp->saltlen) != 0 || *s++ != '$' || parse_b64(&s, &pp->taglen) != 0 ||
	    *s != '\0')
		return -1;
	/* what argon2 itself requires, checked here so that every refusal of
	 * a malformed string is ours */
	if (pp->t < 1 || pp->p < 1 || pp->m < ARGON2_MIN_MEMORY || pp->m < 8 * pp->p ||
	    pp->saltlen < USERPW_MIN_SALT_LEN || pp->saltlen > USERPW_MAX_SALT_LEN ||
	    pp->taglen < USERPW_MIN_TAG_LEN || pp->taglen > USERPW_MAX_TAG_LEN)
		return -1;
	return 0;
}

int userpw_verify(const char *encoded, const char *pw, size_t len, int *needs_rehash)
{
	userpw_params_t pp;
	char norm[PW_NORMALIZE_BUF];
	size_t nlen = 0;
	int rc, r, legacy = 0;

	if (needs_rehash)
		*needs_rehash = 0;
	if (encoded == NULL || (pw == NULL && len) || len > SESAME_MAX_PASSWORD ||
	    parse_encoded(encoded, &pp) != 0)
		return SESAME_ERR_INVALID_ARGUMENT;
	if ((r = pw_normalize(pw, len, norm, sizeof(norm), &nlen, NULL)) != SESAME_OK)
		return r;
	slot_take();
	rc = argon2id_verify(encoded, norm, nlen);
	/* A hash made before passwords were normalised holds the bytes as
	 * they were typed: when they differ from the NFKC form, try them too
	 * and have the caller store the normalised hash. Whether the second
	 * run happens depends only on the input, never on the stored hash, so
	 * the dummy verification of an unknown user costs the same. */
	if (rc == ARGON2_VERIFY_MISMATCH &&
	    (nlen != len || (len > 0 && memcmp(norm, pw, len) != 0))) {
		rc = argon2id_verify(encoded, pw, len);
		legacy = rc == ARGON2_OK;
	}
	slot_give();
	OPENSSL_cleanse(norm, sizeof(norm));
	if ((rc = map_argon2(rc, "verify")) != SESAME_OK)
		return rc;
	if (needs_rehash)
		*needs_rehash = legacy || pp.m != USERPW_M_COST_KIB || pp.t != USERPW_T_COST ||
				pp.p != USERPW_PARALLELISM || pp.saltlen != USERPW_SALT_LEN ||
				pp.taglen != USERPW_TAG_LEN;
	return SESAME_OK;
}
