/* TOTP algorithm names (totp_alg.h). */
#include <strings.h>

#include "sesame/error.h"
#include "sesame/totp_alg.h"

int totp_alg_parse(const char *name, totp_alg_t *alg)
{
	if (strcasecmp(name, "sha1") == 0)
		*alg = TOTP_ALG_SHA1;
	else if (strcasecmp(name, "sha256") == 0)
		*alg = TOTP_ALG_SHA256;
	else if (strcasecmp(name, "sha512") == 0)
		*alg = TOTP_ALG_SHA512;
	else
		return SESAME_ERR_INVALID_ARGUMENT;
	return SESAME_OK;
}

const char *totp_alg_name(totp_alg_t alg)
{
	switch (alg) {
	case TOTP_ALG_SHA256:
		return "SHA256";
	case TOTP_ALG_SHA512:
		return "SHA512";
	default:
		return "SHA1";
	}
}
