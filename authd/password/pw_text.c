/* Case folding, appended decoration and character classes. */
#include "password/pw_text.h"

int pw_text_is_decoration(unsigned char c)
{
	/* space, symbols and digits: printable ASCII that is not a letter */
	return (c >= 0x20 && c <= 0x40) || (c >= 0x5B && c <= 0x60) || (c >= 0x7B && c <= 0x7E);
}

size_t pw_text_strip_tail(const char *s, size_t len)
{
	while (len > 0 && pw_text_is_decoration((unsigned char)s[len - 1]))
		len--;
	return len;
}

/* Alternating upper (even) / lower (odd) pairs, as in Latin Extended-A. */
static pw_class_t alternating(uint32_t cp)
{
	return cp % 2 == 0 ? PW_CLASS_UPPER : PW_CLASS_LOWER;
}

pw_class_t pw_text_class(uint32_t cp)
{
	if (cp >= 'a' && cp <= 'z')
		return PW_CLASS_LOWER;
	if (cp >= 'A' && cp <= 'Z')
		return PW_CLASS_UPPER;
	if (cp >= '0' && cp <= '9')
		return PW_CLASS_DIGIT;
	if (cp >= 0xC0 && cp <= 0xDE && cp != 0xD7) /* À..Þ but × */
		return PW_CLASS_UPPER;
	if (cp >= 0xDF && cp <= 0xFF && cp != 0xF7) /* ß..ÿ but ÷ */
		return PW_CLASS_LOWER;
	/* Latin Extended-A: pairs from U+0100, shifted by one in 0139..0148
	 * and 0179..017E; ĸ (0138), ŉ (0149) and ſ (017F) are lower case */
	if (cp == 0x138 || cp == 0x149 || cp == 0x17F)
		return PW_CLASS_LOWER;
	if ((cp >= 0x100 && cp <= 0x137) || (cp >= 0x14A && cp <= 0x177))
		return alternating(cp);
	if ((cp >= 0x139 && cp <= 0x148) || (cp >= 0x179 && cp <= 0x17E))
		return alternating(cp + 1);
	if (cp == 0x178)
		return PW_CLASS_UPPER; /* Ÿ */
	if (cp == 0x386 || (cp >= 0x388 && cp <= 0x38A) || cp == 0x38C || cp == 0x38E ||
	    cp == 0x38F || (cp >= 0x391 && cp <= 0x3AB && cp != 0x3A2)) /* Greek capitals */
		return PW_CLASS_UPPER;
	if (cp >= 0x3AC && cp <= 0x3CE) /* Greek small letters, with tonos */
		return PW_CLASS_LOWER;
	if (cp >= 0x400 && cp <= 0x42F) /* Cyrillic capitals */
		return PW_CLASS_UPPER;
	if (cp >= 0x430 && cp <= 0x45F) /* Cyrillic small letters */
		return PW_CLASS_LOWER;
	return PW_CLASS_OTHER;
}
