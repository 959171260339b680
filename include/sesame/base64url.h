/* RFC 4648 §5 base64url without padding (tokens, WebAuthn ids). */
#ifndef SESAME_BASE64URL_H
#define SESAME_BASE64URL_H

#include <stddef.h>

/* Size needed to encode len bytes, including the NUL. */
size_t base64url_encoded_len(size_t len);
int base64url_encode(const unsigned char *in, size_t len, char *out, size_t outsz);
/* Strict: only the url alphabet, no padding, no whitespace, canonical
 * trailing bits. *outlen receives the byte count. */
int base64url_decode(const char *in, size_t inlen, unsigned char *out, size_t outsz,
		     size_t *outlen);

#endif
