/* Unit tests of the flow (authd/flow.c, attempt.c, requirement.c,
 * factor_manage.c) against a temporary SQLite store: lock-out per name
 * and source, the account ceiling, replay, spent tokens, nullok, disabled
 * users, the last factor and the requirements per door — in milliseconds,
 * beside the integration suites. TOTP only: the password factor costs an
 * Argon2id hash, the integration suites cover it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h> /* after the four headers it needs */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "factor_manage.h"
#include "flow.h"
#include "requirement.h"
#include "sesame/base32.h"
#include "sesame/error.h"
#include "totp.h"
#include "totp_enroll.h"
#include "unit_util.h"

#define NOW 1700000000
#define FAR "198.51.100.23"
#define NEAR "203.0.113.9"

struct fixture {
	char *dir;
	authd_t d;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	char path[512], db[512], key[128] = "", err[256];

	if (f == NULL || (f->dir = unit_tmpdir()) == NULL)
		return -1;
	unit_path(path, sizeof(path), f->dir, "master.key");
	unit_path(db, sizeof(db), f->dir, "sesame.db");
	unit_key_line(key, sizeof(key), 1, 0x42);
	config_defaults(&f->d.cfg);
	f->d.cfg.max_failures = 3;
	f->d.cfg.base_delay = 60;
	f->d.cfg.account_max_failures = 7;
	f->d.cfg.source_max_failures = 0;
	snprintf(f->d.cfg.require.services[0], sizeof(f->d.cfg.require.services[0]), "%s", "admin");
	snprintf(f->d.cfg.require.service_rules[0], sizeof(f->d.cfg.require.service_rules[0]), "%s",
		 "totp");
	f->d.cfg.require.n_services = 1;
	f->d.throttle =
	    (throttle_params_t){f->d.cfg.max_failures, f->d.cfg.base_delay, f->d.cfg.max_delay};
	if (unit_write_text(path, key, 0600) != 0 || totp_init() != SESAME_OK ||
	    seal_keyring_load(path, &f->d.keys) != SESAME_OK ||
	    store_open(db, &f->d.store) != SESAME_OK ||
	    flow_requirements_load(&f->d, err, sizeof(err)) != SESAME_OK)
		return -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	store_close(&f->d.store);
	seal_keyring_free(&f->d.keys);
	unit_rmtree(f->dir);
	free(f->dir);
	free(f);
	return 0;
}

/* Enrolls and confirms user's authenticator; its seed into seed. */
static size_t enroll(authd_t *d, const char *user, unsigned char seed[64])
{
	totp_enroll_t e = {user, "phone", TOTP_ALG_SHA1, 6, "test", "", NOW - 60};
	totp_params_t p = {TOTP_ALG_SHA1, 6, 30};
	char *uri = NULL, code[16];
	size_t len = 0;
	int64_t id = 0;
	int result = -1;

	assert_int_equal(totp_enroll_start(d, &e, &id, &uri), SESAME_OK);
	const char *s = strstr(uri, "secret="), *end = strchr(s, '&');
	assert_int_equal(base32_decode(s + 7, (size_t)(end - s - 7), seed, 64, &len), SESAME_OK);
	free(uri);
	assert_int_equal(totp_generate(seed, len, &p, NOW - 60, code, sizeof(code)), SESAME_OK);
	assert_int_equal(totp_enroll_confirm(d, user, code, "test", "", NOW - 60, &result, &id),
			 SESAME_OK);
	assert_int_equal(result, SESAME_OK);
	return len;
}

static void code_at(const unsigned char *seed, size_t len, int64_t t, char out[16])
{
	totp_params_t p = {TOTP_ALG_SHA1, 6, 30};
	assert_int_equal(totp_generate(seed, len, &p, (time_t)t, out, 16), SESAME_OK);
}

static flow_t pam_flow(const char *user, const char *service, const char *rhost, int nullok)
{
	flow_t f;

	memset(&f, 0, sizeof(f));
	f.door = FLOW_PAM;
	snprintf(f.user, sizeof(f.user), "%s", user);
	snprintf(f.service, sizeof(f.service), "%s", service);
	snprintf(f.rhost, sizeof(f.rhost), "%s", rhost);
	f.nullok = nullok;
	return f;
}

/* One PAM login: start, then answer the prompt with code. */
static flow_step_t login(authd_t *d, const char *user, const char *rhost, const char *code,
			 int64_t now)
{
	flow_t f = pam_flow(user, "sshd", rhost, 0);
	flow_step_t step;

	assert_int_equal(flow_begin(d, &f, now, &step), SESAME_OK);
	if (step.kind == FLOW_STEP_VERDICT)
		return step;
	assert_int_equal(flow_answer(d, &f, NULL, code, now, &step), SESAME_OK);
	return step;
}

static void test_requirement_parse(void **state)
{
	requirement_t r;
	char err[256], text[128];

	(void)state;
	assert_int_equal(
	    requirement_parse(" password + second|passkey ", FACTOR_ALL, &r, err, sizeof(err)),
	    SESAME_OK);
	requirement_format(&r, text, sizeof(text));
	assert_string_equal(text, "password+second | passkey");
	assert_true(requirement_met(&r, FACTOR_PASSKEY));
	assert_true(requirement_met(&r, FACTOR_PASSWORD | FACTOR_TOTP));
	assert_false(requirement_met(&r, FACTOR_PASSWORD));
	/* after the password: the second factors the user has */
	assert_int_equal(requirement_missing(&r, FACTOR_PASSWORD, FACTOR_ALL, FACTOR_ALL),
			 FACTOR_SECOND);
	assert_int_equal(requirement_missing(&r, FACTOR_PASSWORD, FACTOR_PASSWORD, FACTOR_ALL), 0);
	assert_int_equal(requirement_parse("totp+", FACTOR_ALL, &r, err, sizeof(err)),
			 SESAME_ERR_CONFIG);
	assert_int_equal(requirement_parse("pin", FACTOR_ALL, &r, err, sizeof(err)),
			 SESAME_ERR_CONFIG);
	assert_int_equal(requirement_parse("passkey", FACTOR_TOTP, &r, err, sizeof(err)),
			 SESAME_ERR_CONFIG);
	assert_non_null(strstr(err, "cannot be asked"));
	assert_int_equal(
	    requirement_parse("totp|totp|totp|totp|totp", FACTOR_ALL, &r, err, sizeof(err)),
	    SESAME_ERR_CONFIG);
}

static void test_success_and_replay(void **state)
{
	struct fixture *fx = *state;
	unsigned char seed[64];
	size_t len = enroll(&fx->d, "amy", seed);
	char code[16];
	flow_step_t step;

	code_at(seed, len, NOW, code);
	step = login(&fx->d, "amy", NEAR, code, NOW);
	assert_int_equal(step.result, AUTH_SUCCESS);
	step = login(&fx->d, "amy", NEAR, code, NOW);
	assert_int_equal(step.result, AUTH_DENIED);
	assert_int_equal(step.reason, SESAME_ERR_REPLAY);
}

static void test_spent_token(void **state)
{
	struct fixture *fx = *state;
	unsigned char seed[64];
	size_t len = enroll(&fx->d, "ben", seed);
	flow_t f = pam_flow("ben", "sshd", "", 0), copy;
	flow_step_t step;
	char code[16];

	assert_int_equal(flow_begin(&fx->d, &f, NOW, &step), SESAME_OK);
	assert_int_equal(step.kind, FLOW_STEP_PROMPT);
	assert_string_equal(step.factor, "totp");
	copy = f; /* what a module that kept the token would send again */
	code_at(seed, len, NOW, code);
	assert_int_equal(flow_answer(&fx->d, &f, NULL, code, NOW, &step), SESAME_OK);
	assert_int_equal(step.result, AUTH_SUCCESS);
	code_at(seed, len, NOW + 30, code);
	assert_int_equal(flow_answer(&fx->d, &copy, NULL, code, NOW, &step), SESAME_OK);
	assert_int_equal(step.reason, SESAME_ERR_EXPIRED);
}

static void test_lockout_per_source_and_ceiling(void **state)
{
	struct fixture *fx = *state;
	unsigned char seed[64];
	size_t len = enroll(&fx->d, "cat", seed);
	flow_step_t step;
	char code[16];
	int64_t t = NOW;

	for (int i = 0; i < 3; i++)
		assert_int_equal(login(&fx->d, "cat", FAR, "000000", t).result, AUTH_DENIED);
	code_at(seed, len, t, code);
	step = login(&fx->d, "cat", FAR, code, t);
	assert_int_equal(step.reason, SESAME_ERR_LOCKED);
	assert_int_equal(step.wait, 60);
	/* another source is not held back, and its success forgives only its own
	 * failures and the account's count */
	assert_int_equal(login(&fx->d, "cat", NEAR, code, t).result, AUTH_SUCCESS);
	assert_int_equal(login(&fx->d, "cat", FAR, "000000", t + 1).reason, SESAME_ERR_LOCKED);
	/* the ceiling (7): one failure from each of 7 addresses locks every source */
	for (int i = 0; i < 7; i++) {
		char rhost[32];
		snprintf(rhost, sizeof(rhost), "192.0.2.%d", i + 1);
		login(&fx->d, "cat", rhost, "000000", t + 2);
	}
	code_at(seed, len, t + 90, code);
	step = login(&fx->d, "cat", "192.0.2.200", code, t + 90);
	assert_int_equal(step.reason, SESAME_ERR_LOCKED);
	assert_true(step.wait > 3000);
}

static void test_unknown_like_known(void **state)
{
	struct fixture *fx = *state;
	unsigned char seed[64];
	flow_step_t a, b;

	enroll(&fx->d, "dan", seed);
	for (int i = 0; i < 3; i++) {
		login(&fx->d, "dan", FAR, "000000", NOW);
		login(&fx->d, "nobody-at-all", FAR, "000000", NOW);
	}
	a = login(&fx->d, "dan", FAR, "000000", NOW);
	b = login(&fx->d, "nobody-at-all", FAR, "000000", NOW);
	assert_int_equal(a.reason, SESAME_ERR_LOCKED);
	assert_int_equal(b.reason, a.reason);
	assert_int_equal(b.wait, a.wait);
	assert_string_equal(b.message, a.message);
}

static void test_nullok(void **state)
{
	struct fixture *fx = *state;
	unsigned char seed[64];
	flow_step_t step;
	flow_t f;

	enroll(&fx->d, "eve", seed);
	f = pam_flow("stranger", "sshd", "", 1); /* no record: nullok lets it in */
	assert_int_equal(flow_begin(&fx->d, &f, NOW, &step), SESAME_OK);
	assert_int_equal(step.kind, FLOW_STEP_VERDICT);
	assert_int_equal(step.result, AUTH_SUCCESS);
	f = pam_flow("EVE", "sshd", "", 1); /* a case variant of an enrolled name */
	assert_int_equal(flow_begin(&fx->d, &f, NOW, &step), SESAME_OK);
	assert_int_equal(step.kind, FLOW_STEP_PROMPT);
	f = pam_flow("eve", "sshd", "", 0);
	assert_int_equal(flow_begin(&fx->d, &f, NOW, &step), SESAME_OK);
	assert_string_equal(step.factor, "totp");
	assert_int_equal(step.digits, 6);
}

static int passkey_tx(store_tx_t *tx, void *arg)
{
	store_webauthn_t w;
	store_user_t u;
	int r = store_user_ensure(tx, arg, NOW, &u);

	if (r != SESAME_OK)
		return r;
	memset(&w, 0, sizeof(w));
	w.user_id = u.id;
	w.cred_id_len = 16;
	memset(w.cred_id, 0x77, w.cred_id_len);
	w.public_key_len = 1;
	snprintf(w.name, sizeof(w.name), "key");
	return store_webauthn_add(tx, &w);
}

static void test_passkey_only_is_not_factorless(void **state)
{
	struct fixture *fx = *state;
	flow_t f = pam_flow("fay", "sshd", "", 1);
	flow_step_t step;

	assert_int_equal(store_run(fx->d.store, passkey_tx, "fay"), SESAME_OK);
	assert_int_equal(flow_begin(&fx->d, &f, NOW, &step), SESAME_OK);
	assert_int_equal(step.kind, FLOW_STEP_PROMPT);
	assert_string_equal(step.factor, "none");
	assert_int_equal(flow_answer(&fx->d, &f, NULL, "123456", NOW, &step), SESAME_OK);
	assert_int_equal(step.result, AUTH_DENIED);
	assert_int_equal(step.reason, SESAME_ERR_NO_FACTOR);
	assert_non_null(strstr(step.message, "authenticator app"));
}

static int disable_tx(store_tx_t *tx, void *arg)
{
	store_user_t u;
	int r = store_user_get(tx, arg, &u);
	return r == SESAME_OK ? store_user_set_disabled(tx, u.id, 1) : r;
}

static void test_disabled(void **state)
{
	struct fixture *fx = *state;
	unsigned char seed[64];
	size_t len = enroll(&fx->d, "gus", seed);
	char code[16];
	flow_step_t step;

	assert_int_equal(store_run(fx->d.store, disable_tx, "gus"), SESAME_OK);
	code_at(seed, len, NOW, code);
	step = login(&fx->d, "gus", "", code, NOW);
	assert_int_equal(step.reason, SESAME_ERR_DISABLED);
}

static void test_last_factor(void **state)
{
	struct fixture *fx = *state;
	unsigned char seed[64];
	factor_lists_t l;

	enroll(&fx->d, "hal", seed);
	assert_int_equal(factor_lists(&fx->d, "hal", &l), SESAME_OK);
	assert_int_equal(l.n_totp, 1);
	int64_t id = l.totp[0].id;
	factor_lists_free(&l);
	assert_int_equal(factor_remove(&fx->d, "hal", &factor_totp, id, 0, "test", "", NOW),
			 SESAME_ERR_PERMISSION);
	assert_int_equal(factor_remove(&fx->d, "hal", &factor_passkey, id, 1, "test", "", NOW),
			 SESAME_ERR_NOT_FOUND); /* not a passkey of hal's */
	assert_int_equal(factor_remove(&fx->d, "hal", &factor_totp, id, 1, "test", "", NOW),
			 SESAME_OK);
	assert_int_equal(factor_lists(&fx->d, "hal", &l), SESAME_OK);
	assert_int_equal(l.n_totp, 0);
	factor_lists_free(&l);
}

static void test_requirement_per_service(void **state)
{
	struct fixture *fx = *state;
	flow_t f = pam_flow("ivy", "admin", "", 0), g = pam_flow("ivy", "su", "", 0);
	char text[64];

	requirement_format(flow_requirement(&fx->d, &f), text, sizeof(text));
	assert_string_equal(text, "totp");
	requirement_format(flow_requirement(&fx->d, &g), text, sizeof(text)); /* the default */
	assert_string_equal(text, "second");
	assert_int_equal(flow_askable(FLOW_PAM), FACTOR_TOTP | FACTOR_RECOVERY | FACTOR_HANDOFF);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_requirement_parse),
	    cmocka_unit_test_setup_teardown(test_success_and_replay, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_spent_token, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_lockout_per_source_and_ceiling, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_unknown_like_known, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_nullok, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_passkey_only_is_not_factorless, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_disabled, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_last_factor, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_requirement_per_service, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
