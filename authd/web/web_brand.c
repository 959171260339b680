/* The brand (see web_brand.h). The accent comes from the configuration,
 * checked there (white text on it at 4.5:1 or more); dark pages take a
 * tint of it that reads at 7:1 on their card colour. */
#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "color.h"
#include "sesame/error.h"
#include "sesame/log.h"
#include "web_brand.h"

/* embedded by embed_file.cmake */
extern const unsigned char web_sesame_css[];
extern const size_t web_sesame_css_len;
extern const unsigned char web_logo_svg[];
extern const size_t web_logo_svg_len;

#define DARK_CARD "#1a222d"    /* sesame.css: --card in dark mode */
#define DARK_LINK_CONTRAST 7.0 /* links and outlines on it: AAA, brighter than AA's 4.5 */

/* The first 16 hex digits of the SHA-256 of data: the file's version. */
static int tag_of(const void *data, size_t len, char tag[WEB_BRAND_TAG_LEN + 1])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;

	if (EVP_Digest(data, len, md, &n, EVP_sha256(), NULL) != 1 || n < WEB_BRAND_TAG_LEN / 2)
		return SESAME_ERR_INTERNAL;
	for (int i = 0; i < WEB_BRAND_TAG_LEN / 2; i++)
		snprintf(tag + 2 * i, 3, "%02x", md[i]);
	return SESAME_OK;
}

/* The image type of a logo by its first bytes; NULL: not one we serve. */
static const char *image_type(const unsigned char *p, size_t n)
{
	size_t i = 0;

	if (n >= 8 && memcmp(p, "\x89PNG\r\n\x1a\n", 8) == 0)
		return "image/png";
	if (n >= 3 && memcmp(p, "\xff\xd8\xff", 3) == 0)
		return "image/jpeg";
	if (n >= 12 && memcmp(p, "RIFF", 4) == 0 && memcmp(p + 8, "WEBP", 4) == 0)
		return "image/webp";
	if (n >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0)
		i = 3; /* a UTF-8 byte order mark */
	while (i < n && (p[i] == ' ' || p[i] == '\t' || p[i] == '\r' || p[i] == '\n'))
		i++;
	if (n - i >= 5 && (memcmp(p + i, "<?xml", 5) == 0 || memcmp(p + i, "<svg", 4) == 0))
		return "image/svg+xml";
	return NULL;
}

static int read_logo(const char *path, web_brand_t *br)
{
	struct stat st;
	size_t got = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size <= 0 ||
	    st.st_size > WEB_BRAND_LOGO_MAX || (br->logo = malloc((size_t)st.st_size)) == NULL) {
		log_err("web: brand_logo %s: %s", path,
			fd < 0 ? strerror(errno) : "not a regular file of 1 byte to 256 KiB");
		goto fail;
	}
	while (got < (size_t)st.st_size) {
		ssize_t n = read(fd, br->logo + got, (size_t)st.st_size - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			log_err("web: brand_logo %s: cannot read it", path);
			goto fail;
		}
		got += (size_t)n;
	}
	close(fd);
	br->logo_len = got;
	if ((br->logo_type = image_type(br->logo, got)) == NULL) {
		log_err("web: brand_logo %s: not a PNG, JPEG, WebP or SVG image", path);
		return SESAME_ERR_CONFIG;
	}
	return SESAME_OK;
fail:
	if (fd >= 0)
		close(fd);
	return SESAME_ERR_CONFIG;
}

static int make_css(const web_config_t *cfg, web_brand_t *br)
{
	color_t accent, card;
	char light[8], vars[128];
	int n;

	if (color_parse(cfg->brand_accent, &accent) != SESAME_OK ||
	    color_parse(DARK_CARD, &card) != SESAME_OK)
		return SESAME_ERR_CONFIG;
	color_format(color_readable_on(accent, card, DARK_LINK_CONTRAST), light);
	n = snprintf(vars, sizeof(vars), ":root{--accent:%s;--accent-light:%s}\n",
		     cfg->brand_accent, light);
	if (n < 0 || (size_t)n >= sizeof(vars))
		return SESAME_ERR_INTERNAL;
	if ((br->css = malloc((size_t)n + web_sesame_css_len + 1)) == NULL)
		return SESAME_ERR_NOMEM;
	memcpy(br->css, vars, (size_t)n);
	memcpy(br->css + n, web_sesame_css, web_sesame_css_len);
	br->css_len = (size_t)n + web_sesame_css_len;
	br->css[br->css_len] = '\0';
	return tag_of(br->css, br->css_len, br->css_tag);
}

int web_brand_new(const web_config_t *cfg, web_brand_t **out)
{
	web_brand_t *br;
	int r;

	*out = NULL;
	if ((br = calloc(1, sizeof(*br))) == NULL)
		return SESAME_ERR_NOMEM;
	snprintf(br->name, sizeof(br->name), "%s", cfg->brand_name);
	snprintf(br->support, sizeof(br->support), "%s", cfg->brand_support);
	snprintf(br->privacy, sizeof(br->privacy), "%s", cfg->brand_privacy);
	if (cfg->brand_logo[0]) {
		if ((r = read_logo(cfg->brand_logo, br)) != SESAME_OK)
			goto fail;
	} else {
		if ((br->logo = malloc(web_logo_svg_len)) == NULL) {
			r = SESAME_ERR_NOMEM;
			goto fail;
		}
		memcpy(br->logo, web_logo_svg, web_logo_svg_len);
		br->logo_len = web_logo_svg_len;
		br->logo_type = "image/svg+xml";
	}
	if ((r = tag_of(br->logo, br->logo_len, br->logo_tag)) != SESAME_OK ||
	    (r = make_css(cfg, br)) != SESAME_OK)
		goto fail;
	*out = br;
	return SESAME_OK;
fail:
	web_brand_free(&br);
	return r;
}

void web_brand_free(web_brand_t **bp)
{
	web_brand_t *br;

	if (bp == NULL || (br = *bp) == NULL)
		return;
	free(br->css);
	free(br->logo);
	free(br);
	*bp = NULL;
}
