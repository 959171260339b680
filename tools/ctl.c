/* sesamectl's run context (see ctl.h): where the daemon is, how a call
 * fails, and the small formatters the commands share. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "ctl.h"
#include "sesame/config_client.h"
#include "sesame/error.h"
#include "sesame/paths.h"
#include "sesame/username.h"
#include "term.h"

void ctl_init(ctl_t *ctl)
{
	memset(ctl, 0, sizeof(*ctl));
	ctl->timeout_ms = SESAME_DEFAULT_TIMEOUT_MS;
}

void ctl_fini(ctl_t *ctl)
{
	sesame_client_free(&ctl->client);
}

void ctl_cmd_name(const cmd_t *cmd, char *buf, size_t bufsz)
{
	if (cmd->group != NULL)
		snprintf(buf, bufsz, "%s %s", cmd->group, cmd->name);
	else
		snprintf(buf, bufsz, "%s", cmd->name);
}

void ctl_cmd_help(const cmd_t *cmd)
{
	char name[64];

	ctl_cmd_name(cmd, name, sizeof(name));
	printf("Usage: sesamectl [GLOBAL OPTIONS] %s%s%s%s%s [--json]\n\n%s\n\n%s", name,
	       *cmd->args ? " " : "", cmd->args, cmd->options ? " " : "",
	       cmd->options ? cmd->options : "", cmd->summary, cmd->help);
	printf("  --json             print the result as one JSON document\n"
	       "  -h, --help         show this help\n"
	       "\nGlobal options (before the command) are listed by 'sesamectl --help'.\n");
}

int ctl_usage_error(ctl_t *ctl, const char *fmt, ...)
{
	char name[64];
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	ctl_cmd_name(ctl->cmd, name, sizeof(name));
	fprintf(stderr, "sesamectl %s: %s\nTry 'sesamectl %s --help'.\n", name, msg, name);
	return CTL_EXIT_USAGE;
}

int ctl_fail(ctl_t *ctl, int status, const char *code, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fprintf(stderr, "sesamectl: %s\n", msg);
	if (ctl->json) {
		json_t *doc = json_pack("{s:s, s:s}", "error", code, "message", msg);
		if (doc != NULL)
			ctl_json_print(ctl, doc);
		json_decref(doc);
	}
	return status;
}

int ctl_nomem(ctl_t *ctl)
{
	return ctl_fail(ctl, CTL_EXIT_USAGE, sesame_err_code(SESAME_ERR_NOMEM), "%s",
			sesame_err_message(SESAME_ERR_NOMEM));
}

int ctl_getopt(ctl_t *ctl, int argc, char **argv, const struct option *opts, int *rc)
{
	int c;

	opterr = 0;
	for (;;) {
		c = getopt_long(argc, argv, ":h", opts, NULL);
		switch (c) {
		case -1:
			*rc = CTL_CONTINUE;
			return -1;
		case CTL_OPT_JSON:
			ctl->json = 1;
			continue;
		case 'h':
			ctl_cmd_help(ctl->cmd);
			*rc = CTL_EXIT_OK;
			return -1;
		case ':':
			*rc = ctl_usage_error(ctl, "option '%s' needs a value", argv[optind - 1]);
			return -1;
		case '?':
			if (optopt != 0)
				*rc = ctl_usage_error(ctl, "unknown option '-%c'", optopt);
			else
				*rc = ctl_usage_error(ctl, "unknown option '%s'", argv[optind - 1]);
			return -1;
		default:
			return c;
		}
	}
}

int ctl_operands(ctl_t *ctl, int argc, char **argv, int want)
{
	char shown[TERM_TEXT_MAX];
	int have = argc - optind;

	if (have < want)
		return ctl_usage_error(ctl, "missing operand (expected %s)", ctl->cmd->args);
	if (have > want) {
		term_clean(argv[optind + want], shown, sizeof(shown));
		return ctl_usage_error(ctl, "unexpected argument '%s'", shown);
	}
	return CTL_CONTINUE;
}

int ctl_user_arg(ctl_t *ctl, const char *user)
{
	char shown[TERM_TEXT_MAX];

	if (username_validate(user, strlen(user)) == SESAME_OK)
		return CTL_CONTINUE;
	term_clean(user, shown, sizeof(shown));
	return ctl_usage_error(ctl, "invalid user name '%s': %s", shown,
			       sesame_err_message(SESAME_ERR_BAD_USERNAME));
}

int ctl_uint_arg(ctl_t *ctl, const char *name, const char *s, long min, long max, long *out)
{
	char shown[TERM_TEXT_MAX];
	char *end = NULL;
	long v;

	errno = 0;
	v = (*s >= '0' && *s <= '9') ? strtol(s, &end, 10) : -1;
	if (end == NULL || *end != '\0' || errno != 0 || v < min || v > max) {
		term_clean(s, shown, sizeof(shown));
		return ctl_usage_error(ctl, "%s must be a number from %ld to %ld, not '%s'", name,
				       min, max, shown);
	}
	*out = v;
	return CTL_CONTINUE;
}

/* The socket: --socket, else `socket` from the configuration. The default
 * configuration may be absent or unreadable (a user asking about itself);
 * one named with --config must load. */
static int ctl_socket_resolve(ctl_t *ctl)
{
	char err[512], from_config[SESAME_MAX_PATH];
	const char *path = ctl->config_path ? ctl->config_path : SESAME_DEFAULT_CONFIG;
	const char *socket;
	struct sockaddr_un sa;

	snprintf(from_config, sizeof(from_config), "%s", SESAME_DEFAULT_SOCKET);
	if (ctl->config_path != NULL || ctl->socket_opt == NULL) {
		int skip = ctl->config_path == NULL && access(path, R_OK) != 0 &&
			   (errno == ENOENT || errno == EACCES || errno == ENOTDIR);
		if (!skip && config_client_socket(path, from_config, sizeof(from_config), err,
						  sizeof(err)) != SESAME_OK)
			return ctl_fail(ctl, CTL_EXIT_USAGE, "config_error", "%s", err);
	}
	socket = ctl->socket_opt ? ctl->socket_opt : from_config;
	if (*socket == '\0' || strlen(socket) >= sizeof(sa.sun_path))
		return ctl_fail(ctl, CTL_EXIT_USAGE, "invalid_argument",
				"socket path is empty or longer than %zu bytes",
				sizeof(sa.sun_path) - 1);
	snprintf(ctl->socket, sizeof(ctl->socket), "%s", socket);
	return CTL_CONTINUE;
}

/* Why the socket cannot be reached, from a connect() of our own. */
static const char *ctl_socket_why(const char *path)
{
	struct sockaddr_un sa;
	int fd, e;

	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	memcpy(sa.sun_path, path, strlen(path) + 1); /* length checked on resolve */
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
		return NULL;
	e = connect(fd, (const struct sockaddr *)&sa, sizeof(sa)) == 0 ? 0 : errno;
	close(fd);
	switch (e) {
	case ENOENT:
	case ECONNREFUSED:
		return "is sesame-authd running?";
	case EACCES:
	case EPERM:
		return "permission denied; run as root or a member of the daemon's group";
	case ENOTSOCK:
		return "not a socket";
	default:
		return NULL;
	}
}

int ctl_client(ctl_t *ctl, sesame_client_t **client)
{
	int rc;
	int err;

	*client = NULL;
	if (ctl->client == NULL) {
		if ((rc = ctl_socket_resolve(ctl)) != CTL_CONTINUE)
			return rc;
		err = sesame_client_new(ctl->socket, ctl->timeout_ms, &ctl->client);
		if (err != SESAME_OK)
			return ctl_fail(ctl, CTL_EXIT_USAGE, sesame_err_code(err), "%s",
					sesame_err_message(err));
	}
	*client = ctl->client;
	return CTL_CONTINUE;
}

/* A call that got no usable reply. */
static int ctl_transport_fail(ctl_t *ctl, int err)
{
	const char *why;

	switch (err) {
	case SESAME_ERR_UNAVAILABLE:
		why = ctl_socket_why(ctl->socket);
		return ctl_fail(ctl, CTL_EXIT_USAGE, "unavailable",
				"cannot reach sesame-authd at %s: %s%s%s%s", ctl->socket,
				sesame_err_message(err), why ? " (" : "", why ? why : "",
				why ? ")" : "");
	case SESAME_ERR_TIMEOUT:
		return ctl_fail(ctl, CTL_EXIT_USAGE, "timeout",
				"sesame-authd at %s did not answer within %ld s", ctl->socket,
				(ctl->timeout_ms + 999) / 1000);
	case SESAME_ERR_PROTOCOL:
		return ctl_fail(ctl, CTL_EXIT_USAGE, "protocol_error", "sesame-authd at %s: %s",
				ctl->socket, sesame_err_message(err));
	default:
		return ctl_fail(ctl, CTL_EXIT_USAGE, sesame_err_code(err), "%s",
				sesame_err_message(err));
	}
}

int ctl_call_failed(ctl_t *ctl, int err, const client_error_t *error)
{
	char msg[TERM_TEXT_MAX];

	if (error->status == 0 || error->status == 200)
		return ctl_transport_fail(ctl, err);
	/* the daemon refused: its sentence on one line */
	term_clean(error->message, msg, sizeof(msg));
	fprintf(stderr, "sesamectl: %s\n", msg);
	if (ctl->json) {
		json_t *doc = json_pack("{s:s, s:s}", "error", error->code, "message", msg);
		if (doc != NULL)
			ctl_json_print(ctl, doc);
		json_decref(doc);
	}
	return CTL_EXIT_REFUSED;
}

static int ctl_call_keep(ctl_t *ctl, const char *path, const json_t *request, json_t **reply,
			 int keep_error)
{
	char msg[TERM_TEXT_MAX];
	sesame_client_t *client;
	long status = 0;
	int rc;
	int err;

	*reply = NULL;
	if (request == NULL)
		return ctl_nomem(ctl);
	if ((rc = ctl_client(ctl, &client)) != CTL_CONTINUE)
		return rc;
	/* the client does not modify the request */
	err = sesame_client_call(client, path, request, &status, reply);
	if (err != SESAME_OK)
		return ctl_transport_fail(ctl, err);
	if (status >= 200 && status <= 299)
		return CTL_EXIT_OK;

	/* the daemon refused: its sentence on one line, its reply as JSON */
	const char *message = NULL;
	err = sesame_client_reply_error(*reply, &message);
	term_clean(message, msg, sizeof(msg));
	fprintf(stderr, "sesamectl: %s\n", msg);
	if (ctl->json) {
		json_t *doc =
		    json_is_string(json_object_get(*reply, "error"))
			? json_incref(*reply)
			: json_pack("{s:s, s:s}", "error", sesame_err_code(err), "message", msg);
		if (doc != NULL)
			ctl_json_print(ctl, doc);
		json_decref(doc);
	}
	if (!keep_error) {
		json_decref(*reply);
		*reply = NULL;
	}
	return CTL_EXIT_REFUSED;
}

int ctl_call(ctl_t *ctl, const char *path, const json_t *request, json_t **reply)
{
	return ctl_call_keep(ctl, path, request, reply, 0);
}

int ctl_call_detail(ctl_t *ctl, const char *path, const json_t *request, json_t **reply)
{
	return ctl_call_keep(ctl, path, request, reply, 1);
}

int ctl_bad_reply(ctl_t *ctl, const char *field)
{
	return ctl_fail(ctl, CTL_EXIT_USAGE, "protocol_error", "sesame-authd at %s: %s ('%s')",
			ctl->socket, sesame_err_message(SESAME_ERR_PROTOCOL), field);
}

int ctl_json_print(ctl_t *ctl, const json_t *doc)
{
	(void)ctl;
	if (json_dumpf(doc, stdout, JSON_INDENT(2)) != 0 || fputc('\n', stdout) == EOF)
		return CTL_EXIT_USAGE;
	return CTL_EXIT_OK;
}

int ctl_time_format(const json_t *v, char *buf, size_t bufsz)
{
	struct tm tm;
	time_t t;
	long off;
	char date[32];

	if (v == NULL || json_is_null(v) || (json_is_integer(v) && json_integer_value(v) == 0)) {
		snprintf(buf, bufsz, "never");
		return 0;
	}
	if (!json_is_integer(v) || json_integer_value(v) < 0)
		return -1;
	t = (time_t)json_integer_value(v);
	if (localtime_r(&t, &tm) == NULL ||
	    strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%S", &tm) == 0)
		return -1;
	off = tm.tm_gmtoff;
	snprintf(buf, bufsz, "%s%c%02ld:%02ld", date, off < 0 ? '-' : '+', labs(off) / 3600,
		 labs(off) % 3600 / 60);
	return 0;
}

void ctl_duration_format(long long s, char *buf, size_t bufsz)
{
	if (s < 0)
		s = 0;
	if (s < 60)
		snprintf(buf, bufsz, "%lld s", s);
	else if (s < 3600 && s % 60 != 0)
		snprintf(buf, bufsz, "%lld min %lld s", s / 60, s % 60);
	else if (s < 3600)
		snprintf(buf, bufsz, "%lld min", s / 60);
	else if (s / 60 % 60 != 0)
		snprintf(buf, bufsz, "%lld h %lld min", s / 3600, s / 60 % 60);
	else
		snprintf(buf, bufsz, "%lld h", s / 3600);
}

int ctl_id_format(const json_t *v, char *buf, size_t bufsz)
{
	if (json_is_integer(v)) {
		snprintf(buf, bufsz, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		return 0;
	}
	if (json_is_string(v) && json_string_length(v) > 0) {
		term_clean(json_string_value(v), buf, bufsz);
		return 0;
	}
	return -1;
}

void ctl_json_wipe_string(json_t *s)
{
	if (json_is_string(s))
		explicit_bzero((char *)json_string_value(s), json_string_length(s));
}

int ctl_factor_remove(ctl_t *ctl, int argc, char **argv, const char *path, const char *what,
		      const char *lister)
{
	enum { OPT_FORCE = 0x100 };
	static const struct option opts[] = {
	    {"force", no_argument, NULL, OPT_FORCE}, CTL_COMMON_OPTIONS, {NULL, 0, NULL, 0}};
	char id[TERM_TEXT_MAX];
	const char *user, *arg;
	json_t *req = NULL, *reply = NULL;
	long long id_num = 0;
	size_t n;
	int rc = CTL_CONTINUE, force = 0, c;

	while ((c = ctl_getopt(ctl, argc, argv, opts, &rc)) != -1)
		if (c == OPT_FORCE)
			force = 1;
	if (rc != CTL_CONTINUE || (rc = ctl_operands(ctl, argc, argv, 2)) != CTL_CONTINUE)
		return rc;
	user = argv[optind];
	arg = argv[optind + 1];
	if ((rc = ctl_user_arg(ctl, user)) != CTL_CONTINUE)
		return rc;
	/* ids are the positive integers the list command shows */
	n = strlen(arg);
	if (n == 0 || n > 18 || strspn(arg, "0123456789") != n ||
	    (id_num = strtoll(arg, NULL, 10)) < 1)
		return ctl_usage_error(ctl, "ID must be a number shown by '%s'", lister);
	req = json_pack("{s:s, s:I, s:b}", "user", user, "id", (json_int_t)id_num, "force", force);
	if ((rc = ctl_call(ctl, path, req, &reply)) != CTL_EXIT_OK)
		goto out;
	if (!json_is_true(json_object_get(reply, "removed"))) {
		rc = ctl_bad_reply(ctl, "removed");
		goto out;
	}
	if (ctl->json) {
		rc = ctl_json_print(ctl, reply);
		goto out;
	}
	if (ctl_id_format(json_object_get(reply, "id"), id, sizeof(id)) != 0)
		snprintf(id, sizeof(id), "%s", arg);
	printf("Removed %s %s of %s.\n", what, id, user);
out:
	json_decref(reply);
	json_decref(req);
	return rc;
}
