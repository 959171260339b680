/* Unit test for authd/webauthn/: every ceremony the test software
 * authenticator (tests/webauthn/softauthn.py) generated, valid ones
 * accepted with the expected record, broken ones refused with the
 * expected reason. Usage: test_webauthn_soft GENERATED_DIR */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h> /* after the four headers it needs */

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sesame/base64url.h"
#include "sesame/error.h"
#include "webauthn/webauthn.h"

#define MIN_CASES 150 /* softauthn.py writes 156: a short list means a broken generator */
#define MAX_ORIGINS 4
#define MAX_ALGS 8

static const char *gen_dir;

typedef struct {
	unsigned char *b;
	size_t n;
} blob_t;

/* A base64url member, decoded into a fresh buffer (never NULL). */
static blob_t blob(json_t *c, const char *key)
{
	const char *s = json_string_value(json_object_get(c, key));
	blob_t out = {NULL, 0};

	if (s == NULL)
		return out;
	out.b = malloc(strlen(s) * 3 / 4 + 4);
	assert_non_null(out.b);
	assert_int_equal(base64url_decode(s, strlen(s), out.b, strlen(s) * 3 / 4 + 4, &out.n),
			 SESAME_OK);
	return out;
}

static void rp_from(json_t *c, webauthn_rp_t *rp, const char **origins)
{
	json_t *o = json_object_get(c, "origins");

	rp->rp_id = json_string_value(json_object_get(c, "rp_id"));
	rp->n_origins = json_array_size(o);
	assert_true(rp->n_origins >= 1 && rp->n_origins <= MAX_ORIGINS);
	for (size_t i = 0; i < rp->n_origins; i++)
		origins[i] = json_string_value(json_array_get(o, i));
	rp->origins = origins;
	rp->require_uv = json_is_true(json_object_get(c, "require_uv"));
	rp->allow_cross_origin = json_is_true(json_object_get(c, "allow_cross_origin"));
}

static bool blob_is(json_t *e, const char *key, const unsigned char *b, size_t n)
{
	blob_t want = blob(e, key);
	bool same = want.n == n && (n == 0 || memcmp(want.b, b, n) == 0);

	free(want.b);
	return same;
}

/* Returns the number of mismatches (0 or 1), printing what differs. */
static int run_registration(const char *name, json_t *c, json_t *e)
{
	const char *origins[MAX_ORIGINS];
	int algs[MAX_ALGS];
	webauthn_reg_params_t p;
	webauthn_credential_t *cred = calloc(1, sizeof(*cred));
	webauthn_trust_t *trust = NULL;
	blob_t ch = blob(c, "challenge"), cd = blob(c, "client_data"),
	       ao = blob(c, "attestation_object");
	const char *reason = NULL, *pem = json_string_value(json_object_get(c, "anchors_pem"));
	json_t *ja = json_object_get(c, "algs");
	int r, bad = 0;

	assert_non_null(cred);
	memset(&p, 0, sizeof(p));
	rp_from(c, &p.rp, origins);
	p.challenge = ch.b;
	p.challenge_len = ch.n;
	if (ja != NULL) {
		p.n_algs = json_array_size(ja);
		assert_true(p.n_algs <= MAX_ALGS);
		for (size_t i = 0; i < p.n_algs; i++)
			algs[i] = (int)json_integer_value(json_array_get(ja, i));
		p.algs = algs;
	}
	p.policy = strcmp(json_string_value(json_object_get(c, "policy")), "trusted") == 0
		       ? WEBAUTHN_ATT_POLICY_TRUSTED
		       : WEBAUTHN_ATT_POLICY_ANY;
	if (pem != NULL) {
		assert_int_equal(webauthn_trust_new(&trust), SESAME_OK);
		assert_int_equal(webauthn_trust_add_pem(trust, pem, strlen(pem)), SESAME_OK);
		p.trust = trust;
	}
	r = webauthn_registration_verify(&p, cd.b, cd.n, ao.b, ao.n, cred, &reason);
	if (json_is_true(json_object_get(e, "ok"))) {
		const char *fmt = json_string_value(json_object_get(e, "fmt"));
		const char *type = json_string_value(json_object_get(e, "att_type"));
		if (r != SESAME_OK) {
			printf("  %s: refused (%s), expected ok\n", name, reason);
			bad = 1;
		} else if (strcmp(webauthn_fmt_name(cred->fmt), fmt) != 0 ||
			   strcmp(webauthn_att_type_name(cred->att_type), type) != 0 ||
			   cred->att_trusted != json_is_true(json_object_get(e, "trusted")) ||
			   cred->alg != json_integer_value(json_object_get(e, "alg")) ||
			   cred->sign_count !=
			       json_integer_value(json_object_get(e, "sign_count")) ||
			   cred->flags != json_integer_value(json_object_get(e, "flags")) ||
			   !blob_is(e, "cred_id", cred->id, cred->id_len) ||
			   !blob_is(e, "cose_key", cred->cose_key, cred->cose_key_len) ||
			   !blob_is(e, "aaguid", cred->aaguid, sizeof(cred->aaguid))) {
			printf("  %s: accepted, but the record differs (%s %s trusted=%d alg=%d "
			       "count=%u flags=%#x)\n",
			       name, webauthn_fmt_name(cred->fmt),
			       webauthn_att_type_name(cred->att_type), cred->att_trusted, cred->alg,
			       (unsigned)cred->sign_count, cred->flags);
			bad = 1;
		}
	} else {
		const char *want = json_string_value(json_object_get(e, "reason"));
		if (r == SESAME_OK || strcmp(reason, want) != 0) {
			printf("  %s: %s (%s), expected %s\n", name,
			       r == SESAME_OK ? "accepted" : "refused", reason, want);
			bad = 1;
		}
	}
	webauthn_trust_free(&trust);
	free(cred);
	free(ch.b);
	free(cd.b);
	free(ao.b);
	return bad;
}

static int run_assertion(const char *name, json_t *c, json_t *e)
{
	const char *origins[MAX_ORIGINS];
	webauthn_assert_params_t p;
	webauthn_assertion_t a;
	webauthn_assert_result_t res;
	blob_t ch = blob(c, "challenge"), cd = blob(c, "client_data"), ad = blob(c, "auth_data"),
	       sig = blob(c, "signature"), key = blob(c, "cose_key"), uh = blob(c, "user_handle"),
	       suh = blob(c, "stored_user_handle");
	const char *reason = NULL;
	int r, bad = 0;

	memset(&p, 0, sizeof(p));
	rp_from(c, &p.rp, origins);
	p.challenge = ch.b;
	p.challenge_len = ch.n;
	p.cose_key = key.b;
	p.cose_key_len = key.n;
	p.stored_sign_count = (uint32_t)json_integer_value(json_object_get(c, "stored_sign_count"));
	p.user_handle = suh.b;
	p.user_handle_len = suh.n;
	a = (webauthn_assertion_t){cd.b, cd.n, ad.b, ad.n, sig.b, sig.n, uh.b, uh.n};
	r = webauthn_assertion_verify(&p, &a, &res, &reason);
	if (json_is_true(json_object_get(e, "ok"))) {
		if (r != SESAME_OK) {
			printf("  %s: refused (%s), expected ok\n", name, reason);
			bad = 1;
		} else if (res.sign_count != json_integer_value(json_object_get(e, "sign_count")) ||
			   res.flags != json_integer_value(json_object_get(e, "flags"))) {
			printf("  %s: accepted, count %u flags %#x differ\n", name,
			       (unsigned)res.sign_count, res.flags);
			bad = 1;
		}
	} else {
		const char *want = json_string_value(json_object_get(e, "reason"));
		json_t *count = json_object_get(e, "sign_count");
		if (r == SESAME_OK || strcmp(reason, want) != 0) {
			printf("  %s: %s (%s), expected %s\n", name,
			       r == SESAME_OK ? "accepted" : "refused", reason, want);
			bad = 1;
		} else if (count != NULL && res.sign_count != json_integer_value(count)) {
			printf("  %s: regression reported without the new count\n", name);
			bad = 1;
		}
	}
	free(ch.b);
	free(cd.b);
	free(ad.b);
	free(sig.b);
	free(key.b);
	free(uh.b);
	free(suh.b);
	return bad;
}

static void test_generated(void **state)
{
	char path[1024];
	json_error_t err;
	json_t *index, *names;
	size_t n, valid = 0, failures = 0;

	(void)state;
	snprintf(path, sizeof(path), "%s/index.json", gen_dir);
	index = json_load_file(path, 0, &err);
	assert_non_null(index);
	names = json_object_get(index, "cases");
	n = json_array_size(names);
	assert_true(n >= MIN_CASES);
	for (size_t i = 0; i < n; i++) {
		const char *name = json_string_value(json_array_get(names, i));
		json_t *c, *e;
		snprintf(path, sizeof(path), "%s/%s.json", gen_dir, name);
		c = json_load_file(path, 0, &err);
		assert_non_null(c);
		e = json_object_get(c, "expect");
		valid += json_is_true(json_object_get(e, "ok"));
		if (strcmp(json_string_value(json_object_get(c, "ceremony")), "registration") == 0)
			failures += (size_t)run_registration(name, c, e);
		else
			failures += (size_t)run_assertion(name, c, e);
		json_decref(c);
	}
	printf("  %zu ceremonies (%zu valid, %zu broken), %zu mismatches\n", n, valid, n - valid,
	       failures);
	json_decref(index);
	assert_int_equal(failures, 0);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {cmocka_unit_test(test_generated)};

	if (argc != 2) {
		fprintf(stderr, "usage: %s GENERATED_DIR\n", argv[0]);
		return 2;
	}
	gen_dir = argv[1];
	return cmocka_run_group_tests(tests, NULL, NULL);
}
