/* Unit tests for the SQLite store's schema migrations
 * (authd/store/store_sqlite_schema.c): a version 1 database, made here with the
 * CREATE statements of version 1, keeps every row when the current store
 * opens it, and so does a version 2 one (v1 + the v2 ALTERs); then the
 * version 2 user accessors, the version 3 session accessors, and a
 * version 3 database (with a session) migrated to 4 with the passkey
 * accessors, a version 4 database (with a passkey) migrated to 5 with
 * the invitation accessors, a version 5 one (with an invitation) to 6
 * with the per-source throttling accessors, and a version 6 one (users
 * with failures, a session, a source) to 7: attempts rows copied from the
 * users' throttling columns, sessions with their proof time. The
 * accessors of schema 7 are tested in test_store_schema7.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h> /* after the four headers it needs */

#include <errno.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sesame/error.h"
#include "store/store.h"
#include "unit_util.h"

#define CURRENT_VERSION 9 /* authd/store/store_sqlite_schema.c */

/* Schema version 1, exactly as the store created it before version 2. */
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
    " id INTEGER PRIMARY KEY AUTOINCREMENT,"
    " user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
    " name TEXT NOT NULL,"
    " algorithm INTEGER NOT NULL,"
    " digits INTEGER NOT NULL,"
    " period INTEGER NOT NULL,"
    " seed BLOB NOT NULL,"
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

static const char *const rows_v1 =
    "INSERT INTO users VALUES (1, 'alice', 1700000000, 2, 1700000100, 1700000160, 1700000050);"
    "INSERT INTO users VALUES (2, 'bob', 1700000001, 0, 0, 0, 0);"
    "INSERT INTO totp VALUES (7, 1, 'phone', 1, 6, 30, x'0102030405', 1, 1700000002, "
    " 1700000050, 56666668);"
    "INSERT INTO totp VALUES (8, 2, 'tablet', 2, 8, 30, x'0a0b', 0, 1700000003, 0, -1);"
    "INSERT INTO audit VALUES (1, 1700000002, 'alice', 'sesamectl', '', 'totp', 'ok', 'enroll');"
    "INSERT INTO audit VALUES (2, 1700000050, 'alice', 'sshd', '192.0.2.7', 'totp', 'success',"
    " 'ok');";

/* Schema version 2's additions, exactly as the store made them. */
static const char *const schema_v2 =
    "ALTER TABLE users ADD COLUMN real_name TEXT NOT NULL DEFAULT '';"
    "ALTER TABLE users ADD COLUMN password_hash TEXT;"
    "ALTER TABLE users ADD COLUMN password_changed INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE users ADD COLUMN disabled INTEGER NOT NULL DEFAULT 0;";

/* Schema version 3's addition, exactly as the store made it. */
static const char *const schema_v3 =
    "CREATE TABLE sessions ("
    " id_hash BLOB PRIMARY KEY,"
    " user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
    " created INTEGER NOT NULL,"
    " last_seen INTEGER NOT NULL,"
    " expires INTEGER NOT NULL,"
    " stage TEXT NOT NULL,"
    " csrf BLOB NOT NULL);"
    "CREATE INDEX sessions_user ON sessions(user_id);"
    "CREATE INDEX sessions_expires ON sessions(expires);";

/* Schema version 8's additions, undone first by undo_v7. */
#define UNDO_V8 "DROP TABLE user_codes; DROP TABLE handoffs;"

/* Schema version 7's additions, undone: a current database made a version 6 one. */
static const char *const undo_v7 = UNDO_V8 "DROP TABLE attempts; DROP TABLE spent_flows;"
					   " DROP INDEX users_name_lower;"
					   " ALTER TABLE sessions DROP COLUMN factors;"
					   " ALTER TABLE sessions DROP COLUMN auth_time;";
/* What schema 9 added (the OpenID Connect provider's tables), undone first. */
static const char *const undo_v9 = "DROP TABLE oidc_tokens; DROP TABLE oidc_codes;"
				   " DROP TABLE oidc_grants; DROP TABLE oidc_requests;"
				   " DROP TABLE oidc_clients; DROP TABLE oidc_keys;";

struct fixture {
	char *dir;
	char db[512];
	store_t *store;
};

static int user_version(const char *path)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	int v = -1;

	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
	    sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return v;
}

static void exec_on(const char *path, const char *sql)
{
	sqlite3 *db = NULL;
	char *msg = NULL;

	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK)
		fail_msg("%s: %s", sql, msg ? msg : "?");
	sqlite3_close(db);
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (f == NULL || (f->dir = unit_tmpdir()) == NULL)
		return -1;
	unit_path(f->db, sizeof(f->db), f->dir, "sesame.db");
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	store_close(&f->store);
	unit_rmtree(f->dir);
	free(f->dir);
	free(f);
	return 0;
}

static void make_v1(const char *path)
{
	exec_on(path, schema_v1);
	exec_on(path, rows_v1);
	exec_on(path, "PRAGMA user_version = 1");
	assert_int_equal(user_version(path), 1);
}

struct check_ctx {
	store_user_t alice, bob;
	store_totp_t *totp;
	size_t ntotp;
	store_audit_t *audit;
	size_t naudit;
	char hash[STORE_MAX_PASSWORD_HASH + 1];
	int hash_r;
};

static int check_tx(store_tx_t *tx, void *arg)
{
	struct check_ctx *c = arg;
	int r;

	if ((r = store_user_get(tx, "alice", &c->alice)) != SESAME_OK ||
	    (r = store_user_get(tx, "bob", &c->bob)) != SESAME_OK ||
	    (r = store_totp_list(tx, c->alice.id, &c->totp, &c->ntotp)) != SESAME_OK ||
	    (r = store_audit_list(tx, NULL, 100, &c->audit, &c->naudit)) != SESAME_OK)
		return r;
	c->hash_r = store_user_password_get(tx, c->alice.id, c->hash, sizeof(c->hash));
	return SESAME_OK;
}

static void check_free(struct check_ctx *c)
{
	store_totp_list_free(&c->totp, c->ntotp);
	free(c->audit);
	c->audit = NULL;
}

static void test_v1_rows_survive(void **state)
{
	struct fixture *f = *state;
	struct check_ctx c;

	make_v1(f->db);
	assert_int_equal(store_open(f->db, &f->store), SESAME_OK);
	assert_int_equal(user_version(f->db), CURRENT_VERSION);

	memset(&c, 0, sizeof(c));
	assert_int_equal(store_read(f->store, check_tx, &c), SESAME_OK);
	assert_int_equal(c.alice.id, 1);
	assert_string_equal(c.alice.name, "alice");
	assert_int_equal(c.alice.created, 1700000000);
	assert_int_equal(c.alice.failures, 2);
	assert_int_equal(c.alice.last_failure, 1700000100);
	assert_int_equal(c.alice.locked_until, 1700000160);
	assert_int_equal(c.alice.last_success, 1700000050);
	/* the new columns take their defaults: no password, enabled */
	assert_string_equal(c.alice.real_name, "");
	assert_int_equal(c.alice.has_password, 0);
	assert_int_equal(c.alice.password_changed, 0);
	assert_int_equal(c.alice.disabled, 0);
	assert_int_equal(c.hash_r, SESAME_ERR_NOT_FOUND);
	assert_int_equal(c.bob.id, 2);
	assert_int_equal(c.bob.created, 1700000001);

	assert_int_equal(c.ntotp, 1);
	assert_int_equal(c.totp[0].id, 7);
	assert_string_equal(c.totp[0].name, "phone");
	assert_int_equal(c.totp[0].digits, 6);
	assert_int_equal(c.totp[0].confirmed, 1);
	assert_int_equal(c.totp[0].last_step, 56666668);
	assert_int_equal(c.totp[0].sealed_len, 5);
	assert_memory_equal(c.totp[0].sealed, "\x01\x02\x03\x04\x05", 5);

	assert_int_equal(c.naudit, 2);
	assert_string_equal(c.audit[0].rhost, "192.0.2.7");
	assert_string_equal(c.audit[1].reason, "enroll");
	check_free(&c);

	/* reopening a current database migrates nothing and loses nothing */
	store_close(&f->store);
	assert_int_equal(store_open(f->db, &f->store), SESAME_OK);
	assert_int_equal(user_version(f->db), CURRENT_VERSION);
	memset(&c, 0, sizeof(c));
	assert_int_equal(store_read(f->store, check_tx, &c), SESAME_OK);
	assert_int_equal(c.alice.failures, 2);
	assert_int_equal(c.ntotp, 1);
	assert_int_equal(c.naudit, 2);
	check_free(&c);
}

static void test_fresh_and_newer(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(store_open(f->db, &f->store), SESAME_OK);
	assert_int_equal(user_version(f->db), CURRENT_VERSION);
	store_close(&f->store);
	/* a database from a later daemon is refused, not downgraded */
	exec_on(f->db, "PRAGMA user_version = 99");
	assert_int_equal(store_open(f->db, &f->store), SESAME_ERR_STORE);
	assert_null(f->store);
	assert_int_equal(user_version(f->db), 99);
}

struct acc_ctx {
	int step;
	store_user_t u;
	char hash[STORE_MAX_PASSWORD_HASH + 1];
};

static int acc_tx(store_tx_t *tx, void *arg)
{
	struct acc_ctx *c = arg;
	char long_hash[STORE_MAX_PASSWORD_HASH + 2];
	int r;

	switch (c->step) {
	case 0:
		return store_user_add(tx, "carol", "Carol Q. R\xc3\xa9my", 1800000000, &c->u);
	case 1:
		return store_user_add(tx, "carol", "", 1800000001, &c->u);
	case 2:
		if ((r = store_user_get(tx, "carol", &c->u)) != SESAME_OK ||
		    (r = store_user_set_password(tx, c->u.id, "$argon2id$v=19$x", 1800000002)) !=
			SESAME_OK ||
		    (r = store_user_set_disabled(tx, c->u.id, 1)) != SESAME_OK ||
		    (r = store_user_set_real_name(tx, c->u.id, "Carol")) != SESAME_OK)
			return r;
		return store_user_get(tx, "carol", &c->u);
	case 3:
		if ((r = store_user_get(tx, "carol", &c->u)) != SESAME_OK)
			return r;
		return store_user_password_get(tx, c->u.id, c->hash, sizeof(c->hash));
	case 4:
		memset(long_hash, 'x', sizeof(long_hash) - 1);
		long_hash[sizeof(long_hash) - 1] = '\0';
		return store_user_set_password(tx, c->u.id, long_hash, 1);
	case 5:
		return store_user_set_disabled(tx, 999, 1);
	case 6:
		if ((r = store_user_set_password(tx, c->u.id, NULL, 1800000009)) != SESAME_OK ||
		    (r = store_user_set_disabled(tx, c->u.id, 0)) != SESAME_OK)
			return r;
		return store_user_get(tx, "carol", &c->u);
	default:
		return SESAME_ERR_INTERNAL;
	}
}

static void test_user_accessors(void **state)
{
	struct fixture *f = *state;
	struct acc_ctx c;

	memset(&c, 0, sizeof(c));
	assert_int_equal(store_open(f->db, &f->store), SESAME_OK);
	assert_int_equal(store_run(f->store, acc_tx, &c), SESAME_OK);
	assert_string_equal(c.u.name, "carol");
	assert_string_equal(c.u.real_name, "Carol Q. R\xc3\xa9my");
	assert_int_equal(c.u.created, 1800000000);
	assert_int_equal(c.u.has_password, 0);
	c.step = 1;
	assert_int_equal(store_run(f->store, acc_tx, &c), SESAME_ERR_CONFLICT);
	c.step = 2;
	assert_int_equal(store_run(f->store, acc_tx, &c), SESAME_OK);
	assert_int_equal(c.u.has_password, 1);
	assert_int_equal(c.u.password_changed, 1800000002);
	assert_int_equal(c.u.disabled, 1);
	assert_string_equal(c.u.real_name, "Carol");
	assert_int_equal(c.u.created, 1800000000);
	c.step = 3;
	assert_int_equal(store_read(f->store, acc_tx, &c), SESAME_OK);
	assert_string_equal(c.hash, "$argon2id$v=19$x");
	c.step = 4;
	assert_int_equal(store_run(f->store, acc_tx, &c), SESAME_ERR_INVALID_ARGUMENT);
	c.step = 5;
	assert_int_equal(store_run(f->store, acc_tx, &c), SESAME_ERR_NOT_FOUND);
	c.step = 6;
	assert_int_equal(store_run(f->store, acc_tx, &c), SESAME_OK);
	assert_int_equal(c.u.has_password, 0);
	assert_int_equal(c.u.password_changed, 1800000009);
	assert_int_equal(c.u.disabled, 0);
	c.step = 3;
	assert_int_equal(store_read(f->store, acc_tx, &c), SESAME_ERR_NOT_FOUND);
}

/* A version 2 database (with a password, a disabled user) keeps every
 * row; the sessions table appears empty and works. */
static void test_v2_rows_survive(void **state)
{
	struct fixture *f = *state;
	struct check_ctx c;

	make_v1(f->db);
	exec_on(f->db, schema_v2);
	exec_on(f->db, "UPDATE users SET real_name = 'Alice', password_hash = '$argon2id$v=19$h',"
		       " password_changed = 1700000200, disabled = 1 WHERE name = 'alice';"
		       "PRAGMA user_version = 2");
	assert_int_equal(store_open(f->db, &f->store), SESAME_OK);
	assert_int_equal(user_version(f->db), CURRENT_VERSION);
	memset(&c, 0, sizeof(c));
	assert_int_equal(store_read(f->store, check_tx, &c), SESAME_OK);
	assert_int_equal(c.alice.failures, 2);
	assert_string_equal(c.alice.real_name, "Alice");
	assert_int_equal(c.alice.has_password, 1);
	assert_int_equal(c.alice.password_changed, 1700000200);
	assert_int_equal(c.alice.disabled, 1);
	assert_int_equal(c.hash_r, SESAME_OK);
	assert_string_equal(c.hash, "$argon2id$v=19$h");
	assert_int_equal(c.ntotp, 1);
	assert_int_equal(c.totp[0].last_step, 56666668);
	assert_int_equal(c.naudit, 2);
	check_free(&c);
}

struct sess_ctx {
	int step;
	store_session_t s, got;
};

static int sess_tx(store_tx_t *tx, void *arg)
{
	struct sess_ctx *c = arg;
	store_user_t u;
	int r;

	switch (c->step) {
	case 0:
		if ((r = store_user_add(tx, "dan", "", 1800000000, &u)) != SESAME_OK)
			return r;
		c->s.user_id = u.id;
		return store_session_add(tx, &c->s);
	case 1:
		return store_session_get(tx, c->s.id_hash, &c->got);
	case 2:
		return store_session_touch(tx, c->s.id_hash, 1800000050);
	case 3: /* the same id twice is refused */
		return store_session_add(tx, &c->s);
	case 4:
		return store_session_purge(tx, 1800000100);
	case 5:
		return store_session_purge(tx, 1800000101);
	case 6:
		return store_session_delete(tx, c->s.id_hash);
	default:
		return SESAME_ERR_INTERNAL;
	}
}

static void test_session_accessors(void **state)
{
	struct fixture *f = *state;
	struct sess_ctx c;

	memset(&c, 0, sizeof(c));
	memset(c.s.id_hash, 0xab, sizeof(c.s.id_hash));
	memset(c.s.csrf, 0x5c, sizeof(c.s.csrf));
	c.s.created = c.s.last_seen = 1800000000;
	c.s.expires = 1800000100;
	memcpy(c.s.stage, "password", sizeof("password"));
	assert_int_equal(store_open(f->db, &f->store), SESAME_OK);
	assert_int_equal(store_run(f->store, sess_tx, &c), SESAME_OK);
	c.step = 1;
	assert_int_equal(store_read(f->store, sess_tx, &c), SESAME_OK);
	assert_string_equal(c.got.user, "dan");
	assert_int_equal(c.got.user_id, c.s.user_id);
	assert_int_equal(c.got.user_disabled, 0);
	assert_int_equal(c.got.created, 1800000000);
	assert_int_equal(c.got.expires, 1800000100);
	assert_string_equal(c.got.stage, "password");
	assert_memory_equal(c.got.csrf, c.s.csrf, sizeof(c.s.csrf));
	c.step = 2;
	assert_int_equal(store_run(f->store, sess_tx, &c), SESAME_OK);
	c.step = 1;
	assert_int_equal(store_read(f->store, sess_tx, &c), SESAME_OK);
	assert_int_equal(c.got.last_seen, 1800000050);
	c.step = 3;
	assert_int_equal(store_run(f->store, sess_tx, &c), SESAME_ERR_STORE);
	c.step = 4; /* not yet expired: kept */
	assert_int_equal(store_run(f->store, sess_tx, &c), SESAME_OK);
	c.step = 1;
	assert_int_equal(store_read(f->store, sess_tx, &c), SESAME_OK);
	c.step = 5;
	assert_int_equal(store_run(f->store, sess_tx, &c), SESAME_OK);
	c.step = 1;
	assert_int_equal(store_read(f->store, sess_tx, &c), SESAME_ERR_NOT_FOUND);
	c.step = 6;
	assert_int_equal(store_run(f->store, sess_tx, &c), SESAME_ERR_NOT_FOUND);
}

/* A version 3 database keeps its users, factors and sessions; then the
 * passkey accessors: handles, credentials (one id once, whoever owns it),
 * sign counts, rename and remove, challenges taken once. */
struct wa_ctx {
	int step;
	store_session_t got;
	store_user_t u, v;
	store_webauthn_t w, got_w;
	store_webauthn_t *list;
	size_t n;
	unsigned char handle[STORE_WA_HANDLE_LEN], handle2[STORE_WA_HANDLE_LEN];
	unsigned char ch[STORE_WA_HASH_LEN], bind[STORE_WA_HASH_LEN];
	int64_t ch_user, expires, by_handle;
};

static int wa_tx(store_tx_t *tx, void *arg)
{
	struct wa_ctx *c = arg;
	unsigned char sid[STORE_SESSION_HASH_LEN];
	int r;

	switch (c->step) {
	case 0:
		memset(sid, 0x11, sizeof(sid));
		if ((r = store_user_get(tx, "alice", &c->u)) != SESAME_OK ||
		    (r = store_user_get(tx, "bob", &c->v)) != SESAME_OK)
			return r;
		return store_session_get(tx, sid, &c->got);
	case 1:
		return store_user_handle_get(tx, c->u.id, c->handle2);
	case 2:
		if ((r = store_user_handle_set(tx, c->u.id, c->handle)) != SESAME_OK)
			return r;
		return store_user_by_handle(tx, c->handle, sizeof(c->handle), &c->by_handle);
	case 3: /* a second handle for the same user is refused */
		return store_user_handle_set(tx, c->u.id, c->handle2);
	case 4: /* and the same handle for another user */
		return store_user_handle_set(tx, c->v.id, c->handle);
	case 5:
		return store_webauthn_add(tx, &c->w);
	case 6: /* the same credential id, another user */
		c->w.user_id = c->v.id;
		return store_webauthn_add(tx, &c->w);
	case 7:
		if ((r = store_webauthn_used(tx, c->w.id, 42, 1, 1900000100)) != SESAME_OK ||
		    (r = store_webauthn_rename(tx, c->u.id, c->w.id, "laptop")) != SESAME_OK)
			return r;
		return store_webauthn_get(tx, c->w.cred_id, c->w.cred_id_len, &c->got_w);
	case 8: /* not bob's */
		return store_webauthn_rename(tx, c->v.id, c->w.id, "mine");
	case 9:
		return store_webauthn_list(tx, c->u.id, &c->list, &c->n);
	case 10:
		return store_webauthn_challenge_add(tx, c->ch, "register", c->bind, c->u.id,
						    1900000200);
	case 11:
		return store_webauthn_challenge_take(tx, c->ch, "register", c->bind, &c->ch_user,
						     &c->expires);
	case 12:
		return store_webauthn_delete(tx, c->v.id, c->w.id);
	case 13:
		return store_webauthn_delete(tx, c->u.id, c->w.id);
	case 14: /* purge keeps the live, drops the expired; wrong purpose finds none */
		if ((r = store_webauthn_challenge_add(tx, c->ch, "login", c->bind, 0, 100)) !=
		    SESAME_OK)
			return r;
		r = store_webauthn_challenge_take(tx, c->ch, "register", c->bind, &c->ch_user,
						  &c->expires);
		return r == SESAME_ERR_NOT_FOUND ? SESAME_OK : SESAME_ERR_INTERNAL;
	case 15:
		if ((r = store_webauthn_challenge_purge(tx, 101)) != SESAME_OK)
			return r;
		return store_webauthn_challenge_take(tx, c->ch, "login", c->bind, &c->ch_user,
						     &c->expires);
	default:
		return SESAME_ERR_INTERNAL;
	}
}

static void test_v3_rows_survive_and_passkeys(void **state)
{
	struct fixture *f = *state;
	struct wa_ctx c;

	make_v1(f->db);
	exec_on(f->db, schema_v2);
	exec_on(f->db, schema_v3);
	exec_on(f->db, "INSERT INTO sessions VALUES (x'1111111111111111111111111111111111111111111"
		       "111111111111111111111', 1, 1700000300, 1700000301, 1700000900, 'done',"
		       " x'2222222222222222222222222222222222222222222222222222222222222222');"
		       "PRAGMA user_version = 3");
	assert_int_equal(store_open(f->db, &f->store), SESAME_OK);
	assert_int_equal(user_version(f->db), CURRENT_VERSION);
	memset(&c, 0, sizeof(c));
	assert_int_equal(store_read(f->store, wa_tx, &c), SESAME_OK);
	assert_string_equal(c.got.user, "alice");
	assert_string_equal(c.got.stage, "done");
	assert_int_equal(c.got.expires, 1700000900);
	assert_int_equal(c.got.factors, 0); /* schema 7: nothing proved yet */
	assert_int_equal(c.got.auth_time, 1700000300);
	assert_int_equal(c.u.failures, 2);

	c.step = 1; /* no handle before the first passkey */
	assert_int_equal(store_read(f->store, wa_tx, &c), SESAME_ERR_NOT_FOUND);
	memset(c.handle, 0xa5, sizeof(c.handle));
	memset(c.handle2, 0x5a, sizeof(c.handle2));
	c.step = 2;
	assert_int_equal(store_run(f->store, wa_tx, &c), SESAME_OK);
	assert_int_equal(c.by_handle, c.u.id);
	c.step = 3;
	assert_int_equal(store_run(f->store, wa_tx, &c), SESAME_ERR_CONFLICT);
	c.step = 4;
	assert_int_equal(store_run(f->store, wa_tx, &c), SESAME_ERR_STORE); /* unique index */
	c.step = 1;
	memset(c.handle2, 0, sizeof(c.handle2));
	assert_int_equal(store_read(f->store, wa_tx, &c), SESAME_OK);
	assert_memory_equal(c.handle2, c.handle, sizeof(c.handle));

	c.w.user_id = c.u.id;
	memset(c.w.cred_id, 0xc1, 40);
	c.w.cred_id_len = 40;
	memset(c.w.public_key, 0xb2, 77);
	c.w.public_key_len = 77;
	c.w.alg = -7;
	c.w.sign_count = 5;
	memset(c.w.aaguid, 0x01, sizeof(c.w.aaguid));
	c.w.backup_eligible = 1;
	memcpy(c.w.attestation, "none/none", sizeof("none/none"));
	memcpy(c.w.transports, "usb,nfc", sizeof("usb,nfc"));
	memcpy(c.w.name, "key", sizeof("key"));
	c.w.created = 1900000000;
	c.step = 5;
	assert_int_equal(store_run(f->store, wa_tx, &c), SESAME_OK);
	assert_true(c.w.id > 0);
	c.step = 6;
	assert_int_equal(store_run(f->store, wa_tx, &c), SESAME_ERR_CONFLICT);
	c.w.user_id = c.u.id;
	c.step = 7;
	assert_int_equal(store_run(f->store, wa_tx, &c), SESAME_OK);
	assert_int_equal(c.got_w.user_id, c.u.id);
	assert_int_equal(c.got_w.sign_count, 42);
	assert_int_equal(c.got_w.backup_state, 1);
	assert_int_equal(c.got_w.backup_eligible, 1);
	assert_int_equal(c.got_w.last_used, 1900000100);
	assert_int_equal(c.got_w.created, 1900000000);
	assert_int_equal(c.got_w.alg, -7);
	assert_int_equal(c.got_w.public_key_len, 77);
	assert_memory_equal(c.got_w.public_key, c.w.public_key, 77);
	assert_string_equal(c.got_w.name, "laptop");
	assert_string_equal(c.got_w.transports, "usb,nfc");
	assert_string_equal(c.got_w.attestation, "none/none");
	c.step = 8;
	assert_int_equal(store_run(f->store, wa_tx, &c), SESAME_ERR_NOT_FOUND);
	c.step = 9;
	assert_int_equal(store_read(f->store, wa_tx, &c), SESAME_OK);
	assert_int_equal(c.n, 1);
	assert_string_equal(c.list[0].name, "laptop");
	free(c.list);

	memset(c.ch, 0x33, sizeof(c.ch));
	memset(c.bind, 0x44, sizeof(c.bind));
	c.step = 10;
	assert_int_equal(store_run(f->store, wa_tx, &c), SESAME_OK);
	c.step = 11;
	assert_int_equal(store_run(f->store, wa_tx, &c), SESAME_OK);
	assert_int_equal(c.ch_user, c.u.id);
	assert_int_equal(c.expires, 1900000200);
	assert_int_equal(store_run(f->store, wa_tx, &c), SESAME_ERR_NOT_FOUND); /* once */
	memset(c.bind, 0x45, sizeof(c.bind)); /* another binding */
	c.step = 10;
	assert_int_equal(store_run(f->store, wa_tx, &c), SESAME_OK);
	memset(c.bind, 0x44, sizeof(c.bind));
	c.step = 11;
	assert_int_equal(store_run(f->store, wa_tx, &c), SESAME_ERR_NOT_FOUND);

	c.step = 12;
	assert_int_equal(store_run(f->store, wa_tx, &c), SESAME_ERR_NOT_FOUND);
	c.step = 13;
	assert_int_equal(store_run(f->store, wa_tx, &c), SESAME_OK);
	c.step = 9;
	assert_int_equal(store_read(f->store, wa_tx, &c), SESAME_OK);
	assert_int_equal(c.n, 0);
	free(c.list);
	memset(c.ch, 0x66, sizeof(c.ch));
	c.step = 14;
	assert_int_equal(store_run(f->store, wa_tx, &c), SESAME_OK);
	c.step = 15;
	assert_int_equal(store_run(f->store, wa_tx, &c), SESAME_ERR_NOT_FOUND);
}

struct inv_ctx {
	int step;
	unsigned char h1[STORE_INVITE_HASH_LEN], h2[STORE_INVITE_HASH_LEN];
	store_user_t u;
	int64_t user_id, expires;
	char name[SESAME_MAX_USERNAME + 1];
	size_t n;
};

static int inv_tx(store_tx_t *tx, void *arg)
{
	struct inv_ctx *c = arg;
	store_webauthn_t *list = NULL;
	int r;

	switch (c->step) {
	case 0: /* the v4 rows are there */
		if ((r = store_user_get(tx, "alice", &c->u)) != SESAME_OK ||
		    (r = store_webauthn_list(tx, c->u.id, &list, &c->n)) != SESAME_OK)
			return r;
		free(list);
		return SESAME_OK;
	case 1:
		return store_invite_add(tx, c->h1, c->u.id, 1900000000, 1900000600);
	case 2:
		return store_invite_get(tx, c->h1, 1900000100, &c->user_id, c->name, &c->expires);
	case 3: /* a second invitation of the same user replaces the first */
		return store_invite_add(tx, c->h2, c->u.id, 1900000000, 1900000600);
	case 4:
		return store_invite_get(tx, c->h2, 1900000600, &c->user_id, c->name, &c->expires);
	case 5:
		return store_invite_take(tx, c->h2, 1900000100, &c->user_id);
	case 6:
		return store_user_set_disabled(tx, c->u.id, 1);
	case 7:
		return store_user_set_disabled(tx, c->u.id, 0);
	case 8:
		return store_invite_purge(tx, 1900000600);
	default:
		return SESAME_ERR_INTERNAL;
	}
}

static void test_v4_rows_survive_and_invitations(void **state)
{
	struct fixture *f = *state;
	struct inv_ctx c;

	/* a version 4 database: the current schema without its v5 table */
	make_v1(f->db);
	assert_int_equal(store_open(f->db, &f->store), SESAME_OK);
	store_close(&f->store);
	exec_on(f->db, "INSERT INTO webauthn_credentials (user_id, credential_id, public_key, alg,"
		       " sign_count, name) VALUES (1, x'0102', x'0304', -7, 0, 'key');"
		       "DROP TABLE invitations; DROP TABLE sources;");
	exec_on(f->db, undo_v9);
	exec_on(f->db, undo_v7);
	exec_on(f->db, "PRAGMA user_version = 4");
	assert_int_equal(store_open(f->db, &f->store), SESAME_OK);
	assert_int_equal(user_version(f->db), CURRENT_VERSION);
	memset(&c, 0, sizeof(c));
	assert_int_equal(store_read(f->store, inv_tx, &c), SESAME_OK);
	assert_int_equal(c.n, 1);

	memset(c.h1, 0x11, sizeof(c.h1));
	memset(c.h2, 0x22, sizeof(c.h2));
	c.step = 1;
	assert_int_equal(store_run(f->store, inv_tx, &c), SESAME_OK);
	c.step = 2;
	assert_int_equal(store_read(f->store, inv_tx, &c), SESAME_OK);
	assert_int_equal(c.user_id, c.u.id);
	assert_string_equal(c.name, "alice");
	assert_int_equal(c.expires, 1900000600);
	c.step = 3;
	assert_int_equal(store_run(f->store, inv_tx, &c), SESAME_OK);
	c.step = 2;
	assert_int_equal(store_read(f->store, inv_tx, &c), SESAME_ERR_NOT_FOUND);
	c.step = 4; /* expired at its expiry */
	assert_int_equal(store_read(f->store, inv_tx, &c), SESAME_ERR_NOT_FOUND);
	c.step = 6; /* disabled: neither read nor taken */
	assert_int_equal(store_run(f->store, inv_tx, &c), SESAME_OK);
	c.step = 5;
	assert_int_equal(store_run(f->store, inv_tx, &c), SESAME_ERR_NOT_FOUND);
	c.step = 7;
	assert_int_equal(store_run(f->store, inv_tx, &c), SESAME_OK);
	c.step = 5; /* once */
	c.user_id = 0;
	assert_int_equal(store_run(f->store, inv_tx, &c), SESAME_OK);
	assert_int_equal(c.user_id, c.u.id);
	assert_int_equal(store_run(f->store, inv_tx, &c), SESAME_ERR_NOT_FOUND);
	c.step = 1;
	assert_int_equal(store_run(f->store, inv_tx, &c), SESAME_OK);
	c.step = 8; /* purged at its expiry */
	assert_int_equal(store_run(f->store, inv_tx, &c), SESAME_OK);
	c.step = 5;
	assert_int_equal(store_run(f->store, inv_tx, &c), SESAME_ERR_NOT_FOUND);
}

struct src_ctx {
	int step;
	store_source_t s;
	int64_t user_id, expires;
	char name[SESAME_MAX_USERNAME + 1];
};

static int src_tx(store_tx_t *tx, void *arg)
{
	struct src_ctx *c = arg;

	switch (c->step) {
	case 0: { /* the v5 invitation is there */
		unsigned char h[STORE_INVITE_HASH_LEN];
		memset(h, 0x11, sizeof(h));
		return store_invite_get(tx, h, 1900000100, &c->user_id, c->name, &c->expires);
	}
	case 1:
		return store_source_get(tx, "192.0.2.1", &c->s);
	case 2:
		return store_source_set(tx, "192.0.2.1", &c->s);
	case 3:
		return store_source_delete(tx, "192.0.2.1");
	default:
		return SESAME_ERR_INTERNAL;
	}
}

static void test_v5_rows_survive_and_sources(void **state)
{
	struct fixture *f = *state;
	struct src_ctx c;

	/* a version 5 database: the current schema without its v6 table */
	make_v1(f->db);
	assert_int_equal(store_open(f->db, &f->store), SESAME_OK);
	store_close(&f->store);
	exec_on(f->db, "INSERT INTO invitations VALUES (x'1111111111111111111111111111111111111111"
		       "111111111111111111111111', 1, 1900000000, 1900000600);"
		       "DROP TABLE sources;");
	exec_on(f->db, undo_v9);
	exec_on(f->db, undo_v7);
	exec_on(f->db, "PRAGMA user_version = 5");
	assert_int_equal(store_open(f->db, &f->store), SESAME_OK);
	assert_int_equal(user_version(f->db), CURRENT_VERSION);
	memset(&c, 0, sizeof(c));
	assert_int_equal(store_read(f->store, src_tx, &c), SESAME_OK);
	assert_string_equal(c.name, "alice");
	assert_int_equal(c.expires, 1900000600);
	c.step = 1;
	assert_int_equal(store_read(f->store, src_tx, &c), SESAME_ERR_NOT_FOUND);
	c.s.failures = 4;
	c.s.last_failure = 1900000000;
	c.s.locked_until = 1900000060;
	c.step = 2;
	assert_int_equal(store_run(f->store, src_tx, &c), SESAME_OK);
	c.s.failures = 5; /* an upsert */
	assert_int_equal(store_run(f->store, src_tx, &c), SESAME_OK);
	memset(&c.s, 0, sizeof(c.s));
	c.step = 1;
	assert_int_equal(store_read(f->store, src_tx, &c), SESAME_OK);
	assert_int_equal(c.s.failures, 5);
	assert_int_equal(c.s.last_failure, 1900000000);
	assert_int_equal(c.s.locked_until, 1900000060);
	c.step = 3;
	assert_int_equal(store_run(f->store, src_tx, &c), SESAME_OK);
	assert_int_equal(store_run(f->store, src_tx, &c), SESAME_ERR_NOT_FOUND);
}

/* A version 6 database keeps its users (with their throttling columns),
 * sessions and sources; each user's throttling state becomes an
 * account-wide attempts row, and each session proved no factor yet and
 * last proved one when it was made. */
struct v7_ctx {
	store_user_t alice, bob;
	store_attempts_t a, b, carol;
	int a_r, b_r, carol_r;
	store_source_t src;
	store_session_t sess;
	char folded[SESAME_MAX_USERNAME + 1];
};

static int v7_tx(store_tx_t *tx, void *arg)
{
	struct v7_ctx *c = arg;
	unsigned char sid[STORE_SESSION_HASH_LEN];
	int r;

	memset(sid, 0x11, sizeof(sid));
	if ((r = store_user_get(tx, "alice", &c->alice)) != SESAME_OK ||
	    (r = store_user_get(tx, "bob", &c->bob)) != SESAME_OK ||
	    (r = store_source_get(tx, "192.0.2.0", &c->src)) != SESAME_OK ||
	    (r = store_session_get(tx, sid, &c->sess)) != SESAME_OK ||
	    (r = store_user_find_folded(tx, "ALICE", c->folded)) != SESAME_OK)
		return r;
	c->a_r = store_attempts_get(tx, "alice", "*", &c->a);
	c->b_r = store_attempts_get(tx, "bob", "*", &c->b);
	c->carol_r = store_attempts_get(tx, "carol", "*", &c->carol);
	return SESAME_OK;
}

static void test_v6_rows_survive_and_attempts(void **state)
{
	struct fixture *f = *state;
	struct v7_ctx c;

	/* a version 6 database: the current schema without its v7 additions */
	make_v1(f->db);
	assert_int_equal(store_open(f->db, &f->store), SESAME_OK);
	store_close(&f->store);
	exec_on(f->db, undo_v9);
	exec_on(f->db, undo_v7);
	exec_on(f->db, "INSERT INTO users (name, created, locked_until) VALUES ('carol', 1, 5);"
		       "INSERT INTO sessions VALUES (x'1111111111111111111111111111111111111111"
		       "111111111111111111111111', 1, 1700000300, 1700000301, 1700000900, 'done',"
		       " x'2222222222222222222222222222222222222222222222222222222222222222');"
		       "INSERT INTO sources VALUES ('192.0.2.0', 3, 1700000200, 1700000260);"
		       "PRAGMA user_version = 6");
	assert_int_equal(user_version(f->db), 6);
	assert_int_equal(store_open(f->db, &f->store), SESAME_OK);
	assert_int_equal(user_version(f->db), CURRENT_VERSION);

	memset(&c, 0, sizeof(c));
	assert_int_equal(store_read(f->store, v7_tx, &c), SESAME_OK);
	/* the old columns are still there, and were copied */
	assert_int_equal(c.alice.failures, 2);
	assert_int_equal(c.alice.locked_until, 1700000160);
	assert_int_equal(c.a_r, SESAME_OK);
	assert_int_equal(c.a.failures, 2);
	assert_int_equal(c.a.last_failure, 1700000100);
	assert_int_equal(c.a.locked_until, 1700000160);
	/* bob never failed: no row */
	assert_int_equal(c.b_r, SESAME_ERR_NOT_FOUND);
	assert_int_equal(c.b.failures, 0);
	assert_int_equal(c.src.failures, 3);
	assert_int_equal(c.src.locked_until, 1700000260);
	assert_string_equal(c.sess.user, "alice");
	assert_string_equal(c.sess.stage, "done");
	assert_int_equal(c.sess.factors, 0);
	assert_int_equal(c.sess.auth_time, 1700000300);
	/* a locked user with no failure counted is copied too */
	assert_int_equal(c.carol_r, SESAME_OK);
	assert_int_equal(c.carol.failures, 0);
	assert_int_equal(c.carol.locked_until, 5);
	assert_string_equal(c.folded, "alice");
}

/* Daemons started together on a new database file: each opens it (and
 * would migrate it) at once. The version is read under the write lock,
 * so the second finds the schema made, instead of making it again
 * ("table users already exists"). Processes, as the daemons are. */
#define RACE_ROUNDS 20
#define RACE_OPENERS 3

static void test_concurrent_first_open(void **state)
{
	struct fixture *f = *state;

	for (int round = 0; round < RACE_ROUNDS; round++) {
		char name[32], path[512];
		int gate[2];
		pid_t pids[RACE_OPENERS];

		snprintf(name, sizeof(name), "race%d.db", round);
		unit_path(path, sizeof(path), f->dir, name);
		assert_int_equal(pipe(gate), 0);
		for (int i = 0; i < RACE_OPENERS; i++) {
			pids[i] = fork();
			assert_true(pids[i] >= 0);
			if (pids[i] == 0) {
				store_t *s = NULL;
				char c;
				int r;

				close(gate[1]);
				/* start together: when the parent closes the gate */
				while (read(gate[0], &c, 1) < 0 && errno == EINTR)
					;
				r = store_open(path, &s);
				store_close(&s);
				_exit(r == SESAME_OK ? 0 : 1);
			}
		}
		close(gate[0]);
		close(gate[1]);
		for (int i = 0; i < RACE_OPENERS; i++) {
			int status = 0;
			assert_int_equal(waitpid(pids[i], &status, 0), pids[i]);
			if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
				fail_msg("round %d: opener %d failed (status %#x)", round, i,
					 status);
		}
		assert_int_equal(user_version(path), CURRENT_VERSION);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_v1_rows_survive, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_fresh_and_newer, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_user_accessors, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_v2_rows_survive, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_session_accessors, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_v3_rows_survive_and_passkeys, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_v4_rows_survive_and_invitations, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_v5_rows_survive_and_sources, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_v6_rows_survive_and_attempts, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_concurrent_first_open, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
