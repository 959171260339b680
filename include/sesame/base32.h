/* RFC 4648 base32 (upper case, as authenticator apps expect). */
#ifndef SESAME_BASE32_H
#define SESAME_BASE32_H

#include <stddef.h>

/* Encodes len bytes into out (NUL-terminated). With pad == 0 the '='
 * padding is left out (otpauth URIs). Returns SESAME_ERR_TOO_LARGE when
 * outsz is too small. base32_encoded_len() gives the size needed,
 * including the NUL. */
size_t base32_encoded_len(size_t len);
int base32_encode(const unsigned char *in, size_t len, int pad, char *out, size_t outsz);

/* Decodes text (case-insensitive; spaces and '=' padding ignored) into
 * out. *outlen receives the byte count. SESAME_ERR_INVALID_ARGUMENT on a
 * character outside the alphabet or non-zero trailing bits. */
int base32_decode(const char *in, size_t inlen, unsigned char *out, size_t outsz, size_t *outlen);

#endif
