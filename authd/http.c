/* HTTP/1.1 + JSON over the unix socket with libmicrohttpd, one thread per
 * connection (handlers block while their transaction is group-committed). */
#include <errno.h>
#include <grp.h>
#include <microhttpd.h>
#include <openssl/crypto.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "api.h"
#include "http.h"
#include "http_common.h"
#include "sesame/error.h"
#include "sesame/log.h"

struct http_server {
	authd_t *d;
	struct MHD_Daemon *mhd;
	int fd;
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
};

struct request {
	http_body_t body;
	int bad_method;
	authd_caller_t caller;
	int caller_ok;
};

static enum MHD_Result send_json(struct MHD_Connection *conn, unsigned status, json_t *o)
{
	char *text = json_dumps(o, JSON_COMPACT);
	struct MHD_Response *resp;
	enum MHD_Result r;

	if (text == NULL)
		return MHD_NO;
	/* replies can hold an enrollment secret: wipe the buffer when done */
	if ((resp = http_response_wiped(text, strlen(text))) == NULL)
		return MHD_NO;
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json");
	MHD_add_response_header(resp, "Cache-Control", "no-store");
	r = MHD_queue_response(conn, status, resp);
	MHD_destroy_response(resp);
	return r;
}

/* extra: more fields (not consumed), or NULL; "error" and "message" win. */
static enum MHD_Result send_error_extra(struct MHD_Connection *conn, int err, const char *message,
					json_t *extra)
{
	json_t *o = json_pack("{s:s, s:s}", "error", sesame_err_code(err), "message",
			      message && *message ? message : sesame_err_message(err));
	enum MHD_Result r;

	if (o == NULL)
		return MHD_NO;
	if (extra != NULL)
		json_object_update_missing(o, extra);
	r = send_json(conn, api_status(err), o);
	json_decref(o);
	return r;
}

static enum MHD_Result send_error(struct MHD_Connection *conn, int err, const char *message)
{
	return send_error_extra(conn, err, message, NULL);
}

/* Who is at the other end of a connection: read once, when it is
 * accepted (a unix socket's peer credentials are those of connect()). */
struct peer {
	int ok;
	uid_t uid;
	char name[SESAME_MAX_USERNAME + 1]; /* passwd name; empty for root or unknown */
};

static void peer_read(struct MHD_Connection *conn, struct peer *p)
{
	const union MHD_ConnectionInfo *info =
	    MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
	struct ucred cred;
	socklen_t len = sizeof(cred);

	memset(p, 0, sizeof(*p));
	if (info == NULL ||
	    getsockopt(info->connect_fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0 ||
	    len != sizeof(cred))
		return;
	p->ok = 1;
	p->uid = cred.uid;
	if (cred.uid != 0) {
		struct passwd pw, *res = NULL;
		char buf[4096];
		if (getpwuid_r(cred.uid, &pw, buf, sizeof(buf), &res) == 0 && res != NULL &&
		    strlen(res->pw_name) < sizeof(p->name))
			memcpy(p->name, res->pw_name, strlen(res->pw_name) + 1);
	}
}

static void on_connection(void *cls, struct MHD_Connection *conn, void **socket_context,
			  enum MHD_ConnectionNotificationCode toe)
{
	(void)cls;
	if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
		struct peer *p = malloc(sizeof(*p));
		if (p != NULL)
			peer_read(conn, p);
		*socket_context = p; /* NULL: every request of it is refused */
	} else if (toe == MHD_CONNECTION_NOTIFY_CLOSED) {
		free(*socket_context);
		*socket_context = NULL;
	}
}

/* The caller of a request: the connection's peer, with the rights the
 * configuration gives its uid now. */
static int caller_identify(authd_t *d, struct MHD_Connection *conn, authd_caller_t *c)
{
	const union MHD_ConnectionInfo *info =
	    MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	const struct peer *p = info != NULL ? info->socket_context : NULL;

	memset(c, 0, sizeof(*c));
	if (p == NULL || !p->ok)
		return SESAME_ERR_PERMISSION;
	c->uid = p->uid;
	c->is_root = p->uid == 0;
	for (size_t i = 0; i < d->n_pam_trusted_uids; i++)
		if (d->pam_trusted_uids[i] == p->uid)
			c->pam_trusted = 1;
	memcpy(c->name, p->name, sizeof(c->name));
	return SESAME_OK;
}

static enum MHD_Result dispatch(authd_t *d, struct MHD_Connection *conn, const char *url,
				struct request *rq)
{
	api_perm_t perm = API_ROOT;
	api_handler_t handler = api_route(url, &perm);
	api_error_t err = {"", NULL};
	json_t *req = NULL, *reply = NULL;
	json_error_t jerr;
	enum MHD_Result mr;
	int r;

	if (rq->body.too_large)
		return send_error(conn, SESAME_ERR_TOO_LARGE, NULL);
	if (handler == NULL)
		return send_error(conn, SESAME_ERR_NOT_FOUND, "Unknown API path.");
	if (rq->bad_method)
		return send_error(conn, SESAME_ERR_INVALID_ARGUMENT, "Use POST with a JSON body.");
	if (!rq->caller_ok)
		return send_error(conn, SESAME_ERR_PERMISSION, "Cannot identify the caller.");
	req = rq->body.len ? json_loadb(rq->body.data, rq->body.len, JSON_REJECT_DUPLICATES, &jerr)
			   : json_object();
	if (req == NULL || !json_is_object(req)) {
		json_decref(req);
		return send_error(conn, SESAME_ERR_BAD_JSON, NULL);
	}
	r = api_permitted(perm, &rq->caller, req, &err);
	if (r == SESAME_OK)
		r = handler(d, &rq->caller, req, &reply, &err);
	if (r == SESAME_OK && reply != NULL)
		mr = send_json(conn, 200, reply);
	else
		mr = send_error_extra(conn, r == SESAME_OK ? SESAME_ERR_INTERNAL : r, err.message,
				      err.extra);
	json_decref(err.extra);
	json_decref(reply);
	json_decref(req);
	return mr;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
				  const char *method, const char *version, const char *upload_data,
				  size_t *upload_data_size, void **con_cls)
{
	http_server_t *h = cls;
	struct request *rq = *con_cls;

	(void)version;
	if (rq == NULL) {
		if ((rq = calloc(1, sizeof(*rq))) == NULL)
			return MHD_NO;
		*con_cls = rq;
		rq->body.max = h->d->cfg.max_body;
		if (http_body_precheck(conn, &rq->body) != SESAME_OK)
			return http_refuse_framing(conn); /* smuggling: nothing else is done */
		rq->bad_method = strcmp(method, MHD_HTTP_METHOD_POST) != 0;
		rq->caller_ok = caller_identify(h->d, conn, &rq->caller) == SESAME_OK;
		if (rq->body.too_large) /* refuse before reading a byte of the body; the
					   connection is closed afterwards */
			return send_error(conn, SESAME_ERR_TOO_LARGE, NULL);
		return MHD_YES;
	}
	if (*upload_data_size != 0) {
		size_t n = *upload_data_size;
		*upload_data_size = 0;
		/* a chunked body over the bound is dropped, then refused */
		return http_body_append(&rq->body, upload_data, n) == SESAME_OK ? MHD_YES : MHD_NO;
	}
	return dispatch(h->d, conn, url, rq);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
			 enum MHD_RequestTerminationCode toe)
{
	struct request *rq = *con_cls;

	(void)cls;
	(void)conn;
	(void)toe;
	if (rq == NULL)
		return;
	http_body_free(&rq->body); /* may hold a verification code */
	free(rq);
	*con_cls = NULL;
}

/* Binds the socket, replacing a stale file but never a live daemon's. */
static int bind_socket(const sesame_config_t *cfg, int *out)
{
	struct sockaddr_un sa;
	struct stat st;
	int fd;

	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	if (strlen(cfg->socket) >= sizeof(sa.sun_path)) {
		log_err("socket path %s is longer than %zu bytes", cfg->socket,
			sizeof(sa.sun_path) - 1);
		return SESAME_ERR_CONFIG;
	}
	memcpy(sa.sun_path, cfg->socket, strlen(cfg->socket) + 1);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
		return SESAME_ERR_IO;
	if (lstat(cfg->socket, &st) == 0) {
		if (!S_ISSOCK(st.st_mode)) {
			log_err("%s exists and is not a socket; refusing to replace it",
				cfg->socket);
			close(fd);
			return SESAME_ERR_CONFLICT;
		}
		if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0) {
			log_err("another daemon is already listening on %s", cfg->socket);
			close(fd);
			return SESAME_ERR_CONFLICT;
		}
		unlink(cfg->socket);
	}
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		log_err("cannot bind %s: %s", cfg->socket, strerror(errno));
		close(fd);
		return SESAME_ERR_IO;
	}
	if (chmod(cfg->socket, cfg->socket_mode) != 0) {
		log_err("cannot set mode of %s: %s", cfg->socket, strerror(errno));
		goto fail;
	}
	if (cfg->socket_group[0]) {
		struct group *gr = getgrnam(cfg->socket_group);
		if (gr == NULL || chown(cfg->socket, (uid_t)-1, gr->gr_gid) != 0) {
			log_err("cannot give %s to group %s", cfg->socket, cfg->socket_group);
			goto fail;
		}
	}
	if (listen(fd, 512) != 0)
		goto fail;
	*out = fd;
	return SESAME_OK;
fail:
	unlink(cfg->socket);
	close(fd);
	return SESAME_ERR_IO;
}

int http_start(authd_t *d, http_server_t **out)
{
	http_server_t *h;
	int r;

	*out = NULL;
	if ((h = calloc(1, sizeof(*h))) == NULL)
		return SESAME_ERR_NOMEM;
	h->d = d;
	h->fd = -1;
	if ((r = bind_socket(&d->cfg, &h->fd)) != SESAME_OK) {
		free(h);
		return r;
	}
	memcpy(h->path, d->cfg.socket, strlen(d->cfg.socket) + 1); /* fits: bind_socket checked */
	h->mhd = MHD_start_daemon(
	    MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_POLL |
		MHD_USE_ERROR_LOG | MHD_USE_TURBO,
	    0, NULL, NULL, on_request, h, MHD_OPTION_LISTEN_SOCKET, h->fd,
	    MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL, MHD_OPTION_NOTIFY_CONNECTION,
	    on_connection, NULL, MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)HTTP_CONNECTION_TIMEOUT,
	    MHD_OPTION_CONNECTION_LIMIT, d->cfg.threads_max, MHD_OPTION_CONNECTION_MEMORY_LIMIT,
	    (size_t)HTTP_CONNECTION_MEMORY, MHD_OPTION_EXTERNAL_LOGGER, http_mhd_log, NULL,
	    MHD_OPTION_END);
	if (h->mhd == NULL) {
		log_err("cannot start the HTTP server on %s", d->cfg.socket);
		http_stop(&h);
		return SESAME_ERR_INTERNAL;
	}
	*out = h;
	return SESAME_OK;
}

void http_stop(http_server_t **hp)
{
	http_server_t *h;

	if (hp == NULL || (h = *hp) == NULL)
		return;
	if (h->mhd)
		MHD_stop_daemon(h->mhd); /* closes the listening socket too */
	else if (h->fd >= 0)
		close(h->fd);
	if (h->path[0])
		unlink(h->path);
	free(h);
	*hp = NULL;
}
