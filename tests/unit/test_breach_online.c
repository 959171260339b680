/* Unit tests for authd/password/breach_online.c against a real HTTP server
 * on 127.0.0.1 (Python's http.server, started by the test) that serves
 * range files made here from a small list of passwords, the way the Have
 * I Been Pwned range API does, plus a few misbehaving paths: one that
 * records the request headers, a slow one, an endless one, a malformed
 * one and an error. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h> /* after the four headers it needs */

#include <arpa/inet.h>
#include <curl/curl.h>
#include <errno.h>
#include <netinet/in.h>
#include <openssl/evp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "password/breach_online.h"
#include "sesame/error.h"
#include "unit_util.h"

#define PYTHON "/usr/bin/python3"
#define TIMEOUT_MS 2000
#define SLOW_TIMEOUT_MS 300
#define PADDING 60 /* count-0 lines in each range file */

/* The server: files under argv[1] (http.server), and the odd paths. */
static const char server_py[] =
    "import http.server, os, sys, time\n"
    "root = sys.argv[1]\n"
    "LINE = b'0' * 35 + b':0\\r\\n'\n"
    "class H(http.server.SimpleHTTPRequestHandler):\n"
    "    def __init__(self, *a, **k):\n"
    "        super().__init__(*a, directory=root, **k)\n"
    "    def log_message(self, *a):\n"
    "        pass\n"
    "    def reply(self, body):\n"
    "        self.send_response(200)\n"
    "        self.send_header('Content-Type', 'text/plain')\n"
    "        self.send_header('Content-Length', str(len(body)))\n"
    "        self.end_headers()\n"
    "        self.wfile.write(body)\n"
    "    def do_GET(self):\n"
    "        p = self.path\n"
    "        if p.startswith('/echo/'):\n"
    "            with open(os.path.join(root, 'headers.txt'), 'w') as f:\n"
    "                f.write('PATH ' + p + '\\n' + str(self.headers))\n"
    "            self.reply(LINE)\n"
    "        elif p.startswith('/slow/'):\n"
    "            time.sleep(3)\n"
    "            self.reply(LINE)\n"
    "        elif p.startswith('/endless/'):\n"
    "            self.send_response(200)\n"
    "            self.end_headers()\n"
    "            try:\n"
    "                self.wfile.write(LINE * (3 * 1024 * 1024 // len(LINE) + 1))\n"
    "            except OSError:\n"
    "                pass\n"
    "        elif p.startswith('/bad/'):\n"
    "            self.reply(b'this is not a range\\r\\n')\n"
    "        elif p.startswith('/error/'):\n"
    "            self.send_error(500)\n"
    "        else:\n"
    "            super().do_GET()\n"
    "class S(http.server.ThreadingHTTPServer):\n"
    "    daemon_threads = True\n"
    "    def handle_error(self, *a):\n"
    "        pass  # clients that hang up on purpose\n"
    "s = S(('127.0.0.1', 0), H)\n"
    "print(s.server_address[1], flush=True)\n"
    "s.serve_forever()\n";

struct fixture {
	char *dir;
	pid_t pid;
	int port;
	char base[128]; /* http://127.0.0.1:PORT/range/ */
};

static const char *listed[] = {"password", "123456", "letmein", "correct horse battery staple",
			       "Tr0ub4dor&3"};
#define LOWERCASE_LISTED "letmein" /* its line is written in lower case */
#define PADDED_ONLY "hunter2"	   /* its suffix appears with count 0 only */

static void sha1_of(const char *s, unsigned char md[20])
{
	unsigned int n = 0;
	assert_int_equal(EVP_Digest(s, strlen(s), md, &n, EVP_sha1(), NULL), 1);
	assert_int_equal(n, 20);
}

static void hex_upper(const unsigned char md[20], char out[41])
{
	for (int i = 0; i < 20; i++)
		snprintf(out + 2 * i, 3, "%02X", md[i]);
}

/* Appends "SUFFIX:COUNT\r\n" for md to the range file of its prefix. */
static void range_append(const char *dir, const unsigned char md[20], unsigned long count,
			 int lower)
{
	char hex[41], path[600], name[32];
	FILE *f;

	hex_upper(md, hex);
	snprintf(name, sizeof(name), "range/%.5s", hex);
	unit_path(path, sizeof(path), dir, name);
	if (lower)
		for (char *p = hex; *p; p++)
			if (*p >= 'A' && *p <= 'F')
				*p = (char)(*p - 'A' + 'a');
	f = fopen(path, "a");
	assert_non_null(f);
	fprintf(f, "%s:%lu\r\n", hex + 5, count);
	fclose(f);
}

/* Padding as HIBP sends it: random suffixes under the same prefix, count 0. */
static void range_pad(const char *dir, const unsigned char md[20], unsigned *seed)
{
	unsigned char fake[20];

	for (int i = 0; i < PADDING; i++) {
		memcpy(fake, md, 20);
		fake[2] = (unsigned char)((md[2] & 0xf0) | (rand_r(seed) & 0x0f));
		for (int j = 3; j < 20; j++)
			fake[j] = (unsigned char)rand_r(seed);
		range_append(dir, fake, 0, 0);
	}
}

static void make_ranges(const char *dir)
{
	unsigned char md[20];
	char path[600];
	unsigned seed = 12345;
	FILE *f;

	unit_path(path, sizeof(path), dir, "range");
	assert_int_equal(mkdir(path, 0755), 0);
	for (size_t i = 0; i < sizeof(listed) / sizeof(listed[0]); i++) {
		sha1_of(listed[i], md);
		range_pad(dir, md, &seed);
		range_append(dir, md, 1000 + i, strcmp(listed[i], LOWERCASE_LISTED) == 0);
		range_pad(dir, md, &seed);
	}
	sha1_of(PADDED_ONLY, md);
	range_pad(dir, md, &seed);
	range_append(dir, md, 0, 0);
	/* an oversized range, served with its Content-Length: prefix FFFFF */
	unit_path(path, sizeof(path), dir, "range/FFFFF");
	f = fopen(path, "w");
	assert_non_null(f);
	for (int i = 0; i < 3 * 1024 * 1024 / 39 + 1; i++)
		fprintf(f, "%035d:0\r\n", i);
	fclose(f);
}

static int start_server(struct fixture *fx)
{
	int out[2];
	char line[32];
	struct pollfd p;
	ssize_t n;
	size_t got = 0;

	if (pipe(out) != 0)
		return -1;
	if ((fx->pid = fork()) < 0)
		return -1;
	if (fx->pid == 0) {
		dup2(out[1], STDOUT_FILENO);
		close(out[0]);
		close(out[1]);
		execl(PYTHON, "python3", "-c", server_py, fx->dir, (char *)NULL);
		_exit(127);
	}
	close(out[1]);
	p.fd = out[0];
	p.events = POLLIN;
	while (got < sizeof(line) - 1 && memchr(line, '\n', got) == NULL) {
		if (poll(&p, 1, 10000) <= 0)
			break;
		if ((n = read(out[0], line + got, sizeof(line) - 1 - got)) <= 0)
			break;
		got += (size_t)n;
	}
	close(out[0]);
	line[got] = '\0';
	fx->port = atoi(line);
	if (fx->port <= 0)
		return -1;
	snprintf(fx->base, sizeof(fx->base), "http://127.0.0.1:%d/range/", fx->port);
	return 0;
}

static int setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));

	if (fx == NULL || (fx->dir = unit_tmpdir()) == NULL)
		return -1;
	/* straight to 127.0.0.1, whatever the environment says */
	unsetenv("http_proxy");
	unsetenv("https_proxy");
	unsetenv("HTTPS_PROXY");
	unsetenv("all_proxy");
	unsetenv("ALL_PROXY");
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return -1;
	make_ranges(fx->dir);
	if (start_server(fx) != 0) {
		print_error("cannot start %s -m http.server\n", PYTHON);
		return -1;
	}
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *fx = *state;

	if (fx->pid > 0) {
		kill(fx->pid, SIGTERM);
		waitpid(fx->pid, NULL, 0);
	}
	unit_rmtree(fx->dir);
	free(fx->dir);
	free(fx);
	curl_global_cleanup();
	return 0;
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int check(const char *base, unsigned timeout, const unsigned char md[20], int *found)
{
	*found = -1;
	return breach_online_check(base, timeout, md, found);
}

static void test_listed(void **state)
{
	struct fixture *fx = *state;
	unsigned char md[20];
	int found;

	for (size_t i = 0; i < sizeof(listed) / sizeof(listed[0]); i++) {
		sha1_of(listed[i], md);
		assert_int_equal(check(fx->base, TIMEOUT_MS, md, &found), SESAME_OK);
		assert_int_equal(found, 1);
	}
}

static void test_not_listed(void **state)
{
	struct fixture *fx = *state;
	unsigned char md[20];
	int found;

	/* the same prefix, another suffix (one bit of the last byte) */
	sha1_of("password", md);
	md[19] ^= 1;
	assert_int_equal(check(fx->base, TIMEOUT_MS, md, &found), SESAME_OK);
	assert_int_equal(found, 0);
	/* a difference in the first digit of the suffix */
	sha1_of("password", md);
	md[2] ^= 0x01;
	assert_int_equal(check(fx->base, TIMEOUT_MS, md, &found), SESAME_OK);
	assert_int_equal(found, 0);
}

static void test_padding_not_a_hit(void **state)
{
	struct fixture *fx = *state;
	unsigned char md[20];
	int found;

	sha1_of(PADDED_ONLY, md);
	assert_int_equal(check(fx->base, TIMEOUT_MS, md, &found), SESAME_OK);
	assert_int_equal(found, 0);
}

static void test_missing_range(void **state)
{
	struct fixture *fx = *state;
	unsigned char md[20];
	int found;

	sha1_of("no range file has this prefix, hopefully", md);
	md[0] = 0x00; /* prefix 000xx: not generated */
	md[1] = 0x00;
	assert_int_equal(check(fx->base, TIMEOUT_MS, md, &found), SESAME_ERR_UNAVAILABLE);
	assert_int_equal(found, 0);
}

static void test_headers(void **state)
{
	struct fixture *fx = *state;
	unsigned char md[20];
	char base[160], path[600], text[4096], hex[41];
	FILE *f;
	size_t n;
	int found;

	sha1_of("password", md);
	hex_upper(md, hex);
	snprintf(base, sizeof(base), "http://127.0.0.1:%d/echo/", fx->port);
	assert_int_equal(check(base, TIMEOUT_MS, md, &found), SESAME_OK);
	assert_int_equal(found, 0);
	unit_path(path, sizeof(path), fx->dir, "headers.txt");
	f = fopen(path, "r");
	assert_non_null(f);
	n = fread(text, 1, sizeof(text) - 1, f);
	fclose(f);
	text[n] = '\0';
	assert_non_null(strstr(text, "PATH /echo/5BAA6\n"));
	assert_non_null(strstr(text, "Add-Padding: true"));
	assert_non_null(strstr(text, "User-Agent: sesame-authd/"));
	/* nothing of the hash beyond the prefix */
	assert_null(strstr(text, hex + 5));
	assert_null(strstr(text, "1E4C9B93F3F"));
}

static void test_server_down(void **state)
{
	struct sockaddr_in sa;
	socklen_t len = sizeof(sa);
	unsigned char md[20];
	char base[128];
	int s, found;

	(void)state;
	/* a port nobody listens on: bound, then closed */
	s = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(s >= 0);
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(s, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(getsockname(s, (struct sockaddr *)&sa, &len), 0);
	close(s);
	snprintf(base, sizeof(base), "http://127.0.0.1:%d/range/", ntohs(sa.sin_port));
	sha1_of("password", md);
	assert_int_equal(check(base, TIMEOUT_MS, md, &found), SESAME_ERR_UNAVAILABLE);
	assert_int_equal(found, 0);
}

static void test_slow(void **state)
{
	struct fixture *fx = *state;
	unsigned char md[20];
	char base[128];
	double t0, dt;
	int found;

	sha1_of("password", md);
	snprintf(base, sizeof(base), "http://127.0.0.1:%d/slow/", fx->port);
	t0 = now_s();
	assert_int_equal(check(base, SLOW_TIMEOUT_MS, md, &found), SESAME_ERR_UNAVAILABLE);
	dt = now_s() - t0;
	print_message("slow server: unavailable after %.0f ms (timeout %d ms)\n", dt * 1000,
		      SLOW_TIMEOUT_MS);
	assert_true(dt < 1.5);
	assert_int_equal(found, 0);
}

static void test_oversized(void **state)
{
	struct fixture *fx = *state;
	unsigned char md[20] = {0xff, 0xff, 0xf0};
	char base[128];
	int found;

	/* a file with a Content-Length above the bound */
	assert_int_equal(check(fx->base, TIMEOUT_MS, md, &found), SESAME_ERR_UNAVAILABLE);
	/* a stream without a length that goes on past it */
	snprintf(base, sizeof(base), "http://127.0.0.1:%d/endless/", fx->port);
	assert_int_equal(check(base, TIMEOUT_MS, md, &found), SESAME_ERR_UNAVAILABLE);
	assert_int_equal(found, 0);
}

static void test_bad_replies(void **state)
{
	struct fixture *fx = *state;
	unsigned char md[20];
	char base[128];
	int found;

	sha1_of("password", md);
	snprintf(base, sizeof(base), "http://127.0.0.1:%d/bad/", fx->port);
	assert_int_equal(check(base, TIMEOUT_MS, md, &found), SESAME_ERR_UNAVAILABLE);
	snprintf(base, sizeof(base), "http://127.0.0.1:%d/error/", fx->port);
	assert_int_equal(check(base, TIMEOUT_MS, md, &found), SESAME_ERR_UNAVAILABLE);
	/* TLS to a plain HTTP server: the handshake fails */
	snprintf(base, sizeof(base), "https://127.0.0.1:%d/range/", fx->port);
	assert_int_equal(check(base, TIMEOUT_MS, md, &found), SESAME_ERR_UNAVAILABLE);
	/* not HTTP(S) at all, or no time to do it */
	assert_int_equal(check("ftp://127.0.0.1/", TIMEOUT_MS, md, &found),
			 SESAME_ERR_INVALID_ARGUMENT);
	assert_int_equal(check(fx->base, 0, md, &found), SESAME_ERR_INVALID_ARGUMENT);
	assert_int_equal(found, 0);
}

struct worker {
	const char *base;
	int errors;
};

static void *worker_run(void *arg)
{
	struct worker *w = arg;
	unsigned char md[20];
	int found;

	for (int i = 0; i < 10; i++) {
		const char *pw = listed[i % (sizeof(listed) / sizeof(listed[0]))];
		unsigned int n = 0;
		if (EVP_Digest(pw, strlen(pw), md, &n, EVP_sha1(), NULL) != 1)
			w->errors++;
		if (i % 2)
			md[19] ^= 0x80;
		if (breach_online_check(w->base, TIMEOUT_MS, md, &found) != SESAME_OK ||
		    found != !(i % 2))
			w->errors++;
	}
	return NULL;
}

static void test_threads(void **state)
{
	struct fixture *fx = *state;
	struct worker w[4];
	pthread_t th[4];

	for (int i = 0; i < 4; i++) {
		w[i].base = fx->base;
		w[i].errors = 0;
		assert_int_equal(pthread_create(&th[i], NULL, worker_run, &w[i]), 0);
	}
	for (int i = 0; i < 4; i++) {
		pthread_join(th[i], NULL);
		assert_int_equal(w[i].errors, 0);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_listed),
	    cmocka_unit_test(test_not_listed),
	    cmocka_unit_test(test_padding_not_a_hit),
	    cmocka_unit_test(test_missing_range),
	    cmocka_unit_test(test_headers),
	    cmocka_unit_test(test_server_down),
	    cmocka_unit_test(test_slow),
	    cmocka_unit_test(test_oversized),
	    cmocka_unit_test(test_bad_replies),
	    cmocka_unit_test(test_threads),
	};
	if (access(PYTHON, X_OK) != 0) {
		fprintf(stderr, "%s is missing: skipping the online breach check tests\n", PYTHON);
		return 77;
	}
	return cmocka_run_group_tests(tests, setup, teardown);
}
