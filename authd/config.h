/* The daemon's configuration (/etc/sesame/authd.conf, INI format, see
 * sesame-authd.conf(5)), read with lib/config_file.c. sesamectl reads only
 * the socket from the same file (sesame/config_client.h). */
#ifndef AUTHD_CONFIG_H
#define AUTHD_CONFIG_H

#include <stddef.h>
#include <sys/types.h>

#include "oidc_config.h"
#include "sesame/limits.h"
#include "sesame/totp_alg.h"

#define SESAME_MAX_TRUSTED_USERS 16

typedef struct {
	unsigned min_length;  /* code points; default 15, at least 8 */
	unsigned max_length;  /* code points accepted; default 256, at least 64 */
	unsigned min_classes; /* composition rule, 0 (off, default) to 4 */
	unsigned min_score;   /* zxcvbn score 0..4; default 3 */
	int check_old;	      /* refuse the old password and variations; default 1 */
	/* admin lists of refused passwords, one a line ("list =" repeated) */
	char lists[SESAME_MAX_PW_LISTS][SESAME_MAX_PATH];
	size_t n_lists;
	/* organisation words refused as context ("organisation_words = a, b") */
	char org_words[SESAME_MAX_ORG_WORDS][64];
	size_t n_org_words;
	char breach_filter[SESAME_MAX_PATH]; /* offline filter file; empty: off */
	int online;			     /* k-anonymity range queries; default 0 */
	char online_url[256];		     /* base URL, the 5 hex digits are appended */
	unsigned online_timeout_ms;	     /* default 3000 */
	int online_fail_open;		     /* on error: 1 accept, 0 refuse (default) */
} password_config_t;

/* [web]: the sign-in pages on TCP (authd/web/). */
#define SESAME_MAX_RP_ID 253	      /* a DNS name */
#define SESAME_MAX_ORIGIN 255	      /* WEBAUTHN_MAX_ORIGIN - 1 */
#define SESAME_MAX_WEB_ORIGINS 8      /* [web] origins */
#define SESAME_MAX_LISTEN 128	      /* "127.0.0.1:8443", "[::1]:8443" */
#define SESAME_MAX_URL 512	      /* [web] brand_privacy */
#define SESAME_BRAND_ACCENT "#2456a6" /* Sésame's: white on it 7.3:1 */
typedef struct {
	char listen[SESAME_MAX_LISTEN];	       /* empty: no web server (default) */
	char tls_certificate[SESAME_MAX_PATH]; /* PEM; TLS when both are set */
	char tls_key[SESAME_MAX_PATH];
	char trusted_proxy[64];	   /* an IP address literal; empty: none */
	unsigned session_idle;	   /* seconds without a request; default 900 */
	unsigned session_lifetime; /* seconds after sign-in; default 43200 */
	/* passkeys (WebAuthn) */
	char rp_id[SESAME_MAX_RP_ID + 1]; /* default "localhost" (development) */
	char rp_name[64];		  /* default "Sésame" */
	/* allowed origins, "scheme://host[:port]"; none: derived from listen */
	char origins[SESAME_MAX_WEB_ORIGINS][SESAME_MAX_ORIGIN + 1];
	size_t n_origins;
	int require_uv;		 /* user_verification = required; default preferred */
	int attestation_trusted; /* attestation = trusted; default none */
	char attestation_anchors[SESAME_MAX_PATH]; /* PEM; needed by trusted */
	int require_mfa;			   /* keep a second factor; default 1 */
	unsigned challenge_ttl;			   /* seconds; default 120 */
	/* enrollment invitations */
	char public_url[SESAME_MAX_ORIGIN + 1]; /* the links' base; empty: the first origin */
	unsigned invitation_ttl;		/* seconds; default 86400 */
	unsigned source_rate;  /* password hashes per minute per client address; 0: no limit */
	unsigned reauth_after; /* seconds after a sign-in within which account changes need
				  no new proof; default 600 */
	unsigned handoff_ttl;  /* seconds a terminal hand-off waits; default 300, 10..300 */
	int handoff_link;      /* the QR code and link carry the user code; default 0 */
	/* the operator's brand on every page (authd/web/web_brand.c) */
	char brand_name[64];			/* default "Sésame" */
	char brand_logo[SESAME_MAX_PATH];	/* PNG, SVG, JPEG or WebP; empty: Sésame's */
	char brand_accent[8];			/* "#rrggbb", white text on it >= 4.5:1 */
	char brand_support[256];		/* a line under every page; empty: none */
	char brand_privacy[SESAME_MAX_URL + 1]; /* http(s) URL of the privacy notice */
} web_config_t;

/* [require]: what each door requires (authd/requirement.h parses them). */
#define SESAME_MAX_REQUIRE 32	    /* pam.SERVICE entries */
#define SESAME_MAX_REQUIRE_TEXT 128 /* "password+second | passkey" */
typedef struct {
	char pam[SESAME_MAX_REQUIRE_TEXT]; /* every PAM service; default "second" */
	char web[SESAME_MAX_REQUIRE_TEXT]; /* default "password+second | passkey" */
	char services[SESAME_MAX_REQUIRE][SESAME_MAX_SERVICE + 1];
	char service_rules[SESAME_MAX_REQUIRE][SESAME_MAX_REQUIRE_TEXT];
	size_t n_services;
} require_config_t;

typedef struct {
	/* [authd] */
	char socket[SESAME_MAX_PATH];
	unsigned socket_mode;  /* e.g. 0660 */
	char socket_group[64]; /* empty: leave the daemon's group */
	char database[SESAME_MAX_PATH];
	char master_key[SESAME_MAX_PATH];
	size_t max_body;      /* <= SESAME_MAX_BODY */
	unsigned threads_max; /* simultaneous connections */
	/* users (besides root) that may run PAM conversations for any user,
	 * e.g. "ejabberd" whose epam helper is not setuid */
	char pam_trusted_users[SESAME_MAX_TRUSTED_USERS][SESAME_MAX_USERNAME + 1];
	size_t n_pam_trusted_users;
	int log_level; /* LOG_ERR..LOG_DEBUG */

	/* [totp] */
	char issuer[64];
	totp_alg_t algorithm;
	unsigned digits; /* 6..8 */
	unsigned period; /* seconds */
	unsigned window; /* steps accepted either side of now */

	/* [throttle] */
	unsigned max_failures; /* consecutive failures before waiting */
	unsigned base_delay;   /* seconds, first wait */
	unsigned max_delay;    /* seconds, cap */
	/* per source (client address): password spraying across accounts */
	unsigned source_max_failures; /* failures from one source before waiting; 0: off */
	unsigned source_base_delay;   /* seconds, first wait */
	unsigned source_max_delay;    /* seconds, cap */
	unsigned source_window;	      /* seconds without a failure that forget the count */
	/* per account, whatever the source (NIST SP 800-63B §5.2.2 ceiling) */
	unsigned account_max_failures; /* consecutive failures that lock the account; 0: off */
	unsigned account_lock_time;    /* seconds the account then waits */

	/* [password] (NIST SP 800-63B; see sesame-authd.conf(5)) */
	password_config_t password;

	/* [web] */
	web_config_t web;

	/* [require] */
	require_config_t require;

	/* [oidc], [oidc.client.ID] (authd/oidc_config.c) */
	oidc_config_t oidc;
} sesame_config_t;

/* Fills cfg with the built-in defaults. */
void config_defaults(sesame_config_t *cfg);

/* Reads path over the values already in cfg. On error returns
 * SESAME_ERR_CONFIG (or SESAME_ERR_IO when the file cannot be read) and
 * writes one sentence naming the file, line and key into err. */
int config_load(sesame_config_t *cfg, const char *path, char *err, size_t errsz);

/* Checks cross-field constraints after loading and overrides. */
int config_validate(const sesame_config_t *cfg, char *err, size_t errsz);

/* Splits a [web] listen value, "IPV4:PORT" or "[IPV6]:PORT" (address
 * literals only, port 1..65535), into host (without brackets) and port. */
int config_listen_parse(const char *v, char *host, size_t hostsz, unsigned *port);

/* The passkey origins of cfg: the configured ones, or when none is,
 * "http(s)://localhost:PORT" from listen (https with TLS). Returns how
 * many were written into out (at most SESAME_MAX_WEB_ORIGINS). */
size_t config_web_origins(const web_config_t *web, char out[][SESAME_MAX_ORIGIN + 1]);

/* The base of the links the daemon hands out (invitations): public_url,
 * or when unset the first passkey origin. Empty when neither is known. */
void config_web_public_url(const web_config_t *web, char out[SESAME_MAX_ORIGIN + 1]);

#endif
