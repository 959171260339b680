/* The SQL of every prepared statement of the store, by id (store_int.h),
 * for both backends: `?N` parameters (PostgreSQL's `$N`), "user" quoted (a
 * keyword in PostgreSQL), 0/1 integers rather than booleans, RETURNING
 * rather than last_insert_rowid(). PostgreSQL types a parameter from its
 * first use: compare it with a column before `?N IS NULL`. */
#include "store_int.h"

/* columns of the OpenID Connect tables, in the order their readers take them */
#define CLIENT_COLUMNS                                                                             \
	"id, secret_hash, auth_method, redirect_uris, backchannel_logout_uri, require,"            \
	" signing_alg, created"

#define GRANT_COLUMNS                                                                              \
	"g.id, g.client_id, g.user_id, u.name, u.disabled, g.sid, g.scope, g.nonce, g.factors,"    \
	" g.auth_time, g.created, g.expires, g.revoked"

const char *const store_statements[ST__COUNT] = {
    [ST_BEGIN] = "BEGIN IMMEDIATE",
    [ST_BEGIN_READ] = "BEGIN",
    [ST_COMMIT] = "COMMIT",
    [ST_ROLLBACK] = "ROLLBACK",
    [ST_SAVEPOINT] = "SAVEPOINT op",
    [ST_ROLLBACK_TO] = "ROLLBACK TO op",
    [ST_RELEASE] = "RELEASE op",
    [ST_USER_GET] =
	"SELECT id, name, created, failures, last_failure, locked_until, last_success,"
	" real_name, CASE WHEN password_hash IS NULL THEN 0 ELSE 1 END, password_changed, disabled"
	" FROM users WHERE name = ?1",
    [ST_USER_INSERT] = "INSERT INTO users (name, created) VALUES (?1, ?2)",
    [ST_USER_THROTTLE] = "UPDATE users SET failures = ?2, last_failure = ?3, locked_until = ?4"
			 " WHERE id = ?1",
    [ST_USER_SUCCESS] = "UPDATE users SET failures = 0, locked_until = 0, last_success = ?2"
			" WHERE id = ?1",
    [ST_USER_ADD] = "INSERT INTO users (name, created, real_name) VALUES (?1, ?2, ?3)"
		    " ON CONFLICT (name) DO NOTHING",
    [ST_USER_PASSWORD] = "UPDATE users SET password_hash = ?2, password_changed = ?3 WHERE id = ?1",
    [ST_USER_PASSWORD_GET] = "SELECT password_hash FROM users WHERE id = ?1",
    [ST_USER_DISABLED] = "UPDATE users SET disabled = ?2 WHERE id = ?1",
    [ST_USER_REAL_NAME] = "UPDATE users SET real_name = ?2 WHERE id = ?1",
    /* a write that changes nothing: two transactions that both make it meet */
    [ST_USER_LOCK] = "UPDATE users SET disabled = disabled WHERE id = ?1",
    [ST_TOTP_LIST] = "SELECT id, user_id, name, algorithm, digits, period, confirmed, created,"
		     " last_used, last_step, seed FROM totp WHERE user_id = ?1 ORDER BY id",
    [ST_TOTP_INSERT] = "INSERT INTO totp (user_id, name, algorithm, digits, period, seed,"
		       " confirmed, created) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) RETURNING id",
    [ST_TOTP_DELETE_PENDING] = "DELETE FROM totp WHERE user_id = ?1 AND confirmed = 0",
    [ST_TOTP_DELETE] = "DELETE FROM totp WHERE user_id = ?1 AND id = ?2",
    [ST_TOTP_RENAME] = "UPDATE totp SET name = ?3 WHERE user_id = ?1 AND id = ?2",
    [ST_TOTP_CONFIRM] = "UPDATE totp SET confirmed = 1, last_step = ?2, last_used = ?3"
			" WHERE id = ?1 AND confirmed = 0",
    [ST_TOTP_CONSUME] = "UPDATE totp SET last_step = ?2, last_used = ?3"
			" WHERE id = ?1 AND confirmed = 1 AND last_step < ?2",
    [ST_AUDIT_INSERT] = "INSERT INTO audit (time, \"user\", service, rhost, factor, result, reason)"
			" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    [ST_AUDIT_LIST] = "SELECT id, time, \"user\", service, rhost, factor, result, reason"
		      " FROM audit ORDER BY id DESC LIMIT ?1",
    [ST_AUDIT_LIST_USER] = "SELECT id, time, \"user\", service, rhost, factor, result, reason"
			   " FROM audit WHERE \"user\" = ?2 ORDER BY id DESC LIMIT ?1",
    [ST_SESSION_INSERT] =
	"INSERT INTO sessions (id_hash, user_id, created, last_seen, expires,"
	" stage, csrf, factors, auth_time) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    [ST_SESSION_GET] =
	"SELECT s.user_id, u.name, u.disabled, s.created, s.last_seen, s.expires,"
	" s.stage, s.csrf, s.factors, s.auth_time FROM sessions s JOIN users u ON u.id = s.user_id"
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
#define HANDOFF_COLUMNS                                                                            \
	"flow_id, \"user\", service, rhost, created, expires, state, number, approver_rhost, "     \
	"decided"
#define WA_COLUMNS                                                                                 \
	"id, user_id, credential_id, public_key, alg, sign_count, aaguid, backup_eligible,"        \
	" backup_state, attestation, transports, name, created, last_used"
    [ST_WA_LIST] = "SELECT " WA_COLUMNS " FROM webauthn_credentials WHERE user_id = ?1 ORDER BY id",
    [ST_WA_HOW_MANY] = "SELECT count(*) FROM webauthn_credentials WHERE user_id = ?1",
    [ST_WA_BY_CRED] = "SELECT " WA_COLUMNS " FROM webauthn_credentials WHERE credential_id = ?1",
    [ST_WA_INSERT] = "INSERT INTO webauthn_credentials (user_id, credential_id, public_key, alg,"
		     " sign_count, aaguid, backup_eligible, backup_state, attestation, transports,"
		     " name, created, last_used)"
		     " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, 0) RETURNING id",
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
    [ST_ATTEMPTS_GET] = "SELECT failures, last_failure, locked_until FROM attempts"
			" WHERE name = ?1 AND source = ?2",
    [ST_ATTEMPTS_SET] = "INSERT INTO attempts (name, source, failures, last_failure, locked_until)"
			" VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (name, source) DO UPDATE SET"
			" failures = ?3, last_failure = ?4, locked_until = ?5",
    [ST_ATTEMPTS_DELETE] = "DELETE FROM attempts WHERE name = ?1 AND source = ?2",
    [ST_ATTEMPTS_CLEAR] = "DELETE FROM attempts WHERE name = ?1",
    [ST_ATTEMPTS_PURGE] = "DELETE FROM attempts WHERE last_failure < ?1 AND locked_until < ?1",
    [ST_ATTEMPTS_LIST] = "SELECT source, failures, last_failure, locked_until FROM attempts"
			 " WHERE name = ?1 ORDER BY last_failure DESC, source LIMIT ?2",
    /* single use: the primary key refuses a second spend */
    [ST_FLOW_SPEND] = "INSERT INTO spent_flows (id, expires) VALUES (?1, ?2)"
		      " ON CONFLICT (expires, id) DO NOTHING",
    [ST_FLOW_PURGE] = "DELETE FROM spent_flows WHERE expires < ?1",
    /* lower() folds ASCII letters only (no ICU): the index users_name_lower */
    [ST_USER_FIND_FOLDED] = "SELECT name FROM users WHERE lower(name) = lower(?1)"
			    " ORDER BY name = ?1 DESC, id LIMIT 1",
    [ST_SESSION_SET_AUTH] = "UPDATE sessions SET factors = ?2, auth_time = ?3 WHERE id_hash = ?1",
    [ST_SESSION_DELETE_USER_EXCEPT] = "DELETE FROM sessions WHERE user_id = ?1"
				      " AND (id_hash <> ?2 OR ?2 IS NULL)",
    /* single-use codes (schema 8): spent by DELETE, its row count the verdict */
    [ST_CODES_DELETE_KIND] = "DELETE FROM user_codes WHERE user_id = ?1 AND kind = ?2",
    [ST_CODES_INSERT] = "INSERT INTO user_codes (user_id, kind, hash, created, expires)"
			" VALUES (?1, ?2, ?3, ?4, ?5)",
    [ST_CODES_TAKE] = "DELETE FROM user_codes WHERE user_id = ?1 AND kind = ?2 AND hash = ?3"
		      " AND (expires = 0 OR expires > ?4)",
    [ST_CODES_COUNT] = "SELECT count(*) FROM user_codes WHERE user_id = ?1 AND kind = ?2"
		       " AND (expires = 0 OR expires > ?3)",
    [ST_CODES_PURGE] = "DELETE FROM user_codes WHERE expires > 0 AND expires < ?1",
    /* terminal hand-off requests (schema 8): decided once, used once */
    [ST_HANDOFF_INSERT] = "INSERT INTO handoffs (flow_id, code_hash, \"user\", service, rhost,"
			  " created, expires) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    [ST_HANDOFF_BY_CODE] = "SELECT " HANDOFF_COLUMNS " FROM handoffs WHERE code_hash = ?1",
    [ST_HANDOFF_BY_FLOW] = "SELECT " HANDOFF_COLUMNS " FROM handoffs WHERE flow_id = ?1",
    [ST_HANDOFF_DECIDE] = "UPDATE handoffs SET state = ?2, number = ?3, approver_rhost = ?4,"
			  " decided = ?5 WHERE flow_id = ?1 AND state = 0 AND expires > ?5",
    [ST_HANDOFF_USE] = "UPDATE handoffs SET state = 3 WHERE flow_id = ?1 AND state = 1"
		       " AND expires > ?2",
    [ST_HANDOFF_PURGE] = "DELETE FROM handoffs WHERE expires < ?1",
#undef HANDOFF_COLUMNS
#undef WA_COLUMNS

    /* the OpenID Connect provider (store_sqlite_oidc.c) */
    [ST_OIDC_KEY_SHIFT] = "DELETE FROM oidc_keys WHERE alg = ?1 AND state = 2",
    [ST_OIDC_KEY_SHIFT_2] = "UPDATE oidc_keys SET state = 2 WHERE alg = ?1 AND state = 1",
    [ST_OIDC_KEY_SHIFT_3] = "UPDATE oidc_keys SET state = 1 WHERE alg = ?1 AND state = 0",
    [ST_OIDC_PURGE] = "DELETE FROM oidc_codes WHERE expires < ?1",
    [ST_OIDC_PURGE_2] = "DELETE FROM oidc_tokens WHERE expires < ?1",
    [ST_OIDC_PURGE_3] = "DELETE FROM oidc_grants WHERE expires < ?1",
    [ST_OIDC_KEY_ADD] = "INSERT INTO oidc_keys (kid, alg, state, created, public_jwk, sealed)"
			" VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    [ST_OIDC_KEY_LIST] = "SELECT kid, alg, state, created, public_jwk, sealed FROM oidc_keys"
			 " ORDER BY alg, state, created",
    [ST_OIDC_CLIENT_ADD] = "INSERT INTO oidc_clients (" CLIENT_COLUMNS ") VALUES"
			   " (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) ON CONFLICT (id) DO NOTHING",
    [ST_OIDC_CLIENT_GET] = "SELECT " CLIENT_COLUMNS " FROM oidc_clients WHERE id = ?1",
    [ST_OIDC_CLIENT_LIST] = "SELECT " CLIENT_COLUMNS " FROM oidc_clients ORDER BY id",
    [ST_OIDC_CLIENT_DELETE] = "DELETE FROM oidc_grants WHERE client_id = ?1",
    [ST_OIDC_CLIENT_DELETE_2] = "DELETE FROM oidc_clients WHERE id = ?1",
    [ST_OIDC_REQUEST_ADD] = "DELETE FROM oidc_requests WHERE expires <= ?1",
    [ST_OIDC_REQUEST_ADD_2] =
	"INSERT INTO oidc_requests (id_hash, params, expires) VALUES (?1, ?2, ?3)",
    [ST_OIDC_REQUEST_TAKE] = "DELETE FROM oidc_requests WHERE id_hash = ?1 AND expires > ?2"
			     " RETURNING params",
    [ST_OIDC_GRANT_ADD] =
	"INSERT INTO oidc_grants (client_id, user_id, sid, scope, nonce, factors,"
	" auth_time, created, expires) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) RETURNING id",
    [ST_OIDC_GRANT_GET] = "SELECT " GRANT_COLUMNS " FROM oidc_grants g JOIN users u"
			  " ON u.id = g.user_id WHERE g.id = ?1",
    [ST_OIDC_GRANT_REVOKE] = "UPDATE oidc_grants SET revoked = 1 WHERE id = ?1",
    [ST_OIDC_GRANT_REVOKE_2] = "DELETE FROM oidc_tokens WHERE grant_id = ?1",
    [ST_OIDC_GRANT_LIST] = "SELECT " GRANT_COLUMNS " FROM oidc_grants g JOIN users u"
			   " ON u.id = g.user_id WHERE g.user_id = ?1"
			   " AND (g.sid = ?2 OR ?2 IS NULL) ORDER BY g.id",
    [ST_OIDC_CODE_ADD] =
	"INSERT INTO oidc_codes (code_hash, grant_id, redirect_uri, challenge, expires)"
	" VALUES (?1, ?2, ?3, ?4, ?5)",
    [ST_OIDC_CODE_TAKE] = "UPDATE oidc_codes SET used = 1 WHERE code_hash = ?1 AND used = 0"
			  " RETURNING grant_id, redirect_uri, challenge, expires",
    [ST_OIDC_CODE_TAKE_2] = "SELECT grant_id FROM oidc_codes WHERE code_hash = ?1",
    [ST_OIDC_TOKEN_ADD] = "INSERT INTO oidc_tokens (token_hash, grant_id, kind, expires)"
			  " VALUES (?1, ?2, ?3, ?4)",
    [ST_OIDC_TOKEN_GET] = "SELECT t.grant_id, t.expires FROM oidc_tokens t JOIN oidc_grants g"
			  " ON g.id = t.grant_id WHERE t.token_hash = ?1 AND t.kind = ?2"
			  " AND t.used = 0 AND t.expires > ?3 AND g.revoked = 0",
    [ST_OIDC_TOKEN_SPEND] = "UPDATE oidc_tokens SET used = 1 WHERE token_hash = ?1 AND kind = 2"
			    " AND used = 0 AND expires > ?2 AND grant_id IN"
			    " (SELECT id FROM oidc_grants WHERE revoked = 0) RETURNING grant_id",
    [ST_OIDC_TOKEN_SPEND_2] = "SELECT grant_id FROM oidc_tokens WHERE token_hash = ?1 AND kind = 2"
			      " AND used = 1",
    [ST_OIDC_TOKEN_DELETE] =
	"DELETE FROM oidc_tokens WHERE token_hash = ?1 RETURNING grant_id, kind",
    [ST_OIDC_KEY_RESEAL] = "UPDATE oidc_keys SET sealed = ?2 WHERE kid = ?1",
};
