/* What the files of the SQLite store share (not part of the store's
 * interface): the prepared statements by id, the connection and the
 * transaction handed to accessors, and the helpers that end a statement
 * and copy its columns. */
#ifndef AUTHD_STORE_SQLITE_INT_H
#define AUTHD_STORE_SQLITE_INT_H

#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "sesame/error.h"
#include "sesame/log.h"
#include "store.h"

enum {
	ST_BEGIN,
	ST_BEGIN_READ,
	ST_COMMIT,
	ST_ROLLBACK,
	ST_SAVEPOINT,
	ST_ROLLBACK_TO,
	ST_RELEASE,
	ST_USER_GET,
	ST_USER_INSERT,
	ST_USER_THROTTLE,
	ST_USER_SUCCESS,
	ST_USER_ADD,
	ST_USER_PASSWORD,
	ST_USER_PASSWORD_GET,
	ST_USER_DISABLED,
	ST_USER_REAL_NAME,
	ST_TOTP_LIST,
	ST_TOTP_INSERT,
	ST_TOTP_DELETE_PENDING,
	ST_TOTP_DELETE,
	ST_TOTP_RENAME,
	ST_TOTP_CONFIRM,
	ST_TOTP_CONSUME,
	ST_AUDIT_INSERT,
	ST_AUDIT_LIST,
	ST_AUDIT_LIST_USER,
	ST_SESSION_INSERT,
	ST_SESSION_GET,
	ST_SESSION_TOUCH,
	ST_SESSION_DELETE,
	ST_SESSION_PURGE,
	ST_SESSION_DELETE_USER,
	ST_USER_BY_ID,
	ST_USER_HANDLE_GET,
	ST_USER_HANDLE_SET,
	ST_USER_BY_HANDLE,
	ST_WA_LIST,
	ST_WA_HOW_MANY,
	ST_WA_BY_CRED,
	ST_WA_INSERT,
	ST_WA_COUNT,
	ST_WA_RENAME,
	ST_WA_DELETE,
	ST_WA_CHALLENGE_INSERT,
	ST_WA_CHALLENGE_TAKE,
	ST_WA_CHALLENGE_PURGE,
	ST_INVITE_INSERT,
	ST_INVITE_DELETE_USER,
	ST_INVITE_GET,
	ST_INVITE_TAKE,
	ST_INVITE_PURGE,
	ST_TOTP_SEALED_PAGE,
	ST_TOTP_RESEAL,
	ST_SOURCE_GET,
	ST_SOURCE_SET,
	ST_SOURCE_DELETE,
	ST_ATTEMPTS_GET,
	ST_ATTEMPTS_SET,
	ST_ATTEMPTS_DELETE,
	ST_ATTEMPTS_CLEAR,
	ST_ATTEMPTS_PURGE,
	ST_ATTEMPTS_LIST,
	ST_FLOW_SPEND,
	ST_FLOW_PURGE,
	ST_USER_FIND_FOLDED,
	ST_SESSION_SET_AUTH,
	ST_SESSION_DELETE_USER_EXCEPT,
	ST_CODES_DELETE_KIND,
	ST_CODES_INSERT,
	ST_CODES_TAKE,
	ST_CODES_COUNT,
	ST_CODES_PURGE,
	ST_HANDOFF_INSERT,
	ST_HANDOFF_BY_CODE,
	ST_HANDOFF_BY_FLOW,
	ST_HANDOFF_DECIDE,
	ST_HANDOFF_USE,
	ST_HANDOFF_PURGE,
	ST_OIDC_KEY_SHIFT,
	ST_OIDC_KEY_SHIFT_2,
	ST_OIDC_KEY_SHIFT_3,
	ST_OIDC_PURGE,
	ST_OIDC_PURGE_2,
	ST_OIDC_PURGE_3,
	ST_OIDC_KEY_ADD,
	ST_OIDC_KEY_LIST,
	ST_OIDC_CLIENT_ADD,
	ST_OIDC_CLIENT_GET,
	ST_OIDC_CLIENT_LIST,
	ST_OIDC_CLIENT_DELETE,
	ST_OIDC_CLIENT_DELETE_2,
	ST_OIDC_REQUEST_ADD,
	ST_OIDC_REQUEST_ADD_2,
	ST_OIDC_REQUEST_TAKE,
	ST_OIDC_GRANT_ADD,
	ST_OIDC_GRANT_GET,
	ST_OIDC_GRANT_REVOKE,
	ST_OIDC_GRANT_REVOKE_2,
	ST_OIDC_GRANT_LIST,
	ST_OIDC_CODE_ADD,
	ST_OIDC_CODE_TAKE,
	ST_OIDC_CODE_TAKE_2,
	ST_OIDC_TOKEN_ADD,
	ST_OIDC_TOKEN_GET,
	ST_OIDC_TOKEN_SPEND,
	ST_OIDC_TOKEN_SPEND_2,
	ST_OIDC_TOKEN_DELETE,
	ST_OIDC_KEY_RESEAL,
	ST__COUNT
};

/* The SQL of each statement (store_sqlite_statements.c), prepared on every
 * connection when it opens. */
extern const char *const store_sqlite_statements[ST__COUNT];

typedef struct {
	sqlite3 *db;
	sqlite3_stmt *st[ST__COUNT];
	int busy; /* a reader in use */
} store_conn_t;

struct store_tx {
	store_conn_t *c;
	int durable;
	int readonly;
};

/* Runs a statement that returns no rows, then resets it. */
static inline int step_done(sqlite3_stmt *st)
{
	int rc = sqlite3_step(st);
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	if (rc != SQLITE_DONE) {
		log_err("store: %s: %s", sqlite3_sql(st), sqlite3_errstr(rc));
		return SESAME_ERR_STORE;
	}
	return SESAME_OK;
}

/* Runs a statement that changes one row of tx's connection:
 * SESAME_ERR_NOT_FOUND when it changed none (no such row, or its
 * condition did not hold). */
static inline int step_one_row(store_tx_t *tx, sqlite3_stmt *st)
{
	int r = step_done(st);

	if (r != SESAME_OK)
		return r;
	return sqlite3_changes(tx->c->db) == 1 ? SESAME_OK : SESAME_ERR_NOT_FOUND;
}

/* Resets st after its last step rc: a row or the end of the rows keep
 * ok; anything else is logged and is SESAME_ERR_STORE. */
static inline int stmt_end(sqlite3_stmt *st, int rc, int ok)
{
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		log_err("store: %s: %s", sqlite3_sql(st), sqlite3_errstr(rc));
		ok = SESAME_ERR_STORE;
	}
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return ok;
}

/* The end of a one-row read: SESAME_OK when rc gave the row (read by the
 * caller), SESAME_ERR_NOT_FOUND when there was none. */
static inline int row_end(sqlite3_stmt *st, int rc)
{
	return stmt_end(st, rc, rc == SQLITE_ROW ? SESAME_OK : SESAME_ERR_NOT_FOUND);
}

/* Runs sql (one or more statements without parameters), logging a failure. */
static inline int exec_sql(sqlite3 *db, const char *sql)
{
	char *msg = NULL;
	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		log_err("store: %s: %s", sql, msg ? msg : "?");
		sqlite3_free(msg);
		return SESAME_ERR_STORE;
	}
	return SESAME_OK;
}

/* The list accessors' array: doubles *cap (from 4) and returns the moved
 * array, or NULL (v untouched) when memory runs out. */
static inline void *grow_array(void *v, size_t *cap, size_t size)
{
	size_t ncap = *cap ? *cap * 2 : 4;
	void *nv = reallocarray(v, ncap, size);

	if (nv != NULL)
		*cap = ncap;
	return nv;
}

/* A text column into dst (NUL-terminated, cut to fit; NULL reads as ""). */
static inline void copy_text(char *dst, size_t dstsz, sqlite3_stmt *st, int col)
{
	const unsigned char *t = sqlite3_column_text(st, col);
	size_t n = t ? (size_t)sqlite3_column_bytes(st, col) : 0;
	if (n >= dstsz)
		n = dstsz - 1;
	if (n)
		memcpy(dst, t, n);
	dst[n] = '\0';
}

/* Brings the schema of db to the current version (store_sqlite_schema.c). */
int store_sqlite_migrate(sqlite3 *db);

#endif
