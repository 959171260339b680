/* sesamectl store migrate / store copy: the database itself, opened here
 * (no daemon): bring its schema to this version, or copy an installation
 * from SQLite to PostgreSQL and back. */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "sesame/config_client.h"
#include "sesame/error.h"
#include "sesame/paths.h"
#include "store/store.h"
#include "term.h"

enum { OPT_DATABASE = 1000, OPT_FROM, OPT_TO };

/* The database to use: --database, else the configuration's. */
static int cmd_store_database(ctl_t *ctl, const char *opt, char *out, size_t outsz)
{
	const char *path = ctl->config_path ? ctl->config_path : SESAME_DEFAULT_CONFIG;
	char err[512];

	if (opt != NULL) {
		snprintf(out, outsz, "%s", opt);
		return CTL_CONTINUE;
	}
	snprintf(out, outsz, "%s", SESAME_DEFAULT_DATABASE);
	if (ctl->config_path == NULL && access(path, R_OK) != 0 && errno == ENOENT)
		return CTL_CONTINUE;
	if (config_client_database(path, out, outsz, err, sizeof(err)) != SESAME_OK)
		return ctl_fail(ctl, CTL_EXIT_USAGE, "config_error", "%s", err);
	return CTL_CONTINUE;
}

/* Opens database; a source must exist already (an SQLite path would
 * otherwise be created empty). */
static int cmd_store_open(ctl_t *ctl, const char *database, int must_exist, store_t **s)
{
	char shown[TERM_TEXT_MAX], described[512];
	int err;

	store_describe(database, described, sizeof(described));
	term_clean(described, shown, sizeof(shown));
	if (must_exist && !store_is_postgres(database) && access(database, F_OK) != 0)
		return ctl_fail(ctl, CTL_EXIT_REFUSED, "not_found", "%s: %s", shown,
				strerror(errno));
	if ((err = store_open(database, s)) != SESAME_OK)
		return ctl_fail(ctl, CTL_EXIT_REFUSED, sesame_err_code(err),
				"cannot open %s (see the message above)", shown);
	return CTL_CONTINUE;
}

static int cmd_store_migrate_run(ctl_t *ctl, int argc, char **argv)
{
	static const struct option opts[] = {{"database", required_argument, NULL, OPT_DATABASE},
					     CTL_COMMON_OPTIONS,
					     {NULL, 0, NULL, 0}};
	char database[SESAME_MAX_PATH], described[512], shown[TERM_TEXT_MAX];
	const char *database_opt = NULL;
	store_t *s = NULL;
	int rc, c, version = 0;

	while ((c = ctl_getopt(ctl, argc, argv, opts, &rc)) != -1)
		if (c == OPT_DATABASE)
			database_opt = optarg;
	if (rc != CTL_CONTINUE)
		return rc;
	if ((rc = ctl_operands(ctl, argc, argv, 0)) != CTL_CONTINUE ||
	    (rc = cmd_store_database(ctl, database_opt, database, sizeof(database))) !=
		CTL_CONTINUE ||
	    (rc = cmd_store_open(ctl, database, 0, &s)) != CTL_CONTINUE)
		return rc;
	rc = store_schema_version(s, &version);
	store_close(&s);
	if (rc != SESAME_OK)
		return ctl_fail(ctl, CTL_EXIT_REFUSED, sesame_err_code(rc),
				"cannot read the schema version");
	store_describe(database, described, sizeof(described));
	term_clean(described, shown, sizeof(shown));
	if (!ctl->json) {
		printf("%s: schema version %d (current).\n", shown, version);
		return CTL_EXIT_OK;
	}
	json_t *doc = json_pack("{s:s, s:i}", "database", described, "schema_version", version);
	rc = doc ? ctl_json_print(ctl, doc) : ctl_nomem(ctl);
	json_decref(doc);
	return rc;
}

const cmd_t cmd_store_migrate = {
    .group = "store",
    .name = "migrate",
    .args = "",
    .options = "[--database DB]",
    .summary = "Bring the database's schema to this version (no daemon needed).",
    .help = "Opens the database and applies the schema steps it lacks, as the daemon\n"
	    "does when it starts; with PostgreSQL, under an advisory lock, so that\n"
	    "daemons starting meanwhile wait. An up-to-date database is left as it is.\n"
	    "A database newer than this sesamectl is refused.\n"
	    "\n"
	    "Options:\n"
	    "  --database DB    an SQLite file, or a PostgreSQL URI or conninfo\n"
	    "                   (default: [store] database of the configuration)\n",
    .run = cmd_store_migrate_run,
};

struct copy_report {
	ctl_t *ctl;
	json_t *tables;
};

static void cmd_store_copy_report(void *arg, const char *table, uint64_t rows, const char *checksum)
{
	struct copy_report *r = arg;

	if (r->tables != NULL)
		json_array_append_new(r->tables,
				      json_pack("{s:s, s:I, s:s}", "table", table, "rows",
						(json_int_t)rows, "checksum", checksum));
	else
		printf("  %-22s %10llu rows  sha256-sum %.16s  ok\n", table,
		       (unsigned long long)rows, checksum);
}

static int cmd_store_copy_run(ctl_t *ctl, int argc, char **argv)
{
	static const struct option opts[] = {{"from", required_argument, NULL, OPT_FROM},
					     {"to", required_argument, NULL, OPT_TO},
					     CTL_COMMON_OPTIONS,
					     {NULL, 0, NULL, 0}};
	char err[512], from_shown[TERM_TEXT_MAX], to_shown[TERM_TEXT_MAX], described[512];
	const char *from = NULL, *to = NULL;
	struct copy_report report = {ctl, NULL};
	store_t *src = NULL, *dst = NULL;
	int rc, c, r;

	while ((c = ctl_getopt(ctl, argc, argv, opts, &rc)) != -1) {
		if (c == OPT_FROM)
			from = optarg;
		else if (c == OPT_TO)
			to = optarg;
	}
	if (rc != CTL_CONTINUE)
		return rc;
	if ((rc = ctl_operands(ctl, argc, argv, 0)) != CTL_CONTINUE)
		return rc;
	if (from == NULL || to == NULL)
		return ctl_usage_error(ctl, "both --from and --to are needed");
	if (strcmp(from, to) == 0)
		return ctl_usage_error(ctl, "--from and --to name the same database");
	store_describe(from, described, sizeof(described));
	term_clean(described, from_shown, sizeof(from_shown));
	store_describe(to, described, sizeof(described));
	term_clean(described, to_shown, sizeof(to_shown));
	if ((rc = cmd_store_open(ctl, from, 1, &src)) != CTL_CONTINUE)
		return rc;
	if ((rc = cmd_store_open(ctl, to, 0, &dst)) != CTL_CONTINUE) {
		store_close(&src);
		return rc;
	}
	if (ctl->json && (report.tables = json_array()) == NULL) {
		store_close(&dst);
		store_close(&src);
		return ctl_nomem(ctl);
	}
	if (!ctl->json)
		printf("Copying %s\n     to %s\n", from_shown, to_shown);
	r = store_copy(src, dst, cmd_store_copy_report, &report, err, sizeof(err));
	store_close(&dst);
	store_close(&src);
	if (r != SESAME_OK) {
		json_decref(report.tables);
		return ctl_fail(ctl, CTL_EXIT_REFUSED, sesame_err_code(r), "nothing copied: %s",
				err);
	}
	if (!ctl->json) {
		printf("Copied and verified (row count and checksum of every table).\n");
		return CTL_EXIT_OK;
	}
	json_t *doc = json_pack("{s:o}", "tables", report.tables);
	rc = doc ? ctl_json_print(ctl, doc) : ctl_nomem(ctl);
	json_decref(doc);
	return rc;
}

const cmd_t cmd_store_copy = {
    .group = "store",
    .name = "copy",
    .args = "",
    .options = "--from DB --to DB",
    .summary = "Copy every row into a new database, and verify it (no daemon needed).",
    .help = "Moves an installation between SQLite and PostgreSQL (either way, or\n"
	    "between two of a kind). DB is an SQLite file or a PostgreSQL URI or\n"
	    "conninfo. The destination is made (or migrated) first and must hold no\n"
	    "row; the source is read in one snapshot and written in one transaction,\n"
	    "with its ids; then every table is read back from the destination in that\n"
	    "transaction and must have the source's row count and checksum, or\n"
	    "nothing is kept. Stop the daemons that use the source first: what they\n"
	    "write after the snapshot would not be copied. The master key is not in\n"
	    "the database: the new one is read with the same key file.\n"
	    "\n"
	    "Options:\n"
	    "  --from DB        the database to copy\n"
	    "  --to DB          the new database\n",
    .run = cmd_store_copy_run,
};
