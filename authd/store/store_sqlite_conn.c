/* SQLite backend of the store: WAL mode; the transactions of concurrent
 * callers are grouped into one commit (leader/follower group commit: the
 * first caller to find the connection free runs everything queued, the
 * others wait), and a commit is fsynced only when one of its transactions
 * asked for it. SQLite's own automatic checkpoint (every 1000 WAL pages,
 * at a commit) keeps the WAL small; a separate checkpointing connection
 * was tried and lost to lock contention while the WAL grew. */
#include <pthread.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "store_sqlite_int.h"

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

struct store {
	store_conn_t writer;
	store_conn_t readers[STORE_READERS];
	int readers_busy;
	pthread_cond_t cv_reader; /* a reader became free */
	pthread_mutex_t mu;
	pthread_cond_t cv_done; /* a batch finished (for store_close) */
	struct store_op *head, *tail;
	int leader; /* a caller is running a batch on db */
	int stopping;
};

static int sync_wal(store_t *s)
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
static void run_alone(store_t *s, struct store_op *op)
{
	store_conn_t *w = &s->writer;
	store_tx_t tx = {w, 0, 0};

	if (step_done(w->st[ST_BEGIN]) != SESAME_OK) {
		op->result = SESAME_ERR_STORE;
		return;
	}
	op->result = op->fn(&tx, op->arg);
	if (op->result != SESAME_OK) {
		step_done(w->st[ST_ROLLBACK]);
		return;
	}
	if (step_done(w->st[ST_COMMIT]) != SESAME_OK || (tx.durable && sync_wal(s) != SESAME_OK)) {
		if (!sqlite3_get_autocommit(w->db))
			step_done(w->st[ST_ROLLBACK]);
		op->result = SESAME_ERR_STORE;
	}
}

static void run_batch(store_t *s, struct store_op *batch)
{
	store_conn_t *w = &s->writer;
	store_tx_t tx = {w, 0, 0};
	int failed = 0;

	if (batch->next == NULL) {
		run_alone(s, batch);
		return;
	}
	if (step_done(w->st[ST_BEGIN]) != SESAME_OK) {
		for (struct store_op *op = batch; op; op = op->next)
			op->result = SESAME_ERR_STORE;
		return;
	}
	for (struct store_op *op = batch; op; op = op->next) {
		if (step_done(w->st[ST_SAVEPOINT]) != SESAME_OK) {
			op->result = SESAME_ERR_STORE;
			continue;
		}
		int was_durable = tx.durable;
		op->result = op->fn(&tx, op->arg);
		if (op->result != SESAME_OK) {
			tx.durable = was_durable;
			if (step_done(w->st[ST_ROLLBACK_TO]) != SESAME_OK)
				failed = 1;
		}
		if (step_done(w->st[ST_RELEASE]) != SESAME_OK)
			failed = 1;
	}
	if (!failed && step_done(w->st[ST_COMMIT]) != SESAME_OK)
		failed = 1;
	/* synchronous=NORMAL commits survive a crash of the daemon; a batch
	 * that holds a durable transaction also survives a power loss: its
	 * WAL frames are synced here, once for the whole group. */
	if (!failed && tx.durable && sync_wal(s) != SESAME_OK)
		failed = 1;
	if (failed) {
		if (!sqlite3_get_autocommit(w->db))
			step_done(w->st[ST_ROLLBACK]);
		for (struct store_op *op = batch; op; op = op->next)
			if (op->result == SESAME_OK)
				op->result = SESAME_ERR_STORE;
	}
}

int store_run(store_t *s, store_fn fn, void *arg)
{
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

int store_read(store_t *s, store_fn fn, void *arg)
{
	store_conn_t *c = NULL;
	store_tx_t tx = {NULL, 0, 1};
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

	tx.c = c;
	if ((r = step_done(c->st[ST_BEGIN_READ])) == SESAME_OK) {
		r = fn(&tx, arg);
		/* a read transaction has nothing to keep: always end it */
		if (step_done(c->st[ST_ROLLBACK]) != SESAME_OK && r == SESAME_OK)
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

int store_tx_readonly(const store_tx_t *tx)
{
	return tx->readonly;
}

void store_tx_durable(store_tx_t *tx)
{
	tx->durable = 1;
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
		if (sqlite3_prepare_v3(c->db, store_sqlite_statements[i], -1,
				       SQLITE_PREPARE_PERSISTENT, &c->st[i], NULL) != SQLITE_OK) {
			log_err("store: prepare %s: %s", store_sqlite_statements[i],
				sqlite3_errmsg(c->db));
			return SESAME_ERR_STORE;
		}
	}
	return SESAME_OK;
}

static void conn_close(store_conn_t *c)
{
	for (int i = 0; i < ST__COUNT; i++)
		sqlite3_finalize(c->st[i]);
	if (c->db)
		sqlite3_close(c->db);
	memset(c, 0, sizeof(*c));
}

int store_open(const char *path, store_t **out)
{
	store_t *s;
	int ok = SESAME_ERR_STORE;

	*out = NULL;
	if ((s = calloc(1, sizeof(*s))) == NULL)
		return SESAME_ERR_NOMEM;
	pthread_mutex_init(&s->mu, NULL);
	pthread_cond_init(&s->cv_done, NULL);
	pthread_cond_init(&s->cv_reader, NULL);
	/* the writer first: it creates the file and migrates the schema */
	if (conn_open(path, &s->writer, 0) != SESAME_OK)
		goto fail;
	for (int i = 0; i < STORE_READERS; i++)
		if (conn_open(path, &s->readers[i], 1) != SESAME_OK)
			goto fail;
	*out = s;
	s = NULL;
	ok = SESAME_OK;
fail:
	store_close(&s);
	return ok;
}

void store_close(store_t **sp)
{
	store_t *s;

	if (sp == NULL || (s = *sp) == NULL)
		return;
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
	*sp = NULL;
}
