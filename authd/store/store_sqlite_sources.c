/* The SQLite store's failures per source (schema 6). */
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "sesame/error.h"
#include "sesame/log.h"
#include "store_sqlite_int.h"

int store_source_get(store_tx_t *tx, const char *source, store_source_t *out)
{
	sqlite3_stmt *st = tx->c->st[ST_SOURCE_GET];
	int rc;

	memset(out, 0, sizeof(*out));
	sqlite3_bind_text(st, 1, source, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		out->failures = (unsigned)sqlite3_column_int64(st, 0);
		out->last_failure = sqlite3_column_int64(st, 1);
		out->locked_until = sqlite3_column_int64(st, 2);
	}
	return row_end(st, rc);
}

int store_source_set(store_tx_t *tx, const char *source, const store_source_t *s)
{
	sqlite3_stmt *st = tx->c->st[ST_SOURCE_SET];

	sqlite3_bind_text(st, 1, source, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, s->failures);
	sqlite3_bind_int64(st, 3, s->last_failure);
	sqlite3_bind_int64(st, 4, s->locked_until);
	return step_done(st);
}

int store_source_delete(store_tx_t *tx, const char *source)
{
	sqlite3_stmt *st = tx->c->st[ST_SOURCE_DELETE];

	sqlite3_bind_text(st, 1, source, -1, SQLITE_STATIC);
	return step_one_row(tx, st);
}
