/* The offline breached-password filter file (lib/breach/, library
 * sesame_breach): a binary fuse filter (8-bit fingerprints, ~9 bits per
 * entry, false-positive rate ~0.4 %) over 64-bit keys taken from the SHA-1
 * of each breached password. sesamectl builds the file; sesame-authd maps
 * it read-only and looks passwords up (authd/password/breach_source.h
 * follows replacements). File format and figures: docs/breach-filter.md. */
#ifndef SESAME_BREACH_FILTER_H
#define SESAME_BREACH_FILTER_H

#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

/* Distinct keys one filter may hold (its fingerprint array is indexed
 * with 32 bits); a full Have I Been Pwned list has about a billion. */
#define BREACH_FILTER_MAX_ENTRIES 3500000000ull

typedef struct breach_filter breach_filter_t;

/* The key of a password: the first 8 bytes of SHA-1(password), big-endian
 * (HIBP lists give SHA-1 in hex, so a list needs no plain text). */
uint64_t breach_key_from_sha1(const unsigned char sha1[20]);
uint64_t breach_key_from_password(const char *password, size_t len);

/* Builds a filter over keys[0..n) (duplicates allowed; keys is reordered)
 * and writes it to path atomically (temp file + fsync + rename), mode 0644.
 * SESAME_ERR_NOMEM when memory runs out. */
int breach_filter_build(uint64_t *keys, size_t n, const char *path);

/* The same filter written to the open file fd from offset 0 (the file is
 * cut to the filter's length and fsynced), for a caller that makes and
 * renames the file itself (sesamectl breach import). */
int breach_filter_write_fd(int fd, uint64_t *keys, size_t n);

/* Maps a filter file read-only, checking its header and size.
 * SESAME_ERR_NOT_FOUND when path does not exist, SESAME_ERR_CONFIG when
 * the file is not a valid filter (truncated, tampered, other format). */
int breach_filter_open(const char *path, breach_filter_t **out);
/* The same for a file open on fd (read access; fd stays the caller's). */
int breach_filter_open_fd(int fd, breach_filter_t **out);
void breach_filter_close(breach_filter_t **fp);

/* 1 when key may be in the set (false positives possible), 0 when it
 * certainly is not. */
int breach_filter_contains(const breach_filter_t *f, uint64_t key);

/* Entries the filter was built from, and its size in bytes. */
size_t breach_filter_count(const breach_filter_t *f);
size_t breach_filter_bytes(const breach_filter_t *f);

/* The file f was mapped from, as fstat() saw it when it was opened: a
 * reader that follows a path compares it with a later stat() of the path
 * to see a replacement. */
const struct stat *breach_filter_stat(const breach_filter_t *f);

#endif
