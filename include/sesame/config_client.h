/* sesamectl's view of the daemon's configuration (lib/config_client.c). */
#ifndef SESAME_CONFIG_CLIENT_H
#define SESAME_CONFIG_CLIENT_H

#include <stddef.h>

/* The socket path of the configuration at path (the built-in default when
 * it names none) into socket; errors as config_file_read. */
int config_client_socket(const char *path, char *socket, size_t socketsz, char *err, size_t errsz);

/* The database of the configuration at path ([store] database, or its
 * older name [authd] database; the built-in default when it names none)
 * into database; errors as config_file_read. */
int config_client_database(const char *path, char *database, size_t databasesz, char *err,
			   size_t errsz);

#endif
