/* otpauth:// Key URI of authenticator apps (Google Authenticator, Aegis,
 * FreeOTP): otpauth://totp/ISSUER:USER?secret=..&issuer=..&algorithm=..&digits=..&period=.. */
#ifndef AUTHD_OTPAUTH_H
#define AUTHD_OTPAUTH_H

#include <stddef.h>

#include "totp.h"

/* Returns a malloc'd URI (holds the secret: wipe and free it). */
int otpauth_uri(const char *issuer, const char *user, const unsigned char *seed, size_t seedlen,
		const totp_params_t *p, char **out);

#endif
