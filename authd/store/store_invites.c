/* The SQLite store's enrollment invitations (schema 5). */
#include <stdlib.h>
#include <string.h>

#include "sesame/error.h"
#include "sesame/log.h"
#include "store_int.h"

int store_invite_add(store_tx_t *tx, const unsigned char hash[STORE_INVITE_HASH_LEN],
		     int64_t user_id, int64_t created, int64_t expires)
{
	db_stmt_t *st = tx_stmt(tx, ST_INVITE_DELETE_USER);
	int r;

	db_bind_int64(st, 1, user_id);
	if ((r = step_done(st)) != SESAME_OK)
		return r;
	st = tx_stmt(tx, ST_INVITE_INSERT);
	db_bind_blob(st, 1, hash, STORE_INVITE_HASH_LEN);
	db_bind_int64(st, 2, user_id);
	db_bind_int64(st, 3, created);
	db_bind_int64(st, 4, expires);
	return step_done(st);
}

int store_invite_get(store_tx_t *tx, const unsigned char hash[STORE_INVITE_HASH_LEN], int64_t now,
		     int64_t *user_id, char user[SESAME_MAX_USERNAME + 1], int64_t *expires)
{
	db_stmt_t *st = tx_stmt(tx, ST_INVITE_GET);
	int rc;

	db_bind_blob(st, 1, hash, STORE_INVITE_HASH_LEN);
	db_bind_int64(st, 2, now);
	rc = db_step(st);
	if (rc == DB_ROW) {
		*user_id = db_col_int64(st, 0);
		copy_text(user, SESAME_MAX_USERNAME + 1, st, 1);
		*expires = db_col_int64(st, 2);
	}
	return row_end(st, rc);
}

int store_invite_take(store_tx_t *tx, const unsigned char hash[STORE_INVITE_HASH_LEN], int64_t now,
		      int64_t *user_id)
{
	db_stmt_t *st = tx_stmt(tx, ST_INVITE_TAKE);
	int rc, ok = SESAME_ERR_NOT_FOUND;

	*user_id = 0;
	db_bind_blob(st, 1, hash, STORE_INVITE_HASH_LEN);
	db_bind_int64(st, 2, now);
	while ((rc = db_step(st)) == DB_ROW) {
		*user_id = db_col_int64(st, 0);
		ok = SESAME_OK;
	}
	return stmt_end(st, rc, ok);
}

int store_invite_purge(store_tx_t *tx, int64_t now)
{
	db_stmt_t *st = tx_stmt(tx, ST_INVITE_PURGE);
	db_bind_int64(st, 1, now);
	return step_done(st);
}
