/* Request handlers of the /v1 API (docs/protocol.md) and the helpers they
 * share to decode fields strictly. Handlers decode JSON, check who may
 * ask, call the policy, and encode the reply. */
#ifndef AUTHD_API_H
#define AUTHD_API_H

#include <jansson.h>
#include <stddef.h>

#include "authd.h"

typedef struct {
	char message[256]; /* for the caller; empty: the error code's sentence */
	json_t *extra;	   /* more fields for the error reply, or NULL; the
			      dispatcher merges them and frees it */
} api_error_t;

typedef int (*api_handler_t)(authd_t *d, const authd_caller_t *caller, json_t *req, json_t **reply,
			     api_error_t *err);

/* Who may ask a request (the route table's permission column). */
typedef enum {
	API_ANYONE,  /* any caller that reaches the socket */
	API_ROOT,    /* root only */
	API_SELF,    /* root, or a caller about itself ("user" absent or its own name) */
	API_PAM,     /* root, pam_trusted_users, or a caller about itself */
	API_PAM_TXN, /* as API_PAM; the user is in the token: the handler calls api_may_act_for */
} api_perm_t;

/* The handler for path and who may call it, or NULL (404). */
api_handler_t api_route(const char *path, api_perm_t *perm);

/* Whether caller c may make request req under perm: SESAME_OK, or
 * SESAME_ERR_PERMISSION with the sentence in err. */
int api_permitted(api_perm_t perm, const authd_caller_t *c, const json_t *req, api_error_t *err);

/* HTTP status for an error code. */
unsigned api_status(int err);

/* Refuses fields other than the NULL-terminated allowed list. */
int api_fields(const json_t *req, const char *const *allowed, api_error_t *err);
/* String field of printable ASCII (0x20..0x7e) of at most maxlen bytes.
 * Missing and not required: *out = def. */
int api_string(const json_t *req, const char *key, int required, size_t maxlen, const char *def,
	       const char **out, api_error_t *err);
/* "user" field, validated with username_validate. */
int api_user(const json_t *req, const char *key, const char **out, api_error_t *err);
int api_bool(const json_t *req, const char *key, int def, int *out, api_error_t *err);
int api_int(const json_t *req, const char *key, int required, long long min, long long max,
	    long long def, long long *out, api_error_t *err);

/* Authorisation: root, or (pam && trusted), or the caller itself. */
int api_may_act_for(const authd_caller_t *c, const char *user, int pam, api_error_t *err);
int api_need_root(const authd_caller_t *c, api_error_t *err);

/* The full-name field of user's passwd (GECOS) entry; "" when none. */
void api_real_name_of(const char *user, char *out, size_t outsz);

/* "reasons" (array of {code, message}) and "hint" of a password check,
 * as /v1/password/check replies them; NULL when out of memory. */
json_t *api_password_reasons(const password_policy_t *p, const password_result_t *r);

/* JSON description of a TOTP credential (never its seed). */
json_t *api_totp_json(const store_totp_t *t);
/* The sentence of a refused factor removal (factor_manage.h), returns r. */
int api_factor_refusal(int r, api_error_t *err);
/* JSON description of a passkey (never its key). */
json_t *api_passkey_json(const store_webauthn_t *w);

int api_health(authd_t *d, const authd_caller_t *c, json_t *req, json_t **reply, api_error_t *err);
int api_pam_start(authd_t *d, const authd_caller_t *c, json_t *req, json_t **reply,
		  api_error_t *err);
int api_pam_continue(authd_t *d, const authd_caller_t *c, json_t *req, json_t **reply,
		     api_error_t *err);
int api_pam_account(authd_t *d, const authd_caller_t *c, json_t *req, json_t **reply,
		    api_error_t *err);
int api_totp_enroll(authd_t *d, const authd_caller_t *c, json_t *req, json_t **reply,
		    api_error_t *err);
int api_totp_confirm(authd_t *d, const authd_caller_t *c, json_t *req, json_t **reply,
		     api_error_t *err);
int api_totp_list(authd_t *d, const authd_caller_t *c, json_t *req, json_t **reply,
		  api_error_t *err);
int api_totp_remove(authd_t *d, const authd_caller_t *c, json_t *req, json_t **reply,
		    api_error_t *err);
int api_user_show(authd_t *d, const authd_caller_t *c, json_t *req, json_t **reply,
		  api_error_t *err);
int api_user_unlock(authd_t *d, const authd_caller_t *c, json_t *req, json_t **reply,
		    api_error_t *err);
int api_user_add(authd_t *d, const authd_caller_t *c, json_t *req, json_t **reply,
		 api_error_t *err);
int api_user_passwd(authd_t *d, const authd_caller_t *c, json_t *req, json_t **reply,
		    api_error_t *err);
int api_user_disable(authd_t *d, const authd_caller_t *c, json_t *req, json_t **reply,
		     api_error_t *err);
int api_user_enable(authd_t *d, const authd_caller_t *c, json_t *req, json_t **reply,
		    api_error_t *err);
int api_user_invite(authd_t *d, const authd_caller_t *c, json_t *req, json_t **reply,
		    api_error_t *err);
int api_password_check(authd_t *d, const authd_caller_t *c, json_t *req, json_t **reply,
		       api_error_t *err);
int api_source_show(authd_t *d, const authd_caller_t *c, json_t *req, json_t **reply,
		    api_error_t *err);
int api_source_unlock(authd_t *d, const authd_caller_t *c, json_t *req, json_t **reply,
		      api_error_t *err);
int api_key_status(authd_t *d, const authd_caller_t *c, json_t *req, json_t **reply,
		   api_error_t *err);
int api_key_reseal(authd_t *d, const authd_caller_t *c, json_t *req, json_t **reply,
		   api_error_t *err);
int api_passkey_list(authd_t *d, const authd_caller_t *c, json_t *req, json_t **reply,
		     api_error_t *err);
int api_passkey_remove(authd_t *d, const authd_caller_t *c, json_t *req, json_t **reply,
		       api_error_t *err);
int api_audit(authd_t *d, const authd_caller_t *c, json_t *req, json_t **reply, api_error_t *err);
/* api_oidc.c */
int api_oidc_rotate_keys(authd_t *d, const authd_caller_t *c, json_t *req, json_t **reply,
			 api_error_t *err);
int api_client_add(authd_t *d, const authd_caller_t *c, json_t *req, json_t **reply,
		   api_error_t *err);
int api_client_list(authd_t *d, const authd_caller_t *c, json_t *req, json_t **reply,
		    api_error_t *err);
int api_client_show(authd_t *d, const authd_caller_t *c, json_t *req, json_t **reply,
		    api_error_t *err);
int api_client_remove(authd_t *d, const authd_caller_t *c, json_t *req, json_t **reply,
		      api_error_t *err);

int api_recovery_generate(authd_t *d, const authd_caller_t *c, json_t *req, json_t **reply,
			  api_error_t *err);

#endif
