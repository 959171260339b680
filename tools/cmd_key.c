/* sesamectl key: master key rotation. "rotate" and "retire" edit the key
 * file (no daemon needed for rotate; retire first asks the daemon that no
 * secret is still sealed under the version), "status" and "reseal" ask the
 * running daemon (/v1/key/...). */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "sesame/error.h"
#include "sesame/keyfile.h"
#include "term.h"

/* A failed key file operation, said with the file's (cleaned) name. */
static int key_file_fail(ctl_t *ctl, int err, int saved_errno, const char *shown)
{
	if (err == SESAME_ERR_PERMISSION)
		return ctl_fail(ctl, CTL_EXIT_REFUSED, sesame_err_code(err),
				"%s is readable or writable by group or others; refusing it "
				"(chmod 600)",
				shown);
	if (err == SESAME_ERR_NOT_FOUND)
		return ctl_fail(ctl, CTL_EXIT_REFUSED, sesame_err_code(err), "%s: no such file",
				shown);
	if (err == SESAME_ERR_IO && saved_errno != 0)
		return ctl_fail(ctl, CTL_EXIT_REFUSED, sesame_err_code(err), "%s: %s", shown,
				strerror(saved_errno));
	return ctl_fail(ctl, CTL_EXIT_REFUSED, sesame_err_code(err), "%s: %s", shown,
			sesame_err_message(err));
}

static int cmd_key_rotate_run(ctl_t *ctl, int argc, char **argv)
{
	static const struct option opts[] = {CTL_COMMON_OPTIONS, {NULL, 0, NULL, 0}};
	char shown[TERM_TEXT_MAX];
	uint32_t version = 0;
	json_t *doc;
	int rc = CTL_CONTINUE, err, saved;

	while (ctl_getopt(ctl, argc, argv, opts, &rc) != -1)
		continue;
	if (rc != CTL_CONTINUE || (rc = ctl_operands(ctl, argc, argv, 1)) != CTL_CONTINUE)
		return rc;
	term_clean(argv[optind], shown, sizeof(shown));
	errno = 0;
	err = keyfile_add_version(argv[optind], &version);
	saved = errno;
	if (err == SESAME_ERR_CONFLICT)
		return ctl_fail(ctl, CTL_EXIT_REFUSED, sesame_err_code(err),
				"%s already holds %d key versions; retire old ones first", shown,
				SESAME_MAX_KEYS);
	if (err != SESAME_OK)
		return key_file_fail(ctl, err, saved, shown);
	if (ctl->json) {
		doc = json_pack("{s:s, s:I}", "path", argv[optind], "version", (json_int_t)version);
		rc = doc ? ctl_json_print(ctl, doc) : ctl_nomem(ctl);
		json_decref(doc);
		return rc;
	}
	printf("Added key version %" PRIu32 " to %s. Restart sesame-authd: it then seals new "
	       "secrets\nwith it and still opens the older ones. Then 'sesamectl key reseal' "
	       "re-seals\nthe stored ones, and 'sesamectl key retire VERSION %s' removes an old "
	       "key.\n",
	       version, shown, shown);
	return CTL_EXIT_OK;
}

static int cmd_key_retire_run(ctl_t *ctl, int argc, char **argv)
{
	static const struct option opts[] = {CTL_COMMON_OPTIONS, {NULL, 0, NULL, 0}};
	char shown[TERM_TEXT_MAX], *end = NULL;
	json_t *req = NULL, *reply = NULL, *item;
	unsigned long version;
	size_t i;
	int rc = CTL_CONTINUE, err, saved;

	while (ctl_getopt(ctl, argc, argv, opts, &rc) != -1)
		continue;
	if (rc != CTL_CONTINUE || (rc = ctl_operands(ctl, argc, argv, 2)) != CTL_CONTINUE)
		return rc;
	errno = 0;
	version = strtoul(argv[optind], &end, 10);
	if (argv[optind][0] < '1' || argv[optind][0] > '9' || *end != '\0' || errno != 0 ||
	    version > UINT32_MAX)
		return ctl_usage_error(ctl, "VERSION must be a key version number (1, 2, ...)");
	term_clean(argv[optind + 1], shown, sizeof(shown));
	/* the daemon must have moved every secret off this version */
	if ((req = json_object()) == NULL)
		return ctl_nomem(ctl);
	if ((rc = ctl_call(ctl, "/v1/key/status", req, &reply)) != CTL_EXIT_OK)
		goto out;
	if ((json_int_t)version == json_integer_value(json_object_get(reply, "current"))) {
		rc = ctl_fail(ctl, CTL_EXIT_REFUSED, "conflict",
			      "key version %lu is the one sesame-authd seals new secrets with",
			      version);
		goto out;
	}
	json_array_foreach(json_object_get(reply, "sealed"), i, item)
	{
		if (json_integer_value(json_object_get(item, "version")) != (json_int_t)version ||
		    json_integer_value(json_object_get(item, "count")) == 0)
			continue;
		rc = ctl_fail(ctl, CTL_EXIT_REFUSED, "conflict",
			      "%" JSON_INTEGER_FORMAT " secrets are still sealed under key version "
			      "%lu; run 'sesamectl key reseal' first",
			      json_integer_value(json_object_get(item, "count")), version);
		goto out;
	}
	errno = 0;
	err = keyfile_remove_version(argv[optind + 1], (uint32_t)version);
	saved = errno;
	if (err == SESAME_ERR_NOT_FOUND)
		rc = ctl_fail(ctl, CTL_EXIT_REFUSED, sesame_err_code(err),
			      "%s has no key version %lu", shown, version);
	else if (err == SESAME_ERR_CONFLICT)
		rc = ctl_fail(ctl, CTL_EXIT_REFUSED, sesame_err_code(err),
			      "key version %lu is the newest in %s; it cannot be retired", version,
			      shown);
	else if (err != SESAME_OK)
		rc = key_file_fail(ctl, err, saved, shown);
	else if (ctl->json) {
		json_t *doc = json_pack("{s:s, s:I, s:b}", "path", argv[optind + 1], "version",
					(json_int_t)version, "retired", 1);
		rc = doc ? ctl_json_print(ctl, doc) : ctl_nomem(ctl);
		json_decref(doc);
	} else {
		printf("Removed key version %lu from %s.\n", version, shown);
		rc = CTL_EXIT_OK;
	}
out:
	json_decref(req);
	json_decref(reply);
	return rc;
}

static int cmd_key_daemon_run(ctl_t *ctl, int argc, char **argv, const char *path)
{
	static const struct option opts[] = {CTL_COMMON_OPTIONS, {NULL, 0, NULL, 0}};
	json_t *req = NULL, *reply = NULL, *item;
	size_t i;
	int rc = CTL_CONTINUE;

	while (ctl_getopt(ctl, argc, argv, opts, &rc) != -1)
		continue;
	if (rc != CTL_CONTINUE || (rc = ctl_operands(ctl, argc, argv, 0)) != CTL_CONTINUE)
		return rc;
	if ((req = json_object()) == NULL)
		return ctl_nomem(ctl);
	if ((rc = ctl_call(ctl, path, req, &reply)) != CTL_EXIT_OK)
		goto out;
	if (!json_is_integer(json_object_get(reply, "current")))
		rc = ctl_bad_reply(ctl, "current");
	else if (ctl->json)
		rc = ctl_json_print(ctl, reply);
	else if (ctl->cmd == &cmd_key_reseal)
		printf("%" JSON_INTEGER_FORMAT " TOTP secrets re-sealed under key version "
		       "%" JSON_INTEGER_FORMAT "; %" JSON_INTEGER_FORMAT " could not be opened.\n",
		       json_integer_value(json_object_get(reply, "resealed")),
		       json_integer_value(json_object_get(reply, "current")),
		       json_integer_value(json_object_get(reply, "unreadable")));
	else {
		printf("New secrets are sealed under key version %" JSON_INTEGER_FORMAT ".\n",
		       json_integer_value(json_object_get(reply, "current")));
		json_array_foreach(json_object_get(reply, "sealed"), i, item) printf(
		    "version %" JSON_INTEGER_FORMAT ": %" JSON_INTEGER_FORMAT " TOTP secrets%s\n",
		    json_integer_value(json_object_get(item, "version")),
		    json_integer_value(json_object_get(item, "count")),
		    json_is_true(json_object_get(item, "loaded"))
			? ""
			: " (key NOT loaded: they cannot be opened)");
		if (json_integer_value(json_object_get(reply, "malformed")) > 0)
			printf("%" JSON_INTEGER_FORMAT " stored secrets are not sealed blobs\n",
			       json_integer_value(json_object_get(reply, "malformed")));
		if (json_integer_value(json_object_get(reply, "legacy")) > 0)
			printf("%" JSON_INTEGER_FORMAT " TOTP secrets are sealed the old way, "
			       "directly under the master key; 'sesamectl key reseal' moves them "
			       "to the TOTP key derived from it\n",
			       json_integer_value(json_object_get(reply, "legacy")));
	}
out:
	json_decref(req);
	json_decref(reply);
	return rc;
}

static int cmd_key_status_run(ctl_t *ctl, int argc, char **argv)
{
	return cmd_key_daemon_run(ctl, argc, argv, "/v1/key/status");
}

static int cmd_key_reseal_run(ctl_t *ctl, int argc, char **argv)
{
	return cmd_key_daemon_run(ctl, argc, argv, "/v1/key/reseal");
}

const cmd_t cmd_key_rotate = {
    .group = "key",
    .name = "rotate",
    .args = "PATH",
    .options = NULL,
    .summary = "Add a new master key version to the key file.",
    .help = "Adds a fresh random 256-bit key to the master key file PATH, its version\n"
	    "one above the highest. The file is replaced whole (mode 0600, same owner,\n"
	    "synced): a crash leaves the old or the new file. Older keys stay, so\n"
	    "secrets sealed under them still open. sesame-authd reads the file at\n"
	    "start: restart it, then run 'key reseal', then 'key retire' the old\n"
	    "version. No daemon is needed for this step.\n"
	    "\n"
	    "Options:\n",
    .run = cmd_key_rotate_run,
};

const cmd_t cmd_key_retire = {
    .group = "key",
    .name = "retire",
    .args = "VERSION PATH",
    .options = NULL,
    .summary = "Remove an old key version once nothing is sealed under it.",
    .help = "Removes key VERSION from the master key file PATH, after asking\n"
	    "sesame-authd (running, with the new key) that it seals new secrets under\n"
	    "another version and that no stored secret is still sealed under VERSION\n"
	    "('key status'); refuses otherwise. The newest version is never removed.\n"
	    "The running daemon keeps the key in memory until its next restart.\n"
	    "\n"
	    "Exit status: 0 removed, 1 refused, 2 any other error.\n"
	    "\n"
	    "Options:\n",
    .run = cmd_key_retire_run,
};

const cmd_t cmd_key_status = {
    .group = "key",
    .name = "status",
    .args = "",
    .options = NULL,
    .summary = "Show which key versions the stored secrets are sealed under.",
    .help = "Prints the key version sesame-authd seals new secrets with and, for each\n"
	    "version, how many stored TOTP secrets are sealed under it and whether the\n"
	    "daemon holds that key.\n"
	    "\n"
	    "Options:\n",
    .run = cmd_key_status_run,
};

const cmd_t cmd_key_reseal = {
    .group = "key",
    .name = "reseal",
    .args = "",
    .options = NULL,
    .summary = "Re-seal every stored secret under the newest key.",
    .help = "Has sesame-authd open every stored TOTP secret that is not sealed under\n"
	    "its newest key and seal it again under that key, a page of 128 per\n"
	    "durable transaction, while it keeps serving logins. Secrets that cannot\n"
	    "be opened (their key is not loaded) are left as they are and counted.\n"
	    "\n"
	    "Options:\n",
    .run = cmd_key_reseal_run,
};
