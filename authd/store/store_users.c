/* The SQLite store's users: accounts, passwords, the per-user throttling
 * columns, and the WebAuthn user handle. */
#include <stdlib.h>
#include <string.h>

#include "sesame/error.h"
#include "sesame/log.h"
#include "store_int.h"

int store_user_get(store_tx_t *tx, const char *name, store_user_t *u)
{
	db_stmt_t *st = tx_stmt(tx, ST_USER_GET);
	int rc;

	db_bind_text(st, 1, name);
	rc = db_step(st);
	if (rc == DB_ROW) {
		memset(u, 0, sizeof(*u));
		u->id = db_col_int64(st, 0);
		copy_text(u->name, sizeof(u->name), st, 1);
		u->created = db_col_int64(st, 2);
		u->failures = (unsigned)db_col_int64(st, 3);
		u->last_failure = db_col_int64(st, 4);
		u->locked_until = db_col_int64(st, 5);
		u->last_success = db_col_int64(st, 6);
		copy_text(u->real_name, sizeof(u->real_name), st, 7);
		u->has_password = db_col_int(st, 8);
		u->password_changed = db_col_int64(st, 9);
		u->disabled = db_col_int(st, 10) != 0;
	}
	return row_end(st, rc);
}

int store_user_ensure(store_tx_t *tx, const char *name, int64_t now, store_user_t *u)
{
	db_stmt_t *st = tx_stmt(tx, ST_USER_INSERT);
	int r = store_user_get(tx, name, u);

	if (r != SESAME_ERR_NOT_FOUND)
		return r;
	db_bind_text(st, 1, name);
	db_bind_int64(st, 2, now);
	if ((r = step_done(st)) != SESAME_OK)
		return r;
	return store_user_get(tx, name, u);
}

int store_user_add(store_tx_t *tx, const char *name, const char *real_name, int64_t now,
		   store_user_t *u)
{
	db_stmt_t *st = tx_stmt(tx, ST_USER_ADD);
	int r;

	if (real_name != NULL && strlen(real_name) > SESAME_MAX_REAL_NAME)
		return SESAME_ERR_INVALID_ARGUMENT;
	db_bind_text(st, 1, name);
	db_bind_int64(st, 2, now);
	db_bind_text(st, 3, real_name ? real_name : "");
	/* the unique name kept the first one */
	if ((r = step_one_row(st, SESAME_ERR_CONFLICT)) != SESAME_OK)
		return r;
	return store_user_get(tx, name, u);
}

int store_user_set_password(store_tx_t *tx, int64_t user_id, const char *hash, int64_t changed)
{
	db_stmt_t *st = tx_stmt(tx, ST_USER_PASSWORD);

	if (hash != NULL && strlen(hash) > STORE_MAX_PASSWORD_HASH)
		return SESAME_ERR_INVALID_ARGUMENT;
	db_bind_int64(st, 1, user_id);
	if (hash != NULL)
		db_bind_text(st, 2, hash);
	else
		db_bind_null(st, 2);
	db_bind_int64(st, 3, changed);
	return step_one_row(st, SESAME_ERR_NOT_FOUND);
}

int store_user_password_get(store_tx_t *tx, int64_t user_id, char *out, size_t outsz)
{
	db_stmt_t *st = tx_stmt(tx, ST_USER_PASSWORD_GET);
	int rc, ok = SESAME_ERR_STORE;

	if (outsz == 0)
		return SESAME_ERR_INVALID_ARGUMENT;
	out[0] = '\0';
	db_bind_int64(st, 1, user_id);
	rc = db_step(st);
	if (rc == DB_ROW && !db_col_null(st, 0)) {
		size_t n = 0;
		st->ops->col_text(st, 0, &n);
		/* a hash that does not fit is refused, never cut */
		if (n >= outsz) {
			ok = SESAME_ERR_TOO_LARGE;
		} else {
			copy_text(out, outsz, st, 0);
			ok = SESAME_OK;
		}
	} else if (rc == DB_ROW || rc == DB_DONE) {
		ok = SESAME_ERR_NOT_FOUND;
	}
	return stmt_end(st, rc, ok);
}

int store_user_set_disabled(store_tx_t *tx, int64_t user_id, int disabled)
{
	db_stmt_t *st = tx_stmt(tx, ST_USER_DISABLED);
	db_bind_int64(st, 1, user_id);
	db_bind_int64(st, 2, disabled ? 1 : 0);
	return step_one_row(st, SESAME_ERR_NOT_FOUND);
}

int store_user_set_real_name(store_tx_t *tx, int64_t user_id, const char *real_name)
{
	db_stmt_t *st = tx_stmt(tx, ST_USER_REAL_NAME);

	if (strlen(real_name) > SESAME_MAX_REAL_NAME)
		return SESAME_ERR_INVALID_ARGUMENT;
	db_bind_int64(st, 1, user_id);
	db_bind_text(st, 2, real_name);
	return step_one_row(st, SESAME_ERR_NOT_FOUND);
}

int store_user_set_throttle(store_tx_t *tx, int64_t user_id, unsigned failures,
			    int64_t last_failure, int64_t locked_until)
{
	db_stmt_t *st = tx_stmt(tx, ST_USER_THROTTLE);
	db_bind_int64(st, 1, user_id);
	db_bind_int64(st, 2, failures);
	db_bind_int64(st, 3, last_failure);
	db_bind_int64(st, 4, locked_until);
	return step_done(st);
}

int store_user_set_success(store_tx_t *tx, int64_t user_id, int64_t now)
{
	db_stmt_t *st = tx_stmt(tx, ST_USER_SUCCESS);
	db_bind_int64(st, 1, user_id);
	db_bind_int64(st, 2, now);
	return step_done(st);
}

int store_user_name(store_tx_t *tx, int64_t user_id, char name[SESAME_MAX_USERNAME + 1])
{
	db_stmt_t *st = tx_stmt(tx, ST_USER_BY_ID);
	int rc;

	db_bind_int64(st, 1, user_id);
	rc = db_step(st);
	if (rc == DB_ROW) {
		copy_text(name, SESAME_MAX_USERNAME + 1, st, 0);
	}
	return row_end(st, rc);
}

int store_user_handle_get(store_tx_t *tx, int64_t user_id,
			  unsigned char handle[STORE_WA_HANDLE_LEN])
{
	db_stmt_t *st = tx_stmt(tx, ST_USER_HANDLE_GET);
	int rc, ok = SESAME_ERR_STORE;

	db_bind_int64(st, 1, user_id);
	rc = db_step(st);
	size_t n = 0;
	const unsigned char *h = rc == DB_ROW ? db_col_blob(st, 0, &n) : NULL;
	if (h != NULL && n == STORE_WA_HANDLE_LEN) {
		memcpy(handle, h, STORE_WA_HANDLE_LEN);
		ok = SESAME_OK;
	} else if (rc == DB_ROW || rc == DB_DONE) {
		ok = SESAME_ERR_NOT_FOUND;
	}
	return stmt_end(st, rc, ok);
}

int store_user_handle_set(store_tx_t *tx, int64_t user_id,
			  const unsigned char handle[STORE_WA_HANDLE_LEN])
{
	db_stmt_t *st = tx_stmt(tx, ST_USER_HANDLE_SET);

	db_bind_int64(st, 1, user_id);
	db_bind_blob(st, 2, handle, STORE_WA_HANDLE_LEN);
	return step_one_row(st, SESAME_ERR_CONFLICT);
}

int store_user_by_handle(store_tx_t *tx, const unsigned char *handle, size_t len, int64_t *user_id)
{
	db_stmt_t *st = tx_stmt(tx, ST_USER_BY_HANDLE);
	int rc;

	if (len == 0 || len > STORE_WA_HANDLE_LEN)
		return SESAME_ERR_NOT_FOUND;
	db_bind_blob(st, 1, handle, len);
	rc = db_step(st);
	if (rc == DB_ROW) {
		*user_id = db_col_int64(st, 0);
	}
	return row_end(st, rc);
}

int store_user_find_folded(store_tx_t *tx, const char *name,
			   char canonical[SESAME_MAX_USERNAME + 1])
{
	db_stmt_t *st = tx_stmt(tx, ST_USER_FIND_FOLDED);
	int rc;

	canonical[0] = '\0';
	db_bind_text(st, 1, name);
	rc = db_step(st);
	if (rc == DB_ROW)
		copy_text(canonical, SESAME_MAX_USERNAME + 1, st, 0);
	return row_end(st, rc);
}

int store_user_lock(store_tx_t *tx, int64_t user_id)
{
	db_stmt_t *st = tx_stmt(tx, ST_USER_LOCK);

	db_bind_int64(st, 1, user_id);
	return step_one_row(st, SESAME_ERR_NOT_FOUND);
}
