/* Reading an INI configuration file (lib/config_file.c). */
#ifndef SESAME_CONFIG_FILE_H
#define SESAME_CONFIG_FILE_H

#include <stddef.h>

/* Takes one entry: 0 when taken, -1 when the value is invalid, -2 when
 * the key is unknown (the reading then stops with a sentence). */
typedef int (*config_entry_fn)(void *arg, const char *section, const char *name, const char *value);

/* Reads path, handing each entry to fn. SESAME_ERR_IO when the file
 * cannot be read; SESAME_ERR_CONFIG on a syntax error, a line too long or
 * an entry fn refused, with one sentence naming file, line and key in err. */
int config_file_read(const char *path, config_entry_fn fn, void *arg, char *err, size_t errsz);

#endif
