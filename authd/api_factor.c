/* /v1/totp/list|remove and /v1/passkey/list|remove: an administrator
 * lists and removes a user's second factors (a lost phone or
 * authenticator, a departed employee), one handler for both kinds over
 * factor_manage.c. Registration of a passkey needs a browser: it is the
 * web pages'. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api.h"
#include "factor_manage.h"
#include "sesame/error.h"

#define ADMIN_SERVICE "sesamectl"

json_t *api_passkey_json(const store_webauthn_t *w)
{
	return json_pack("{s:s, s:I, s:s, s:i, s:s, s:b, s:I, s:I}", "type", "passkey", "id",
			 (json_int_t)w->id, "name", w->name, "algorithm", w->alg, "attestation",
			 w->attestation, "backed_up", w->backup_state, "created",
			 (json_int_t)w->created, "last_used", (json_int_t)w->last_used);
}

int api_factor_refusal(int r, api_error_t *err)
{
	if (r == SESAME_ERR_NOT_FOUND)
		snprintf(err->message, sizeof(err->message), "%s", "This user has no such factor.");
	else if (r == SESAME_ERR_PERMISSION)
		snprintf(err->message, sizeof(err->message), "%s",
			 "This is the user's last second factor; add another first, or remove it "
			 "with --force.");
	return r;
}

/* A list of kind's credentials of "user" (sesamectl totp|passkey list). */
static int factor_list(authd_t *d, json_t *req, json_t **reply, api_error_t *err,
		       const factor_t *kind)
{
	static const char *const fields[] = {"user", NULL};
	factor_lists_t l;
	const char *user;
	json_t *items;
	int r;

	if ((r = api_fields(req, fields, err)) || (r = api_user(req, "user", &user, err)))
		return r;
	if ((r = factor_lists(d, user, &l)) == SESAME_OK && (items = json_array()) != NULL) {
		size_t n = kind == &factor_totp ? l.n_totp : l.n_keys;
		for (size_t i = 0; i < n; i++)
			json_array_append_new(items, kind == &factor_totp
							 ? api_totp_json(&l.totp[i])
							 : api_passkey_json(&l.keys[i]));
		*reply = json_pack("{s:s, s:o}", "user", user,
				   kind == &factor_totp ? "totp" : "passkeys", items);
		r = *reply ? SESAME_OK : SESAME_ERR_NOMEM;
	} else if (r == SESAME_OK) {
		r = SESAME_ERR_NOMEM;
	}
	factor_lists_free(&l);
	return r;
}

/* Removes kind's credential "id" of "user" ("force": even the last). */
static int factor_remove_req(authd_t *d, json_t *req, json_t **reply, api_error_t *err,
			     const factor_t *kind)
{
	static const char *const fields[] = {"user", "id", "force", NULL};
	const char *user;
	long long id;
	int force, r;

	if ((r = api_fields(req, fields, err)) || (r = api_user(req, "user", &user, err)) ||
	    (r = api_int(req, "id", 1, 1, INT64_MAX, 0, &id, err)) ||
	    (r = api_bool(req, "force", 0, &force, err)))
		return r;
	r = factor_remove(d, user, kind, id, force, ADMIN_SERVICE, "", (int64_t)time(NULL));
	if (r != SESAME_OK)
		return api_factor_refusal(r, err);
	*reply = json_pack("{s:s, s:I, s:b}", "user", user, "id", (json_int_t)id, "removed", 1);
	return *reply ? SESAME_OK : SESAME_ERR_NOMEM;
}

/* Who may ask: the route table (api_util.c). */

int api_totp_list(authd_t *d, const authd_caller_t *c, json_t *req, json_t **reply,
		  api_error_t *err)
{
	(void)c;
	return factor_list(d, req, reply, err, &factor_totp);
}

int api_passkey_list(authd_t *d, const authd_caller_t *c, json_t *req, json_t **reply,
		     api_error_t *err)
{
	(void)c;
	return factor_list(d, req, reply, err, &factor_passkey);
}

int api_totp_remove(authd_t *d, const authd_caller_t *c, json_t *req, json_t **reply,
		    api_error_t *err)
{
	(void)c;
	return factor_remove_req(d, req, reply, err, &factor_totp);
}

int api_passkey_remove(authd_t *d, const authd_caller_t *c, json_t *req, json_t **reply,
		       api_error_t *err)
{
	(void)c;
	return factor_remove_req(d, req, reply, err, &factor_passkey);
}
