/* Configuration file parsing with inih; defaults documented in
 * sesame-authd.conf(5). */
#include <arpa/inet.h>
#include <errno.h>
#include <ini.h> /* INI_MAX_LINE: the longest value */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/un.h>

#include "color.h"
#include "config.h"
#include "sesame/config_file.h"
#include "sesame/error.h"
#include "sesame/limits.h"
#include "sesame/log.h"
#include "sesame/paths.h"
#include "sesame/username.h"

static int parse_uint(const char *v, unsigned long min, unsigned long max, int base, unsigned *out);

void config_defaults(sesame_config_t *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	snprintf(cfg->socket, sizeof(cfg->socket), "%s", SESAME_DEFAULT_SOCKET);
	cfg->socket_mode = 0660;
	snprintf(cfg->database, sizeof(cfg->database), "%s", SESAME_DEFAULT_DATABASE);
	snprintf(cfg->master_key, sizeof(cfg->master_key), "%s", SESAME_DEFAULT_MASTER_KEY);
	cfg->max_body = SESAME_MAX_BODY;
	cfg->threads_max = 256;
	cfg->log_level = LOG_INFO;
	snprintf(cfg->issuer, sizeof(cfg->issuer), "%s", "Sesame");
	cfg->algorithm = TOTP_ALG_SHA1;
	cfg->digits = 6;
	cfg->period = 30;
	cfg->window = 1;
	cfg->max_failures = 5;
	cfg->base_delay = 30;
	cfg->max_delay = 900;
	cfg->source_max_failures = 30;
	cfg->source_base_delay = 60;
	cfg->source_max_delay = 3600;
	cfg->source_window = 3600;
	cfg->account_max_failures = 100;
	cfg->account_lock_time = 3600;
	snprintf(cfg->require.pam, sizeof(cfg->require.pam), "%s", "second");
	snprintf(cfg->require.web, sizeof(cfg->require.web), "%s", "password+second | passkey");
	cfg->password.min_length = 15;
	cfg->password.max_length = 256;
	cfg->password.min_classes = 0;
	cfg->password.min_score = 3;
	cfg->password.check_old = 1;
	snprintf(cfg->password.online_url, sizeof(cfg->password.online_url), "%s",
		 "https://api.pwnedpasswords.com/range/");
	cfg->password.online_timeout_ms = 3000;
	cfg->web.session_idle = 900;
	cfg->web.session_lifetime = 43200;
	snprintf(cfg->web.rp_id, sizeof(cfg->web.rp_id), "%s", "localhost");
	snprintf(cfg->web.rp_name, sizeof(cfg->web.rp_name), "%s", "S\xc3\xa9same");
	cfg->web.require_mfa = 1;
	cfg->web.challenge_ttl = 120;
	cfg->web.invitation_ttl = 86400;
	cfg->web.source_rate = 120;
	cfg->web.reauth_after = 600;
	cfg->web.handoff_ttl = 300;
	snprintf(cfg->web.brand_name, sizeof(cfg->web.brand_name), "%s", "S\xc3\xa9same");
	snprintf(cfg->web.brand_accent, sizeof(cfg->web.brand_accent), "%s", SESAME_BRAND_ACCENT);
	oidc_config_defaults(&cfg->oidc);
}

/* The host of an origin "scheme://host[:port]" (no path, no trailing
 * slash, no user info), or -1. */
static int origin_host(const char *o, const char **host, size_t *len)
{
	const char *h, *end;

	if (strncmp(o, "https://", 8) == 0)
		h = o + 8;
	else if (strncmp(o, "http://", 7) == 0)
		h = o + 7;
	else
		return -1;
	if (*h == '[') /* an IP literal is never a WebAuthn RP ID */
		return -1;
	end = h + strcspn(h, ":");
	if (end == h || strcspn(h, "/?#@ \t") != strlen(h))
		return -1;
	if (*end == ':') {
		unsigned port;
		if (parse_uint(end + 1, 1, 65535, 10, &port) != 0)
			return -1;
	}
	*host = h;
	*len = (size_t)(end - h);
	return 0;
}

/* A DNS name as an RP ID: lower-case letters, digits, '-' and '.'. */
static int rp_id_ok(const char *v)
{
	size_t n = strlen(v);

	if (n == 0 || n > SESAME_MAX_RP_ID || v[0] == '.' || v[n - 1] == '.')
		return 0;
	for (const char *p = v; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-' ||
		      *p == '.'))
			return 0;
	return 1;
}

/* "a, b, c" into web->origins, each checked. */
static int parse_origins(web_config_t *web, const char *v)
{
	char buf[INI_MAX_LINE];
	char *save = NULL;

	if (strlen(v) >= sizeof(buf))
		return -1;
	memcpy(buf, v, strlen(v) + 1);
	web->n_origins = 0;
	for (char *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		const char *host;
		size_t hl, n;

		while (*tok == ' ' || *tok == '\t')
			tok++;
		n = strlen(tok);
		while (n && (tok[n - 1] == ' ' || tok[n - 1] == '\t'))
			tok[--n] = '\0';
		if (n == 0)
			continue;
		if (web->n_origins >= SESAME_MAX_WEB_ORIGINS || n > SESAME_MAX_ORIGIN ||
		    origin_host(tok, &host, &hl) != 0)
			return -1;
		memcpy(web->origins[web->n_origins++], tok, n + 1);
	}
	return 0;
}

size_t config_web_origins(const web_config_t *web, char out[][SESAME_MAX_ORIGIN + 1])
{
	char host[SESAME_MAX_LISTEN];
	unsigned port = 0;

	if (web->n_origins) {
		for (size_t i = 0; i < web->n_origins; i++)
			memcpy(out[i], web->origins[i], sizeof(out[i]));
		return web->n_origins;
	}
	if (config_listen_parse(web->listen, host, sizeof(host), &port) != SESAME_OK)
		return 0;
	snprintf(out[0], SESAME_MAX_ORIGIN + 1, "%s://localhost:%u",
		 web->tls_certificate[0] ? "https" : "http", port);
	return 1;
}

void config_web_public_url(const web_config_t *web, char out[SESAME_MAX_ORIGIN + 1])
{
	char origins[SESAME_MAX_WEB_ORIGINS][SESAME_MAX_ORIGIN + 1];

	if (web->public_url[0]) {
		memcpy(out, web->public_url, SESAME_MAX_ORIGIN + 1);
		return;
	}
	out[0] = '\0';
	if (config_web_origins(web, origins) > 0)
		memcpy(out, origins[0], SESAME_MAX_ORIGIN + 1);
}

int config_listen_parse(const char *v, char *host, size_t hostsz, unsigned *port)
{
	unsigned char addr[sizeof(struct in6_addr)];
	const char *colon, *start = v, *end;
	size_t n;

	if (v[0] == '[') {
		start = v + 1;
		if ((end = strchr(start, ']')) == NULL || end[1] != ':')
			return SESAME_ERR_INVALID_ARGUMENT;
		colon = end + 1;
	} else {
		if ((colon = strrchr(v, ':')) == NULL)
			return SESAME_ERR_INVALID_ARGUMENT;
		end = colon;
	}
	n = (size_t)(end - start);
	if (n == 0 || n >= hostsz || parse_uint(colon + 1, 1, 65535, 10, port) != 0)
		return SESAME_ERR_INVALID_ARGUMENT;
	memcpy(host, start, n);
	host[n] = '\0';
	if (inet_pton(v[0] == '[' ? AF_INET6 : AF_INET, host, addr) != 1)
		return SESAME_ERR_INVALID_ARGUMENT;
	return SESAME_OK;
}

static int parse_uint(const char *v, unsigned long min, unsigned long max, int base, unsigned *out)
{
	char *end = NULL;
	unsigned long n;

	if (*v == '\0' || *v == '-' || *v == '+')
		return -1;
	errno = 0;
	n = strtoul(v, &end, base);
	if (errno != 0 || *end != '\0' || n < min || n > max)
		return -1;
	*out = (unsigned)n;
	return 0;
}

static int set_string(char *dst, size_t dstsz, const char *v)
{
	size_t n = strlen(v);
	if (n == 0 || n >= dstsz)
		return -1;
	memcpy(dst, v, n + 1);
	return 0;
}

static int parse_user_list(sesame_config_t *cfg, const char *v)
{
	char buf[1024];
	char *save = NULL;

	if (strlen(v) >= sizeof(buf))
		return -1;
	memcpy(buf, v, strlen(v) + 1);
	cfg->n_pam_trusted_users = 0;
	for (char *tok = strtok_r(buf, ", \t", &save); tok; tok = strtok_r(NULL, ", \t", &save)) {
		if (cfg->n_pam_trusted_users >= SESAME_MAX_TRUSTED_USERS ||
		    username_validate(tok, strlen(tok)) != SESAME_OK ||
		    strlen(tok) >= sizeof(cfg->pam_trusted_users[0]))
			return -1;
		memcpy(cfg->pam_trusted_users[cfg->n_pam_trusted_users++], tok, strlen(tok) + 1);
	}
	return 0;
}

static int parse_bool(const char *v, int *out)
{
	if (strcasecmp(v, "yes") == 0 || strcasecmp(v, "true") == 0 || strcmp(v, "1") == 0)
		*out = 1;
	else if (strcasecmp(v, "no") == 0 || strcasecmp(v, "false") == 0 || strcmp(v, "0") == 0)
		*out = 0;
	else
		return -1;
	return 0;
}

static int parse_word_list(password_config_t *pw, const char *v)
{
	char buf[1024];
	char *save = NULL;

	if (strlen(v) >= sizeof(buf))
		return -1;
	memcpy(buf, v, strlen(v) + 1);
	pw->n_org_words = 0;
	for (char *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		while (*tok == ' ' || *tok == '\t')
			tok++;
		size_t n = strlen(tok);
		while (n && (tok[n - 1] == ' ' || tok[n - 1] == '\t'))
			tok[--n] = '\0';
		if (n == 0)
			continue;
		if (pw->n_org_words >= SESAME_MAX_ORG_WORDS || n >= sizeof(pw->org_words[0]))
			return -1;
		memcpy(pw->org_words[pw->n_org_words++], tok, n + 1);
	}
	return 0;
}

/* [password]: 0 valid, -1 invalid value, -2 unknown key. */
static int apply_password(password_config_t *pw, const char *name, const char *v)
{
	unsigned u = 0;

	if (strcmp(name, "min_length") == 0) {
		if (parse_uint(v, 8, 1024, 10, &u) != 0)
			return -1;
		pw->min_length = u;
		return 0;
	}
	if (strcmp(name, "max_length") == 0) {
		if (parse_uint(v, 64, 1024, 10, &u) != 0)
			return -1;
		pw->max_length = u;
		return 0;
	}
	if (strcmp(name, "min_classes") == 0) {
		if (parse_uint(v, 0, 4, 10, &u) != 0)
			return -1;
		pw->min_classes = u;
		return 0;
	}
	if (strcmp(name, "min_score") == 0) {
		if (parse_uint(v, 0, 4, 10, &u) != 0)
			return -1;
		pw->min_score = u;
		return 0;
	}
	if (strcmp(name, "check_old") == 0)
		return parse_bool(v, &pw->check_old);
	if (strcmp(name, "list") == 0) { /* repeatable */
		if (pw->n_lists >= SESAME_MAX_PW_LISTS || v[0] != '/')
			return -1;
		return set_string(pw->lists[pw->n_lists++], sizeof(pw->lists[0]), v);
	}
	if (strcmp(name, "organisation_words") == 0)
		return parse_word_list(pw, v);
	if (strcmp(name, "breach_filter") == 0)
		return v[0] == '/' ? set_string(pw->breach_filter, sizeof(pw->breach_filter), v)
				   : -1;
	if (strcmp(name, "online") == 0)
		return parse_bool(v, &pw->online);
	if (strcmp(name, "online_url") == 0) {
		if (strncmp(v, "https://", 8) != 0 && strncmp(v, "http://", 7) != 0)
			return -1;
		return set_string(pw->online_url, sizeof(pw->online_url), v);
	}
	if (strcmp(name, "online_timeout") == 0) { /* seconds, may be fractional: ms precision */
		char *end = NULL;
		double secs = strtod(v, &end);
		if (end == v || *end != '\0' || !(secs >= 0.1 && secs <= 60))
			return -1;
		pw->online_timeout_ms = (unsigned)(secs * 1000.0 + 0.5);
		return 0;
	}
	if (strcmp(name, "online_failure") == 0) {
		if (strcmp(v, "open") == 0)
			pw->online_fail_open = 1;
		else if (strcmp(v, "closed") == 0)
			pw->online_fail_open = 0;
		else
			return -1;
		return 0;
	}
	return -2;
}

/* Text of one line shown on the pages (escaped there): no control. */
static int line_ok(const char *v)
{
	for (const char *p = v; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			return 0;
	return 1;
}

/* [web] brand_*: 0 valid, -1 invalid value, -2 unknown key. The accent's
 * contrast is config_validate's (a clearer message). */
static int apply_brand(web_config_t *web, const char *name, const char *v)
{
	color_t c;

	if (strcmp(name, "brand_name") == 0)
		return *v && line_ok(v) ? set_string(web->brand_name, sizeof(web->brand_name), v)
					: -1;
	if (strcmp(name, "brand_logo") == 0) /* empty: Sésame's */
		return *v == '\0' || v[0] == '/'
			   ? set_string(web->brand_logo, sizeof(web->brand_logo), v)
			   : -1;
	if (strcmp(name, "brand_accent") == 0)
		return color_parse(v, &c) == SESAME_OK
			   ? set_string(web->brand_accent, sizeof(web->brand_accent), v)
			   : -1;
	if (strcmp(name, "brand_support") == 0)
		return line_ok(v) ? set_string(web->brand_support, sizeof(web->brand_support), v)
				  : -1;
	if (strcmp(name, "brand_privacy") == 0) {
		/* a link of the pages: http(s), no space, quote or angle bracket */
		if (*v == '\0') {
			web->brand_privacy[0] = '\0';
			return 0;
		}
		if (strncmp(v, "https://", 8) != 0 && strncmp(v, "http://", 7) != 0)
			return -1;
		if (strlen(v) <= (v[4] == 's' ? 8u : 7u))
			return -1;
		for (const char *p = v; *p; p++)
			if ((unsigned char)*p <= 0x20 || *p == 0x7f || strchr("\"'<>\\`", *p))
				return -1;
		return set_string(web->brand_privacy, sizeof(web->brand_privacy), v);
	}
	return -2;
}

/* [web]: 0 valid, -1 invalid value, -2 unknown key. */
static int apply_web(web_config_t *web, const char *name, const char *v)
{
	unsigned char addr[sizeof(struct in6_addr)];
	char host[SESAME_MAX_LISTEN];
	unsigned u = 0;

	if (strcmp(name, "listen") == 0) { /* empty: no web server */
		if (*v == '\0') {
			web->listen[0] = '\0';
			return 0;
		}
		if (config_listen_parse(v, host, sizeof(host), &u) != SESAME_OK)
			return -1;
		return set_string(web->listen, sizeof(web->listen), v);
	}
	if (strcmp(name, "tls_certificate") == 0)
		return v[0] == '/'
			   ? set_string(web->tls_certificate, sizeof(web->tls_certificate), v)
			   : -1;
	if (strcmp(name, "tls_key") == 0)
		return v[0] == '/' ? set_string(web->tls_key, sizeof(web->tls_key), v) : -1;
	if (strcmp(name, "trusted_proxy") == 0) {
		if (*v == '\0') {
			web->trusted_proxy[0] = '\0';
			return 0;
		}
		if (inet_pton(AF_INET, v, addr) != 1 && inet_pton(AF_INET6, v, addr) != 1)
			return -1;
		return set_string(web->trusted_proxy, sizeof(web->trusted_proxy), v);
	}
	if (strcmp(name, "session_idle") == 0) {
		if (parse_uint(v, 1, 86400, 10, &u) != 0)
			return -1;
		web->session_idle = u;
		return 0;
	}
	if (strcmp(name, "session_lifetime") == 0) {
		if (parse_uint(v, 60, 30 * 86400, 10, &u) != 0)
			return -1;
		web->session_lifetime = u;
		return 0;
	}
	if (strcmp(name, "rp_id") == 0)
		return rp_id_ok(v) ? set_string(web->rp_id, sizeof(web->rp_id), v) : -1;
	if (strcmp(name, "rp_name") == 0) {
		for (const char *p = v; *p; p++)
			if ((unsigned char)*p < 0x20 || *p == 0x7f)
				return -1;
		return *v ? set_string(web->rp_name, sizeof(web->rp_name), v) : -1;
	}
	if (strcmp(name, "origins") == 0)
		return parse_origins(web, v);
	if (strcmp(name, "user_verification") == 0) {
		if (strcmp(v, "preferred") == 0)
			web->require_uv = 0;
		else if (strcmp(v, "required") == 0)
			web->require_uv = 1;
		else
			return -1;
		return 0;
	}
	if (strcmp(name, "attestation") == 0) {
		if (strcmp(v, "none") == 0)
			web->attestation_trusted = 0;
		else if (strcmp(v, "trusted") == 0)
			web->attestation_trusted = 1;
		else
			return -1;
		return 0;
	}
	if (strcmp(name, "attestation_anchors") == 0)
		return v[0] == '/' ? set_string(web->attestation_anchors,
						sizeof(web->attestation_anchors), v)
				   : -1;
	if (strcmp(name, "require_mfa") == 0)
		return parse_bool(v, &web->require_mfa);
	if (strcmp(name, "challenge_ttl") == 0) {
		if (parse_uint(v, 1, 600, 10, &u) != 0)
			return -1;
		web->challenge_ttl = u;
		return 0;
	}
	if (strcmp(name, "public_url") == 0) { /* an origin: the pages live at its root */
		const char *h;
		size_t hl;
		if (*v == '\0') {
			web->public_url[0] = '\0';
			return 0;
		}
		if (strlen(v) > SESAME_MAX_ORIGIN || origin_host(v, &h, &hl) != 0)
			return -1;
		return set_string(web->public_url, sizeof(web->public_url), v);
	}
	if (strcmp(name, "invitation_ttl") == 0) {
		if (parse_uint(v, 60, 30 * 86400, 10, &u) != 0)
			return -1;
		web->invitation_ttl = u;
		return 0;
	}
	if (strcmp(name, "source_rate") == 0) {
		if (parse_uint(v, 0, 1000000, 10, &u) != 0)
			return -1;
		web->source_rate = u;
		return 0;
	}
	if (strcmp(name, "reauth_after") == 0) {
		if (parse_uint(v, 0, 86400, 10, &u) != 0)
			return -1;
		web->reauth_after = u;
		return 0;
	}
	if (strcmp(name, "handoff_ttl") == 0) { /* the terminal hand-off: at most 5 minutes */
		if (parse_uint(v, 10, 300, 10, &u) != 0)
			return -1;
		web->handoff_ttl = u;
		return 0;
	}
	if (strcmp(name, "handoff_link") == 0)
		return parse_bool(v, &web->handoff_link);
	return apply_brand(web, name, v);
}

/* [require]: "pam", "web", "pam.SERVICE"; the rules themselves are
 * checked by the daemon (authd/requirement.c). 0, -1, -2 as apply. */
static int apply_require(require_config_t *rq, const char *name, const char *v)
{
	size_t i;

	if (strlen(v) == 0 || strlen(v) >= SESAME_MAX_REQUIRE_TEXT)
		return -1;
	if (strcmp(name, "pam") == 0)
		return set_string(rq->pam, sizeof(rq->pam), v);
	if (strcmp(name, "web") == 0)
		return set_string(rq->web, sizeof(rq->web), v);
	if (strncmp(name, "pam.", 4) != 0 || name[4] == '\0' ||
	    strlen(name + 4) > SESAME_MAX_SERVICE)
		return -2;
	for (const char *p = name + 4; *p; p++)
		if ((unsigned char)*p <= 0x20 || (unsigned char)*p > 0x7e)
			return -2;
	for (i = 0; i < rq->n_services; i++)
		if (strcmp(rq->services[i], name + 4) == 0)
			break;
	if (i == SESAME_MAX_REQUIRE)
		return -1;
	if (i == rq->n_services)
		rq->n_services++;
	snprintf(rq->services[i], sizeof(rq->services[i]), "%s", name + 4);
	return set_string(rq->service_rules[i], sizeof(rq->service_rules[i]), v);
}

/* Returns 0 when (section, name) is known and value valid, -1 when the
 * value is invalid, -2 when the key is unknown. */
static int apply(sesame_config_t *cfg, const char *section, const char *name, const char *v)
{
	unsigned u = 0;
#define KEY(s, k) (strcmp(section, s) == 0 && strcmp(name, k) == 0)
	if (KEY("authd", "socket")) /* must fit sockaddr_un.sun_path */
		return strlen(v) < sizeof(((struct sockaddr_un *)0)->sun_path)
			   ? set_string(cfg->socket, sizeof(cfg->socket), v)
			   : -1;
	if (KEY("authd", "socket_mode")) {
		if (parse_uint(v, 0, 0777, 8, &u) != 0)
			return -1;
		cfg->socket_mode = u;
		return 0;
	}
	if (KEY("authd", "socket_group"))
		return set_string(cfg->socket_group, sizeof(cfg->socket_group), v);
	/* [store] database; [authd] database is its older name */
	if (KEY("store", "database") || KEY("authd", "database"))
		return set_string(cfg->database, sizeof(cfg->database), v);
	if (KEY("authd", "master_key"))
		return set_string(cfg->master_key, sizeof(cfg->master_key), v);
	if (KEY("authd", "max_body")) {
		if (parse_uint(v, 1024, SESAME_MAX_BODY, 10, &u) != 0)
			return -1;
		cfg->max_body = u;
		return 0;
	}
	if (KEY("authd", "max_connections")) {
		if (parse_uint(v, 4, 4096, 10, &u) != 0)
			return -1;
		cfg->threads_max = u;
		return 0;
	}
	if (KEY("authd", "pam_trusted_users"))
		return parse_user_list(cfg, v);
	if (KEY("authd", "log_level"))
		return log_level_parse(v, &cfg->log_level) == SESAME_OK ? 0 : -1;
	if (KEY("totp", "issuer")) {
		/* shown in authenticator apps and put in URIs: printable ASCII, no ':' */
		for (const char *p = v; *p; p++)
			if ((unsigned char)*p < 0x20 || (unsigned char)*p > 0x7e || *p == ':')
				return -1;
		return set_string(cfg->issuer, sizeof(cfg->issuer), v);
	}
	if (KEY("totp", "algorithm"))
		return totp_alg_parse(v, &cfg->algorithm) == SESAME_OK ? 0 : -1;
	if (KEY("totp", "digits")) {
		if (parse_uint(v, SESAME_TOTP_MIN_DIGITS, SESAME_TOTP_MAX_DIGITS, 10, &u) != 0)
			return -1;
		cfg->digits = u;
		return 0;
	}
	if (KEY("totp", "period")) {
		if (parse_uint(v, 15, 300, 10, &u) != 0)
			return -1;
		cfg->period = u;
		return 0;
	}
	if (KEY("totp", "window")) {
		if (parse_uint(v, 0, 10, 10, &u) != 0)
			return -1;
		cfg->window = u;
		return 0;
	}
	if (KEY("throttle", "max_failures")) {
		if (parse_uint(v, 1, 1000, 10, &u) != 0)
			return -1;
		cfg->max_failures = u;
		return 0;
	}
	if (KEY("throttle", "base_delay")) {
		if (parse_uint(v, 1, 86400, 10, &u) != 0)
			return -1;
		cfg->base_delay = u;
		return 0;
	}
	if (KEY("throttle", "max_delay")) {
		if (parse_uint(v, 1, 7 * 86400, 10, &u) != 0)
			return -1;
		cfg->max_delay = u;
		return 0;
	}
	if (KEY("throttle", "source_max_failures")) {
		if (parse_uint(v, 0, 100000, 10, &u) != 0)
			return -1;
		cfg->source_max_failures = u;
		return 0;
	}
	if (KEY("throttle", "source_base_delay")) {
		if (parse_uint(v, 1, 86400, 10, &u) != 0)
			return -1;
		cfg->source_base_delay = u;
		return 0;
	}
	if (KEY("throttle", "source_max_delay")) {
		if (parse_uint(v, 1, 7 * 86400, 10, &u) != 0)
			return -1;
		cfg->source_max_delay = u;
		return 0;
	}
	if (KEY("throttle", "account_max_failures")) {
		if (parse_uint(v, 0, 100, 10, &u) != 0)
			return -1;
		cfg->account_max_failures = u;
		return 0;
	}
	if (KEY("throttle", "account_lock_time")) {
		if (parse_uint(v, 60, 7 * 86400, 10, &u) != 0)
			return -1;
		cfg->account_lock_time = u;
		return 0;
	}
	if (KEY("throttle", "source_window")) {
		if (parse_uint(v, 60, 7 * 86400, 10, &u) != 0)
			return -1;
		cfg->source_window = u;
		return 0;
	}
	if (strcmp(section, "password") == 0)
		return apply_password(&cfg->password, name, v);
	if (strcmp(section, "web") == 0)
		return apply_web(&cfg->web, name, v);
	if (strcmp(section, "require") == 0)
		return apply_require(&cfg->require, name, v);
	if (strncmp(section, "oidc", 4) == 0)
		return oidc_config_apply(&cfg->oidc, section, name, v);
#undef KEY
	return -2;
}

static int apply_entry(void *arg, const char *section, const char *name, const char *value)
{
	return apply(arg, section, name, value);
}

int config_load(sesame_config_t *cfg, const char *path, char *err, size_t errsz)
{
	return config_file_read(path, apply_entry, cfg, err, errsz);
}

int config_validate(const sesame_config_t *cfg, char *err, size_t errsz)
{
	if (cfg->max_delay < cfg->base_delay) {
		snprintf(err, errsz,
			 "throttle.max_delay (%u) is smaller than throttle.base_delay (%u)",
			 cfg->max_delay, cfg->base_delay);
		return SESAME_ERR_CONFIG;
	}
	if (cfg->source_max_delay < cfg->source_base_delay) {
		snprintf(
		    err, errsz,
		    "throttle.source_max_delay (%u) is smaller than throttle.source_base_delay "
		    "(%u)",
		    cfg->source_max_delay, cfg->source_base_delay);
		return SESAME_ERR_CONFIG;
	}
	if (cfg->password.max_length < cfg->password.min_length) {
		snprintf(err, errsz,
			 "password.max_length (%u) is smaller than password.min_length (%u)",
			 cfg->password.max_length, cfg->password.min_length);
		return SESAME_ERR_CONFIG;
	}
	if (!cfg->web.tls_certificate[0] != !cfg->web.tls_key[0]) {
		snprintf(err, errsz,
			 "web.tls_certificate and web.tls_key go together: set both "
			 "or neither");
		return SESAME_ERR_CONFIG;
	}
	if (cfg->web.session_idle > cfg->web.session_lifetime) {
		snprintf(err, errsz,
			 "web.session_idle (%u) is longer than web.session_lifetime (%u)",
			 cfg->web.session_idle, cfg->web.session_lifetime);
		return SESAME_ERR_CONFIG;
	}
	if (cfg->web.attestation_trusted && !cfg->web.attestation_anchors[0]) {
		snprintf(err, errsz, "web.attestation = trusted needs web.attestation_anchors");
		return SESAME_ERR_CONFIG;
	}
	if (cfg->web.listen[0] && cfg->web.n_origins == 0 &&
	    strcmp(cfg->web.rp_id, "localhost") != 0) {
		snprintf(err, errsz, "web.rp_id %s needs web.origins (the default is localhost)",
			 cfg->web.rp_id);
		return SESAME_ERR_CONFIG;
	}
	for (size_t i = 0; i < cfg->web.n_origins; i++) {
		/* the RP ID must be the origin's host or a suffix of it */
		const char *host = NULL;
		size_t hl = 0, rl = strlen(cfg->web.rp_id);
		if (origin_host(cfg->web.origins[i], &host, &hl) != 0 ||
		    !((hl == rl && strncasecmp(host, cfg->web.rp_id, rl) == 0) ||
		      (hl > rl + 1 && host[hl - rl - 1] == '.' &&
		       strncasecmp(host + hl - rl, cfg->web.rp_id, rl) == 0))) {
			snprintf(err, errsz, "web.origins: %s is not within web.rp_id %s",
				 cfg->web.origins[i], cfg->web.rp_id);
			return SESAME_ERR_CONFIG;
		}
	}
	{
		/* WCAG 2.1 AA: the buttons' white text on the accent */
		color_t accent = {0, 0, 0}, white = {255, 255, 255};
		if (color_parse(cfg->web.brand_accent, &accent) != SESAME_OK ||
		    color_contrast(accent, white) < COLOR_TEXT_CONTRAST) {
			snprintf(err, errsz,
				 "web.brand_accent %s: white text on it has a contrast of %.1f:1, "
				 "below the 4.5:1 of WCAG 2.1 AA; choose a darker colour",
				 cfg->web.brand_accent, color_contrast(accent, white));
			return SESAME_ERR_CONFIG;
		}
	}
	if (cfg->window * cfg->period > 600) {
		snprintf(err, errsz, "totp.window x totp.period exceeds 600 seconds");
		return SESAME_ERR_CONFIG;
	}
	if (cfg->oidc.enabled) {
		char url[SESAME_MAX_ORIGIN + 1];
		if (!cfg->web.listen[0]) {
			snprintf(err, errsz, "oidc.enabled needs the web pages (web.listen)");
			return SESAME_ERR_CONFIG;
		}
		config_web_public_url(&cfg->web, url);
		return oidc_config_validate(&cfg->oidc, url, err, errsz);
	}
	return SESAME_OK;
}
