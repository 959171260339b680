/* sesamectl store copy: every row of one store into a new, empty one
 * (SQLite to PostgreSQL and back), ids and their high-water marks kept,
 * then verified in the same transaction: the rows read back from the
 * destination must have the source's count and checksum, table by table,
 * or nothing is committed. */
#include <openssl/evp.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "store_int.h"

/* How a table's ids are made: none (a natural key), SQLite's rowid (a
 * deleted id may come back), or AUTOINCREMENT (never reused: the
 * high-water mark is copied too). */
enum { ID_NONE, ID_ROWID, ID_AUTO };

static const struct {
	const char *name;
	int ids;
	int rowid; /* an SQLite rowid table (not WITHOUT ROWID) */
} tables[] = {
    /* parents before children */
    {"users", ID_ROWID, 1},
    {"totp", ID_AUTO, 1},
    {"audit", ID_ROWID, 1},
    {"sessions", ID_NONE, 1},
    {"webauthn_credentials", ID_AUTO, 1},
    {"webauthn_challenges", ID_NONE, 1},
    {"invitations", ID_NONE, 1},
    {"sources", ID_NONE, 1},
    {"attempts", ID_NONE, 0},
    {"spent_flows", ID_NONE, 0},
    {"user_codes", ID_NONE, 0},
    {"handoffs", ID_NONE, 1},
    {"oidc_keys", ID_NONE, 1},
    {"oidc_clients", ID_NONE, 1},
    {"oidc_requests", ID_NONE, 1},
    {"oidc_grants", ID_AUTO, 1},
    {"oidc_codes", ID_NONE, 1},
    {"oidc_tokens", ID_NONE, 1},
};
#define N_TABLES (sizeof(tables) / sizeof(tables[0]))
#define MAX_COLUMNS 16
#define SQL_MAX 1024

/* An order-free checksum of a table: the sum, lane by lane, of each row's
 * SHA-256 (the rows are unique: every table has a key). */
typedef struct {
	uint64_t lane[4];
	uint64_t rows;
} sum_t;

struct copy {
	store_t *from, *to;
	store_tx_t *src;
	char *err;
	size_t errsz;
	sum_t sums[N_TABLES];
	char hex[N_TABLES][65]; /* the checksums verified */
};

__attribute__((format(printf, 3, 4))) static int fail(struct copy *c, int r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->err, c->errsz, fmt, ap);
	va_end(ap);
	return r;
}

static int prepare(store_t *s, store_tx_t *tx, const char *sql, db_stmt_t **st)
{
	return s->be->prepare(tx, sql, st);
}

static void finalize(store_t *s, db_stmt_t *st)
{
	if (st != NULL)
		s->be->finalize(st);
}

/* Adds the current row of st (ncol columns) to sum. */
static int sum_row(db_stmt_t *st, int ncol, sum_t *sum)
{
	unsigned char md[32];
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	int ok = ctx != NULL && EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) == 1;

	for (int i = 0; ok && i < ncol; i++) {
		unsigned char head[9];
		const void *data = NULL;
		size_t n = 0;
		int64_t v = 0;
		int type = st->ops->col_type(st, i);

		if (type == DB_INT) {
			v = db_col_int64(st, i);
			data = &v;
			n = sizeof(v);
		} else if (type == DB_TEXT) {
			data = st->ops->col_text(st, i, &n);
		} else if (type == DB_BLOB) {
			data = db_col_blob(st, i, &n);
		}
		head[0] = (unsigned char)type;
		for (int k = 0; k < 8; k++)
			head[1 + k] = (unsigned char)((uint64_t)n >> (56 - 8 * k));
		ok = EVP_DigestUpdate(ctx, head, sizeof(head)) == 1 &&
		     (n == 0 || EVP_DigestUpdate(ctx, data, n) == 1);
	}
	ok = ok && EVP_DigestFinal_ex(ctx, md, NULL) == 1;
	EVP_MD_CTX_free(ctx);
	if (!ok)
		return SESAME_ERR_STORE;
	for (int l = 0; l < 4; l++) {
		uint64_t x = 0;
		for (int k = 0; k < 8; k++)
			x = x << 8 | md[8 * l + k];
		sum->lane[l] += x;
	}
	sum->rows++;
	return SESAME_OK;
}

/* One integer from sql (one parameter: the table's name); 0 for NULL. */
static int one_int(store_t *s, store_tx_t *tx, const char *sql, const char *table, int64_t *out)
{
	db_stmt_t *st = NULL;
	int r, rc;

	*out = 0;
	if ((r = prepare(s, tx, sql, &st)) != SESAME_OK)
		return r;
	if (table != NULL)
		db_bind_text(st, 1, table);
	rc = db_step(st);
	if (rc == DB_ROW)
		*out = db_col_int64(st, 0);
	r = stmt_end(st, rc, SESAME_OK);
	finalize(s, st);
	return r;
}

/* Every table of tx's database is one this copy knows (a newer schema
 * would otherwise lose a table without a word). */
static int check_tables(struct copy *c, store_t *s, store_tx_t *tx, const char *which)
{
	const char *sql =
	    s->be->postgres ? "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"
			      " AND tablename <> 'schema_version'"
			    : "SELECT name FROM sqlite_master WHERE type = 'table'"
			      " AND name NOT LIKE 'sqlite_%'";
	db_stmt_t *st = NULL;
	int r, rc;

	if ((r = prepare(s, tx, sql, &st)) != SESAME_OK)
		return r;
	while (r == SESAME_OK && (rc = db_step(st)) == DB_ROW) {
		char name[64];
		size_t i;

		copy_text(name, sizeof(name), st, 0);
		for (i = 0; i < N_TABLES && strcmp(tables[i].name, name) != 0; i++)
			;
		if (i == N_TABLES) {
			snprintf(c->err, c->errsz,
				 "the %s database has a table \"%s\" that this sesamectl does not "
				 "know: use the sesamectl of the same version as the daemon",
				 which, name);
			r = SESAME_ERR_INVALID_ARGUMENT;
		}
	}
	if (r == SESAME_OK)
		r = stmt_end(st, rc, SESAME_OK);
	finalize(s, st);
	return r;
}

/* The highest id a table ever gave (its rows', or an AUTOINCREMENT's mark). */
static int high_water(store_t *s, store_tx_t *tx, int t, int64_t *out)
{
	char sql[SQL_MAX];
	int64_t seq = 0;
	int r;

	snprintf(sql, sizeof(sql), "SELECT max(id) FROM %s", tables[t].name);
	if ((r = one_int(s, tx, sql, NULL, out)) != SESAME_OK || tables[t].ids != ID_AUTO)
		return r;
	r = one_int(
	    s, tx,
	    s->be->postgres
		? "SELECT pg_sequence_last_value(pg_get_serial_sequence(?1, 'id')::regclass)"
		: "SELECT seq FROM sqlite_sequence WHERE name = ?1",
	    tables[t].name, &seq);
	if (r == SESAME_OK && seq > *out)
		*out = seq;
	return r;
}

static int set_high_water(store_t *s, store_tx_t *tx, int t, int64_t mark)
{
	db_stmt_t *st = NULL;
	int r, rc;

	if (mark <= 0 || (!s->be->postgres && tables[t].ids != ID_AUTO))
		return SESAME_OK; /* SQLite's rowid follows the rows by itself */
	if (s->be->postgres) {
		int64_t ignored;
		char sql[SQL_MAX];
		snprintf(sql, sizeof(sql), "SELECT setval(pg_get_serial_sequence(?1, 'id'), %lld)",
			 (long long)mark);
		return one_int(s, tx, sql, tables[t].name, &ignored);
	}
	if ((r = prepare(s, tx, "UPDATE sqlite_sequence SET seq = ?2 WHERE name = ?1", &st)) !=
	    SESAME_OK)
		return r;
	db_bind_text(st, 1, tables[t].name);
	db_bind_int64(st, 2, mark);
	rc = db_step(st);
	r = stmt_end(st, rc,
		     rc == DB_DONE && db_changes(st) == 1 ? SESAME_OK : SESAME_ERR_NOT_FOUND);
	finalize(s, st);
	if (r != SESAME_ERR_NOT_FOUND)
		return r;
	if ((r = prepare(s, tx, "INSERT INTO sqlite_sequence (name, seq) VALUES (?1, ?2)", &st)) !=
	    SESAME_OK)
		return r;
	db_bind_text(st, 1, tables[t].name);
	db_bind_int64(st, 2, mark);
	r = step_done(st);
	finalize(s, st);
	return r;
}

/* Binds the current row of src (ncol columns) to ins. */
static void bind_row(db_stmt_t *src, int ncol, db_stmt_t *ins)
{
	for (int i = 0; i < ncol; i++) {
		size_t n = 0;
		const char *text;
		const unsigned char *blob;

		switch (src->ops->col_type(src, i)) {
		case DB_INT:
			db_bind_int64(ins, i + 1, db_col_int64(src, i));
			break;
		case DB_TEXT:
			text = src->ops->col_text(src, i, &n);
			db_bind_text(ins, i + 1, text);
			break;
		case DB_BLOB:
			blob = db_col_blob(src, i, &n);
			db_bind_blob(ins, i + 1, blob, n);
			break;
		default:
			db_bind_null(ins, i + 1);
		}
	}
}

/* Copies table t from c->src into tx; the source's sum into c->sums[t]. */
static int copy_table(struct copy *c, store_tx_t *tx, int t, char *columns, size_t columnsz)
{
	char sql[SQL_MAX];
	db_stmt_t *src = NULL, *ins = NULL;
	int r, rc, ncol;
	size_t used = 0;

	snprintf(sql, sizeof(sql), "SELECT * FROM %s%s", tables[t].name,
		 !c->from->be->postgres && tables[t].rowid ? " ORDER BY rowid" : "");
	if ((r = prepare(c->from, c->src, sql, &src)) != SESAME_OK)
		return r;
	rc = db_step(src);
	ncol = src->ops->col_count(src);
	if (rc == DB_ERROR || ncol <= 0 || ncol > MAX_COLUMNS) {
		r = stmt_end(src, rc, SESAME_ERR_STORE);
		finalize(c->from, src);
		return r;
	}
	/* the destination's columns by the source's names: their order may differ */
	columns[0] = '\0';
	for (int i = 0; i < ncol; i++) {
		const char *name = src->ops->col_name(src, i);
		used += (size_t)snprintf(columns + used, columnsz - used, "%s\"%s\"", i ? ", " : "",
					 name ? name : "");
	}
	used = (size_t)snprintf(sql, sizeof(sql), "INSERT INTO %s (%s) VALUES (", tables[t].name,
				columns);
	for (int i = 0; i < ncol; i++)
		used +=
		    (size_t)snprintf(sql + used, sizeof(sql) - used, "%s?%d", i ? ", " : "", i + 1);
	snprintf(sql + used, sizeof(sql) - used, ")");
	r = prepare(c->to, tx, sql, &ins);
	for (; r == SESAME_OK && rc == DB_ROW; rc = db_step(src)) {
		bind_row(src, ncol, ins);
		if ((r = step_done(ins)) == SESAME_OK)
			r = sum_row(src, ncol, &c->sums[t]);
	}
	r = stmt_end(src, rc, r);
	finalize(c->from, src);
	finalize(c->to, ins);
	return r;
}

/* The destination's table t read back: the same rows as the source? */
static int verify_table(struct copy *c, store_tx_t *tx, int t, const char *columns)
{
	char sql[SQL_MAX];
	db_stmt_t *st = NULL;
	sum_t sum = {{0}, 0};
	int r, rc;
	int ncol = 1;

	for (const char *p = columns; *p; p++)
		ncol += *p == ',';
	snprintf(sql, sizeof(sql), "SELECT %s FROM %s", columns, tables[t].name);
	if ((r = prepare(c->to, tx, sql, &st)) != SESAME_OK)
		return r;
	while (r == SESAME_OK && (rc = db_step(st)) == DB_ROW)
		r = sum_row(st, ncol, &sum);
	r = stmt_end(st, rc, r);
	finalize(c->to, st);
	if (r != SESAME_OK)
		return r;
	if (memcmp(&sum, &c->sums[t], sizeof(sum)) != 0)
		return fail(c, SESAME_ERR_STORE,
			    "table %s: the copy differs from the source (nothing was kept)",
			    tables[t].name);
	for (int l = 0; l < 4; l++)
		snprintf(c->hex[t] + 16 * l, sizeof(c->hex[t]) - 16 * (size_t)l, "%016llx",
			 (unsigned long long)sum.lane[l]);
	return SESAME_OK;
}

static int copy_into(store_tx_t *tx, void *arg)
{
	struct copy *c = arg;
	char columns[SQL_MAX];
	int r;

	memset(c->sums, 0, sizeof(c->sums));
	if ((r = check_tables(c, c->to, tx, "destination")) != SESAME_OK)
		return r;
	for (size_t t = 0; t < N_TABLES; t++) {
		char sql[SQL_MAX];
		int64_t n;
		snprintf(sql, sizeof(sql), "SELECT count(*) FROM %s", tables[t].name);
		if ((r = one_int(c->to, tx, sql, NULL, &n)) != SESAME_OK)
			return r;
		if (n != 0)
			return fail(c, SESAME_ERR_CONFLICT,
				    "the destination is not empty (table %s has rows): copy into "
				    "a new database only",
				    tables[t].name);
	}
	for (size_t t = 0; t < N_TABLES; t++) {
		int64_t mark;
		if ((r = copy_table(c, tx, (int)t, columns, sizeof(columns))) != SESAME_OK ||
		    (tables[t].ids != ID_NONE &&
		     ((r = high_water(c->from, c->src, (int)t, &mark)) != SESAME_OK ||
		      (r = set_high_water(c->to, tx, (int)t, mark)) != SESAME_OK)) ||
		    (r = verify_table(c, tx, (int)t, columns)) != SESAME_OK)
			return r;
	}
	store_tx_durable(tx);
	return SESAME_OK;
}

static int copy_from(store_tx_t *tx, void *arg)
{
	struct copy *c = arg;
	int r;

	if ((r = check_tables(c, c->from, tx, "source")) != SESAME_OK)
		return r;
	c->src = tx;
	return store_run(c->to, copy_into, c);
}

int store_copy(store_t *from, store_t *to, store_copy_report_fn report, void *arg, char *err,
	       size_t errsz)
{
	struct copy c;
	int r;

	memset(&c, 0, sizeof(c));
	c.from = from;
	c.to = to;
	c.err = err;
	c.errsz = errsz;
	snprintf(err, errsz, "the database failed (see the log above)");
	/* reported once committed: a transaction may run twice */
	if ((r = store_read(from, copy_from, &c)) != SESAME_OK)
		return r;
	for (size_t t = 0; t < N_TABLES && report != NULL; t++)
		report(arg, tables[t].name, c.sums[t].rows, c.hex[t]);
	return SESAME_OK;
}
