/* base64url (RFC 4648 §5), unpadded and strict on decode. */
#include <stdint.h>

#include "sesame/base64url.h"
#include "sesame/error.h"

static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

size_t base64url_encoded_len(size_t len)
{
	return len / 3 * 4 + (len % 3 ? len % 3 + 1 : 0) + 1;
}

int base64url_encode(const unsigned char *in, size_t len, char *out, size_t outsz)
{
	size_t o = 0, i = 0;

	if (len > SIZE_MAX / 2 || outsz < base64url_encoded_len(len))
		return SESAME_ERR_TOO_LARGE;
	for (; i + 2 < len; i += 3) {
		uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];
		out[o++] = alphabet[v >> 18 & 63];
		out[o++] = alphabet[v >> 12 & 63];
		out[o++] = alphabet[v >> 6 & 63];
		out[o++] = alphabet[v & 63];
	}
	if (len - i == 1) {
		uint32_t v = (uint32_t)in[i] << 16;
		out[o++] = alphabet[v >> 18 & 63];
		out[o++] = alphabet[v >> 12 & 63];
	} else if (len - i == 2) {
		uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8;
		out[o++] = alphabet[v >> 18 & 63];
		out[o++] = alphabet[v >> 12 & 63];
		out[o++] = alphabet[v >> 6 & 63];
	}
	out[o] = '\0';
	return SESAME_OK;
}

static int value_of(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '-')
		return 62;
	if (c == '_')
		return 63;
	return -1;
}

int base64url_decode(const char *in, size_t inlen, unsigned char *out, size_t outsz, size_t *outlen)
{
	uint32_t buf = 0;
	int bits = 0;
	size_t o = 0;

	if (inlen % 4 == 1)
		return SESAME_ERR_INVALID_ARGUMENT;
	for (size_t i = 0; i < inlen; i++) {
		int v = value_of((unsigned char)in[i]);
		if (v < 0)
			return SESAME_ERR_INVALID_ARGUMENT;
		buf = (buf << 6) | (uint32_t)v;
		bits += 6;
		if (bits >= 8) {
			if (o >= outsz)
				return SESAME_ERR_TOO_LARGE;
			out[o++] = (unsigned char)(buf >> (bits - 8));
			bits -= 8;
			buf &= (1u << bits) - 1;
		}
	}
	if (buf != 0) /* non-canonical trailing bits */
		return SESAME_ERR_INVALID_ARGUMENT;
	*outlen = o;
	return SESAME_OK;
}
