/* The peer of the page-serving benchmark (bench/run_web.sh): a minimal
 * libmicrohttpd server with sesame-authd's web threading mode and limits
 * (authd/web/web.c) that answers every GET with a fixed page of BYTES bytes
 * and the same headers as GET /login, so that what the daemon does beyond
 * it (routing, session lookup, CSRF token, i18n, HTML) is the difference.
 *   bench_web_hello PORT BYTES      (runs until SIGTERM or SIGINT) */
#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* the same as authd/web/web.c and authd/http_common.h */
#define HELLO_CONNECTION_MEMORY 16384
#define HELLO_CONNECTION_TIMEOUT 30
#define HELLO_CONNECTION_LIMIT 256
#define HELLO_MAX_BYTES (1024 * 1024)

static const char *const hello_headers[][2] = {
    {"Content-Type", "text/html; charset=utf-8"},
    {"Content-Security-Policy",
     "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'self'; img-src "
     "'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"},
    {"X-Content-Type-Options", "nosniff"},
    {"Referrer-Policy", "same-origin"},
    {"Cache-Control", "no-store"},
    {"X-Frame-Options", "DENY"},
    {"Content-Language", "en"},
    {"Vary", "Accept-Language, Cookie"},
    {"Set-Cookie", "sesame_csrf=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA; Path=/; HttpOnly; "
		   "SameSite=Lax"},
};

static char *hello_page;
static size_t hello_len;
static volatile sig_atomic_t hello_stop;

static void on_signal(int sig)
{
	(void)sig;
	hello_stop = 1;
}

/* The usual MHD pattern (NOTES.md): the first call only announces the
 * request; the response is queued on the second, or keep-alive is lost. */
static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
				  const char *method, const char *version, const char *data,
				  size_t *data_size, void **state)
{
	static int announced;
	struct MHD_Response *resp;
	enum MHD_Result ret;

	(void)cls;
	(void)url;
	(void)method;
	(void)version;
	(void)data;
	if (*state == NULL) {
		*state = &announced;
		return MHD_YES;
	}
	if (*data_size) {
		*data_size = 0;
		return MHD_YES;
	}
	resp = MHD_create_response_from_buffer(hello_len, hello_page, MHD_RESPMEM_PERSISTENT);
	if (resp == NULL)
		return MHD_NO;
	for (size_t i = 0; i < sizeof(hello_headers) / sizeof(hello_headers[0]); i++)
		MHD_add_response_header(resp, hello_headers[i][0], hello_headers[i][1]);
	ret = MHD_queue_response(conn, MHD_HTTP_OK, resp);
	MHD_destroy_response(resp);
	return ret;
}

int main(int argc, char **argv)
{
	struct sockaddr_in sa;
	struct MHD_Daemon *mhd = NULL;
	int fd = -1, one = 1, port, ok = 1;

	if (argc != 3 || (port = atoi(argv[1])) <= 0 || port > 65535 ||
	    (hello_len = (size_t)atol(argv[2])) == 0 || hello_len > HELLO_MAX_BYTES) {
		fprintf(stderr, "usage: bench_web_hello PORT BYTES\n");
		return 2;
	}
	if ((hello_page = malloc(hello_len)) == NULL)
		goto fail;
	memset(hello_page, 'x', hello_len);
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if ((fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) != 0 ||
	    bind(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0 || listen(fd, 512) != 0) {
		perror("bench_web_hello: listen");
		goto fail;
	}
	mhd = MHD_start_daemon(MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD |
				   MHD_USE_POLL | MHD_USE_ERROR_LOG | MHD_USE_TURBO,
			       0, NULL, NULL, on_request, NULL, MHD_OPTION_LISTEN_SOCKET, fd,
			       MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)HELLO_CONNECTION_TIMEOUT,
			       MHD_OPTION_CONNECTION_LIMIT, (unsigned)HELLO_CONNECTION_LIMIT,
			       MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)HELLO_CONNECTION_MEMORY,
			       MHD_OPTION_END);
	if (mhd == NULL) {
		fprintf(stderr, "bench_web_hello: MHD_start_daemon failed\n");
		goto fail;
	}
	fd = -1; /* MHD owns it now */
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	while (!hello_stop)
		pause();
	ok = 0;
fail:
	if (mhd)
		MHD_stop_daemon(mhd);
	if (fd >= 0)
		close(fd);
	free(hello_page);
	return ok;
}
