/* Colour arithmetic of the brand (see color.h): WCAG 2.1's relative
 * luminance and contrast ratio. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "color.h"
#include "sesame/error.h"
#include "sesame/hex.h"

int color_parse(const char *text, color_t *out)
{
	unsigned char v[3];

	if (text == NULL || strlen(text) != 7 || text[0] != '#')
		return SESAME_ERR_INVALID_ARGUMENT;
	for (int i = 0; i < 3; i++) {
		int hi = hex_digit(text[1 + 2 * i]), lo = hex_digit(text[2 + 2 * i]);
		if (hi < 0 || lo < 0)
			return SESAME_ERR_INVALID_ARGUMENT;
		v[i] = (unsigned char)(hi * 16 + lo);
	}
	out->r = v[0];
	out->g = v[1];
	out->b = v[2];
	return SESAME_OK;
}

void color_format(color_t c, char out[8])
{
	snprintf(out, 8, "#%02x%02x%02x", c.r, c.g, c.b);
}

static double channel(unsigned char v)
{
	double c = v / 255.0;
	return c <= 0.04045 ? c / 12.92 : pow((c + 0.055) / 1.055, 2.4);
}

double color_luminance(color_t c)
{
	return 0.2126 * channel(c.r) + 0.7152 * channel(c.g) + 0.0722 * channel(c.b);
}

double color_contrast(color_t a, color_t b)
{
	double la = color_luminance(a), lb = color_luminance(b);

	return la > lb ? (la + 0.05) / (lb + 0.05) : (lb + 0.05) / (la + 0.05);
}

color_t color_tint(color_t a, double t)
{
	color_t out;

	if (t < 0)
		t = 0;
	if (t > 1)
		t = 1;
	out.r = (unsigned char)lround(a.r + (255 - a.r) * t);
	out.g = (unsigned char)lround(a.g + (255 - a.g) * t);
	out.b = (unsigned char)lround(a.b + (255 - a.b) * t);
	return out;
}

color_t color_readable_on(color_t a, color_t bg, double ratio)
{
	for (int step = 0; step <= 20; step++) {
		color_t c = color_tint(a, step / 20.0);
		if (color_contrast(c, bg) >= ratio)
			return c;
	}
	return color_tint(a, 1);
}
