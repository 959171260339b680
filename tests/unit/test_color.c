/* The brand's colour arithmetic (authd/color.c) against WCAG 2.1's
 * definitions: figures from the specification's own examples. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h> /* after the four headers it needs */

#include <string.h>

#include "color.h"
#include "sesame/error.h"

static void test_parse_format(void **state)
{
	static const char *const bad[] = {"",	    "#",       "#12345",  "#1234567",
					  "123456", "#12345g", "#-12345", " #123456"};
	color_t c;
	char out[8];

	(void)state;
	assert_int_equal(color_parse("#2456A6", &c), SESAME_OK);
	assert_int_equal(c.r, 0x24);
	assert_int_equal(c.g, 0x56);
	assert_int_equal(c.b, 0xa6);
	color_format(c, out);
	assert_string_equal(out, "#2456a6");
	assert_int_equal(color_parse(NULL, &c), SESAME_ERR_INVALID_ARGUMENT);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (color_parse(bad[i], &c) != SESAME_ERR_INVALID_ARGUMENT)
			fail_msg("accepted: %s", bad[i]);
}

static void test_contrast(void **state)
{
	color_t black = {0, 0, 0}, white = {255, 255, 255}, grey = {0x76, 0x76, 0x76},
		lighter = {0x77, 0x77, 0x77}, accent = {0x24, 0x56, 0xa6};

	(void)state;
	assert_true(color_luminance(black) == 0.0);
	assert_true(color_luminance(white) > 0.9999);
	assert_true(color_contrast(black, white) > 20.99);
	assert_true(color_contrast(white, black) > 20.99); /* either order */
	assert_true(color_contrast(accent, accent) < 1.0001);
	/* the well-known boundary of 4.5:1 on white */
	assert_true(color_contrast(grey, white) >= COLOR_TEXT_CONTRAST);
	assert_true(color_contrast(lighter, white) < COLOR_TEXT_CONTRAST);
}

static void test_readable_tint(void **state)
{
	color_t accent = {0x24, 0x56, 0xa6}, card = {0x1a, 0x22, 0x2d}, navy = {0, 0, 0x91};
	color_t t;

	(void)state;
	assert_true(color_contrast(accent, card) < COLOR_TEXT_CONTRAST); /* too dark to read */
	t = color_readable_on(accent, card, COLOR_TEXT_CONTRAST);
	assert_true(color_contrast(t, card) >= COLOR_TEXT_CONTRAST);
	assert_true(t.r >= accent.r && t.g >= accent.g && t.b >= accent.b); /* a tint of it */
	t = color_readable_on(navy, card, COLOR_TEXT_CONTRAST);
	assert_true(color_contrast(t, card) >= COLOR_TEXT_CONTRAST);
	/* already readable: itself */
	t = color_readable_on((color_t){0xff, 0xff, 0xff}, card, COLOR_TEXT_CONTRAST);
	assert_int_equal(t.r, 0xff);
	t = color_tint(accent, 1);
	assert_int_equal(t.r + t.g + t.b, 3 * 255);
	t = color_tint(accent, -3);
	assert_int_equal(t.b, 0xa6);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_parse_format),
	    cmocka_unit_test(test_contrast),
	    cmocka_unit_test(test_readable_tint),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
