/* Helpers shared by the unit tests: temporary directories, files written
 * with an exact mode, and master key file lines. */
#ifndef SESAME_UNIT_UTIL_H
#define SESAME_UNIT_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Creates a fresh private directory under $TMPDIR (or /tmp) and returns a
 * malloc'd path, or NULL. Remove it with unit_rmtree() and free it. */
char *unit_tmpdir(void);

/* Removes dir and everything under it (best effort). */
void unit_rmtree(const char *dir);

/* Writes "dir/name" into out; aborts the test when it does not fit. */
void unit_path(char *out, size_t outsz, const char *dir, const char *name);

/* Writes len bytes to path (created or truncated) and sets mode exactly,
 * whatever the umask. Returns 0 or -1. */
int unit_write_file(const char *path, const void *data, size_t len, mode_t mode);

/* unit_write_file() of a NUL-terminated string. */
int unit_write_text(const char *path, const char *text, mode_t mode);

/* The 32-byte test key derived from fill: key[i] = fill + 7 * i. */
void unit_test_key(unsigned char fill, unsigned char key[32]);

/* Appends the key file line "VERSION HEX64\n" for unit_test_key(fill) to
 * buf (NUL-terminated, bufsz bytes in all); aborts when it does not fit. */
void unit_key_line(char *buf, size_t bufsz, uint32_t version, unsigned char fill);

#endif
