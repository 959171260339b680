/* sesame-authd: start-up (options, configuration, master key, store),
 * serving in the foreground, and a clean stop on SIGTERM/SIGINT. */
#include <curl/curl.h>
#include <errno.h>
#include <getopt.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "authd.h"
#include "flow.h"
#include "http.h"
#include "oidc.h"
#include "passkey.h"
#include "sesame/error.h"
#include "sesame/keyfile.h"
#include "sesame/log.h"
#include "sesame/paths.h"
#include "totp.h"
#include "web/web.h"

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: sesame-authd [OPTIONS]\n"
		"Run the Sésame authentication daemon in the foreground.\n"
		"\n"
		"  -c, --config FILE       configuration file (default %s;\n"
		"                          built-in defaults when it does not exist)\n"
		"  -s, --socket PATH       unix socket to listen on (overrides the file)\n"
		"  -d, --database DB       SQLite file, or PostgreSQL URI or conninfo\n"
		"                          (postgresql://..., host=... dbname=...;\n"
		"                          overrides the file)\n"
		"  -k, --master-key PATH   master key file (overrides the file)\n"
		"      --init              create the master key, the database and their\n"
		"                          folders when missing\n"
		"      --log-level LEVEL   error, warning, notice, info or debug\n"
		"      --syslog            log to syslog (LOG_AUTHPRIV) instead of stderr\n"
		"      --check-config      check the configuration and exit\n"
		"  -h, --help              show this help and exit\n"
		"  -V, --version           show the version and exit\n"
		"\n"
		"See sesame-authd(8) and sesame-authd.conf(5).\n",
		SESAME_DEFAULT_CONFIG);
}

/* mkdir -p for the folder that holds path, mode 0700 for what it creates. */
static int make_parent(const char *path)
{
	char dir[SESAME_MAX_PATH];
	char *slash;

	snprintf(dir, sizeof(dir), "%s", path);
	if ((slash = strrchr(dir, '/')) == NULL || slash == dir)
		return 0;
	*slash = '\0';
	for (char *p = dir + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(dir, 0700) != 0 && errno != EEXIST)
			return -1;
		*p = '/';
	}
	return mkdir(dir, 0700) != 0 && errno != EEXIST ? -1 : 0;
}

/* The master key must not reach a core file: no core dumps at all, and the
 * process not dumpable, which also keeps other processes of its user from
 * reading its memory (ptrace, /proc/PID/mem). Before the key is read. */
static int harden_process(void)
{
	struct rlimit rl;

	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0) {
		log_err("cannot make the process non-dumpable (prctl: %s)", strerror(errno));
		return SESAME_ERR_INTERNAL;
	}
	rl.rlim_cur = rl.rlim_max = 0;
	if (setrlimit(RLIMIT_CORE, &rl) == 0)
		return SESAME_OK;
	/* Lowering a limit needs no privilege: EPERM is a seccomp filter, as
	 * in sesame-authd.service, whose LimitCORE=0 has set it already.
	 * Non-dumpable holds either way. */
	if (errno == EPERM)
		log_debug("setrlimit(RLIMIT_CORE): %s", strerror(errno));
	else
		log_warn("cannot set the core file size limit to 0 (setrlimit: %s)",
			 strerror(errno));
	return SESAME_OK;
}

/* A file of the daemon's that another user owns can be replaced or
 * rewritten by that user: a master key they know, seeds they chose. Root's
 * and the daemon's own user's are accepted. A missing file passes: the
 * daemon creates it (--init), or its loader says it is missing. */
static int check_owner(const char *what, const char *path)
{
	struct stat st;
	struct passwd *pw;
	uid_t me = geteuid();
	char owner[64], self[64];

	if (stat(path, &st) != 0 || st.st_uid == 0 || st.st_uid == me)
		return SESAME_OK;
	pw = getpwuid(st.st_uid);
	snprintf(owner, sizeof(owner), "%s", pw ? pw->pw_name : "no such user");
	pw = getpwuid(me);
	snprintf(self, sizeof(self), "%s", pw ? pw->pw_name : "no name");
	log_err("%s %s is owned by uid %u (%s); it must belong to root or to the daemon's user "
		"(uid %u, %s)",
		what, path, (unsigned)st.st_uid, owner, (unsigned)me, self);
	return SESAME_ERR_PERMISSION;
}

static int load_keys(authd_t *d, int init)
{
	int r;

	if ((r = check_owner("master key", d->cfg.master_key)) != SESAME_OK)
		return r;
	r = seal_keyring_load(d->cfg.master_key, &d->keys);

	if (r == SESAME_ERR_NOT_FOUND && init) {
		if (make_parent(d->cfg.master_key) != 0 ||
		    (r = keyfile_create(d->cfg.master_key)) != SESAME_OK) {
			log_err("cannot create the master key %s: %s", d->cfg.master_key,
				sesame_err_message(r));
			return SESAME_ERR_IO;
		}
		log_info("created a new master key in %s", d->cfg.master_key);
		r = seal_keyring_load(d->cfg.master_key, &d->keys);
	}
	switch (r) {
	case SESAME_OK:
		return SESAME_OK;
	case SESAME_ERR_NOT_FOUND:
		log_err("the master key %s does not exist; create it with \"sesamectl keygen %s\" "
			"(mode 0600, readable only by the daemon's user) or start once with --init",
			d->cfg.master_key, d->cfg.master_key);
		break;
	case SESAME_ERR_PERMISSION:
		log_err("the master key %s is readable or writable by group or others; "
			"run \"chmod 600 %s\"",
			d->cfg.master_key, d->cfg.master_key);
		break;
	case SESAME_ERR_CONFIG:
		log_err("the master key %s is malformed (expected lines \"VERSION HEX64\")",
			d->cfg.master_key);
		break;
	default:
		log_err("cannot read the master key %s: %s", d->cfg.master_key, strerror(errno));
	}
	return r;
}

static int resolve_trusted(authd_t *d)
{
	for (size_t i = 0; i < d->cfg.n_pam_trusted_users; i++) {
		struct passwd *pw = getpwnam(d->cfg.pam_trusted_users[i]);
		if (pw == NULL) {
			log_warn("pam_trusted_users: no such user %s (ignored)",
				 d->cfg.pam_trusted_users[i]);
			continue;
		}
		d->pam_trusted_uids[d->n_pam_trusted_uids++] = pw->pw_uid;
	}
	return SESAME_OK;
}

/* Tells systemd (Type=notify) that the socket is ready, when asked to. */
static void notify_ready(void)
{
	const char *path = getenv("NOTIFY_SOCKET");
	struct sockaddr_un sa;
	socklen_t len;
	int fd;

	if (path == NULL || (path[0] != '/' && path[0] != '@') ||
	    strlen(path) >= sizeof(sa.sun_path))
		return;
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	memcpy(sa.sun_path, path, strlen(path));
	if (sa.sun_path[0] == '@')
		sa.sun_path[0] = '\0';
	len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(path));
	if ((fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)) < 0)
		return;
	if (sendto(fd, "READY=1", 7, 0, (struct sockaddr *)&sa, len) < 0)
		log_warn("sd_notify: %s", strerror(errno));
	close(fd);
}

int main(int argc, char **argv)
{
	enum { OPT_INIT = 256, OPT_LOG_LEVEL, OPT_SYSLOG, OPT_CHECK };
	static const struct option opts[] = {
	    {"config", required_argument, NULL, 'c'},
	    {"socket", required_argument, NULL, 's'},
	    {"database", required_argument, NULL, 'd'},
	    {"master-key", required_argument, NULL, 'k'},
	    {"init", no_argument, NULL, OPT_INIT},
	    {"log-level", required_argument, NULL, OPT_LOG_LEVEL},
	    {"syslog", no_argument, NULL, OPT_SYSLOG},
	    {"check-config", no_argument, NULL, OPT_CHECK},
	    {"help", no_argument, NULL, 'h'},
	    {"version", no_argument, NULL, 'V'},
	    {NULL, 0, NULL, 0},
	};
	const char *config_path = NULL, *socket_path = NULL, *db_path = NULL, *key_path = NULL;
	const char *log_level = NULL;
	int init = 0, use_syslog = 0, check_only = 0, opt, level, sig, status = 1;
	char err[512];
	char database[512]; /* d.cfg.database as logs show it */
	authd_t d;
	http_server_t *http = NULL;
	web_server_t *web = NULL;
	sigset_t set;

	memset(&d, 0, sizeof(d));
	while ((opt = getopt_long(argc, argv, "c:s:d:k:hV", opts, NULL)) != -1) {
		switch (opt) {
		case 'c':
			config_path = optarg;
			break;
		case 's':
			socket_path = optarg;
			break;
		case 'd':
			db_path = optarg;
			break;
		case 'k':
			key_path = optarg;
			break;
		case OPT_INIT:
			init = 1;
			break;
		case OPT_LOG_LEVEL:
			log_level = optarg;
			break;
		case OPT_SYSLOG:
			use_syslog = 1;
			break;
		case OPT_CHECK:
			check_only = 1;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("sesame-authd %s\n", SESAME_VERSION);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "sesame-authd: unexpected argument \"%s\"\n", argv[optind]);
		return 2;
	}
	umask(077);
	log_init("sesame-authd", use_syslog ? SESAME_LOG_SYSLOG : SESAME_LOG_STDERR, LOG_INFO);
	if (harden_process() != SESAME_OK)
		return 1;

	config_defaults(&d.cfg);
	if (config_path != NULL || access(SESAME_DEFAULT_CONFIG, F_OK) == 0) {
		const char *path = config_path ? config_path : SESAME_DEFAULT_CONFIG;
		if (config_load(&d.cfg, path, err, sizeof(err)) != SESAME_OK) {
			log_err("%s", err);
			return 1;
		}
	}
#define OVERRIDE(field, value) snprintf(d.cfg.field, sizeof(d.cfg.field), "%s", value)
	if (socket_path)
		OVERRIDE(socket, socket_path);
	if (db_path)
		OVERRIDE(database, db_path);
	if (key_path)
		OVERRIDE(master_key, key_path);
#undef OVERRIDE
	if (log_level) {
		if (log_level_parse(log_level, &level) != SESAME_OK) {
			log_err("unknown log level \"%s\"", log_level);
			return 2;
		}
		d.cfg.log_level = level;
	}
	if (config_validate(&d.cfg, err, sizeof(err)) != SESAME_OK ||
	    flow_requirements_load(&d, err, sizeof(err)) != SESAME_OK) {
		log_err("%s", err);
		return 1;
	}
	log_set_level(d.cfg.log_level);
	if (check_only) {
		printf("configuration OK\n");
		return 0;
	}
	d.throttle = (throttle_params_t){d.cfg.max_failures, d.cfg.base_delay, d.cfg.max_delay};

	/* Signals are taken synchronously by the main thread only. */
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);

	/* before any thread: libcurl's global state (online breach checks) */
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		log_err("libcurl initialisation failed");
		return 1;
	}
	if (totp_init() != SESAME_OK) {
		log_err("liboath initialisation failed");
		return 1;
	}
	if (load_keys(&d, init) != SESAME_OK || resolve_trusted(&d) != SESAME_OK)
		goto out;
	if (password_policy_new(&d.cfg.password, &d.password, err, sizeof(err)) != SESAME_OK) {
		log_err("password policy: %s", err);
		goto out;
	}
	if (ratelimit_new(20.0, 40.0, &d.password_rate) != SESAME_OK)
		goto out;
	store_describe(d.cfg.database, database, sizeof(database));
	if (!store_is_postgres(d.cfg.database)) {
		if (init && make_parent(d.cfg.database) != 0) {
			log_err("cannot create the folder of %s: %s", d.cfg.database,
				strerror(errno));
			goto out;
		}
		if (check_owner("database", d.cfg.database) != SESAME_OK)
			goto out;
	}
	if (store_open(d.cfg.database, &d.store) != SESAME_OK) {
		log_err("cannot open the database %s", database);
		goto out;
	}
	if (init && make_parent(d.cfg.socket) != 0) {
		log_err("cannot create the folder of %s: %s", d.cfg.socket, strerror(errno));
		goto out;
	}
	if (oidc_start(&d) != SESAME_OK)
		goto out;
	/* the web pages first: once the socket exists, everything answers */
	if (d.cfg.web.listen[0]) {
		if (passkey_trust_load(&d) != SESAME_OK || web_start(&d, &web) != SESAME_OK)
			goto out;
		log_info("web pages on %s://%s", d.cfg.web.tls_certificate[0] ? "https" : "http",
			 d.cfg.web.listen);
	}
	if (http_start(&d, &http) != SESAME_OK)
		goto out;
	log_info("sesame-authd %s listening on %s (database %s)", SESAME_VERSION, d.cfg.socket,
		 database);
	notify_ready();
	for (;;) {
		if (sigwait(&set, &sig) != 0)
			continue;
		if (sig == SIGHUP) {
			log_info("SIGHUP: nothing to reload yet; restart to apply configuration "
				 "changes");
			continue;
		}
		log_info("stopping on signal %d", sig);
		break;
	}
	status = 0;
out:
	web_stop(&web);
	http_stop(&http);
	oidc_stop(&d);
	store_close(&d.store);
	webauthn_trust_free(&d.passkey_trust);
	ratelimit_free(&d.password_rate);
	password_policy_free(&d.password);
	seal_keyring_free(&d.keys);
	totp_done();
	curl_global_cleanup();
	return status;
}
