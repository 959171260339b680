/* Password strength policy (NIST SP 800-63B): input bound, strict UTF-8,
 * NFKC normalisation (of the password, the old one and the context words,
 * before any rule, so that every rule and the breach lookups see one
 * spelling), length in code points, optional composition, common passwords,
 * dictionary words, context words, zxcvbn score, old password; every
 * applicable reason is collected, with a sentence and one hint.
 *
 * Thread safety: the policy is read-only after password_policy_new();
 * password_check() keeps its state on its own stack, and zxcvbn-c (with its
 * dictionary compiled in) has no mutable global state. */
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/sha.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "password/breach_online.h"
#include "password/breach_source.h"
#include "password/password.h"
#include "password/pw_common.h"
#include "password/pw_context.h"
#include "password/pw_old.h"
#include "password/pw_score.h"
#include "password/pw_text.h"
#include "sesame/error.h"
#include "sesame/limits.h"
#include "sesame/pw_normalize.h"
#include "sesame/utf8.h"

struct password_policy {
	unsigned min_length, max_length, min_classes, min_score;
	int check_old;
	pw_common_t *common;
	pw_context_t org;	 /* the organisation's words, split and folded */
	breach_source_t *breach; /* offline filter, NULL when not configured */
	int online;
	char online_url[256];
	unsigned online_timeout_ms;
	int online_fail_open;
};

static const char *const reason_codes[PW__COUNT] = {
    [PW_INPUT_TOO_LARGE] = "input_too_large",
    [PW_INVALID_UTF8] = "invalid_utf8",
    [PW_TOO_SHORT] = "too_short",
    [PW_TOO_LONG] = "too_long",
    [PW_COMPOSITION] = "composition",
    [PW_COMMON] = "common",
    [PW_DICTIONARY] = "dictionary",
    [PW_CONTEXT] = "context",
    [PW_WEAK] = "weak",
    [PW_BREACHED] = "breached",
    [PW_BREACH_UNAVAILABLE] = "breach_check_unavailable",
    [PW_SAME_AS_OLD] = "same_as_old",
};

/* Adds the words of text[0..len) in NFKC form, as the password is. */
static int context_add(pw_context_t *c, const char *text, size_t len)
{
	char norm[PW_NORMALIZE_BUF];
	size_t n = 0;
	int r;

	if (text == NULL)
		return SESAME_OK;
	if ((r = pw_normalize(text, len, norm, sizeof(norm), &n, NULL)) == SESAME_OK)
		pw_context_add(c, norm);
	OPENSSL_cleanse(norm, sizeof(norm));
	return r;
}

/* context_add() of a NUL-terminated text, of which pw_context_add() reads
 * PW_CONTEXT_SOURCE_MAX bytes. */
static int context_add_str(pw_context_t *c, const char *text)
{
	return context_add(c, text, text != NULL ? strnlen(text, PW_CONTEXT_SOURCE_MAX) : 0);
}

int password_policy_new(const password_config_t *cfg, password_policy_t **out, char *err,
			size_t errsz)
{
	password_policy_t *p = NULL;
	int r = SESAME_ERR_CONFIG;

	*out = NULL;
	if (cfg->max_length < cfg->min_length || cfg->max_length > SESAME_MAX_PASSWORD ||
	    cfg->min_classes > 4 || cfg->min_score > 4) {
		snprintf(err, errsz,
			 "The password policy needs min_length <= max_length <= %d, "
			 "min_classes <= 4 and min_score <= 4.",
			 SESAME_MAX_PASSWORD);
		goto fail;
	}
	r = SESAME_ERR_NOMEM;
	if ((p = calloc(1, sizeof(*p))) == NULL || pw_common_new(&p->common) != SESAME_OK ||
	    pw_common_add_text(p->common, (const char *)pw_common_bundled, pw_common_bundled_len) !=
		SESAME_OK) {
		snprintf(err, errsz, "Out of memory loading the bundled password list.");
		goto fail;
	}
	for (size_t i = 0; i < cfg->n_lists && i < SESAME_MAX_PW_LISTS; i++)
		if ((r = pw_common_add_file(p->common, cfg->lists[i], err, errsz)) != SESAME_OK)
			goto fail;
	if ((r = pw_common_finish(p->common)) != SESAME_OK) {
		snprintf(err, errsz, "Out of memory indexing the password lists.");
		goto fail;
	}
	p->min_length = cfg->min_length;
	p->max_length = cfg->max_length;
	p->min_classes = cfg->min_classes;
	p->min_score = cfg->min_score;
	p->check_old = cfg->check_old;
	pw_context_init(&p->org);
	for (size_t i = 0; i < cfg->n_org_words && i < SESAME_MAX_ORG_WORDS; i++) {
		size_t n = strnlen(cfg->org_words[i], sizeof(cfg->org_words[0]) - 1);
		if ((r = context_add(&p->org, cfg->org_words[i], n)) != SESAME_OK) {
			snprintf(err, errsz, "Out of memory normalising the organisation's words.");
			goto fail;
		}
	}
	if (cfg->breach_filter[0] != '\0') {
		r = breach_source_new(cfg->breach_filter, &p->breach);
		if (r == SESAME_ERR_NOT_FOUND) {
			snprintf(
			    err, errsz,
			    "The breach filter %s does not exist; build it with \"sesamectl breach "
			    "import LIST --output %s\" or remove breach_filter from the "
			    "configuration.",
			    cfg->breach_filter, cfg->breach_filter);
			r = SESAME_ERR_IO;
			goto fail;
		}
		if (r != SESAME_OK) {
			snprintf(err, errsz, "The breach filter %s cannot be used (%s).",
				 cfg->breach_filter, sesame_err_message(r));
			goto fail;
		}
	}
	p->online = cfg->online;
	snprintf(p->online_url, sizeof(p->online_url), "%s", cfg->online_url);
	p->online_timeout_ms = cfg->online_timeout_ms;
	p->online_fail_open = cfg->online_fail_open;
	*out = p;
	return SESAME_OK;
fail:
	password_policy_free(&p);
	return r;
}

void password_policy_free(password_policy_t **pp)
{
	if (pp == NULL || *pp == NULL)
		return;
	pw_common_free(&(*pp)->common);
	breach_source_free(&(*pp)->breach);
	free(*pp);
	*pp = NULL;
}

/* Breached passwords: the offline filter always (a lookup costs nothing);
 * the online range query only for a password nothing else refused, so the
 * network is not asked about passwords that fail anyway. A failure to
 * check is a refusal unless online_failure = open. */
static unsigned breach_reasons(const password_policy_t *p, const char *pw, size_t len,
			       unsigned so_far)
{
	unsigned char sha1[SHA_DIGEST_LENGTH];
	unsigned reasons = 0;
	int found = 0;

	if (p->breach == NULL && !p->online)
		return 0;
	if (EVP_Digest(pw, len, sha1, NULL, EVP_sha1(), NULL) != 1)
		return 1u << PW_BREACH_UNAVAILABLE;
	if (p->breach != NULL) {
		if (breach_source_check(p->breach, breach_key_from_sha1(sha1), &found) != SESAME_OK)
			reasons |= 1u << PW_BREACH_UNAVAILABLE;
		else if (found)
			reasons |= 1u << PW_BREACHED;
	}
	if (p->online && so_far == 0 && reasons == 0) {
		int r = breach_online_check(p->online_url, p->online_timeout_ms, sha1, &found);
		if (r == SESAME_OK && found)
			reasons |= 1u << PW_BREACHED;
		else if (r != SESAME_OK && !p->online_fail_open)
			reasons |= 1u << PW_BREACH_UNAVAILABLE;
	}
	OPENSSL_cleanse(sha1, sizeof(sha1));
	return reasons;
}

/* Number of the classes lower, upper, digit, other present in pw. */
static unsigned count_classes(const char *pw, size_t len)
{
	unsigned seen = 0, n = 0;

	for (size_t pos = 0; pos < len;)
		seen |= 1u << pw_text_class(utf8_next(pw, len, &pos));
	for (unsigned c = 0; c < 4; c++)
		n += (seen >> c) & 1;
	return n;
}

/* On a list, or on a list once the appended digits and symbols are gone
 * ("password123!", "Dragon2024"; the rest must keep 4 code points). */
static int is_common(const password_policy_t *p, const char *pw, size_t len)
{
	size_t base = pw_text_strip_tail(pw, len), ncp = 0;

	if (pw_common_contains(p->common, pw, len))
		return 1;
	if (base == len || base == 0)
		return 0;
	(void)utf8_validate(pw, base, &ncp);
	return ncp >= 4 && pw_common_contains(p->common, pw, base);
}

static const char *pattern_hint(pw_pattern_t pat)
{
	switch (pat) {
	case PW_PATTERN_REPEAT:
		return "Avoid repeated words and characters.";
	case PW_PATTERN_SEQUENCE:
		return "Avoid sequences like abc or 6543.";
	case PW_PATTERN_SPATIAL:
		return "Avoid keyboard patterns like qwerty.";
	case PW_PATTERN_DATE:
		return "Avoid dates and years that are linked to you.";
	case PW_PATTERN_DICTIONARY:
		return "Add more unrelated words; a single word is easy to guess.";
	case PW_PATTERN_CONTEXT:
		return "Avoid your name, your user name and the service or organisation name.";
	default:
		return "Use a longer passphrase of several unrelated words.";
	}
}

/* One hint, for the refusal a person can act on first. Never quotes the
 * password: every sentence is fixed text or a configured number. */
static void make_hint(const password_policy_t *p, unsigned reasons, pw_pattern_t pat, char *hint,
		      size_t hintsz)
{
#define HAS(r) (reasons & (1u << (r)))
	if (HAS(PW_INPUT_TOO_LARGE) || HAS(PW_TOO_LONG))
		snprintf(hint, hintsz, "Use a password of at most %u characters.", p->max_length);
	else if (HAS(PW_INVALID_UTF8))
		snprintf(hint, hintsz,
			 "Check that your terminal or browser sends UTF-8 and type it again.");
	else if (HAS(PW_SAME_AS_OLD))
		snprintf(hint, hintsz, "Choose a new password that is not based on the old one.");
	else if (HAS(PW_CONTEXT))
		snprintf(hint, hintsz, "%s", pattern_hint(PW_PATTERN_CONTEXT));
	else if (HAS(PW_BREACHED))
		snprintf(hint, hintsz, "Choose a password that you have never used anywhere.");
	else if (HAS(PW_COMMON) || HAS(PW_DICTIONARY) || HAS(PW_WEAK))
		snprintf(hint, hintsz, "%s",
			 pattern_hint(HAS(PW_DICTIONARY) ? PW_PATTERN_DICTIONARY : pat));
	else if (HAS(PW_TOO_SHORT))
		snprintf(hint, hintsz,
			 "Use at least %u characters; several unrelated words are easy to "
			 "remember.",
			 p->min_length);
	else if (HAS(PW_COMPOSITION))
		snprintf(hint, hintsz,
			 "Mix at least %u of: lower-case letters, capitals, digits, other "
			 "characters.",
			 p->min_classes);
	else if (HAS(PW_BREACH_UNAVAILABLE))
		snprintf(hint, hintsz, "Try again in a few minutes.");
	else
		hint[0] = '\0';
#undef HAS
}

int password_check(password_policy_t *p, const password_input_t *in, password_result_t *out)
{
	char pw[PW_NORMALIZE_BUF], old[PW_NORMALIZE_BUF];
	const char *words[PW_CONTEXT_MAX_WORDS + 1];
	const char *oldp = NULL;
	pw_context_t ctx;
	pw_score_t sc = {0};
	pw_normalize_form_t form;
	size_t ncp = 0, len = 0, old_len = 0;
	unsigned reasons = 0;
	int r;

	if (out != NULL) {
		memset(out, 0, sizeof(*out));
		out->score = -1;
	}
	if (p == NULL || in == NULL || out == NULL || (in->password == NULL && in->len > 0) ||
	    (in->old_password == NULL && in->old_len > 0))
		return SESAME_ERR_INVALID_ARGUMENT;
	pw[0] = old[0] = '\0';
	/* the bound first, so that nothing below ever sees a larger input;
	 * any of these three refusals stops the check */
	if (in->len > SESAME_MAX_PASSWORD) {
		reasons = 1u << PW_INPUT_TOO_LARGE;
		goto out;
	}
	if (!utf8_validate(in->password, in->len, NULL)) {
		reasons = 1u << PW_INVALID_UTF8;
		goto out;
	}
	/* every rule below sees the NFKC form, NUL-terminated for zxcvbn
	 * (valid UTF-8 has no NUL): the form that is hashed */
	if ((r = pw_normalize(in->password, in->len, pw, sizeof(pw), &len, &form)) != SESAME_OK)
		goto fail;
	if (form == PW_NORMALIZE_TOO_LONG) {
		reasons = 1u << PW_INPUT_TOO_LARGE;
		goto out;
	}
	(void)utf8_validate(pw, len, &ncp);
	out->length = ncp;

	if (ncp < p->min_length)
		reasons |= 1u << PW_TOO_SHORT;
	if (ncp > p->max_length)
		reasons |= 1u << PW_TOO_LONG;
	if (p->min_classes > 0 && count_classes(pw, len) < p->min_classes)
		reasons |= 1u << PW_COMPOSITION;
	if (is_common(p, pw, len))
		reasons |= 1u << PW_COMMON;

	memcpy(&ctx, &p->org, sizeof(ctx));
	if ((r = context_add_str(&ctx, in->user)) != SESAME_OK ||
	    (r = context_add_str(&ctx, in->real_name)) != SESAME_OK ||
	    (r = context_add_str(&ctx, in->service)) != SESAME_OK)
		goto fail;
	if (pw_context_matches(&ctx, pw, len))
		reasons |= 1u << PW_CONTEXT;

	pw_context_list(&ctx, words);
	pw_score(pw, len, words, &sc);
	out->score = sc.score;
	if (sc.dictionary)
		reasons |= 1u << PW_DICTIONARY;
	if ((unsigned)sc.score < p->min_score)
		reasons |= 1u << PW_WEAK;

	reasons |= breach_reasons(p, pw, len, reasons);

	if (p->check_old && in->old_password != NULL) {
		/* an old password beyond the bound is never similar (pw_old.h) */
		oldp = in->old_password;
		old_len = in->old_len;
		if (old_len <= SESAME_MAX_PASSWORD) {
			if ((r = pw_normalize(in->old_password, in->old_len, old, sizeof(old),
					      &old_len, NULL)) != SESAME_OK)
				goto fail;
			oldp = old;
		}
		if (pw_old_similar(pw, len, oldp, old_len))
			reasons |= 1u << PW_SAME_AS_OLD;
	}
out:
	make_hint(p, reasons, sc.pattern, out->hint, sizeof(out->hint));
	out->reasons = reasons;
	out->accepted = reasons == 0;
	r = SESAME_OK;
	goto done;
fail:
	memset(out, 0, sizeof(*out));
	out->score = -1;
done:
	OPENSSL_cleanse(pw, sizeof(pw));
	OPENSSL_cleanse(old, sizeof(old));
	OPENSSL_cleanse(&sc, sizeof(sc));
	return r;
}

const char *password_reason_code(password_reason_t r)
{
	return (unsigned)r < PW__COUNT ? reason_codes[r] : "unknown";
}

void password_reason_text(const password_policy_t *p, password_reason_t r, char *buf, size_t bufsz)
{
	if (buf == NULL || bufsz == 0)
		return;
	switch (r) {
	case PW_INPUT_TOO_LARGE:
		snprintf(buf, bufsz,
			 "The password is longer than the %d bytes that can be checked.",
			 SESAME_MAX_PASSWORD);
		break;
	case PW_INVALID_UTF8:
		snprintf(buf, bufsz, "The password is not valid UTF-8 text.");
		break;
	case PW_TOO_SHORT:
		if (p != NULL)
			snprintf(buf, bufsz, "The password must have at least %u characters.",
				 p->min_length);
		else
			snprintf(buf, bufsz, "The password is too short.");
		break;
	case PW_TOO_LONG:
		if (p != NULL)
			snprintf(buf, bufsz, "The password must have at most %u characters.",
				 p->max_length);
		else
			snprintf(buf, bufsz, "The password is too long.");
		break;
	case PW_COMPOSITION:
		if (p != NULL)
			snprintf(
			    buf, bufsz,
			    "The password must mix at least %u kinds of characters: lower-case "
			    "letters, capitals, digits and others.",
			    p->min_classes);
		else
			snprintf(buf, bufsz,
				 "The password does not mix enough kinds of characters.");
		break;
	case PW_COMMON:
		snprintf(buf, bufsz, "The password is one of the most common passwords.");
		break;
	case PW_DICTIONARY:
		snprintf(buf, bufsz, "The password is a dictionary word.");
		break;
	case PW_CONTEXT:
		snprintf(buf, bufsz,
			 "The password contains your user name, your name, the service name or the "
			 "organisation's name.");
		break;
	case PW_WEAK:
		snprintf(buf, bufsz, "The password is too easy to guess.");
		break;
	case PW_BREACHED:
		snprintf(buf, bufsz, "The password was found in a list of breached passwords.");
		break;
	case PW_BREACH_UNAVAILABLE:
		snprintf(buf, bufsz,
			 "The breached-password service could not be reached; try again later.");
		break;
	case PW_SAME_AS_OLD:
		snprintf(buf, bufsz, "The new password is too similar to the old one.");
		break;
	default:
		snprintf(buf, bufsz, "The password was refused.");
		break;
	}
}
