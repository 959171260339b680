/* The SQLite store's schema: the statements that made each version, and
 * the migration that brings a database to the current one. */
#include <stdio.h>

#include "store_sqlite.h"

#define STORE_SCHEMA_VERSION 9

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

/* v7: failed attempts per (name, source), the account-wide row being
 * source "*" (seeded from the users' own throttling columns, which stay
 * but are no longer the record); PAM flows spent once; a lookup of a user
 * name with ASCII case folded; and what a web session proved, when. */
static const char *const schema_v7 =
    "CREATE TABLE attempts ("
    " name TEXT NOT NULL," /* as given: a known user or not */
    " source TEXT NOT NULL,"
    " failures INTEGER NOT NULL,"
    " last_failure INTEGER NOT NULL,"
    " locked_until INTEGER NOT NULL,"
    " PRIMARY KEY (name, source)) WITHOUT ROWID;"
    /* no index on last_failure: every failure writes two rows, and the
     * purge that would use it runs once per 1024 failures (a scan) */
    "INSERT INTO attempts (name, source, failures, last_failure, locked_until)"
    " SELECT name, '*', failures, last_failure, locked_until FROM users"
    " WHERE failures > 0 OR locked_until > 0;"
    /* keyed by (expires, id): a token's expiry is sealed with its id, so
     * the pair is as unique as the id, and the purge is a range of the key
     * (one b-tree written per spend, not two) */
    "CREATE TABLE spent_flows ("
    " expires INTEGER NOT NULL,"
    " id BLOB NOT NULL,"
    " PRIMARY KEY (expires, id)) WITHOUT ROWID;"
    "CREATE INDEX users_name_lower ON users(lower(name));"
    "ALTER TABLE sessions ADD COLUMN factors INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE sessions ADD COLUMN auth_time INTEGER NOT NULL DEFAULT 0;"
    "UPDATE sessions SET auth_time = created;";

/* v8: single-use codes of
 * a user, kept as SHA-256 only (recovery codes, one-time login codes;
 * spent by DELETE, whose row count is the verdict), and the terminal
 * hand-off's requests (authd/handoff.c), keyed by the PAM flow id that
 * made them, found by the user code's SHA-256. */
static const char *const schema_v8 =
    "CREATE TABLE user_codes ("
    " user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
    " kind INTEGER NOT NULL," /* 1 recovery, 2 one-time login code */
    " hash BLOB NOT NULL,"
    " created INTEGER NOT NULL,"
    " expires INTEGER NOT NULL," /* 0: never */
    " PRIMARY KEY (user_id, kind, hash)) WITHOUT ROWID;"
    "CREATE TABLE handoffs ("
    " flow_id BLOB PRIMARY KEY,"
    " code_hash BLOB NOT NULL UNIQUE,"
    " user TEXT NOT NULL,"
    " service TEXT NOT NULL,"
    " rhost TEXT NOT NULL,"
    " created INTEGER NOT NULL,"
    " expires INTEGER NOT NULL,"
    " state INTEGER NOT NULL DEFAULT 0," /* 0 waiting, 1 approved, 2 denied, 3 used */
    " number TEXT NOT NULL DEFAULT '',"	 /* shown to the approver, typed at the terminal */
    " approver_rhost TEXT NOT NULL DEFAULT '',"
    " decided INTEGER NOT NULL DEFAULT 0);"
    "CREATE INDEX handoffs_expires ON handoffs(expires);";
/* v9: the OpenID Connect provider (authd/oidc_*.c): its signing keys
 * (private halves sealed), the clients added with sesamectl (secrets as
 * SHA-256 only), authorization requests waiting for a sign-in, grants (what
 * one sign-in gave one client), their codes and tokens (SHA-256 only). A
 * code or a refresh token is spent by a conditional update. */
static const char *const schema_v9 =
    "CREATE TABLE oidc_keys ("
    " kid TEXT PRIMARY KEY,"
    " alg TEXT NOT NULL,"
    " state INTEGER NOT NULL," /* 0 next, 1 current, 2 previous */
    " created INTEGER NOT NULL,"
    " public_jwk TEXT NOT NULL,"
    " sealed BLOB NOT NULL);" /* PKCS#8 DER, sealed (purpose oidc-signing-key, subject kid) */
    "CREATE TABLE oidc_clients ("
    " id TEXT PRIMARY KEY,"
    " secret_hash BLOB," /* SHA-256 of the secret; NULL: a public client */
    " auth_method TEXT NOT NULL,"
    " redirect_uris TEXT NOT NULL," /* one a line */
    " backchannel_logout_uri TEXT NOT NULL,"
    " require TEXT NOT NULL,"
    " signing_alg TEXT NOT NULL,"
    " created INTEGER NOT NULL);"
    "CREATE TABLE oidc_requests ("
    " id_hash BLOB PRIMARY KEY,"
    " params TEXT NOT NULL," /* JSON */
    " expires INTEGER NOT NULL);"
    "CREATE TABLE oidc_grants ("
    " id INTEGER PRIMARY KEY AUTOINCREMENT,"
    " client_id TEXT NOT NULL,"
    " user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
    " sid TEXT NOT NULL,"
    " scope TEXT NOT NULL,"
    " nonce TEXT NOT NULL,"
    " factors INTEGER NOT NULL,"
    " auth_time INTEGER NOT NULL,"
    " created INTEGER NOT NULL,"
    " expires INTEGER NOT NULL,"
    " revoked INTEGER NOT NULL DEFAULT 0);"
    "CREATE INDEX oidc_grants_user ON oidc_grants(user_id);"
    "CREATE INDEX oidc_grants_sid ON oidc_grants(sid);"
    "CREATE TABLE oidc_codes ("
    " code_hash BLOB PRIMARY KEY,"
    " grant_id INTEGER NOT NULL REFERENCES oidc_grants(id) ON DELETE CASCADE,"
    " redirect_uri TEXT NOT NULL,"
    " challenge TEXT NOT NULL,"
    " expires INTEGER NOT NULL,"
    " used INTEGER NOT NULL DEFAULT 0);"
    "CREATE TABLE oidc_tokens ("
    " token_hash BLOB PRIMARY KEY,"
    " grant_id INTEGER NOT NULL REFERENCES oidc_grants(id) ON DELETE CASCADE,"
    " kind INTEGER NOT NULL," /* 1 access, 2 refresh */
    " expires INTEGER NOT NULL,"
    " used INTEGER NOT NULL DEFAULT 0);"
    "CREATE INDEX oidc_tokens_grant ON oidc_tokens(grant_id);"
    "CREATE INDEX oidc_codes_grant ON oidc_codes(grant_id);";

/* What version v adds to version v - 1, for each v from 1. */
static const char *const schemas[STORE_SCHEMA_VERSION + 1] = {
    NULL,      schema_v1, schema_v2, schema_v3, schema_v4,
    schema_v5, schema_v6, schema_v7, schema_v8, schema_v9,
};

/* Under the write lock from the first read of the version: daemons that
 * open a new database together each wait for the lock, and all but the
 * first find it migrated already (reading the version first, then
 * locking, let two of them create the same tables). */
int store_sqlite_migrate(sqlite3 *db)
{
	sqlite3_stmt *st = NULL;
	int version = -1;

	if (exec_sql(db, "BEGIN IMMEDIATE") != SESAME_OK)
		return SESAME_ERR_STORE;
	if (sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		version = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	if (version < 0)
		goto fail;
	if (version > STORE_SCHEMA_VERSION) {
		log_err("store: database schema version %d is newer than this version of Sésame "
			"knows (%d)",
			version, STORE_SCHEMA_VERSION);
		goto fail;
	}
	if (version == STORE_SCHEMA_VERSION) /* nothing written: end the lock */
		return exec_sql(db, "COMMIT");
	for (int v = version + 1; v <= STORE_SCHEMA_VERSION; v++)
		if (exec_sql(db, schemas[v]) != SESAME_OK)
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
