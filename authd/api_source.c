/* /v1/source/show, /v1/source/unlock (root): the failure count and wait of
 * a client address (authd/source.c), and clearing them. */
#include <stdio.h>
#include <time.h>

#include "api.h"
#include "audit.h"
#include "sesame/error.h"
#include "source.h"
#include "throttle.h"

struct source_ctx {
	char key[SOURCE_KEY_MAX];
	const char *address;
	int64_t now;
	store_source_t s;
};

/* "address": the source's address or host name; its key into c->key. */
static int address_field(json_t *req, struct source_ctx *c, api_error_t *err)
{
	int r = api_string(req, "address", 1, SESAME_MAX_RHOST, NULL, &c->address, err);

	if (r != SESAME_OK)
		return r;
	if (!source_key(c->address, c->key)) {
		snprintf(err->message, sizeof(err->message), "%s",
			 "This address is never throttled (empty, loopback or too long).");
		return SESAME_ERR_INVALID_ARGUMENT;
	}
	return SESAME_OK;
}

int api_source_show(authd_t *d, const authd_caller_t *c, json_t *req, json_t **reply,
		    api_error_t *err)
{
	(void)c; /* who may ask: the route table (api_util.c) */
	static const char *const fields[] = {"address", NULL};
	struct source_ctx ctx = {.now = (int64_t)time(NULL)};
	int r;

	if ((r = api_fields(req, fields, err)) || (r = address_field(req, &ctx, err)))
		return r;
	r = source_show(d, ctx.key, &ctx.s);
	if (r != SESAME_OK && r != SESAME_ERR_NOT_FOUND)
		return r;
	*reply = json_pack("{s:s, s:s, s:I, s:I, s:I}", "address", ctx.address, "source", ctx.key,
			   "failures", (json_int_t)ctx.s.failures, "last_failure",
			   (json_int_t)ctx.s.last_failure, "wait",
			   (json_int_t)throttle_wait(ctx.s.locked_until, ctx.now));
	return *reply ? SESAME_OK : SESAME_ERR_NOMEM;
}

int api_source_unlock(authd_t *d, const authd_caller_t *c, json_t *req, json_t **reply,
		      api_error_t *err)
{
	(void)c; /* who may ask: the route table (api_util.c) */
	static const char *const fields[] = {"address", NULL};
	struct source_ctx ctx = {.now = (int64_t)time(NULL)};
	int r;

	if ((r = api_fields(req, fields, err)) || (r = address_field(req, &ctx, err)))
		return r;
	if ((r = source_unlock(d, ctx.key, "sesamectl", ctx.now)) != SESAME_OK)
		return r;
	*reply =
	    json_pack("{s:s, s:s, s:b}", "address", ctx.address, "source", ctx.key, "unlocked", 1);
	return *reply ? SESAME_OK : SESAME_ERR_NOMEM;
}
