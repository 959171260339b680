/* sesamectl totp: enroll (URI and terminal QR code), confirm, list and
 * remove the TOTP credentials of a user (the /v1/totp endpoints, root only). */
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "sesame/error.h"
#include "sesame/limits.h"
#include "sesame/qr.h"
#include "term.h"

/* An otpauth URI longer than this cannot fit a QR code at level M. */
#define CMD_TOTP_URI_MAX 2048
/* Digits of an id given on the command line (fits an int64). */
#define CMD_TOTP_ID_DIGITS 18

/* The URI is shown raw (it is the point of enrolling): accept printable
 * ASCII only, so that it cannot carry terminal controls. */
static int cmd_totp_uri_ok(const json_t *v)
{
	const char *s = json_string_value(v);
	size_t n = json_string_length(v);

	if (s == NULL || n > CMD_TOTP_URI_MAX || strncmp(s, "otpauth://", 10) != 0)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (s[i] <= 0x20 || s[i] >= 0x7f)
			return 0;
	return 1;
}

/* Copies key from src to dst when present. */
static int cmd_totp_copy(json_t *dst, const json_t *src, const char *key)
{
	json_t *v = json_object_get(src, key);

	return v == NULL ? 0 : json_object_set(dst, key, v);
}

/* "sesamectl [--socket PATH] " as typed, to repeat in the hint. */
static void cmd_totp_prefix(const ctl_t *ctl, char *buf, size_t bufsz)
{
	char sock[TERM_TEXT_MAX];

	if (ctl->socket_opt == NULL) {
		snprintf(buf, bufsz, "sesamectl");
		return;
	}
	term_clean(ctl->socket_opt, sock, sizeof(sock));
	snprintf(buf, bufsz, "sesamectl --socket %s", sock);
}

static int cmd_totp_enroll_print(ctl_t *ctl, const char *user, const json_t *reply, int qr)
{
	char id[TERM_TEXT_MAX], prefix[TERM_TEXT_MAX + 32];
	const char *uri = json_string_value(json_object_get(reply, "otpauth_uri"));
	const json_t *alg = json_object_get(reply, "algorithm");
	const json_t *digits = json_object_get(reply, "digits");
	const json_t *period = json_object_get(reply, "period");
	int err;

	if (qr && (err = qr_print(stdout, uri)) != SESAME_OK)
		fprintf(stderr, "sesamectl: cannot draw the QR code (%s); use the URI below\n",
			sesame_err_message(err));
	if (ctl_id_format(json_object_get(reply, "id"), id, sizeof(id)) == 0)
		printf("Pending TOTP credential %s for %s", id, user);
	else
		printf("Pending TOTP credential for %s", user);
	if (json_is_string(alg) && json_is_integer(digits) && json_is_integer(period)) {
		char a[32];
		term_clean(json_string_value(alg), a, sizeof(a));
		printf(" (%s, %" JSON_INTEGER_FORMAT " digits, %" JSON_INTEGER_FORMAT " s)", a,
		       json_integer_value(digits), json_integer_value(period));
	}
	cmd_totp_prefix(ctl, prefix, sizeof(prefix));
	printf(".\n\n%s\n\n"
	       "%s an authenticator app, then\nconfirm with the code it shows:\n\n"
	       "    %s totp confirm %s CODE\n\n"
	       "Until then the credential is pending and not used at login.\n",
	       uri, qr ? "Scan the QR code (or enter the URI) in" : "Add this URI to", prefix,
	       user);
	return fflush(stdout) == 0 ? CTL_EXIT_OK : CTL_EXIT_USAGE;
}

static int cmd_totp_enroll_run(ctl_t *ctl, int argc, char **argv)
{
	enum { OPT_ALGORITHM = 256, OPT_DIGITS, OPT_NAME, OPT_NO_QR };
	static const struct option opts[] = {
	    {"algorithm", required_argument, NULL, OPT_ALGORITHM},
	    {"digits", required_argument, NULL, OPT_DIGITS},
	    {"name", required_argument, NULL, OPT_NAME},
	    {"no-qr", no_argument, NULL, OPT_NO_QR},
	    CTL_COMMON_OPTIONS,
	    {NULL, 0, NULL, 0},
	};
	char shown[TERM_TEXT_MAX];
	const char *user, *algorithm = NULL, *name = NULL;
	long digits = 0;
	int qr = 1, c, rc = CTL_CONTINUE;
	totp_alg_t alg;
	json_t *req = NULL, *reply = NULL, *doc = NULL;

	while ((c = ctl_getopt(ctl, argc, argv, opts, &rc)) != -1) {
		switch (c) {
		case OPT_ALGORITHM:
			if (totp_alg_parse(optarg, &alg) != SESAME_OK) {
				term_clean(optarg, shown, sizeof(shown));
				return ctl_usage_error(
				    ctl, "--algorithm must be SHA1, SHA256 or SHA512, not '%s'",
				    shown);
			}
			algorithm = totp_alg_name(alg);
			break;
		case OPT_DIGITS:
			rc = ctl_uint_arg(ctl, "--digits", optarg, SESAME_TOTP_MIN_DIGITS,
					  SESAME_TOTP_MAX_DIGITS, &digits);
			if (rc != CTL_CONTINUE)
				return rc;
			break;
		case OPT_NAME:
			name = optarg;
			break;
		case OPT_NO_QR:
			qr = 0;
			break;
		default:
			return ctl_usage_error(ctl, "unhandled option");
		}
	}
	if (rc != CTL_CONTINUE || (rc = ctl_operands(ctl, argc, argv, 1)) != CTL_CONTINUE)
		return rc;
	user = argv[optind];
	if ((rc = ctl_user_arg(ctl, user)) != CTL_CONTINUE)
		return rc;
	if (name != NULL) {
		/* the daemon's rule for labels: printable ASCII */
		size_t n = strlen(name);
		int plain = n > 0 && n <= SESAME_MAX_LABEL;
		for (size_t i = 0; i < n && plain; i++)
			plain = name[i] >= 0x20 && name[i] <= 0x7e;
		if (!plain)
			return ctl_usage_error(ctl,
					       "--name must be 1 to %d printable ASCII characters",
					       SESAME_MAX_LABEL);
	}

	req = json_pack("{s:s}", "user", user);
	if (req != NULL &&
	    ((algorithm && json_object_set_new(req, "algorithm", json_string(algorithm)) != 0) ||
	     (digits && json_object_set_new(req, "digits", json_integer(digits)) != 0) ||
	     (name && json_object_set_new(req, "name", json_string(name)) != 0))) {
		json_decref(req);
		req = NULL;
	}
	if ((rc = ctl_call(ctl, "/v1/totp/enroll", req, &reply)) != CTL_EXIT_OK)
		goto out;
	if (!cmd_totp_uri_ok(json_object_get(reply, "otpauth_uri"))) {
		rc = ctl_bad_reply(ctl, "otpauth_uri");
		goto out;
	}
	if (!ctl->json) {
		rc = cmd_totp_enroll_print(ctl, user, reply, qr);
		goto out;
	}
	/* the documented projection: user and URI, plus the parameters */
	doc = json_pack("{s:s}", "user", user);
	if (doc == NULL || cmd_totp_copy(doc, reply, "id") != 0 ||
	    cmd_totp_copy(doc, reply, "otpauth_uri") != 0 ||
	    cmd_totp_copy(doc, reply, "algorithm") != 0 ||
	    cmd_totp_copy(doc, reply, "digits") != 0 || cmd_totp_copy(doc, reply, "period") != 0) {
		rc = ctl_nomem(ctl);
		goto out;
	}
	rc = ctl_json_print(ctl, doc);
out:
	/* the URI carries the shared secret */
	ctl_json_wipe_string(json_object_get(reply, "otpauth_uri"));
	json_decref(doc);
	json_decref(reply);
	json_decref(req);
	return rc;
}

static int cmd_totp_confirm_run(ctl_t *ctl, int argc, char **argv)
{
	static const struct option opts[] = {CTL_COMMON_OPTIONS, {NULL, 0, NULL, 0}};
	char code[SESAME_TOTP_MAX_DIGITS + 1];
	char id[TERM_TEXT_MAX];
	const char *user, *in;
	size_t n = 0;
	int rc = CTL_CONTINUE;
	json_t *req = NULL, *reply = NULL;

	while (ctl_getopt(ctl, argc, argv, opts, &rc) != -1)
		continue;
	if (rc != CTL_CONTINUE || (rc = ctl_operands(ctl, argc, argv, 2)) != CTL_CONTINUE)
		return rc;
	user = argv[optind];
	if ((rc = ctl_user_arg(ctl, user)) != CTL_CONTINUE)
		return rc;
	/* apps show "123 456": spaces are dropped */
	for (in = argv[optind + 1]; *in != '\0'; in++) {
		if (*in == ' ')
			continue;
		if (*in < '0' || *in > '9' || n == SESAME_TOTP_MAX_DIGITS) {
			n = 0;
			break;
		}
		code[n++] = *in;
	}
	code[n] = '\0';
	if (n < SESAME_TOTP_MIN_DIGITS) {
		rc = ctl_usage_error(ctl, "CODE must be %d to %d digits", SESAME_TOTP_MIN_DIGITS,
				     SESAME_TOTP_MAX_DIGITS);
		goto out;
	}
	req = json_pack("{s:s, s:s}", "user", user, "code", code);
	if ((rc = ctl_call(ctl, "/v1/totp/confirm", req, &reply)) != CTL_EXIT_OK)
		goto out;
	if (!json_is_true(json_object_get(reply, "confirmed"))) {
		rc = ctl_bad_reply(ctl, "confirmed");
		goto out;
	}
	if (ctl->json) {
		rc = ctl_json_print(ctl, reply);
		goto out;
	}
	if (ctl_id_format(json_object_get(reply, "id"), id, sizeof(id)) == 0)
		printf("TOTP credential %s of %s is confirmed and now in use.\n", id, user);
	else
		printf("The TOTP credential of %s is confirmed and now in use.\n", user);
out:
	explicit_bzero(code, sizeof(code));
	json_decref(reply);
	json_decref(req);
	return rc;
}

static int cmd_totp_list_run(ctl_t *ctl, int argc, char **argv)
{
	static const struct option opts[] = {CTL_COMMON_OPTIONS, {NULL, 0, NULL, 0}};
	static const char *const header[] = {"ID",     "NAME",	"ALGORITHM", "DIGITS",
					     "PERIOD", "STATE", "CREATED",   "LAST USED"};
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
	if ((rc = ctl_call(ctl, "/v1/totp/list", req, &reply)) != CTL_EXIT_OK)
		goto out;
	if (!json_is_array(list = json_object_get(reply, "totp"))) {
		rc = ctl_bad_reply(ctl, "totp");
		goto out;
	}
	if (ctl->json) {
		rc = ctl_json_print(ctl, reply);
		goto out;
	}
	if (json_array_size(list) == 0) {
		printf("%s has no TOTP credential.\n", user);
		goto out;
	}
	if (term_table_new(8, &table) != SESAME_OK || term_table_add(table, header) != SESAME_OK) {
		rc = ctl_nomem(ctl);
		goto out;
	}
	json_array_foreach(list, i, item)
	{
		char id[TERM_TEXT_MAX], digits[24], period[24], created[64], used[64];
		const char *row[8];
		const json_t *d = json_object_get(item, "digits");
		const json_t *p = json_object_get(item, "period");

		if (!json_is_object(item) ||
		    ctl_id_format(json_object_get(item, "id"), id, sizeof(id)) != 0 ||
		    ctl_time_format(json_object_get(item, "created"), created, sizeof(created)) !=
			0 ||
		    ctl_time_format(json_object_get(item, "last_used"), used, sizeof(used)) != 0) {
			rc = ctl_bad_reply(ctl, "totp[]");
			goto out;
		}
		snprintf(digits, sizeof(digits), "%" JSON_INTEGER_FORMAT, json_integer_value(d));
		snprintf(period, sizeof(period), "%" JSON_INTEGER_FORMAT " s",
			 json_integer_value(p));
		row[0] = id;
		row[1] = json_string_value(json_object_get(item, "name"));
		row[2] = json_string_value(json_object_get(item, "algorithm"));
		row[3] = json_is_integer(d) ? digits : NULL;
		row[4] = json_is_integer(p) ? period : NULL;
		row[5] = json_is_true(json_object_get(item, "confirmed")) ? "confirmed" : "pending";
		row[6] = created;
		row[7] = used;
		if (row[1] != NULL && row[1][0] == '\0')
			row[1] = NULL;
		if (term_table_add(table, row) != SESAME_OK) {
			rc = ctl_nomem(ctl);
			goto out;
		}
	}
	if (term_table_print(table, stdout) != SESAME_OK)
		rc = CTL_EXIT_USAGE;
out:
	term_table_free(&table);
	json_decref(reply);
	json_decref(req);
	return rc;
}

static int cmd_totp_remove_run(ctl_t *ctl, int argc, char **argv)
{
	return ctl_factor_remove(ctl, argc, argv, "/v1/totp/remove", "TOTP credential",
				 "sesamectl totp list");
}

const cmd_t cmd_totp_enroll = {
    .group = "totp",
    .name = "enroll",
    .args = "USER",
    .options = "[--algorithm ALG] [--digits N] [--name LABEL] [--no-qr]",
    .summary = "Start enrolling an app: otpauth:// URI and QR code.",
    .help = "Creates a pending TOTP credential for USER (replacing an earlier pending\n"
	    "one) and prints the otpauth:// URI with a QR code to scan. The URI holds\n"
	    "the shared secret: show it to USER only. The credential is used at login\n"
	    "once 'sesamectl totp confirm USER CODE' succeeds. With --json, prints\n"
	    "{\"user\", \"id\", \"otpauth_uri\", \"algorithm\", \"digits\", \"period\"}.\n"
	    "\n"
	    "Options:\n"
	    "  --algorithm ALG    SHA1, SHA256 or SHA512 (default: the daemon's)\n"
	    "  --digits N         code length, 6 to 8 (default: the daemon's)\n"
	    "  --name LABEL       a name for the credential, e.g. \"phone\" (1 to 64\n"
	    "                     printable ASCII characters)\n"
	    "  --no-qr            print the URI without the QR code\n",
    .run = cmd_totp_enroll_run,
};

const cmd_t cmd_totp_confirm = {
    .group = "totp",
    .name = "confirm",
    .args = "USER CODE",
    .options = NULL,
    .summary = "Confirm a pending enrollment with a code.",
    .help = "Checks CODE (6 to 8 digits; spaces are ignored) against USER's pending\n"
	    "TOTP credential; when it matches, the credential is confirmed and required\n"
	    "from then on. A wrong code leaves the credential pending.\n"
	    "\n"
	    "Options:\n",
    .run = cmd_totp_confirm_run,
};

const cmd_t cmd_totp_list = {
    .group = "totp",
    .name = "list",
    .args = "USER",
    .options = NULL,
    .summary = "List a user's TOTP credentials.",
    .help = "Shows id, name, algorithm, digits, period, state (pending or confirmed),\n"
	    "creation and last use (local time) of each TOTP credential of USER.\n"
	    "Secrets are never shown.\n"
	    "\n"
	    "Options:\n",
    .run = cmd_totp_list_run,
};

const cmd_t cmd_totp_remove = {
    .group = "totp",
    .name = "remove",
    .args = "USER ID",
    .options = "[--force]",
    .summary = "Remove a TOTP credential.",
    .help = "Deletes the credential ID (the number 'sesamectl totp list USER' shows)\n"
	    "of USER, pending or confirmed. The user's last second factor (TOTP or\n"
	    "passkey) is kept unless --force is given (audited \"remove_last\").\n"
	    "\n"
	    "Options:\n"
	    "  --force            remove it even when it is the last second factor\n",
    .run = cmd_totp_remove_run,
};
