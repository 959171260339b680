/* Text from the daemon made safe and aligned for a terminal: control bytes
 * and invalid UTF-8 are escaped, tables are padded to their widest cell. */
#ifndef SESAMECTL_TERM_H
#define SESAMECTL_TERM_H

#include <stddef.h>
#include <stdio.h>

/* Bytes a cell or a field keeps after cleaning (longer text is cut). */
#define TERM_TEXT_MAX 512

/* Copies in to out (NUL-terminated, cut at a character boundary when out
 * is too small): printable ASCII and UTF-8 text stay, control characters,
 * bidirectional overrides and invalid bytes become \xNN or \uNNNN, and
 * the backslash \x5c (so that "\x1b" in the text is not taken for an
 * escape). */
void term_clean(const char *in, char *out, size_t outsz);

/* Columns a cleaned string takes (one per code point). */
size_t term_width(const char *s);

typedef struct term_table term_table_t;

/* A table of ncols columns; the first row added is the header. Free with
 * term_table_free(). */
int term_table_new(size_t ncols, term_table_t **out);
void term_table_free(term_table_t **tp);
/* Adds a row of ncols cells (cleaned copies; NULL shows as "-"). */
int term_table_add(term_table_t *t, const char *const *cells);
/* Prints every row, columns separated by two spaces, no trailing blanks. */
int term_table_print(const term_table_t *t, FILE *f);

#endif
