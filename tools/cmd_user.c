/* sesamectl user: add a user, set its password, invite, disable and enable
 * it, show its factors and state, unlock it (/v1/user/...). */
#include <string.h>

#include "cmd.h"
#include "pwinput.h"
#include "sesame/error.h"
#include "sesame/limits.h"
#include "term.h"

/* Reasons printed from one refusal. */
#define CMD_USER_MAX_REASONS 32

/* Room for the factor list on one line. */
#define CMD_USER_FACTORS_MAX 1024

/* One factor of the list: "totp", or an object naming its type, as in
 * totp "phone" (pending). */
static void cmd_user_factor(const json_t *f, char *buf, size_t bufsz)
{
	static const char *const type_keys[] = {"type", "factor", "kind"};
	const char *type = json_string_value(f);
	const char *name = json_string_value(json_object_get(f, "name"));
	const char *pending = json_is_false(json_object_get(f, "confirmed")) ? " (pending)" : "";
	char t[TERM_TEXT_MAX], n[TERM_TEXT_MAX];

	for (size_t i = 0; type == NULL && i < sizeof(type_keys) / sizeof(type_keys[0]); i++)
		type = json_string_value(json_object_get(f, type_keys[i]));
	term_clean(type ? type : "?", t, sizeof(t));
	if (name == NULL || *name == '\0') {
		snprintf(buf, bufsz, "%s%s", t, pending);
		return;
	}
	term_clean(name, n, sizeof(n));
	snprintf(buf, bufsz, "%s \"%s\"%s", t, n, pending);
}

static void cmd_user_factors(const json_t *list, char *buf, size_t bufsz)
{
	char one[2 * TERM_TEXT_MAX + 16]; /* type "name" (pending) */
	const json_t *f;
	size_t i, len = 0;

	snprintf(buf, bufsz, "%s", json_array_size(list) ? "" : "none");
	json_array_foreach(list, i, f)
	{
		cmd_user_factor(f, one, sizeof(one));
		if (len + strlen(one) + 3 >= bufsz) {
			snprintf(buf + len, bufsz - len, "%s", i ? ", ..." : "...");
			break;
		}
		len += (size_t)snprintf(buf + len, bufsz - len, "%s%s", i ? ", " : "", one);
	}
}

static int cmd_user_show_print(ctl_t *ctl, const char *user, const json_t *reply)
{
	char factors[CMD_USER_FACTORS_MAX], wait[64], success[64], failure[64];
	const json_t *locked = json_object_get(reply, "locked");
	const json_t *known = json_object_get(reply, "known");
	const json_t *failures = json_object_get(reply, "failures");
	const json_t *list = json_object_get(reply, "factors");
	const json_t *real_name = json_object_get(reply, "real_name");
	const json_t *has_password = json_object_get(reply, "has_password");
	const json_t *disabled = json_object_get(reply, "disabled");
	char name[TERM_TEXT_MAX], changed[64];

	if (!json_is_boolean(locked))
		return ctl_bad_reply(ctl, "locked");
	if (real_name != NULL && !json_is_string(real_name))
		return ctl_bad_reply(ctl, "real_name");
	if ((has_password != NULL && !json_is_boolean(has_password)) ||
	    ctl_time_format(json_object_get(reply, "password_changed"), changed, sizeof(changed)) !=
		0)
		return ctl_bad_reply(ctl, "has_password");
	if (disabled != NULL && !json_is_boolean(disabled))
		return ctl_bad_reply(ctl, "disabled");
	if (list != NULL && !json_is_array(list))
		return ctl_bad_reply(ctl, "factors");
	if (ctl_time_format(json_object_get(reply, "last_success"), success, sizeof(success)) != 0)
		return ctl_bad_reply(ctl, "last_success");
	if (ctl_time_format(json_object_get(reply, "last_failure"), failure, sizeof(failure)) != 0)
		return ctl_bad_reply(ctl, "last_failure");
	cmd_user_factors(list, factors, sizeof(factors));
	ctl_duration_format(json_integer_value(json_object_get(reply, "wait")), wait, sizeof(wait));

	printf("User:          %s\n", user);
	if (json_is_boolean(known))
		printf("Known:         %s\n", json_is_true(known) ? "yes" : "no");
	if (json_string_length(real_name) > 0) {
		term_clean(json_string_value(real_name), name, sizeof(name));
		printf("Real name:     %s\n", name);
	}
	if (json_is_true(disabled))
		printf("Disabled:      yes, every login is refused\n");
	else if (json_is_boolean(disabled))
		printf("Disabled:      no\n");
	if (json_is_true(has_password))
		printf("Password:      set %s\n", changed);
	else if (json_is_boolean(has_password))
		printf("Password:      none\n");
	printf("Factors:       %s\n", factors);
	if (json_is_integer(json_object_get(reply, "recovery_codes")))
		printf("Recovery codes: %" JSON_INTEGER_FORMAT " left\n",
		       json_integer_value(json_object_get(reply, "recovery_codes")));
	if (json_is_integer(failures))
		printf("Failures:      %" JSON_INTEGER_FORMAT "\n", json_integer_value(failures));
	if (json_is_true(locked))
		printf("Locked:        yes, %s left\n", wait);
	else
		printf("Locked:        no\n");
	printf("Last success:  %s\n", success);
	printf("Last failure:  %s\n", failure);
	return CTL_EXIT_OK;
}

static int cmd_user_run(ctl_t *ctl, int argc, char **argv, const char *path)
{
	static const struct option opts[] = {CTL_COMMON_OPTIONS, {NULL, 0, NULL, 0}};
	const char *user;
	json_t *req = NULL, *reply = NULL;
	int rc = CTL_CONTINUE;

	while (ctl_getopt(ctl, argc, argv, opts, &rc) != -1)
		continue;
	if (rc != CTL_CONTINUE || (rc = ctl_operands(ctl, argc, argv, 1)) != CTL_CONTINUE)
		return rc;
	user = argv[optind];
	if ((rc = ctl_user_arg(ctl, user)) != CTL_CONTINUE)
		return rc;
	req = json_pack("{s:s}", "user", user);
	if ((rc = ctl_call(ctl, path, req, &reply)) != CTL_EXIT_OK)
		goto out;
	if (ctl->cmd == &cmd_user_unlock && !json_is_true(json_object_get(reply, "unlocked")))
		rc = ctl_bad_reply(ctl, "unlocked");
	else if ((ctl->cmd == &cmd_user_disable || ctl->cmd == &cmd_user_enable) &&
		 !json_is_boolean(json_object_get(reply, "disabled")))
		rc = ctl_bad_reply(ctl, "disabled");
	else if (ctl->json)
		rc = ctl_json_print(ctl, reply);
	else if (ctl->cmd == &cmd_user_unlock)
		printf("%s is unlocked: failures cleared, no wait before the next attempt.\n",
		       user);
	else if (ctl->cmd == &cmd_user_disable)
		printf("%s is disabled: every login is refused until 'sesamectl user enable "
		       "%s'.\n",
		       user, user);
	else if (ctl->cmd == &cmd_user_enable)
		printf("%s is enabled.\n", user);
	else
		rc = cmd_user_show_print(ctl, user, reply);
out:
	json_decref(reply);
	json_decref(req);
	return rc;
}

static int cmd_user_show_run(ctl_t *ctl, int argc, char **argv)
{
	return cmd_user_run(ctl, argc, argv, "/v1/user/show");
}

static int cmd_user_unlock_run(ctl_t *ctl, int argc, char **argv)
{
	return cmd_user_run(ctl, argc, argv, "/v1/user/unlock");
}

static int cmd_user_disable_run(ctl_t *ctl, int argc, char **argv)
{
	return cmd_user_run(ctl, argc, argv, "/v1/user/disable");
}

static int cmd_user_enable_run(ctl_t *ctl, int argc, char **argv)
{
	return cmd_user_run(ctl, argc, argv, "/v1/user/enable");
}

/* The policy's reasons and hint of a refused password, on stderr (the
 * daemon's sentence is already there; with --json the whole reply is on
 * stdout). */
static void cmd_user_refusal(const ctl_t *ctl, const json_t *error)
{
	const json_t *reasons = json_object_get(error, "reasons");
	const char *hint = json_string_value(json_object_get(error, "hint"));
	char text[TERM_TEXT_MAX];
	const json_t *r;
	size_t i;

	if (ctl->json)
		return;
	json_array_foreach(reasons, i, r)
	{
		const char *m = json_string_value(json_object_get(r, "message"));
		if (i == CMD_USER_MAX_REASONS)
			break;
		if (m == NULL)
			continue;
		term_clean(m, text, sizeof(text));
		fprintf(stderr, "  %s\n", text);
	}
	if (hint != NULL && *hint != '\0') {
		term_clean(hint, text, sizeof(text));
		fprintf(stderr, "hint: %s\n", text);
	}
}

/* user add USER [--real-name NAME] [--password], user passwd USER. */
static int cmd_user_pw_run(ctl_t *ctl, int argc, char **argv, int add)
{
	enum { OPT_REAL_NAME = 256, OPT_PASSWORD };
	static const struct option add_opts[] = {
	    {"real-name", required_argument, NULL, OPT_REAL_NAME},
	    {"password", no_argument, NULL, OPT_PASSWORD},
	    CTL_COMMON_OPTIONS,
	    {NULL, 0, NULL, 0},
	};
	static const struct option passwd_opts[] = {CTL_COMMON_OPTIONS, {NULL, 0, NULL, 0}};
	char password[PWINPUT_BUF];
	size_t len = 0;
	const char *user, *real_name = NULL;
	int with_password = !add;
	json_t *req = NULL, *reply = NULL;
	int c, rc = CTL_CONTINUE;

	while ((c = ctl_getopt(ctl, argc, argv, add ? add_opts : passwd_opts, &rc)) != -1) {
		if (c == OPT_REAL_NAME)
			real_name = optarg;
		else if (c == OPT_PASSWORD)
			with_password = 1;
	}
	if (rc != CTL_CONTINUE)
		return rc;
	/* a second operand is most likely a password: refuse it unseen */
	if (argc - optind > 1)
		return ctl_usage_error(ctl, "unexpected argument; the password is read from "
					    "standard input, never from the command line");
	if ((rc = ctl_operands(ctl, argc, argv, 1)) != CTL_CONTINUE)
		return rc;
	user = argv[optind];
	if ((rc = ctl_user_arg(ctl, user)) != CTL_CONTINUE)
		return rc;
	if (real_name != NULL && strlen(real_name) > SESAME_MAX_REAL_NAME)
		return ctl_usage_error(ctl, "the real name is longer than %d bytes",
				       SESAME_MAX_REAL_NAME);
	req = json_pack("{s:s}", "user", user);
	if (req != NULL && real_name != NULL &&
	    json_object_set_new(req, "real_name", json_string(real_name)) != 0) {
		json_decref(req);
		return ctl_usage_error(ctl, "the real name is not valid UTF-8 text");
	}
	if (with_password &&
	    (rc = pwinput_get_new(ctl, "password", add ? "Password: " : "New password: ", password,
				  &len)) != CTL_CONTINUE)
		goto out;
	if (req == NULL || (with_password && pwinput_json_set(req, "password", password, len))) {
		rc = ctl_nomem(ctl);
		goto out;
	}
	rc = ctl_call_detail(ctl, add ? "/v1/user/add" : "/v1/user/passwd", req, &reply);
	if (rc == CTL_EXIT_REFUSED) {
		cmd_user_refusal(ctl, reply);
		goto out;
	}
	if (rc != CTL_EXIT_OK)
		goto out;
	if (add && !json_is_true(json_object_get(reply, "added")))
		rc = ctl_bad_reply(ctl, "added");
	else if (!add && !json_is_integer(json_object_get(reply, "password_changed")))
		rc = ctl_bad_reply(ctl, "password_changed");
	else if (ctl->json)
		rc = ctl_json_print(ctl, reply);
	else if (add)
		printf("%s added, %s.\n", user,
		       with_password ? "with a password" : "without a password");
	else
		printf("The password of %s is changed.\n", user);
out:
	ctl_json_wipe_string(json_object_get(req, "password"));
	json_decref(req);
	json_decref(reply);
	explicit_bzero(password, sizeof(password));
	return rc;
}

static int cmd_user_add_run(ctl_t *ctl, int argc, char **argv)
{
	return cmd_user_pw_run(ctl, argc, argv, 1);
}

static int cmd_user_passwd_run(ctl_t *ctl, int argc, char **argv)
{
	return cmd_user_pw_run(ctl, argc, argv, 0);
}

/* user invite USER [--real-name NAME]: the link alone on stdout (for
 * scripts and mail), what it is on stderr. */
static int cmd_user_invite_run(ctl_t *ctl, int argc, char **argv)
{
	enum { OPT_REAL_NAME = 256 };
	static const struct option opts[] = {
	    {"real-name", required_argument, NULL, OPT_REAL_NAME},
	    CTL_COMMON_OPTIONS,
	    {NULL, 0, NULL, 0},
	};
	const char *user, *real_name = NULL, *url;
	json_t *req = NULL, *reply = NULL;
	char until[64], clean[TERM_TEXT_MAX];
	int c, rc = CTL_CONTINUE;

	while ((c = ctl_getopt(ctl, argc, argv, opts, &rc)) != -1)
		if (c == OPT_REAL_NAME)
			real_name = optarg;
	if (rc != CTL_CONTINUE || (rc = ctl_operands(ctl, argc, argv, 1)) != CTL_CONTINUE)
		return rc;
	user = argv[optind];
	if ((rc = ctl_user_arg(ctl, user)) != CTL_CONTINUE)
		return rc;
	if (real_name != NULL && strlen(real_name) > SESAME_MAX_REAL_NAME)
		return ctl_usage_error(ctl, "the real name is longer than %d bytes",
				       SESAME_MAX_REAL_NAME);
	if ((req = json_pack("{s:s}", "user", user)) == NULL)
		return ctl_nomem(ctl);
	if (real_name != NULL && json_object_set_new(req, "real_name", json_string(real_name))) {
		json_decref(req);
		return ctl_usage_error(ctl, "the real name is not valid UTF-8 text");
	}
	if ((rc = ctl_call(ctl, "/v1/user/invite", req, &reply)) != CTL_EXIT_OK)
		goto out;
	url = json_string_value(json_object_get(reply, "url"));
	if (url == NULL || strncmp(url, "http", 4) != 0 ||
	    strcspn(url, " \t\r\n\\\"<>") != strlen(url))
		rc = ctl_bad_reply(ctl, "url");
	else if (ctl_time_format(json_object_get(reply, "expires"), until, sizeof(until)) != 0)
		rc = ctl_bad_reply(ctl, "expires");
	else if (ctl->json)
		rc = ctl_json_print(ctl, reply);
	else {
		term_clean(user, clean, sizeof(clean));
		fprintf(stderr, "Single-use enrollment link for %s, valid until %s:\n", clean,
			until);
		printf("%s\n", url);
	}
out:
	json_decref(reply);
	json_decref(req);
	return rc;
}

const cmd_t cmd_user_invite = {
    .group = "user",
    .name = "invite",
    .args = "USER",
    .options = "[--real-name NAME]",
    .summary = "Print a single-use link to set a password and a first factor.",
    .help = "Asks sesame-authd for an enrollment invitation of USER and prints its link\n"
	    "on standard output (the rest goes to standard error). Opening the link in\n"
	    "a browser lets the person choose a password (judged by the password\n"
	    "policy), then register a first factor: a passkey or an authenticator app.\n"
	    "Only then are they signed in. The link works once, expires after [web]\n"
	    "invitation_ttl (a day by default) and replaces any earlier link of USER.\n"
	    "USER's record is created when missing (with --real-name); a disabled user\n"
	    "is refused. The link is built on [web] public_url. Only its SHA-256 is\n"
	    "stored: send it to the person over a channel you trust.\n"
	    "\n"
	    "Exit status: 0 printed, 1 refused by sesame-authd (disabled user, not\n"
	    "root), 2 any other error (web pages not configured, daemon down).\n"
	    "\n"
	    "Options:\n"
	    "  --real-name NAME   the full name of a user created by this invitation\n",
    .run = cmd_user_invite_run,
};

const cmd_t cmd_user_add = {
    .group = "user",
    .name = "add",
    .args = "USER",
    .options = "[--real-name NAME] [--password]",
    .summary = "Create a user's record, optionally with a password.",
    .help = "Creates Sesame's record of USER. With --password, reads the password from\n"
	    "standard input (one line, without its newline; on a terminal it is asked\n"
	    "twice and not echoed), has sesame-authd's password policy judge it, and\n"
	    "stores only its Argon2id hash. The password is never taken from the\n"
	    "command line. A refused password is reported with the policy's reasons\n"
	    "and nothing is created. A user that already has a record is refused: use\n"
	    "'user passwd' to set its password.\n"
	    "\n"
	    "Exit status: 0 added, 1 refused by sesame-authd (weak password, user\n"
	    "exists, not root), 2 any other error.\n"
	    "\n"
	    "Options:\n"
	    "  --real-name NAME   the user's full name (at most 128 bytes of UTF-8), also\n"
	    "                     a word the password may not contain\n"
	    "  --password         read a password from standard input\n",
    .run = cmd_user_add_run,
};

const cmd_t cmd_user_passwd = {
    .group = "user",
    .name = "passwd",
    .args = "USER",
    .options = NULL,
    .summary = "Set a user's password (read from stdin).",
    .help = "Reads USER's new password from standard input (one line, without its\n"
	    "newline; on a terminal it is asked twice and not echoed), has\n"
	    "sesame-authd's password policy judge it, and replaces the stored hash. The\n"
	    "password is never taken from the command line. A refused password is\n"
	    "reported with the policy's reasons and nothing changes.\n"
	    "\n"
	    "Exit status: 0 changed, 1 refused by sesame-authd (weak password, no such\n"
	    "user, not root), 2 any other error.\n"
	    "\n"
	    "Options:\n",
    .run = cmd_user_passwd_run,
};

const cmd_t cmd_user_disable = {
    .group = "user",
    .name = "disable",
    .args = "USER",
    .options = NULL,
    .summary = "Refuse every login of a user.",
    .help = "Disables USER: every authentication and account check through Sesame is\n"
	    "refused with \"This account is disabled.\", whatever the factors, until\n"
	    "'sesamectl user enable'. Factors and password are kept.\n"
	    "\n"
	    "Options:\n",
    .run = cmd_user_disable_run,
};

const cmd_t cmd_user_enable = {
    .group = "user",
    .name = "enable",
    .args = "USER",
    .options = NULL,
    .summary = "Let a disabled user log in again.",
    .help = "Enables USER again after 'sesamectl user disable'. Failures and lock-outs\n"
	    "are not changed (see 'user unlock').\n"
	    "\n"
	    "Options:\n",
    .run = cmd_user_enable_run,
};

const cmd_t cmd_user_show = {
    .group = "user",
    .name = "show",
    .args = "USER",
    .options = NULL,
    .summary = "Show factors, failures and lock state.",
    .help = "Prints USER's real name, whether the account is disabled, whether it has\n"
	    "a password and since when, its enrolled factors, consecutive failures,\n"
	    "whether logins are locked and for how much longer, and the last success\n"
	    "and failure (local time, or \"never\"). Root may ask about anyone, other\n"
	    "users about themselves.\n"
	    "\n"
	    "Options:\n",
    .run = cmd_user_show_run,
};

const cmd_t cmd_user_unlock = {
    .group = "user",
    .name = "unlock",
    .args = "USER",
    .options = NULL,
    .summary = "Clear failures and lift a lock-out.",
    .help = "Resets USER's failure counter so that the next login attempt is not\n"
	    "delayed. Factors are not changed.\n"
	    "\n"
	    "Options:\n",
    .run = cmd_user_unlock_run,
};
