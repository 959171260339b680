/* The SQLite store's spent PAM flows (schema 7): a flow that reached a
 * verdict is recorded until its token expires, so that it is spent once. */
#include "store_sqlite_int.h"

int store_flow_spend(store_tx_t *tx, const unsigned char id[STORE_FLOW_ID_LEN], int64_t expires)
{
	sqlite3_stmt *st = tx->c->st[ST_FLOW_SPEND];
	int r;

	sqlite3_bind_blob(st, 1, id, STORE_FLOW_ID_LEN, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, expires);
	if ((r = step_done(st)) != SESAME_OK)
		return r;
	/* the primary key kept the first spend: nothing inserted is a replay */
	return sqlite3_changes(tx->c->db) == 1 ? SESAME_OK : SESAME_ERR_REPLAY;
}

int store_flow_purge(store_tx_t *tx, int64_t now)
{
	sqlite3_stmt *st = tx->c->st[ST_FLOW_PURGE];

	sqlite3_bind_int64(st, 1, now);
	return step_done(st);
}
