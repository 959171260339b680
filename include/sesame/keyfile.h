/* The master key file: one line per key version, "VERSION HEX64", the
 * highest version seals new secrets, every listed version can unseal.
 * Created 0600 by `sesamectl keygen` or `sesame-authd --init`. */
#ifndef SESAME_KEYFILE_H
#define SESAME_KEYFILE_H

#include <stddef.h>
#include <stdint.h>

#define SESAME_KEY_LEN 32
#define SESAME_MAX_KEYS 16

typedef struct {
	uint32_t version;
	unsigned char key[SESAME_KEY_LEN];
} sesame_key_t;

/* Creates path with one fresh random key (version 1), mode 0600, refusing
 * to overwrite an existing file (SESAME_ERR_CONFLICT). The file is fsynced. */
int keyfile_create(const char *path);

/* Reads every key from path into keys[0..*n). Refuses a file that is not
 * a regular file, is readable or writable by group or others
 * (SESAME_ERR_PERMISSION), or is malformed (SESAME_ERR_CONFIG). keys must
 * hold SESAME_MAX_KEYS entries; all of them are wiped on failure. The text
 * is read into memory from secmem_new() (sesame/secmem.h), wiped after;
 * keys should come from there too. The caller wipes keys when done. */
int keyfile_load(const char *path, sesame_key_t *keys, size_t *n);

/* Key rotation, on the file only (a running daemon reads it at start):
 * the file is rewritten whole — a new file in the same folder, mode 0600,
 * the old file's owner and group, fsynced, renamed over the old one —
 * so a crash leaves either the old or the new file, never half of one.
 * Comments are not kept. */

/* Adds a fresh random key, version highest + 1, into *version.
 * SESAME_ERR_CONFLICT when SESAME_MAX_KEYS versions are there already. */
int keyfile_add_version(const char *path, uint32_t *version);

/* Removes version. SESAME_ERR_NOT_FOUND when the file has no such
 * version; SESAME_ERR_CONFLICT when it is the highest (it seals new
 * secrets: retire older ones only). */
int keyfile_remove_version(const char *path, uint32_t version);

#endif
