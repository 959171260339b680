/* The run context of sesamectl: global options, the daemon connection, and
 * the helpers every command shares (option and argument checks, daemon
 * calls with one way of reporting failures, JSON and time output). */
#ifndef SESAMECTL_CTL_H
#define SESAMECTL_CTL_H

#include <getopt.h>
#include <jansson.h>
#include <stddef.h>

#include "sesame/client.h"
#include "sesame/limits.h"
#include "sesame/totp_alg.h"

/* Exit statuses, documented in sesamectl(1). */
enum {
	CTL_EXIT_OK = 0,
	CTL_EXIT_REFUSED = 1, /* the daemon refused, or a local operation failed */
	CTL_EXIT_USAGE = 2,   /* bad command line or configuration, daemon unreachable */
	CTL_CONTINUE = -1,    /* not an exit status: keep going */
};

/* Long options every command accepts after its name. */
#define CTL_OPT_JSON 'J'
#define CTL_COMMON_OPTIONS                                                                         \
	{"json", no_argument, NULL, CTL_OPT_JSON},                                                 \
	{                                                                                          \
		"help", no_argument, NULL, 'h'                                                     \
	}

typedef struct ctl ctl_t;

/* One command: what `help` shows and what runs it. run() gets argv[0] as
 * the command's name and returns an exit status. */
typedef struct {
	const char *group;   /* "totp", "user", or NULL at the top level */
	const char *name;    /* "enroll" */
	const char *args;    /* positional arguments, e.g. "USER CODE" */
	const char *options; /* option synopsis, or NULL */
	const char *summary; /* one line */
	const char *help;    /* paragraphs and options; ends with a newline */
	int (*run)(ctl_t *ctl, int argc, char **argv);
} cmd_t;

struct ctl {
	const char *socket_opt;	 /* --socket, or NULL */
	const char *config_path; /* --config, or NULL for SESAME_DEFAULT_CONFIG */
	long timeout_ms;
	int json;
	const cmd_t *cmd; /* the command being run */
	char socket[SESAME_MAX_PATH];
	sesame_client_t *client;
};

void ctl_init(ctl_t *ctl);
/* Closes the connection, if any. */
void ctl_fini(ctl_t *ctl);

/* "totp enroll" for cmd into buf. */
void ctl_cmd_name(const cmd_t *cmd, char *buf, size_t bufsz);
/* The full help of a command, to stdout. */
void ctl_cmd_help(const cmd_t *cmd);

/* getopt_long over a command's argv (argv[0] is its name). Handles
 * CTL_COMMON_OPTIONS and errors itself; returns the next other option, or
 * -1 when done with *rc set: CTL_CONTINUE (parse the operands from
 * optind), or an exit status (help printed, usage error reported). */
int ctl_getopt(ctl_t *ctl, int argc, char **argv, const struct option *opts, int *rc);
/* Checks that exactly want operands follow the options. */
int ctl_operands(ctl_t *ctl, int argc, char **argv, int want);

/* Reports a usage error of the current command on stderr; returns
 * CTL_EXIT_USAGE. */
int ctl_usage_error(ctl_t *ctl, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Reports a failure on stderr ("sesamectl: ..."), and with --json also
 * {"error": code, "message": ...} on stdout; returns status. */
int ctl_fail(ctl_t *ctl, int status, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Reports running out of memory; returns CTL_EXIT_USAGE. */
int ctl_nomem(ctl_t *ctl);

/* Validates a user name given on the command line (usage error if bad). */
int ctl_user_arg(ctl_t *ctl, const char *user);
/* Parses a decimal number in [min, max] given to option name. */
int ctl_uint_arg(ctl_t *ctl, const char *name, const char *s, long min, long max, long *out);

/* The daemon client of this run, connected on first use: CTL_CONTINUE
 * with *client (owned by ctl), or the failure reported and its exit status
 * returned. For the typed calls of sesame/client.h. */
int ctl_client(ctl_t *ctl, sesame_client_t **client);
/* Reports a typed call that failed with err (error filled by the call):
 * the daemon's refusal (its sentence; with --json {"error", "message"})
 * returns CTL_EXIT_REFUSED, no reply or a malformed one CTL_EXIT_USAGE. */
int ctl_call_failed(ctl_t *ctl, int err, const client_error_t *error);

/* Generic calls, for the administration commands that print the lists and
 * records the daemon sends (they check the fields they print themselves).
 * POSTs request (not consumed; NULL means it could not be built) to path.
 * CTL_EXIT_OK with *reply owned by the caller, or the failure reported
 * and its exit status returned: CTL_EXIT_REFUSED when the daemon answered
 * with an error, CTL_EXIT_USAGE when it could not be reached or answered
 * nonsense. */
int ctl_call(ctl_t *ctl, const char *path, const json_t *request, json_t **reply);
/* ctl_call, except that when the daemon refused (CTL_EXIT_REFUSED, its
 * sentence reported) *reply keeps its error reply, for details such as a
 * password policy's reasons. */
int ctl_call_detail(ctl_t *ctl, const char *path, const json_t *request, json_t **reply);
/* Reports a reply that lacks or mistypes field; returns CTL_EXIT_USAGE. */
int ctl_bad_reply(ctl_t *ctl, const char *field);

/* One JSON document on stdout. */
int ctl_json_print(ctl_t *ctl, const json_t *doc);

/* Formats a daemon time (Unix seconds; 0, null or absent mean never) as
 * ISO 8601 local time with offset, or "never". -1 if v is of another
 * type. */
int ctl_time_format(const json_t *v, char *buf, size_t bufsz);
/* "40 s", "3 min 20 s", "2 h 5 min". */
void ctl_duration_format(long long seconds, char *buf, size_t bufsz);
/* An id as text (integer or string); -1 if v is neither. */
int ctl_id_format(const json_t *v, char *buf, size_t bufsz);

/* Overwrites the text of a JSON string that held a secret. */
void ctl_json_wipe_string(json_t *s);

/* `GROUP remove USER ID [--force]`: removes a second factor through path
 * (/v1/totp/remove, /v1/passkey/remove); what names it in the sentence,
 * lister is the command that shows the ids. */
int ctl_factor_remove(ctl_t *ctl, int argc, char **argv, const char *path, const char *what,
		      const char *lister);

#endif
