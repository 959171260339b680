/* /v1/recovery/generate: a new set of recovery codes for a user (root
 * only), shown once in the reply (usercode.c). */
#include <openssl/crypto.h>
#include <stdio.h>
#include <time.h>

#include "api.h"
#include "sesame/error.h"
#include "usercode.h"

int api_recovery_generate(authd_t *d, const authd_caller_t *c, json_t *req, json_t **reply,
			  api_error_t *err)
{
	static const char *const fields[] = {"user", NULL};
	char codes[USERCODE_RECOVERY_COUNT][USERCODE_TEXT_LEN];
	const char *user;
	json_t *list = NULL;
	int r;

	(void)c; /* who may ask: the route table (api_util.c) */
	if ((r = api_fields(req, fields, err)) || (r = api_user(req, "user", &user, err)))
		return r;
	r = usercode_recovery_generate(d, user, "sesamectl", "", (int64_t)time(NULL), codes);
	if (r == SESAME_ERR_NOT_FOUND) {
		snprintf(err->message, sizeof(err->message), "%s",
			 "Sesame has no record of this user.");
		return r;
	}
	if (r != SESAME_OK)
		return r;
	if ((list = json_array()) == NULL)
		r = SESAME_ERR_NOMEM;
	for (size_t i = 0; r == SESAME_OK && i < USERCODE_RECOVERY_COUNT; i++)
		if (json_array_append_new(list, json_string(codes[i])) != 0)
			r = SESAME_ERR_NOMEM;
	OPENSSL_cleanse(codes, sizeof(codes));
	if (r != SESAME_OK) {
		json_decref(list);
		return r;
	}
	*reply = json_pack("{s:s, s:o}", "user", user, "codes", list);
	return *reply ? SESAME_OK : SESAME_ERR_NOMEM;
}
