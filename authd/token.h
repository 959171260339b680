/* Bearer tokens handed to browsers (session cookies, pre-session
 * bindings, invitation links): 32 random bytes as unpadded base64url.
 * The store keeps only their SHA-256, so a copy of the database opens
 * nothing. */
#ifndef AUTHD_TOKEN_H
#define AUTHD_TOKEN_H

#define TOKEN_BYTES 32
#define TOKEN_LEN 43	  /* base64url of TOKEN_BYTES, unpadded */
#define TOKEN_HASH_LEN 32 /* SHA-256 */

/* A fresh random token, NUL-terminated. */
int token_new(char out[TOKEN_LEN + 1]);

/* SHA-256 of the token's 32 bytes. SESAME_ERR_NOT_FOUND when token is
 * NULL or not one of ours (length, alphabet, decoded size). */
int token_hash(const char *token, unsigned char out[TOKEN_HASH_LEN]);

#endif
