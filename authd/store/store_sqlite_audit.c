/* The SQLite store's audit events. */
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "sesame/error.h"
#include "sesame/log.h"
#include "store_sqlite_int.h"

int store_audit_add(store_tx_t *tx, const store_audit_t *e)
{
	sqlite3_stmt *st = tx->c->st[ST_AUDIT_INSERT];
	sqlite3_bind_int64(st, 1, e->time);
	sqlite3_bind_text(st, 2, e->user, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, e->service, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, e->rhost, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, e->factor, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, e->result, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 7, e->reason, -1, SQLITE_STATIC);
	return step_done(st);
}

int store_audit_list(store_tx_t *tx, const char *user, unsigned limit, store_audit_t **events,
		     size_t *n)
{
	sqlite3_stmt *st = tx->c->st[user ? ST_AUDIT_LIST_USER : ST_AUDIT_LIST];
	store_audit_t *v = NULL;
	size_t count = 0;
	int rc = SQLITE_DONE, ok = SESAME_ERR_STORE;

	*events = NULL;
	*n = 0;
	if (limit == 0 || limit > SESAME_MAX_AUDIT_LIMIT)
		return SESAME_ERR_INVALID_ARGUMENT;
	if ((v = calloc(limit, sizeof(*v))) == NULL)
		return SESAME_ERR_NOMEM;
	sqlite3_bind_int(st, 1, (int)limit);
	if (user)
		sqlite3_bind_text(st, 2, user, -1, SQLITE_STATIC);
	while (count < limit && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		store_audit_t *e = &v[count++];
		e->id = sqlite3_column_int64(st, 0);
		e->time = sqlite3_column_int64(st, 1);
		copy_text(e->user, sizeof(e->user), st, 2);
		copy_text(e->service, sizeof(e->service), st, 3);
		copy_text(e->rhost, sizeof(e->rhost), st, 4);
		copy_text(e->factor, sizeof(e->factor), st, 5);
		copy_text(e->result, sizeof(e->result), st, 6);
		copy_text(e->reason, sizeof(e->reason), st, 7);
	}
	if (count < limit && rc != SQLITE_DONE) {
		log_err_f("%s", sqlite3_errstr(rc));
		goto fail;
	}
	*events = v;
	*n = count;
	v = NULL;
	ok = SESAME_OK;
fail:
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	free(v);
	return ok;
}
