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

#include "sesame/error.h"
#include "sesame/log.h"
#include "store.h"

#define STORE_SCHEMA_VERSION 6
#define STORE_BUSY_TIMEOUT_MS 5000

static const char *const schema_v1 =
    "CREATE TABLE users ("
    " id INTEGER PRIMARY KEY,"
    " name TEXT NOT NULL UNIQUE,"
    " created INTEGER NOT NULL,"
    " failures INTEGER NOT NULL DEFAULT 0,"
    " last_failure INTEGER NOT NULL DEFAULT 0,"
    " locked_until INTEGER NOT NULL DEFAULT 0,"
    " last_success INTEGER NOT NULL DEFAULT 0);"
    "CREATE TABLE totp ("
    " id INTEGER PRIMARY KEY AUTOINCREMENT," /* ids are never reused */
    " user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
    " name TEXT NOT NULL,"
    " algorithm INTEGER NOT NULL,"
    " digits INTEGER NOT NULL,"
    " period INTEGER NOT NULL,"
    " seed BLOB NOT NULL," /* sealed, see authd/seal.h */
    " confirmed INTEGER NOT NULL DEFAULT 0,"
    " created INTEGER NOT NULL,"
    " last_used INTEGER NOT NULL DEFAULT 0,"
    " last_step INTEGER NOT NULL DEFAULT -1);"
    "CREATE INDEX totp_user ON totp(user_id);"
    "CREATE TABLE audit ("
    " id INTEGER PRIMARY KEY,"
    " time INTEGER NOT NULL,"
    " user TEXT NOT NULL,"
    " service TEXT NOT NULL,"
    " rhost TEXT NOT NULL,"
    " factor TEXT NOT NULL,"
    " result TEXT NOT NULL,"
    " reason TEXT NOT NULL);"
    "CREATE INDEX audit_user ON audit(user, id);";

/* v2: user accounts. Added columns keep every existing row; a user made by
 * an enrollment before v2 has no password and is enabled. */
static const char *const schema_v2 =
    "ALTER TABLE users ADD COLUMN real_name TEXT NOT NULL DEFAULT '';"
    "ALTER TABLE users ADD COLUMN password_hash TEXT;" /* NULL: no password */
    "ALTER TABLE users ADD COLUMN password_changed INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE users ADD COLUMN disabled INTEGER NOT NULL DEFAULT 0;";

/* v3: web sessions. Only the SHA-256 of the cookie is kept; the CSRF
 * token is the session's own random value. */
static const char *const schema_v3 =
    "CREATE TABLE sessions ("
    " id_hash BLOB PRIMARY KEY,"
    " user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
    " created INTEGER NOT NULL,"
    " last_seen INTEGER NOT NULL,"
    " expires INTEGER NOT NULL,"
    " stage TEXT NOT NULL," /* "password" after the password, "done" after the second factor */
    " csrf BLOB NOT NULL);"
    "CREATE INDEX sessions_user ON sessions(user_id);"
    "CREATE INDEX sessions_expires ON sessions(expires);";

/* v4: passkeys. A credential id is registered once, whoever owns it;
 * challenges are kept as SHA-256 only, bound to a session (or the
 * pre-session cookie of a passkey sign-in) and consumed once. The user
 * handle (WebAuthn user.id) is random, made at the first passkey. */
static const char *const schema_v4 =
    "CREATE TABLE webauthn_credentials ("
    " id INTEGER PRIMARY KEY AUTOINCREMENT,"
    " user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
    " credential_id BLOB NOT NULL UNIQUE,"
    " public_key BLOB NOT NULL," /* the COSE_Key as received */
    " alg INTEGER NOT NULL,"
    " sign_count INTEGER NOT NULL,"
    " aaguid BLOB,"
    " backup_eligible INTEGER,"
    " backup_state INTEGER,"
    " attestation TEXT," /* "fmt/type", e.g. "packed/basic-trusted" */
    " transports TEXT,"	 /* as the browser reported them, comma-separated */
    " name TEXT NOT NULL,"
    " created INTEGER,"
    " last_used INTEGER);"
    "CREATE INDEX webauthn_credentials_user ON webauthn_credentials(user_id);"
    "CREATE TABLE webauthn_challenges ("
    " challenge_hash BLOB PRIMARY KEY,"
    " purpose TEXT NOT NULL,"
    " session_hash BLOB,"
    " user_id INTEGER,"
    " expires INTEGER NOT NULL);"
    "CREATE INDEX webauthn_challenges_expires ON webauthn_challenges(expires);"
    "ALTER TABLE users ADD COLUMN webauthn_handle BLOB;"
    "CREATE UNIQUE INDEX users_webauthn_handle ON users(webauthn_handle);";

/* v5: enrollment invitations. Only the SHA-256 of the link's token is
 * kept; a row is deleted when the link is used (single use) and at most
 * one is live per user. */
static const char *const schema_v5 =
    "CREATE TABLE invitations ("
    " token_hash BLOB PRIMARY KEY,"
    " user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
    " created INTEGER NOT NULL,"
    " expires INTEGER NOT NULL);"
    "CREATE INDEX invitations_user ON invitations(user_id);";

/* v6: failures per source (a client address, authd/source.c), against
 * password spraying across accounts. */
static const char *const schema_v6 = "CREATE TABLE sources ("
				     " source TEXT PRIMARY KEY,"
				     " failures INTEGER NOT NULL,"
				     " last_failure INTEGER NOT NULL,"
				     " locked_until INTEGER NOT NULL);";

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
	ST__COUNT
};

static const char *const statements[ST__COUNT] = {
    [ST_BEGIN] = "BEGIN IMMEDIATE",
    [ST_BEGIN_READ] = "BEGIN",
    [ST_COMMIT] = "COMMIT",
    [ST_ROLLBACK] = "ROLLBACK",
    [ST_SAVEPOINT] = "SAVEPOINT op",
    [ST_ROLLBACK_TO] = "ROLLBACK TO op",
    [ST_RELEASE] = "RELEASE op",
    [ST_USER_GET] = "SELECT id, name, created, failures, last_failure, locked_until, last_success,"
		    " real_name, password_hash IS NOT NULL, password_changed, disabled"
		    " FROM users WHERE name = ?1",
    [ST_USER_INSERT] = "INSERT INTO users (name, created) VALUES (?1, ?2)",
    [ST_USER_THROTTLE] = "UPDATE users SET failures = ?2, last_failure = ?3, locked_until = ?4"
			 " WHERE id = ?1",
    [ST_USER_SUCCESS] = "UPDATE users SET failures = 0, locked_until = 0, last_success = ?2"
			" WHERE id = ?1",
    [ST_USER_ADD] = "INSERT INTO users (name, created, real_name) VALUES (?1, ?2, ?3)",
    [ST_USER_PASSWORD] = "UPDATE users SET password_hash = ?2, password_changed = ?3 WHERE id = ?1",
    [ST_USER_PASSWORD_GET] = "SELECT password_hash FROM users WHERE id = ?1",
    [ST_USER_DISABLED] = "UPDATE users SET disabled = ?2 WHERE id = ?1",
    [ST_USER_REAL_NAME] = "UPDATE users SET real_name = ?2 WHERE id = ?1",
    [ST_TOTP_LIST] = "SELECT id, user_id, name, algorithm, digits, period, confirmed, created,"
		     " last_used, last_step, seed FROM totp WHERE user_id = ?1 ORDER BY id",
    [ST_TOTP_INSERT] = "INSERT INTO totp (user_id, name, algorithm, digits, period, seed,"
		       " confirmed, created) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    [ST_TOTP_DELETE_PENDING] = "DELETE FROM totp WHERE user_id = ?1 AND confirmed = 0",
    [ST_TOTP_DELETE] = "DELETE FROM totp WHERE user_id = ?1 AND id = ?2",
    [ST_TOTP_RENAME] = "UPDATE totp SET name = ?3 WHERE user_id = ?1 AND id = ?2",
    [ST_TOTP_CONFIRM] = "UPDATE totp SET confirmed = 1, last_step = ?2, last_used = ?3"
			" WHERE id = ?1 AND confirmed = 0",
    [ST_TOTP_CONSUME] = "UPDATE totp SET last_step = ?2, last_used = ?3"
			" WHERE id = ?1 AND confirmed = 1 AND last_step < ?2",
    [ST_AUDIT_INSERT] = "INSERT INTO audit (time, user, service, rhost, factor, result, reason)"
			" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    [ST_AUDIT_LIST] = "SELECT id, time, user, service, rhost, factor, result, reason"
		      " FROM audit ORDER BY id DESC LIMIT ?1",
    [ST_AUDIT_LIST_USER] = "SELECT id, time, user, service, rhost, factor, result, reason"
			   " FROM audit WHERE user = ?2 ORDER BY id DESC LIMIT ?1",
    [ST_SESSION_INSERT] = "INSERT INTO sessions (id_hash, user_id, created, last_seen, expires,"
			  " stage, csrf) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    [ST_SESSION_GET] = "SELECT s.user_id, u.name, u.disabled, s.created, s.last_seen, s.expires,"
		       " s.stage, s.csrf FROM sessions s JOIN users u ON u.id = s.user_id"
		       " WHERE s.id_hash = ?1",
    [ST_SESSION_TOUCH] = "UPDATE sessions SET last_seen = ?2 WHERE id_hash = ?1",
    [ST_SESSION_DELETE] = "DELETE FROM sessions WHERE id_hash = ?1",
    [ST_SESSION_PURGE] = "DELETE FROM sessions WHERE expires < ?1",
    [ST_SESSION_DELETE_USER] = "DELETE FROM sessions WHERE user_id = ?1",
    [ST_USER_BY_ID] = "SELECT name FROM users WHERE id = ?1",
    [ST_USER_HANDLE_GET] = "SELECT webauthn_handle FROM users WHERE id = ?1",
    [ST_USER_HANDLE_SET] = "UPDATE users SET webauthn_handle = ?2"
			   " WHERE id = ?1 AND webauthn_handle IS NULL",
    [ST_USER_BY_HANDLE] = "SELECT id FROM users WHERE webauthn_handle = ?1",
#define WA_COLUMNS                                                                                 \
	"id, user_id, credential_id, public_key, alg, sign_count, aaguid, backup_eligible,"        \
	" backup_state, attestation, transports, name, created, last_used"
    [ST_WA_LIST] = "SELECT " WA_COLUMNS " FROM webauthn_credentials WHERE user_id = ?1 ORDER BY id",
    [ST_WA_BY_CRED] = "SELECT " WA_COLUMNS " FROM webauthn_credentials WHERE credential_id = ?1",
    [ST_WA_INSERT] = "INSERT INTO webauthn_credentials (user_id, credential_id, public_key, alg,"
		     " sign_count, aaguid, backup_eligible, backup_state, attestation, transports,"
		     " name, created, last_used)"
		     " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, 0)",
    [ST_WA_COUNT] = "UPDATE webauthn_credentials SET sign_count = ?2, backup_state = ?3,"
		    " last_used = ?4 WHERE id = ?1",
    [ST_WA_RENAME] = "UPDATE webauthn_credentials SET name = ?3 WHERE user_id = ?1 AND id = ?2",
    [ST_WA_DELETE] = "DELETE FROM webauthn_credentials WHERE user_id = ?1 AND id = ?2",
    [ST_WA_CHALLENGE_INSERT] = "INSERT INTO webauthn_challenges (challenge_hash, purpose,"
			       " session_hash, user_id, expires) VALUES (?1, ?2, ?3, ?4, ?5)",
    /* single use: the row goes in the transaction that reads it */
    [ST_WA_CHALLENGE_TAKE] = "DELETE FROM webauthn_challenges WHERE challenge_hash = ?1"
			     " AND purpose = ?2 AND session_hash = ?3 RETURNING user_id, expires",
    [ST_WA_CHALLENGE_PURGE] = "DELETE FROM webauthn_challenges WHERE expires < ?1",
    [ST_INVITE_INSERT] = "INSERT INTO invitations (token_hash, user_id, created, expires)"
			 " VALUES (?1, ?2, ?3, ?4)",
    [ST_INVITE_DELETE_USER] = "DELETE FROM invitations WHERE user_id = ?1",
    [ST_INVITE_GET] = "SELECT i.user_id, u.name, i.expires FROM invitations i"
		      " JOIN users u ON u.id = i.user_id"
		      " WHERE i.token_hash = ?1 AND i.expires > ?2 AND u.disabled = 0",
    /* single use: the row goes in the transaction that uses it */
    [ST_INVITE_TAKE] =
	"DELETE FROM invitations WHERE token_hash = ?1 AND expires > ?2"
	" AND user_id IN (SELECT id FROM users WHERE disabled = 0) RETURNING user_id",
    [ST_INVITE_PURGE] = "DELETE FROM invitations WHERE expires <= ?1",
    [ST_TOTP_SEALED_PAGE] = "SELECT t.id, u.name, t.seed FROM totp t JOIN users u"
			    " ON u.id = t.user_id WHERE t.id > ?1 ORDER BY t.id LIMIT ?2",
    [ST_TOTP_RESEAL] = "UPDATE totp SET seed = ?2 WHERE id = ?1",
    [ST_SOURCE_GET] = "SELECT failures, last_failure, locked_until FROM sources WHERE source = ?1",
    [ST_SOURCE_SET] = "INSERT INTO sources (source, failures, last_failure, locked_until)"
		      " VALUES (?1, ?2, ?3, ?4) ON CONFLICT (source) DO UPDATE SET"
		      " failures = ?2, last_failure = ?3, locked_until = ?4",
    [ST_SOURCE_DELETE] = "DELETE FROM sources WHERE source = ?1",
#undef WA_COLUMNS
};

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
	sqlite3 *db;
	sqlite3_stmt *st[ST__COUNT];
	int busy; /* a reader in use */
} store_conn_t;

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

struct store_tx {
	store_conn_t *c;
	int durable;
	int readonly;
};

/* Runs a statement that returns no rows, then resets it. */
static int step_done(sqlite3_stmt *st)
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

/* Resets st after its last step rc: a row or the end of the rows keep
 * ok; anything else is logged and is SESAME_ERR_STORE. */
static int stmt_end(sqlite3_stmt *st, int rc, int ok)
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
static int row_end(sqlite3_stmt *st, int rc)
{
	return stmt_end(st, rc, rc == SQLITE_ROW ? SESAME_OK : SESAME_ERR_NOT_FOUND);
}

static int exec_sql(sqlite3 *db, const char *sql)
{
	char *msg = NULL;
	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		log_err("store: %s: %s", sql, msg ? msg : "?");
		sqlite3_free(msg);
		return SESAME_ERR_STORE;
	}
	return SESAME_OK;
}

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

static void run_batch(store_t *s, struct store_op *batch)
{
	store_conn_t *w = &s->writer;
	store_tx_t tx = {w, 0, 0};
	int failed = 0;

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

static int migrate(sqlite3 *db)
{
	sqlite3_stmt *st = NULL;
	int version = -1;

	if (sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		version = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	if (version < 0)
		return SESAME_ERR_STORE;
	if (version > STORE_SCHEMA_VERSION) {
		log_err("store: database schema version %d is newer than this daemon's (%d)",
			version, STORE_SCHEMA_VERSION);
		return SESAME_ERR_STORE;
	}
	if (version == STORE_SCHEMA_VERSION)
		return SESAME_OK;
	if (exec_sql(db, "BEGIN IMMEDIATE") != SESAME_OK)
		return SESAME_ERR_STORE;
	if (version < 1 && exec_sql(db, schema_v1) != SESAME_OK)
		goto fail;
	if (version < 2 && exec_sql(db, schema_v2) != SESAME_OK)
		goto fail;
	if (version < 3 && exec_sql(db, schema_v3) != SESAME_OK)
		goto fail;
	if (version < 4 && exec_sql(db, schema_v4) != SESAME_OK)
		goto fail;
	if (version < 5 && exec_sql(db, schema_v5) != SESAME_OK)
		goto fail;
	if (version < 6 && exec_sql(db, schema_v6) != SESAME_OK)
		goto fail;
	char set_version[64];
	snprintf(set_version, sizeof(set_version), "PRAGMA user_version = %d",
		 STORE_SCHEMA_VERSION);
	if (exec_sql(db, set_version) != SESAME_OK || exec_sql(db, "COMMIT") != SESAME_OK)
		goto fail;
	log_info("store: database schema at version %d (was %d)", STORE_SCHEMA_VERSION, version);
	return SESAME_OK;
fail:
	exec_sql(db, "ROLLBACK");
	return SESAME_ERR_STORE;
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
	} else if (exec_sql(c->db, "PRAGMA journal_mode=WAL") != SESAME_OK ||
		   exec_sql(c->db, "PRAGMA foreign_keys=ON") != SESAME_OK ||
		   exec_sql(c->db, "PRAGMA secure_delete=ON") != SESAME_OK ||
		   exec_sql(c->db, "PRAGMA synchronous=NORMAL") != SESAME_OK ||
		   /* the WAL is reused after each checkpoint; keep its file small */
		   exec_sql(c->db, "PRAGMA journal_size_limit=8388608") != SESAME_OK ||
		   migrate(c->db) != SESAME_OK) {
		return SESAME_ERR_STORE;
	}
	for (int i = 0; i < ST__COUNT; i++) {
		if (sqlite3_prepare_v3(c->db, statements[i], -1, SQLITE_PREPARE_PERSISTENT,
				       &c->st[i], NULL) != SQLITE_OK) {
			log_err("store: prepare %s: %s", statements[i], sqlite3_errmsg(c->db));
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

/* The list accessors' array: doubles *cap (from 4) and returns the moved
 * array, or NULL (v untouched) when memory runs out. */
static void *grow_array(void *v, size_t *cap, size_t size)
{
	size_t ncap = *cap ? *cap * 2 : 4;
	void *nv = reallocarray(v, ncap, size);

	if (nv != NULL)
		*cap = ncap;
	return nv;
}

/* ---- accessors (run on the writer thread, inside a transaction) ---- */

static void copy_text(char *dst, size_t dstsz, sqlite3_stmt *st, int col)
{
	const unsigned char *t = sqlite3_column_text(st, col);
	size_t n = t ? (size_t)sqlite3_column_bytes(st, col) : 0;
	if (n >= dstsz)
		n = dstsz - 1;
	if (n)
		memcpy(dst, t, n);
	dst[n] = '\0';
}

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
	int r = store_user_get(tx, name, u);

	if (r == SESAME_OK)
		return SESAME_ERR_CONFLICT;
	if (r != SESAME_ERR_NOT_FOUND)
		return r;
	if (real_name != NULL && strlen(real_name) > SESAME_MAX_REAL_NAME)
		return SESAME_ERR_INVALID_ARGUMENT;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, now);
	sqlite3_bind_text(st, 3, real_name ? real_name : "", -1, SQLITE_STATIC);
	if ((r = step_done(st)) != SESAME_OK)
		return r;
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

void store_totp_list_free(store_totp_t **items, size_t n)
{
	if (items == NULL || *items == NULL)
		return;
	for (size_t i = 0; i < n; i++)
		free((*items)[i].sealed);
	free(*items);
	*items = NULL;
}

int store_totp_list(store_tx_t *tx, int64_t user_id, store_totp_t **items, size_t *n)
{
	sqlite3_stmt *st = tx->c->st[ST_TOTP_LIST];
	store_totp_t *v = NULL;
	size_t count = 0, cap = 0;
	int rc, ok = SESAME_ERR_STORE;

	*items = NULL;
	*n = 0;
	sqlite3_bind_int64(st, 1, user_id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (count == cap) {
			void *grown = grow_array(v, &cap, sizeof(*v));
			if (grown == NULL) {
				ok = SESAME_ERR_NOMEM;
				goto fail;
			}
			v = grown;
		}
		store_totp_t *t = &v[count];
		memset(t, 0, sizeof(*t));
		count++;
		t->id = sqlite3_column_int64(st, 0);
		t->user_id = sqlite3_column_int64(st, 1);
		copy_text(t->name, sizeof(t->name), st, 2);
		t->alg = (totp_alg_t)sqlite3_column_int(st, 3);
		t->digits = (unsigned)sqlite3_column_int(st, 4);
		t->period = (unsigned)sqlite3_column_int(st, 5);
		t->confirmed = sqlite3_column_int(st, 6);
		t->created = sqlite3_column_int64(st, 7);
		t->last_used = sqlite3_column_int64(st, 8);
		t->last_step = sqlite3_column_int64(st, 9);
		t->sealed_len = (size_t)sqlite3_column_bytes(st, 10);
		if (t->sealed_len) {
			if ((t->sealed = malloc(t->sealed_len)) == NULL) {
				ok = SESAME_ERR_NOMEM;
				goto fail;
			}
			memcpy(t->sealed, sqlite3_column_blob(st, 10), t->sealed_len);
		}
	}
	if (rc != SQLITE_DONE) {
		log_err_f("%s", sqlite3_errstr(rc));
		goto fail;
	}
	*items = v;
	*n = count;
	v = NULL;
	ok = SESAME_OK;
fail:
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	store_totp_list_free(&v, count);
	return ok;
}

int store_totp_add(store_tx_t *tx, const store_totp_t *t, int64_t *id)
{
	sqlite3_stmt *st = tx->c->st[ST_TOTP_INSERT];
	int r;

	sqlite3_bind_int64(st, 1, t->user_id);
	sqlite3_bind_text(st, 2, t->name, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 3, (int)t->alg);
	sqlite3_bind_int(st, 4, (int)t->digits);
	sqlite3_bind_int(st, 5, (int)t->period);
	sqlite3_bind_blob(st, 6, t->sealed, (int)t->sealed_len, SQLITE_STATIC);
	sqlite3_bind_int(st, 7, t->confirmed);
	sqlite3_bind_int64(st, 8, t->created);
	if ((r = step_done(st)) != SESAME_OK)
		return r;
	*id = sqlite3_last_insert_rowid(tx->c->db);
	return SESAME_OK;
}

int store_totp_delete_pending(store_tx_t *tx, int64_t user_id)
{
	sqlite3_stmt *st = tx->c->st[ST_TOTP_DELETE_PENDING];
	sqlite3_bind_int64(st, 1, user_id);
	return step_done(st);
}

int store_totp_delete(store_tx_t *tx, int64_t user_id, int64_t id)
{
	sqlite3_stmt *st = tx->c->st[ST_TOTP_DELETE];
	int r;

	sqlite3_bind_int64(st, 1, user_id);
	sqlite3_bind_int64(st, 2, id);
	if ((r = step_done(st)) != SESAME_OK)
		return r;
	return sqlite3_changes(tx->c->db) == 1 ? SESAME_OK : SESAME_ERR_NOT_FOUND;
}

int store_totp_rename(store_tx_t *tx, int64_t user_id, int64_t id, const char *name)
{
	sqlite3_stmt *st = tx->c->st[ST_TOTP_RENAME];
	int r;

	if (strlen(name) > SESAME_MAX_LABEL)
		return SESAME_ERR_INVALID_ARGUMENT;
	sqlite3_bind_int64(st, 1, user_id);
	sqlite3_bind_int64(st, 2, id);
	sqlite3_bind_text(st, 3, name, -1, SQLITE_STATIC);
	if ((r = step_done(st)) != SESAME_OK)
		return r;
	return sqlite3_changes(tx->c->db) == 1 ? SESAME_OK : SESAME_ERR_NOT_FOUND;
}

int store_totp_confirm(store_tx_t *tx, int64_t id, int64_t step, int64_t now)
{
	sqlite3_stmt *st = tx->c->st[ST_TOTP_CONFIRM];
	int r;

	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, step);
	sqlite3_bind_int64(st, 3, now);
	if ((r = step_done(st)) != SESAME_OK)
		return r;
	return sqlite3_changes(tx->c->db) == 1 ? SESAME_OK : SESAME_ERR_CONFLICT;
}

int store_totp_consume(store_tx_t *tx, int64_t id, int64_t step, int64_t now)
{
	sqlite3_stmt *st = tx->c->st[ST_TOTP_CONSUME];
	int r;

	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, step);
	sqlite3_bind_int64(st, 3, now);
	if ((r = step_done(st)) != SESAME_OK)
		return r;
	return sqlite3_changes(tx->c->db) == 1 ? SESAME_OK : SESAME_ERR_REPLAY;
}

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
	int r;

	sqlite3_bind_blob(st, 1, id_hash, STORE_SESSION_HASH_LEN, SQLITE_STATIC);
	if ((r = step_done(st)) != SESAME_OK)
		return r;
	return sqlite3_changes(tx->c->db) == 1 ? SESAME_OK : SESAME_ERR_NOT_FOUND;
}

int store_session_purge(store_tx_t *tx, int64_t now)
{
	sqlite3_stmt *st = tx->c->st[ST_SESSION_PURGE];
	sqlite3_bind_int64(st, 1, now);
	return step_done(st);
}

int store_audit_add(store_tx_t *tx, const store_audit_t *e)
{
	sqlite3_stmt *st = tx->c->st[ST_AUDIT_INSERT];
	sqlite3_bind_int64(st, 1, e->time);
	sqlite3_bind_text(st, 2, e->user, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, e->service, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, e->rhost, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, e->factor, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, e->result, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 7, e->reason, -1, SQLITE_STATIC);
	return step_done(st);
}

int store_audit_list(store_tx_t *tx, const char *user, unsigned limit, store_audit_t **events,
		     size_t *n)
{
	sqlite3_stmt *st = tx->c->st[user ? ST_AUDIT_LIST_USER : ST_AUDIT_LIST];
	store_audit_t *v = NULL;
	size_t count = 0;
	int rc = SQLITE_DONE, ok = SESAME_ERR_STORE;

	*events = NULL;
	*n = 0;
	if (limit == 0 || limit > SESAME_MAX_AUDIT_LIMIT)
		return SESAME_ERR_INVALID_ARGUMENT;
	if ((v = calloc(limit, sizeof(*v))) == NULL)
		return SESAME_ERR_NOMEM;
	sqlite3_bind_int(st, 1, (int)limit);
	if (user)
		sqlite3_bind_text(st, 2, user, -1, SQLITE_STATIC);
	while (count < limit && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		store_audit_t *e = &v[count++];
		e->id = sqlite3_column_int64(st, 0);
		e->time = sqlite3_column_int64(st, 1);
		copy_text(e->user, sizeof(e->user), st, 2);
		copy_text(e->service, sizeof(e->service), st, 3);
		copy_text(e->rhost, sizeof(e->rhost), st, 4);
		copy_text(e->factor, sizeof(e->factor), st, 5);
		copy_text(e->result, sizeof(e->result), st, 6);
		copy_text(e->reason, sizeof(e->reason), st, 7);
	}
	if (count < limit && rc != SQLITE_DONE) {
		log_err_f("%s", sqlite3_errstr(rc));
		goto fail;
	}
	*events = v;
	*n = count;
	v = NULL;
	ok = SESAME_OK;
fail:
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	free(v);
	return ok;
}

/* ---- passkeys (schema 4) ---- */

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

/* Copies a blob column of at most cap bytes; longer ones are refused. */
static int copy_blob(unsigned char *dst, size_t cap, size_t *len, sqlite3_stmt *st, int col)
{
	size_t n = (size_t)sqlite3_column_bytes(st, col);

	if (n > cap)
		return SESAME_ERR_TOO_LARGE;
	if (n)
		memcpy(dst, sqlite3_column_blob(st, col), n);
	if (len)
		*len = n;
	return SESAME_OK;
}

static int webauthn_row(sqlite3_stmt *st, store_webauthn_t *w)
{
	size_t aaguid_len = 0;
	int r;

	memset(w, 0, sizeof(*w));
	w->id = sqlite3_column_int64(st, 0);
	w->user_id = sqlite3_column_int64(st, 1);
	if ((r = copy_blob(w->cred_id, sizeof(w->cred_id), &w->cred_id_len, st, 2)) != SESAME_OK ||
	    (r = copy_blob(w->public_key, sizeof(w->public_key), &w->public_key_len, st, 3)) !=
		SESAME_OK ||
	    (r = copy_blob(w->aaguid, sizeof(w->aaguid), &aaguid_len, st, 6)) != SESAME_OK)
		return r;
	w->alg = sqlite3_column_int(st, 4);
	w->sign_count = (uint32_t)sqlite3_column_int64(st, 5);
	w->backup_eligible = sqlite3_column_int(st, 7);
	w->backup_state = sqlite3_column_int(st, 8);
	copy_text(w->attestation, sizeof(w->attestation), st, 9);
	copy_text(w->transports, sizeof(w->transports), st, 10);
	copy_text(w->name, sizeof(w->name), st, 11);
	w->created = sqlite3_column_int64(st, 12);
	w->last_used = sqlite3_column_int64(st, 13);
	return SESAME_OK;
}

int store_webauthn_list(store_tx_t *tx, int64_t user_id, store_webauthn_t **items, size_t *n)
{
	sqlite3_stmt *st = tx->c->st[ST_WA_LIST];
	store_webauthn_t *v = NULL;
	size_t count = 0, cap = 0;
	int rc, ok = SESAME_ERR_STORE;

	*items = NULL;
	*n = 0;
	sqlite3_bind_int64(st, 1, user_id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (count == cap) {
			void *grown = grow_array(v, &cap, sizeof(*v));
			if (grown == NULL) {
				ok = SESAME_ERR_NOMEM;
				goto fail;
			}
			v = grown;
		}
		if ((ok = webauthn_row(st, &v[count++])) != SESAME_OK)
			goto fail;
	}
	if (rc != SQLITE_DONE) {
		log_err_f("%s", sqlite3_errstr(rc));
		ok = SESAME_ERR_STORE;
		goto fail;
	}
	*items = v;
	*n = count;
	v = NULL;
	ok = SESAME_OK;
fail:
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	free(v);
	return ok;
}

int store_webauthn_get(store_tx_t *tx, const unsigned char *cred_id, size_t len,
		       store_webauthn_t *out)
{
	sqlite3_stmt *st = tx->c->st[ST_WA_BY_CRED];
	int rc, ok = SESAME_ERR_STORE;

	if (len == 0 || len > STORE_WA_MAX_CRED_ID)
		return SESAME_ERR_NOT_FOUND;
	sqlite3_bind_blob(st, 1, cred_id, (int)len, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		ok = webauthn_row(st, out);
	else if (rc == SQLITE_DONE)
		ok = SESAME_ERR_NOT_FOUND;
	return stmt_end(st, rc, ok);
}

int store_webauthn_add(store_tx_t *tx, store_webauthn_t *w)
{
	sqlite3_stmt *st = tx->c->st[ST_WA_INSERT];
	store_webauthn_t existing;
	int r;

	if (w->cred_id_len == 0 || w->cred_id_len > sizeof(w->cred_id) || w->public_key_len == 0 ||
	    w->public_key_len > sizeof(w->public_key))
		return SESAME_ERR_INVALID_ARGUMENT;
	r = store_webauthn_get(tx, w->cred_id, w->cred_id_len, &existing);
	if (r == SESAME_OK)
		return SESAME_ERR_CONFLICT;
	if (r != SESAME_ERR_NOT_FOUND)
		return r;
	sqlite3_bind_int64(st, 1, w->user_id);
	sqlite3_bind_blob(st, 2, w->cred_id, (int)w->cred_id_len, SQLITE_STATIC);
	sqlite3_bind_blob(st, 3, w->public_key, (int)w->public_key_len, SQLITE_STATIC);
	sqlite3_bind_int(st, 4, w->alg);
	sqlite3_bind_int64(st, 5, w->sign_count);
	sqlite3_bind_blob(st, 6, w->aaguid, sizeof(w->aaguid), SQLITE_STATIC);
	sqlite3_bind_int(st, 7, w->backup_eligible ? 1 : 0);
	sqlite3_bind_int(st, 8, w->backup_state ? 1 : 0);
	sqlite3_bind_text(st, 9, w->attestation, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 10, w->transports, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 11, w->name, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 12, w->created);
	if ((r = step_done(st)) != SESAME_OK)
		return r;
	w->id = sqlite3_last_insert_rowid(tx->c->db);
	return SESAME_OK;
}

int store_webauthn_used(store_tx_t *tx, int64_t id, uint32_t sign_count, int backup_state,
			int64_t now)
{
	sqlite3_stmt *st = tx->c->st[ST_WA_COUNT];
	int r;

	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, sign_count);
	sqlite3_bind_int(st, 3, backup_state ? 1 : 0);
	sqlite3_bind_int64(st, 4, now);
	if ((r = step_done(st)) != SESAME_OK)
		return r;
	return sqlite3_changes(tx->c->db) == 1 ? SESAME_OK : SESAME_ERR_NOT_FOUND;
}

int store_webauthn_rename(store_tx_t *tx, int64_t user_id, int64_t id, const char *name)
{
	sqlite3_stmt *st = tx->c->st[ST_WA_RENAME];
	int r;

	if (strlen(name) > SESAME_MAX_LABEL)
		return SESAME_ERR_INVALID_ARGUMENT;
	sqlite3_bind_int64(st, 1, user_id);
	sqlite3_bind_int64(st, 2, id);
	sqlite3_bind_text(st, 3, name, -1, SQLITE_STATIC);
	if ((r = step_done(st)) != SESAME_OK)
		return r;
	return sqlite3_changes(tx->c->db) == 1 ? SESAME_OK : SESAME_ERR_NOT_FOUND;
}

int store_webauthn_delete(store_tx_t *tx, int64_t user_id, int64_t id)
{
	sqlite3_stmt *st = tx->c->st[ST_WA_DELETE];
	int r;

	sqlite3_bind_int64(st, 1, user_id);
	sqlite3_bind_int64(st, 2, id);
	if ((r = step_done(st)) != SESAME_OK)
		return r;
	return sqlite3_changes(tx->c->db) == 1 ? SESAME_OK : SESAME_ERR_NOT_FOUND;
}

int store_webauthn_challenge_add(store_tx_t *tx, const unsigned char hash[STORE_WA_HASH_LEN],
				 const char *purpose,
				 const unsigned char binding[STORE_WA_HASH_LEN], int64_t user_id,
				 int64_t expires)
{
	sqlite3_stmt *st = tx->c->st[ST_WA_CHALLENGE_INSERT];

	sqlite3_bind_blob(st, 1, hash, STORE_WA_HASH_LEN, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, purpose, -1, SQLITE_STATIC);
	sqlite3_bind_blob(st, 3, binding, STORE_WA_HASH_LEN, SQLITE_STATIC);
	if (user_id > 0)
		sqlite3_bind_int64(st, 4, user_id);
	else
		sqlite3_bind_null(st, 4);
	sqlite3_bind_int64(st, 5, expires);
	return step_done(st);
}

int store_webauthn_challenge_take(store_tx_t *tx, const unsigned char hash[STORE_WA_HASH_LEN],
				  const char *purpose,
				  const unsigned char binding[STORE_WA_HASH_LEN], int64_t *user_id,
				  int64_t *expires)
{
	sqlite3_stmt *st = tx->c->st[ST_WA_CHALLENGE_TAKE];
	int rc, ok = SESAME_ERR_NOT_FOUND;

	sqlite3_bind_blob(st, 1, hash, STORE_WA_HASH_LEN, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, purpose, -1, SQLITE_STATIC);
	sqlite3_bind_blob(st, 3, binding, STORE_WA_HASH_LEN, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		*user_id = sqlite3_column_int64(st, 0); /* NULL reads as 0 */
		*expires = sqlite3_column_int64(st, 1);
		ok = SESAME_OK;
	}
	return stmt_end(st, rc, ok);
}

int store_webauthn_challenge_purge(store_tx_t *tx, int64_t now)
{
	sqlite3_stmt *st = tx->c->st[ST_WA_CHALLENGE_PURGE];
	sqlite3_bind_int64(st, 1, now);
	return step_done(st);
}

/* ---- enrollment invitations (schema 5) ---- */

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

/* ---- master key rotation ---- */

int store_totp_sealed_page(store_tx_t *tx, int64_t after_id, unsigned limit, store_sealed_fn fn,
			   void *arg)
{
	sqlite3_stmt *st = tx->c->st[ST_TOTP_SEALED_PAGE];
	int rc, ok = SESAME_OK;

	sqlite3_bind_int64(st, 1, after_id);
	sqlite3_bind_int64(st, 2, limit);
	while (ok == SESAME_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		char user[SESAME_MAX_USERNAME + 1];
		copy_text(user, sizeof(user), st, 1);
		ok = fn(arg, sqlite3_column_int64(st, 0), user, sqlite3_column_blob(st, 2),
			(size_t)sqlite3_column_bytes(st, 2));
	}
	return stmt_end(st, rc, ok); /* a row left: fn stopped the page */
}

int store_totp_reseal(store_tx_t *tx, int64_t id, const unsigned char *sealed, size_t len)
{
	sqlite3_stmt *st = tx->c->st[ST_TOTP_RESEAL];

	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_blob(st, 2, sealed, (int)len, SQLITE_STATIC);
	return step_done(st);
}

/* ---- sources (schema 6) ---- */

int store_source_get(store_tx_t *tx, const char *source, store_source_t *out)
{
	sqlite3_stmt *st = tx->c->st[ST_SOURCE_GET];
	int rc;

	memset(out, 0, sizeof(*out));
	sqlite3_bind_text(st, 1, source, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		out->failures = (unsigned)sqlite3_column_int64(st, 0);
		out->last_failure = sqlite3_column_int64(st, 1);
		out->locked_until = sqlite3_column_int64(st, 2);
	}
	return row_end(st, rc);
}

int store_source_set(store_tx_t *tx, const char *source, const store_source_t *s)
{
	sqlite3_stmt *st = tx->c->st[ST_SOURCE_SET];

	sqlite3_bind_text(st, 1, source, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, s->failures);
	sqlite3_bind_int64(st, 3, s->last_failure);
	sqlite3_bind_int64(st, 4, s->locked_until);
	return step_done(st);
}

int store_source_delete(store_tx_t *tx, const char *source)
{
	sqlite3_stmt *st = tx->c->st[ST_SOURCE_DELETE];
	int r;

	sqlite3_bind_text(st, 1, source, -1, SQLITE_STATIC);
	if ((r = step_done(st)) != SESAME_OK)
		return r;
	return sqlite3_changes(tx->c->db) == 1 ? SESAME_OK : SESAME_ERR_NOT_FOUND;
}
