/* The operator's brand on every page ([web] brand_*): the stylesheet with
 * the accent colour in it, the logo, the name, the support line and the
 * privacy notice's link. Made once at start; the two files are served
 * from memory under a versioned URL. */
#ifndef AUTHD_WEB_BRAND_H
#define AUTHD_WEB_BRAND_H

#include <stddef.h>

#include "config.h"

#define WEB_BRAND_LOGO_MAX (256 * 1024) /* bytes of [web] brand_logo */
#define WEB_BRAND_TAG_LEN 16		/* hex digits of a file's version */

typedef struct {
	char *css; /* the brand's variables, then sesame.css */
	size_t css_len;
	char css_tag[WEB_BRAND_TAG_LEN + 1]; /* its version: SHA-256, 16 hex digits */
	unsigned char *logo;		     /* [web] brand_logo's bytes, or Sésame's */
	size_t logo_len;
	const char *logo_type; /* its Content-Type, from its first bytes */
	char logo_tag[WEB_BRAND_TAG_LEN + 1];
	char name[64];			  /* as [web] brand_name */
	char support[256];		  /* [web] brand_support, may be empty */
	char privacy[SESAME_MAX_URL + 1]; /* [web] brand_privacy, may be empty */
} web_brand_t;

/* Reads the logo file (a regular file, at most WEB_BRAND_LOGO_MAX bytes,
 * PNG, JPEG, WebP or SVG by its content) and makes the stylesheet. */
int web_brand_new(const web_config_t *cfg, web_brand_t **out);
void web_brand_free(web_brand_t **bp);

#endif
