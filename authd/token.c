/* Bearer tokens (see token.h). */
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <string.h>

#include "sesame/base64url.h"
#include "sesame/error.h"
#include "token.h"

int token_new(char out[TOKEN_LEN + 1])
{
	unsigned char raw[TOKEN_BYTES];
	int r;

	if (RAND_bytes(raw, sizeof(raw)) != 1)
		return SESAME_ERR_CRYPTO;
	r = base64url_encode(raw, sizeof(raw), out, TOKEN_LEN + 1);
	OPENSSL_cleanse(raw, sizeof(raw));
	return r;
}

int token_hash(const char *token, unsigned char out[TOKEN_HASH_LEN])
{
	unsigned char raw[TOKEN_BYTES];
	unsigned hlen = 0;
	size_t n = 0;
	int ok;

	if (token == NULL || strnlen(token, TOKEN_LEN + 1) != TOKEN_LEN ||
	    base64url_decode(token, TOKEN_LEN, raw, sizeof(raw), &n) != SESAME_OK ||
	    n != sizeof(raw))
		return SESAME_ERR_NOT_FOUND;
	ok = EVP_Digest(raw, sizeof(raw), out, &hlen, EVP_sha256(), NULL) == 1 &&
	     hlen == TOKEN_HASH_LEN;
	OPENSSL_cleanse(raw, sizeof(raw));
	return ok ? SESAME_OK : SESAME_ERR_CRYPTO;
}
