/* Strict UTF-8, one implementation for the whole tree: validation (RFC 3629, Unicode
 * Table 3-7: no overlong forms, no surrogates, nothing above U+10FFFF; and
 * no NUL, which no password may contain) and walking by code points. */
#ifndef SESAME_UTF8_H
#define SESAME_UTF8_H

#include <stddef.h>
#include <stdint.h>

/* 1 when s[0..len) is valid UTF-8 without NUL, with *ncp set to the number
 * of code points (ncp may be NULL); 0 otherwise. Linear in len. */
int utf8_validate(const char *s, size_t len, size_t *ncp);

/* Decodes the code point at s[*pos] and advances *pos past it. s[0..len)
 * need not be valid: an ill-formed byte decodes as 0xDC00 + byte (as
 * Python's "surrogateescape" does, a value no valid code point takes) and
 * advances by one byte. *pos must be < len. */
uint32_t utf8_next(const char *s, size_t len, size_t *pos);

#endif
