/* Strict decoder of application/x-www-form-urlencoded bodies (the web
 * pages' forms): only the expected fields, each at most once, each
 * bounded; anything else refuses the whole form. */
#ifndef AUTHD_WEB_FORM_H
#define AUTHD_WEB_FORM_H

#include <stddef.h>

typedef struct {
	const char *name; /* the field's name, as sent (names are not decoded) */
	size_t max;	  /* decoded bytes at most */
	char *value;	  /* out: decoded, NUL-terminated, malloc'd; NULL when absent */
	size_t len;	  /* out: decoded bytes */
} web_form_field_t;

/* Decodes body[0..len) into fields (values NULL on entry). "name=value"
 * pairs separated by "&"; "+" is a space; "%XX" needs two hex digits.
 * SESAME_ERR_INVALID_ARGUMENT: an unknown or repeated field, an empty
 * pair, a pair without "=", a bad escape, a NUL byte once decoded;
 * SESAME_ERR_TOO_LARGE: a value longer than its field's max;
 * SESAME_ERR_NOMEM. On error every value is freed. */
int web_form_parse(const char *body, size_t len, web_form_field_t *fields, size_t n);

/* Wipes (values may be passwords) and frees the values. */
void web_form_free(web_form_field_t *fields, size_t n);

#endif
