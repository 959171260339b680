/* Secrets sealed at rest: AES-256-GCM under the master key, random 96-bit
 * nonce, AAD binding purpose and subject (user), key version in the blob. */
#ifndef AUTHD_SEAL_H
#define AUTHD_SEAL_H

#include <stddef.h>
#include <stdint.h>

/* The purposes a blob is bound to (its AAD, with the subject). */
#define SEAL_PURPOSE_TOTP "totp-seed" /* subject: the user name */

typedef struct seal_keyring seal_keyring_t;

/* Loads the master key file (see sesame/keyfile.h) into memory kept out of
 * core dumps and swap (sesame/secmem.h). */
int seal_keyring_load(const char *path, seal_keyring_t **out);
void seal_keyring_free(seal_keyring_t **kp);

/* Seals pt under the newest key. *out (malloc'd, *outlen bytes) is
 * 1 format byte | 4 key version (BE) | 12 nonce | ciphertext | 16 tag. */
int seal_encrypt(const seal_keyring_t *k, const char *purpose, const char *subject,
		 const unsigned char *pt, size_t ptlen, unsigned char **out, size_t *outlen);

/* Opens a sealed blob. SESAME_ERR_CRYPTO when it was tampered with, bound
 * to another purpose/subject, or sealed under an unknown key. *pt is
 * malloc'd with one spare byte after *ptlen (room for a NUL); release it
 * with seal_buf_free(), which wipes it. */
int seal_decrypt(const seal_keyring_t *k, const char *purpose, const char *subject,
		 const unsigned char *in, size_t inlen, unsigned char **pt, size_t *ptlen);

void seal_buf_free(unsigned char **bufp, size_t len);

/* The key version a blob says it was sealed under (its header only; the
 * blob is not authenticated here). SESAME_ERR_CRYPTO when it is not a
 * sealed blob of this format. */
int seal_blob_version(const unsigned char *in, size_t inlen, uint32_t *version);

/* The version new secrets are sealed under (the highest loaded). */
uint32_t seal_current_version(const seal_keyring_t *k);

/* Whether version is loaded (can unseal). */
int seal_has_version(const seal_keyring_t *k, uint32_t version);

#endif
