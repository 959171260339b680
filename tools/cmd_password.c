/* sesamectl password check: has sesame-authd's policy judge a password read
 * from standard input (/v1/password/check). The password is never taken
 * from argv, never printed, and wiped from every buffer that held it. */
#include <string.h>

#include "cmd.h"
#include "pwinput.h"
#include "sesame/error.h"
#include "sesame/limits.h"
#include "term.h"

/* Reasons printed from one reply. */
#define CMD_PASSWORD_MAX_REASONS 32

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

static int cmd_password_reply_ok(ctl_t *ctl, const json_t *reply)
{
	const json_t *reasons = json_object_get(reply, "reasons");
	const json_t *hint = json_object_get(reply, "hint");
	const json_t *score = json_object_get(reply, "score");
	const json_t *r;
	size_t i;

	if (!json_is_boolean(json_object_get(reply, "accepted")))
		return ctl_bad_reply(ctl, "accepted");
	if (reasons != NULL && !json_is_array(reasons))
		return ctl_bad_reply(ctl, "reasons");
	json_array_foreach(reasons, i, r)
	{
		if (!json_is_string(json_object_get(r, "message")))
			return ctl_bad_reply(ctl, "reasons");
	}
	if (hint != NULL && !json_is_string(hint) && !json_is_null(hint))
		return ctl_bad_reply(ctl, "hint");
	if (score != NULL && !json_is_integer(score))
		return ctl_bad_reply(ctl, "score");
	return CTL_CONTINUE;
}

static void cmd_password_print(const json_t *reply)
{
	char text[TERM_TEXT_MAX];
	const json_t *reasons = json_object_get(reply, "reasons");
	const json_t *score = json_object_get(reply, "score");
	const char *hint = json_string_value(json_object_get(reply, "hint"));
	const json_t *r;
	size_t i;

	if (json_is_true(json_object_get(reply, "accepted"))) {
		printf("accepted\n");
	} else {
		printf("refused\n");
		json_array_foreach(reasons, i, r)
		{
			if (i == CMD_PASSWORD_MAX_REASONS)
				break;
			term_clean(json_string_value(json_object_get(r, "message")), text,
				   sizeof(text));
			printf("  %s\n", text);
		}
		if (hint != NULL && *hint != '\0') {
			term_clean(hint, text, sizeof(text));
			printf("hint: %s\n", text);
		}
	}
	if (json_is_integer(score) && json_integer_value(score) >= 0)
		printf("score: %" JSON_INTEGER_FORMAT " of 4\n", json_integer_value(score));
	else
		printf("score: none\n");
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
	json_t *req = NULL, *reply = NULL;
	int c, rc = CTL_CONTINUE;

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
	req = json_object();
	if (req == NULL || pwinput_json_set(req, "password", password, len) != 0 ||
	    (with_old && pwinput_json_set(req, "old_password", old, old_len) != 0) ||
	    (user != NULL && json_object_set_new(req, "user", json_string(user)) != 0) ||
	    (service != NULL && json_object_set_new(req, "service", json_string(service)) != 0)) {
		rc = ctl_nomem(ctl);
		goto out;
	}
	rc = ctl_call(ctl, "/v1/password/check", req, &reply);
	/* 1 means "the policy refused the password" only: a request the daemon
	 * refused (permission, rate limit) is an error like any other */
	if (rc == CTL_EXIT_REFUSED)
		rc = CTL_EXIT_USAGE;
	if (rc != CTL_EXIT_OK || (rc = cmd_password_reply_ok(ctl, reply)) != CTL_CONTINUE)
		goto out;
	if (ctl->json) {
		rc = ctl_json_print(ctl, reply);
	} else {
		cmd_password_print(reply);
		rc = CTL_EXIT_OK;
	}
	if (rc == CTL_EXIT_OK && !json_is_true(json_object_get(reply, "accepted")))
		rc = CTL_EXIT_REFUSED;
out:
	if (req != NULL) {
		ctl_json_wipe_string(json_object_get(req, "password"));
		ctl_json_wipe_string(json_object_get(req, "old_password"));
	}
	json_decref(req);
	json_decref(reply);
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
