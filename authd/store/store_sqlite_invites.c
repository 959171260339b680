/* The SQLite store's enrollment invitations (schema 5). */
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "sesame/error.h"
#include "sesame/log.h"
#include "store_sqlite_int.h"

int store_invite_add(store_tx_t *tx, const unsigned char hash[STORE_INVITE_HASH_LEN],
		     int64_t user_id, int64_t created, int64_t expires)
{
	sqlite3_stmt *st = tx->c->st[ST_INVITE_DELETE_USER];
	int r;

	sqlite3_bind_int64(st, 1, user_id);
	if ((r = step_done(st)) != SESAME_OK)
		return r;
	st = tx->c->st[ST_INVITE_INSERT];
	sqlite3_bind_blob(st, 1, hash, STORE_INVITE_HASH_LEN, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, user_id);
	sqlite3_bind_int64(st, 3, created);
	sqlite3_bind_int64(st, 4, expires);
	return step_done(st);
}

int store_invite_get(store_tx_t *tx, const unsigned char hash[STORE_INVITE_HASH_LEN], int64_t now,
		     int64_t *user_id, char user[SESAME_MAX_USERNAME + 1], int64_t *expires)
{
	sqlite3_stmt *st = tx->c->st[ST_INVITE_GET];
	int rc;

	sqlite3_bind_blob(st, 1, hash, STORE_INVITE_HASH_LEN, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, now);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*user_id = sqlite3_column_int64(st, 0);
		copy_text(user, SESAME_MAX_USERNAME + 1, st, 1);
		*expires = sqlite3_column_int64(st, 2);
	}
	return row_end(st, rc);
}

int store_invite_take(store_tx_t *tx, const unsigned char hash[STORE_INVITE_HASH_LEN], int64_t now,
		      int64_t *user_id)
{
	sqlite3_stmt *st = tx->c->st[ST_INVITE_TAKE];
	int rc, ok = SESAME_ERR_NOT_FOUND;

	*user_id = 0;
	sqlite3_bind_blob(st, 1, hash, STORE_INVITE_HASH_LEN, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, now);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		*user_id = sqlite3_column_int64(st, 0);
		ok = SESAME_OK;
	}
	return stmt_end(st, rc, ok);
}

int store_invite_purge(store_tx_t *tx, int64_t now)
{
	sqlite3_stmt *st = tx->c->st[ST_INVITE_PURGE];
	sqlite3_bind_int64(st, 1, now);
	return step_done(st);
}
