/* The SQLite store's spent PAM flows (schema 7): a flow that reached a
 * verdict is recorded until its token expires, so that it is spent once. */
#include "store_int.h"

int store_flow_spend(store_tx_t *tx, const unsigned char id[STORE_FLOW_ID_LEN], int64_t expires)
{
	db_stmt_t *st = tx_stmt(tx, ST_FLOW_SPEND);

	db_bind_blob(st, 1, id, STORE_FLOW_ID_LEN);
	db_bind_int64(st, 2, expires);
	/* the primary key kept the first spend: nothing inserted is a replay */
	return step_one_row(st, SESAME_ERR_REPLAY);
}

int store_flow_purge(store_tx_t *tx, int64_t now)
{
	db_stmt_t *st = tx_stmt(tx, ST_FLOW_PURGE);

	db_bind_int64(st, 1, now);
	return step_done(st);
}
