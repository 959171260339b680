/* The SQLite store's single-use codes and terminal hand-off requests
 * (schema 8). Every single-use fact is a conditional write whose row
 * count is the verdict. */
#include "store_int.h"

int store_codes_replace(store_tx_t *tx, int64_t user_id, store_code_kind_t kind,
			const unsigned char (*hashes)[STORE_CODE_HASH_LEN], size_t n,
			int64_t created, int64_t expires)
{
	db_stmt_t *st = tx_stmt(tx, ST_CODES_DELETE_KIND);
	int r;

	db_bind_int64(st, 1, user_id);
	db_bind_int64(st, 2, (int)kind);
	if ((r = step_done(st)) != SESAME_OK)
		return r;
	st = tx_stmt(tx, ST_CODES_INSERT);
	for (size_t i = 0; i < n; i++) {
		db_bind_int64(st, 1, user_id);
		db_bind_int64(st, 2, (int)kind);
		db_bind_blob(st, 3, hashes[i], STORE_CODE_HASH_LEN);
		db_bind_int64(st, 4, created);
		db_bind_int64(st, 5, expires);
		if ((r = step_done(st)) != SESAME_OK)
			return r;
	}
	return SESAME_OK;
}

int store_codes_take(store_tx_t *tx, int64_t user_id, store_code_kind_t kind,
		     const unsigned char hash[STORE_CODE_HASH_LEN], int64_t now)
{
	db_stmt_t *st = tx_stmt(tx, ST_CODES_TAKE);

	db_bind_int64(st, 1, user_id);
	db_bind_int64(st, 2, (int)kind);
	db_bind_blob(st, 3, hash, STORE_CODE_HASH_LEN);
	db_bind_int64(st, 4, now);
	return step_one_row(st, SESAME_ERR_NOT_FOUND);
}

int store_codes_count(store_tx_t *tx, int64_t user_id, store_code_kind_t kind, int64_t now,
		      unsigned *n)
{
	db_stmt_t *st = tx_stmt(tx, ST_CODES_COUNT);
	int rc;

	*n = 0;
	db_bind_int64(st, 1, user_id);
	db_bind_int64(st, 2, (int)kind);
	db_bind_int64(st, 3, now);
	rc = db_step(st);
	if (rc == DB_ROW)
		*n = (unsigned)db_col_int64(st, 0);
	return stmt_end(st, rc, SESAME_OK);
}

int store_codes_purge(store_tx_t *tx, int64_t now)
{
	db_stmt_t *st = tx_stmt(tx, ST_CODES_PURGE);

	db_bind_int64(st, 1, now);
	return step_done(st);
}

int store_handoff_add(store_tx_t *tx, const store_handoff_t *h,
		      const unsigned char code_hash[STORE_CODE_HASH_LEN])
{
	db_stmt_t *st = tx_stmt(tx, ST_HANDOFF_INSERT);

	db_bind_blob(st, 1, h->flow_id, STORE_FLOW_ID_LEN);
	db_bind_blob(st, 2, code_hash, STORE_CODE_HASH_LEN);
	db_bind_text(st, 3, h->user);
	db_bind_text(st, 4, h->service);
	db_bind_text(st, 5, h->rhost);
	db_bind_int64(st, 6, h->created);
	db_bind_int64(st, 7, h->expires);
	return step_done(st);
}

static int handoff_row(db_stmt_t *st, store_handoff_t *out)
{
	int rc = db_step(st);

	memset(out, 0, sizeof(*out));
	if (rc == DB_ROW) {
		size_t n = 0;
		const unsigned char *id = db_col_blob(st, 0, &n);
		if (id != NULL && n == STORE_FLOW_ID_LEN)
			memcpy(out->flow_id, id, STORE_FLOW_ID_LEN);
		copy_text(out->user, sizeof(out->user), st, 1);
		copy_text(out->service, sizeof(out->service), st, 2);
		copy_text(out->rhost, sizeof(out->rhost), st, 3);
		out->created = db_col_int64(st, 4);
		out->expires = db_col_int64(st, 5);
		out->state = (store_handoff_state_t)db_col_int(st, 6);
		copy_text(out->number, sizeof(out->number), st, 7);
		copy_text(out->approver_rhost, sizeof(out->approver_rhost), st, 8);
		out->decided = db_col_int64(st, 9);
	}
	return row_end(st, rc);
}

int store_handoff_by_code(store_tx_t *tx, const unsigned char code_hash[STORE_CODE_HASH_LEN],
			  store_handoff_t *out)
{
	db_stmt_t *st = tx_stmt(tx, ST_HANDOFF_BY_CODE);

	db_bind_blob(st, 1, code_hash, STORE_CODE_HASH_LEN);
	return handoff_row(st, out);
}

int store_handoff_by_flow(store_tx_t *tx, const unsigned char flow_id[STORE_FLOW_ID_LEN],
			  store_handoff_t *out)
{
	db_stmt_t *st = tx_stmt(tx, ST_HANDOFF_BY_FLOW);

	db_bind_blob(st, 1, flow_id, STORE_FLOW_ID_LEN);
	return handoff_row(st, out);
}

int store_handoff_decide(store_tx_t *tx, const unsigned char flow_id[STORE_FLOW_ID_LEN],
			 store_handoff_state_t state, const char *number,
			 const char *approver_rhost, int64_t now)
{
	db_stmt_t *st = tx_stmt(tx, ST_HANDOFF_DECIDE);
	int r;

	db_bind_blob(st, 1, flow_id, STORE_FLOW_ID_LEN);
	db_bind_int64(st, 2, (int)state);
	db_bind_text(st, 3, number);
	db_bind_text(st, 4, approver_rhost);
	db_bind_int64(st, 5, now);
	r = step_one_row(st, SESAME_ERR_NOT_FOUND);
	return r == SESAME_ERR_NOT_FOUND ? SESAME_ERR_CONFLICT : r;
}

int store_handoff_use(store_tx_t *tx, const unsigned char flow_id[STORE_FLOW_ID_LEN], int64_t now)
{
	db_stmt_t *st = tx_stmt(tx, ST_HANDOFF_USE);
	int r;

	db_bind_blob(st, 1, flow_id, STORE_FLOW_ID_LEN);
	db_bind_int64(st, 2, now);
	r = step_one_row(st, SESAME_ERR_NOT_FOUND);
	return r == SESAME_ERR_NOT_FOUND ? SESAME_ERR_CONFLICT : r;
}

int store_handoff_purge(store_tx_t *tx, int64_t before)
{
	db_stmt_t *st = tx_stmt(tx, ST_HANDOFF_PURGE);

	db_bind_int64(st, 1, before);
	return step_done(st);
}
