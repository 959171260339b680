/* The SQLite store's single-use codes and terminal hand-off requests
 * (schema 8). Every single-use fact is a conditional write whose row
 * count is the verdict. */
#include "store_sqlite_int.h"

int store_codes_replace(store_tx_t *tx, int64_t user_id, store_code_kind_t kind,
			const unsigned char (*hashes)[STORE_CODE_HASH_LEN], size_t n,
			int64_t created, int64_t expires)
{
	sqlite3_stmt *st = tx->c->st[ST_CODES_DELETE_KIND];
	int r;

	sqlite3_bind_int64(st, 1, user_id);
	sqlite3_bind_int(st, 2, (int)kind);
	if ((r = step_done(st)) != SESAME_OK)
		return r;
	st = tx->c->st[ST_CODES_INSERT];
	for (size_t i = 0; i < n; i++) {
		sqlite3_bind_int64(st, 1, user_id);
		sqlite3_bind_int(st, 2, (int)kind);
		sqlite3_bind_blob(st, 3, hashes[i], STORE_CODE_HASH_LEN, SQLITE_STATIC);
		sqlite3_bind_int64(st, 4, created);
		sqlite3_bind_int64(st, 5, expires);
		if ((r = step_done(st)) != SESAME_OK)
			return r;
	}
	return SESAME_OK;
}

int store_codes_take(store_tx_t *tx, int64_t user_id, store_code_kind_t kind,
		     const unsigned char hash[STORE_CODE_HASH_LEN], int64_t now)
{
	sqlite3_stmt *st = tx->c->st[ST_CODES_TAKE];

	sqlite3_bind_int64(st, 1, user_id);
	sqlite3_bind_int(st, 2, (int)kind);
	sqlite3_bind_blob(st, 3, hash, STORE_CODE_HASH_LEN, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, now);
	return step_one_row(tx, st);
}

int store_codes_count(store_tx_t *tx, int64_t user_id, store_code_kind_t kind, int64_t now,
		      unsigned *n)
{
	sqlite3_stmt *st = tx->c->st[ST_CODES_COUNT];
	int rc;

	*n = 0;
	sqlite3_bind_int64(st, 1, user_id);
	sqlite3_bind_int(st, 2, (int)kind);
	sqlite3_bind_int64(st, 3, now);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*n = (unsigned)sqlite3_column_int64(st, 0);
	return stmt_end(st, rc, SESAME_OK);
}

int store_codes_purge(store_tx_t *tx, int64_t now)
{
	sqlite3_stmt *st = tx->c->st[ST_CODES_PURGE];

	sqlite3_bind_int64(st, 1, now);
	return step_done(st);
}

int store_handoff_add(store_tx_t *tx, const store_handoff_t *h,
		      const unsigned char code_hash[STORE_CODE_HASH_LEN])
{
	sqlite3_stmt *st = tx->c->st[ST_HANDOFF_INSERT];

	sqlite3_bind_blob(st, 1, h->flow_id, STORE_FLOW_ID_LEN, SQLITE_STATIC);
	sqlite3_bind_blob(st, 2, code_hash, STORE_CODE_HASH_LEN, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, h->user, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, h->service, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, h->rhost, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 6, h->created);
	sqlite3_bind_int64(st, 7, h->expires);
	return step_done(st);
}

static int handoff_row(sqlite3_stmt *st, store_handoff_t *out)
{
	int rc = sqlite3_step(st);

	memset(out, 0, sizeof(*out));
	if (rc == SQLITE_ROW) {
		const void *id = sqlite3_column_blob(st, 0);
		if (id != NULL && sqlite3_column_bytes(st, 0) == STORE_FLOW_ID_LEN)
			memcpy(out->flow_id, id, STORE_FLOW_ID_LEN);
		copy_text(out->user, sizeof(out->user), st, 1);
		copy_text(out->service, sizeof(out->service), st, 2);
		copy_text(out->rhost, sizeof(out->rhost), st, 3);
		out->created = sqlite3_column_int64(st, 4);
		out->expires = sqlite3_column_int64(st, 5);
		out->state = (store_handoff_state_t)sqlite3_column_int(st, 6);
		copy_text(out->number, sizeof(out->number), st, 7);
		copy_text(out->approver_rhost, sizeof(out->approver_rhost), st, 8);
		out->decided = sqlite3_column_int64(st, 9);
	}
	return row_end(st, rc);
}

int store_handoff_by_code(store_tx_t *tx, const unsigned char code_hash[STORE_CODE_HASH_LEN],
			  store_handoff_t *out)
{
	sqlite3_stmt *st = tx->c->st[ST_HANDOFF_BY_CODE];

	sqlite3_bind_blob(st, 1, code_hash, STORE_CODE_HASH_LEN, SQLITE_STATIC);
	return handoff_row(st, out);
}

int store_handoff_by_flow(store_tx_t *tx, const unsigned char flow_id[STORE_FLOW_ID_LEN],
			  store_handoff_t *out)
{
	sqlite3_stmt *st = tx->c->st[ST_HANDOFF_BY_FLOW];

	sqlite3_bind_blob(st, 1, flow_id, STORE_FLOW_ID_LEN, SQLITE_STATIC);
	return handoff_row(st, out);
}

int store_handoff_decide(store_tx_t *tx, const unsigned char flow_id[STORE_FLOW_ID_LEN],
			 store_handoff_state_t state, const char *number,
			 const char *approver_rhost, int64_t now)
{
	sqlite3_stmt *st = tx->c->st[ST_HANDOFF_DECIDE];
	int r;

	sqlite3_bind_blob(st, 1, flow_id, STORE_FLOW_ID_LEN, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, (int)state);
	sqlite3_bind_text(st, 3, number, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, approver_rhost, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, now);
	r = step_one_row(tx, st);
	return r == SESAME_ERR_NOT_FOUND ? SESAME_ERR_CONFLICT : r;
}

int store_handoff_use(store_tx_t *tx, const unsigned char flow_id[STORE_FLOW_ID_LEN], int64_t now)
{
	sqlite3_stmt *st = tx->c->st[ST_HANDOFF_USE];
	int r;

	sqlite3_bind_blob(st, 1, flow_id, STORE_FLOW_ID_LEN, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, now);
	r = step_one_row(tx, st);
	return r == SESAME_ERR_NOT_FOUND ? SESAME_ERR_CONFLICT : r;
}

int store_handoff_purge(store_tx_t *tx, int64_t before)
{
	sqlite3_stmt *st = tx->c->st[ST_HANDOFF_PURGE];

	sqlite3_bind_int64(st, 1, before);
	return step_done(st);
}
