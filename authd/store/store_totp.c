/* The SQLite store's TOTP credentials, their used time steps, and the
 * sealed seeds by page for master key rotation. */
#include <stdlib.h>
#include <string.h>

#include "sesame/error.h"
#include "sesame/log.h"
#include "store_int.h"

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
	db_stmt_t *st = tx_stmt(tx, ST_TOTP_LIST);
	store_totp_t *v = NULL;
	size_t count = 0, cap = 0;
	int rc, ok = SESAME_ERR_STORE;

	*items = NULL;
	*n = 0;
	db_bind_int64(st, 1, user_id);
	while ((rc = db_step(st)) == DB_ROW) {
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
		t->id = db_col_int64(st, 0);
		t->user_id = db_col_int64(st, 1);
		copy_text(t->name, sizeof(t->name), st, 2);
		t->alg = (totp_alg_t)db_col_int(st, 3);
		t->digits = (unsigned)db_col_int(st, 4);
		t->period = (unsigned)db_col_int(st, 5);
		t->confirmed = db_col_int(st, 6);
		t->created = db_col_int64(st, 7);
		t->last_used = db_col_int64(st, 8);
		t->last_step = db_col_int64(st, 9);
		const unsigned char *seed = db_col_blob(st, 10, &t->sealed_len);
		if (seed != NULL && t->sealed_len) {
			if ((t->sealed = malloc(t->sealed_len)) == NULL) {
				ok = SESAME_ERR_NOMEM;
				goto fail;
			}
			memcpy(t->sealed, seed, t->sealed_len);
		}
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
	store_totp_list_free(&v, count);
	return ok;
}

int store_totp_add(store_tx_t *tx, const store_totp_t *t, int64_t *id)
{
	db_stmt_t *st = tx_stmt(tx, ST_TOTP_INSERT);
	int r;

	db_bind_int64(st, 1, t->user_id);
	db_bind_text(st, 2, t->name);
	db_bind_int64(st, 3, (int)t->alg);
	db_bind_int64(st, 4, (int)t->digits);
	db_bind_int64(st, 5, (int)t->period);
	db_bind_blob(st, 6, t->sealed, t->sealed_len);
	db_bind_int64(st, 7, t->confirmed);
	db_bind_int64(st, 8, t->created);
	if ((r = step_id(st, id)) != SESAME_OK)
		return r;
	return SESAME_OK;
}

int store_totp_delete_pending(store_tx_t *tx, int64_t user_id)
{
	db_stmt_t *st = tx_stmt(tx, ST_TOTP_DELETE_PENDING);
	db_bind_int64(st, 1, user_id);
	return step_done(st);
}

int store_totp_delete(store_tx_t *tx, int64_t user_id, int64_t id)
{
	db_stmt_t *st = tx_stmt(tx, ST_TOTP_DELETE);

	db_bind_int64(st, 1, user_id);
	db_bind_int64(st, 2, id);
	return step_one_row(st, SESAME_ERR_NOT_FOUND);
}

int store_totp_rename(store_tx_t *tx, int64_t user_id, int64_t id, const char *name)
{
	db_stmt_t *st = tx_stmt(tx, ST_TOTP_RENAME);

	if (strlen(name) > SESAME_MAX_LABEL)
		return SESAME_ERR_INVALID_ARGUMENT;
	db_bind_int64(st, 1, user_id);
	db_bind_int64(st, 2, id);
	db_bind_text(st, 3, name);
	return step_one_row(st, SESAME_ERR_NOT_FOUND);
}

int store_totp_confirm(store_tx_t *tx, int64_t id, int64_t step, int64_t now)
{
	db_stmt_t *st = tx_stmt(tx, ST_TOTP_CONFIRM);

	db_bind_int64(st, 1, id);
	db_bind_int64(st, 2, step);
	db_bind_int64(st, 3, now);
	return step_one_row(st, SESAME_ERR_CONFLICT);
}

int store_totp_consume(store_tx_t *tx, int64_t id, int64_t step, int64_t now)
{
	db_stmt_t *st = tx_stmt(tx, ST_TOTP_CONSUME);

	db_bind_int64(st, 1, id);
	db_bind_int64(st, 2, step);
	db_bind_int64(st, 3, now);
	return step_one_row(st, SESAME_ERR_REPLAY);
}

int store_totp_sealed_page(store_tx_t *tx, int64_t after_id, unsigned limit, store_sealed_fn fn,
			   void *arg)
{
	db_stmt_t *st = tx_stmt(tx, ST_TOTP_SEALED_PAGE);
	int rc, ok = SESAME_OK;

	db_bind_int64(st, 1, after_id);
	db_bind_int64(st, 2, limit);
	while (ok == SESAME_OK && (rc = db_step(st)) == DB_ROW) {
		char user[SESAME_MAX_USERNAME + 1];
		copy_text(user, sizeof(user), st, 1);
		size_t n = 0;
		const unsigned char *sealed = db_col_blob(st, 2, &n);
		ok = fn(arg, db_col_int64(st, 0), user, sealed, sealed ? n : 0);
	}
	return stmt_end(st, rc, ok); /* a row left: fn stopped the page */
}

int store_totp_reseal(store_tx_t *tx, int64_t id, const unsigned char *sealed, size_t len)
{
	db_stmt_t *st = tx_stmt(tx, ST_TOTP_RESEAL);

	db_bind_int64(st, 1, id);
	db_bind_blob(st, 2, sealed, len);
	return step_done(st);
}
