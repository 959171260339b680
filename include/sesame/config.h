/* The daemon's configuration (/etc/sesame/authd.conf, INI format, see
 * sesame-authd.conf(5)). sesamectl reads the same file to find the socket. */
#ifndef SESAME_CONFIG_H
#define SESAME_CONFIG_H

#include <stddef.h>
#include <sys/types.h>

#include "sesame/limits.h"

#define SESAME_MAX_TRUSTED_USERS 16
#define SESAME_MAX_PATH 4096

typedef enum { TOTP_ALG_SHA1 = 0, TOTP_ALG_SHA256, TOTP_ALG_SHA512 } totp_alg_t;

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
} sesame_config_t;

/* Fills cfg with the built-in defaults. */
void config_defaults(sesame_config_t *cfg);

/* Reads path over the values already in cfg. On error returns
 * SESAME_ERR_CONFIG (or SESAME_ERR_IO when the file cannot be read) and
 * writes one sentence naming the file, line and key into err. */
int config_load(sesame_config_t *cfg, const char *path, char *err, size_t errsz);

/* Checks cross-field constraints after loading and overrides. */
int config_validate(const sesame_config_t *cfg, char *err, size_t errsz);

int config_alg_parse(const char *name, totp_alg_t *alg);
const char *config_alg_name(totp_alg_t alg); /* "SHA1", "SHA256", "SHA512" */

#endif
