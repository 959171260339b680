/* What sesamectl reads of the daemon's configuration: the socket ([authd]
 * socket) and, for `sesamectl store`, the database ([store] database).
 * Every other key is the daemon's to check (authd/config.c). */
#include <stdio.h>
#include <string.h>
#include <sys/un.h>

#include "sesame/config_client.h"
#include "sesame/config_file.h"
#include "sesame/error.h"
#include "sesame/paths.h"

struct client_ctx {
	char *socket;
	size_t socketsz;
};

static int client_entry(void *arg, const char *section, const char *name, const char *value)
{
	struct client_ctx *c = arg;
	size_t n = strlen(value);

	if (strcmp(section, "authd") != 0 || strcmp(name, "socket") != 0)
		return 0;
	if (n == 0 || n >= c->socketsz || n >= sizeof(((struct sockaddr_un *)0)->sun_path))
		return -1;
	memcpy(c->socket, value, n + 1);
	return 0;
}

int config_client_socket(const char *path, char *socket, size_t socketsz, char *err, size_t errsz)
{
	struct client_ctx c = {socket, socketsz};

	snprintf(socket, socketsz, "%s", SESAME_DEFAULT_SOCKET);
	return config_file_read(path, client_entry, &c, err, errsz);
}

struct database_ctx {
	char *database;
	size_t databasesz;
};

static int database_entry(void *arg, const char *section, const char *name, const char *value)
{
	struct database_ctx *c = arg;
	size_t n = strlen(value);

	if ((strcmp(section, "store") != 0 && strcmp(section, "authd") != 0) ||
	    strcmp(name, "database") != 0)
		return 0;
	if (n == 0 || n >= c->databasesz)
		return -1;
	memcpy(c->database, value, n + 1);
	return 0;
}

int config_client_database(const char *path, char *database, size_t databasesz, char *err,
			   size_t errsz)
{
	struct database_ctx c = {database, databasesz};

	snprintf(database, databasesz, "%s", SESAME_DEFAULT_DATABASE);
	return config_file_read(path, database_entry, &c, err, errsz);
}
