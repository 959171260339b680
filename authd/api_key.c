/* /v1/key/status, /v1/key/reseal (root): the master key versions in use by
 * the sealed TOTP seeds, and their re-sealing under the newest key after a
 * rotation (reseal.c). */
#include <time.h>

#include "api.h"
#include "reseal.h"
#include "seal.h"
#include "sesame/error.h"

int api_key_status(authd_t *d, const authd_caller_t *c, json_t *req, json_t **reply,
		   api_error_t *err)
{
	(void)c; /* who may ask: the route table (api_util.c) */
	static const char *const fields[] = {NULL};
	reseal_status_t st;
	json_t *sealed;
	int r;

	if ((r = api_fields(req, fields, err)))
		return r;
	if ((r = reseal_status(d, &st)) != SESAME_OK)
		return r;
	if ((sealed = json_array()) == NULL)
		return SESAME_ERR_NOMEM;
	for (size_t i = 0; i < st.n; i++)
		if (json_array_append_new(sealed, json_pack("{s:I, s:I, s:b}", "version",
							    (json_int_t)st.v[i].version, "count",
							    (json_int_t)st.v[i].count, "loaded",
							    st.v[i].loaded)) != 0) {
			json_decref(sealed);
			return SESAME_ERR_NOMEM;
		}
	*reply = json_pack("{s:I, s:o, s:I, s:I}", "current",
			   (json_int_t)seal_current_version(d->keys), "sealed", sealed, "malformed",
			   (json_int_t)st.malformed, "legacy", (json_int_t)st.legacy);
	return *reply ? SESAME_OK : SESAME_ERR_NOMEM;
}

int api_key_reseal(authd_t *d, const authd_caller_t *c, json_t *req, json_t **reply,
		   api_error_t *err)
{
	(void)c; /* who may ask: the route table (api_util.c) */
	static const char *const fields[] = {NULL};
	size_t done = 0, unreadable = 0;
	int r;

	if ((r = api_fields(req, fields, err)))
		return r;
	if ((r = reseal_run(d, "sesamectl", (int64_t)time(NULL), &done, &unreadable)) != SESAME_OK)
		return r;
	*reply = json_pack("{s:I, s:I, s:I}", "current", (json_int_t)seal_current_version(d->keys),
			   "resealed", (json_int_t)done, "unreadable", (json_int_t)unreadable);
	return *reply ? SESAME_OK : SESAME_ERR_NOMEM;
}
