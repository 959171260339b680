/* What the files of the store share (not part of the store's interface):
 * the statements by id, the statement interface both backends implement
 * (SQLite: store_sqlite_conn.c; PostgreSQL: store_pg_conn.c), the
 * transaction handed to accessors, and the helpers that end a statement
 * and copy its columns. The accessors (store_<table>.c) and the SQL
 * (store_statements.c) are written once, for both backends. */
#ifndef AUTHD_STORE_INT_H
#define AUTHD_STORE_INT_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sesame/error.h"
#include "sesame/log.h"
#include "store.h"

/* Statements by id. The first few are SQLite's transaction control; the
 * PostgreSQL backend prepares a statement at its first use, so never
 * those. */
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
	ST_USER_LOCK,
	ST__COUNT
};

/* The SQL of each statement (store_statements.c): `?N` parameters, and
 * only what SQLite 3.40 and PostgreSQL 15 both read the same way. */
extern const char *const store_statements[ST__COUNT];

/* A prepared statement of one connection, as both backends serve it.
 * Parameters are numbered from 1, columns from 0; a bound text or blob
 * must stay valid until the statement is reset. A statement is run by its
 * first db_step, which also gives its first row; db_reset ends it and
 * clears its parameters. */
typedef struct db_stmt db_stmt_t;
enum { DB_ROW = 1, DB_DONE = 2, DB_ERROR = 3 };
/* What a column holds in the current row (db_col_type) */
enum { DB_NULL = 0, DB_INT = 1, DB_TEXT = 2, DB_BLOB = 3 };

struct db_ops {
	void (*bind_int64)(db_stmt_t *st, int i, int64_t v);
	void (*bind_text)(db_stmt_t *st, int i, const char *v);
	void (*bind_blob)(db_stmt_t *st, int i, const void *v, size_t n);
	void (*bind_null)(db_stmt_t *st, int i);
	int (*step)(db_stmt_t *st);
	int64_t (*col_int64)(db_stmt_t *st, int col);
	/* NULL for SQL NULL; *n its length */
	const char *(*col_text)(db_stmt_t *st, int col, size_t *n);
	const unsigned char *(*col_blob)(db_stmt_t *st, int col, size_t *n);
	int (*changes)(db_stmt_t *st); /* rows changed by the last run */
	void (*reset)(db_stmt_t *st);
	const char *(*error)(db_stmt_t *st); /* the statement and why it failed */
	/* the shape of a result, for sesamectl store copy */
	int (*col_count)(db_stmt_t *st);
	const char *(*col_name)(db_stmt_t *st, int col);
	int (*col_type)(db_stmt_t *st, int col); /* DB_NULL, DB_INT, DB_TEXT, DB_BLOB */
	/* the failure is one the backend runs the transaction again for */
	int (*transient)(db_stmt_t *st);
};

struct db_stmt {
	const struct db_ops *ops;
};

static inline void db_bind_int64(db_stmt_t *st, int i, int64_t v)
{
	st->ops->bind_int64(st, i, v);
}
static inline void db_bind_text(db_stmt_t *st, int i, const char *v)
{
	st->ops->bind_text(st, i, v);
}
static inline void db_bind_blob(db_stmt_t *st, int i, const void *v, size_t n)
{
	st->ops->bind_blob(st, i, v, n);
}
static inline void db_bind_null(db_stmt_t *st, int i)
{
	st->ops->bind_null(st, i);
}
static inline int db_step(db_stmt_t *st)
{
	return st->ops->step(st);
}
static inline int64_t db_col_int64(db_stmt_t *st, int col)
{
	return st->ops->col_int64(st, col);
}
static inline int db_col_int(db_stmt_t *st, int col)
{
	return (int)st->ops->col_int64(st, col);
}
static inline int db_col_null(db_stmt_t *st, int col)
{
	size_t n;
	return st->ops->col_text(st, col, &n) == NULL;
}
static inline const unsigned char *db_col_blob(db_stmt_t *st, int col, size_t *n)
{
	return st->ops->col_blob(st, col, n);
}
static inline int db_changes(db_stmt_t *st)
{
	return st->ops->changes(st);
}
static inline void db_reset(db_stmt_t *st)
{
	st->ops->reset(st);
}
static inline const char *db_error(db_stmt_t *st)
{
	return st->ops->error(st);
}
/* Logs why st failed: an error, or (a serialization failure, run again
 * by the backend) a debug line. */
static inline void db_log_failure(db_stmt_t *st)
{
	if (st->ops->transient(st))
		log_debug("store: %s", db_error(st));
	else
		log_err("store: %s", db_error(st));
}

/* Audit events a transaction wrote, logged once it committed (a
 * transaction may run twice, or be rolled back: its log lines with it). */
#define STORE_TX_AUDIT 8

/* A transaction: the statements of the connection it runs on. */
struct store_tx {
	db_stmt_t *const *st;
	int durable;
	int readonly;
	void *conn; /* the backend's connection, for ad hoc statements */
	size_t n_audit;
	store_audit_t audit[STORE_TX_AUDIT];
};

/* Called by a backend once tx committed: logs its audit events. */
void store_tx_committed(store_tx_t *tx);
/* The log line of one audit event (store.c). */
void store_audit_log(const store_audit_t *e);

static inline db_stmt_t *tx_stmt(store_tx_t *tx, int id)
{
	return tx->st[id];
}

/* The store's backends behind store_open/run/read/close (store.c): each
 * backend's own struct store begins with its table. */
struct store_backend {
	int (*run)(store_t *s, store_fn fn, void *arg);
	int (*read)(store_t *s, store_fn fn, void *arg);
	void (*close)(store_t *s);
	/* An ad hoc statement on tx's connection (`?N` parameters), for
	 * sesamectl store copy; freed by finalize. */
	int (*prepare)(store_tx_t *tx, const char *sql, db_stmt_t **out);
	void (*finalize)(db_stmt_t *st);
	int postgres;
};
struct store {
	const struct store_backend *be;
};
int store_sqlite_open(const char *path, store_t **out);
int store_pg_open(const char *conninfo, store_t **out);

/* Runs a statement that returns no rows, then resets it. */
static inline int step_done(db_stmt_t *st)
{
	int rc = db_step(st);
	int ok = SESAME_OK;

	if (rc != DB_DONE) {
		db_log_failure(st);
		ok = SESAME_ERR_STORE;
	}
	db_reset(st);
	return ok;
}

/* Runs a statement that changes one row: `none` when it changed none (no
 * such row, or its condition did not hold: the verdict of a conditional
 * write), SESAME_OK when it changed one. */
static inline int step_one_row(db_stmt_t *st, int none)
{
	int rc = db_step(st);
	int ok = SESAME_OK;

	if (rc != DB_DONE) {
		db_log_failure(st);
		ok = SESAME_ERR_STORE;
	} else if (db_changes(st) != 1) {
		ok = none;
	}
	db_reset(st);
	return ok;
}

/* Runs an INSERT ... RETURNING id: the new row's id into *id. */
static inline int step_id(db_stmt_t *st, int64_t *id)
{
	int rc = db_step(st);

	if (rc == DB_ROW)
		*id = db_col_int64(st, 0);
	if (rc == DB_ROW)
		rc = db_step(st);
	if (rc != DB_DONE) {
		db_log_failure(st);
		db_reset(st);
		return SESAME_ERR_STORE;
	}
	db_reset(st);
	return SESAME_OK;
}

/* Resets st after its last step rc: a row or the end of the rows keep
 * ok; anything else is logged and is SESAME_ERR_STORE. */
static inline int stmt_end(db_stmt_t *st, int rc, int ok)
{
	if (rc != DB_ROW && rc != DB_DONE) {
		db_log_failure(st);
		ok = SESAME_ERR_STORE;
	}
	db_reset(st);
	return ok;
}

/* The end of a one-row read: SESAME_OK when rc gave the row (read by the
 * caller), SESAME_ERR_NOT_FOUND when there was none. */
static inline int row_end(db_stmt_t *st, int rc)
{
	return stmt_end(st, rc, rc == DB_ROW ? SESAME_OK : SESAME_ERR_NOT_FOUND);
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
static inline void copy_text(char *dst, size_t dstsz, db_stmt_t *st, int col)
{
	size_t n = 0;
	const char *t = st->ops->col_text(st, col, &n);

	if (t == NULL)
		n = 0;
	if (n >= dstsz)
		n = dstsz - 1;
	if (n)
		memcpy(dst, t, n);
	dst[n] = '\0';
}

/* A blob column of at most cap bytes into dst (NULL reads as empty);
 * longer ones are refused: SESAME_ERR_TOO_LARGE. len may be NULL. */
static inline int copy_blob(unsigned char *dst, size_t cap, size_t *len, db_stmt_t *st, int col)
{
	size_t n = 0;
	const unsigned char *b = db_col_blob(st, col, &n);

	if (b == NULL)
		n = 0;
	if (n > cap)
		return SESAME_ERR_TOO_LARGE;
	if (n)
		memcpy(dst, b, n);
	if (len)
		*len = n;
	return SESAME_OK;
}

#endif
