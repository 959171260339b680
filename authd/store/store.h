/* The store: users, factors, throttling state and audit events. One
 * interface, two backends: SQLite (store_sqlite_*.c), the embedded
 * default, and PostgreSQL (store_pg_*.c), shared by several daemons.
 * The store knows nothing of policy: callers pass a function that runs
 * inside a transaction; transactions from concurrent callers are grouped
 * into one commit (one fsync) by a single writer thread.
 *
 * The contract between a caller and any backend:
 *
 * - A transaction function (store_fn) may run more than once: a group
 *   commit may be rerun after a conflict, and PostgreSQL's snapshot
 *   transactions are run again on a serialization failure. So it resets its
 *   outputs on entry and has no side effect outside the transaction (no
 *   message sent, no counter in memory, no file written): everything it
 *   does goes through tx, and is undone with it.
 * - A single-use fact (a consumed TOTP step, a WebAuthn challenge, an
 *   invitation, a spent PAM flow) is enforced inside the store, by a
 *   constraint or a conditional write whose row count is the verdict
 *   (INSERT ... ON CONFLICT DO NOTHING, UPDATE ... WHERE ..., DELETE ...
 *   RETURNING, then changes()): never by a caller reading a row and then
 *   writing it. The accessors that do this say so (store_totp_consume,
 *   store_webauthn_challenge_take, store_invite_take, store_flow_spend).
 * - A failed attempt is counted in the same transaction as the verdict,
 *   before the verdict is returned: a caller that gets "wrong code" back
 *   has had the failure recorded, and one that never gets an answer (a
 *   crash, a timeout) has had neither.
 *
 * Accessors return SESAME_OK or a SESAME_ERR_* code; an error other than
 * the ones documented is SESAME_ERR_STORE, and then the caller returns it
 * so that the transaction is rolled back. */
#ifndef AUTHD_STORE_H
#define AUTHD_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "sesame/limits.h"

typedef struct store store_t;
typedef struct store_tx store_tx_t;
typedef int (*store_fn)(store_tx_t *tx, void *arg);

/* Opens (creating if needed) the database and runs schema migrations.
 * database: a libpq URI (postgresql://...) or conninfo (key=value ...)
 * for PostgreSQL, else the path of an SQLite file. */
int store_open(const char *database, store_t **out);
/* sesamectl store copy: every row of every table of from into to, which
 * must be empty (a new database: SESAME_ERR_CONFLICT otherwise), ids and
 * their high-water marks kept; the rows are read back from to in the same
 * transaction and must match the source's count and checksum table by
 * table, or nothing is kept. Then report(arg, table, rows, checksum) for
 * each table. err: why it failed, for a person. */
typedef void (*store_copy_report_fn)(void *arg, const char *table, uint64_t rows,
				     const char *checksum);
int store_copy(store_t *from, store_t *to, store_copy_report_fn report, void *arg, char *err,
	       size_t errsz);
/* The schema version of the database (after store_open: the current one). */
int store_schema_version(store_t *s, int *version);
/* True when database names a PostgreSQL database (store_open). */
int store_is_postgres(const char *database);
/* database as logs may show it: the file, or PostgreSQL's host, port,
 * database and user (never a password). */
void store_describe(const char *database, char *out, size_t outsz);
/* Waits for queued transactions, then closes. */
void store_close(store_t **sp);

/* Runs fn(tx, arg) in a transaction and returns after it committed. When
 * fn returns an error its changes are rolled back and that error is
 * returned; SESAME_ERR_STORE when the commit itself failed (then nothing
 * fn did happened). fn must not block. */
int store_run(store_t *s, store_fn fn, void *arg);

/* Runs fn(tx, arg) in a read-only transaction on one of a few reader
 * connections, concurrently with writes (WAL snapshot isolation): for
 * decisions that usually need no write. Any write in fn fails. */
int store_read(store_t *s, store_fn fn, void *arg);

/* True inside store_read: fn must then leave writing to a store_run. */
int store_tx_readonly(const store_tx_t *tx);

/* Called by fn: this transaction's changes must be on disk (fsync) before
 * store_run returns. Without it a commit survives a crash of the daemon
 * but not necessarily a power loss (SQLite WAL, synchronous=NORMAL). */
void store_tx_durable(store_tx_t *tx);

/* Bytes of a stored password hash (an encoded string such as
 * "$argon2id$v=19$m=65536,t=3,p=1$salt$tag"); longer ones are refused. */
#define STORE_MAX_PASSWORD_HASH 255

typedef struct {
	int64_t id;
	char name[SESAME_MAX_USERNAME + 1];
	char real_name[SESAME_MAX_REAL_NAME + 1];
	int64_t created;
	unsigned failures; /* consecutive */
	int64_t last_failure;
	int64_t locked_until;
	int64_t last_success;
	int has_password;	  /* the hash itself: store_user_password_get */
	int64_t password_changed; /* 0: never set */
	int disabled;
} store_user_t;

int store_user_get(store_tx_t *tx, const char *name, store_user_t *u); /* NOT_FOUND */
int store_user_ensure(store_tx_t *tx, const char *name, int64_t now, store_user_t *u);
/* Creates the record of a new user; SESAME_ERR_CONFLICT when one exists. */
int store_user_add(store_tx_t *tx, const char *name, const char *real_name, int64_t now,
		   store_user_t *u);
/* hash NULL removes the password; changed: when (Unix seconds). */
int store_user_set_password(store_tx_t *tx, int64_t user_id, const char *hash, int64_t changed);
/* The stored hash into out (NUL-terminated); SESAME_ERR_NOT_FOUND when the
 * user has no password. The caller wipes out after use. */
int store_user_password_get(store_tx_t *tx, int64_t user_id, char *out, size_t outsz);
int store_user_set_disabled(store_tx_t *tx, int64_t user_id, int disabled);
int store_user_set_real_name(store_tx_t *tx, int64_t user_id, const char *real_name);
int store_user_set_throttle(store_tx_t *tx, int64_t user_id, unsigned failures,
			    int64_t last_failure, int64_t locked_until);
int store_user_set_success(store_tx_t *tx, int64_t user_id, int64_t now);
/* Writes the user's row without changing it, before a decision over
 * several of the user's rows (is this the last factor? one live
 * invitation): two such transactions cannot then both decide on the same
 * snapshot (PostgreSQL: the second waits, then runs again). NOT_FOUND. */
int store_user_lock(store_tx_t *tx, int64_t user_id);

typedef struct {
	int64_t id;
	int64_t user_id;
	char name[SESAME_MAX_LABEL + 1];
	totp_alg_t alg;
	unsigned digits;
	unsigned period;
	int confirmed;
	int64_t created;
	int64_t last_used;
	int64_t last_step;     /* highest accepted time step, -1 when none */
	unsigned char *sealed; /* sealed seed, owned by the list */
	size_t sealed_len;
} store_totp_t;

/* All TOTP credentials of a user, oldest first; free with store_totp_list_free. */
int store_totp_list(store_tx_t *tx, int64_t user_id, store_totp_t **items, size_t *n);
void store_totp_list_free(store_totp_t **items, size_t n);
int store_totp_add(store_tx_t *tx, const store_totp_t *t, int64_t *id);
int store_totp_delete_pending(store_tx_t *tx, int64_t user_id);
int store_totp_delete(store_tx_t *tx, int64_t user_id, int64_t id); /* NOT_FOUND */
int store_totp_rename(store_tx_t *tx, int64_t user_id, int64_t id,
		      const char *name); /* NOT_FOUND */
int store_totp_confirm(store_tx_t *tx, int64_t id, int64_t step, int64_t now);
/* Records step as used, atomically refusing (SESAME_ERR_REPLAY) a step
 * that is not newer than the last one recorded. */
int store_totp_consume(store_tx_t *tx, int64_t id, int64_t step, int64_t now);

/* Web sessions (schema 3). A session is known by the SHA-256 of its
 * cookie value; the cookie itself is never stored. */
#define STORE_SESSION_HASH_LEN 32
#define STORE_SESSION_CSRF_LEN 32

typedef struct {
	unsigned char id_hash[STORE_SESSION_HASH_LEN];
	int64_t user_id;
	char user[SESAME_MAX_USERNAME + 1]; /* filled by store_session_get */
	int user_disabled;		    /* filled by store_session_get */
	int64_t created;
	int64_t last_seen;
	int64_t expires;   /* absolute */
	char stage[16];	   /* "password", then "done" */
	unsigned factors;  /* schema 7: a bit mask of the factors the sign-in proved */
	int64_t auth_time; /* schema 7: when the user last proved a factor here */
	unsigned char csrf[STORE_SESSION_CSRF_LEN];
} store_session_t;

int store_session_add(store_tx_t *tx, const store_session_t *s);
/* With the user's name and disabled flag; SESAME_ERR_NOT_FOUND. */
int store_session_get(store_tx_t *tx, const unsigned char *id_hash, store_session_t *s);
int store_session_touch(store_tx_t *tx, const unsigned char *id_hash, int64_t last_seen);
/* SESAME_ERR_NOT_FOUND when there was no such session. */
int store_session_delete(store_tx_t *tx, const unsigned char *id_hash);
/* Deletes the sessions whose expires is before now. */
int store_session_purge(store_tx_t *tx, int64_t now);
/* Deletes every session of user_id (signed out everywhere). */
int store_session_delete_user(store_tx_t *tx, int64_t user_id);
/* Sets the factors proved and the time of the last proof. NOT_FOUND. */
int store_session_set_auth(store_tx_t *tx, const unsigned char *id_hash, unsigned factors,
			   int64_t auth_time);
/* Deletes every session of user_id except keep (NULL: all). */
int store_session_delete_user_except(store_tx_t *tx, int64_t user_id,
				     const unsigned char *keep_hash);

/* Passkeys (schema 4). */
#define STORE_WA_HANDLE_LEN 32	  /* users.webauthn_handle: random bytes */
#define STORE_WA_HASH_LEN 32	  /* SHA-256 of a challenge or of a binding cookie */
#define STORE_WA_MAX_CRED_ID 1023 /* WEBAUTHN_MAX_CRED_ID */
#define STORE_WA_MAX_KEY 1024	  /* WEBAUTHN_MAX_COSE_KEY */
#define STORE_WA_MAX_TRANSPORTS 64

typedef struct {
	int64_t id;
	int64_t user_id;
	unsigned char cred_id[STORE_WA_MAX_CRED_ID];
	size_t cred_id_len;
	unsigned char public_key[STORE_WA_MAX_KEY]; /* COSE_Key */
	size_t public_key_len;
	int alg;
	uint32_t sign_count;
	unsigned char aaguid[16];
	int backup_eligible, backup_state;
	char attestation[32];
	char transports[STORE_WA_MAX_TRANSPORTS + 1];
	char name[SESAME_MAX_LABEL + 1];
	int64_t created;
	int64_t last_used; /* 0: never */
} store_webauthn_t;

/* The user's name by id; SESAME_ERR_NOT_FOUND. */
int store_user_name(store_tx_t *tx, int64_t user_id, char name[SESAME_MAX_USERNAME + 1]);
/* The user's WebAuthn handle; SESAME_ERR_NOT_FOUND when none was made yet. */
int store_user_handle_get(store_tx_t *tx, int64_t user_id,
			  unsigned char handle[STORE_WA_HANDLE_LEN]);
/* Sets the handle of a user who has none (SESAME_ERR_CONFLICT otherwise). */
int store_user_handle_set(store_tx_t *tx, int64_t user_id,
			  const unsigned char handle[STORE_WA_HANDLE_LEN]);
/* The user id of a handle; SESAME_ERR_NOT_FOUND. */
int store_user_by_handle(store_tx_t *tx, const unsigned char *handle, size_t len, int64_t *user_id);

/* How many passkeys a user has (without reading them). */
int store_webauthn_count(store_tx_t *tx, int64_t user_id, size_t *n);
/* A user's passkeys, oldest first; free() *items. */
int store_webauthn_list(store_tx_t *tx, int64_t user_id, store_webauthn_t **items, size_t *n);
/* The passkey of a credential id, whoever owns it; SESAME_ERR_NOT_FOUND. */
int store_webauthn_get(store_tx_t *tx, const unsigned char *cred_id, size_t len,
		       store_webauthn_t *out);
/* Adds w (its id is set); SESAME_ERR_CONFLICT when the credential id is
 * registered already. */
int store_webauthn_add(store_tx_t *tx, store_webauthn_t *w);
int store_webauthn_used(store_tx_t *tx, int64_t id, uint32_t sign_count, int backup_state,
			int64_t now);
/* SESAME_ERR_NOT_FOUND when user_id has no passkey id. */
int store_webauthn_rename(store_tx_t *tx, int64_t user_id, int64_t id, const char *name);
int store_webauthn_delete(store_tx_t *tx, int64_t user_id, int64_t id);

/* Challenges: only their SHA-256 is kept. binding: the SHA-256 of the
 * session (or pre-session) cookie the challenge was issued to. */
int store_webauthn_challenge_add(store_tx_t *tx, const unsigned char hash[STORE_WA_HASH_LEN],
				 const char *purpose,
				 const unsigned char binding[STORE_WA_HASH_LEN], int64_t user_id,
				 int64_t expires);
/* Deletes and returns the challenge (single use): user_id (0: none) and
 * expires. SESAME_ERR_NOT_FOUND: no such challenge for this purpose and
 * binding (never issued, used already, or purged). */
int store_webauthn_challenge_take(store_tx_t *tx, const unsigned char hash[STORE_WA_HASH_LEN],
				  const char *purpose,
				  const unsigned char binding[STORE_WA_HASH_LEN], int64_t *user_id,
				  int64_t *expires);
/* Deletes the challenges whose expires is before now. */
int store_webauthn_challenge_purge(store_tx_t *tx, int64_t now);

typedef struct {
	int64_t id;
	int64_t time;
	char user[SESAME_MAX_USERNAME + 1];
	char service[SESAME_MAX_SERVICE + 1];
	char rhost[SESAME_MAX_RHOST + 1];
	char factor[16];
	char result[16];
	char reason[32];
} store_audit_t;

int store_audit_add(store_tx_t *tx, const store_audit_t *e);
/* Newest first; user may be NULL for all users. Free *events with free(). */
int store_audit_list(store_tx_t *tx, const char *user, unsigned limit, store_audit_t **events,
		     size_t *n);

/* Enrollment invitations (schema 5): only the SHA-256 of the link's
 * token is kept; at most one live invitation per user. */
#define STORE_INVITE_HASH_LEN 32

/* Records an invitation of user_id, replacing any other of theirs. */
int store_invite_add(store_tx_t *tx, const unsigned char hash[STORE_INVITE_HASH_LEN],
		     int64_t user_id, int64_t created, int64_t expires);
/* The live invitation of hash (unexpired at now, its user not disabled):
 * the user's id and name, the expiry; SESAME_ERR_NOT_FOUND otherwise. */
int store_invite_get(store_tx_t *tx, const unsigned char hash[STORE_INVITE_HASH_LEN], int64_t now,
		     int64_t *user_id, char user[SESAME_MAX_USERNAME + 1], int64_t *expires);
/* Deletes and returns the live invitation of hash (single use);
 * SESAME_ERR_NOT_FOUND when there is none. */
int store_invite_take(store_tx_t *tx, const unsigned char hash[STORE_INVITE_HASH_LEN], int64_t now,
		      int64_t *user_id);
/* Deletes the invitations whose expiry is at or before now. */
int store_invite_purge(store_tx_t *tx, int64_t now);

/* Master key rotation: the sealed TOTP seeds, by id. fn is called for
 * each of at most limit rows with id > after_id, in id order (with the
 * owner's name, which the seal binds); a non-OK return stops the page and
 * is returned. Nothing may be written from fn. */
typedef int (*store_sealed_fn)(void *arg, int64_t id, const char *user, const unsigned char *sealed,
			       size_t len);
int store_totp_sealed_page(store_tx_t *tx, int64_t after_id, unsigned limit, store_sealed_fn fn,
			   void *arg);
/* Replaces the sealed seed of credential id (re-sealed under a newer key). */
int store_totp_reseal(store_tx_t *tx, int64_t id, const unsigned char *sealed, size_t len);

/* Failures per source (schema 6), keyed by authd/source.c's key. */
typedef struct {
	unsigned failures;
	int64_t last_failure;
	int64_t locked_until;
} store_source_t;

int store_source_get(store_tx_t *tx, const char *source, store_source_t *out); /* NOT_FOUND */
int store_source_set(store_tx_t *tx, const char *source, const store_source_t *s);
int store_source_delete(store_tx_t *tx, const char *source); /* NOT_FOUND */

/* Failed attempts per (name, source) (schema 7): name is the user name as
 * given (known or not); source is authd/source.c's key of the client
 * address, "local" for local logins, or "*" for the account-wide row. */
typedef struct {
	unsigned failures; /* consecutive */
	int64_t last_failure;
	int64_t locked_until; /* 0: not locked */
} store_attempts_t;
/* *out zeroed and SESAME_ERR_NOT_FOUND when there is no row. */
int store_attempts_get(store_tx_t *tx, const char *name, const char *source, store_attempts_t *out);
/* Insert or replace the row (INSERT ... ON CONFLICT(name, source) DO UPDATE). */
int store_attempts_set(store_tx_t *tx, const char *name, const char *source,
		       const store_attempts_t *a);
/* Deletes the row (name, source); SESAME_OK whether or not it existed. */
int store_attempts_delete(store_tx_t *tx, const char *name, const char *source);
/* Deletes every row of name (an administrator's unlock). */
int store_attempts_clear(store_tx_t *tx, const char *name);
/* Deletes rows whose last_failure and locked_until are both before `before`. */
int store_attempts_purge(store_tx_t *tx, int64_t before);
/* The rows of name, newest failure first, at most limit; free(*items).
 * limit 0: none. A source longer than 63 bytes is listed cut. */
typedef struct {
	char source[64];
	store_attempts_t a;
} store_attempts_row_t;
int store_attempts_list(store_tx_t *tx, const char *name, unsigned limit,
			store_attempts_row_t **items, size_t *n);

/* PAM flows that reached a verdict (schema 7): a flow token is spent once. */
#define STORE_FLOW_ID_LEN 16
/* Records id as spent until expires: SESAME_OK the first time,
 * SESAME_ERR_REPLAY when it was spent already (INSERT ... ON CONFLICT DO
 * NOTHING, then changes()). */
int store_flow_spend(store_tx_t *tx, const unsigned char id[STORE_FLOW_ID_LEN], int64_t expires);
/* Forgets spent ids whose expiry is before now. */
int store_flow_purge(store_tx_t *tx, int64_t now);

/* A user whose name equals name when ASCII letters are folded to lower
 * case (schema 7 adds an index on lower(name)): its exact name into
 * canonical; SESAME_ERR_NOT_FOUND when there is none. When several names
 * fold alike, name itself if it is one of them, else the oldest. */
int store_user_find_folded(store_tx_t *tx, const char *name,
			   char canonical[SESAME_MAX_USERNAME + 1]);

/* Single-use codes of a user (schema 8), kept as SHA-256 only. */
typedef enum { STORE_CODE_RECOVERY = 1, STORE_CODE_LOGIN = 2 } store_code_kind_t;
#define STORE_CODE_HASH_LEN 32
/* Replaces every code of kind of the user by the n given (hashes). */
int store_codes_replace(store_tx_t *tx, int64_t user_id, store_code_kind_t kind,
			const unsigned char (*hashes)[STORE_CODE_HASH_LEN], size_t n,
			int64_t created, int64_t expires);
/* Spends one code: SESAME_OK when it was there (unexpired) and is now
 * gone, SESAME_ERR_NOT_FOUND otherwise (DELETE, then changes()). */
int store_codes_take(store_tx_t *tx, int64_t user_id, store_code_kind_t kind,
		     const unsigned char hash[STORE_CODE_HASH_LEN], int64_t now);
/* How many unexpired codes of kind the user has. */
int store_codes_count(store_tx_t *tx, int64_t user_id, store_code_kind_t kind, int64_t now,
		      unsigned *n);
/* Forgets expired codes. */
int store_codes_purge(store_tx_t *tx, int64_t now);

/* Terminal hand-off requests (schema 8), keyed by the PAM flow id. */
typedef enum {
	STORE_HANDOFF_WAITING = 0,
	STORE_HANDOFF_APPROVED = 1,
	STORE_HANDOFF_DENIED = 2,
	STORE_HANDOFF_USED = 3,
} store_handoff_state_t;
#define STORE_HANDOFF_NUMBER_MAX 8
typedef struct {
	unsigned char flow_id[STORE_FLOW_ID_LEN];
	char user[SESAME_MAX_USERNAME + 1];
	char service[SESAME_MAX_SERVICE + 1];
	char rhost[SESAME_MAX_RHOST + 1];
	int64_t created, expires;
	store_handoff_state_t state;
	char number[STORE_HANDOFF_NUMBER_MAX + 1];
	char approver_rhost[SESAME_MAX_RHOST + 1];
	int64_t decided;
} store_handoff_t;
int store_handoff_add(store_tx_t *tx, const store_handoff_t *h,
		      const unsigned char code_hash[STORE_CODE_HASH_LEN]);
/* SESAME_ERR_NOT_FOUND when there is none. */
int store_handoff_by_code(store_tx_t *tx, const unsigned char code_hash[STORE_CODE_HASH_LEN],
			  store_handoff_t *out);
int store_handoff_by_flow(store_tx_t *tx, const unsigned char flow_id[STORE_FLOW_ID_LEN],
			  store_handoff_t *out);
/* Approves or denies a waiting, unexpired request once: SESAME_OK, or
 * SESAME_ERR_CONFLICT when it was decided already or expired (UPDATE ...
 * WHERE state = waiting, then changes()). */
int store_handoff_decide(store_tx_t *tx, const unsigned char flow_id[STORE_FLOW_ID_LEN],
			 store_handoff_state_t state, const char *number,
			 const char *approver_rhost, int64_t now);
/* Uses an approved, unexpired request once: SESAME_OK, or
 * SESAME_ERR_CONFLICT (UPDATE ... WHERE state = approved, then changes()). */
int store_handoff_use(store_tx_t *tx, const unsigned char flow_id[STORE_FLOW_ID_LEN], int64_t now);
/* Forgets requests that expired before `before`. */
int store_handoff_purge(store_tx_t *tx, int64_t before);
/* The OpenID Connect provider (schema 9, store_sqlite_oidc.c). */
#define STORE_OIDC_HASH_LEN OIDC_HASH_LEN /* SHA-256 of a code, token or request id */
#define STORE_OIDC_MAX_KID 32		  /* key ids */
#define STORE_OIDC_MAX_JWK 1024		  /* a public JWK as JSON text */
#define STORE_OIDC_MAX_SEALED 4096	  /* a sealed private key */
#define STORE_OIDC_MAX_CLIENT_ID OIDC_MAX_CLIENT_ID
#define STORE_OIDC_MAX_URI OIDC_MAX_URI	  /* a redirect or logout URI */
#define STORE_OIDC_MAX_URIS OIDC_MAX_URIS /* redirect URIs of a client */
#define STORE_OIDC_MAX_SCOPE 256	  /* granted scope */
#define STORE_OIDC_MAX_NONCE 256	  /* nonce of an authorization request */
#define STORE_OIDC_MAX_SID 32		  /* session id sent in ID tokens */
#define STORE_OIDC_MAX_CHALLENGE 128	  /* PKCE code_challenge */
#define STORE_OIDC_MAX_PARAMS 4096	  /* an authorization request waiting for a sign-in */

typedef enum {
	STORE_OIDC_KEY_NEXT = 0,
	STORE_OIDC_KEY_CURRENT = 1,
	STORE_OIDC_KEY_PREVIOUS = 2
} store_oidc_key_state_t;

typedef struct {
	char kid[STORE_OIDC_MAX_KID + 1];
	char alg[8];
	int state; /* store_oidc_key_state_t */
	int64_t created;
	char public_jwk[STORE_OIDC_MAX_JWK + 1];
	unsigned char sealed[STORE_OIDC_MAX_SEALED];
	size_t sealed_len;
} store_oidc_key_t;

int store_oidc_key_add(store_tx_t *tx, const store_oidc_key_t *k);
/* Every key, by algorithm then state; free(*items). */
int store_oidc_key_list(store_tx_t *tx, store_oidc_key_t **items, size_t *n);
/* Rotation of alg's keys: the previous key goes, the current one becomes
 * the previous, the next one the current (the caller adds a new next). */
int store_oidc_key_shift(store_tx_t *tx, const char *alg);
/* The sealed private key of kid replaced (a master key rotation's re-sealing). */
int store_oidc_key_reseal(store_tx_t *tx, const char *kid, const unsigned char *sealed, size_t len);

typedef oidc_client_conf_t store_oidc_client_t; /* oidc_config.h */

/* SESAME_ERR_CONFLICT when the id is taken. */
int store_oidc_client_add(store_tx_t *tx, const store_oidc_client_t *c);
int store_oidc_client_get(store_tx_t *tx, const char *id, store_oidc_client_t *c); /* NOT_FOUND */
/* By id; free(*items). */
int store_oidc_client_list(store_tx_t *tx, store_oidc_client_t **items, size_t *n);
/* Deletes the client and its grants (their codes and tokens). NOT_FOUND. */
int store_oidc_client_delete(store_tx_t *tx, const char *id);

/* Authorization requests waiting for a sign-in, by the SHA-256 of the id
 * the browser's cookie holds; adding one deletes those expired at now.
 * take: single use (DELETE ... RETURNING). */
int store_oidc_request_add(store_tx_t *tx, const unsigned char hash[STORE_OIDC_HASH_LEN],
			   const char *params, int64_t now, int64_t expires);
/* params (NUL-terminated) into out; SESAME_ERR_NOT_FOUND when there is no
 * live request of hash (never made, taken, or expired at now). */
int store_oidc_request_take(store_tx_t *tx, const unsigned char hash[STORE_OIDC_HASH_LEN],
			    int64_t now, char *out, size_t outsz);

/* What one sign-in gave one client: its codes and tokens hang from it. */
typedef struct {
	int64_t id;
	char client_id[STORE_OIDC_MAX_CLIENT_ID + 1];
	int64_t user_id;
	char user[SESAME_MAX_USERNAME + 1]; /* filled by the reads */
	int user_disabled;		    /* filled by the reads */
	char sid[STORE_OIDC_MAX_SID + 1];
	char scope[STORE_OIDC_MAX_SCOPE + 1];
	char nonce[STORE_OIDC_MAX_NONCE + 1];
	unsigned factors;
	int64_t auth_time;
	int64_t created;
	int64_t expires; /* the refresh tokens' end */
	int revoked;
} store_oidc_grant_t;

int store_oidc_grant_add(store_tx_t *tx, store_oidc_grant_t *g);	     /* sets g->id */
int store_oidc_grant_get(store_tx_t *tx, int64_t id, store_oidc_grant_t *g); /* NOT_FOUND */
/* Revokes grant id: no token of it is accepted any more (they are deleted). */
int store_oidc_grant_revoke(store_tx_t *tx, int64_t id);
/* The grants of a user (sid NULL) or of one session id, revoked or not
 * (a client whose tokens were revoked may still hold a session), until
 * they expire: for logout. free(*items). */
int store_oidc_grant_list(store_tx_t *tx, int64_t user_id, const char *sid,
			  store_oidc_grant_t **items, size_t *n);
/* Deletes the grants, codes and tokens that expired before now. */
int store_oidc_purge(store_tx_t *tx, int64_t now);

int store_oidc_code_add(store_tx_t *tx, const unsigned char hash[STORE_OIDC_HASH_LEN],
			int64_t grant_id, const char *redirect_uri, const char *challenge,
			int64_t expires);
/* Spends a code (UPDATE ... WHERE used = 0, single use): its grant,
 * redirect URI (STORE_OIDC_MAX_URI + 1 bytes), challenge
 * (STORE_OIDC_MAX_CHALLENGE + 1) and expiry. SESAME_ERR_REPLAY with
 * *grant_id when it was spent before; SESAME_ERR_NOT_FOUND when unknown. */
int store_oidc_code_take(store_tx_t *tx, const unsigned char hash[STORE_OIDC_HASH_LEN],
			 int64_t *grant_id, char *redirect_uri, char *challenge, int64_t *expires);

#define STORE_OIDC_ACCESS 1
#define STORE_OIDC_REFRESH 2
int store_oidc_token_add(store_tx_t *tx, const unsigned char hash[STORE_OIDC_HASH_LEN],
			 int64_t grant_id, int kind, int64_t expires);
/* A live token of kind (unused, unexpired at now, of a grant not revoked):
 * its grant. SESAME_ERR_NOT_FOUND otherwise. */
int store_oidc_token_get(store_tx_t *tx, const unsigned char hash[STORE_OIDC_HASH_LEN], int kind,
			 int64_t now, int64_t *grant_id, int64_t *expires);
/* Spends a refresh token (UPDATE ... WHERE used = 0): its grant.
 * SESAME_ERR_REPLAY with *grant_id when it was spent before (a reuse);
 * SESAME_ERR_NOT_FOUND when unknown, expired or revoked. */
int store_oidc_token_spend(store_tx_t *tx, const unsigned char hash[STORE_OIDC_HASH_LEN],
			   int64_t now, int64_t *grant_id);
/* Deletes one token (revocation); its grant and kind into the outputs
 * (either may be NULL). SESAME_ERR_NOT_FOUND. */
int store_oidc_token_delete(store_tx_t *tx, const unsigned char hash[STORE_OIDC_HASH_LEN],
			    int64_t *grant_id, int *kind);

#endif
