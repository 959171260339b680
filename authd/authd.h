/* The daemon's shared context: configuration, keys and store, set up by
 * main.c and read (never changed) by the request handlers. */
#ifndef AUTHD_AUTHD_H
#define AUTHD_AUTHD_H

#include <sys/types.h>

#include "config.h"
#include "password/password.h"
#include "ratelimit.h"
#include "requirement.h"
#include "seal.h"
#include "sesame/limits.h"
#include "store/store.h"
#include "throttle.h"
#include "webauthn/webauthn.h"

typedef struct {
	sesame_config_t cfg;
	throttle_params_t throttle;
	seal_keyring_t *keys;
	store_t *store;
	password_policy_t *password; /* read-only after start */
	ratelimit_t *password_rate;  /* password checks by non-root callers */
	uid_t pam_trusted_uids[SESAME_MAX_TRUSTED_USERS];
	size_t n_pam_trusted_uids;
	webauthn_trust_t *passkey_trust; /* [web] attestation_anchors; NULL: none */
	/* [require], parsed by flow_requirements_load */
	requirement_t require_pam;
	requirement_t require_web;
	requirement_t require_services[SESAME_MAX_REQUIRE]; /* cfg.require.services[i] */
	struct oidc *oidc; /* the OpenID Connect provider (oidc.h); NULL: off */
} authd_t;

/* Who is on the other end of the socket (SO_PEERCRED). */
typedef struct {
	uid_t uid;
	int is_root;
	int pam_trusted;		    /* listed in pam_trusted_users */
	char name[SESAME_MAX_USERNAME + 1]; /* passwd name, empty when unknown */
} authd_caller_t;

#endif
