/* The store's entry points: the backend is chosen by what `database`
 * names (a libpq URI or conninfo: PostgreSQL; anything else: an SQLite
 * file), and every call goes to it. */
#include <libpq-fe.h>
#include <stdio.h>
#include <string.h>

#include "store_int.h"

int store_is_postgres(const char *database)
{
	return strncmp(database, "postgresql://", 13) == 0 ||
	       strncmp(database, "postgres://", 11) == 0 || strchr(database, '=') != NULL;
}

void store_describe(const char *database, char *out, size_t outsz)
{
	PQconninfoOption *opts;
	size_t used;

	if (!store_is_postgres(database)) {
		snprintf(out, outsz, "%s", database);
		return;
	}
	if ((opts = PQconninfoParse(database, NULL)) == NULL) {
		snprintf(out, outsz, "PostgreSQL (a connection string libpq cannot read)");
		return;
	}
	used = (size_t)snprintf(out, outsz, "PostgreSQL");
	for (PQconninfoOption *o = opts; o->keyword != NULL && used < outsz; o++) {
		if (o->val == NULL || *o->val == '\0')
			continue;
		if (strcmp(o->keyword, "host") == 0 || strcmp(o->keyword, "hostaddr") == 0 ||
		    strcmp(o->keyword, "port") == 0 || strcmp(o->keyword, "dbname") == 0 ||
		    strcmp(o->keyword, "user") == 0)
			used += (size_t)snprintf(out + used, outsz - used, " %s=%s", o->keyword,
						 o->val);
	}
	PQconninfoFree(opts);
}

int store_open(const char *database, store_t **out)
{
	*out = NULL;
	if (database == NULL || *database == '\0')
		return SESAME_ERR_INVALID_ARGUMENT;
	return store_is_postgres(database) ? store_pg_open(database, out)
					   : store_sqlite_open(database, out);
}

void store_close(store_t **sp)
{
	if (sp == NULL || *sp == NULL)
		return;
	(*sp)->be->close(*sp);
	*sp = NULL;
}

int store_run(store_t *s, store_fn fn, void *arg)
{
	return s->be->run(s, fn, arg);
}

int store_read(store_t *s, store_fn fn, void *arg)
{
	return s->be->read(s, fn, arg);
}

int store_tx_readonly(const store_tx_t *tx)
{
	return tx->readonly;
}

void store_tx_durable(store_tx_t *tx)
{
	tx->durable = 1;
}

void store_audit_log(const store_audit_t *e)
{
	/* every field was validated as printable ASCII before it got here */
	log_info("audit: user=%s service=%s rhost=%s factor=%s result=%s reason=%s", e->user,
		 e->service, e->rhost[0] ? e->rhost : "-", e->factor, e->result, e->reason);
}

void store_tx_committed(store_tx_t *tx)
{
	for (size_t i = 0; i < tx->n_audit; i++)
		store_audit_log(&tx->audit[i]);
	tx->n_audit = 0;
}

struct version_read {
	store_t *s;
	int version;
};

static int read_version(store_tx_t *tx, void *arg)
{
	struct version_read *v = arg;
	const struct store_backend *be = v->s->be;
	db_stmt_t *st = NULL;
	int r, rc;

	if ((r = be->prepare(tx,
			     be->postgres ? "SELECT max(version) FROM schema_version"
					  : "PRAGMA user_version",
			     &st)) != SESAME_OK)
		return r;
	rc = db_step(st);
	if (rc == DB_ROW)
		v->version = db_col_int(st, 0);
	r = stmt_end(st, rc, rc == DB_ROW ? SESAME_OK : SESAME_ERR_STORE);
	be->finalize(st);
	return r;
}

int store_schema_version(store_t *s, int *version)
{
	struct version_read v = {s, 0};
	int r = store_read(s, read_version, &v);

	*version = v.version;
	return r;
}
