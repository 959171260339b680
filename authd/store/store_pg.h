/* What the PostgreSQL backend's files share. */
#ifndef AUTHD_STORE_PG_H
#define AUTHD_STORE_PG_H

#include <libpq-fe.h>

#include "store_int.h"

/* Brings the schema of the database of conn to the current version, under
 * a transaction-scoped advisory lock: daemons that start together on a new
 * database migrate it once (store_pg_schema.c). */
int store_pg_migrate(PGconn *conn);

#endif
