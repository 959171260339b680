/* Unit tests for authd/config.c (over lib/config_file.c) and sesamectl's
 * lib/config_client.c: defaults, a full file, and every refusal
 * with the file and line in the message. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h> /* after the four headers it needs */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "config.h"
#include "sesame/config_client.h"
#include "sesame/error.h"
#include "sesame/limits.h"
#include "sesame/paths.h"
#include "unit_util.h"

struct fixture {
	char *dir;
	int n;
	char path[512];
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	if (f == NULL || (f->dir = unit_tmpdir()) == NULL)
		return -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	unit_rmtree(f->dir);
	free(f->dir);
	free(f);
	return 0;
}

/* Writes text into a fresh file (its path in f->path) and loads it over
 * the defaults. */
static int load_text(struct fixture *f, const char *text, sesame_config_t *cfg, char *err,
		     size_t errsz)
{
	char name[32];
	snprintf(name, sizeof(name), "authd%d.conf", f->n++);
	unit_path(f->path, sizeof(f->path), f->dir, name);
	assert_int_equal(unit_write_text(f->path, text, 0644), 0);
	config_defaults(cfg);
	err[0] = '\0';
	return config_load(cfg, f->path, err, errsz);
}

static void test_defaults(void **state)
{
	sesame_config_t cfg;
	char err[256] = "";
	(void)state;
	memset(&cfg, 0xa5, sizeof(cfg));
	config_defaults(&cfg);
	assert_string_equal(cfg.socket, SESAME_DEFAULT_SOCKET);
	assert_int_equal(cfg.socket_mode, 0660);
	assert_string_equal(cfg.socket_group, "");
	assert_string_equal(cfg.database, SESAME_DEFAULT_DATABASE);
	assert_string_equal(cfg.master_key, SESAME_DEFAULT_MASTER_KEY);
	assert_int_equal(cfg.max_body, SESAME_MAX_BODY);
	assert_int_equal(cfg.threads_max, 256);
	assert_int_equal(cfg.n_pam_trusted_users, 0);
	assert_int_equal(cfg.log_level, LOG_INFO);
	assert_string_equal(cfg.issuer, "Sesame");
	assert_int_equal(cfg.algorithm, TOTP_ALG_SHA1);
	assert_int_equal(cfg.digits, 6);
	assert_int_equal(cfg.period, 30);
	assert_int_equal(cfg.window, 1);
	assert_int_equal(cfg.max_failures, 5);
	assert_int_equal(cfg.base_delay, 30);
	assert_int_equal(cfg.max_delay, 900);
	assert_int_equal(config_validate(&cfg, err, sizeof(err)), SESAME_OK);
}

static void test_full_file(void **state)
{
	static const char text[] = "; sesame-authd configuration\n"
				   "# both comment styles\n"
				   "[authd]\n"
				   "socket = /run/test/authd.sock\n"
				   "socket_mode = 0600\n"
				   "socket_group = sesame\n"
				   "database = /var/lib/test/db.sqlite\n"
				   "master_key = /var/lib/test/master.key\n"
				   "max_body = 32768\n"
				   "max_connections = 64\n"
				   "pam_trusted_users = ejabberd, prosody\tdovecot,_svc\n"
				   "log_level = debug\n"
				   "\n"
				   "[totp]\n"
				   "issuer = Example Org (prod) #1\n"
				   "algorithm = SHA256\n"
				   "digits = 8\n"
				   "period = 60\n"
				   "window = 2\n"
				   "\n"
				   "[throttle]\n"
				   "max_failures = 3\n"
				   "base_delay = 10\n"
				   "max_delay = 600\n";
	struct fixture *f = *state;
	sesame_config_t cfg;
	char err[512];

	assert_int_equal(load_text(f, text, &cfg, err, sizeof(err)), SESAME_OK);
	assert_string_equal(cfg.socket, "/run/test/authd.sock");
	assert_int_equal(cfg.socket_mode, 0600);
	assert_string_equal(cfg.socket_group, "sesame");
	assert_string_equal(cfg.database, "/var/lib/test/db.sqlite");
	assert_string_equal(cfg.master_key, "/var/lib/test/master.key");
	assert_int_equal(cfg.max_body, 32768);
	assert_int_equal(cfg.threads_max, 64);
	assert_int_equal(cfg.n_pam_trusted_users, 4);
	assert_string_equal(cfg.pam_trusted_users[0], "ejabberd");
	assert_string_equal(cfg.pam_trusted_users[1], "prosody");
	assert_string_equal(cfg.pam_trusted_users[2], "dovecot");
	assert_string_equal(cfg.pam_trusted_users[3], "_svc");
	assert_int_equal(cfg.log_level, LOG_DEBUG);
	assert_string_equal(cfg.issuer, "Example Org (prod) #1");
	assert_int_equal(cfg.algorithm, TOTP_ALG_SHA256);
	assert_int_equal(cfg.digits, 8);
	assert_int_equal(cfg.period, 60);
	assert_int_equal(cfg.window, 2);
	assert_int_equal(cfg.max_failures, 3);
	assert_int_equal(cfg.base_delay, 10);
	assert_int_equal(cfg.max_delay, 600);
	assert_int_equal(config_validate(&cfg, err, sizeof(err)), SESAME_OK);
}

static void test_partial_file_keeps_defaults(void **state)
{
	struct fixture *f = *state;
	sesame_config_t cfg;
	char err[512];

	assert_int_equal(
	    load_text(f, "[totp]\nalgorithm = sha512\nwindow = 0\n", &cfg, err, sizeof(err)),
	    SESAME_OK);
	assert_int_equal(cfg.algorithm, TOTP_ALG_SHA512);
	assert_int_equal(cfg.window, 0);
	assert_int_equal(cfg.digits, 6);
	assert_string_equal(cfg.socket, SESAME_DEFAULT_SOCKET);
	assert_int_equal(cfg.max_delay, 900);
	/* an empty file is a valid file */
	assert_int_equal(load_text(f, "", &cfg, err, sizeof(err)), SESAME_OK);
	assert_int_equal(cfg.digits, 6);
}

static void test_range_bounds_accepted(void **state)
{
	static const char *ok[] = {
	    "[totp]\ndigits = 6\n",	      "[totp]\ndigits = 8\n",
	    "[totp]\nperiod = 15\n",	      "[totp]\nperiod = 300\n",
	    "[totp]\nwindow = 0\n",	      "[totp]\nwindow = 2\n",
	    "[authd]\nmax_body = 1024\n",     "[authd]\nmax_body = 65536\n",
	    "[authd]\nmax_connections = 4\n", "[authd]\nmax_connections = 4096\n",
	    "[authd]\nsocket_mode = 0\n",     "[authd]\nsocket_mode = 777\n",
	    "[throttle]\nmax_failures = 1\n", "[throttle]\nmax_failures = 1000\n",
	    "[throttle]\nbase_delay = 1\n",   "[throttle]\nmax_delay = 604800\n",
	    "[authd]\nlog_level = error\n",   "[authd]\nlog_level = WARNING\n",
	    "[authd]\nlog_level = notice\n",  "[totp]\nalgorithm = sha1\n",
	    "[totp]\nissuer = x\n",
	};
	struct fixture *f = *state;
	sesame_config_t cfg;
	char err[512];

	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		int r = load_text(f, ok[i], &cfg, err, sizeof(err));
		if (r != SESAME_OK)
			fail_msg("case #%zu refused: %s", i, err);
	}
	assert_int_equal(load_text(f, "[authd]\nsocket_mode = 0750\n", &cfg, err, sizeof(err)),
			 SESAME_OK);
	assert_int_equal(cfg.socket_mode, 0750);
}

static const struct {
	const char *text;
	int line;
	const char *word; /* expected in the message, besides file and line */
} errors[] = {
    {"[authd]\nbogus = 1\n", 2, "bogus"},
    {"[authd]\nsocket = /x\nSocket = /y\n", 3, "Socket"},
    {"[nosuch]\nsocket = /x\n", 2, "nosuch"},
    {"[throttle]\ndigits = 6\n", 2, "digits"},
    {"digits = 6\n", 1, "digits"},
    {"[totp]\ndigits = six\n", 2, "digits"},
    {"[totp]\ndigits = 6x\n", 2, "digits"},
    {"[totp]\ndigits = 6.0\n", 2, "digits"},
    {"[totp]\ndigits = 0x6\n", 2, "digits"},
    {"[totp]\ndigits = +6\n", 2, "digits"},
    {"[totp]\ndigits =\n", 2, "digits"},
    {"[totp]\ndigits = 99999999999999999999999\n", 2, "digits"},
    {"[totp]\ndigits = 18446744073709551622\n", 2, "digits"},
    {"[totp]\ndigits = 4294967302\n", 2, "digits"},
    {"[totp]\ndigits = 5\n", 2, "digits"},
    {"[totp]\ndigits = 9\n", 2, "digits"},
    {"[totp]\ndigits = -6\n", 2, "digits"},
    {"[totp]\nperiod = 14\n", 2, "period"},
    {"[totp]\nperiod = 301\n", 2, "period"},
    {"[totp]\nperiod = 0\n", 2, "period"},
    {"[totp]\nwindow = 11\n", 2, "window"},
    {"[totp]\nwindow = -1\n", 2, "window"},
    {"[throttle]\nmax_failures = 0\n", 2, "max_failures"},
    {"[throttle]\nmax_failures = 1001\n", 2, "max_failures"},
    {"[throttle]\nmax_failures = -5\n", 2, "max_failures"},
    {"[throttle]\nbase_delay = 0\n", 2, "base_delay"},
    {"[throttle]\nbase_delay = 86401\n", 2, "base_delay"},
    {"[throttle]\nbase_delay = -30\n", 2, "base_delay"},
    {"[throttle]\nmax_delay = 604801\n", 2, "max_delay"},
    {"[throttle]\nmax_delay = -1\n", 2, "max_delay"},
    {"[authd]\nmax_body = 1023\n", 2, "max_body"},
    {"[authd]\nmax_body = 65537\n", 2, "max_body"},
    {"[authd]\nmax_connections = 3\n", 2, "max_connections"},
    {"[authd]\nmax_connections = 4097\n", 2, "max_connections"},
    {"[authd]\nsocket_mode = 0778\n", 2, "socket_mode"},
    {"[authd]\nsocket_mode = 01000\n", 2, "socket_mode"},
    {"[authd]\nsocket_mode = rw\n", 2, "socket_mode"},
    {"[authd]\nsocket_mode = -0660\n", 2, "socket_mode"},
    {"[authd]\nsocket =\n", 2, "socket"},
    {"[authd]\nlog_level = loud\n", 2, "log_level"},
    {"[authd]\nlog_level = 7\n", 2, "log_level"},
    {"[authd]\npam_trusted_users = alice, -bad\n", 2, "pam_trusted_users"},
    {"[authd]\npam_trusted_users = a/b\n", 2, "pam_trusted_users"},
    {"[totp]\nalgorithm = md5\n", 2, "algorithm"},
    {"[totp]\nalgorithm = sha3-256\n", 2, "algorithm"},
    {"[totp]\nalgorithm = sha-1\n", 2, "algorithm"},
    {"[totp]\nissuer = Acme:Corp\n", 2, "issuer"},
    {"[totp]\nissuer = :\n", 2, "issuer"},
    {"[totp]\nissuer = Acme\tCorp\n", 2, "issuer"},
    {"[totp]\nissuer = Acme\x01\n", 2, "issuer"},
    {"[totp]\nissuer = Acme\x1b[0m\n", 2, "issuer"},
    {"[totp]\nissuer = Acme\x7f\n", 2, "issuer"},
    {"[totp]\nissuer = Caf\xc3\xa9\n", 2, "issuer"},
    {"[totp]\nissuer = 0123456789012345678901234567890123456789012345678901234567890123\n", 2,
     "issuer"},
    {"# comment\n\n[authd]\nsocket = /run/x.sock\n\n[totp]\ndigits = 10\n", 7, "digits"},
    {"[authd]\nthis line has no separator\n", 2, "syntax"},
    {"[authd\n# nothing else\n", 1, "syntax"},
    {"[totp]\ndigits = 6\n[throttle]\nmax_delay 600\n", 4, "syntax"},
};

static void test_errors_name_file_and_line(void **state)
{
	struct fixture *f = *state;

	for (size_t i = 0; i < sizeof(errors) / sizeof(errors[0]); i++) {
		sesame_config_t cfg;
		char err[512], where[64];
		int r = load_text(f, errors[i].text, &cfg, err, sizeof(err));
		if (r != SESAME_ERR_CONFIG)
			fail_msg("case #%zu gave %d (%s)", i, r, err);
		snprintf(where, sizeof(where), ":%d: ", errors[i].line);
		if (strncmp(err, f->path, strlen(f->path)) != 0 || strstr(err, where) == NULL ||
		    strstr(err, errors[i].word) == NULL)
			fail_msg(
			    "case #%zu: message \"%s\" does not name the file, line %d and \"%s\"",
			    i, err, errors[i].line, errors[i].word);
	}
}

static void test_issuer_printable_accepted(void **state)
{
	struct fixture *f = *state;
	sesame_config_t cfg;
	char err[512];

	/* 63 bytes fit in issuer[64] */
	assert_int_equal(
	    load_text(f,
		      "[totp]\nissuer = "
		      "012345678901234567890123456789012345678901234567890123456789012\n",
		      &cfg, err, sizeof(err)),
	    SESAME_OK);
	assert_int_equal(strlen(cfg.issuer), 63);
	assert_int_equal(
	    load_text(f, "[totp]\nissuer = A&B Co. ~ 100% <x>\n", &cfg, err, sizeof(err)),
	    SESAME_OK);
	assert_string_equal(cfg.issuer, "A&B Co. ~ 100% <x>");
}

static void test_trusted_users_limit(void **state)
{
	struct fixture *f = *state;
	sesame_config_t cfg;
	char err[512], text[512] = "[authd]\npam_trusted_users =";

	for (int i = 0; i < SESAME_MAX_TRUSTED_USERS; i++) {
		size_t n = strlen(text);
		snprintf(text + n, sizeof(text) - n, " u%d", i);
	}
	strcat(text, "\n");
	assert_int_equal(load_text(f, text, &cfg, err, sizeof(err)), SESAME_OK);
	assert_int_equal(cfg.n_pam_trusted_users, SESAME_MAX_TRUSTED_USERS);
	assert_string_equal(cfg.pam_trusted_users[SESAME_MAX_TRUSTED_USERS - 1], "u15");
	text[strlen(text) - 1] = '\0';
	strcat(text, " one_more\n");
	assert_int_equal(load_text(f, text, &cfg, err, sizeof(err)), SESAME_ERR_CONFIG);
}

static void test_first_error_is_reported(void **state)
{
	struct fixture *f = *state;
	sesame_config_t cfg;
	char err[512];

	/* two bad values: the first one is named */
	assert_int_equal(load_text(f, "[totp]\ndigits = 9\nperiod = 1\n", &cfg, err, sizeof(err)),
			 SESAME_ERR_CONFIG);
	assert_non_null(strstr(err, ":2: "));
	assert_non_null(strstr(err, "digits"));
	assert_null(strstr(err, "period"));
}

static void test_syntax_error_then_bad_value(void **state)
{
	struct fixture *f = *state;
	sesame_config_t cfg;
	char err[512];

	/* the line number and the text of the message must describe the same
	 * error: either line 2 (the syntax error) or line 4 (digits) */
	assert_int_equal(
	    load_text(f, "[totp]\nnot a pair\n[totp]\ndigits = 99\n", &cfg, err, sizeof(err)),
	    SESAME_ERR_CONFIG);
	int syntax_at_2 = strstr(err, ":2: ") != NULL && strstr(err, "syntax") != NULL;
	int digits_at_4 = strstr(err, ":4: ") != NULL && strstr(err, "digits") != NULL;
	if (!syntax_at_2 && !digits_at_4)
		fail_msg("message mixes two errors: \"%s\"", err);
}

static void test_long_path_value(void **state)
{
	struct fixture *f = *state;
	sesame_config_t cfg;
	char err[512], text[1024], path[600];

	/* inih (as Debian builds it) reads lines of at most 198 bytes: a longer
	 * one is refused with its own line number, never split in two */
	memset(path, 'd', 500);
	path[0] = '/';
	path[500] = '\0';
	snprintf(text, sizeof(text), "[authd]\ndatabase = %s\n[totp]\ndigits = 7\n", path);
	assert_int_equal(load_text(f, text, &cfg, err, sizeof(err)), SESAME_ERR_CONFIG);
	assert_non_null(strstr(err, ":2: line too long"));
	/* a path that fits the line loads */
	path[150] = '\0';
	snprintf(text, sizeof(text), "[authd]\ndatabase = %s\n[totp]\ndigits = 7\n", path);
	assert_int_equal(load_text(f, text, &cfg, err, sizeof(err)), SESAME_OK);
	assert_string_equal(cfg.database, path);
	assert_int_equal(cfg.digits, 7);
}

static void test_missing_file(void **state)
{
	struct fixture *f = *state;
	sesame_config_t cfg;
	char path[512], err[512] = "";

	unit_path(path, sizeof(path), f->dir, "absent.conf");
	config_defaults(&cfg);
	assert_int_equal(config_load(&cfg, path, err, sizeof(err)), SESAME_ERR_IO);
	assert_non_null(strstr(err, path));
	assert_int_equal(cfg.digits, 6);
}

static void test_unreadable_path(void **state)
{
	struct fixture *f = *state;
	sesame_config_t cfg;
	char err[512] = "";

	/* a directory opens but cannot be read: it must not pass for an empty file */
	config_defaults(&cfg);
	assert_int_equal(config_load(&cfg, f->dir, err, sizeof(err)), SESAME_ERR_IO);
	assert_non_null(strstr(err, f->dir));
}

static void test_validate(void **state)
{
	sesame_config_t cfg;
	char err[256] = "";
	(void)state;

	config_defaults(&cfg);
	cfg.base_delay = 60;
	cfg.max_delay = 59;
	assert_int_equal(config_validate(&cfg, err, sizeof(err)), SESAME_ERR_CONFIG);
	assert_non_null(strstr(err, "max_delay"));
	cfg.max_delay = 60;
	assert_int_equal(config_validate(&cfg, err, sizeof(err)), SESAME_OK);
	/* the window may not reach further than 10 minutes */
	cfg.period = 300;
	cfg.window = 2;
	assert_int_equal(config_validate(&cfg, err, sizeof(err)), SESAME_OK);
	cfg.window = 3;
	assert_int_equal(config_validate(&cfg, err, sizeof(err)), SESAME_ERR_CONFIG);
	assert_non_null(strstr(err, "window"));
	/* per source */
	config_defaults(&cfg);
	assert_int_equal(cfg.source_max_failures, 30);
	assert_int_equal(cfg.source_base_delay, 60);
	assert_int_equal(cfg.source_max_delay, 3600);
	assert_int_equal(cfg.source_window, 3600);
	cfg.source_max_delay = 59;
	assert_int_equal(config_validate(&cfg, err, sizeof(err)), SESAME_ERR_CONFIG);
	assert_non_null(strstr(err, "source_max_delay"));
}

static void test_source_keys(void **state)
{
	struct fixture *f = *state;
	static const char *const bad[] = {
	    "[throttle]\nsource_max_failures = -1\n", "[throttle]\nsource_max_failures = 100001\n",
	    "[throttle]\nsource_base_delay = 0\n",    "[throttle]\nsource_max_delay = 604801\n",
	    "[throttle]\nsource_window = 59\n",
	};
	sesame_config_t cfg;
	char err[256];

	config_defaults(&cfg);
	assert_int_equal(load_text(f,
				   "[throttle]\nsource_max_failures = 0\nsource_base_delay = 5\n"
				   "source_max_delay = 50\nsource_window = 600\n",
				   &cfg, err, sizeof(err)),
			 SESAME_OK);
	assert_int_equal(cfg.source_max_failures, 0);
	assert_int_equal(cfg.source_base_delay, 5);
	assert_int_equal(cfg.source_max_delay, 50);
	assert_int_equal(cfg.source_window, 600);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (load_text(f, bad[i], &cfg, err, sizeof(err)) != SESAME_ERR_CONFIG)
			fail_msg("accepted: %s", bad[i]);
}

static void test_web_section(void **state)
{
	struct fixture *f = *state;
	static const char *const bad[] = {
	    "[web]\nlisten = localhost:8443\n",
	    "[web]\nlisten = 127.0.0.1\n",
	    "[web]\nlisten = 127.0.0.1:0\n",
	    "[web]\nlisten = 127.0.0.1:65536\n",
	    "[web]\nlisten = ::1:8443\n",
	    "[web]\nlisten = [127.0.0.1]:8443\n",
	    "[web]\ntls_key = key.pem\n",
	    "[web]\ntrusted_proxy = proxy.example\n",
	    "[web]\nsession_idle = 0\n",
	    "[web]\nsession_lifetime = 59\n",
	    "[web]\nport = 80\n",
	    "[web]\npublic_url = sso.example.org\n",
	    "[web]\npublic_url = https://sso.example.org/sign-in\n",
	    "[web]\npublic_url = https://sso.example.org:99999\n",
	    "[web]\ninvitation_ttl = 59\n",
	    "[web]\ninvitation_ttl = 2592001\n",
	    "[web]\nsource_rate = -1\n",
	    "[web]\nsource_rate = 1000001\n",
	};
	sesame_config_t cfg;
	char err[256], host[64], url[SESAME_MAX_ORIGIN + 1];
	unsigned port = 0;

	config_defaults(&cfg);
	assert_string_equal(cfg.web.listen, ""); /* no web server by default */
	assert_int_equal(cfg.web.session_idle, 900);
	assert_int_equal(cfg.web.session_lifetime, 43200);
	assert_int_equal(load_text(f,
				   "[web]\nlisten = [::1]:8443\ntls_certificate = /etc/c.pem\n"
				   "tls_key = /etc/k.pem\ntrusted_proxy = ::1\nsession_idle = 60\n"
				   "session_lifetime = 3600\n",
				   &cfg, err, sizeof(err)),
			 SESAME_OK);
	assert_string_equal(cfg.web.listen, "[::1]:8443");
	assert_string_equal(cfg.web.tls_key, "/etc/k.pem");
	assert_string_equal(cfg.web.trusted_proxy, "::1");
	assert_int_equal(cfg.web.session_idle, 60);
	assert_int_equal(config_validate(&cfg, err, sizeof(err)), SESAME_OK);
	assert_int_equal(load_text(f, "[web]\nlisten =\n", &cfg, err, sizeof(err)), SESAME_OK);
	assert_string_equal(cfg.web.listen, "");
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (load_text(f, bad[i], &cfg, err, sizeof(err)) != SESAME_ERR_CONFIG)
			fail_msg("accepted: %s", bad[i]);
	/* a certificate without its key, an idle time over the lifetime */
	config_defaults(&cfg);
	snprintf(cfg.web.tls_certificate, sizeof(cfg.web.tls_certificate), "%s", "/c.pem");
	assert_int_equal(config_validate(&cfg, err, sizeof(err)), SESAME_ERR_CONFIG);
	assert_non_null(strstr(err, "tls_key"));
	config_defaults(&cfg);
	cfg.web.session_idle = 7200;
	cfg.web.session_lifetime = 3600;
	assert_int_equal(config_validate(&cfg, err, sizeof(err)), SESAME_ERR_CONFIG);
	assert_int_equal(config_listen_parse("192.0.2.1:443", host, sizeof(host), &port),
			 SESAME_OK);
	assert_string_equal(host, "192.0.2.1");
	assert_int_equal(port, 443);
	assert_int_equal(config_listen_parse("[fe80::1]:8443", host, sizeof(host), &port),
			 SESAME_OK);
	assert_string_equal(host, "fe80::1");
	/* the invitation links' base: public_url, else the first origin */
	config_defaults(&cfg);
	assert_int_equal(cfg.web.invitation_ttl, 86400);
	assert_int_equal(cfg.web.source_rate, 120);
	config_web_public_url(&cfg.web, url);
	assert_string_equal(url, ""); /* no web pages: no link */
	assert_int_equal(load_text(f, "[web]\nlisten = 127.0.0.1:8443\n", &cfg, err, sizeof(err)),
			 SESAME_OK);
	config_web_public_url(&cfg.web, url);
	assert_string_equal(url, "http://localhost:8443");
	assert_int_equal(load_text(f,
				   "[web]\norigins = https://a.example, https://b.example\n"
				   "invitation_ttl = 3600\n",
				   &cfg, err, sizeof(err)),
			 SESAME_OK);
	config_web_public_url(&cfg.web, url);
	assert_string_equal(url, "https://a.example");
	assert_int_equal(cfg.web.invitation_ttl, 3600);
	assert_int_equal(load_text(f, "[web]\npublic_url = https://sso.example.org:8443\n", &cfg,
				   err, sizeof(err)),
			 SESAME_OK);
	config_web_public_url(&cfg.web, url);
	assert_string_equal(url, "https://sso.example.org:8443");
}

static void test_alg_names(void **state)
{
	totp_alg_t alg = TOTP_ALG_SHA512;
	(void)state;
	assert_int_equal(totp_alg_parse("SHA1", &alg), SESAME_OK);
	assert_int_equal(alg, TOTP_ALG_SHA1);
	assert_int_equal(totp_alg_parse("Sha256", &alg), SESAME_OK);
	assert_int_equal(alg, TOTP_ALG_SHA256);
	assert_int_equal(totp_alg_parse("sha512", &alg), SESAME_OK);
	assert_int_equal(alg, TOTP_ALG_SHA512);
	assert_int_equal(totp_alg_parse("sha384", &alg), SESAME_ERR_INVALID_ARGUMENT);
	assert_int_equal(totp_alg_parse("", &alg), SESAME_ERR_INVALID_ARGUMENT);
	assert_int_equal(alg, TOTP_ALG_SHA512);
	assert_string_equal(totp_alg_name(TOTP_ALG_SHA1), "SHA1");
	assert_string_equal(totp_alg_name(TOTP_ALG_SHA256), "SHA256");
	assert_string_equal(totp_alg_name(TOTP_ALG_SHA512), "SHA512");
}

/* sesamectl's view: the socket only; the daemon's keys are not its to
 * judge, a syntax error still is. */
static void test_client_socket(void **state)
{
	struct fixture *f = *state;
	char socket[SESAME_MAX_PATH], err[512];

	unit_path(f->path, sizeof(f->path), f->dir, "client.conf");
	assert_int_equal(unit_write_text(f->path,
					 "[web]\nfuture_key = 1\n[authd]\nsocket = /tmp/x.sock\n"
					 "[require]\npam.sshd = nonsense\n",
					 0644),
			 0);
	assert_int_equal(config_client_socket(f->path, socket, sizeof(socket), err, sizeof(err)),
			 SESAME_OK);
	assert_string_equal(socket, "/tmp/x.sock");
	assert_int_equal(unit_write_text(f->path, "[authd]\nmax_body = 5\n", 0644), 0);
	assert_int_equal(config_client_socket(f->path, socket, sizeof(socket), err, sizeof(err)),
			 SESAME_OK);
	assert_string_equal(socket, SESAME_DEFAULT_SOCKET);
	assert_int_equal(unit_write_text(f->path, "[authd]\nsocket\n", 0644), 0);
	assert_int_equal(config_client_socket(f->path, socket, sizeof(socket), err, sizeof(err)),
			 SESAME_ERR_CONFIG);
	assert_non_null(strstr(err, ":2: syntax error"));
}

/* [web] brand_*: the operator's name, logo, accent, support line and
 * privacy link; an accent that white text cannot be read on is refused
 * with the contrast it has. */
static void test_web_brand(void **state)
{
	struct fixture *f = *state;
	static const char *const bad[] = {
	    "[web]\nbrand_name =\n",
	    "[web]\nbrand_logo = logo.png\n",
	    "[web]\nbrand_accent = 2456a6\n",
	    "[web]\nbrand_accent = #2456a\n",
	    "[web]\nbrand_accent = #2456ag\n",
	    "[web]\nbrand_accent = blue\n",
	    "[web]\nbrand_privacy = example.org/privacy\n",
	    "[web]\nbrand_privacy = javascript:alert(1)\n",
	    "[web]\nbrand_privacy = https://\n",
	    "[web]\nbrand_privacy = https://example.org/a b\n",
	    "[web]\nbrand_privacy = https://example.org/\"><script>\n",
	};
	sesame_config_t cfg;
	char err[256];

	config_defaults(&cfg);
	assert_string_equal(cfg.web.brand_name, "S\xc3\xa9same");
	assert_string_equal(cfg.web.brand_accent, SESAME_BRAND_ACCENT);
	assert_string_equal(cfg.web.brand_logo, "");
	assert_string_equal(cfg.web.brand_support, "");
	assert_string_equal(cfg.web.brand_privacy, "");
	assert_int_equal(config_validate(&cfg, err, sizeof(err)), SESAME_OK);
	assert_int_equal(load_text(f,
				   "[web]\nbrand_name = Minist\xc3\xa8re de l'Exemple\n"
				   "brand_logo = /etc/sesame/logo.svg\nbrand_accent = #000091\n"
				   "brand_support = Help desk: 01 23 45 67 89, help@example.org\n"
				   "brand_privacy = https://example.org/privacy?lang=fr&x=1\n",
				   &cfg, err, sizeof(err)),
			 SESAME_OK);
	assert_string_equal(cfg.web.brand_name, "Minist\xc3\xa8re de l'Exemple");
	assert_string_equal(cfg.web.brand_logo, "/etc/sesame/logo.svg");
	assert_string_equal(cfg.web.brand_accent, "#000091");
	assert_string_equal(cfg.web.brand_support, "Help desk: 01 23 45 67 89, help@example.org");
	assert_string_equal(cfg.web.brand_privacy, "https://example.org/privacy?lang=fr&x=1");
	assert_int_equal(config_validate(&cfg, err, sizeof(err)), SESAME_OK);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (load_text(f, bad[i], &cfg, err, sizeof(err)) != SESAME_ERR_CONFIG)
			fail_msg("accepted: %s", bad[i]);
	/* yellow: white on it is 1.5:1 */
	assert_int_equal(load_text(f, "[web]\nbrand_accent = #FFCC00\n", &cfg, err, sizeof(err)),
			 SESAME_OK);
	assert_int_equal(config_validate(&cfg, err, sizeof(err)), SESAME_ERR_CONFIG);
	assert_non_null(strstr(err, "brand_accent #FFCC00"));
	assert_non_null(strstr(err, "1.5:1"));
	/* #767676 is the lightest grey that passes (4.54:1), #777777 fails (4.48:1) */
	assert_int_equal(load_text(f, "[web]\nbrand_accent = #767676\n", &cfg, err, sizeof(err)),
			 SESAME_OK);
	assert_int_equal(config_validate(&cfg, err, sizeof(err)), SESAME_OK);
	assert_int_equal(load_text(f, "[web]\nbrand_accent = #777777\n", &cfg, err, sizeof(err)),
			 SESAME_OK);
	assert_int_equal(config_validate(&cfg, err, sizeof(err)), SESAME_ERR_CONFIG);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_defaults),
	    cmocka_unit_test(test_client_socket),
	    cmocka_unit_test(test_web_section),
	    cmocka_unit_test(test_web_brand),
	    cmocka_unit_test(test_full_file),
	    cmocka_unit_test(test_partial_file_keeps_defaults),
	    cmocka_unit_test(test_range_bounds_accepted),
	    cmocka_unit_test(test_errors_name_file_and_line),
	    cmocka_unit_test(test_issuer_printable_accepted),
	    cmocka_unit_test(test_trusted_users_limit),
	    cmocka_unit_test(test_first_error_is_reported),
	    cmocka_unit_test(test_syntax_error_then_bad_value),
	    cmocka_unit_test(test_long_path_value),
	    cmocka_unit_test(test_missing_file),
	    cmocka_unit_test(test_unreadable_path),
	    cmocka_unit_test(test_validate),
	    cmocka_unit_test(test_source_keys),
	    cmocka_unit_test(test_alg_names),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
