/* Offline breached-password check: a binary fuse filter (8-bit
 * fingerprints, ~9 bits per entry, false-positive rate ~0.4 %) over
 * 64-bit keys taken from the SHA-1 of each breached password, stored in a
 * file that the daemon maps read-only and reloads when it is replaced. */
#ifndef AUTHD_BREACH_FILTER_H
#define AUTHD_BREACH_FILTER_H

#include <stddef.h>
#include <stdint.h>

typedef struct breach_filter breach_filter_t;

/* The key of a password: the first 8 bytes of SHA-1(password), big-endian
 * (HIBP lists give SHA-1 in hex, so a list needs no plain text). */
uint64_t breach_key_from_sha1(const unsigned char sha1[20]);
uint64_t breach_key_from_password(const char *password, size_t len);

/* Builds a filter over keys[0..n) (duplicates allowed; keys is reordered)
 * and writes it to path atomically (temp file + fsync + rename), mode 0644.
 * SESAME_ERR_NOMEM when memory runs out. */
int breach_filter_build(uint64_t *keys, size_t n, const char *path);

/* Maps a filter file read-only, checking its header and size. */
int breach_filter_open(const char *path, breach_filter_t **out);
void breach_filter_close(breach_filter_t **fp);

/* 1 when key may be in the set (false positives possible), 0 when it
 * certainly is not. */
int breach_filter_contains(const breach_filter_t *f, uint64_t key);

/* Entries the filter was built from, and its size in bytes. */
size_t breach_filter_count(const breach_filter_t *f);
size_t breach_filter_bytes(const breach_filter_t *f);

#endif
