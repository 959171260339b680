/* sesamectl audit: the daemon's audit events as a table (/v1/audit). */
#include "cmd.h"
#include "sesame/error.h"
#include "sesame/limits.h"
#include "term.h"

#define CMD_AUDIT_COLS 7

static int cmd_audit_table(ctl_t *ctl, const json_t *events)
{
	static const char *const header[CMD_AUDIT_COLS] = {"TIME",   "USER",   "SERVICE", "RHOST",
							   "FACTOR", "RESULT", "REASON"};
	static const char *const keys[CMD_AUDIT_COLS] = {NULL,	   "user",   "service", "rhost",
							 "factor", "result", "reason"};
	term_table_t *table = NULL;
	const json_t *ev;
	size_t i;
	int rc = CTL_EXIT_OK;

	if (term_table_new(CMD_AUDIT_COLS, &table) != SESAME_OK ||
	    term_table_add(table, header) != SESAME_OK) {
		rc = ctl_nomem(ctl);
		goto out;
	}
	json_array_foreach(events, i, ev)
	{
		char when[64];
		const char *row[CMD_AUDIT_COLS];

		if (!json_is_object(ev) ||
		    ctl_time_format(json_object_get(ev, "time"), when, sizeof(when)) != 0) {
			rc = ctl_bad_reply(ctl, "events[].time");
			goto out;
		}
		row[0] = when;
		for (size_t c = 1; c < CMD_AUDIT_COLS; c++) {
			row[c] = json_string_value(json_object_get(ev, keys[c]));
			if (row[c] != NULL && *row[c] == '\0')
				row[c] = NULL; /* shown as "-" */
		}
		if (term_table_add(table, row) != SESAME_OK) {
			rc = ctl_nomem(ctl);
			goto out;
		}
	}
	if (term_table_print(table, stdout) != SESAME_OK)
		rc = CTL_EXIT_USAGE;
out:
	term_table_free(&table);
	return rc;
}

static int cmd_audit_run(ctl_t *ctl, int argc, char **argv)
{
	enum { OPT_USER = 256, OPT_LIMIT };
	static const struct option opts[] = {
	    {"user", required_argument, NULL, OPT_USER},
	    {"limit", required_argument, NULL, OPT_LIMIT},
	    CTL_COMMON_OPTIONS,
	    {NULL, 0, NULL, 0},
	};
	const char *user = NULL;
	long limit = 0;
	json_t *req = NULL, *reply = NULL, *events;
	int c, rc = CTL_CONTINUE;

	while ((c = ctl_getopt(ctl, argc, argv, opts, &rc)) != -1) {
		if (c == OPT_USER) {
			user = optarg;
		} else if (c == OPT_LIMIT) {
			rc =
			    ctl_uint_arg(ctl, "--limit", optarg, 1, SESAME_MAX_AUDIT_LIMIT, &limit);
			if (rc != CTL_CONTINUE)
				return rc;
		}
	}
	if (rc != CTL_CONTINUE || (rc = ctl_operands(ctl, argc, argv, 0)) != CTL_CONTINUE)
		return rc;
	if (user != NULL && (rc = ctl_user_arg(ctl, user)) != CTL_CONTINUE)
		return rc;

	req = json_object();
	if (req != NULL &&
	    ((user && json_object_set_new(req, "user", json_string(user)) != 0) ||
	     (limit && json_object_set_new(req, "limit", json_integer(limit)) != 0))) {
		json_decref(req);
		req = NULL;
	}
	if ((rc = ctl_call(ctl, "/v1/audit", req, &reply)) != CTL_EXIT_OK)
		goto out;
	if (!json_is_array(events = json_object_get(reply, "events"))) {
		rc = ctl_bad_reply(ctl, "events");
		goto out;
	}
	if (ctl->json)
		rc = ctl_json_print(ctl, reply);
	else if (json_array_size(events) == 0)
		printf("No audit events%s%s.\n", user ? " for " : "", user ? user : "");
	else
		rc = cmd_audit_table(ctl, events);
out:
	json_decref(reply);
	json_decref(req);
	return rc;
}

const cmd_t cmd_audit = {
    .group = NULL,
    .name = "audit",
    .args = "",
    .options = "[--user USER] [--limit N]",
    .summary = "Show the audit log, newest first.",
    .help = "Prints one line per authentication event: time (ISO 8601, local), user,\n"
	    "PAM service, remote host, factor, result and reason. \"-\" marks an empty\n"
	    "field.\n"
	    "\n"
	    "Options:\n"
	    "  --user USER        only the events of USER\n"
	    "  --limit N          at most N events, 1 to 10000 (default 100)\n",
    .run = cmd_audit_run,
};
