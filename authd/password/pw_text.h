/* Small text rules shared by the password checks: ASCII case folding, the
 * "trailing digits and symbols" that people append, character classes. */
#ifndef AUTHD_PW_TEXT_H
#define AUTHD_PW_TEXT_H

#include <stddef.h>
#include <stdint.h>

typedef enum { PW_CLASS_LOWER = 0, PW_CLASS_UPPER, PW_CLASS_DIGIT, PW_CLASS_OTHER } pw_class_t;

/* ASCII lower case; every other byte unchanged (so UTF-8 stays valid). */
static inline unsigned char pw_text_fold(unsigned char c)
{
	return c >= 'A' && c <= 'Z' ? (unsigned char)(c + ('a' - 'A')) : c;
}

/* 1 for an ASCII digit, punctuation character or space: what people append
 * to a word ("2024!", "-1", "123$"). */
int pw_text_is_decoration(unsigned char c);

/* Length of s[0..len) once its trailing decoration bytes are removed. */
size_t pw_text_strip_tail(const char *s, size_t len);

/* Class of a code point for the composition rule. ASCII letters and digits
 * are what they are; the cased letters of Latin-1, Latin Extended-A, Greek
 * and Cyrillic count as lower or upper case; everything else (symbols,
 * space, letters of scripts without case such as Hebrew, Arabic or CJK,
 * emoji, combining marks) counts as "other". */
pw_class_t pw_text_class(uint32_t cp);

/* 1 for a code point counted as a letter by the context rule: an ASCII
 * letter or any non-ASCII code point (most of which are letters). */
static inline int pw_text_is_letter(uint32_t cp)
{
	return (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z') || cp >= 0x80;
}

#endif
