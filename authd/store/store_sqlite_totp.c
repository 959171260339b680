/* The SQLite store's TOTP credentials, their used time steps, and the
 * sealed seeds by page for master key rotation. */
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "sesame/error.h"
#include "sesame/log.h"
#include "store_sqlite_int.h"

void store_totp_list_free(store_totp_t **items, size_t n)
{
	if (items == NULL || *items == NULL)
		return;
	for (size_t i = 0; i < n; i++)
		free((*items)[i].sealed);
	free(*items);
	*items = NULL;
}

int store_totp_list(store_tx_t *tx, int64_t user_id, store_totp_t **items, size_t *n)
{
	sqlite3_stmt *st = tx->c->st[ST_TOTP_LIST];
	store_totp_t *v = NULL;
	size_t count = 0, cap = 0;
	int rc, ok = SESAME_ERR_STORE;

	*items = NULL;
	*n = 0;
	sqlite3_bind_int64(st, 1, user_id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (count == cap) {
			void *grown = grow_array(v, &cap, sizeof(*v));
			if (grown == NULL) {
				ok = SESAME_ERR_NOMEM;
				goto fail;
			}
			v = grown;
		}
		store_totp_t *t = &v[count];
		memset(t, 0, sizeof(*t));
		count++;
		t->id = sqlite3_column_int64(st, 0);
		t->user_id = sqlite3_column_int64(st, 1);
		copy_text(t->name, sizeof(t->name), st, 2);
		t->alg = (totp_alg_t)sqlite3_column_int(st, 3);
		t->digits = (unsigned)sqlite3_column_int(st, 4);
		t->period = (unsigned)sqlite3_column_int(st, 5);
		t->confirmed = sqlite3_column_int(st, 6);
		t->created = sqlite3_column_int64(st, 7);
		t->last_used = sqlite3_column_int64(st, 8);
		t->last_step = sqlite3_column_int64(st, 9);
		t->sealed_len = (size_t)sqlite3_column_bytes(st, 10);
		if (t->sealed_len) {
			if ((t->sealed = malloc(t->sealed_len)) == NULL) {
				ok = SESAME_ERR_NOMEM;
				goto fail;
			}
			memcpy(t->sealed, sqlite3_column_blob(st, 10), t->sealed_len);
		}
	}
	if (rc != SQLITE_DONE) {
		log_err_f("%s", sqlite3_errstr(rc));
		goto fail;
	}
	*items = v;
	*n = count;
	v = NULL;
	ok = SESAME_OK;
fail:
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	store_totp_list_free(&v, count);
	return ok;
}

int store_totp_add(store_tx_t *tx, const store_totp_t *t, int64_t *id)
{
	sqlite3_stmt *st = tx->c->st[ST_TOTP_INSERT];
	int r;

	sqlite3_bind_int64(st, 1, t->user_id);
	sqlite3_bind_text(st, 2, t->name, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 3, (int)t->alg);
	sqlite3_bind_int(st, 4, (int)t->digits);
	sqlite3_bind_int(st, 5, (int)t->period);
	sqlite3_bind_blob(st, 6, t->sealed, (int)t->sealed_len, SQLITE_STATIC);
	sqlite3_bind_int(st, 7, t->confirmed);
	sqlite3_bind_int64(st, 8, t->created);
	if ((r = step_done(st)) != SESAME_OK)
		return r;
	*id = sqlite3_last_insert_rowid(tx->c->db);
	return SESAME_OK;
}

int store_totp_delete_pending(store_tx_t *tx, int64_t user_id)
{
	sqlite3_stmt *st = tx->c->st[ST_TOTP_DELETE_PENDING];
	sqlite3_bind_int64(st, 1, user_id);
	return step_done(st);
}

int store_totp_delete(store_tx_t *tx, int64_t user_id, int64_t id)
{
	sqlite3_stmt *st = tx->c->st[ST_TOTP_DELETE];

	sqlite3_bind_int64(st, 1, user_id);
	sqlite3_bind_int64(st, 2, id);
	return step_one_row(tx, st);
}

int store_totp_rename(store_tx_t *tx, int64_t user_id, int64_t id, const char *name)
{
	sqlite3_stmt *st = tx->c->st[ST_TOTP_RENAME];

	if (strlen(name) > SESAME_MAX_LABEL)
		return SESAME_ERR_INVALID_ARGUMENT;
	sqlite3_bind_int64(st, 1, user_id);
	sqlite3_bind_int64(st, 2, id);
	sqlite3_bind_text(st, 3, name, -1, SQLITE_STATIC);
	return step_one_row(tx, st);
}

int store_totp_confirm(store_tx_t *tx, int64_t id, int64_t step, int64_t now)
{
	sqlite3_stmt *st = tx->c->st[ST_TOTP_CONFIRM];
	int r;

	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, step);
	sqlite3_bind_int64(st, 3, now);
	if ((r = step_done(st)) != SESAME_OK)
		return r;
	return sqlite3_changes(tx->c->db) == 1 ? SESAME_OK : SESAME_ERR_CONFLICT;
}

int store_totp_consume(store_tx_t *tx, int64_t id, int64_t step, int64_t now)
{
	sqlite3_stmt *st = tx->c->st[ST_TOTP_CONSUME];
	int r;

	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, step);
	sqlite3_bind_int64(st, 3, now);
	if ((r = step_done(st)) != SESAME_OK)
		return r;
	return sqlite3_changes(tx->c->db) == 1 ? SESAME_OK : SESAME_ERR_REPLAY;
}

int store_totp_sealed_page(store_tx_t *tx, int64_t after_id, unsigned limit, store_sealed_fn fn,
			   void *arg)
{
	sqlite3_stmt *st = tx->c->st[ST_TOTP_SEALED_PAGE];
	int rc, ok = SESAME_OK;

	sqlite3_bind_int64(st, 1, after_id);
	sqlite3_bind_int64(st, 2, limit);
	while (ok == SESAME_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		char user[SESAME_MAX_USERNAME + 1];
		copy_text(user, sizeof(user), st, 1);
		ok = fn(arg, sqlite3_column_int64(st, 0), user, sqlite3_column_blob(st, 2),
			(size_t)sqlite3_column_bytes(st, 2));
	}
	return stmt_end(st, rc, ok); /* a row left: fn stopped the page */
}

int store_totp_reseal(store_tx_t *tx, int64_t id, const unsigned char *sealed, size_t len)
{
	sqlite3_stmt *st = tx->c->st[ST_TOTP_RESEAL];

	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_blob(st, 2, sealed, (int)len, SQLITE_STATIC);
	return step_done(st);
}
