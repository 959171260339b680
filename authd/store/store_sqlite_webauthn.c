/* The SQLite store's passkeys and WebAuthn challenges (schema 4). */
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "sesame/error.h"
#include "sesame/log.h"
#include "store_sqlite_int.h"

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

int store_webauthn_count(store_tx_t *tx, int64_t user_id, size_t *n)
{
	sqlite3_stmt *st = tx->c->st[ST_WA_HOW_MANY];
	int rc;

	*n = 0;
	sqlite3_bind_int64(st, 1, user_id);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		*n = (size_t)sqlite3_column_int64(st, 0);
	return stmt_end(st, rc, rc == SQLITE_ROW ? SESAME_OK : SESAME_ERR_STORE);
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
	/* A read before the write, in one transaction: the unique index on
	 * credential_id is what holds (a second insert fails); the read only
	 * tells CONFLICT apart. (INSERT ... ON CONFLICT DO NOTHING would spend
	 * an AUTOINCREMENT id on every refusal.) */
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

	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, sign_count);
	sqlite3_bind_int(st, 3, backup_state ? 1 : 0);
	sqlite3_bind_int64(st, 4, now);
	return step_one_row(tx, st);
}

int store_webauthn_rename(store_tx_t *tx, int64_t user_id, int64_t id, const char *name)
{
	sqlite3_stmt *st = tx->c->st[ST_WA_RENAME];

	if (strlen(name) > SESAME_MAX_LABEL)
		return SESAME_ERR_INVALID_ARGUMENT;
	sqlite3_bind_int64(st, 1, user_id);
	sqlite3_bind_int64(st, 2, id);
	sqlite3_bind_text(st, 3, name, -1, SQLITE_STATIC);
	return step_one_row(tx, st);
}

int store_webauthn_delete(store_tx_t *tx, int64_t user_id, int64_t id)
{
	sqlite3_stmt *st = tx->c->st[ST_WA_DELETE];

	sqlite3_bind_int64(st, 1, user_id);
	sqlite3_bind_int64(st, 2, id);
	return step_one_row(tx, st);
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

	*user_id = 0;
	*expires = 0;
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
