/* sesamectl user: show a user's factors and lock state, unlock a user
 * (/v1/user/show, /v1/user/unlock). */
#include <string.h>

#include "cmd.h"
#include "sesame/error.h"
#include "term.h"

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

	if (!json_is_boolean(locked))
		return ctl_bad_reply(ctl, "locked");
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
	printf("Factors:       %s\n", factors);
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
	else if (ctl->json)
		rc = ctl_json_print(ctl, reply);
	else if (ctl->cmd == &cmd_user_unlock)
		printf("%s is unlocked: failures cleared, no wait before the next attempt.\n",
		       user);
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

const cmd_t cmd_user_show = {
    .group = "user",
    .name = "show",
    .args = "USER",
    .options = NULL,
    .summary = "Show factors, failures and lock state.",
    .help = "Prints USER's enrolled factors, consecutive failures, whether logins are\n"
	    "locked and for how much longer, and the last success and failure (local\n"
	    "time, or \"never\"). Root may ask about anyone, other users about\n"
	    "themselves.\n"
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
