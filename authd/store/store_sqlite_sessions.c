/* The SQLite store's web sessions (schema 3; what they proved, schema 7). */
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "sesame/error.h"
#include "sesame/log.h"
#include "store_sqlite_int.h"

int store_session_add(store_tx_t *tx, const store_session_t *s)
{
	sqlite3_stmt *st = tx->c->st[ST_SESSION_INSERT];

	sqlite3_bind_blob(st, 1, s->id_hash, STORE_SESSION_HASH_LEN, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, s->user_id);
	sqlite3_bind_int64(st, 3, s->created);
	sqlite3_bind_int64(st, 4, s->last_seen);
	sqlite3_bind_int64(st, 5, s->expires);
	sqlite3_bind_text(st, 6, s->stage, -1, SQLITE_STATIC);
	sqlite3_bind_blob(st, 7, s->csrf, STORE_SESSION_CSRF_LEN, SQLITE_STATIC);
	sqlite3_bind_int64(st, 8, s->factors);
	sqlite3_bind_int64(st, 9, s->auth_time);
	return step_done(st);
}

int store_session_get(store_tx_t *tx, const unsigned char *id_hash, store_session_t *s)
{
	sqlite3_stmt *st = tx->c->st[ST_SESSION_GET];
	int rc;

	sqlite3_bind_blob(st, 1, id_hash, STORE_SESSION_HASH_LEN, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		memset(s, 0, sizeof(*s));
		memcpy(s->id_hash, id_hash, STORE_SESSION_HASH_LEN);
		s->user_id = sqlite3_column_int64(st, 0);
		copy_text(s->user, sizeof(s->user), st, 1);
		s->user_disabled = sqlite3_column_int(st, 2) != 0;
		s->created = sqlite3_column_int64(st, 3);
		s->last_seen = sqlite3_column_int64(st, 4);
		s->expires = sqlite3_column_int64(st, 5);
		copy_text(s->stage, sizeof(s->stage), st, 6);
		/* a CSRF value of another length never matches: it stays zero */
		if (sqlite3_column_bytes(st, 7) == STORE_SESSION_CSRF_LEN)
			memcpy(s->csrf, sqlite3_column_blob(st, 7), STORE_SESSION_CSRF_LEN);
		else
			s->stage[0] = '\0';
		s->factors = (unsigned)sqlite3_column_int64(st, 8);
		s->auth_time = sqlite3_column_int64(st, 9);
	}
	return row_end(st, rc);
}

int store_session_delete_user(store_tx_t *tx, int64_t user_id)
{
	sqlite3_stmt *st = tx->c->st[ST_SESSION_DELETE_USER];
	sqlite3_bind_int64(st, 1, user_id);
	return step_done(st);
}

int store_session_touch(store_tx_t *tx, const unsigned char *id_hash, int64_t last_seen)
{
	sqlite3_stmt *st = tx->c->st[ST_SESSION_TOUCH];
	sqlite3_bind_blob(st, 1, id_hash, STORE_SESSION_HASH_LEN, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, last_seen);
	return step_done(st);
}

int store_session_delete(store_tx_t *tx, const unsigned char *id_hash)
{
	sqlite3_stmt *st = tx->c->st[ST_SESSION_DELETE];

	sqlite3_bind_blob(st, 1, id_hash, STORE_SESSION_HASH_LEN, SQLITE_STATIC);
	return step_one_row(tx, st);
}

int store_session_purge(store_tx_t *tx, int64_t now)
{
	sqlite3_stmt *st = tx->c->st[ST_SESSION_PURGE];
	sqlite3_bind_int64(st, 1, now);
	return step_done(st);
}

int store_session_set_auth(store_tx_t *tx, const unsigned char *id_hash, unsigned factors,
			   int64_t auth_time)
{
	sqlite3_stmt *st = tx->c->st[ST_SESSION_SET_AUTH];

	sqlite3_bind_blob(st, 1, id_hash, STORE_SESSION_HASH_LEN, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, factors);
	sqlite3_bind_int64(st, 3, auth_time);
	return step_one_row(tx, st);
}

int store_session_delete_user_except(store_tx_t *tx, int64_t user_id,
				     const unsigned char *keep_hash)
{
	sqlite3_stmt *st = tx->c->st[ST_SESSION_DELETE_USER_EXCEPT];

	sqlite3_bind_int64(st, 1, user_id);
	if (keep_hash != NULL)
		sqlite3_bind_blob(st, 2, keep_hash, STORE_SESSION_HASH_LEN, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, 2);
	return step_done(st);
}
