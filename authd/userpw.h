/* Password hashes of user accounts: Argon2id (RFC 9106) through libargon2,
 * stored as the PHC string "$argon2id$v=19$m=...,t=...,p=...$salt$tag".
 * Hashing is slow on purpose (about 0.2 s and 64 MiB): never call these
 * inside a store transaction; hash first, then store. Knows nothing of the
 * password policy (password/password.h) or of the store. */
#ifndef AUTHD_USERPW_H
#define AUTHD_USERPW_H

#include <stddef.h>

/* The parameters of new hashes: the memory and passes of RFC 9106 section
 * 4's second recommended option (64 MiB, t = 3), above OWASP's minimums
 * (19 MiB, t = 2), with one lane instead of the RFC's four so that a
 * request keeps to one core. About 0.2 s on one core of the test machine.
 * A stored hash with other parameters still verifies and is flagged for
 * rehashing. */
#define USERPW_M_COST_KIB 65536u /* memory, KiB (64 MiB) */
#define USERPW_T_COST 3u	 /* passes over the memory */
#define USERPW_PARALLELISM 1u	 /* lanes (and threads) */
#define USERPW_SALT_LEN 16u	 /* bytes, from RAND_bytes */
#define USERPW_TAG_LEN 32u	 /* bytes */

/* Bounds of a stored hash's parameters, checked before libargon2 sees the
 * string (it would allocate m KiB): whatever the database says, verifying
 * costs at most 256 MiB and 16 passes. */
#define USERPW_MAX_M_COST_KIB (256u * 1024u)
#define USERPW_MAX_T_COST 16u
#define USERPW_MAX_PARALLELISM 8u
#define USERPW_MIN_SALT_LEN 8u
#define USERPW_MAX_SALT_LEN 64u
#define USERPW_MIN_TAG_LEN 16u
#define USERPW_MAX_TAG_LEN 64u

/* Hashes computed at the same time, at most (each holds m KiB). */
#define USERPW_MAX_CONCURRENT 4

/* Room for an encoded hash of the bounded parameters, with its NUL. */
#define USERPW_ENCODED_MAX 256

/* Hashes the NFKC form of pw (len bytes, at most SESAME_MAX_PASSWORD; see
 * password/pw_normalize.h: invalid UTF-8 is hashed as it is) with a fresh
 * salt and the current parameters; writes the NUL-terminated encoded
 * string into out. SESAME_ERR_INVALID_ARGUMENT (len, outsz),
 * SESAME_ERR_CRYPTO, SESAME_ERR_NOMEM. */
int userpw_hash(const char *pw, size_t len, char *out, size_t outsz);

/* Checks the NFKC form of pw against encoded in constant time
 * (libargon2's own verify) and, when that fails and pw is not already in
 * that form, pw as it is (a hash made before passwords were normalised).
 * SESAME_OK when either matches, with *needs_rehash set when encoded was
 * made from the raw bytes or with other parameters than the current ones
 * (userpw_hash(pw) then makes the hash to store; a wrong password not in
 * NFKC form costs two verifications); SESAME_ERR_WRONG_PASSWORD
 * when not; SESAME_ERR_INVALID_ARGUMENT when encoded is not an Argon2id
 * v1.3 string or its parameters are out of bounds (nothing is computed
 * then); SESAME_ERR_CRYPTO, SESAME_ERR_NOMEM. */
int userpw_verify(const char *encoded, const char *pw, size_t len, int *needs_rehash);

#endif
