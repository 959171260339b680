/* The OpenID Connect provider's start and stop (oidc.h). */
#include <stdio.h>
#include <stdlib.h>

#include "oidc.h"
#include "sesame/error.h"
#include "sesame/log.h"

int oidc_start(authd_t *d)
{
	char url[SESAME_MAX_ORIGIN + 1];
	oidc_t *o;
	int r;

	if (!d->cfg.oidc.enabled)
		return SESAME_OK;
	if ((o = calloc(1, sizeof(*o))) == NULL)
		return SESAME_ERR_NOMEM;
	config_web_public_url(&d->cfg.web, url);
	oidc_config_issuer(&d->cfg.oidc, url, o->issuer);
	d->oidc = o;
	if ((r = oidc_keys_start(d, &o->keys)) != SESAME_OK) {
		log_err("oidc: cannot set up the signing keys (%s)", sesame_err_code(r));
		oidc_stop(d);
		return r;
	}
	log_info("OpenID Connect provider %s", o->issuer);
	return SESAME_OK;
}

void oidc_stop(authd_t *d)
{
	if (d->oidc == NULL)
		return;
	oidc_keys_free(&d->oidc->keys);
	free(d->oidc);
	d->oidc = NULL;
}
