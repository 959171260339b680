/* The SQLite store's OpenID Connect tables (schema 9): signing keys,
 * clients, waiting authorization requests, grants, codes and tokens. The
 * statements are in the shared list (store_statements.c). */
#include <stdio.h>

#include "store_int.h"

/* After the row of an UPDATE/DELETE ... RETURNING was read: the statement
 * run to its end (the change is made then), then reset. */
static int returned(db_stmt_t *st)
{
	int rc = db_step(st);

	return stmt_end(st, rc, rc == DB_DONE ? SESAME_OK : SESAME_ERR_STORE);
}

/* A conditional spend changed nothing: SESAME_ERR_REPLAY (with the row's
 * grant) when the code or token was spent before, SESAME_ERR_NOT_FOUND when
 * there is none. */
static int spent_before(store_tx_t *tx, int id, const unsigned char hash[STORE_OIDC_HASH_LEN],
			int64_t *grant_id)
{
	db_stmt_t *st = tx_stmt(tx, id);
	int rc;

	db_bind_blob(st, 1, hash, STORE_OIDC_HASH_LEN);
	rc = db_step(st);
	if (rc == DB_ROW)
		*grant_id = db_col_int64(st, 0);
	return stmt_end(st, rc, rc == DB_ROW ? SESAME_ERR_REPLAY : SESAME_ERR_NOT_FOUND);
}

/* ---- keys ---- */

int store_oidc_key_add(store_tx_t *tx, const store_oidc_key_t *k)
{
	db_stmt_t *st = tx_stmt(tx, ST_OIDC_KEY_ADD);
	db_bind_text(st, 1, k->kid);
	db_bind_text(st, 2, k->alg);
	db_bind_int64(st, 3, k->state);
	db_bind_int64(st, 4, k->created);
	db_bind_text(st, 5, k->public_jwk);
	db_bind_blob(st, 6, k->sealed, k->sealed_len);
	return step_done(st);
}

int store_oidc_key_list(store_tx_t *tx, store_oidc_key_t **items, size_t *n)
{
	store_oidc_key_t *v = NULL, *nv;
	size_t cap = 0, count = 0;
	db_stmt_t *st;
	int rc, r = SESAME_OK;

	*items = NULL;
	*n = 0;
	st = tx_stmt(tx, ST_OIDC_KEY_LIST);
	while ((rc = db_step(st)) == DB_ROW) {
		store_oidc_key_t *k;
		if (count == cap) {
			if ((nv = grow_array(v, &cap, sizeof(*v))) == NULL) {
				r = SESAME_ERR_NOMEM;
				break;
			}
			v = nv;
		}
		k = &v[count];
		memset(k, 0, sizeof(*k));
		copy_text(k->kid, sizeof(k->kid), st, 0);
		copy_text(k->alg, sizeof(k->alg), st, 1);
		k->state = db_col_int(st, 2);
		k->created = db_col_int64(st, 3);
		copy_text(k->public_jwk, sizeof(k->public_jwk), st, 4);
		if (copy_blob(k->sealed, sizeof(k->sealed), &k->sealed_len, st, 5) != SESAME_OK)
			continue; /* not ours: skipped */
		count++;
	}
	r = stmt_end(st, rc, r);
	if (r != SESAME_OK) {
		free(v);
		return r;
	}
	*items = v;
	*n = count;
	return SESAME_OK;
}

int store_oidc_key_shift(store_tx_t *tx, const char *alg)
{
	static const int sql[] = {ST_OIDC_KEY_SHIFT, ST_OIDC_KEY_SHIFT_2, ST_OIDC_KEY_SHIFT_3};
	db_stmt_t *st;
	int r;

	for (size_t i = 0; i < sizeof(sql) / sizeof(sql[0]); i++) {
		st = tx_stmt(tx, sql[i]);
		db_bind_text(st, 1, alg);
		if ((r = step_done(st)) != SESAME_OK)
			return r;
	}
	return SESAME_OK;
}

int store_oidc_key_reseal(store_tx_t *tx, const char *kid, const unsigned char *sealed, size_t len)
{
	db_stmt_t *st = tx_stmt(tx, ST_OIDC_KEY_RESEAL);

	db_bind_text(st, 1, kid);
	db_bind_blob(st, 2, sealed, len);
	return step_done(st);
}

/* ---- clients ---- */

static void client_row(db_stmt_t *st, store_oidc_client_t *c)
{
	char uris[STORE_OIDC_MAX_URIS * (STORE_OIDC_MAX_URI + 1) + 1];
	char *save = NULL;
	size_t n;

	memset(c, 0, sizeof(*c));
	copy_text(c->id, sizeof(c->id), st, 0);
	c->has_secret = !db_col_null(st, 1) &&
			copy_blob(c->secret_hash, sizeof(c->secret_hash), &n, st, 1) == SESAME_OK &&
			n == STORE_OIDC_HASH_LEN;
	copy_text(c->auth_method, sizeof(c->auth_method), st, 2);
	copy_text(uris, sizeof(uris), st, 3);
	for (char *u = strtok_r(uris, "\n", &save); u && c->n_redirect_uris < STORE_OIDC_MAX_URIS;
	     u = strtok_r(NULL, "\n", &save))
		snprintf(c->redirect_uris[c->n_redirect_uris++], sizeof(c->redirect_uris[0]), "%s",
			 u);
	copy_text(c->backchannel_logout_uri, sizeof(c->backchannel_logout_uri), st, 4);
	copy_text(c->require, sizeof(c->require), st, 5);
	copy_text(c->signing_alg, sizeof(c->signing_alg), st, 6);
	c->created = db_col_int64(st, 7);
}

int store_oidc_client_add(store_tx_t *tx, const store_oidc_client_t *c)
{
	char uris[STORE_OIDC_MAX_URIS * (STORE_OIDC_MAX_URI + 1) + 1];
	size_t used = 0;
	db_stmt_t *st;

	uris[0] = '\0';
	for (size_t i = 0; i < c->n_redirect_uris && i < STORE_OIDC_MAX_URIS; i++) {
		int k = snprintf(uris + used, sizeof(uris) - used, "%s%s", i ? "\n" : "",
				 c->redirect_uris[i]);
		if (k < 0 || (size_t)k >= sizeof(uris) - used)
			return SESAME_ERR_INVALID_ARGUMENT;
		used += (size_t)k;
	}
	st = tx_stmt(tx, ST_OIDC_CLIENT_ADD);
	db_bind_text(st, 1, c->id);
	if (c->has_secret)
		db_bind_blob(st, 2, c->secret_hash, STORE_OIDC_HASH_LEN);
	else
		db_bind_null(st, 2);
	db_bind_text(st, 3, c->auth_method);
	db_bind_text(st, 4, uris);
	db_bind_text(st, 5, c->backchannel_logout_uri);
	db_bind_text(st, 6, c->require);
	db_bind_text(st, 7, c->signing_alg);
	db_bind_int64(st, 8, c->created);
	return step_one_row(st, SESAME_ERR_CONFLICT);
}

int store_oidc_client_get(store_tx_t *tx, const char *id, store_oidc_client_t *c)
{
	db_stmt_t *st = tx_stmt(tx, ST_OIDC_CLIENT_GET);
	int rc;

	db_bind_text(st, 1, id);
	rc = db_step(st);
	if (rc == DB_ROW)
		client_row(st, c);
	return row_end(st, rc);
}

int store_oidc_client_list(store_tx_t *tx, store_oidc_client_t **items, size_t *n)
{
	store_oidc_client_t *v = NULL, *nv;
	size_t cap = 0, count = 0;
	db_stmt_t *st;
	int rc, r = SESAME_OK;

	*items = NULL;
	*n = 0;
	st = tx_stmt(tx, ST_OIDC_CLIENT_LIST);
	while ((rc = db_step(st)) == DB_ROW) {
		if (count == cap) {
			if ((nv = grow_array(v, &cap, sizeof(*v))) == NULL) {
				r = SESAME_ERR_NOMEM;
				break;
			}
			v = nv;
		}
		client_row(st, &v[count++]);
	}
	r = stmt_end(st, rc, r);
	if (r != SESAME_OK) {
		free(v);
		return r;
	}
	*items = v;
	*n = count;
	return SESAME_OK;
}

int store_oidc_client_delete(store_tx_t *tx, const char *id)
{
	db_stmt_t *st;
	int r;

	st = tx_stmt(tx, ST_OIDC_CLIENT_DELETE);
	db_bind_text(st, 1, id);
	if ((r = step_done(st)) != SESAME_OK)
		return r;
	st = tx_stmt(tx, ST_OIDC_CLIENT_DELETE_2);
	db_bind_text(st, 1, id);
	return step_one_row(st, SESAME_ERR_NOT_FOUND);
}

/* ---- authorization requests waiting for a sign-in ---- */

int store_oidc_request_add(store_tx_t *tx, const unsigned char hash[STORE_OIDC_HASH_LEN],
			   const char *params, int64_t now, int64_t expires)
{
	db_stmt_t *st = tx_stmt(tx, ST_OIDC_REQUEST_ADD);
	int r;

	db_bind_int64(st, 1, now); /* the expired ones go at each new one */
	if ((r = step_done(st)) != SESAME_OK)
		return r;
	st = tx_stmt(tx, ST_OIDC_REQUEST_ADD_2);
	db_bind_blob(st, 1, hash, STORE_OIDC_HASH_LEN);
	db_bind_text(st, 2, params);
	db_bind_int64(st, 3, expires);
	return step_done(st);
}

int store_oidc_request_take(store_tx_t *tx, const unsigned char hash[STORE_OIDC_HASH_LEN],
			    int64_t now, char *out, size_t outsz)
{
	db_stmt_t *st = tx_stmt(tx, ST_OIDC_REQUEST_TAKE);
	int rc;

	db_bind_blob(st, 1, hash, STORE_OIDC_HASH_LEN);
	db_bind_int64(st, 2, now);
	rc = db_step(st);
	if (rc == DB_ROW) {
		copy_text(out, outsz, st, 0);
		return returned(st);
	}
	return row_end(st, rc);
}

/* ---- grants ---- */

static void grant_row(db_stmt_t *st, store_oidc_grant_t *g)
{
	memset(g, 0, sizeof(*g));
	g->id = db_col_int64(st, 0);
	copy_text(g->client_id, sizeof(g->client_id), st, 1);
	g->user_id = db_col_int64(st, 2);
	copy_text(g->user, sizeof(g->user), st, 3);
	g->user_disabled = db_col_int(st, 4) != 0;
	copy_text(g->sid, sizeof(g->sid), st, 5);
	copy_text(g->scope, sizeof(g->scope), st, 6);
	copy_text(g->nonce, sizeof(g->nonce), st, 7);
	g->factors = (unsigned)db_col_int64(st, 8);
	g->auth_time = db_col_int64(st, 9);
	g->created = db_col_int64(st, 10);
	g->expires = db_col_int64(st, 11);
	g->revoked = db_col_int(st, 12) != 0;
}

int store_oidc_grant_add(store_tx_t *tx, store_oidc_grant_t *g)
{
	db_stmt_t *st = tx_stmt(tx, ST_OIDC_GRANT_ADD);
	int r;

	db_bind_text(st, 1, g->client_id);
	db_bind_int64(st, 2, g->user_id);
	db_bind_text(st, 3, g->sid);
	db_bind_text(st, 4, g->scope);
	db_bind_text(st, 5, g->nonce);
	db_bind_int64(st, 6, g->factors);
	db_bind_int64(st, 7, g->auth_time);
	db_bind_int64(st, 8, g->created);
	db_bind_int64(st, 9, g->expires);
	if ((r = step_id(st, &g->id)) != SESAME_OK)
		return r;
	return SESAME_OK;
}

int store_oidc_grant_get(store_tx_t *tx, int64_t id, store_oidc_grant_t *g)
{
	db_stmt_t *st = tx_stmt(tx, ST_OIDC_GRANT_GET);
	int rc;

	db_bind_int64(st, 1, id);
	rc = db_step(st);
	if (rc == DB_ROW)
		grant_row(st, g);
	return row_end(st, rc);
}

int store_oidc_grant_revoke(store_tx_t *tx, int64_t id)
{
	db_stmt_t *st = tx_stmt(tx, ST_OIDC_GRANT_REVOKE);
	int r;

	db_bind_int64(st, 1, id);
	if ((r = step_done(st)) != SESAME_OK)
		return r;
	st = tx_stmt(tx, ST_OIDC_GRANT_REVOKE_2);
	db_bind_int64(st, 1, id);
	return step_done(st);
}

int store_oidc_grant_list(store_tx_t *tx, int64_t user_id, const char *sid,
			  store_oidc_grant_t **items, size_t *n)
{
	store_oidc_grant_t *v = NULL, *nv;
	size_t cap = 0, count = 0;
	db_stmt_t *st;
	int rc, r = SESAME_OK;

	*items = NULL;
	*n = 0;
	st = tx_stmt(tx, ST_OIDC_GRANT_LIST);
	db_bind_int64(st, 1, user_id);
	if (sid)
		db_bind_text(st, 2, sid);
	else
		db_bind_null(st, 2);
	while ((rc = db_step(st)) == DB_ROW) {
		if (count == cap) {
			if ((nv = grow_array(v, &cap, sizeof(*v))) == NULL) {
				r = SESAME_ERR_NOMEM;
				break;
			}
			v = nv;
		}
		grant_row(st, &v[count++]);
	}
	r = stmt_end(st, rc, r);
	if (r != SESAME_OK) {
		free(v);
		return r;
	}
	*items = v;
	*n = count;
	return SESAME_OK;
}

int store_oidc_purge(store_tx_t *tx, int64_t now)
{
	static const int sql[] = {ST_OIDC_PURGE, ST_OIDC_PURGE_2, ST_OIDC_PURGE_3};
	db_stmt_t *st;
	int r;

	for (size_t i = 0; i < sizeof(sql) / sizeof(sql[0]); i++) {
		st = tx_stmt(tx, sql[i]);
		db_bind_int64(st, 1, now);
		if ((r = step_done(st)) != SESAME_OK)
			return r;
	}
	return SESAME_OK;
}

/* ---- codes ---- */

int store_oidc_code_add(store_tx_t *tx, const unsigned char hash[STORE_OIDC_HASH_LEN],
			int64_t grant_id, const char *redirect_uri, const char *challenge,
			int64_t expires)
{
	db_stmt_t *st = tx_stmt(tx, ST_OIDC_CODE_ADD);
	db_bind_blob(st, 1, hash, STORE_OIDC_HASH_LEN);
	db_bind_int64(st, 2, grant_id);
	db_bind_text(st, 3, redirect_uri);
	db_bind_text(st, 4, challenge);
	db_bind_int64(st, 5, expires);
	return step_done(st);
}

int store_oidc_code_take(store_tx_t *tx, const unsigned char hash[STORE_OIDC_HASH_LEN],
			 int64_t *grant_id, char *redirect_uri, char *challenge, int64_t *expires)
{
	db_stmt_t *st = tx_stmt(tx, ST_OIDC_CODE_TAKE);
	int rc;

	db_bind_blob(st, 1, hash, STORE_OIDC_HASH_LEN);
	rc = db_step(st);
	if (rc == DB_ROW) {
		*grant_id = db_col_int64(st, 0);
		copy_text(redirect_uri, STORE_OIDC_MAX_URI + 1, st, 1);
		copy_text(challenge, STORE_OIDC_MAX_CHALLENGE + 1, st, 2);
		*expires = db_col_int64(st, 3);
		return returned(st);
	}
	if (stmt_end(st, rc, SESAME_OK) != SESAME_OK) /* DONE: nothing was spent */
		return SESAME_ERR_STORE;
	return spent_before(tx, ST_OIDC_CODE_TAKE_2, hash, grant_id);
}

/* ---- tokens ---- */

int store_oidc_token_add(store_tx_t *tx, const unsigned char hash[STORE_OIDC_HASH_LEN],
			 int64_t grant_id, int kind, int64_t expires)
{
	db_stmt_t *st = tx_stmt(tx, ST_OIDC_TOKEN_ADD);
	db_bind_blob(st, 1, hash, STORE_OIDC_HASH_LEN);
	db_bind_int64(st, 2, grant_id);
	db_bind_int64(st, 3, kind);
	db_bind_int64(st, 4, expires);
	return step_done(st);
}

int store_oidc_token_get(store_tx_t *tx, const unsigned char hash[STORE_OIDC_HASH_LEN], int kind,
			 int64_t now, int64_t *grant_id, int64_t *expires)
{
	db_stmt_t *st = tx_stmt(tx, ST_OIDC_TOKEN_GET);
	int rc;

	db_bind_blob(st, 1, hash, STORE_OIDC_HASH_LEN);
	db_bind_int64(st, 2, kind);
	db_bind_int64(st, 3, now);
	rc = db_step(st);
	if (rc == DB_ROW) {
		*grant_id = db_col_int64(st, 0);
		*expires = db_col_int64(st, 1);
	}
	return row_end(st, rc);
}

int store_oidc_token_spend(store_tx_t *tx, const unsigned char hash[STORE_OIDC_HASH_LEN],
			   int64_t now, int64_t *grant_id)
{
	db_stmt_t *st = tx_stmt(tx, ST_OIDC_TOKEN_SPEND);
	int rc;

	db_bind_blob(st, 1, hash, STORE_OIDC_HASH_LEN);
	db_bind_int64(st, 2, now);
	rc = db_step(st);
	if (rc == DB_ROW) {
		*grant_id = db_col_int64(st, 0);
		return returned(st);
	}
	if (stmt_end(st, rc, SESAME_OK) != SESAME_OK) /* DONE: nothing was spent */
		return SESAME_ERR_STORE;
	return spent_before(tx, ST_OIDC_TOKEN_SPEND_2, hash, grant_id);
}

int store_oidc_token_delete(store_tx_t *tx, const unsigned char hash[STORE_OIDC_HASH_LEN],
			    int64_t *grant_id, int *kind)
{
	db_stmt_t *st = tx_stmt(tx, ST_OIDC_TOKEN_DELETE);
	int rc;

	db_bind_blob(st, 1, hash, STORE_OIDC_HASH_LEN);
	rc = db_step(st);
	if (rc == DB_ROW) {
		if (grant_id)
			*grant_id = db_col_int64(st, 0);
		if (kind)
			*kind = db_col_int(st, 1);
		return returned(st);
	}
	return stmt_end(st, rc, SESAME_ERR_NOT_FOUND);
}
