/* sRGB colours of the operator's brand ([web] brand_accent) and the WCAG 2.1
 * contrast ratio the pages must keep (1.4.3: 4.5:1 for text). */
#ifndef AUTHD_COLOR_H
#define AUTHD_COLOR_H

#define COLOR_TEXT_CONTRAST 4.5 /* WCAG 2.1 AA, normal text */

typedef struct {
	unsigned char r, g, b;
} color_t;

/* "#rrggbb" (either case), exactly: SESAME_OK, else
 * SESAME_ERR_INVALID_ARGUMENT. */
int color_parse(const char *text, color_t *out);
/* "#rrggbb" (lower case) into out (8 bytes). */
void color_format(color_t c, char out[8]);
/* Relative luminance, 0 (black) to 1 (white). */
double color_luminance(color_t c);
/* Contrast ratio of two colours, 1 to 21, whichever is lighter. */
double color_contrast(color_t a, color_t b);
/* The colour of a mixed with white: t = 0 gives a, 1 white. */
color_t color_tint(color_t a, double t);
/* The least tint of a (in steps of 1/20) whose contrast with bg is at least
 * ratio: an accent readable on a dark background. White when none is. */
color_t color_readable_on(color_t a, color_t bg, double ratio);

#endif
