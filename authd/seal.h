/* Secrets sealed at rest: AES-256-GCM, random 96-bit nonce, AAD binding
 * purpose and subject (user), key version in the blob. One key per
 * purpose: each is derived from a master key version with HKDF-SHA256
 * (RFC 5869; no salt, info "sesame seal v2 " followed by the purpose), so
 * that a PAM transaction token and a TOTP seed are never sealed under the
 * same key, and the master key itself seals nothing. */
#ifndef AUTHD_SEAL_H
#define AUTHD_SEAL_H

#include <stddef.h>
#include <stdint.h>

/* The purposes a blob is bound to (its key, and its AAD with the subject).
 * Any other string works too; these have their keys derived at load. */
#define SEAL_PURPOSE_TOTP "totp-seed"  /* subject: the user name */
#define SEAL_PURPOSE_PAM_TXN "pam-txn" /* subject: "" */

/* The first byte of a blob. Format 1 (before the derived keys) was sealed
 * directly under the master key, AAD label "sesame-seal-v1": still opened,
 * never made; `sesamectl key reseal` moves such blobs to format 2. */
#define SEAL_FORMAT_MASTER 1
#define SEAL_FORMAT_DERIVED 2 /* under the purpose's key, AAD label "sesame-seal-v2" */

typedef struct seal_keyring seal_keyring_t;

/* Loads the master key file (see sesame/keyfile.h) into memory kept out of
 * core dumps and swap (sesame/secmem.h), and derives the purposes' keys. */
int seal_keyring_load(const char *path, seal_keyring_t **out);
/* Wipes every key, frees, sets *kp to NULL. */
void seal_keyring_free(seal_keyring_t **kp);

/* Seals pt under the purpose's key of the newest version. *out (malloc'd,
 * *outlen bytes) is
 * 1 format byte (2) | 4 key version (BE) | 12 nonce | ciphertext | 16 tag. */
int seal_encrypt(const seal_keyring_t *k, const char *purpose, const char *subject,
		 const unsigned char *pt, size_t ptlen, unsigned char **out, size_t *outlen);

/* Opens a sealed blob of either format. SESAME_ERR_CRYPTO when it was
 * tampered with, bound to another purpose/subject, or sealed under an
 * unknown key. *pt is malloc'd with one spare byte after *ptlen (room for
 * a NUL); release it with seal_buf_free(), which wipes it. */
int seal_decrypt(const seal_keyring_t *k, const char *purpose, const char *subject,
		 const unsigned char *in, size_t inlen, unsigned char **pt, size_t *ptlen);

void seal_buf_free(unsigned char **bufp, size_t len);

/* The key version a blob says it was sealed under (its header only; the
 * blob is not authenticated here). SESAME_ERR_CRYPTO when it is not a
 * sealed blob of a known format. */
int seal_blob_version(const unsigned char *in, size_t inlen, uint32_t *version);

/* The format a blob says it has (SEAL_FORMAT_*), from its header only; 0
 * when it is not a sealed blob of a known format. */
int seal_blob_format(const unsigned char *in, size_t inlen);

/* The version new secrets are sealed under (the highest loaded). */
uint32_t seal_current_version(const seal_keyring_t *k);

/* Whether version is loaded (can unseal). */
int seal_has_version(const seal_keyring_t *k, uint32_t version);

#endif
