/* libFuzzer target: the web pages' untrusted text parsers — the form
 * decoder (application/x-www-form-urlencoded) and Accept-Language
 * negotiation — and the HTML escaper on what they decode. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sesame/error.h"
#include "web/i18n.h"
#include "web/web_form.h"
#include "web/web_html.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	web_form_field_t f[] = {
	    {"user", 64, NULL, 0}, {"password", 1024, NULL, 0}, {"csrf", 64, NULL, 0}};
	char *text;

	if (size > 16384)
		return 0;
	int r = web_form_parse((const char *)data, size, f, 3);
	if (r == SESAME_OK) {
		for (size_t i = 0; i < 3; i++) {
			if (f[i].value != NULL &&
			    (f[i].len > f[i].max || strlen(f[i].value) != f[i].len))
				abort(); /* bounded, and no NUL inside */
			if (f[i].value != NULL) {
				html_buf_t b;
				memset(&b, 0, sizeof(b));
				html_text(&b, f[i].value);
				html_free(&b);
			}
		}
		web_form_free(f, 3);
	} else if (r != SESAME_ERR_INVALID_ARGUMENT && r != SESAME_ERR_TOO_LARGE &&
		   r != SESAME_ERR_NOMEM) {
		abort();
	}
	if ((text = malloc(size + 1)) == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	(void)i18n_negotiate(text);
	free(text);
	return 0;
}
