/* The SQLite store's failures per source (schema 6). */
#include <stdlib.h>
#include <string.h>

#include "sesame/error.h"
#include "sesame/log.h"
#include "store_int.h"

int store_source_get(store_tx_t *tx, const char *source, store_source_t *out)
{
	db_stmt_t *st = tx_stmt(tx, ST_SOURCE_GET);
	int rc;

	memset(out, 0, sizeof(*out));
	db_bind_text(st, 1, source);
	rc = db_step(st);
	if (rc == DB_ROW) {
		out->failures = (unsigned)db_col_int64(st, 0);
		out->last_failure = db_col_int64(st, 1);
		out->locked_until = db_col_int64(st, 2);
	}
	return row_end(st, rc);
}

int store_source_set(store_tx_t *tx, const char *source, const store_source_t *s)
{
	db_stmt_t *st = tx_stmt(tx, ST_SOURCE_SET);

	db_bind_text(st, 1, source);
	db_bind_int64(st, 2, s->failures);
	db_bind_int64(st, 3, s->last_failure);
	db_bind_int64(st, 4, s->locked_until);
	return step_done(st);
}

int store_source_delete(store_tx_t *tx, const char *source)
{
	db_stmt_t *st = tx_stmt(tx, ST_SOURCE_DELETE);

	db_bind_text(st, 1, source);
	return step_one_row(st, SESAME_ERR_NOT_FOUND);
}
