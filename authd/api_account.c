/* /v1/user/add, passwd, disable, enable, invite (root): user records and their
 * passwords. A new password is judged by the policy and hashed (slow, by
 * design) before its store transaction, which only writes the hash: the
 * group-commit leader never waits for Argon2. The password is never
 * logged, audited or replied, and is wiped from the request once used. */
#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "account.h"
#include "api.h"
#include "audit.h"
#include "invite.h"
#include "sesame/error.h"
#include "sesame/utf8.h"
#include "userpw.h"

#define ADMIN_SERVICE "sesamectl"

static int no_record(int r, api_error_t *err)
{
	if (r == SESAME_ERR_NOT_FOUND)
		snprintf(err->message, sizeof(err->message), "%s",
			 "Sesame has no record of this user; add it with sesamectl user add.");
	return r;
}

/* "real_name": UTF-8 of at most SESAME_MAX_REAL_NAME bytes, without
 * control characters (C0, DEL, C1). Missing: *out = "". */
static int real_name_field(const json_t *req, const char **out, api_error_t *err)
{
	json_t *v = json_object_get(req, "real_name");
	const char *s;
	size_t len, pos = 0;

	*out = "";
	if (v == NULL || json_is_null(v))
		return SESAME_OK;
	if (!json_is_string(v) || json_string_length(v) > SESAME_MAX_REAL_NAME)
		goto bad;
	s = json_string_value(v);
	len = json_string_length(v);
	if (!utf8_validate(s, len, NULL))
		goto bad;
	while (pos < len) {
		uint32_t cp = utf8_next(s, len, &pos);
		if (cp < 0x20 || (cp >= 0x7f && cp <= 0x9f))
			goto bad;
	}
	*out = s;
	return SESAME_OK;
bad:
	snprintf(err->message, sizeof(err->message),
		 "The field \"real_name\" must be text of at most %d bytes without control "
		 "characters.",
		 SESAME_MAX_REAL_NAME);
	return SESAME_ERR_INVALID_ARGUMENT;
}

/* "password": any JSON string (the policy judges its length and text). */
static int password_field(const json_t *req, int required, json_t **out, api_error_t *err)
{
	json_t *v = json_object_get(req, "password");

	*out = NULL;
	if (v == NULL && !required)
		return SESAME_OK;
	if (!json_is_string(v)) {
		snprintf(err->message, sizeof(err->message), "%s",
			 "The field \"password\" must be a string.");
		return SESAME_ERR_INVALID_ARGUMENT;
	}
	*out = v;
	return SESAME_OK;
}

static void password_wipe(json_t *pw)
{
	if (pw != NULL)
		OPENSSL_cleanse((char *)json_string_value(pw), json_string_length(pw));
}

/* Judges pw as user's new password, then hashes it into hash. A refusal is
 * SESAME_ERR_PASSWORD_REFUSED with the policy's reasons in err->extra. */
static int new_password(authd_t *d, const char *user, const char *real_name, const json_t *pw,
			char *hash, size_t hashsz, api_error_t *err)
{
	password_result_t res;
	int r = account_new_password(d, user, real_name, json_string_value(pw),
				     json_string_length(pw), NULL, 0, hash, hashsz, &res);

	if (r == SESAME_ERR_PASSWORD_REFUSED) {
		if ((err->extra = api_password_reasons(d->password, &res)) == NULL)
			return SESAME_ERR_NOMEM;
		snprintf(err->message, sizeof(err->message), "%s",
			 "The password policy refused this password; nothing was changed.");
	}
	return r;
}

int api_user_add(authd_t *d, const authd_caller_t *c, json_t *req, json_t **reply, api_error_t *err)
{
	(void)c; /* who may ask: the route table (api_util.c) */
	static const char *const fields[] = {"user", "real_name", "password", NULL};
	struct {
		const char *user, *real_name, *hash;
	} ctx = {NULL, NULL, NULL};
	char hash[USERPW_ENCODED_MAX];
	json_t *pw = NULL;
	int r;

	if ((r = api_fields(req, fields, err)) || (r = api_user(req, "user", &ctx.user, err)) ||
	    (r = real_name_field(req, &ctx.real_name, err)) ||
	    (r = password_field(req, 0, &pw, err)))
		goto out;
	if (pw != NULL) {
		if ((r = new_password(d, ctx.user, ctx.real_name, pw, hash, sizeof(hash), err)) !=
		    SESAME_OK)
			goto out;
		ctx.hash = hash;
	}
	if ((r = account_add(d, ctx.user, ctx.real_name, ctx.hash, ADMIN_SERVICE,
			     (int64_t)time(NULL))) != SESAME_OK) {
		if (r == SESAME_ERR_CONFLICT)
			snprintf(err->message, sizeof(err->message), "%s",
				 "Sesame already has a record of this user; nothing was changed.");
		goto out;
	}
	*reply = json_pack("{s:s, s:b, s:s, s:b}", "user", ctx.user, "added", 1, "real_name",
			   ctx.real_name, "has_password", ctx.hash != NULL);
	r = *reply ? SESAME_OK : SESAME_ERR_NOMEM;
out:
	OPENSSL_cleanse(hash, sizeof(hash));
	password_wipe(pw);
	return r;
}

int api_user_passwd(authd_t *d, const authd_caller_t *c, json_t *req, json_t **reply,
		    api_error_t *err)
{
	(void)c; /* who may ask: the route table (api_util.c) */
	static const char *const fields[] = {"user", "password", NULL};
	char hash[USERPW_ENCODED_MAX], real_name[SESAME_MAX_REAL_NAME + 1];
	const char *user = NULL;
	int64_t now = (int64_t)time(NULL);
	json_t *pw = NULL;
	int r;

	memset(hash, 0, sizeof(hash));
	if ((r = api_fields(req, fields, err)) || (r = api_user(req, "user", &user, err)) ||
	    (r = password_field(req, 1, &pw, err)))
		goto out;
	/* the record first: no hashing for a user that does not exist, and
	 * the policy gets the real name */
	if ((r = account_real_name(d, user, real_name)) != SESAME_OK) {
		no_record(r, err);
		goto out;
	}
	if ((r = new_password(d, user, real_name, pw, hash, sizeof(hash), err)) != SESAME_OK)
		goto out;
	/* every web session of the user ends: an administrator sets a
	 * password after a theft, not for fun */
	if ((r = account_password_set(d, user, hash, NULL, ADMIN_SERVICE, "", "passwd", now)) !=
	    SESAME_OK) {
		no_record(r, err);
		goto out;
	}
	*reply = json_pack("{s:s, s:I}", "user", user, "password_changed", (json_int_t)now);
	r = *reply ? SESAME_OK : SESAME_ERR_NOMEM;
out:
	OPENSSL_cleanse(hash, sizeof(hash));
	password_wipe(pw);
	return r;
}

static int set_disabled(authd_t *d, const authd_caller_t *c, json_t *req, json_t **reply,
			api_error_t *err, int disabled)
{
	(void)c; /* who may ask: the route table (api_util.c) */
	static const char *const fields[] = {"user", NULL};
	const char *user;
	int r;

	if ((r = api_fields(req, fields, err)) || (r = api_user(req, "user", &user, err)))
		return r;
	if ((r = account_set_disabled(d, user, disabled, ADMIN_SERVICE, (int64_t)time(NULL))) !=
	    SESAME_OK)
		return no_record(r, err);
	*reply = json_pack("{s:s, s:b}", "user", user, "disabled", disabled);
	return *reply ? SESAME_OK : SESAME_ERR_NOMEM;
}

int api_user_disable(authd_t *d, const authd_caller_t *c, json_t *req, json_t **reply,
		     api_error_t *err)
{
	return set_disabled(d, c, req, reply, err, 1);
}

int api_user_enable(authd_t *d, const authd_caller_t *c, json_t *req, json_t **reply,
		    api_error_t *err)
{
	return set_disabled(d, c, req, reply, err, 0);
}

int api_user_invite(authd_t *d, const authd_caller_t *c, json_t *req, json_t **reply,
		    api_error_t *err)
{
	(void)c; /* who may ask: the route table (api_util.c) */
	static const char *const fields[] = {"user", "real_name", NULL};
	char base[SESAME_MAX_ORIGIN + 1], token[TOKEN_LEN + 1], *url = NULL;
	const char *user = NULL, *real_name = NULL;
	int64_t expires = 0;
	size_t n;
	int r;

	if ((r = api_fields(req, fields, err)) || (r = api_user(req, "user", &user, err)) ||
	    (r = real_name_field(req, &real_name, err)))
		return r;
	config_web_public_url(&d->cfg.web, base);
	if (base[0] == '\0') {
		snprintf(err->message, sizeof(err->message), "%s",
			 "The web pages are not configured ([web] listen, or public_url): an "
			 "invitation link would lead nowhere.");
		return SESAME_ERR_CONFIG;
	}
	r = invite_issue(d, user, real_name, ADMIN_SERVICE, "", (int64_t)time(NULL), token,
			 &expires);
	if (r == SESAME_ERR_DISABLED)
		snprintf(err->message, sizeof(err->message), "%s",
			 "This user is disabled; enable it first (sesamectl user enable).");
	if (r != SESAME_OK)
		return r;
	n = strlen(base) + strlen(INVITE_PATH) + TOKEN_LEN + 1;
	if ((url = malloc(n)) != NULL) {
		snprintf(url, n, "%s%s%s", base, INVITE_PATH, token);
		*reply = json_pack("{s:s, s:s, s:I}", "user", user, "url", url, "expires",
				   (json_int_t)expires);
		OPENSSL_cleanse(url, n);
		free(url);
	}
	OPENSSL_cleanse(token, sizeof(token));
	return *reply ? SESAME_OK : SESAME_ERR_NOMEM;
}
