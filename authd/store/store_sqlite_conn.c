/* SQLite backend of the store: WAL mode; the transactions of concurrent
 * callers are grouped into one commit (leader/follower group commit: the
 * first caller to find the connection free runs everything queued, the
 * others wait), and a commit is fsynced only when one of its transactions
 * asked for it. SQLite's own automatic checkpoint (every 1000 WAL pages,
 * at a commit) keeps the WAL small; a separate checkpointing connection
 * was tried and lost to lock contention while the WAL grew. */
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_sqlite.h"

/* A statement of the SQLite backend behind the store's interface. */
typedef struct {
	db_stmt_t base;
	sqlite3_stmt *st;
} sq_stmt_t;

#define SQ(s) (((sq_stmt_t *)(s))->st)

static void sq_bind_int64(db_stmt_t *st, int i, int64_t v)
{
	sqlite3_bind_int64(SQ(st), i, v);
}

static void sq_bind_text(db_stmt_t *st, int i, const char *v)
{
	sqlite3_bind_text(SQ(st), i, v, -1, SQLITE_STATIC);
}

static void sq_bind_blob(db_stmt_t *st, int i, const void *v, size_t n)
{
	sqlite3_bind_blob(SQ(st), i, v, (int)n, SQLITE_STATIC);
}

static void sq_bind_null(db_stmt_t *st, int i)
{
	sqlite3_bind_null(SQ(st), i);
}

static int sq_step(db_stmt_t *st)
{
	int rc = sqlite3_step(SQ(st));
	return rc == SQLITE_ROW ? DB_ROW : rc == SQLITE_DONE ? DB_DONE : DB_ERROR;
}

static int64_t sq_col_int64(db_stmt_t *st, int col)
{
	return sqlite3_column_int64(SQ(st), col);
}

static const char *sq_col_text(db_stmt_t *st, int col, size_t *n)
{
	const char *t = (const char *)sqlite3_column_text(SQ(st), col);
	*n = t ? (size_t)sqlite3_column_bytes(SQ(st), col) : 0;
	return t;
}

static const unsigned char *sq_col_blob(db_stmt_t *st, int col, size_t *n)
{
	const unsigned char *b = sqlite3_column_blob(SQ(st), col);
	*n = (size_t)sqlite3_column_bytes(SQ(st), col);
	return b;
}

static int sq_changes(db_stmt_t *st)
{
	return sqlite3_changes(sqlite3_db_handle(SQ(st)));
}

static void sq_reset(db_stmt_t *st)
{
	sqlite3_reset(SQ(st));
	sqlite3_clear_bindings(SQ(st));
}

static const char *sq_error(db_stmt_t *st)
{
	static _Thread_local char msg[512];

	snprintf(msg, sizeof(msg), "%s: %s", sqlite3_sql(SQ(st)),
		 sqlite3_errmsg(sqlite3_db_handle(SQ(st))));
	return msg;
}

static int sq_col_count(db_stmt_t *st)
{
	return sqlite3_column_count(SQ(st));
}

static const char *sq_col_name(db_stmt_t *st, int col)
{
	return sqlite3_column_name(SQ(st), col);
}

static int sq_col_type(db_stmt_t *st, int col)
{
	switch (sqlite3_column_type(SQ(st), col)) {
	case SQLITE_INTEGER:
		return DB_INT;
	case SQLITE_TEXT:
		return DB_TEXT;
	case SQLITE_BLOB:
		return DB_BLOB;
	default: /* NULL, and REAL, which the store never writes */
		return DB_NULL;
	}
}

static const struct db_ops sq_ops = {
    sq_bind_int64, sq_bind_text, sq_bind_blob, sq_bind_null, sq_step,
    sq_col_int64,  sq_col_text,	 sq_col_blob,  sq_changes,   sq_reset,
    sq_error,	   sq_col_count, sq_col_name,  sq_col_type,
};

typedef struct {
	sqlite3 *db;
	sq_stmt_t st[ST__COUNT];
	db_stmt_t *stp[ST__COUNT]; /* the transactions' view of st */
	int busy;		   /* a reader in use */
} store_conn_t;

#define STORE_BUSY_TIMEOUT_MS 5000
#define STORE_WAL_RETRY_MS 10

struct store_op {
	store_fn fn;
	void *arg;
	int result;
	int done;
	pthread_cond_t cv; /* its caller waits here: no thundering herd */
	struct store_op *next;
};

#define STORE_READERS 4 /* read-only connections */

typedef struct {
	struct store base;
	store_conn_t writer;
	store_conn_t readers[STORE_READERS];
	int readers_busy;
	pthread_cond_t cv_reader; /* a reader became free */
	pthread_mutex_t mu;
	pthread_cond_t cv_done; /* a batch finished (for store_close) */
	struct store_op *head, *tail;
	int leader; /* a caller is running a batch on db */
	int stopping;
} sq_store_t;

static int sync_wal(sq_store_t *s)
{
	sqlite3_file *wal = NULL;

	if (sqlite3_file_control(s->writer.db, "main", SQLITE_FCNTL_JOURNAL_POINTER, &wal) !=
		SQLITE_OK ||
	    wal == NULL || wal->pMethods == NULL ||
	    wal->pMethods->xSync(wal, SQLITE_SYNC_NORMAL) != SQLITE_OK) {
		log_err("store: cannot sync the write-ahead log");
		return SESAME_ERR_STORE;
	}
	return SESAME_OK;
}

/* A transaction of its own when it runs alone (most of the time): a
 * failed one rolls back the whole transaction. In a group each runs under
 * a savepoint, so that one failing does not undo the others. */
static void run_alone(sq_store_t *s, struct store_op *op)
{
	store_conn_t *w = &s->writer;
	store_tx_t tx = {w->stp, 0, 0, w};

	if (step_done(w->stp[ST_BEGIN]) != SESAME_OK) {
		op->result = SESAME_ERR_STORE;
		return;
	}
	op->result = op->fn(&tx, op->arg);
	if (op->result != SESAME_OK) {
		step_done(w->stp[ST_ROLLBACK]);
		return;
	}
	if (step_done(w->stp[ST_COMMIT]) != SESAME_OK || (tx.durable && sync_wal(s) != SESAME_OK)) {
		if (!sqlite3_get_autocommit(w->db))
			step_done(w->stp[ST_ROLLBACK]);
		op->result = SESAME_ERR_STORE;
	}
}

static void run_batch(sq_store_t *s, struct store_op *batch)
{
	store_conn_t *w = &s->writer;
	store_tx_t tx = {w->stp, 0, 0, w};
	int failed = 0;

	if (batch->next == NULL) {
		run_alone(s, batch);
		return;
	}
	if (step_done(w->stp[ST_BEGIN]) != SESAME_OK) {
		for (struct store_op *op = batch; op; op = op->next)
			op->result = SESAME_ERR_STORE;
		return;
	}
	for (struct store_op *op = batch; op; op = op->next) {
		if (step_done(w->stp[ST_SAVEPOINT]) != SESAME_OK) {
			op->result = SESAME_ERR_STORE;
			continue;
		}
		int was_durable = tx.durable;
		op->result = op->fn(&tx, op->arg);
		if (op->result != SESAME_OK) {
			tx.durable = was_durable;
			if (step_done(w->stp[ST_ROLLBACK_TO]) != SESAME_OK)
				failed = 1;
		}
		if (step_done(w->stp[ST_RELEASE]) != SESAME_OK)
			failed = 1;
	}
	if (!failed && step_done(w->stp[ST_COMMIT]) != SESAME_OK)
		failed = 1;
	/* synchronous=NORMAL commits survive a crash of the daemon; a batch
	 * that holds a durable transaction also survives a power loss: its
	 * WAL frames are synced here, once for the whole group. */
	if (!failed && tx.durable && sync_wal(s) != SESAME_OK)
		failed = 1;
	if (failed) {
		if (!sqlite3_get_autocommit(w->db))
			step_done(w->stp[ST_ROLLBACK]);
		for (struct store_op *op = batch; op; op = op->next)
			if (op->result == SESAME_OK)
				op->result = SESAME_ERR_STORE;
	}
}

static int sq_run(store_t *base, store_fn fn, void *arg)
{
	sq_store_t *s = (sq_store_t *)base;
	struct store_op op = {fn, arg, SESAME_ERR_STORE, 0, PTHREAD_COND_INITIALIZER, NULL};

	pthread_mutex_lock(&s->mu);
	if (s->stopping) {
		pthread_mutex_unlock(&s->mu);
		return SESAME_ERR_UNAVAILABLE;
	}
	if (s->tail)
		s->tail->next = &op;
	else
		s->head = &op;
	s->tail = &op;
	while (!op.done) {
		if (s->leader) {
			pthread_cond_wait(&op.cv, &s->mu);
			continue;
		}
		/* Lead: run everything queued (our op included) as one commit. */
		struct store_op *batch = s->head;
		s->head = s->tail = NULL;
		s->leader = 1;
		pthread_mutex_unlock(&s->mu);
		run_batch(s, batch);
		pthread_mutex_lock(&s->mu);
		for (struct store_op *o = batch, *next; o; o = next) {
			next = o->next; /* o may be gone once done is seen */
			o->done = 1;
			if (o != &op)
				pthread_cond_signal(&o->cv);
		}
		s->leader = 0;
		/* what queued up meanwhile: its first caller leads the next batch */
		if (s->head)
			pthread_cond_signal(&s->head->cv);
		pthread_cond_broadcast(&s->cv_done);
	}
	pthread_mutex_unlock(&s->mu);
	pthread_cond_destroy(&op.cv);
	return op.result;
}

static int sq_read(store_t *base, store_fn fn, void *arg)
{
	sq_store_t *s = (sq_store_t *)base;
	store_conn_t *c = NULL;
	store_tx_t tx = {NULL, 0, 1, NULL};
	int on_writer = 0;
	int r;

	pthread_mutex_lock(&s->mu);
	/* An idle writer connection serves the read: its page cache is warm,
	 * while a reader's is invalidated by every write. Under load the
	 * readers take the reads, concurrently with the batch in flight. */
	if (!s->stopping && !s->leader && s->head == NULL) {
		s->leader = 1;
		c = &s->writer;
		on_writer = 1;
	}
	while (c == NULL && !s->stopping && s->readers_busy == STORE_READERS)
		pthread_cond_wait(&s->cv_reader, &s->mu);
	if (s->stopping && !on_writer) {
		pthread_mutex_unlock(&s->mu);
		return SESAME_ERR_UNAVAILABLE;
	}
	for (int i = 0; c == NULL; i++)
		if (!s->readers[i].busy)
			c = &s->readers[i];
	if (!on_writer) {
		c->busy = 1;
		s->readers_busy++;
	}
	pthread_mutex_unlock(&s->mu);

	tx.st = c->stp;
	tx.conn = c;
	if ((r = step_done(c->stp[ST_BEGIN_READ])) == SESAME_OK) {
		r = fn(&tx, arg);
		/* a read transaction has nothing to keep: always end it */
		if (step_done(c->stp[ST_ROLLBACK]) != SESAME_OK && r == SESAME_OK)
			r = SESAME_ERR_STORE;
	}

	pthread_mutex_lock(&s->mu);
	if (on_writer) {
		s->leader = 0;
		if (s->head) /* writes queued meanwhile: their first caller leads */
			pthread_cond_signal(&s->head->cv);
		pthread_cond_broadcast(&s->cv_done);
	} else {
		c->busy = 0;
		s->readers_busy--;
		pthread_cond_broadcast(&s->cv_reader); /* a waiting reader, or store_close */
	}
	pthread_mutex_unlock(&s->mu);
	return r;
}

/* Puts the database in WAL mode. Changing the journal mode takes the
 * database's exclusive lock and, unlike a statement, does not wait for it
 * (no busy handler): a daemon started together with another on a new
 * file retries, within the busy timeout. */
static int set_wal(sqlite3 *db)
{
	for (int waited = 0;; waited += STORE_WAL_RETRY_MS) {
		sqlite3_stmt *st = NULL;
		int rc = sqlite3_prepare_v2(db, "PRAGMA journal_mode=WAL", -1, &st, NULL);
		int wal = 0;

		if (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
			const unsigned char *mode = sqlite3_column_text(st, 0);
			wal = mode != NULL && strcmp((const char *)mode, "wal") == 0;
		}
		sqlite3_finalize(st);
		if (wal)
			return SESAME_OK;
		/* refused (BUSY), or left in the old mode: another holds the lock */
		if ((rc != SQLITE_BUSY && rc != SQLITE_ROW) || waited >= STORE_BUSY_TIMEOUT_MS) {
			log_err("store: cannot set WAL mode: %s",
				rc == SQLITE_ROW ? "still locked" : sqlite3_errmsg(db));
			return SESAME_ERR_STORE;
		}
		sqlite3_sleep(STORE_WAL_RETRY_MS);
	}
}

/* Opens one connection and prepares every statement on it. */
static int conn_open(const char *path, store_conn_t *c, int readonly)
{
	int flags =
	    SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | (readonly ? 0 : SQLITE_OPEN_CREATE);

	if (sqlite3_open_v2(path, &c->db, flags, NULL) != SQLITE_OK) {
		log_err("store: cannot open %s: %s", path,
			c->db ? sqlite3_errmsg(c->db) : "out of memory");
		return SESAME_ERR_STORE;
	}
	sqlite3_busy_timeout(c->db, STORE_BUSY_TIMEOUT_MS);
	if (readonly) {
		/* the store's promise to read-only callers, enforced by SQLite */
		if (exec_sql(c->db, "PRAGMA query_only=ON") != SESAME_OK)
			return SESAME_ERR_STORE;
	} else if (set_wal(c->db) != SESAME_OK ||
		   exec_sql(c->db, "PRAGMA foreign_keys=ON") != SESAME_OK ||
		   exec_sql(c->db, "PRAGMA secure_delete=ON") != SESAME_OK ||
		   exec_sql(c->db, "PRAGMA synchronous=NORMAL") != SESAME_OK ||
		   /* the WAL is reused after each checkpoint; keep its file small */
		   exec_sql(c->db, "PRAGMA journal_size_limit=8388608") != SESAME_OK ||
		   store_sqlite_migrate(c->db) != SESAME_OK) {
		return SESAME_ERR_STORE;
	}
	for (int i = 0; i < ST__COUNT; i++) {
		c->st[i].base.ops = &sq_ops;
		c->stp[i] = &c->st[i].base;
		if (sqlite3_prepare_v3(c->db, store_statements[i], -1, SQLITE_PREPARE_PERSISTENT,
				       &c->st[i].st, NULL) != SQLITE_OK) {
			log_err("store: prepare %s: %s", store_statements[i],
				sqlite3_errmsg(c->db));
			return SESAME_ERR_STORE;
		}
	}
	return SESAME_OK;
}

static void conn_close(store_conn_t *c)
{
	for (int i = 0; i < ST__COUNT; i++)
		sqlite3_finalize(c->st[i].st);
	if (c->db)
		sqlite3_close(c->db);
	memset(c, 0, sizeof(*c));
}

static int sq_prepare(store_tx_t *tx, const char *sql, db_stmt_t **out)
{
	store_conn_t *c = tx->conn;
	sq_stmt_t *st = calloc(1, sizeof(*st));

	*out = NULL;
	if (st == NULL)
		return SESAME_ERR_NOMEM;
	st->base.ops = &sq_ops;
	if (sqlite3_prepare_v2(c->db, sql, -1, &st->st, NULL) != SQLITE_OK) {
		log_err("store: prepare %s: %s", sql, sqlite3_errmsg(c->db));
		free(st);
		return SESAME_ERR_STORE;
	}
	*out = &st->base;
	return SESAME_OK;
}

static void sq_finalize(db_stmt_t *st)
{
	if (st != NULL) {
		sqlite3_finalize(SQ(st));
		free(st);
	}
}

static void sq_close(store_t *base);
static const struct store_backend sq_backend = {sq_run,	    sq_read,	 sq_close,
						sq_prepare, sq_finalize, 0};

int store_sqlite_open(const char *path, store_t **out)
{
	sq_store_t *s;
	int ok = SESAME_ERR_STORE;

	*out = NULL;
	if ((s = calloc(1, sizeof(*s))) == NULL)
		return SESAME_ERR_NOMEM;
	s->base.be = &sq_backend;
	pthread_mutex_init(&s->mu, NULL);
	pthread_cond_init(&s->cv_done, NULL);
	pthread_cond_init(&s->cv_reader, NULL);
	/* the writer first: it creates the file and migrates the schema */
	if (conn_open(path, &s->writer, 0) != SESAME_OK)
		goto fail;
	for (int i = 0; i < STORE_READERS; i++)
		if (conn_open(path, &s->readers[i], 1) != SESAME_OK)
			goto fail;
	*out = &s->base;
	return SESAME_OK;
fail:
	sq_close(&s->base);
	return ok;
}

static void sq_close(store_t *base)
{
	sq_store_t *s = (sq_store_t *)base;

	/* refuse new work and wait for what is in flight */
	pthread_mutex_lock(&s->mu);
	s->stopping = 1;
	pthread_cond_broadcast(&s->cv_reader);
	while (s->leader || s->head || s->readers_busy)
		pthread_cond_wait(s->readers_busy ? &s->cv_reader : &s->cv_done, &s->mu);
	pthread_mutex_unlock(&s->mu);
	for (int i = 0; i < STORE_READERS; i++)
		conn_close(&s->readers[i]);
	conn_close(&s->writer);
	pthread_cond_destroy(&s->cv_reader);
	pthread_cond_destroy(&s->cv_done);
	pthread_mutex_destroy(&s->mu);
	free(s);
}
