/* The SQLite store's passkeys and WebAuthn challenges (schema 4). */
#include <stdlib.h>
#include <string.h>

#include "sesame/error.h"
#include "sesame/log.h"
#include "store_int.h"

static int webauthn_row(db_stmt_t *st, store_webauthn_t *w)
{
	size_t aaguid_len = 0;
	int r;

	memset(w, 0, sizeof(*w));
	w->id = db_col_int64(st, 0);
	w->user_id = db_col_int64(st, 1);
	if ((r = copy_blob(w->cred_id, sizeof(w->cred_id), &w->cred_id_len, st, 2)) != SESAME_OK ||
	    (r = copy_blob(w->public_key, sizeof(w->public_key), &w->public_key_len, st, 3)) !=
		SESAME_OK ||
	    (r = copy_blob(w->aaguid, sizeof(w->aaguid), &aaguid_len, st, 6)) != SESAME_OK)
		return r;
	w->alg = db_col_int(st, 4);
	w->sign_count = (uint32_t)db_col_int64(st, 5);
	w->backup_eligible = db_col_int(st, 7);
	w->backup_state = db_col_int(st, 8);
	copy_text(w->attestation, sizeof(w->attestation), st, 9);
	copy_text(w->transports, sizeof(w->transports), st, 10);
	copy_text(w->name, sizeof(w->name), st, 11);
	w->created = db_col_int64(st, 12);
	w->last_used = db_col_int64(st, 13);
	return SESAME_OK;
}

int store_webauthn_count(store_tx_t *tx, int64_t user_id, size_t *n)
{
	db_stmt_t *st = tx_stmt(tx, ST_WA_HOW_MANY);
	int rc;

	*n = 0;
	db_bind_int64(st, 1, user_id);
	if ((rc = db_step(st)) == DB_ROW)
		*n = (size_t)db_col_int64(st, 0);
	return stmt_end(st, rc, rc == DB_ROW ? SESAME_OK : SESAME_ERR_STORE);
}

int store_webauthn_list(store_tx_t *tx, int64_t user_id, store_webauthn_t **items, size_t *n)
{
	db_stmt_t *st = tx_stmt(tx, ST_WA_LIST);
	store_webauthn_t *v = NULL;
	size_t count = 0, cap = 0;
	int rc, ok = SESAME_ERR_STORE;

	*items = NULL;
	*n = 0;
	db_bind_int64(st, 1, user_id);
	while ((rc = db_step(st)) == DB_ROW) {
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
	if (rc != DB_DONE) {
		log_err_f("%s", db_error(st));
		ok = SESAME_ERR_STORE;
		goto fail;
	}
	*items = v;
	*n = count;
	v = NULL;
	ok = SESAME_OK;
fail:
	db_reset(st);
	free(v);
	return ok;
}

int store_webauthn_get(store_tx_t *tx, const unsigned char *cred_id, size_t len,
		       store_webauthn_t *out)
{
	db_stmt_t *st = tx_stmt(tx, ST_WA_BY_CRED);
	int rc, ok = SESAME_ERR_STORE;

	if (len == 0 || len > STORE_WA_MAX_CRED_ID)
		return SESAME_ERR_NOT_FOUND;
	db_bind_blob(st, 1, cred_id, len);
	rc = db_step(st);
	if (rc == DB_ROW)
		ok = webauthn_row(st, out);
	else if (rc == DB_DONE)
		ok = SESAME_ERR_NOT_FOUND;
	return stmt_end(st, rc, ok);
}

int store_webauthn_add(store_tx_t *tx, store_webauthn_t *w)
{
	db_stmt_t *st = tx_stmt(tx, ST_WA_INSERT);
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
	db_bind_int64(st, 1, w->user_id);
	db_bind_blob(st, 2, w->cred_id, w->cred_id_len);
	db_bind_blob(st, 3, w->public_key, w->public_key_len);
	db_bind_int64(st, 4, w->alg);
	db_bind_int64(st, 5, w->sign_count);
	db_bind_blob(st, 6, w->aaguid, sizeof(w->aaguid));
	db_bind_int64(st, 7, w->backup_eligible ? 1 : 0);
	db_bind_int64(st, 8, w->backup_state ? 1 : 0);
	db_bind_text(st, 9, w->attestation);
	db_bind_text(st, 10, w->transports);
	db_bind_text(st, 11, w->name);
	db_bind_int64(st, 12, w->created);
	if ((r = step_id(st, &w->id)) != SESAME_OK)
		return r;
	return SESAME_OK;
}

int store_webauthn_used(store_tx_t *tx, int64_t id, uint32_t sign_count, int backup_state,
			int64_t now)
{
	db_stmt_t *st = tx_stmt(tx, ST_WA_COUNT);

	db_bind_int64(st, 1, id);
	db_bind_int64(st, 2, sign_count);
	db_bind_int64(st, 3, backup_state ? 1 : 0);
	db_bind_int64(st, 4, now);
	return step_one_row(st, SESAME_ERR_NOT_FOUND);
}

int store_webauthn_rename(store_tx_t *tx, int64_t user_id, int64_t id, const char *name)
{
	db_stmt_t *st = tx_stmt(tx, ST_WA_RENAME);

	if (strlen(name) > SESAME_MAX_LABEL)
		return SESAME_ERR_INVALID_ARGUMENT;
	db_bind_int64(st, 1, user_id);
	db_bind_int64(st, 2, id);
	db_bind_text(st, 3, name);
	return step_one_row(st, SESAME_ERR_NOT_FOUND);
}

int store_webauthn_delete(store_tx_t *tx, int64_t user_id, int64_t id)
{
	db_stmt_t *st = tx_stmt(tx, ST_WA_DELETE);

	db_bind_int64(st, 1, user_id);
	db_bind_int64(st, 2, id);
	return step_one_row(st, SESAME_ERR_NOT_FOUND);
}

int store_webauthn_challenge_add(store_tx_t *tx, const unsigned char hash[STORE_WA_HASH_LEN],
				 const char *purpose,
				 const unsigned char binding[STORE_WA_HASH_LEN], int64_t user_id,
				 int64_t expires)
{
	db_stmt_t *st = tx_stmt(tx, ST_WA_CHALLENGE_INSERT);

	db_bind_blob(st, 1, hash, STORE_WA_HASH_LEN);
	db_bind_text(st, 2, purpose);
	db_bind_blob(st, 3, binding, STORE_WA_HASH_LEN);
	if (user_id > 0)
		db_bind_int64(st, 4, user_id);
	else
		db_bind_null(st, 4);
	db_bind_int64(st, 5, expires);
	return step_done(st);
}

int store_webauthn_challenge_take(store_tx_t *tx, const unsigned char hash[STORE_WA_HASH_LEN],
				  const char *purpose,
				  const unsigned char binding[STORE_WA_HASH_LEN], int64_t *user_id,
				  int64_t *expires)
{
	db_stmt_t *st = tx_stmt(tx, ST_WA_CHALLENGE_TAKE);
	int rc, ok = SESAME_ERR_NOT_FOUND;

	*user_id = 0;
	*expires = 0;
	db_bind_blob(st, 1, hash, STORE_WA_HASH_LEN);
	db_bind_text(st, 2, purpose);
	db_bind_blob(st, 3, binding, STORE_WA_HASH_LEN);
	while ((rc = db_step(st)) == DB_ROW) {
		*user_id = db_col_int64(st, 0); /* NULL reads as 0 */
		*expires = db_col_int64(st, 1);
		ok = SESAME_OK;
	}
	return stmt_end(st, rc, ok);
}

int store_webauthn_challenge_purge(store_tx_t *tx, int64_t now)
{
	db_stmt_t *st = tx_stmt(tx, ST_WA_CHALLENGE_PURGE);
	db_bind_int64(st, 1, now);
	return step_done(st);
}
