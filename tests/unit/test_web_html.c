/* Unit tests for the web pages' HTML escaper and page buffer
 * (authd/web/web_html.c), and the catalog's language negotiation
 * (authd/web/i18n.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h> /* after the four headers it needs */

#include <stdlib.h>
#include <string.h>

#include "web/i18n.h"
#include "web/web_html.h"

static char *escaped(const char *s, size_t len)
{
	html_buf_t b = {0};
	size_t n = 0;
	char *out;

	html_text_n(&b, s, len);
	out = html_take(&b, &n);
	assert_non_null(out);
	assert_int_equal(n, strlen(out));
	return out;
}

static void check(const char *in, const char *want)
{
	char *got = escaped(in, strlen(in));
	assert_string_equal(got, want);
	free(got);
}

static void test_escape(void **state)
{
	(void)state;
	check("plain text", "plain text");
	check("<script>alert('x')</script>", "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;");
	check("a & b \"q\"", "a &amp; b &quot;q&quot;");
	check("&amp;", "&amp;amp;");
	check("\" onmouseover=\"x", "&quot; onmouseover=&quot;x");
	check("tab\there\r\n", "tab\there\r\n");
	check("bell\x07"
	      "esc\x1b",
	      "bell\xef\xbf\xbd"
	      "esc\xef\xbf\xbd");
	check("S\xc3\xa9same", "S\xc3\xa9same"); /* UTF-8 passes */
	check("", "");
	char *got = escaped("a\0<", 3); /* a NUL never reaches the page */
	assert_string_equal(got, "a\xef\xbf\xbd&lt;");
	free(got);
}

static void test_msg_and_bound(void **state)
{
	html_buf_t b = {0};
	size_t n = 0;
	char *out;
	(void)state;

	html_raw(&b, "<p>");
	html_msg(&b, I18N_EN, MSG_SIGNED_IN_AS, "<b>eve</b>");
	html_raw(&b, "</p>");
	out = html_take(&b, &n);
	assert_string_equal(out, "<p>Signed in as &lt;b&gt;eve&lt;/b&gt;</p>");
	free(out);

	html_msg(&b, I18N_FR, MSG_LOCKED, "30");
	out = html_take(&b, &n);
	assert_non_null(strstr(out, "dans 30 secondes."));
	free(out);

	/* a page never grows past HTML_MAX: it fails instead */
	for (int i = 0; i < 20000 && !b.failed; i++)
		html_text(&b, "<<<<");
	assert_true(b.failed);
	assert_null(html_take(&b, &n));
}

static void test_catalog_complete(void **state)
{
	(void)state;
	for (int id = 0; id < MSG__COUNT; id++)
		for (int l = 0; l < I18N__COUNT; l++)
			if (i18n_get((i18n_lang_t)l, (i18n_msg_t)id)[0] == '\0')
				fail_msg("message %d has no text in language %d", id, l);
}

static void test_negotiate(void **state)
{
	static const struct {
		const char *header;
		i18n_lang_t want;
	} cases[] = {
	    {NULL, I18N_EN},
	    {"", I18N_EN},
	    {"fr", I18N_FR},
	    {"fr-CA", I18N_FR},
	    {"FR-fr", I18N_FR},
	    {"en-GB,en;q=0.9,fr;q=0.8", I18N_EN},
	    {"en;q=0.5, fr;q=0.9", I18N_FR},
	    {"de-DE, fr;q=0.7, en;q=0.3", I18N_FR},
	    {"fr;q=0, en", I18N_EN},
	    {"fr;q=0", I18N_EN},
	    {"de", I18N_EN},
	    {"fr;q=1.5", I18N_EN},
	    {"fr;q=0.1234", I18N_EN},
	    {"fr;level=1", I18N_EN},
	    {"*;q=0.5, fr;q=0.6", I18N_FR},
	    {"fr;q=0.5, en;q=0.5", I18N_FR}, /* the first among equals */
	    {" , ,fr ; q=0.9 ", I18N_FR},
	    {"french", I18N_EN},
	};
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		if (i18n_negotiate(cases[i].header) != cases[i].want)
			fail_msg("Accept-Language \"%s\"",
				 cases[i].header ? cases[i].header : "(null)");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_escape),
	    cmocka_unit_test(test_msg_and_bound),
	    cmocka_unit_test(test_catalog_complete),
	    cmocka_unit_test(test_negotiate),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
