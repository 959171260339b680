/* sesamectl password check: has sesame-authd's policy judge a password read
 * from standard input (/v1/password/check, a typed call of the client). The
 * password is never taken from argv, never printed, and wiped from every
 * buffer that held it. */
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "pwinput.h"
#include "sesame/error.h"
#include "sesame/limits.h"
#include "term.h"

/* A PAM service name as the daemon takes it: 1..64 printable ASCII. */
static int cmd_password_service_arg(ctl_t *ctl, const char *s)
{
	char shown[TERM_TEXT_MAX];
	size_t n = strnlen(s, SESAME_MAX_SERVICE + 1);
	size_t i;

	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x21 || (unsigned char)s[i] > 0x7e)
			break;
	if (n > 0 && n <= SESAME_MAX_SERVICE && i == n)
		return CTL_CONTINUE;
	term_clean(s, shown, sizeof(shown));
	return ctl_usage_error(ctl, "invalid service name '%s' (1 to %d printable characters)",
			       shown, SESAME_MAX_SERVICE);
}

static void cmd_password_print(const client_password_t *reply)
{
	char text[TERM_TEXT_MAX];

	if (reply->accepted) {
		printf("accepted\n");
	} else {
		printf("refused\n");
		for (size_t i = 0; i < reply->nreasons; i++) {
			term_clean(reply->reasons[i].message, text, sizeof(text));
			printf("  %s\n", text);
		}
		if (reply->hint[0] != '\0') {
			term_clean(reply->hint, text, sizeof(text));
			printf("hint: %s\n", text);
		}
	}
	if (reply->has_score && reply->score >= 0)
		printf("score: %d of 4\n", reply->score);
	else
		printf("score: none\n");
}

/* The checked reply as one JSON document: the fields of docs/protocol.md,
 * whatever else a newer daemon may add. */
static int cmd_password_print_json(ctl_t *ctl, const client_password_t *reply)
{
	json_t *doc = json_pack("{s:b, s:I, s:[], s:s}", "accepted", (int)reply->accepted, "length",
				(json_int_t)reply->length, "reasons", "hint", reply->hint);
	json_t *reasons = json_object_get(doc, "reasons");
	int rc;

	if (doc == NULL ||
	    json_object_set_new(doc, "score",
				reply->has_score ? json_integer(reply->score) : json_null()) != 0)
		goto nomem;
	for (size_t i = 0; i < reply->nreasons; i++) {
		const client_password_reason_t *r = &reply->reasons[i];
		if (json_array_append_new(reasons, json_pack("{s:s, s:s}", "code", r->code,
							     "message", r->message)) != 0)
			goto nomem;
	}
	rc = ctl_json_print(ctl, doc);
	json_decref(doc);
	return rc;
nomem:
	json_decref(doc);
	return ctl_nomem(ctl);
}

static int cmd_password_check_run(ctl_t *ctl, int argc, char **argv)
{
	enum { OPT_USER = 256, OPT_SERVICE, OPT_OLD };
	static const struct option opts[] = {
	    {"user", required_argument, NULL, OPT_USER},
	    {"service", required_argument, NULL, OPT_SERVICE},
	    {"old", no_argument, NULL, OPT_OLD},
	    CTL_COMMON_OPTIONS,
	    {NULL, 0, NULL, 0},
	};
	char password[PWINPUT_BUF];
	char old[PWINPUT_BUF];
	size_t len = 0, old_len = 0;
	const char *user = NULL, *service = NULL;
	int with_old = 0;
	sesame_client_t *client = NULL;
	client_password_request_t req;
	client_password_t reply;
	client_error_t error;
	int c, err, rc = CTL_CONTINUE;

	while ((c = ctl_getopt(ctl, argc, argv, opts, &rc)) != -1) {
		if (c == OPT_USER)
			user = optarg;
		else if (c == OPT_SERVICE)
			service = optarg;
		else if (c == OPT_OLD)
			with_old = 1;
	}
	if (rc != CTL_CONTINUE)
		return rc;
	/* an operand is most likely a password: refuse it without echoing it */
	if (optind < argc)
		return ctl_usage_error(ctl, "unexpected argument; the password is read from "
					    "standard input, never from the command line");
	if (user != NULL && (rc = ctl_user_arg(ctl, user)) != CTL_CONTINUE)
		return rc;
	if (service != NULL && (rc = cmd_password_service_arg(ctl, service)) != CTL_CONTINUE)
		return rc;

	if ((rc = pwinput_get(ctl, "password", "Password to check: ", password, &len)) !=
	    CTL_CONTINUE)
		goto out;
	if (with_old && (rc = pwinput_get(ctl, "old password", "Old password: ", old, &old_len)) !=
			    CTL_CONTINUE)
		goto out;
	if ((rc = ctl_client(ctl, &client)) != CTL_CONTINUE)
		goto out;
	req = (client_password_request_t){
	    .password = password,
	    .password_len = len,
	    .old_password = with_old ? old : NULL,
	    .old_password_len = with_old ? old_len : 0,
	    .user = user,
	    .service = service,
	};
	err = client_password_check(client, &req, &reply, &error);
	if (err != SESAME_OK) {
		rc = ctl_call_failed(ctl, err, &error);
		/* 1 means "the policy refused the password" only: a request the
		 * daemon refused (permission, rate limit) is an error like any other */
		if (rc == CTL_EXIT_REFUSED)
			rc = CTL_EXIT_USAGE;
		goto out;
	}
	if (ctl->json) {
		rc = cmd_password_print_json(ctl, &reply);
	} else {
		cmd_password_print(&reply);
		rc = CTL_EXIT_OK;
	}
	if (rc == CTL_EXIT_OK && !reply.accepted)
		rc = CTL_EXIT_REFUSED;
out:
	explicit_bzero(password, sizeof(password));
	explicit_bzero(old, sizeof(old));
	return rc;
}

const cmd_t cmd_password_check = {
    .group = "password",
    .name = "check",
    .args = "",
    .options = "[--user USER] [--service SERVICE] [--old]",
    .summary = "Check a password (read from stdin) against the policy.",
    .help = "Reads one line from standard input, the password without its final newline,\n"
	    "and asks sesame-authd whether its password policy accepts it as USER's new\n"
	    "password. The password is never taken from the command line. On a terminal\n"
	    "it is prompted for on standard error and not echoed. At most 1024 bytes of\n"
	    "UTF-8; a longer line is refused before anything is sent. Prints \"accepted\",\n"
	    "or \"refused\" with each reason and a hint, then the zxcvbn score (0 to 4).\n"
	    "Root may check for any user, other users for themselves only.\n"
	    "\n"
	    "Exit status: 0 accepted, 1 refused by the policy, 2 any error (usage,\n"
	    "input, sesame-authd unreachable or refusing the request).\n"
	    "\n"
	    "Options:\n"
	    "  --user USER        the user the password is for (default: the caller)\n"
	    "  --service SERVICE  the PAM service to name to the policy\n"
	    "  --old              read a second line: the current password, which the\n"
	    "                     new one must differ from\n",
    .run = cmd_password_check_run,
};
