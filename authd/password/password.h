/* Password strength policy (NIST SP 800-63B): the one place that decides
 * whether a new password is acceptable, for PAM password changes,
 * sesamectl and the web pages. Knows nothing of HTTP or JSON. */
#ifndef AUTHD_PASSWORD_H
#define AUTHD_PASSWORD_H

#include <stddef.h>

#include "config.h"

/* Reasons for a refusal, each with a stable code (password_reason_code) and
 * a sentence (password_reason_text). Bit i of password_result_t.reasons. */
typedef enum {
	PW_INPUT_TOO_LARGE = 0, /* "input_too_large": over SESAME_MAX_PASSWORD bytes, as
				   typed or in NFKC form */
	PW_INVALID_UTF8,	/* "invalid_utf8" */
	PW_TOO_SHORT,		/* "too_short": fewer than min_length code points */
	PW_TOO_LONG,		/* "too_long": more than max_length code points */
	PW_COMPOSITION,		/* "composition": fewer than min_classes classes */
	PW_COMMON,		/* "common": on the bundled or an admin list */
	PW_DICTIONARY,		/* "dictionary": a dictionary word, maybe l33t */
	PW_CONTEXT,		/* "context": user/real/service/organisation name */
	PW_WEAK,		/* "weak": zxcvbn score below min_score */
	PW_BREACHED,		/* "breached": in the offline filter or online range */
	PW_BREACH_UNAVAILABLE,	/* "breach_check_unavailable": online check failed, closed */
	PW_SAME_AS_OLD,		/* "same_as_old": the old password or a trivial variation */
	PW__COUNT
} password_reason_t;

typedef struct password_policy password_policy_t;

typedef struct {
	const char *password; /* raw bytes, not NUL-terminated necessarily */
	size_t len;
	const char *old_password; /* NULL when unknown */
	size_t old_len;
	/* context; any may be NULL */
	const char *user;
	const char *real_name; /* GECOS full name */
	const char *service;
} password_input_t;

typedef struct {
	int accepted;
	unsigned reasons; /* bit (1u << password_reason_t) per refusal reason */
	int score;	  /* zxcvbn 0..4; -1 when not computed (e.g. invalid input) */
	size_t length;	  /* code points of the NFKC form; 0 when not valid UTF-8 */
	char hint[256];	  /* what would pass; never contains the password */
} password_result_t;

/* Builds a policy from cfg: loads the bundled list, the admin lists and
 * the breach filter (when configured). On error writes one sentence into
 * err (naming the file) and returns SESAME_ERR_CONFIG or SESAME_ERR_IO. */
int password_policy_new(const password_config_t *cfg, password_policy_t **out, char *err,
			size_t errsz);
void password_policy_free(password_policy_t **pp);

/* Checks in against the policy: every rule sees the NFKC form of the
 * password, of the old one and of the context words (pw_normalize.h), the
 * form userpw_hash() hashes. Thread-safe; never logs the password.
 * Returns SESAME_OK with *out filled whether accepted or not; an error
 * only when the check itself could not run. */
int password_check(password_policy_t *p, const password_input_t *in, password_result_t *out);

const char *password_reason_code(password_reason_t r);
/* The sentence for r under policy p (it may quote min_length etc.). */
void password_reason_text(const password_policy_t *p, password_reason_t r, char *buf, size_t bufsz);

#endif
