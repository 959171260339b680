/* Unit tests for lib/client_decode.c: every reply shape of docs/protocol.md
 * decoded into its struct, and malformed replies refused as one protocol
 * error with nothing left in the struct. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h> /* after the four headers it needs */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sesame/client_decode.h"
#include "sesame/error.h"
#include "sesame/limits.h"

static int step(const char *json, client_pam_step_t *out)
{
	return client_pam_step_decode(json, strlen(json), out);
}

static int account(const char *json, client_account_t *out)
{
	return client_account_decode(json, strlen(json), out);
}

static int password(const char *json, client_password_t *out)
{
	return client_password_decode(json, strlen(json), out);
}

static int health(const char *json)
{
	return client_health_decode(json, strlen(json));
}

static void error_of(const char *json, client_error_t *out)
{
	client_error_decode(json, strlen(json), out);
}

/* tmpl with its one "%s" replaced by n bytes of c; malloc'd. */
static char *with_long(const char *tmpl, size_t n, char c)
{
	const char *hole = strstr(tmpl, "%s");
	size_t before, after;
	char *json;

	assert_non_null(hole);
	before = (size_t)(hole - tmpl);
	after = strlen(hole + 2);
	json = malloc(before + n + after + 1);
	assert_non_null(json);
	memcpy(json, tmpl, before);
	memset(json + before, c, n);
	memcpy(json + before + n, hole + 2, after + 1);
	return json;
}

static void test_prompt(void **state)
{
	client_pam_step_t s;

	(void)state;
	assert_int_equal(step("{\"step\": \"prompt\", \"txn\": \"AbC-_123\", \"factor\": \"totp\", "
			      "\"prompt\": \"Verification code: \", \"echo\": false, "
			      "\"digits\": 6, \"message\": \"Open your app.\"}",
			      &s),
			 SESAME_OK);
	assert_int_equal(s.kind, CLIENT_STEP_PROMPT);
	assert_string_equal(s.txn, "AbC-_123");
	assert_string_equal(s.factor, "totp");
	assert_string_equal(s.prompt, "Verification code: ");
	assert_false(s.echo);
	assert_int_equal(s.digits, 6);
	assert_string_equal(s.message, "Open your app.");
	assert_int_equal(s.result, CLIENT_RESULT_NONE);

	/* optional fields absent: defaults; echo on */
	assert_int_equal(step("{\"step\":\"prompt\",\"txn\":\"t\",\"factor\":\"password\","
			      "\"prompt\":\"Name: \",\"echo\":true}",
			      &s),
			 SESAME_OK);
	assert_true(s.echo);
	assert_int_equal(s.digits, 0);
	assert_string_equal(s.message, "");
}

static void test_verdicts(void **state)
{
	client_pam_step_t s;

	(void)state;
	assert_int_equal(
	    step("{\"step\": \"verdict\", \"result\": \"success\", \"factor\": \"totp\", "
		 "\"reason\": \"ok\", \"message\": \"Welcome.\"}",
		 &s),
	    SESAME_OK);
	assert_int_equal(s.kind, CLIENT_STEP_VERDICT);
	assert_int_equal(s.result, CLIENT_RESULT_SUCCESS);
	assert_string_equal(s.factor, "totp");
	assert_string_equal(s.reason, "ok");
	assert_string_equal(s.txn, "");

	assert_int_equal(step("{\"step\": \"verdict\", \"result\": \"denied\", \"reason\": "
			      "\"wrong_code\", \"message\": \"Wrong verification code.\"}",
			      &s),
			 SESAME_OK);
	assert_int_equal(s.result, CLIENT_RESULT_DENIED);
	assert_string_equal(s.reason, "wrong_code");
	assert_string_equal(s.message, "Wrong verification code.");
	assert_int_equal(s.wait, 0);

	assert_int_equal(step("{\"step\": \"verdict\", \"result\": \"denied\", \"reason\": "
			      "\"locked\", \"wait\": 60, \"message\": \"Too many failed attempts; "
			      "try again in 60 seconds.\"}",
			      &s),
			 SESAME_OK);
	assert_int_equal(s.wait, 60);

	assert_int_equal(step("{\"step\":\"verdict\",\"result\":\"unavailable\"}", &s), SESAME_OK);
	assert_int_equal(s.result, CLIENT_RESULT_UNAVAILABLE);
	assert_string_equal(s.reason, "");
	assert_string_equal(s.message, "");
}

/* A daemon newer than the client may add fields: they are ignored. */
static void test_unknown_fields_ignored(void **state)
{
	client_pam_step_t s;
	client_account_t a;
	client_password_t p;

	(void)state;
	assert_int_equal(step("{\"step\":\"prompt\",\"txn\":\"t\",\"factor\":\"totp\",\"prompt\":"
			      "\"Code: \",\"hint_url\":\"https://x/\",\"qr\":[1,2,{\"a\":null}],"
			      "\"ttl\":3.5,\"result\":42}",
			      &s),
			 SESAME_OK);
	assert_string_equal(s.txn, "t");
	assert_int_equal(step("{\"step\":\"verdict\",\"result\":\"success\",\"amr\":[\"otp\"],"
			      "\"txn\":17,\"echo\":\"x\"}",
			      &s),
			 SESAME_OK);
	assert_int_equal(account("{\"user\":\"alice\",\"locked\":false,\"wait\":0,\"disabled\":"
				 "false,\"expires\":{\"at\":1}}",
				 &a),
			 SESAME_OK);
	assert_int_equal(password("{\"accepted\":true,\"score\":4,\"length\":30,\"reasons\":[],"
				  "\"hint\":\"\",\"entropy\":77.5}",
				  &p),
			 SESAME_OK);
}

static void test_account(void **state)
{
	client_account_t a;

	(void)state;
	assert_int_equal(
	    account("{\"user\": \"alice\", \"locked\": false, \"wait\": 0, \"disabled\": false}",
		    &a),
	    SESAME_OK);
	assert_false(a.locked);
	assert_false(a.disabled);
	assert_int_equal(a.wait, 0);
	assert_string_equal(a.message, "");
	assert_int_equal(account("{\"user\":\"bob\",\"locked\":true,\"wait\":40,\"disabled\":false,"
				 "\"message\":\"Too many failed attempts; try again in 40 "
				 "seconds.\"}",
				 &a),
			 SESAME_OK);
	assert_true(a.locked);
	assert_int_equal(a.wait, 40);
	assert_string_equal(a.message, "Too many failed attempts; try again in 40 seconds.");
	assert_int_equal(account("{\"user\":\"carl\",\"locked\":true,\"wait\":0,\"disabled\":true,"
				 "\"message\":\"This account is disabled.\"}",
				 &a),
			 SESAME_OK);
	assert_true(a.disabled);
	/* a daemon that predates "disabled" */
	assert_int_equal(account("{\"locked\":false}", &a), SESAME_OK);
	assert_false(a.disabled);
}

static void test_password(void **state)
{
	client_password_t p;

	(void)state;
	assert_int_equal(
	    password("{\"accepted\": false, \"score\": 1, \"length\": 9, \"reasons\": [{\"code\": "
		     "\"too_short\", \"message\": \"The password must have at least 15 "
		     "characters.\"}, {\"code\": \"context\", \"message\": \"The password "
		     "contains your user name.\"}], \"hint\": \"Use a longer passphrase.\"}",
		     &p),
	    SESAME_OK);
	assert_false(p.accepted);
	assert_true(p.has_score);
	assert_int_equal(p.score, 1);
	assert_int_equal(p.length, 9);
	assert_int_equal(p.nreasons, 2);
	assert_string_equal(p.reasons[0].code, "too_short");
	assert_string_equal(p.reasons[1].code, "context");
	assert_string_equal(p.reasons[1].message, "The password contains your user name.");
	assert_string_equal(p.hint, "Use a longer passphrase.");

	assert_int_equal(password("{\"accepted\":true,\"score\":-1,\"hint\":null}", &p), SESAME_OK);
	assert_true(p.accepted);
	assert_int_equal(p.score, -1);
	assert_int_equal(p.nreasons, 0);
	assert_string_equal(p.hint, "");
	assert_int_equal(password("{\"accepted\":true}", &p), SESAME_OK);
	assert_false(p.has_score);
	/* a reason without a code is shown all the same */
	assert_int_equal(password("{\"accepted\":false,\"reasons\":[{\"message\":\"No.\"}]}", &p),
			 SESAME_OK);
	assert_string_equal(p.reasons[0].code, "");
}

static void test_health_and_error(void **state)
{
	client_error_t e;
	const char *garbage = "<html>502</html>";

	(void)state;
	assert_int_equal(health("{\"status\":\"ok\"}"), SESAME_OK);
	assert_int_equal(health("{\"status\":\"degraded\"}"), SESAME_ERR_PROTOCOL);
	assert_int_equal(health("{}"), SESAME_ERR_PROTOCOL);

	error_of("{\"error\":\"permission_denied\",\"message\":\"Not yours.\"}", &e);
	assert_int_equal(e.err, SESAME_ERR_PERMISSION);
	assert_string_equal(e.code, "permission_denied");
	assert_string_equal(e.message, "Not yours.");
	error_of(garbage, &e);
	assert_int_equal(e.err, SESAME_ERR_PROTOCOL);
	assert_string_equal(e.code, "protocol_error");
	assert_string_equal(e.message, "The authentication service sent a malformed reply");
	/* a code this client does not know is kept, and means "internal" */
	error_of("{\"error\":\"quota_exceeded\"}", &e);
	assert_int_equal(e.err, SESAME_ERR_INTERNAL);
	assert_string_equal(e.code, "quota_exceeded");
	error_of("{\"error\":\"ok\",\"message\":\"\\u001b[2J\"}", &e);
	assert_int_equal(e.err, SESAME_ERR_PROTOCOL);
	assert_string_not_equal(e.message, "\x1b[2J");
}

/* Steps that must fail, each alone. */
static void test_malformed_steps(void **state)
{
	static const char *const bad[] = {
	    /* not one object */
	    "",
	    "[]",
	    "\"prompt\"",
	    "42",
	    "null",
	    "{}",
	    "{\"step\":\"verdict\",\"result\":\"success\"} {}",
	    "{\"step\":\"verdict\",\"result\":\"success\"}x",
	    "{\"step\":\"verdict\",\"result\":\"success\"",
	    "{\"step\":\"verdict\",\"step\":\"verdict\",\"result\":\"success\"}",
	    /* step */
	    "{\"step\":\"launch\"}",
	    "{\"step\":\"PROMPT\",\"txn\":\"t\",\"factor\":\"totp\",\"prompt\":\"p\"}",
	    "{\"step\":1,\"result\":\"success\"}",
	    "{\"result\":\"success\"}",
	    /* prompt: required fields, types */
	    "{\"step\":\"prompt\",\"factor\":\"totp\",\"prompt\":\"x\"}",
	    "{\"step\":\"prompt\",\"txn\":\"\",\"factor\":\"totp\",\"prompt\":\"x\"}",
	    "{\"step\":\"prompt\",\"txn\":null,\"factor\":\"totp\",\"prompt\":\"x\"}",
	    "{\"step\":\"prompt\",\"txn\":12345,\"factor\":\"totp\",\"prompt\":\"x\"}",
	    "{\"step\":\"prompt\",\"txn\":\"a b\",\"factor\":\"totp\",\"prompt\":\"x\"}",
	    "{\"step\":\"prompt\",\"txn\":\"t\",\"prompt\":\"x\"}",
	    "{\"step\":\"prompt\",\"txn\":\"t\",\"factor\":\"\",\"prompt\":\"x\"}",
	    "{\"step\":\"prompt\",\"txn\":\"t\",\"factor\":\"to tp\",\"prompt\":\"x\"}",
	    "{\"step\":\"prompt\",\"txn\":\"t\",\"factor\":\"totp\"}",
	    "{\"step\":\"prompt\",\"txn\":\"t\",\"factor\":\"totp\",\"prompt\":\"\"}",
	    "{\"step\":\"prompt\",\"txn\":\"t\",\"factor\":\"totp\",\"prompt\":[\"x\"]}",
	    "{\"step\":\"prompt\",\"txn\":\"t\",\"factor\":\"totp\",\"prompt\":\"x\",\"echo\":0}",
	    "{\"step\":\"prompt\",\"txn\":\"t\",\"factor\":\"totp\",\"prompt\":\"x\",\"echo\":"
	    "\"no\"}",
	    "{\"step\":\"prompt\",\"txn\":\"t\",\"factor\":\"totp\",\"prompt\":\"x\",\"digits\":"
	    "\"6\"}",
	    "{\"step\":\"prompt\",\"txn\":\"t\",\"factor\":\"totp\",\"prompt\":\"x\",\"digits\":6."
	    "0}",
	    "{\"step\":\"prompt\",\"txn\":\"t\",\"factor\":\"totp\",\"prompt\":\"x\",\"digits\":-"
	    "6}",
	    "{\"step\":\"prompt\",\"txn\":\"t\",\"factor\":\"totp\",\"prompt\":\"x\",\"digits\":"
	    "257}",
	    "{\"step\":\"prompt\",\"txn\":\"t\",\"factor\":\"totp\",\"prompt\":\"x\",\"message\":"
	    "5}",
	    /* text for a terminal: no escape sequences, no C1 controls */
	    "{\"step\":\"prompt\",\"txn\":\"t\",\"factor\":\"totp\",\"prompt\":\"\\u001b[2Jx\"}",
	    "{\"step\":\"prompt\",\"txn\":\"t\",\"factor\":\"totp\",\"prompt\":\"x\\r\"}",
	    "{\"step\":\"prompt\",\"txn\":\"t\",\"factor\":\"totp\",\"prompt\":\"x\\u009b\"}",
	    "{\"step\":\"prompt\",\"txn\":\"t\",\"factor\":\"totp\",\"prompt\":\"x\\u007f\"}",
	    /* NUL inside strings */
	    "{\"step\":\"prompt\",\"txn\":\"t\\u0000u\",\"factor\":\"totp\",\"prompt\":\"x\"}",
	    "{\"step\":\"verdict\",\"result\":\"denied\",\"message\":\"no\\u0000pe\"}",
	    /* verdict */
	    "{\"step\":\"verdict\"}",
	    "{\"step\":\"verdict\",\"result\":\"maybe\"}",
	    "{\"step\":\"verdict\",\"result\":\"Success\"}",
	    "{\"step\":\"verdict\",\"result\":true}",
	    "{\"step\":\"verdict\",\"result\":\"denied\"}",
	    "{\"step\":\"verdict\",\"result\":\"denied\",\"message\":\"\"}",
	    "{\"step\":\"verdict\",\"result\":\"denied\",\"message\":\"x\",\"wait\":-1}",
	    "{\"step\":\"verdict\",\"result\":\"denied\",\"message\":\"x\",\"wait\":\"60\"}",
	    "{\"step\":\"verdict\",\"result\":\"denied\",\"message\":\"x\",\"wait\":1e3}",
	    "{\"step\":\"verdict\",\"result\":\"denied\",\"message\":\"x\",\"wait\":2147483648}",
	    "{\"step\":\"verdict\",\"result\":\"denied\",\"message\":\"x\",\"reason\":7}",
	    "{\"step\":\"verdict\",\"result\":\"denied\",\"message\":\"x\",\"reason\":\"a;b\"}",
	    "{\"step\":\"verdict\",\"result\":\"success\",\"factor\":{}}",
	};
	client_pam_step_t s;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		/* a good step first: a refusal must leave nothing of it */
		assert_int_equal(
		    step("{\"step\":\"prompt\",\"txn\":\"t\",\"factor\":\"totp\",\"prompt\":\"x\"}",
			 &s),
		    SESAME_OK);
		if (step(bad[i], &s) != SESAME_ERR_PROTOCOL)
			fail_msg("accepted: %s", bad[i]);
		assert_int_equal(s.kind, 0);
		assert_string_equal(s.txn, "");
	}
}

/* Invalid UTF-8 and a raw NUL byte, which a C string cannot spell. */
static void test_raw_bytes(void **state)
{
	static const char nul[] =
	    "{\"step\":\"verdict\",\"result\":\"denied\",\"message\":\"a\0b\"}";
	static const char latin1[] =
	    "{\"step\":\"verdict\",\"result\":\"denied\",\"message\":\"\xe9\"}";
	static const char overlong[] =
	    "{\"step\":\"verdict\",\"result\":\"denied\",\"message\":\"\xc0\xaf\"}";
	client_pam_step_t s;

	(void)state;
	assert_int_equal(client_pam_step_decode(nul, sizeof(nul) - 1, &s), SESAME_ERR_PROTOCOL);
	assert_int_equal(step(latin1, &s), SESAME_ERR_PROTOCOL);
	assert_int_equal(step(overlong, &s), SESAME_ERR_PROTOCOL);
	/* UTF-8 text and a newline are fine */
	assert_int_equal(step("{\"step\":\"verdict\",\"result\":\"denied\",\"message\":"
			      "\"Code refus\xc3\xa9.\\nAgain.\"}",
			      &s),
			 SESAME_OK);
	assert_string_equal(s.message, "Code refus\xc3\xa9.\nAgain.");
	assert_int_equal(client_pam_step_decode(NULL, 10, &s), SESAME_ERR_PROTOCOL);
}

/* Every proper prefix of a valid reply is refused. */
static void test_truncated(void **state)
{
	static const char *const good[] = {
	    "{\"step\": \"prompt\", \"txn\": \"abc\", \"factor\": \"totp\", \"prompt\": \"Code: "
	    "\", "
	    "\"echo\": false, \"digits\": 6}",
	    "{\"step\": \"verdict\", \"result\": \"denied\", \"reason\": \"locked\", \"wait\": 60, "
	    "\"message\": \"Wait.\"}",
	};
	client_pam_step_t s;
	client_account_t a;
	const char *acct = "{\"user\":\"a\",\"locked\":true,\"wait\":5,\"disabled\":false}";

	(void)state;
	for (size_t g = 0; g < sizeof(good) / sizeof(good[0]); g++) {
		size_t len = strlen(good[g]);
		assert_int_equal(client_pam_step_decode(good[g], len, &s), SESAME_OK);
		for (size_t n = 0; n < len; n++)
			if (client_pam_step_decode(good[g], n, &s) != SESAME_ERR_PROTOCOL)
				fail_msg("prefix of %zu bytes accepted: %.*s", n, (int)n, good[g]);
	}
	for (size_t n = 0; n < strlen(acct); n++)
		assert_int_equal(client_account_decode(acct, n, &a), SESAME_ERR_PROTOCOL);
}

/* Bounds: the largest value fits, one more byte is refused. */
static void test_bounds(void **state)
{
	static const char *const fields[] = {
	    "{\"step\":\"prompt\",\"txn\":\"%s\",\"factor\":\"totp\",\"prompt\":\"x\"}",
	    "{\"step\":\"prompt\",\"txn\":\"t\",\"factor\":\"%s\",\"prompt\":\"x\"}",
	    "{\"step\":\"prompt\",\"txn\":\"t\",\"factor\":\"totp\",\"prompt\":\"%s\"}",
	    "{\"step\":\"verdict\",\"result\":\"denied\",\"message\":\"%s\"}",
	    "{\"step\":\"verdict\",\"result\":\"denied\",\"message\":\"x\",\"reason\":\"%s\"}",
	};
	static const size_t max[] = {SESAME_MAX_TXN, SESAME_MAX_TOKEN, SESAME_MAX_PROMPT,
				     SESAME_MAX_MESSAGE, SESAME_MAX_TOKEN};
	client_pam_step_t s;

	(void)state;
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		char *ok = with_long(fields[i], max[i], 'a');
		char *over = with_long(fields[i], max[i] + 1, 'a');
		if (step(ok, &s) != SESAME_OK)
			fail_msg("%zu bytes refused in %s", max[i], fields[i]);
		if (step(over, &s) != SESAME_ERR_PROTOCOL)
			fail_msg("%zu bytes accepted in %s", max[i] + 1, fields[i]);
		free(ok);
		free(over);
	}
	/* a body over SESAME_MAX_BODY is not even parsed */
	char *huge = with_long("{\"step\":\"verdict\",\"result\":\"success\",\"pad\":\"%s\"}",
			       SESAME_MAX_BODY, ' ');
	assert_int_equal(step(huge, &s), SESAME_ERR_PROTOCOL);
	free(huge);
	assert_int_equal(step("{\"step\":\"verdict\",\"result\":\"denied\",\"message\":\"x\","
			      "\"wait\":2147483647}",
			      &s),
			 SESAME_OK);
	assert_int_equal(s.wait, 2147483647L);
}

static void test_malformed_account(void **state)
{
	static const char *const bad[] = {
	    "[]",
	    "{}",
	    "{\"user\":\"a\",\"wait\":0}",
	    "{\"locked\":\"false\"}",
	    "{\"locked\":0}",
	    "{\"locked\":null}",
	    "{\"locked\":true,\"disabled\":\"yes\"}",
	    "{\"locked\":true,\"wait\":-5}",
	    "{\"locked\":true,\"wait\":true}",
	    "{\"locked\":true,\"message\":7}",
	    "{\"locked\":true,\"message\":\"\\u001b]0;pwned\\u0007\"}",
	    "{\"locked\":true,\"locked\":false}",
	};
	client_account_t a;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (account(bad[i], &a) != SESAME_ERR_PROTOCOL)
			fail_msg("accepted: %s", bad[i]);
	char *big = with_long("{\"locked\":true,\"message\":\"%s\"}", SESAME_MAX_MESSAGE + 1, 'm');
	assert_int_equal(account(big, &a), SESAME_ERR_PROTOCOL);
	assert_false(a.locked);
	free(big);
}

static void test_malformed_password(void **state)
{
	static const char *const bad[] = {
	    "{}",
	    "{\"accepted\":\"true\"}",
	    "{\"accepted\":1}",
	    "{\"accepted\":false,\"score\":5}",
	    "{\"accepted\":false,\"score\":-2}",
	    "{\"accepted\":false,\"score\":\"1\"}",
	    "{\"accepted\":false,\"length\":-1}",
	    "{\"accepted\":false,\"reasons\":{}}",
	    "{\"accepted\":false,\"reasons\":[\"too_short\"]}",
	    "{\"accepted\":false,\"reasons\":[{\"code\":\"x\"}]}",
	    "{\"accepted\":false,\"reasons\":[{\"code\":\"x\",\"message\":\"\"}]}",
	    "{\"accepted\":false,\"reasons\":[{\"code\":5,\"message\":\"m\"}]}",
	    "{\"accepted\":false,\"reasons\":[{\"code\":\"x\",\"message\":\"m\\u001b\"}]}",
	    "{\"accepted\":false,\"hint\":3}",
	    "{\"accepted\":false,\"hint\":\"\\u0000\"}",
	};
	client_password_t p;
	char json[4096];
	size_t len;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (password(bad[i], &p) != SESAME_ERR_PROTOCOL)
			fail_msg("accepted: %s", bad[i]);
	/* at most SESAME_MAX_REASONS reasons */
	for (int n = SESAME_MAX_REASONS; n <= SESAME_MAX_REASONS + 1; n++) {
		len = (size_t)snprintf(json, sizeof(json), "{\"accepted\":false,\"reasons\":[");
		for (int i = 0; i < n; i++)
			len += (size_t)snprintf(json + len, sizeof(json) - len,
						"%s{\"code\":\"c%d\",\"message\":\"m\"}",
						i ? "," : "", i);
		len += (size_t)snprintf(json + len, sizeof(json) - len, "]}");
		assert_true(len < sizeof(json));
		assert_int_equal(client_password_decode(json, len, &p),
				 n <= SESAME_MAX_REASONS ? SESAME_OK : SESAME_ERR_PROTOCOL);
	}
	assert_int_equal(p.nreasons, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_prompt),
	    cmocka_unit_test(test_verdicts),
	    cmocka_unit_test(test_unknown_fields_ignored),
	    cmocka_unit_test(test_account),
	    cmocka_unit_test(test_password),
	    cmocka_unit_test(test_health_and_error),
	    cmocka_unit_test(test_malformed_steps),
	    cmocka_unit_test(test_raw_bytes),
	    cmocka_unit_test(test_truncated),
	    cmocka_unit_test(test_bounds),
	    cmocka_unit_test(test_malformed_account),
	    cmocka_unit_test(test_malformed_password),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
