/* sesamectl passkey list|remove: an administrator sees and removes a
 * user's passkeys (the /v1/passkey endpoints, root only). Registering one
 * needs a browser: the web account page. */
#include <jansson.h>
#include <stdio.h>

#include "cmd.h"
#include "ctl.h"
#include "term.h"

static int cmd_passkey_list_run(ctl_t *ctl, int argc, char **argv)
{
	static const struct option opts[] = {CTL_COMMON_OPTIONS, {NULL, 0, NULL, 0}};
	static const char *const header[] = {"ID", "NAME", "ATTESTATION", "CREATED", "LAST USED"};
	const char *user;
	term_table_t *table = NULL;
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
	if ((rc = ctl_call(ctl, "/v1/passkey/list", req, &reply)) != CTL_EXIT_OK)
		goto out;
	if (!json_is_array(list = json_object_get(reply, "passkeys"))) {
		rc = ctl_bad_reply(ctl, "passkeys");
		goto out;
	}
	if (ctl->json) {
		rc = ctl_json_print(ctl, reply);
		goto out;
	}
	if (json_array_size(list) == 0) {
		printf("%s has no passkey.\n", user);
		goto out;
	}
	if (term_table_new(5, &table) != 0 || term_table_add(table, header) != 0) {
		rc = ctl_nomem(ctl);
		goto out;
	}
	json_array_foreach(list, i, item)
	{
		char id[TERM_TEXT_MAX], created[64], used[64];
		const char *row[5];

		if (!json_is_object(item) ||
		    ctl_id_format(json_object_get(item, "id"), id, sizeof(id)) != 0 ||
		    ctl_time_format(json_object_get(item, "created"), created, sizeof(created)) !=
			0 ||
		    ctl_time_format(json_object_get(item, "last_used"), used, sizeof(used)) != 0) {
			rc = ctl_bad_reply(ctl, "passkeys[]");
			goto out;
		}
		row[0] = id;
		row[1] = json_string_value(json_object_get(item, "name"));
		row[2] = json_string_value(json_object_get(item, "attestation"));
		row[3] = created;
		row[4] = used;
		if (term_table_add(table, row) != 0) {
			rc = ctl_nomem(ctl);
			goto out;
		}
	}
	if (term_table_print(table, stdout) != 0)
		rc = CTL_EXIT_USAGE;
out:
	term_table_free(&table);
	json_decref(reply);
	json_decref(req);
	return rc;
}

static int cmd_passkey_remove_run(ctl_t *ctl, int argc, char **argv)
{
	return ctl_factor_remove(ctl, argc, argv, "/v1/passkey/remove", "passkey",
				 "sesamectl passkey list");
}

const cmd_t cmd_passkey_list = {
    .group = "passkey",
    .name = "list",
    .args = "USER",
    .options = NULL,
    .summary = "List a user's passkeys.",
    .help = "Shows id, name, attestation, creation and last use (local time) of each\n"
	    "passkey of USER. Passkeys are registered on the web account page.\n"
	    "\n"
	    "Options:\n",
    .run = cmd_passkey_list_run,
};

const cmd_t cmd_passkey_remove = {
    .group = "passkey",
    .name = "remove",
    .args = "USER ID",
    .options = "[--force]",
    .summary = "Remove a passkey (a lost authenticator).",
    .help = "Deletes the passkey ID (the number 'sesamectl passkey list USER' shows)\n"
	    "of USER. The user's last second factor (TOTP or passkey) is kept unless\n"
	    "--force is given (audited \"remove_last\").\n"
	    "\n"
	    "Options:\n"
	    "  --force            remove it even when it is the last second factor\n",
    .run = cmd_passkey_remove_run,
};
