/* The SQLite store's failed attempts per (name, source) (schema 7): the
 * throttling record of sign-ins, whether or not the name is a user's. */
#include "store_int.h"

int store_attempts_get(store_tx_t *tx, const char *name, const char *source, store_attempts_t *out)
{
	db_stmt_t *st = tx_stmt(tx, ST_ATTEMPTS_GET);
	int rc;

	memset(out, 0, sizeof(*out));
	db_bind_text(st, 1, name);
	db_bind_text(st, 2, source);
	rc = db_step(st);
	if (rc == DB_ROW) {
		out->failures = (unsigned)db_col_int64(st, 0);
		out->last_failure = db_col_int64(st, 1);
		out->locked_until = db_col_int64(st, 2);
	}
	return row_end(st, rc);
}

int store_attempts_set(store_tx_t *tx, const char *name, const char *source,
		       const store_attempts_t *a)
{
	db_stmt_t *st = tx_stmt(tx, ST_ATTEMPTS_SET);

	db_bind_text(st, 1, name);
	db_bind_text(st, 2, source);
	db_bind_int64(st, 3, a->failures);
	db_bind_int64(st, 4, a->last_failure);
	db_bind_int64(st, 5, a->locked_until);
	return step_done(st);
}

int store_attempts_delete(store_tx_t *tx, const char *name, const char *source)
{
	db_stmt_t *st = tx_stmt(tx, ST_ATTEMPTS_DELETE);

	db_bind_text(st, 1, name);
	db_bind_text(st, 2, source);
	return step_done(st);
}

int store_attempts_clear(store_tx_t *tx, const char *name)
{
	db_stmt_t *st = tx_stmt(tx, ST_ATTEMPTS_CLEAR);

	db_bind_text(st, 1, name);
	return step_done(st);
}

int store_attempts_purge(store_tx_t *tx, int64_t before)
{
	db_stmt_t *st = tx_stmt(tx, ST_ATTEMPTS_PURGE);

	db_bind_int64(st, 1, before);
	return step_done(st);
}

int store_attempts_list(store_tx_t *tx, const char *name, unsigned limit,
			store_attempts_row_t **items, size_t *n)
{
	db_stmt_t *st = tx_stmt(tx, ST_ATTEMPTS_LIST);
	store_attempts_row_t *v = NULL;
	size_t count = 0, cap = 0;
	int rc, ok = SESAME_ERR_STORE;

	*items = NULL;
	*n = 0;
	if (limit == 0)
		return SESAME_OK;
	db_bind_text(st, 1, name);
	db_bind_int64(st, 2, limit);
	while ((rc = db_step(st)) == DB_ROW) {
		if (count == cap) {
			void *grown = grow_array(v, &cap, sizeof(*v));
			if (grown == NULL) {
				ok = SESAME_ERR_NOMEM;
				goto fail;
			}
			v = grown;
		}
		store_attempts_row_t *row = &v[count++];
		memset(row, 0, sizeof(*row));
		copy_text(row->source, sizeof(row->source), st, 0);
		row->a.failures = (unsigned)db_col_int64(st, 1);
		row->a.last_failure = db_col_int64(st, 2);
		row->a.locked_until = db_col_int64(st, 3);
	}
	if (rc != DB_DONE) {
		log_err_f("%s", db_error(st));
		goto fail;
	}
	*items = v;
	*n = count;
	v = NULL;
	ok = SESAME_OK;
fail:
	db_reset(st);
	free(v);
	return ok;
}
