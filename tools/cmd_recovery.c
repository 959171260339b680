/* sesamectl recovery generate: a new set of recovery codes for a user
 * (/v1/recovery/generate, root only), printed once. */
#include <jansson.h>
#include <stdio.h>

#include "cmd.h"
#include "ctl.h"
#include "term.h"

static int cmd_recovery_generate_run(ctl_t *ctl, int argc, char **argv)
{
	static const struct option opts[] = {CTL_COMMON_OPTIONS, {NULL, 0, NULL, 0}};
	const char *user;
	json_t *req = NULL, *reply = NULL, *list, *item;
	size_t i;
	int rc = CTL_CONTINUE;

	while (ctl_getopt(ctl, argc, argv, opts, &rc) != -1)
		continue;
	if (rc != CTL_CONTINUE || (rc = ctl_operands(ctl, argc, argv, 1)) != CTL_CONTINUE)
		return rc;
	user = argv[optind];
	if ((rc = ctl_user_arg(ctl, user)) != CTL_CONTINUE)
		return rc;
	req = json_pack("{s:s}", "user", user);
	if ((rc = ctl_call(ctl, "/v1/recovery/generate", req, &reply)) != CTL_EXIT_OK)
		goto out;
	if (!json_is_array(list = json_object_get(reply, "codes"))) {
		rc = ctl_bad_reply(ctl, "codes");
		goto out;
	}
	if (ctl->json) {
		rc = ctl_json_print(ctl, reply);
		goto out;
	}
	printf("Recovery codes for %s (each works once; the previous set no longer works):\n",
	       user);
	json_array_foreach(list, i, item)
	{
		char code[TERM_TEXT_MAX];

		if (!json_is_string(item)) {
			rc = ctl_bad_reply(ctl, "codes[]");
			goto out;
		}
		term_clean(json_string_value(item), code, sizeof(code));
		printf("  %s\n", code);
	}
	printf("Give them to the user; they are not shown again.\n");
out:
	json_decref(reply);
	json_decref(req);
	return rc;
}

const cmd_t cmd_recovery_generate = {
    .group = "recovery",
    .name = "generate",
    .args = "USER",
    .options = NULL,
    .summary = "Make a new set of recovery codes (shown once).",
    .help = "Prints 10 new recovery codes for USER. Each is accepted once where a\n"
	    "verification code is asked (PAM, the web code page) in place of a code\n"
	    "from an authenticator app. The previous set stops working. Sésame keeps\n"
	    "only their SHA-256; 'sesamectl user show USER' tells how many are left.\n"
	    "\n"
	    "Options:\n",
    .run = cmd_recovery_generate_run,
};
