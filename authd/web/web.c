/* The web pages' HTTP server: a second libmicrohttpd daemon on TCP (TLS
 * with GnuTLS when configured), thread per connection like the unix
 * socket's, with its own route table. Every response carries the same
 * security headers; every POST is checked for its Origin and its CSRF
 * token before anything else happens. The decisions are the flow's
 * (authd/flow.c). */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "factor_password.h"
#include "flow.h"
#include "invite.h"
#include "ratelimit.h"
#include "sesame/error.h"
#include "sesame/log.h"
#include "source.h"
#include "web_int.h"

/* Browsers send more headers (cookies, client hints) than the PAM module. */
#define WEB_CONNECTION_MEMORY 16384
#define WEB_MAX_PEM (1024 * 1024) /* bytes of the certificate or key file */

struct web_server {
	authd_t *d;
	struct MHD_Daemon *mhd;
	int fd;
	char *cert, *key; /* PEM, NUL-terminated; the key is wiped at stop */
	size_t cert_len, key_len;
	int tls;
	int proxy_family; /* AF_INET, AF_INET6, 0: no trusted proxy */
	unsigned char proxy_addr[16];
	ratelimit_t *source_rate; /* costly requests per client address; NULL: no limit */
	web_brand_t *brand;
};

struct web_request {
	http_body_t body;
};

typedef struct {
	const char *path;
	const char *method;
	web_handler_t fn;
	web_body_kind_t body; /* of a POST */
	unsigned flags;	      /* ROUTE_* */
} web_route_t;

static const web_route_t routes[] = {
    {"/", MHD_HTTP_METHOD_GET, web_get_root, WEB_BODY_NONE, 0},
    {"/healthz", MHD_HTTP_METHOD_GET, web_get_healthz, WEB_BODY_NONE, 0},
    {"/login", MHD_HTTP_METHOD_GET, web_get_login, WEB_BODY_NONE, 0},
    {"/login", MHD_HTTP_METHOD_POST, web_post_login, WEB_BODY_FORM, ROUTE_COSTLY},
    {"/login/code", MHD_HTTP_METHOD_GET, web_get_login_code, WEB_BODY_NONE, 0},
    {"/login/code", MHD_HTTP_METHOD_POST, web_post_login_code, WEB_BODY_FORM, 0},
    {"/logout", MHD_HTTP_METHOD_POST, web_post_logout, WEB_BODY_FORM, 0},
    {"/account", MHD_HTTP_METHOD_GET, web_get_account, WEB_BODY_NONE, 0},
    {"/account/totp/add", MHD_HTTP_METHOD_POST, web_totp_add, WEB_BODY_FORM, ROUTE_RECENT},
    {"/account/totp/confirm", MHD_HTTP_METHOD_POST, web_totp_confirm, WEB_BODY_FORM, ROUTE_RECENT},
    {"/account/totp/rename", MHD_HTTP_METHOD_POST, web_totp_rename, WEB_BODY_FORM, 0},
    {"/account/totp/remove", MHD_HTTP_METHOD_POST, web_totp_remove, WEB_BODY_FORM, ROUTE_RECENT},
    {"/account/password", MHD_HTTP_METHOD_POST, web_post_password, WEB_BODY_FORM,
     ROUTE_COSTLY | ROUTE_RECENT},
    {"/account/confirm", MHD_HTTP_METHOD_GET, web_get_confirm, WEB_BODY_NONE, 0},
    {"/account/confirm", MHD_HTTP_METHOD_POST, web_post_confirm, WEB_BODY_FORM, ROUTE_COSTLY},
    {"/account/passkey/rename", MHD_HTTP_METHOD_POST, web_passkey_rename, WEB_BODY_FORM, 0},
    {"/account/passkey/remove", MHD_HTTP_METHOD_POST, web_passkey_remove, WEB_BODY_FORM,
     ROUTE_RECENT},
    {"/webauthn/register/options", MHD_HTTP_METHOD_POST, web_passkey_register_options,
     WEB_BODY_JSON, ROUTE_RECENT},
    {"/webauthn/register/verify", MHD_HTTP_METHOD_POST, web_passkey_register_verify, WEB_BODY_JSON,
     ROUTE_RECENT},
    {"/webauthn/login/options", MHD_HTTP_METHOD_POST, web_passkey_login_options, WEB_BODY_JSON, 0},
    {"/webauthn/login/verify", MHD_HTTP_METHOD_POST, web_passkey_login_verify, WEB_BODY_JSON, 0},
    {"/account/recovery/generate", MHD_HTTP_METHOD_POST, web_recovery_generate, WEB_BODY_FORM,
     ROUTE_RECENT},
    {"/h", MHD_HTTP_METHOD_GET, web_get_handoff, WEB_BODY_NONE, 0},
    {"/h", MHD_HTTP_METHOD_POST, web_post_handoff, WEB_BODY_FORM, 0},
    {"/h/decide", MHD_HTTP_METHOD_POST, web_post_handoff_decide, WEB_BODY_FORM, 0},
    {"/h/code", MHD_HTTP_METHOD_POST, web_post_logincode, WEB_BODY_FORM, 0},
    {"/static/passkey.js", MHD_HTTP_METHOD_GET, web_passkey_script, WEB_BODY_NONE, 0},
    {"/static/sesame.css", MHD_HTTP_METHOD_GET, web_get_css, WEB_BODY_NONE, 0},
    {"/static/logo", MHD_HTTP_METHOD_GET, web_get_logo, WEB_BODY_NONE, 0},
    {"/lang", MHD_HTTP_METHOD_GET, web_get_lang, WEB_BODY_NONE, 0},
    {"/invite", MHD_HTTP_METHOD_POST, web_post_invite, WEB_BODY_FORM, ROUTE_COSTLY},
    {INVITE_PATH, MHD_HTTP_METHOD_GET, web_get_invite, WEB_BODY_NONE, ROUTE_PREFIX},
    /* OpenID Connect (web_oidc.c) */
    {"/.well-known/openid-configuration", MHD_HTTP_METHOD_GET, web_oidc_discovery, WEB_BODY_NONE,
     0},
    {"/oidc/jwks", MHD_HTTP_METHOD_GET, web_oidc_jwks, WEB_BODY_NONE, 0},
    {"/oidc/authorize", MHD_HTTP_METHOD_GET, web_oidc_authorize, WEB_BODY_NONE, 0},
    {"/oidc/resume", MHD_HTTP_METHOD_GET, web_oidc_resume, WEB_BODY_NONE, 0},
    {"/oidc/token", MHD_HTTP_METHOD_POST, web_oidc_token, WEB_BODY_FORM, 0},
    {"/oidc/userinfo", MHD_HTTP_METHOD_GET, web_oidc_userinfo, WEB_BODY_NONE, 0},
    {"/oidc/userinfo", MHD_HTTP_METHOD_POST, web_oidc_userinfo, WEB_BODY_FORM, 0},
    {"/oidc/revoke", MHD_HTTP_METHOD_POST, web_oidc_revoke, WEB_BODY_FORM, 0},
    {"/oidc/introspect", MHD_HTTP_METHOD_POST, web_oidc_introspect, WEB_BODY_FORM, 0},
    {"/oidc/logout", MHD_HTTP_METHOD_GET, web_oidc_logout, WEB_BODY_NONE, 0},
    {"/oidc/logout", MHD_HTTP_METHOD_POST, web_oidc_logout_post, WEB_BODY_FORM, 0},
};

static int route_matches(const web_route_t *r, const char *url)
{
	if (r->flags & ROUTE_PREFIX)
		return strncmp(r->path, url, strlen(r->path)) == 0;
	return strcmp(r->path, url) == 0;
}

int web_route_gettable(const char *url)
{
	for (size_t i = 0; i < sizeof(routes) / sizeof(routes[0]); i++)
		if (strcmp(routes[i].method, MHD_HTTP_METHOD_GET) == 0 &&
		    route_matches(&routes[i], url))
			return 1;
	return 0;
}

/* ---- dispatch ---- */

/* An Origin header, when sent, must name this site as the browser sees it. */
static int origin_ok(web_ctx_t *c)
{
	const char *origin = MHD_lookup_connection_value(c->conn, MHD_HEADER_KIND, "Origin");
	const char *host =
	    MHD_lookup_connection_value(c->conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_HOST);
	const char *scheme = c->secure ? "https://" : "http://";
	size_t sl = strlen(scheme);

	if (origin == NULL)
		return 1;
	return host != NULL && *host != '\0' && strncasecmp(origin, scheme, sl) == 0 &&
	       strcasecmp(origin + sl, host) == 0;
}

/* The Content-Type the route's body kind asks for (parameters allowed). */
static int content_type_ok(web_ctx_t *c, web_body_kind_t kind)
{
	const char *want =
	    kind == WEB_BODY_JSON ? "application/json" : "application/x-www-form-urlencoded";
	const char *t =
	    MHD_lookup_connection_value(c->conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE);
	size_t n = strlen(want);

	return t != NULL && strncasecmp(t, want, n) == 0 && (t[n] == '\0' || t[n] == ';');
}

/* The most a POST body to url may hold. */
static size_t body_max(const char *url)
{
	for (size_t i = 0; i < sizeof(routes) / sizeof(routes[0]); i++)
		if (routes[i].body == WEB_BODY_JSON && strcmp(routes[i].path, url) == 0)
			return WEB_MAX_JSON;
	return WEB_MAX_FORM;
}

/* Whether the client's address may make the daemon hash one more password
 * now ([web] source_rate per minute, a minute's worth at once). A refusal
 * decides nothing about anyone's password and counts no failure. */
static int source_may(web_ctx_t *c)
{
	struct timespec now;

	if (c->w->source_rate == NULL || c->source == 0)
		return 1;
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (ratelimit_take(c->w->source_rate, c->source,
			   (double)now.tv_sec + (double)now.tv_nsec / 1e9))
		return 1;
	c->retry_after = 60 / c->d->cfg.web.source_rate + 1;
	log_info("web: %s is over its source_rate; refused", c->rhost);
	return 0;
}

static enum MHD_Result dispatch(web_ctx_t *c, const char *url, const char *method)
{
	int is_post = strcmp(method, MHD_HTTP_METHOD_POST) == 0;
	int get_like =
	    strcmp(method, MHD_HTTP_METHOD_GET) == 0 || strcmp(method, MHD_HTTP_METHOD_HEAD) == 0;
	int path_known = 0;

	if (c->body->too_large)
		return web_error_page(c, MHD_HTTP_CONTENT_TOO_LARGE, MSG_TOO_LARGE);
	for (size_t i = 0; i < sizeof(routes) / sizeof(routes[0]); i++) {
		if (!route_matches(&routes[i], url))
			continue;
		path_known = 1;
		if (strcmp(routes[i].method, MHD_HTTP_METHOD_POST) == 0 ? !is_post : !get_like)
			continue;
		if (is_post) {
			/* before any state is read or changed */
			if (!origin_ok(c))
				return web_error_page(c, MHD_HTTP_FORBIDDEN, MSG_FORBIDDEN);
			if (!content_type_ok(c, routes[i].body))
				return web_error_page(c, MHD_HTTP_UNSUPPORTED_MEDIA_TYPE,
						      MSG_BAD_FORM);
			if ((routes[i].flags & ROUTE_COSTLY) && !source_may(c))
				return web_error_page(c, MHD_HTTP_TOO_MANY_REQUESTS, MSG_SLOW_DOWN);
		} else if (c->body->len) {
			return web_error_page(c, MHD_HTTP_BAD_REQUEST, MSG_BAD_FORM);
		}
		c->route_flags = routes[i].flags;
		return routes[i].fn(c);
	}
	if (path_known)
		return web_error_page(c, MHD_HTTP_METHOD_NOT_ALLOWED, MSG_BAD_METHOD);
	return web_error_page(c, MHD_HTTP_NOT_FOUND, MSG_NOT_FOUND);
}

/* The client's address: the peer, or the last X-Forwarded-For hop when the
 * peer is the trusted proxy (which also tells whether the browser used
 * https, by X-Forwarded-Proto). */
static void client_of(web_ctx_t *c)
{
	const union MHD_ConnectionInfo *ci =
	    MHD_get_connection_info(c->conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	const struct sockaddr *sa = ci ? ci->client_addr : NULL;
	unsigned char peer[16];
	int family = 0;

	c->secure = c->w->tls;
	snprintf(c->rhost, sizeof(c->rhost), "%s", "unknown");
	if (sa != NULL && sa->sa_family == AF_INET) {
		memcpy(peer, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, 4);
		family = AF_INET;
	} else if (sa != NULL && sa->sa_family == AF_INET6) {
		const struct in6_addr *a =
		    &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr;
		if (IN6_IS_ADDR_V4MAPPED(a)) {
			memcpy(peer, a->s6_addr + 12, 4);
			family = AF_INET;
		} else {
			memcpy(peer, a->s6_addr, 16);
			family = AF_INET6;
		}
	}
	if (family == 0)
		return;
	inet_ntop(family, peer, c->rhost, sizeof(c->rhost));
	if (c->w->proxy_family != family ||
	    memcmp(peer, c->w->proxy_addr, family == AF_INET ? 4 : 16) != 0)
		return;

	const char *xff = MHD_lookup_connection_value(c->conn, MHD_HEADER_KIND, "X-Forwarded-For");
	const char *proto =
	    MHD_lookup_connection_value(c->conn, MHD_HEADER_KIND, "X-Forwarded-Proto");
	if (proto != NULL && strcasecmp(proto, "https") == 0)
		c->secure = 1;
	if (xff != NULL) {
		const char *hop = strrchr(xff, ',');
		char text[INET6_ADDRSTRLEN];
		unsigned char addr[16];
		size_t n;

		hop = hop ? hop + 1 : xff;
		hop += strspn(hop, " \t");
		n = strcspn(hop, " \t");
		if (n == 0 || n >= sizeof(text))
			return;
		memcpy(text, hop, n);
		text[n] = '\0';
		if (inet_pton(AF_INET, text, addr) == 1)
			inet_ntop(AF_INET, addr, c->rhost, sizeof(c->rhost));
		else if (inet_pton(AF_INET6, text, addr) == 1)
			inet_ntop(AF_INET6, addr, c->rhost, sizeof(c->rhost));
	}
}

static enum MHD_Result serve(web_server_t *w, struct MHD_Connection *conn, const char *url,
			     const char *method, struct web_request *rq)
{
	web_ctx_t c;

	memset(&c, 0, sizeof(c));
	c.w = w;
	c.d = w->d;
	c.conn = conn;
	c.url = url;
	c.now = (int64_t)time(NULL);
	c.body = &rq->body;
	c.brand = w->brand;
	/* the language switch's choice, else the browser's */
	if (i18n_from_tag(MHD_lookup_connection_value(conn, MHD_COOKIE_KIND, WEB_LANG_COOKIE),
			  &c.lang) != 0)
		c.lang = i18n_negotiate(MHD_lookup_connection_value(
		    conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_ACCEPT_LANGUAGE));
	client_of(&c);
	c.source = source_id(c.rhost);
	return dispatch(&c, url, method);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
				  const char *method, const char *version, const char *upload_data,
				  size_t *upload_data_size, void **con_cls)
{
	web_server_t *w = cls;
	struct web_request *rq = *con_cls;

	(void)version;
	if (rq == NULL) {
		if ((rq = calloc(1, sizeof(*rq))) == NULL)
			return MHD_NO;
		*con_cls = rq;
		rq->body.max = body_max(url);
		if (http_body_precheck(conn, &rq->body) != SESAME_OK)
			return http_refuse_framing(conn);
		if (rq->body.too_large) /* refused before reading the body */
			return serve(w, conn, url, method, rq);
		return MHD_YES;
	}
	if (*upload_data_size != 0) {
		size_t n = *upload_data_size;
		*upload_data_size = 0;
		return http_body_append(&rq->body, upload_data, n) == SESAME_OK ? MHD_YES : MHD_NO;
	}
	return serve(w, conn, url, method, rq);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
			 enum MHD_RequestTerminationCode toe)
{
	struct web_request *rq = *con_cls;

	(void)cls;
	(void)conn;
	(void)toe;
	if (rq == NULL)
		return;
	http_body_free(&rq->body); /* may hold a password */
	free(rq);
	*con_cls = NULL;
}

/* ---- start and stop ---- */

/* Reads a PEM file whole, NUL-terminated, at most WEB_MAX_PEM bytes. */
static int read_pem(const char *path, char **out, size_t *len)
{
	struct stat st;
	char *buf = NULL;
	size_t got = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	*out = NULL;
	if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size <= 0 ||
	    st.st_size > WEB_MAX_PEM || (buf = malloc((size_t)st.st_size + 1)) == NULL)
		goto fail;
	while (got < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + got, (size_t)st.st_size - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			goto fail;
		got += (size_t)n;
	}
	buf[got] = '\0';
	close(fd);
	*out = buf;
	*len = got;
	return SESAME_OK;
fail:
	log_err("web: cannot read %s: %s", path, errno ? strerror(errno) : "empty or too large");
	if (buf) {
		OPENSSL_cleanse(buf, got);
		free(buf);
	}
	if (fd >= 0)
		close(fd);
	return SESAME_ERR_IO;
}

static int bind_tcp(const char *listen_value, int *out)
{
	char host[SESAME_MAX_LISTEN];
	unsigned port = 0;
	struct sockaddr_storage ss;
	socklen_t len;
	int fd, one = 1, v6 = listen_value[0] == '[';

	if (config_listen_parse(listen_value, host, sizeof(host), &port) != SESAME_OK)
		return SESAME_ERR_CONFIG;
	memset(&ss, 0, sizeof(ss));
	if (v6) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((uint16_t)port);
		inet_pton(AF_INET6, host, &s6->sin6_addr);
		len = sizeof(*s6);
	} else {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
		s4->sin_family = AF_INET;
		s4->sin_port = htons((uint16_t)port);
		inet_pton(AF_INET, host, &s4->sin_addr);
		len = sizeof(*s4);
	}
	if ((fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
		return SESAME_ERR_IO;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (v6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&ss, len) != 0 || listen(fd, 512) != 0) {
		log_err("web: cannot listen on %s: %s", listen_value, strerror(errno));
		close(fd);
		return SESAME_ERR_IO;
	}
	*out = fd;
	return SESAME_OK;
}

int web_start(authd_t *d, web_server_t **out)
{
	const web_config_t *cfg = &d->cfg.web;
	unsigned flags = MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD |
			 MHD_USE_POLL | MHD_USE_ERROR_LOG | MHD_USE_TURBO;
	web_server_t *w;
	int r;

	*out = NULL;
	if ((w = calloc(1, sizeof(*w))) == NULL)
		return SESAME_ERR_NOMEM;
	w->d = d;
	w->fd = -1;
	if (cfg->trusted_proxy[0]) {
		if (inet_pton(AF_INET, cfg->trusted_proxy, w->proxy_addr) == 1)
			w->proxy_family = AF_INET;
		else if (inet_pton(AF_INET6, cfg->trusted_proxy, w->proxy_addr) == 1)
			w->proxy_family = AF_INET6;
	}
	if (cfg->tls_certificate[0]) {
		if (MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES) {
			log_err("web: this libmicrohttpd has no TLS support");
			r = SESAME_ERR_CONFIG;
			goto fail;
		}
		if ((r = read_pem(cfg->tls_certificate, &w->cert, &w->cert_len)) != SESAME_OK ||
		    (r = read_pem(cfg->tls_key, &w->key, &w->key_len)) != SESAME_OK)
			goto fail;
		w->tls = 1;
		flags |= MHD_USE_TLS;
	}
	if (cfg->source_rate > 0 &&
	    (r = ratelimit_new((double)cfg->source_rate / 60.0, (double)cfg->source_rate,
			       &w->source_rate)) != SESAME_OK)
		goto fail;
	if ((r = web_brand_new(cfg, &w->brand)) != SESAME_OK)
		goto fail;
	/* the dummy hash of unknown users, now rather than at the first sign-in */
	if ((r = factor_password_init()) != SESAME_OK)
		goto fail;
	if ((r = bind_tcp(cfg->listen, &w->fd)) != SESAME_OK)
		goto fail;
	if (w->tls)
		w->mhd = MHD_start_daemon(
		    flags, 0, NULL, NULL, on_request, w, MHD_OPTION_LISTEN_SOCKET, w->fd,
		    MHD_OPTION_HTTPS_MEM_CERT, w->cert, MHD_OPTION_HTTPS_MEM_KEY, w->key,
		    MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL, MHD_OPTION_CONNECTION_TIMEOUT,
		    (unsigned)HTTP_CONNECTION_TIMEOUT, MHD_OPTION_CONNECTION_LIMIT,
		    d->cfg.threads_max, MHD_OPTION_CONNECTION_MEMORY_LIMIT,
		    (size_t)WEB_CONNECTION_MEMORY, MHD_OPTION_EXTERNAL_LOGGER, http_mhd_log, NULL,
		    MHD_OPTION_END);
	else
		w->mhd = MHD_start_daemon(
		    flags, 0, NULL, NULL, on_request, w, MHD_OPTION_LISTEN_SOCKET, w->fd,
		    MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL, MHD_OPTION_CONNECTION_TIMEOUT,
		    (unsigned)HTTP_CONNECTION_TIMEOUT, MHD_OPTION_CONNECTION_LIMIT,
		    d->cfg.threads_max, MHD_OPTION_CONNECTION_MEMORY_LIMIT,
		    (size_t)WEB_CONNECTION_MEMORY, MHD_OPTION_EXTERNAL_LOGGER, http_mhd_log, NULL,
		    MHD_OPTION_END);
	if (w->mhd == NULL) {
		log_err("web: cannot start the web server on %s%s", cfg->listen,
			w->tls ? " (check the TLS certificate and key)" : "");
		r = SESAME_ERR_INTERNAL;
		goto fail;
	}
	*out = w;
	return SESAME_OK;
fail:
	web_stop(&w);
	return r;
}

void web_stop(web_server_t **wp)
{
	web_server_t *w;

	if (wp == NULL || (w = *wp) == NULL)
		return;
	if (w->mhd)
		MHD_stop_daemon(w->mhd); /* closes the listening socket too */
	else if (w->fd >= 0)
		close(w->fd);
	if (w->key) {
		OPENSSL_cleanse(w->key, w->key_len);
		free(w->key);
	}
	free(w->cert);
	ratelimit_free(&w->source_rate);
	web_brand_free(&w->brand);
	free(w);
	*wp = NULL;
}
