/* Reading a breached-password list into filter keys (lib/breach/, library
 * sesame_breach) for `sesamectl breach import`, its benchmark and its
 * fuzzer: the Have I Been Pwned format ("SHA1HEX[:COUNT]" a line) or plain
 * passwords. The text is untrusted: every line is bounded, nothing is kept
 * but the 64-bit keys. */
#ifndef SESAME_BREACH_IMPORT_H
#define SESAME_BREACH_IMPORT_H

#include <stddef.h>
#include <stdint.h>

#define BREACH_IMPORT_MAX_LINE 4096 /* bytes; a longer line is rejected */
#define BREACH_IMPORT_MAX_COUNT 20  /* digits of an occurrence count */

typedef struct {
	uint64_t *keys; /* one per valid line, duplicates included (malloc'd) */
	size_t n;
	size_t cap;
	uint64_t lines;		 /* lines read, empty ones included */
	uint64_t rejected;	 /* malformed lines */
	uint64_t first_rejected; /* line number (from 1) of the first, 0 when none */
} breach_import_t;

/* The key of one line (without its LF; a CR before it is allowed):
 * SESAME_OK, SESAME_ERR_NOT_FOUND for an empty line, or
 * SESAME_ERR_INVALID_ARGUMENT for a malformed one, SESAME_ERR_NOMEM.
 * plain: the line is the password, at most SESAME_MAX_PASSWORD bytes,
 * keyed in its NFKC form (pw_normalize.h) as the policy looks it up;
 * otherwise 40 hex digits of SHA-1 (any case; the list's own business
 * whether it hashed normalised text), optionally ':' and 1 to
 * BREACH_IMPORT_MAX_COUNT decimal digits. */
int breach_import_line(const char *line, size_t len, int plain, uint64_t *key);

/* Reads fd to its end, appending the key of every valid line to imp
 * (zero it before the first call) and counting the others. SESAME_ERR_IO
 * when reading fails (errno set), SESAME_ERR_TOO_LARGE beyond
 * BREACH_FILTER_MAX_ENTRIES lines, SESAME_ERR_NOMEM. */
int breach_import_read(int fd, int plain, breach_import_t *imp);

/* Frees the keys and zeroes imp. */
void breach_import_free(breach_import_t *imp);

#endif
