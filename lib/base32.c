/* RFC 4648 base32 encoding and decoding. */
#include <stdint.h>

#include "sesame/base32.h"
#include "sesame/error.h"

static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

size_t base32_encoded_len(size_t len)
{
	return (len + 4) / 5 * 8 + 1;
}

int base32_encode(const unsigned char *in, size_t len, int pad, char *out, size_t outsz)
{
	size_t o = 0;
	uint32_t buf = 0;
	int bits = 0;

	if (len > (SIZE_MAX - 1) / 8 * 5 - 5 || outsz < base32_encoded_len(len))
		return SESAME_ERR_TOO_LARGE;
	for (size_t i = 0; i < len; i++) {
		buf = (buf << 8) | in[i];
		bits += 8;
		while (bits >= 5) {
			out[o++] = alphabet[(buf >> (bits - 5)) & 31];
			bits -= 5;
		}
	}
	if (bits > 0)
		out[o++] = alphabet[(buf << (5 - bits)) & 31];
	if (pad)
		while (o % 8 != 0)
			out[o++] = '=';
	out[o] = '\0';
	return SESAME_OK;
}

static int value_of(char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a';
	if (c >= '2' && c <= '7')
		return c - '2' + 26;
	return -1;
}

int base32_decode(const char *in, size_t inlen, unsigned char *out, size_t outsz, size_t *outlen)
{
	uint32_t buf = 0;
	int bits = 0;
	size_t o = 0;
	int padding = 0;

	for (size_t i = 0; i < inlen; i++) {
		char c = in[i];
		if (c == ' ')
			continue;
		if (c == '=') {
			padding = 1;
			continue;
		}
		int v = value_of(c);
		if (v < 0 || padding)
			return SESAME_ERR_INVALID_ARGUMENT;
		buf = (buf << 5) | (uint32_t)v;
		bits += 5;
		if (bits >= 8) {
			if (o >= outsz)
				return SESAME_ERR_TOO_LARGE;
			out[o++] = (unsigned char)(buf >> (bits - 8));
			bits -= 8;
		}
		buf &= 0xff; /* keep only bits not yet emitted (at most 7) */
	}
	if (bits >= 5 || (buf & ((1u << bits) - 1)) != 0)
		return SESAME_ERR_INVALID_ARGUMENT;
	*outlen = o;
	return SESAME_OK;
}
