/* The store's audit events. */
#include <stdlib.h>
#include <string.h>

#include "sesame/error.h"
#include "sesame/log.h"
#include "store_int.h"

int store_audit_add(store_tx_t *tx, const store_audit_t *e)
{
	db_stmt_t *st = tx_stmt(tx, ST_AUDIT_INSERT);
	db_bind_int64(st, 1, e->time);
	db_bind_text(st, 2, e->user);
	db_bind_text(st, 3, e->service);
	db_bind_text(st, 4, e->rhost);
	db_bind_text(st, 5, e->factor);
	db_bind_text(st, 6, e->result);
	db_bind_text(st, 7, e->reason);
	int r = step_done(st);
	/* logged once committed (store_tx_committed); a rare ninth event now */
	if (r == SESAME_OK && tx->n_audit < STORE_TX_AUDIT)
		tx->audit[tx->n_audit++] = *e;
	else if (r == SESAME_OK)
		store_audit_log(e);
	return r;
}

int store_audit_list(store_tx_t *tx, const char *user, unsigned limit, store_audit_t **events,
		     size_t *n)
{
	db_stmt_t *st = tx_stmt(tx, user ? ST_AUDIT_LIST_USER : ST_AUDIT_LIST);
	store_audit_t *v = NULL;
	size_t count = 0;
	int rc = DB_DONE, ok = SESAME_ERR_STORE;

	*events = NULL;
	*n = 0;
	if (limit == 0 || limit > SESAME_MAX_AUDIT_LIMIT)
		return SESAME_ERR_INVALID_ARGUMENT;
	if ((v = calloc(limit, sizeof(*v))) == NULL)
		return SESAME_ERR_NOMEM;
	db_bind_int64(st, 1, (int)limit);
	if (user)
		db_bind_text(st, 2, user);
	while (count < limit && (rc = db_step(st)) == DB_ROW) {
		store_audit_t *e = &v[count++];
		e->id = db_col_int64(st, 0);
		e->time = db_col_int64(st, 1);
		copy_text(e->user, sizeof(e->user), st, 2);
		copy_text(e->service, sizeof(e->service), st, 3);
		copy_text(e->rhost, sizeof(e->rhost), st, 4);
		copy_text(e->factor, sizeof(e->factor), st, 5);
		copy_text(e->result, sizeof(e->result), st, 6);
		copy_text(e->reason, sizeof(e->reason), st, 7);
	}
	if (count < limit && rc != DB_DONE) {
		log_err_f("%s", db_error(st));
		goto fail;
	}
	*events = v;
	*n = count;
	v = NULL;
	ok = SESAME_OK;
fail:
	db_reset(st);
	free(v);
	return ok;
}
