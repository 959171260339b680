/* libFuzzer target: the decoders of the daemon's replies (lib/client_decode.c),
 * the one parser that runs inside root processes (pam_sesame.so in sshd, su).
 * Each input is given to every decoder; whatever one accepts must satisfy
 * the struct's documented invariants, and a refusal must leave it zeroed. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sesame/client_decode.h"
#include "sesame/error.h"
#include "sesame/limits.h"

/* s[0..size) holds a NUL within max + 1 bytes. */
static void check_str(const char *s, size_t size, size_t max)
{
	if (size < max + 1 || strnlen(s, size) > max)
		abort();
}

static int all_zero(const void *p, size_t n)
{
	const unsigned char *b = p;

	for (size_t i = 0; i < n; i++)
		if (b[i] != 0)
			return 0;
	return 1;
}

static void fuzz_step(const char *json, size_t len)
{
	client_pam_step_t s;

	if (client_pam_step_decode(json, len, &s) != SESAME_OK) {
		if (!all_zero(&s, sizeof(s)))
			abort();
		return;
	}
	check_str(s.txn, sizeof(s.txn), SESAME_MAX_TXN);
	check_str(s.prompt, sizeof(s.prompt), SESAME_MAX_PROMPT);
	check_str(s.factor, sizeof(s.factor), SESAME_MAX_TOKEN);
	check_str(s.reason, sizeof(s.reason), SESAME_MAX_TOKEN);
	check_str(s.message, sizeof(s.message), SESAME_MAX_MESSAGE);
	if (s.wait < 0 || s.wait > SESAME_MAX_WAIT)
		abort();
	switch (s.kind) {
	case CLIENT_STEP_PROMPT:
		if (s.txn[0] == '\0' || s.factor[0] == '\0' || s.prompt[0] == '\0' ||
		    s.result != CLIENT_RESULT_NONE || s.digits < 0 || s.digits > SESAME_MAX_ANSWER)
			abort();
		break;
	case CLIENT_STEP_VERDICT:
		if (s.result != CLIENT_RESULT_SUCCESS && s.result != CLIENT_RESULT_DENIED &&
		    s.result != CLIENT_RESULT_UNAVAILABLE)
			abort();
		if (s.result == CLIENT_RESULT_DENIED && s.message[0] == '\0')
			abort();
		if (s.txn[0] != '\0')
			abort();
		break;
	default:
		abort();
	}
	/* no terminal escape survives into what the module shows */
	if (strchr(s.message, 0x1b) != NULL || strchr(s.prompt, 0x1b) != NULL)
		abort();
}

static void fuzz_account(const char *json, size_t len)
{
	client_account_t a;

	if (client_account_decode(json, len, &a) != SESAME_OK) {
		if (!all_zero(&a, sizeof(a)))
			abort();
		return;
	}
	check_str(a.message, sizeof(a.message), SESAME_MAX_MESSAGE);
	if (a.wait < 0 || a.wait > SESAME_MAX_WAIT || strchr(a.message, 0x1b) != NULL)
		abort();
}

static void fuzz_password(const char *json, size_t len)
{
	client_password_t p;

	if (client_password_decode(json, len, &p) != SESAME_OK) {
		if (!all_zero(&p, sizeof(p)))
			abort();
		return;
	}
	if (p.nreasons > SESAME_MAX_REASONS || (p.has_score && (p.score < -1 || p.score > 4)))
		abort();
	for (size_t i = 0; i < p.nreasons; i++) {
		check_str(p.reasons[i].code, sizeof(p.reasons[i].code), SESAME_MAX_TOKEN);
		check_str(p.reasons[i].message, sizeof(p.reasons[i].message), SESAME_MAX_MESSAGE);
		if (p.reasons[i].message[0] == '\0')
			abort();
	}
	check_str(p.hint, sizeof(p.hint), SESAME_MAX_MESSAGE);
}

static void fuzz_error(const char *json, size_t len)
{
	client_error_t e;

	client_error_decode(json, len, &e);
	check_str(e.code, sizeof(e.code), SESAME_MAX_TOKEN);
	check_str(e.message, sizeof(e.message), SESAME_MAX_MESSAGE);
	if (e.err <= SESAME_OK || e.err >= SESAME_ERR__COUNT || e.code[0] == '\0' ||
	    e.message[0] == '\0')
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* a copy of exactly size bytes, so that ASan sees any read past it */
	char *json = malloc(size ? size : 1);

	if (json == NULL)
		return 0;
	memcpy(json, data, size);
	fuzz_step(json, size);
	fuzz_account(json, size);
	fuzz_password(json, size);
	fuzz_error(json, size);
	(void)client_health_decode(json, size);
	free(json);
	return 0;
}
