/* The SQLite store's web sessions (schema 3; what they proved, schema 7). */
#include <stdlib.h>
#include <string.h>

#include "sesame/error.h"
#include "sesame/log.h"
#include "store_int.h"

int store_session_add(store_tx_t *tx, const store_session_t *s)
{
	db_stmt_t *st = tx_stmt(tx, ST_SESSION_INSERT);

	db_bind_blob(st, 1, s->id_hash, STORE_SESSION_HASH_LEN);
	db_bind_int64(st, 2, s->user_id);
	db_bind_int64(st, 3, s->created);
	db_bind_int64(st, 4, s->last_seen);
	db_bind_int64(st, 5, s->expires);
	db_bind_text(st, 6, s->stage);
	db_bind_blob(st, 7, s->csrf, STORE_SESSION_CSRF_LEN);
	db_bind_int64(st, 8, s->factors);
	db_bind_int64(st, 9, s->auth_time);
	return step_done(st);
}

int store_session_get(store_tx_t *tx, const unsigned char *id_hash, store_session_t *s)
{
	db_stmt_t *st = tx_stmt(tx, ST_SESSION_GET);
	int rc;

	db_bind_blob(st, 1, id_hash, STORE_SESSION_HASH_LEN);
	rc = db_step(st);
	if (rc == DB_ROW) {
		memset(s, 0, sizeof(*s));
		memcpy(s->id_hash, id_hash, STORE_SESSION_HASH_LEN);
		s->user_id = db_col_int64(st, 0);
		copy_text(s->user, sizeof(s->user), st, 1);
		s->user_disabled = db_col_int(st, 2) != 0;
		s->created = db_col_int64(st, 3);
		s->last_seen = db_col_int64(st, 4);
		s->expires = db_col_int64(st, 5);
		copy_text(s->stage, sizeof(s->stage), st, 6);
		/* a CSRF value of another length never matches: it stays zero */
		size_t n = 0;
		const unsigned char *csrf = db_col_blob(st, 7, &n);
		if (csrf != NULL && n == STORE_SESSION_CSRF_LEN)
			memcpy(s->csrf, csrf, STORE_SESSION_CSRF_LEN);
		else
			s->stage[0] = '\0';
		s->factors = (unsigned)db_col_int64(st, 8);
		s->auth_time = db_col_int64(st, 9);
	}
	return row_end(st, rc);
}

int store_session_delete_user(store_tx_t *tx, int64_t user_id)
{
	db_stmt_t *st = tx_stmt(tx, ST_SESSION_DELETE_USER);
	db_bind_int64(st, 1, user_id);
	return step_done(st);
}

int store_session_touch(store_tx_t *tx, const unsigned char *id_hash, int64_t last_seen)
{
	db_stmt_t *st = tx_stmt(tx, ST_SESSION_TOUCH);
	db_bind_blob(st, 1, id_hash, STORE_SESSION_HASH_LEN);
	db_bind_int64(st, 2, last_seen);
	return step_done(st);
}

int store_session_delete(store_tx_t *tx, const unsigned char *id_hash)
{
	db_stmt_t *st = tx_stmt(tx, ST_SESSION_DELETE);

	db_bind_blob(st, 1, id_hash, STORE_SESSION_HASH_LEN);
	return step_one_row(st, SESAME_ERR_NOT_FOUND);
}

int store_session_purge(store_tx_t *tx, int64_t now)
{
	db_stmt_t *st = tx_stmt(tx, ST_SESSION_PURGE);
	db_bind_int64(st, 1, now);
	return step_done(st);
}

int store_session_set_auth(store_tx_t *tx, const unsigned char *id_hash, unsigned factors,
			   int64_t auth_time)
{
	db_stmt_t *st = tx_stmt(tx, ST_SESSION_SET_AUTH);

	db_bind_blob(st, 1, id_hash, STORE_SESSION_HASH_LEN);
	db_bind_int64(st, 2, factors);
	db_bind_int64(st, 3, auth_time);
	return step_one_row(st, SESAME_ERR_NOT_FOUND);
}

int store_session_delete_user_except(store_tx_t *tx, int64_t user_id,
				     const unsigned char *keep_hash)
{
	db_stmt_t *st = tx_stmt(tx, ST_SESSION_DELETE_USER_EXCEPT);

	db_bind_int64(st, 1, user_id);
	if (keep_hash != NULL)
		db_bind_blob(st, 2, keep_hash, STORE_SESSION_HASH_LEN);
	else
		db_bind_null(st, 2);
	return step_done(st);
}
