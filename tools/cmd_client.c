/* sesamectl client add|list|show|remove and oidc rotate-keys: the OpenID
 * Connect provider's relying parties and signing keys (/v1/client/...,
 * /v1/oidc/rotate-keys, root only). */
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "ctl.h"
#include "term.h"

enum { OPT_REDIRECT = 256, OPT_PUBLIC, OPT_METHOD, OPT_LOGOUT, OPT_REQUIRE, OPT_ALG };

/* The client record as lines of text. */
static int client_print(ctl_t *ctl, const json_t *c)
{
	const json_t *uris = json_object_get(c, "redirect_uris"), *u;
	char shown[TERM_TEXT_MAX], created[64];
	size_t i;

	if (!json_is_string(json_object_get(c, "id")) || !json_is_array(uris) ||
	    ctl_time_format(json_object_get(c, "created"), created, sizeof(created)) != 0)
		return ctl_bad_reply(ctl, "client");
	term_clean(json_string_value(json_object_get(c, "id")), shown, sizeof(shown));
	printf("Client:               %s\n", shown);
	printf("Kind:                 %s\n",
	       json_is_true(json_object_get(c, "public")) ? "public (PKCE)" : "confidential");
#define FIELD(label, key)                                                                          \
	do {                                                                                       \
		const char *v = json_string_value(json_object_get(c, key));                        \
		term_clean(v &&*v ? v : "-", shown, sizeof(shown));                                \
		printf("%-22s%s\n", label, shown);                                                 \
	} while (0)
	FIELD("Authentication:", "auth_method");
	json_array_foreach(uris, i, u)
	{
		term_clean(json_is_string(u) ? json_string_value(u) : "?", shown, sizeof(shown));
		printf("%-22s%s\n", i == 0 ? "Redirect URIs:" : "", shown);
	}
	FIELD("Back-channel logout:", "backchannel_logout_uri");
	FIELD("Requires:", "require");
	FIELD("Signing algorithm:", "signing_alg");
	FIELD("Defined in:", "source");
#undef FIELD
	printf("Created:              %s\n", created);
	return CTL_EXIT_OK;
}

static int cmd_client_add_run(ctl_t *ctl, int argc, char **argv)
{
	static const struct option opts[] = {
	    CTL_COMMON_OPTIONS,
	    {"redirect-uri", required_argument, NULL, OPT_REDIRECT},
	    {"public", no_argument, NULL, OPT_PUBLIC},
	    {"auth-method", required_argument, NULL, OPT_METHOD},
	    {"backchannel-logout-uri", required_argument, NULL, OPT_LOGOUT},
	    {"require", required_argument, NULL, OPT_REQUIRE},
	    {"signing-alg", required_argument, NULL, OPT_ALG},
	    {NULL, 0, NULL, 0},
	};
	json_t *req = json_object(), *uris = json_array(), *reply = NULL;
	const char *method = NULL;
	int rc = CTL_CONTINUE, c, public = 0;

	if (req == NULL || uris == NULL || json_object_set(req, "redirect_uris", uris) != 0) {
		rc = ctl_nomem(ctl);
		goto out;
	}
	while ((c = ctl_getopt(ctl, argc, argv, opts, &rc)) != -1) {
		switch (c) {
		case OPT_REDIRECT:
			json_array_append_new(uris, json_string(optarg));
			break;
		case OPT_PUBLIC:
			public
			= 1;
			break;
		case OPT_METHOD:
			method = optarg;
			break;
		case OPT_LOGOUT:
			json_object_set_new(req, "backchannel_logout_uri", json_string(optarg));
			break;
		case OPT_REQUIRE:
			json_object_set_new(req, "require", json_string(optarg));
			break;
		case OPT_ALG:
			json_object_set_new(req, "signing_alg", json_string(optarg));
			break;
		default:
			break;
		}
	}
	if (rc != CTL_CONTINUE || (rc = ctl_operands(ctl, argc, argv, 1)) != CTL_CONTINUE)
		goto out;
	if (json_array_size(uris) == 0) {
		rc = ctl_usage_error(ctl, "at least one --redirect-uri is needed");
		goto out;
	}
	if (public && method != NULL && strcmp(method, "none") != 0) {
		rc = ctl_usage_error(ctl, "--public goes with --auth-method none");
		goto out;
	}
	if (public)
		method = "none";
	if (method)
		json_object_set_new(req, "auth_method", json_string(method));
	json_object_set_new(req, "id", json_string(argv[optind]));
	if ((rc = ctl_call(ctl, "/v1/client/add", req, &reply)) != CTL_EXIT_OK)
		goto out;
	if (ctl->json) {
		rc = ctl_json_print(ctl, reply);
	} else if ((rc = client_print(ctl, reply)) == CTL_EXIT_OK &&
		   json_is_string(json_object_get(reply, "secret"))) {
		printf("Secret:               %s\n\nThe secret is shown only this once: give it "
		       "to the client now.\n",
		       json_string_value(json_object_get(reply, "secret")));
	}
	ctl_json_wipe_string(json_object_get(reply, "secret"));
out:
	json_decref(uris);
	json_decref(req);
	json_decref(reply);
	return rc;
}

static int cmd_client_list_run(ctl_t *ctl, int argc, char **argv)
{
	static const struct option opts[] = {CTL_COMMON_OPTIONS, {NULL, 0, NULL, 0}};
	static const char *const header[] = {"CLIENT", "KIND", "AUTHENTICATION", "REQUIRES",
					     "DEFINED IN"};
	json_t *req = json_object(), *reply = NULL, *list, *item;
	term_table_t *table = NULL;
	size_t i;
	int rc = CTL_CONTINUE;

	while (ctl_getopt(ctl, argc, argv, opts, &rc) != -1)
		continue;
	if (rc != CTL_CONTINUE || (rc = ctl_operands(ctl, argc, argv, 0)) != CTL_CONTINUE)
		goto out;
	if ((rc = ctl_call(ctl, "/v1/client/list", req, &reply)) != CTL_EXIT_OK)
		goto out;
	if (!json_is_array(list = json_object_get(reply, "clients"))) {
		rc = ctl_bad_reply(ctl, "clients");
		goto out;
	}
	if (ctl->json) {
		rc = ctl_json_print(ctl, reply);
		goto out;
	}
	if (json_array_size(list) == 0) {
		printf("No client.\n");
		goto out;
	}
	if (term_table_new(5, &table) != 0 || term_table_add(table, header) != 0) {
		rc = ctl_nomem(ctl);
		goto out;
	}
	json_array_foreach(list, i, item)
	{
		const char *row[5];
		const char *require = json_string_value(json_object_get(item, "require"));
		row[0] = json_string_value(json_object_get(item, "id"));
		row[1] = json_is_true(json_object_get(item, "public")) ? "public" : "confidential";
		row[2] = json_string_value(json_object_get(item, "auth_method"));
		row[3] = require && *require ? require : "(web)";
		row[4] = json_string_value(json_object_get(item, "source"));
		if (row[0] == NULL || row[2] == NULL || row[4] == NULL) {
			rc = ctl_bad_reply(ctl, "clients[]");
			goto out;
		}
		if (term_table_add(table, row) != 0) {
			rc = ctl_nomem(ctl);
			goto out;
		}
	}
	if (term_table_print(table, stdout) != 0)
		rc = CTL_EXIT_USAGE;
out:
	term_table_free(&table);
	json_decref(req);
	json_decref(reply);
	return rc;
}

/* show and remove: one client id. */
static int cmd_client_one(ctl_t *ctl, int argc, char **argv, const char *path)
{
	static const struct option opts[] = {CTL_COMMON_OPTIONS, {NULL, 0, NULL, 0}};
	json_t *req = NULL, *reply = NULL;
	char shown[TERM_TEXT_MAX];
	int rc = CTL_CONTINUE;

	while (ctl_getopt(ctl, argc, argv, opts, &rc) != -1)
		continue;
	if (rc != CTL_CONTINUE || (rc = ctl_operands(ctl, argc, argv, 1)) != CTL_CONTINUE)
		return rc;
	if ((req = json_pack("{s:s}", "id", argv[optind])) == NULL)
		return ctl_usage_error(ctl, "the client id is not text");
	if ((rc = ctl_call(ctl, path, req, &reply)) != CTL_EXIT_OK)
		goto out;
	if (ctl->json)
		rc = ctl_json_print(ctl, reply);
	else if (ctl->cmd == &cmd_client_show)
		rc = client_print(ctl, reply);
	else {
		term_clean(argv[optind], shown, sizeof(shown));
		printf("Client %s removed; the tokens it was given are revoked.\n", shown);
	}
out:
	json_decref(req);
	json_decref(reply);
	return rc;
}

static int cmd_client_show_run(ctl_t *ctl, int argc, char **argv)
{
	return cmd_client_one(ctl, argc, argv, "/v1/client/show");
}

static int cmd_client_remove_run(ctl_t *ctl, int argc, char **argv)
{
	return cmd_client_one(ctl, argc, argv, "/v1/client/remove");
}

static int cmd_oidc_rotate_run(ctl_t *ctl, int argc, char **argv)
{
	static const struct option opts[] = {CTL_COMMON_OPTIONS, {NULL, 0, NULL, 0}};
	json_t *req = json_object(), *reply = NULL, *keys, *k;
	size_t i;
	int rc = CTL_CONTINUE;

	while (ctl_getopt(ctl, argc, argv, opts, &rc) != -1)
		continue;
	if (rc != CTL_CONTINUE || (rc = ctl_operands(ctl, argc, argv, 0)) != CTL_CONTINUE)
		goto out;
	if ((rc = ctl_call(ctl, "/v1/oidc/rotate-keys", req, &reply)) != CTL_EXIT_OK)
		goto out;
	if (!json_is_array(keys = json_object_get(json_object_get(reply, "jwks"), "keys"))) {
		rc = ctl_bad_reply(ctl, "jwks");
		goto out;
	}
	if (ctl->json) {
		rc = ctl_json_print(ctl, reply);
		goto out;
	}
	printf("Signing keys rotated: the next key signs from now on; the previous one is\n"
	       "still published so that tokens it signed verify. Published keys:\n");
	json_array_foreach(keys, i, k)
	{
		char kid[TERM_TEXT_MAX];
		const char *alg = json_string_value(json_object_get(k, "alg"));
		const char *id = json_string_value(json_object_get(k, "kid"));
		term_clean(id ? id : "?", kid, sizeof(kid));
		printf("  %-6s %s\n", alg ? alg : "?", kid);
	}
out:
	json_decref(req);
	json_decref(reply);
	return rc;
}

const cmd_t cmd_client_add = {
    .group = "client",
    .name = "add",
    .args = "ID",
    .options = "--redirect-uri URI [--redirect-uri URI...] [--public] [--auth-method METHOD]\n"
	       "[--backchannel-logout-uri URI] [--require REQUIREMENT] [--signing-alg ALG]",
    .summary = "Register an OpenID Connect client (relying party).",
    .help = "Registers the relying party ID (a messaging server, a site behind\n"
	    "mod_auth_openidc...) with sesame-authd's OpenID Connect provider. A\n"
	    "confidential client gets a secret, printed once: only its SHA-256 is kept.\n"
	    "\n"
	    "Options:\n"
	    "  --redirect-uri URI   where the browser goes back with a code; exact match;\n"
	    "                       https (plain http only on localhost); repeatable\n"
	    "  --public             no secret: PKCE (S256) is then required\n"
	    "  --auth-method M      client_secret_basic (default), client_secret_post, none\n"
	    "  --backchannel-logout-uri URI\n"
	    "                       where logout tokens are sent when its user signs out\n"
	    "  --require R          what a sign-in must prove for this client, in the\n"
	    "                       syntax of [require], e.g. \"password+second | passkey\"\n"
	    "                       (default: [require] web)\n"
	    "  --signing-alg ALG    RS256 (default), ES256 or EdDSA, one of [oidc] algorithms\n",
    .run = cmd_client_add_run,
};

const cmd_t cmd_client_list = {
    .group = "client",
    .name = "list",
    .args = "",
    .options = NULL,
    .summary = "List the OpenID Connect clients.",
    .help = "Lists the clients of the configuration file and those added with\n"
	    "'client add'.\n"
	    "\n"
	    "Options:\n",
    .run = cmd_client_list_run,
};

const cmd_t cmd_client_show = {
    .group = "client",
    .name = "show",
    .args = "ID",
    .options = NULL,
    .summary = "Show an OpenID Connect client.",
    .help = "Prints the settings of client ID (never its secret).\n"
	    "\n"
	    "Options:\n",
    .run = cmd_client_show_run,
};

const cmd_t cmd_client_remove = {
    .group = "client",
    .name = "remove",
    .args = "ID",
    .options = NULL,
    .summary = "Remove an OpenID Connect client.",
    .help = "Removes client ID (added with 'client add') and revokes every code and\n"
	    "token it was given. Clients of the configuration file are removed there.\n"
	    "\n"
	    "Options:\n",
    .run = cmd_client_remove_run,
};

const cmd_t cmd_oidc_rotate_keys = {
    .group = "oidc",
    .name = "rotate-keys",
    .args = "",
    .options = NULL,
    .summary = "Rotate the OpenID Connect signing keys now.",
    .help = "The next key (published ahead) signs from now on, the current one stays\n"
	    "published as the previous key, a new next key is made. Relying parties\n"
	    "that cache the JWKS keep verifying. Also done every [oidc] key_rotation days.\n"
	    "\n"
	    "Options:\n",
    .run = cmd_oidc_rotate_run,
};
