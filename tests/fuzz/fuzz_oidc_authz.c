/* libFuzzer target: the OpenID Connect authorization request's decoder
 * (authd/oidc_authz.c: every parameter bounded and printable, repeats and
 * request objects refused, max_age, the claims parameter's JSON). The
 * input is a query string of name=value pairs, as libmicrohttpd hands
 * them over (already unescaped); the whole input is also tried as claims. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "oidc_authz.h"

#define FIELD_OK(f) (memchr((f), '\0', sizeof(f)) != NULL)

static void check(const oidc_authz_req_t *r)
{
	/* every field NUL-terminated within its bound, max_age sane */
	if (!FIELD_OK(r->client_id) || !FIELD_OK(r->redirect_uri) || !FIELD_OK(r->scope) ||
	    !FIELD_OK(r->state) || !FIELD_OK(r->nonce) || !FIELD_OK(r->code_challenge) ||
	    !FIELD_OK(r->prompt) || !FIELD_OK(r->login_hint) || !FIELD_OK(r->acr_values) ||
	    !FIELD_OK(r->error) || !FIELD_OK(r->error_description) || r->max_age < -1)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	oidc_authz_req_t req;
	unsigned seen = 0;
	char *text, *save = NULL;

	if (size > 16384 || (text = malloc(size + 1)) == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	memset(&req, 0, sizeof(req));
	req.max_age = -1;
	oidc_authz_param(&req, "claims", text, &seen);
	check(&req);
	memset(&req, 0, sizeof(req));
	req.max_age = -1;
	seen = 0;
	for (char *pair = strtok_r(text, "&", &save); pair; pair = strtok_r(NULL, "&", &save)) {
		char *eq = strchr(pair, '=');
		if (eq)
			*eq++ = '\0';
		oidc_authz_param(&req, pair, eq, &seen);
	}
	check(&req);
	free(text);
	return 0;
}
