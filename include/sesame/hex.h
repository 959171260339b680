/* One hexadecimal digit: the one place that reads them (key files, colours,
 * percent-encoded forms, the breach range API). */
#ifndef SESAME_HEX_H
#define SESAME_HEX_H

/* c's value 0..15 when it is 0-9, a-f or A-F, else -1. */
static inline int hex_digit(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

#endif
