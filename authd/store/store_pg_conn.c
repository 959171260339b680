/* PostgreSQL backend of the store (libpq), shared by several daemons.
 *
 * A bounded pool of connections; a transaction runs on one of them in the
 * caller's thread. Writes are SERIALIZABLE: PostgreSQL refuses any
 * interleaving that no serial order would give (two daemons counting the
 * same failure, spending the same code), and the transaction is run again
 * from the start (the store contract allows it). Single-use facts are
 * still conditional writes whose row count is the verdict, so that the
 * verdict never rests on the isolation level alone. Reads run in a
 * read-only snapshot. A transaction that did not ask for durability
 * commits with synchronous_commit off (as SQLite's synchronous=NORMAL: it
 * survives a crash of the daemon, not of the database server); one that
 * did waits for the server's flush, and for a synchronous standby's when
 * the server has one.
 *
 * Fail closed: a connection that broke, a server that does not answer
 * within statement_timeout, a pool that stays full: the transaction is an
 * error (SESAME_ERR_UNAVAILABLE), never a success; the next transaction
 * reconnects (libpq follows target_session_attrs=read-write to the
 * primary among several hosts). */
#include <arpa/inet.h>
#include <errno.h>
#include <libpq-fe.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store_pg.h"

#define PG_POOL 8		  /* connections per daemon */
#define PG_POOL_WAIT_MS 2000	  /* for a free connection */
#define PG_TRIES 10		  /* runs of a transaction after serialization failures */
#define PG_MAX_PARAMS 16	  /* ?N of the statements */
#define PG_STATEMENT_TIMEOUT "3s" /* unless the connection string sets one */

typedef struct pg_conn pg_conn_t;

typedef struct {
	db_stmt_t base;
	pg_conn_t *c;
	int id;
	int nparams; /* of the statement's SQL */
	const char *val[PG_MAX_PARAMS];
	int len[PG_MAX_PARAMS];
	int fmt[PG_MAX_PARAMS];
	char num[PG_MAX_PARAMS][24]; /* integers, as text */
	PGresult *res;
	int row, nrows;
	int failed;
	char *adhoc; /* an ad hoc statement's SQL ($N), run unprepared */
} pg_stmt_t;

struct pg_conn {
	PGconn *pg;
	pg_stmt_t st[ST__COUNT];
	db_stmt_t *stp[ST__COUNT];
	unsigned char prepared[ST__COUNT];
	char sqlstate[6]; /* of the last statement that failed in this transaction */
	int busy;
};

typedef struct {
	struct store base;
	char *conninfo;
	pthread_mutex_t mu;
	pthread_cond_t cv; /* a connection came back, or the last one for close */
	pg_conn_t conns[PG_POOL];
	int busy;
	int stopping;
} pg_store_t;

#define PGST(s) ((pg_stmt_t *)(s))

static void pg_bind_int64(db_stmt_t *b, int i, int64_t v)
{
	pg_stmt_t *st = PGST(b);

	if (i < 1 || i > PG_MAX_PARAMS)
		return;
	snprintf(st->num[i - 1], sizeof(st->num[0]), "%lld", (long long)v);
	st->val[i - 1] = st->num[i - 1];
	st->len[i - 1] = 0;
	st->fmt[i - 1] = 0;
}

static void pg_bind_text(db_stmt_t *b, int i, const char *v)
{
	pg_stmt_t *st = PGST(b);

	if (i < 1 || i > PG_MAX_PARAMS)
		return;
	st->val[i - 1] = v;
	st->len[i - 1] = 0;
	st->fmt[i - 1] = 0;
}

static void pg_bind_blob(db_stmt_t *b, int i, const void *v, size_t n)
{
	pg_stmt_t *st = PGST(b);

	if (i < 1 || i > PG_MAX_PARAMS)
		return;
	/* binary format: the bytes as they are (a NULL pointer would be SQL NULL) */
	st->val[i - 1] = v != NULL ? (const char *)v : "";
	st->len[i - 1] = (int)n;
	st->fmt[i - 1] = 1;
}

static void pg_bind_null(db_stmt_t *b, int i)
{
	pg_stmt_t *st = PGST(b);

	if (i >= 1 && i <= PG_MAX_PARAMS)
		st->val[i - 1] = NULL;
}

/* SQL for PostgreSQL: ?N becomes $N; *nparams the highest N. */
static char *pg_sql(const char *q, int *nparams)
{
	char *sql = strdup(q);

	*nparams = 0;
	if (sql == NULL)
		return NULL;
	for (char *p = sql; *p; p++) {
		if (*p == '?' && p[1] >= '0' && p[1] <= '9') {
			int n = (int)strtol(p + 1, NULL, 10);
			*p = '$';
			if (n > *nparams)
				*nparams = n;
		}
	}
	return sql;
}

static void note_error(pg_conn_t *c, const PGresult *res)
{
	const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;

	snprintf(c->sqlstate, sizeof(c->sqlstate), "%s", state ? state : "08000");
}

static int prepare(pg_stmt_t *st)
{
	pg_conn_t *c = st->c;
	char name[16];
	char *sql;
	PGresult *res;
	int ok;

	if (c->prepared[st->id])
		return SESAME_OK;
	if ((sql = pg_sql(store_statements[st->id], &st->nparams)) == NULL)
		return SESAME_ERR_NOMEM;
	if (st->nparams > PG_MAX_PARAMS) {
		log_err("store: %s: more than %d parameters", store_statements[st->id],
			PG_MAX_PARAMS);
		free(sql);
		return SESAME_ERR_STORE;
	}
	snprintf(name, sizeof(name), "s%d", st->id);
	res = PQprepare(c->pg, name, sql, st->nparams, NULL);
	free(sql);
	ok = PQresultStatus(res) == PGRES_COMMAND_OK;
	if (!ok) {
		note_error(c, res);
		log_err("store: prepare %s: %s", store_statements[st->id],
			PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY)
			    ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY)
			    : PQerrorMessage(c->pg));
	}
	PQclear(res);
	if (!ok)
		return SESAME_ERR_STORE;
	c->prepared[st->id] = 1;
	return SESAME_OK;
}

static int pg_step(db_stmt_t *b)
{
	pg_stmt_t *st = PGST(b);
	char name[16];

	if (st->failed)
		return DB_ERROR;
	if (st->res != NULL) { /* the next row of the result */
		if (st->row + 1 < st->nrows) {
			st->row++;
			return DB_ROW;
		}
		st->row = st->nrows;
		return DB_DONE;
	}
	/* results in binary: integers and bytes as they are */
	if (st->adhoc != NULL) {
		st->res = PQexecParams(st->c->pg, st->adhoc, st->nparams, NULL, st->val, st->len,
				       st->fmt, 1);
	} else {
		if (prepare(st) != SESAME_OK) {
			st->failed = 1;
			return DB_ERROR;
		}
		snprintf(name, sizeof(name), "s%d", st->id);
		st->res =
		    PQexecPrepared(st->c->pg, name, st->nparams, st->val, st->len, st->fmt, 1);
	}
	switch (PQresultStatus(st->res)) {
	case PGRES_TUPLES_OK:
		st->nrows = PQntuples(st->res);
		st->row = 0;
		return st->nrows > 0 ? DB_ROW : DB_DONE;
	case PGRES_COMMAND_OK:
		st->nrows = st->row = 0;
		return DB_DONE;
	default:
		note_error(st->c, st->res);
		st->failed = 1;
		return DB_ERROR;
	}
}

static const char *stmt_sql(const pg_stmt_t *st)
{
	return st->adhoc ? st->adhoc : store_statements[st->id];
}

static int have_value(pg_stmt_t *st, int col)
{
	return st->res != NULL && st->row < st->nrows && col >= 0 && col < PQnfields(st->res) &&
	       !PQgetisnull(st->res, st->row, col);
}

static int64_t pg_col_int64(db_stmt_t *b, int col)
{
	pg_stmt_t *st = PGST(b);
	const unsigned char *v;
	uint64_t x = 0;
	int n;

	if (!have_value(st, col))
		return 0;
	v = (const unsigned char *)PQgetvalue(st->res, st->row, col);
	n = PQgetlength(st->res, st->row, col);
	/* int8, int4, int2 or bool: big-endian two's complement */
	if (n != 8 && n != 4 && n != 2 && n != 1) {
		log_err("store: %s: column %d is not an integer", stmt_sql(st), col);
		return 0;
	}
	for (int i = 0; i < n; i++)
		x = x << 8 | v[i];
	if (n < 8 && (v[0] & 0x80))
		x |= ~(uint64_t)0 << (8 * n);
	return (int64_t)x;
}

static const char *pg_col_text(db_stmt_t *b, int col, size_t *n)
{
	pg_stmt_t *st = PGST(b);

	*n = 0;
	if (!have_value(st, col))
		return NULL;
	*n = (size_t)PQgetlength(st->res, st->row, col);
	return PQgetvalue(st->res, st->row, col); /* libpq ends every value with a NUL */
}

static const unsigned char *pg_col_blob(db_stmt_t *b, int col, size_t *n)
{
	return (const unsigned char *)pg_col_text(b, col, n);
}

static int pg_changes(db_stmt_t *b)
{
	pg_stmt_t *st = PGST(b);
	const char *t = st->res ? PQcmdTuples(st->res) : "";

	return *t ? atoi(t) : 0;
}

static void pg_reset(db_stmt_t *b)
{
	pg_stmt_t *st = PGST(b);

	PQclear(st->res);
	st->res = NULL;
	st->row = st->nrows = 0;
	st->failed = 0;
	memset(st->val, 0, sizeof(st->val));
}

static const char *pg_error(db_stmt_t *b)
{
	static _Thread_local char msg[512];
	pg_stmt_t *st = PGST(b);
	/* the primary message only: a DETAIL can quote a key's value */
	const char *why = st->res ? PQresultErrorField(st->res, PG_DIAG_MESSAGE_PRIMARY) : NULL;

	snprintf(msg, sizeof(msg), "%s: %s (%s)", stmt_sql(st),
		 why ? why : PQerrorMessage(st->c->pg), st->c->sqlstate);
	return msg;
}

static int pg_col_count(db_stmt_t *b)
{
	return PGST(b)->res ? PQnfields(PGST(b)->res) : 0;
}

static const char *pg_col_name(db_stmt_t *b, int col)
{
	return PGST(b)->res ? PQfname(PGST(b)->res, col) : NULL;
}

/* type OIDs (pg_type.h, stable across versions) */
enum { PG_BOOL = 16, PG_BYTEA = 17, PG_INT8 = 20, PG_INT2 = 21, PG_INT4 = 23 };

static int pg_col_type(db_stmt_t *b, int col)
{
	pg_stmt_t *st = PGST(b);

	if (!have_value(st, col))
		return DB_NULL;
	switch (PQftype(st->res, col)) {
	case PG_BOOL:
	case PG_INT8:
	case PG_INT2:
	case PG_INT4:
		return DB_INT;
	case PG_BYTEA:
		return DB_BLOB;
	default:
		return DB_TEXT;
	}
}

static const struct db_ops pg_ops = {
    pg_bind_int64, pg_bind_text, pg_bind_blob, pg_bind_null, pg_step,
    pg_col_int64,  pg_col_text,	 pg_col_blob,  pg_changes,   pg_reset,
    pg_error,	   pg_col_count, pg_col_name,  pg_col_type,
};

/* Runs one command without parameters; SESAME_OK when it gave `expect`
 * as its command tag (NULL: any success). */
static int exec_cmd(pg_conn_t *c, const char *sql, const char *expect)
{
	PGresult *res = PQexec(c->pg, sql);
	ExecStatusType status = PQresultStatus(res);
	int ok = status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK;

	if (!ok) {
		note_error(c, res);
		log_err("store: %s: %s", sql,
			PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY)
			    ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY)
			    : PQerrorMessage(c->pg));
	} else if (expect != NULL && strcmp(PQcmdStatus(res), expect) != 0) {
		/* COMMIT of a transaction that failed answers ROLLBACK */
		log_err("store: %s answered %s", sql, PQcmdStatus(res));
		ok = 0;
	}
	PQclear(res);
	return ok ? SESAME_OK : SESAME_ERR_STORE;
}

static void conn_drop(pg_conn_t *c)
{
	for (int i = 0; i < ST__COUNT; i++)
		pg_reset(&c->st[i].base);
	PQfinish(c->pg);
	c->pg = NULL;
	memset(c->prepared, 0, sizeof(c->prepared));
}

/* A connection to the primary, with the store's session settings. */
static int conn_connect(pg_store_t *s, pg_conn_t *c)
{
	/* defaults first: what the administrator's string sets wins */
	const char *const keys[] = {"connect_timeout",
				    "fallback_application_name",
				    "keepalives_idle",
				    "keepalives_interval",
				    "keepalives_count",
				    "tcp_user_timeout",
				    "target_session_attrs",
				    "dbname",
				    NULL};
	const char *const vals[] = {"2",    "sesame-authd", "5",	 "2", "2",
				    "5000", "read-write",   s->conninfo, NULL};
	PGresult *res;

	if (c->pg != NULL && PQstatus(c->pg) == CONNECTION_OK)
		return SESAME_OK;
	if (c->pg != NULL)
		conn_drop(c);
	c->pg = PQconnectdbParams(keys, vals, 1);
	if (c->pg == NULL || PQstatus(c->pg) != CONNECTION_OK) {
		char why[256];
		snprintf(why, sizeof(why), "%s", c->pg ? PQerrorMessage(c->pg) : "out of memory");
		why[strcspn(why, "\n")] = '\0';
		log_err("store: cannot connect to PostgreSQL: %s", why);
		conn_drop(c);
		return SESAME_ERR_UNAVAILABLE;
	}
	/* the administrator's own statement_timeout (options=-c ...) is kept */
	res = PQexec(c->pg, "SELECT current_setting('statement_timeout') = '0'");
	int unset = PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1 &&
		    strcmp(PQgetvalue(res, 0, 0), "t") == 0;
	PQclear(res);
	if ((unset && exec_cmd(c, "SET statement_timeout = '" PG_STATEMENT_TIMEOUT "'", NULL) !=
			  SESAME_OK) ||
	    exec_cmd(c, "SET idle_in_transaction_session_timeout = '10s'", NULL) != SESAME_OK) {
		conn_drop(c);
		return SESAME_ERR_UNAVAILABLE;
	}
	return SESAME_OK;
}

static void conn_init(pg_conn_t *c)
{
	for (int i = 0; i < ST__COUNT; i++) {
		c->st[i].base.ops = &pg_ops;
		c->st[i].c = c;
		c->st[i].id = i;
		c->stp[i] = &c->st[i].base;
	}
}

static pg_conn_t *acquire(pg_store_t *s)
{
	struct timespec until;
	pg_conn_t *c = NULL;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += PG_POOL_WAIT_MS / 1000;
	pthread_mutex_lock(&s->mu);
	while (!s->stopping && s->busy == PG_POOL)
		if (pthread_cond_timedwait(&s->cv, &s->mu, &until) == ETIMEDOUT)
			break;
	if (!s->stopping && s->busy < PG_POOL) {
		/* a connected one first */
		for (int i = 0; i < PG_POOL && c == NULL; i++)
			if (!s->conns[i].busy && s->conns[i].pg != NULL)
				c = &s->conns[i];
		for (int i = 0; i < PG_POOL && c == NULL; i++)
			if (!s->conns[i].busy)
				c = &s->conns[i];
		c->busy = 1;
		s->busy++;
	}
	pthread_mutex_unlock(&s->mu);
	return c;
}

static void release(pg_store_t *s, pg_conn_t *c)
{
	pthread_mutex_lock(&s->mu);
	c->busy = 0;
	s->busy--;
	pthread_cond_broadcast(&s->cv);
	pthread_mutex_unlock(&s->mu);
}

/* A failure worth running the transaction again for: a serialization
 * failure or a deadlock, both decided by the server before anything was
 * kept. */
static int retryable(const pg_conn_t *c)
{
	return strcmp(c->sqlstate, "40001") == 0 || strcmp(c->sqlstate, "40P01") == 0;
}

/* After a failure: was it the connection (or the server going away)? */
static int conn_lost(pg_conn_t *c)
{
	if (c->pg == NULL || PQstatus(c->pg) != CONNECTION_OK)
		return 1;
	/* class 08: connection exception; 57P0x: the server shutting down */
	return strncmp(c->sqlstate, "08", 2) == 0 || strncmp(c->sqlstate, "57P0", 4) == 0;
}

static void backoff(int try)
{
	struct timespec ts = {0, (long)(rand() % (1 + try)) * 1000000L}; /* 0..try ms */
	nanosleep(&ts, NULL);
}

static int run_tx(pg_store_t *s, store_fn fn, void *arg, int readonly)
{
	pg_conn_t *c = acquire(s);
	int r = SESAME_ERR_UNAVAILABLE;

	if (c == NULL) {
		log_err("store: no PostgreSQL connection free within %d ms", PG_POOL_WAIT_MS);
		return SESAME_ERR_UNAVAILABLE;
	}
	for (int try = 0; try < PG_TRIES; try++) {
		store_tx_t tx = {c->stp, 0, readonly, c};
		int began = 0;

		/* a connection that broke since its last use gets one fresh try */
		if (conn_connect(s, c) != SESAME_OK) {
			r = SESAME_ERR_UNAVAILABLE;
			break;
		}
		c->sqlstate[0] = '\0';
		r = exec_cmd(c,
			     readonly ? "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"
				      : "BEGIN ISOLATION LEVEL SERIALIZABLE",
			     NULL);
		if (r == SESAME_OK) {
			began = 1;
			r = fn(&tx, arg);
			/* one round trip: the last command's answer is COMMIT's */
			if (r == SESAME_OK)
				r = exec_cmd(c,
					     readonly || tx.durable
						 ? "COMMIT"
						 : "SET LOCAL synchronous_commit = off; COMMIT",
					     "COMMIT");
			else if (!conn_lost(c))
				exec_cmd(c, "ROLLBACK", NULL);
		}
		if (r == SESAME_OK)
			break;
		if (conn_lost(c)) {
			/* unknown whether a COMMIT in flight was kept: an error
			 * either way, never a success */
			conn_drop(c);
			r = SESAME_ERR_UNAVAILABLE;
			if (try == 0 && !began)
				continue; /* broken before this transaction began */
			break;
		}
		if (!retryable(c))
			break;
		backoff(try);
	}
	if (r != SESAME_OK && retryable(c)) {
		log_err("store: transaction given up after %d serialization failures", PG_TRIES);
		r = SESAME_ERR_UNAVAILABLE;
	}
	release(s, c);
	return r;
}

static int pgs_run(store_t *base, store_fn fn, void *arg)
{
	return run_tx((pg_store_t *)base, fn, arg, 0);
}

static int pgs_read(store_t *base, store_fn fn, void *arg)
{
	return run_tx((pg_store_t *)base, fn, arg, 1);
}

static void pgs_close(store_t *base)
{
	pg_store_t *s = (pg_store_t *)base;

	pthread_mutex_lock(&s->mu);
	s->stopping = 1;
	pthread_cond_broadcast(&s->cv);
	while (s->busy)
		pthread_cond_wait(&s->cv, &s->mu);
	pthread_mutex_unlock(&s->mu);
	for (int i = 0; i < PG_POOL; i++)
		if (s->conns[i].pg != NULL)
			conn_drop(&s->conns[i]);
	pthread_cond_destroy(&s->cv);
	pthread_mutex_destroy(&s->mu);
	free(s->conninfo);
	free(s);
}

static int pgs_prepare(store_tx_t *tx, const char *sql, db_stmt_t **out)
{
	pg_stmt_t *st = calloc(1, sizeof(*st));

	*out = NULL;
	if (st == NULL || (st->adhoc = pg_sql(sql, &st->nparams)) == NULL) {
		free(st);
		return SESAME_ERR_NOMEM;
	}
	if (st->nparams > PG_MAX_PARAMS) {
		free(st->adhoc);
		free(st);
		return SESAME_ERR_INVALID_ARGUMENT;
	}
	st->base.ops = &pg_ops;
	st->c = tx->conn;
	st->id = -1;
	*out = &st->base;
	return SESAME_OK;
}

static void pgs_finalize(db_stmt_t *b)
{
	pg_stmt_t *st = PGST(b);

	if (st != NULL) {
		pg_reset(b);
		free(st->adhoc);
		free(st);
	}
}

static const struct store_backend pg_backend = {pgs_run,     pgs_read,	   pgs_close,
						pgs_prepare, pgs_finalize, 1};

int store_pg_open(const char *conninfo, store_t **out)
{
	pg_store_t *s = calloc(1, sizeof(*s));
	int r;

	*out = NULL;
	if (s == NULL || (s->conninfo = strdup(conninfo)) == NULL) {
		free(s);
		return SESAME_ERR_NOMEM;
	}
	s->base.be = &pg_backend;
	pthread_mutex_init(&s->mu, NULL);
	pthread_cond_init(&s->cv, NULL);
	for (int i = 0; i < PG_POOL; i++)
		conn_init(&s->conns[i]);
	/* the first connection: reachable, and the schema current */
	if ((r = conn_connect(s, &s->conns[0])) != SESAME_OK ||
	    (r = store_pg_migrate(s->conns[0].pg)) != SESAME_OK) {
		pgs_close(&s->base);
		return r == SESAME_ERR_UNAVAILABLE ? SESAME_ERR_UNAVAILABLE : SESAME_ERR_STORE;
	}
	*out = &s->base;
	return SESAME_OK;
}
