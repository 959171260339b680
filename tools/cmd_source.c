/* sesamectl source: the failures and wait of a client address (throttling
 * per source, against password spraying), and clearing them
 * (/v1/source/...). */
#include <string.h>

#include "cmd.h"
#include "term.h"

static int cmd_source_run(ctl_t *ctl, int argc, char **argv, const char *path)
{
	static const struct option opts[] = {CTL_COMMON_OPTIONS, {NULL, 0, NULL, 0}};
	char shown[TERM_TEXT_MAX], last[64];
	json_t *req = NULL, *reply = NULL;
	int rc = CTL_CONTINUE;

	while (ctl_getopt(ctl, argc, argv, opts, &rc) != -1)
		continue;
	if (rc != CTL_CONTINUE || (rc = ctl_operands(ctl, argc, argv, 1)) != CTL_CONTINUE)
		return rc;
	if ((req = json_pack("{s:s}", "address", argv[optind])) == NULL)
		return ctl_usage_error(ctl, "the address is not text");
	if ((rc = ctl_call(ctl, path, req, &reply)) != CTL_EXIT_OK)
		goto out;
	if (!json_is_string(json_object_get(reply, "source")))
		rc = ctl_bad_reply(ctl, "source");
	else if (ctl->json)
		rc = ctl_json_print(ctl, reply);
	else {
		term_clean(json_string_value(json_object_get(reply, "source")), shown,
			   sizeof(shown));
		if (ctl->cmd == &cmd_source_unlock)
			printf("%s is unlocked: its failures are forgotten.\n", shown);
		else if (ctl_time_format(json_object_get(reply, "last_failure"), last,
					 sizeof(last)) != 0)
			rc = ctl_bad_reply(ctl, "last_failure");
		else
			printf("Source:        %s\nFailures:      %" JSON_INTEGER_FORMAT
			       "\nWaits:         %" JSON_INTEGER_FORMAT " s\nLast failure:  %s\n",
			       shown, json_integer_value(json_object_get(reply, "failures")),
			       json_integer_value(json_object_get(reply, "wait")), last);
	}
out:
	json_decref(req);
	json_decref(reply);
	return rc;
}

static int cmd_source_show_run(ctl_t *ctl, int argc, char **argv)
{
	return cmd_source_run(ctl, argc, argv, "/v1/source/show");
}

static int cmd_source_unlock_run(ctl_t *ctl, int argc, char **argv)
{
	return cmd_source_run(ctl, argc, argv, "/v1/source/unlock");
}

const cmd_t cmd_source_show = {
    .group = "source",
    .name = "show",
    .args = "ADDRESS",
    .options = NULL,
    .summary = "Show the failed attempts and wait of a client address.",
    .help = "Prints how many failed attempts sesame-authd counts from ADDRESS (an\n"
	    "IPv4 address, an IPv6 address counted by its /64, or a host name as\n"
	    "sshd reports it), when the last one was, and how long the address must\n"
	    "still wait ([throttle] source_max_failures).\n"
	    "\n"
	    "Options:\n",
    .run = cmd_source_show_run,
};

const cmd_t cmd_source_unlock = {
    .group = "source",
    .name = "unlock",
    .args = "ADDRESS",
    .options = NULL,
    .summary = "Forget the failed attempts of a client address.",
    .help = "Clears the failures and the wait of ADDRESS (for example an office's\n"
	    "NAT address after a burst of mistyped passwords). Accounts locked by\n"
	    "their own failures stay locked: see 'user unlock'. Audited.\n"
	    "\n"
	    "Options:\n",
    .run = cmd_source_unlock_run,
};
