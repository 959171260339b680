/* sesamectl: the administration and self-service command line of Sésame.
 * This file reads the global options, finds the command and prints help;
 * the commands live in cmd_*.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "ctl.h"
#include "sesame/paths.h"

#ifndef SESAME_VERSION
#define SESAME_VERSION "unknown"
#endif

#define SESAMECTL_TIMEOUT_MAX 3600 /* seconds */

static const cmd_t *const sesamectl_commands[] = {
    &cmd_keygen,	   &cmd_key_rotate,    &cmd_key_status,	    &cmd_key_reseal,
    &cmd_key_retire,	   &cmd_totp_enroll,   &cmd_totp_confirm,   &cmd_totp_list,
    &cmd_totp_remove,	   &cmd_passkey_list,  &cmd_passkey_remove, &cmd_recovery_generate,
    &cmd_user_add,	   &cmd_user_passwd,   &cmd_user_disable,   &cmd_user_enable,
    &cmd_user_invite,	   &cmd_user_show,     &cmd_user_unlock,    &cmd_source_show,
    &cmd_source_unlock,	   &cmd_audit,	       &cmd_password_check, &cmd_breach_import,
    &cmd_client_add,	   &cmd_client_list,   &cmd_client_show,    &cmd_client_remove,
    &cmd_oidc_rotate_keys, &cmd_store_migrate, &cmd_store_copy,
};
#define SESAMECTL_NCOMMANDS (sizeof(sesamectl_commands) / sizeof(sesamectl_commands[0]))

/* The command named (group, name); group NULL for the top level. */
static const cmd_t *sesamectl_find(const char *group, const char *name)
{
	for (size_t i = 0; i < SESAMECTL_NCOMMANDS; i++) {
		const cmd_t *c = sesamectl_commands[i];
		if ((group == NULL) != (c->group == NULL))
			continue;
		if ((group == NULL || strcmp(group, c->group) == 0) && strcmp(name, c->name) == 0)
			return c;
	}
	return NULL;
}

static int sesamectl_is_group(const char *word)
{
	for (size_t i = 0; i < SESAMECTL_NCOMMANDS; i++)
		if (sesamectl_commands[i]->group && strcmp(word, sesamectl_commands[i]->group) == 0)
			return 1;
	return 0;
}

/* Lists the commands of group (NULL: all) with their summaries, aligned. */
static void sesamectl_list(FILE *f, const char *group)
{
	char lead[128];
	size_t width = sizeof("help [COMMAND]") - 1;

	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < SESAMECTL_NCOMMANDS; i++) {
			const cmd_t *c = sesamectl_commands[i];
			int n;
			if (group != NULL && (c->group == NULL || strcmp(group, c->group) != 0))
				continue;
			if (group != NULL || c->group == NULL)
				n = snprintf(lead, sizeof(lead), "%s%s%s%s%s", c->name,
					     *c->args ? " " : "", c->args,
					     c->group == NULL && c->options ? " " : "",
					     c->group == NULL && c->options ? c->options : "");
			else
				n = snprintf(lead, sizeof(lead), "%s %s%s%s", c->group, c->name,
					     *c->args ? " " : "", c->args);
			if (pass == 0 && n > 0 && (size_t)n > width)
				width = (size_t)n;
			if (pass == 1)
				fprintf(f, "  %-*s  %s\n", (int)width, lead, c->summary);
		}
	}
	if (group == NULL)
		fprintf(f, "  %-*s  %s\n", (int)width, "help [COMMAND]",
			"Show the help of a command.");
}

static void sesamectl_help_main(FILE *f)
{
	fprintf(f, "Usage: sesamectl [GLOBAL OPTIONS] COMMAND [ARGUMENTS]\n"
		   "\n"
		   "Administers Sésame multi-factor authentication through sesame-authd.\n"
		   "\n"
		   "Commands:\n");
	sesamectl_list(f, NULL);
	fprintf(f,
		"\n"
		"Global options:\n"
		"  --socket PATH      the daemon's socket (default: socket in the\n"
		"                     configuration, else %s)\n"
		"  --config FILE      configuration to read (default %s)\n"
		"  --timeout SECONDS  how long to wait for the daemon (default %ld)\n"
		"  --json             print the result as one JSON document\n"
		"  -h, --help         show this help\n"
		"  --version          show the version\n"
		"\n"
		"Exit status: 0 done; 1 refused by sesame-authd (or keygen failed);\n"
		"2 usage or configuration error, or sesame-authd unreachable.\n"
		"'sesamectl help COMMAND' or 'sesamectl COMMAND --help' tells more;\n"
		"see also sesamectl(1).\n",
		SESAME_DEFAULT_SOCKET, SESAME_DEFAULT_CONFIG, SESAME_DEFAULT_TIMEOUT_MS / 1000);
}

static void sesamectl_help_group(FILE *f, const char *group)
{
	fprintf(f, "Usage: sesamectl [GLOBAL OPTIONS] %s COMMAND [ARGUMENTS]\n\nCommands:\n",
		group);
	sesamectl_list(f, group);
	fprintf(f, "\n'sesamectl %s COMMAND --help' tells more.\n", group);
}

/* sesamectl help [WORD [WORD]] */
static int sesamectl_help(int argc, char **argv)
{
	const cmd_t *cmd = NULL;

	if (argc == 0) {
		sesamectl_help_main(stdout);
		return CTL_EXIT_OK;
	}
	if (argc == 1 && sesamectl_is_group(argv[0])) {
		sesamectl_help_group(stdout, argv[0]);
		return CTL_EXIT_OK;
	}
	if (argc == 1)
		cmd = sesamectl_find(NULL, argv[0]);
	else if (argc == 2)
		cmd = sesamectl_find(argv[0], argv[1]);
	if (cmd == NULL) {
		fprintf(stderr, "sesamectl: no help for '%s%s%s'\nTry 'sesamectl help'.\n", argv[0],
			argc > 1 ? " " : "", argc > 1 ? argv[1] : "");
		return CTL_EXIT_USAGE;
	}
	ctl_cmd_help(cmd);
	return CTL_EXIT_OK;
}

static int sesamectl_dispatch(ctl_t *ctl, int argc, char **argv)
{
	const cmd_t *cmd;

	if (argc == 0) {
		sesamectl_help_main(stderr);
		return CTL_EXIT_USAGE;
	}
	if (strcmp(argv[0], "help") == 0)
		return sesamectl_help(argc - 1, argv + 1);
	if ((cmd = sesamectl_find(NULL, argv[0])) == NULL) {
		if (!sesamectl_is_group(argv[0])) {
			fprintf(stderr,
				"sesamectl: unknown command '%s'\nTry 'sesamectl --help'.\n",
				argv[0]);
			return CTL_EXIT_USAGE;
		}
		if (argc > 1 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
			sesamectl_help_group(stdout, argv[0]);
			return CTL_EXIT_OK;
		}
		if (argc < 2 || (cmd = sesamectl_find(argv[0], argv[1])) == NULL) {
			if (argc < 2)
				fprintf(stderr, "sesamectl %s: missing command\n", argv[0]);
			else
				fprintf(stderr, "sesamectl %s: unknown command '%s'\n", argv[0],
					argv[1]);
			sesamectl_help_group(stderr, argv[0]);
			return CTL_EXIT_USAGE;
		}
		argc--;
		argv++;
	}
	ctl->cmd = cmd;
	optind = 0; /* glibc: start afresh on the command's own argv */
	return cmd->run(ctl, argc, argv);
}

int main(int argc, char **argv)
{
	enum { OPT_SOCKET = 256, OPT_CONFIG, OPT_TIMEOUT, OPT_VERSION };
	static const struct option opts[] = {
	    {"socket", required_argument, NULL, OPT_SOCKET},
	    {"config", required_argument, NULL, OPT_CONFIG},
	    {"timeout", required_argument, NULL, OPT_TIMEOUT},
	    {"json", no_argument, NULL, CTL_OPT_JSON},
	    {"help", no_argument, NULL, 'h'},
	    {"version", no_argument, NULL, OPT_VERSION},
	    {NULL, 0, NULL, 0},
	};
	ctl_t ctl;
	char *end;
	long secs;
	int c, rc;

	ctl_init(&ctl);
	opterr = 0;
	/* '+': stop at the command; its options are its own */
	while ((c = getopt_long(argc, argv, "+:h", opts, NULL)) != -1) {
		switch (c) {
		case OPT_SOCKET:
			ctl.socket_opt = optarg;
			break;
		case OPT_CONFIG:
			ctl.config_path = optarg;
			break;
		case OPT_TIMEOUT:
			secs = (*optarg >= '0' && *optarg <= '9') ? strtol(optarg, &end, 10) : -1;
			if (secs < 1 || secs > SESAMECTL_TIMEOUT_MAX || *end != '\0') {
				fprintf(stderr,
					"sesamectl: --timeout must be a number of seconds from 1 "
					"to %d\n",
					SESAMECTL_TIMEOUT_MAX);
				return CTL_EXIT_USAGE;
			}
			ctl.timeout_ms = secs * 1000;
			break;
		case CTL_OPT_JSON:
			ctl.json = 1;
			break;
		case 'h':
			sesamectl_help_main(stdout);
			return CTL_EXIT_OK;
		case OPT_VERSION:
			printf("sesamectl (Sésame) %s\n", SESAME_VERSION);
			return CTL_EXIT_OK;
		case ':':
			fprintf(stderr, "sesamectl: option '%s' needs a value\n", argv[optind - 1]);
			return CTL_EXIT_USAGE;
		default:
			if (optopt != 0)
				fprintf(stderr, "sesamectl: unknown option '-%c'\n", optopt);
			else
				fprintf(stderr, "sesamectl: unknown option '%s'\n",
					argv[optind - 1]);
			fprintf(stderr, "Try 'sesamectl --help'.\n");
			return CTL_EXIT_USAGE;
		}
	}
	rc = sesamectl_dispatch(&ctl, argc - optind, argv + optind);
	ctl_fini(&ctl);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "sesamectl: cannot write the output\n");
		rc = CTL_EXIT_USAGE;
	}
	return rc;
}
