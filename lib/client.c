/* Transport of the daemon's JSON-over-HTTP protocol on a unix socket: one
 * POST, one bounded reply (lib/http_reply.c), on a keep-alive connection.
 * Written here rather than with libcurl: the module runs inside sshd, su
 * and login, and this is all it needs of HTTP — without a library that
 * costs more than the rest of a PAM step (docs/benchmarks.md) and brings
 * TLS stacks into every root process that loads the module. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "sesame/client.h"
#include "sesame/error.h"
#include "sesame/http_reply.h"
#include "sesame/limits.h"

#define CLIENT_BUF (HTTP_REPLY_MAX_HEAD + SESAME_MAX_BODY + 1)

struct sesame_client {
	int fd; /* -1: not connected */
	struct sockaddr_un addr;
	long timeout_ms;
	char *buf; /* the last reply, head and body; NUL after it */
	size_t len;
};

/* Transport outcomes inside this file: STALE is a kept-alive connection
 * that the daemon closed before this request reached it. */
enum { IO_OK = 0, IO_STALE, IO_UNAVAILABLE, IO_TIMEOUT, IO_PROTOCOL, IO_NOMEM };

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Waits for events on fd until the deadline: 1 ready, 0 timed out, -1 error. */
static int wait_fd(int fd, short events, int64_t deadline)
{
	for (;;) {
		struct pollfd p = {.fd = fd, .events = events};
		int64_t left = deadline - now_ms();
		int n;

		if (left <= 0)
			return 0;
		n = poll(&p, 1, left > 60000 ? 60000 : (int)left);
		if (n > 0)
			return 1;
		if (n < 0 && errno != EINTR)
			return -1;
	}
}

static void conn_close(sesame_client_t *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
}

static int conn_open(sesame_client_t *c, int64_t deadline)
{
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	int err = 0;
	socklen_t errlen = sizeof(err);

	if (fd < 0)
		return errno == ENOMEM || errno == ENOBUFS ? IO_NOMEM : IO_UNAVAILABLE;
	if (connect(fd, (const struct sockaddr *)&c->addr, sizeof(c->addr)) != 0) {
		if (errno != EAGAIN && errno != EINPROGRESS && errno != EINTR)
			goto unavailable;
		/* the listen queue is full: wait until it takes us, or the deadline */
		int w = wait_fd(fd, POLLOUT, deadline);
		if (w == 0) {
			close(fd);
			return IO_TIMEOUT;
		}
		if (w < 0 || getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &errlen) != 0 || err != 0)
			goto unavailable;
	}
	c->fd = fd;
	return IO_OK;
unavailable:
	close(fd);
	return IO_UNAVAILABLE;
}

static int send_all(sesame_client_t *c, struct iovec *iov, int iovcnt, int64_t deadline)
{
	while (iovcnt > 0) {
		struct msghdr m = {.msg_iov = iov, .msg_iovlen = (size_t)iovcnt};
		ssize_t n = sendmsg(c->fd, &m, MSG_NOSIGNAL);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK) {
				int w = wait_fd(c->fd, POLLOUT, deadline);
				if (w == 0)
					return IO_TIMEOUT;
				if (w < 0)
					return IO_UNAVAILABLE;
				continue;
			}
			return errno == EPIPE || errno == ECONNRESET ? IO_STALE : IO_UNAVAILABLE;
		}
		while (iovcnt > 0 && (size_t)n >= iov->iov_len) {
			n -= (ssize_t)iov->iov_len;
			iov++;
			iovcnt--;
		}
		if (iovcnt > 0) {
			iov->iov_base = (char *)iov->iov_base + n;
			iov->iov_len -= (size_t)n;
		}
	}
	return IO_OK;
}

static int recv_reply(sesame_client_t *c, http_reply_t *r, int64_t deadline)
{
	/* the request was just sent: its reply cannot be there yet */
	int w = wait_fd(c->fd, POLLIN, deadline);

	if (w == 0)
		return IO_TIMEOUT;
	if (w < 0)
		return IO_PROTOCOL;
	for (;;) {
		ssize_t n;

		if (c->len >= CLIENT_BUF - 1)
			return IO_PROTOCOL; /* larger than any reply may be */
		n = recv(c->fd, c->buf + c->len, CLIENT_BUF - 1 - c->len, 0);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK) {
				w = wait_fd(c->fd, POLLIN, deadline);
				if (w == 0)
					return IO_TIMEOUT;
				if (w < 0)
					return IO_PROTOCOL;
				continue;
			}
			return c->len == 0 && errno == ECONNRESET ? IO_STALE : IO_PROTOCOL;
		}
		if (n == 0)
			return c->len == 0 ? IO_STALE : IO_PROTOCOL;
		c->len += (size_t)n;
		switch (http_reply_parse(c->buf, c->len, SESAME_MAX_BODY, r)) {
		case HTTP_REPLY_COMPLETE:
			return IO_OK;
		case HTTP_REPLY_MORE:
			break;
		default:
			return IO_PROTOCOL;
		}
	}
}

/* One request on the current connection (opened if needed). */
static int exchange(sesame_client_t *c, const char *head, size_t head_len, const char *body,
		    size_t len, http_reply_t *r, int64_t deadline)
{
	struct iovec iov[2] = {{.iov_base = (void *)head, .iov_len = head_len},
			       {.iov_base = (void *)body, .iov_len = len}};
	int rv;

	if (c->fd < 0 && (rv = conn_open(c, deadline)) != IO_OK)
		return rv;
	if ((rv = send_all(c, iov, len > 0 ? 2 : 1, deadline)) != IO_OK)
		return rv;
	return recv_reply(c, r, deadline);
}

int sesame_client_new(const char *socket_path, long timeout_ms, sesame_client_t **out)
{
	sesame_client_t *c = NULL;
	size_t n;
	int ok = SESAME_ERR_NOMEM;

	*out = NULL;
	if (socket_path == NULL || *socket_path == '\0' || timeout_ms <= 0)
		return SESAME_ERR_INVALID_ARGUMENT;
	n = strlen(socket_path);
	if (n >= sizeof(c->addr.sun_path))
		return SESAME_ERR_INVALID_ARGUMENT;
	if ((c = calloc(1, sizeof(*c))) == NULL)
		goto fail;
	c->fd = -1;
	c->addr.sun_family = AF_UNIX;
	memcpy(c->addr.sun_path, socket_path, n + 1);
	c->timeout_ms = timeout_ms;
	if ((c->buf = malloc(CLIENT_BUF)) == NULL)
		goto fail;
	c->buf[0] = '\0';
	*out = c;
	c = NULL;
	ok = SESAME_OK;
fail:
	sesame_client_free(&c);
	return ok;
}

void sesame_client_free(sesame_client_t **cp)
{
	sesame_client_t *c;

	if (cp == NULL || (c = *cp) == NULL)
		return;
	conn_close(c);
	if (c->buf) {
		/* replies may carry enrollment secrets */
		explicit_bzero(c->buf, c->len + 1);
		free(c->buf);
	}
	free(c);
	*cp = NULL;
}

int sesame_client_post(sesame_client_t *c, const char *path, const char *body, size_t len,
		       long *status, const char **reply, size_t *reply_len)
{
	char head[320];
	http_reply_t r;
	int64_t deadline;
	int head_len;
	int reused;
	int rv;

	*status = 0;
	*reply = NULL;
	*reply_len = 0;
	if (c == NULL || path == NULL || path[0] != '/' || strlen(path) > 200 || body == NULL)
		return SESAME_ERR_INVALID_ARGUMENT;
	/* the previous reply is gone: it may have held an enrollment secret */
	explicit_bzero(c->buf, c->len + 1);
	c->len = 0;
	if (len > SESAME_MAX_BODY)
		return SESAME_ERR_TOO_LARGE;
	for (const char *p = path; *p; p++)
		if ((unsigned char)*p <= 0x20 || *p == 0x7f)
			return SESAME_ERR_INVALID_ARGUMENT;
	head_len = snprintf(head, sizeof(head),
			    "POST %s HTTP/1.1\r\nHost: localhost\r\n"
			    "Content-Type: application/json\r\nContent-Length: %zu\r\n\r\n",
			    path, len);
	if (head_len < 0 || (size_t)head_len >= sizeof(head))
		return SESAME_ERR_INVALID_ARGUMENT;
	deadline = now_ms() + c->timeout_ms;
	reused = c->fd >= 0;
	rv = exchange(c, head, (size_t)head_len, body, len, &r, deadline);
	if (rv == IO_STALE && reused) {
		/* the daemon had closed the idle connection: once more on a new one */
		conn_close(c);
		explicit_bzero(c->buf, c->len);
		c->len = 0;
		rv = exchange(c, head, (size_t)head_len, body, len, &r, deadline);
	}
	if (rv != IO_OK) {
		conn_close(c); /* a late reply must never be read as the next one's */
		explicit_bzero(c->buf, c->len);
		c->len = 0;
		switch (rv) {
		case IO_TIMEOUT:
			return SESAME_ERR_TIMEOUT;
		case IO_NOMEM:
			return SESAME_ERR_NOMEM;
		case IO_UNAVAILABLE:
			return SESAME_ERR_UNAVAILABLE;
		default:
			return SESAME_ERR_PROTOCOL;
		}
	}
	if (r.close)
		conn_close(c);
	c->buf[c->len] = '\0';
	*status = r.status;
	*reply = c->buf + r.body_off;
	*reply_len = r.body_len;
	return SESAME_OK;
}
int sesame_client_call(sesame_client_t *c, const char *path, const json_t *request, long *status,
		       json_t **reply)
{
	char *body = NULL;
	const char *text = NULL;
	size_t text_len = 0;
	json_t *parsed = NULL;
	int ok;

	*reply = NULL;
	*status = 0;
	body = request ? json_dumps(request, JSON_COMPACT) : strdup("{}");
	if (body == NULL)
		return SESAME_ERR_NOMEM;
	ok = sesame_client_post(c, path, body, strlen(body), status, &text, &text_len);
	if (ok != SESAME_OK)
		goto fail;
	parsed = json_loadb(text, text_len, JSON_REJECT_DUPLICATES, NULL);
	if (parsed == NULL || !json_is_object(parsed)) {
		ok = SESAME_ERR_PROTOCOL;
		goto fail;
	}
	*reply = parsed;
	parsed = NULL;
fail:
	json_decref(parsed);
	/* the request may hold a verification code */
	explicit_bzero(body, strlen(body));
	free(body);
	return ok;
}

int sesame_client_reply_error(const json_t *reply, const char **message)
{
	const json_t *m = json_object_get(reply, "message");
	*message =
	    json_is_string(m) ? json_string_value(m) : sesame_err_message(SESAME_ERR_PROTOCOL);
	return sesame_err_from_code(json_string_value(json_object_get(reply, "error")));
}
