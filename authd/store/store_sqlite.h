/* What the SQLite backend's files share: its statements behind the store's
 * statement interface (store_int.h), and its schema migration. */
#ifndef AUTHD_STORE_SQLITE_H
#define AUTHD_STORE_SQLITE_H

#include <sqlite3.h>

#include "store_int.h"

/* Runs sql (one or more statements without parameters), logging a failure. */
static inline int exec_sql(sqlite3 *db, const char *sql)
{
	char *msg = NULL;
	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		log_err("store: %s: %s", sql, msg ? msg : "?");
		sqlite3_free(msg);
		return SESAME_ERR_STORE;
	}
	return SESAME_OK;
}

/* Brings the schema of db to the current version (store_sqlite_schema.c). */
int store_sqlite_migrate(sqlite3 *db);

#endif
