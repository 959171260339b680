/* The SQLite store's users: accounts, passwords, the per-user throttling
 * columns, and the WebAuthn user handle. */
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "sesame/error.h"
#include "sesame/log.h"
#include "store_sqlite_int.h"

int store_user_get(store_tx_t *tx, const char *name, store_user_t *u)
{
	sqlite3_stmt *st = tx->c->st[ST_USER_GET];
	int rc;

	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		memset(u, 0, sizeof(*u));
		u->id = sqlite3_column_int64(st, 0);
		copy_text(u->name, sizeof(u->name), st, 1);
		u->created = sqlite3_column_int64(st, 2);
		u->failures = (unsigned)sqlite3_column_int64(st, 3);
		u->last_failure = sqlite3_column_int64(st, 4);
		u->locked_until = sqlite3_column_int64(st, 5);
		u->last_success = sqlite3_column_int64(st, 6);
		copy_text(u->real_name, sizeof(u->real_name), st, 7);
		u->has_password = sqlite3_column_int(st, 8);
		u->password_changed = sqlite3_column_int64(st, 9);
		u->disabled = sqlite3_column_int(st, 10) != 0;
	}
	return row_end(st, rc);
}

int store_user_ensure(store_tx_t *tx, const char *name, int64_t now, store_user_t *u)
{
	sqlite3_stmt *st = tx->c->st[ST_USER_INSERT];
	int r = store_user_get(tx, name, u);

	if (r != SESAME_ERR_NOT_FOUND)
		return r;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, now);
	if ((r = step_done(st)) != SESAME_OK)
		return r;
	return store_user_get(tx, name, u);
}

int store_user_add(store_tx_t *tx, const char *name, const char *real_name, int64_t now,
		   store_user_t *u)
{
	sqlite3_stmt *st = tx->c->st[ST_USER_ADD];
	int r;

	if (real_name != NULL && strlen(real_name) > SESAME_MAX_REAL_NAME)
		return SESAME_ERR_INVALID_ARGUMENT;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, now);
	sqlite3_bind_text(st, 3, real_name ? real_name : "", -1, SQLITE_STATIC);
	if ((r = step_done(st)) != SESAME_OK)
		return r;
	/* the unique name kept the first one */
	if (sqlite3_changes(tx->c->db) != 1)
		return SESAME_ERR_CONFLICT;
	return store_user_get(tx, name, u);
}

/* An UPDATE of one user by id: SESAME_ERR_NOT_FOUND when no row changed. */
static int update_user(store_tx_t *tx, sqlite3_stmt *st)
{
	int r = step_done(st);

	if (r != SESAME_OK)
		return r;
	return sqlite3_changes(tx->c->db) == 1 ? SESAME_OK : SESAME_ERR_NOT_FOUND;
}

int store_user_set_password(store_tx_t *tx, int64_t user_id, const char *hash, int64_t changed)
{
	sqlite3_stmt *st = tx->c->st[ST_USER_PASSWORD];

	if (hash != NULL && strlen(hash) > STORE_MAX_PASSWORD_HASH)
		return SESAME_ERR_INVALID_ARGUMENT;
	sqlite3_bind_int64(st, 1, user_id);
	if (hash != NULL)
		sqlite3_bind_text(st, 2, hash, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, 2);
	sqlite3_bind_int64(st, 3, changed);
	return update_user(tx, st);
}

int store_user_password_get(store_tx_t *tx, int64_t user_id, char *out, size_t outsz)
{
	sqlite3_stmt *st = tx->c->st[ST_USER_PASSWORD_GET];
	int rc, ok = SESAME_ERR_STORE;

	if (outsz == 0)
		return SESAME_ERR_INVALID_ARGUMENT;
	out[0] = '\0';
	sqlite3_bind_int64(st, 1, user_id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW && sqlite3_column_type(st, 0) == SQLITE_TEXT) {
		/* a hash that does not fit is refused, never cut */
		if ((size_t)sqlite3_column_bytes(st, 0) >= outsz) {
			ok = SESAME_ERR_TOO_LARGE;
		} else {
			copy_text(out, outsz, st, 0);
			ok = SESAME_OK;
		}
	} else if (rc == SQLITE_ROW || rc == SQLITE_DONE) {
		ok = SESAME_ERR_NOT_FOUND;
	}
	return stmt_end(st, rc, ok);
}

int store_user_set_disabled(store_tx_t *tx, int64_t user_id, int disabled)
{
	sqlite3_stmt *st = tx->c->st[ST_USER_DISABLED];
	sqlite3_bind_int64(st, 1, user_id);
	sqlite3_bind_int(st, 2, disabled ? 1 : 0);
	return update_user(tx, st);
}

int store_user_set_real_name(store_tx_t *tx, int64_t user_id, const char *real_name)
{
	sqlite3_stmt *st = tx->c->st[ST_USER_REAL_NAME];

	if (strlen(real_name) > SESAME_MAX_REAL_NAME)
		return SESAME_ERR_INVALID_ARGUMENT;
	sqlite3_bind_int64(st, 1, user_id);
	sqlite3_bind_text(st, 2, real_name, -1, SQLITE_STATIC);
	return update_user(tx, st);
}

int store_user_set_throttle(store_tx_t *tx, int64_t user_id, unsigned failures,
			    int64_t last_failure, int64_t locked_until)
{
	sqlite3_stmt *st = tx->c->st[ST_USER_THROTTLE];
	sqlite3_bind_int64(st, 1, user_id);
	sqlite3_bind_int64(st, 2, failures);
	sqlite3_bind_int64(st, 3, last_failure);
	sqlite3_bind_int64(st, 4, locked_until);
	return step_done(st);
}

int store_user_set_success(store_tx_t *tx, int64_t user_id, int64_t now)
{
	sqlite3_stmt *st = tx->c->st[ST_USER_SUCCESS];
	sqlite3_bind_int64(st, 1, user_id);
	sqlite3_bind_int64(st, 2, now);
	return step_done(st);
}

int store_user_name(store_tx_t *tx, int64_t user_id, char name[SESAME_MAX_USERNAME + 1])
{
	sqlite3_stmt *st = tx->c->st[ST_USER_BY_ID];
	int rc;

	sqlite3_bind_int64(st, 1, user_id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		copy_text(name, SESAME_MAX_USERNAME + 1, st, 0);
	}
	return row_end(st, rc);
}

int store_user_handle_get(store_tx_t *tx, int64_t user_id,
			  unsigned char handle[STORE_WA_HANDLE_LEN])
{
	sqlite3_stmt *st = tx->c->st[ST_USER_HANDLE_GET];
	int rc, ok = SESAME_ERR_STORE;

	sqlite3_bind_int64(st, 1, user_id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW && sqlite3_column_type(st, 0) == SQLITE_BLOB &&
	    sqlite3_column_bytes(st, 0) == STORE_WA_HANDLE_LEN) {
		memcpy(handle, sqlite3_column_blob(st, 0), STORE_WA_HANDLE_LEN);
		ok = SESAME_OK;
	} else if (rc == SQLITE_ROW || rc == SQLITE_DONE) {
		ok = SESAME_ERR_NOT_FOUND;
	}
	return stmt_end(st, rc, ok);
}

int store_user_handle_set(store_tx_t *tx, int64_t user_id,
			  const unsigned char handle[STORE_WA_HANDLE_LEN])
{
	sqlite3_stmt *st = tx->c->st[ST_USER_HANDLE_SET];
	int r;

	sqlite3_bind_int64(st, 1, user_id);
	sqlite3_bind_blob(st, 2, handle, STORE_WA_HANDLE_LEN, SQLITE_STATIC);
	if ((r = step_done(st)) != SESAME_OK)
		return r;
	return sqlite3_changes(tx->c->db) == 1 ? SESAME_OK : SESAME_ERR_CONFLICT;
}

int store_user_by_handle(store_tx_t *tx, const unsigned char *handle, size_t len, int64_t *user_id)
{
	sqlite3_stmt *st = tx->c->st[ST_USER_BY_HANDLE];
	int rc;

	if (len == 0 || len > STORE_WA_HANDLE_LEN)
		return SESAME_ERR_NOT_FOUND;
	sqlite3_bind_blob(st, 1, handle, (int)len, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*user_id = sqlite3_column_int64(st, 0);
	}
	return row_end(st, rc);
}

int store_user_find_folded(store_tx_t *tx, const char *name,
			   char canonical[SESAME_MAX_USERNAME + 1])
{
	sqlite3_stmt *st = tx->c->st[ST_USER_FIND_FOLDED];
	int rc;

	canonical[0] = '\0';
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		copy_text(canonical, SESAME_MAX_USERNAME + 1, st, 0);
	return row_end(st, rc);
}
