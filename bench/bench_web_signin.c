/* Web sign-ins per second over HTTP against sesame-authd's pages
 * (bench/run_web.sh, docs/web.md): THREADS concurrent libcurl clients,
 * one keep-alive connection and one cookie jar each, sign in as a browser
 * does, and only a sign-in that ends in "303 /account" (or, for a passkey,
 * {"redirect": "/account"}) counts.
 *   password + TOTP: GET /login, POST /login, GET /login/code,
 *     POST /login/code; each user signs in twice (the code of the current
 *     step, then of the next one: a code is accepted once);
 *   passkey without a user name: GET /login, POST /webauthn/login/options,
 *     POST /webauthn/login/verify with an ES256 assertion signed here
 *     (each client has its own credential, registered through the pages
 *     before the timing, attestation "none").
 * The client's own CPU time is reported: on a 2-core machine it competes
 * with the daemon. With BENCH_DAEMON_PID set, the daemon's CPU time over
 * the timed part (not the set-up) is reported too, from /proc.
 *   bench_web_signin enroll SOCKET PREFIX N PASSWORD USERFILE
 *   bench_web_signin totp PORT USERFILE PASSWORD THREADS
 *   bench_web_signin passkey PORT USERFILE PASSWORD THREADS SIGNINS */
#include <curl/curl.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench_util.h"
#include "sesame/base64url.h"
#include "totp.h"

#define SIGNIN_MAX_THREADS 256
#define SIGNIN_ENROLL_THREADS 8
#define SIGNIN_TOKEN_LEN 43 /* base64url of 32 bytes */
#define SIGNIN_CRED_ID_LEN 32
#define SIGNIN_HANDLE_MAX 64
#define SIGNIN_B64_MAX 1024
#define SIGNIN_MAX_REPORTED 5 /* failures printed, then counted only */

typedef struct {
	CURL *h;
	struct curl_slist *resolve;
	char base[64];	 /* http://localhost:PORT */
	char origin[64]; /* the same: what a browser sends */
	char *buf;	 /* the last response body, NUL-terminated */
	size_t len, cap;
	long status;
	char location[256]; /* path of the last redirect, or "" */
} web_client_t;

/* One client's passkey: an ES256 key, its credential id and user handle. */
typedef struct {
	EVP_PKEY *key;
	unsigned char cred_id[SIGNIN_CRED_ID_LEN];
	unsigned char handle[SIGNIN_HANDLE_MAX];
	size_t handle_len;
	unsigned count; /* the authenticator's sign count */
} passkey_t;

static int port;
static const char *password;
static bench_user_t *users;
static size_t n_users, total;
static atomic_size_t next_job;
static atomic_long ok_count, bad_count;
static double *latency; /* seconds per sign-in, by job */
static passkey_t *keys;
static const char *prefix; /* of enrolled user names */
static const char *sock;   /* the daemon's unix socket (enroll) */

static void report(const char *what, const web_client_t *w)
{
	if (atomic_fetch_add(&bad_count, 1) < SIGNIN_MAX_REPORTED)
		fprintf(stderr, "bench_web_signin: %s: HTTP %ld %s %.200s\n", what, w->status,
			w->location, w->buf ? w->buf : "");
}

static size_t on_body(char *data, size_t size, size_t n, void *arg)
{
	web_client_t *w = arg;
	size_t len = size * n;

	if (w->len + len + 1 > w->cap) {
		size_t cap = (w->len + len + 1) * 2;
		char *grown = realloc(w->buf, cap);
		if (grown == NULL)
			return 0;
		w->buf = grown;
		w->cap = cap;
	}
	memcpy(w->buf + w->len, data, len);
	w->len += len;
	w->buf[w->len] = '\0';
	return len;
}

static int client_init(web_client_t *w)
{
	char resolve[64];

	memset(w, 0, sizeof(*w));
	snprintf(w->base, sizeof(w->base), "http://localhost:%d", port);
	snprintf(w->origin, sizeof(w->origin), "http://localhost:%d", port);
	/* localhost is the RP ID (NOTES.md); the daemon listens on IPv4 */
	snprintf(resolve, sizeof(resolve), "localhost:%d:127.0.0.1", port);
	if ((w->h = curl_easy_init()) == NULL ||
	    (w->resolve = curl_slist_append(NULL, resolve)) == NULL)
		return -1;
	curl_easy_setopt(w->h, CURLOPT_RESOLVE, w->resolve);
	curl_easy_setopt(w->h, CURLOPT_COOKIEFILE, ""); /* an empty jar */
	curl_easy_setopt(w->h, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(w->h, CURLOPT_WRITEDATA, w);
	curl_easy_setopt(w->h, CURLOPT_TIMEOUT, 60L);
	curl_easy_setopt(w->h, CURLOPT_NOSIGNAL, 1L);
	return 0;
}

static void client_free(web_client_t *w)
{
	curl_easy_cleanup(w->h);
	curl_slist_free_all(w->resolve);
	free(w->buf);
	memset(w, 0, sizeof(*w));
}

/* A new browser on the same connection: no cookies. */
static void client_forget(web_client_t *w)
{
	curl_easy_setopt(w->h, CURLOPT_COOKIELIST, "ALL");
}

/* GET (body NULL) or POST path; json selects the content type, csrf the
 * X-CSRF-Token header. Returns the HTTP status, 0 on a transport error. */
static long client_request(web_client_t *w, const char *path, const char *body, int json,
			   const char *csrf)
{
	struct curl_slist *hdr = NULL;
	char url[320], line[128];
	char *redirect = NULL;

	w->len = 0;
	if (w->buf)
		w->buf[0] = '\0';
	w->status = 0;
	w->location[0] = '\0';
	snprintf(url, sizeof(url), "%s%s", w->base, path);
	curl_easy_setopt(w->h, CURLOPT_URL, url);
	if (body) {
		snprintf(line, sizeof(line), "Origin: %s", w->origin);
		hdr = curl_slist_append(hdr, line);
		hdr = curl_slist_append(hdr,
					json ? "Content-Type: application/json"
					     : "Content-Type: application/x-www-form-urlencoded");
		hdr = curl_slist_append(hdr, "Expect:");
		if (csrf) {
			snprintf(line, sizeof(line), "X-CSRF-Token: %s", csrf);
			hdr = curl_slist_append(hdr, line);
		}
		curl_easy_setopt(w->h, CURLOPT_POSTFIELDS, body);
	} else {
		curl_easy_setopt(w->h, CURLOPT_HTTPGET, 1L);
	}
	curl_easy_setopt(w->h, CURLOPT_HTTPHEADER, hdr);
	if (curl_easy_perform(w->h) == CURLE_OK) {
		curl_easy_getinfo(w->h, CURLINFO_RESPONSE_CODE, &w->status);
		if (curl_easy_getinfo(w->h, CURLINFO_REDIRECT_URL, &redirect) == CURLE_OK &&
		    redirect && strncmp(redirect, w->base, strlen(w->base)) == 0)
			snprintf(w->location, sizeof(w->location), "%s",
				 redirect + strlen(w->base));
	}
	curl_easy_setopt(w->h, CURLOPT_HTTPHEADER, NULL);
	curl_slist_free_all(hdr);
	return w->status;
}

/* The hidden csrf field of the last page. */
static int csrf_of(const web_client_t *w, char out[SIGNIN_TOKEN_LEN + 1])
{
	static const char mark[] = "name=\"csrf\" value=\"";
	const char *p = w->buf ? strstr(w->buf, mark) : NULL;

	if (p == NULL || strlen(p += sizeof(mark) - 1) < SIGNIN_TOKEN_LEN ||
	    p[SIGNIN_TOKEN_LEN] != '"')
		return -1;
	memcpy(out, p, SIGNIN_TOKEN_LEN);
	out[SIGNIN_TOKEN_LEN] = '\0';
	return 0;
}

/* Password then TOTP code (of time t), from a fresh cookie jar. */
static int signin_totp(web_client_t *w, const bench_user_t *u, time_t t)
{
	char csrf[SIGNIN_TOKEN_LEN + 1], form[256], code[16];

	client_forget(w);
	if (client_request(w, "/login", NULL, 0, NULL) != 200 || csrf_of(w, csrf) != 0) {
		report("GET /login", w);
		return -1;
	}
	/* user names and the password are [A-Za-z0-9._-]: nothing to escape */
	snprintf(form, sizeof(form), "user=%s&password=%s&csrf=%s", u->name, password, csrf);
	if (client_request(w, "/login", form, 0, NULL) != 303 ||
	    strcmp(w->location, "/login/code") != 0) {
		report("POST /login", w);
		return -1;
	}
	if (client_request(w, "/login/code", NULL, 0, NULL) != 200 || csrf_of(w, csrf) != 0) {
		report("GET /login/code", w);
		return -1;
	}
	bench_code(u, t, code);
	snprintf(form, sizeof(form), "code=%s&csrf=%s", code, csrf);
	if (client_request(w, "/login/code", form, 0, NULL) != 303 ||
	    strcmp(w->location, "/account") != 0) {
		report("POST /login/code", w);
		return -1;
	}
	return 0;
}

/* ---- WebAuthn, as an authenticator and a browser would ---- */

static int b64(const unsigned char *in, size_t len, char *out, size_t outsz)
{
	return base64url_encode(in, len, out, outsz) == 0 ? 0 : -1;
}

static int sha256(const void *in, size_t len, unsigned char out[32])
{
	unsigned hl = 0;

	return EVP_Digest(in, len, out, &hl, EVP_sha256(), NULL) == 1 && hl == 32 ? 0 : -1;
}

/* publicKey.<member> (a string) of the last JSON reply, into out. */
static int options_string(const web_client_t *w, const char *obj, const char *member, char *out,
			  size_t outsz)
{
	json_t *j = json_loads(w->buf ? w->buf : "", 0, NULL);
	json_t *pk = json_object_get(j, "publicKey");
	const char *s;
	int ok = -1;

	if (obj)
		pk = json_object_get(pk, obj);
	if ((s = json_string_value(json_object_get(pk, member))) != NULL && strlen(s) < outsz) {
		memcpy(out, s, strlen(s) + 1);
		ok = 0;
	}
	json_decref(j);
	return ok;
}

/* A browser's clientDataJSON for the challenge of the last options reply. */
static int client_data(const web_client_t *w, const char *type, char *out, size_t outsz)
{
	char challenge[128];
	int n;

	if (options_string(w, NULL, "challenge", challenge, sizeof(challenge)) != 0)
		return -1;
	n = snprintf(out, outsz,
		     "{\"type\":\"%s\",\"challenge\":\"%s\",\"origin\":\"%s\","
		     "\"crossOrigin\":false}",
		     type, challenge, w->origin);
	return n > 0 && (size_t)n < outsz ? 0 : -1;
}

/* POSTs a JSON object (consumed) and expects 200 {"redirect": "/account"}. */
static int post_json_redirect(web_client_t *w, const char *path, json_t *body, const char *csrf)
{
	char *text = body ? json_dumps(body, JSON_COMPACT) : NULL;
	char where[32] = "";
	int ok = -1;

	json_decref(body);
	if (text && client_request(w, path, text, 1, csrf) == 200) {
		json_t *j = json_loads(w->buf, 0, NULL);
		const char *r = json_string_value(json_object_get(j, "redirect"));
		if (r)
			snprintf(where, sizeof(where), "%s", r);
		json_decref(j);
		ok = strcmp(where, "/account") == 0 ? 0 : -1;
	}
	free(text);
	return ok;
}

/* Signed in (password + TOTP) as u, registers a new ES256 passkey for u. */
static int passkey_register(web_client_t *w, const bench_user_t *u, passkey_t *k)
{
	static const unsigned char cose_head[] = {0xa5, 0x01, 0x02, 0x03, 0x26,
						  0x20, 0x01, 0x21, 0x58, 0x20};
	static const unsigned char att_head[] = {
	    0xa3, 0x63, 'f', 'm', 't',	0x64, 'n', 'o', 'n', 'e', 0x67, 'a', 't', 't',
	    'S',  't',	'm', 't', 0xa0, 0x68, 'a', 'u', 't', 'h', 'D',	'a', 't', 'a'};
	unsigned char pub[65], ad[37 + 16 + 2 + SIGNIN_CRED_ID_LEN + 77], att[300];
	char csrf[SIGNIN_TOKEN_LEN + 1], rp_id[256], handle[128], cdj[512];
	char cdj64[SIGNIN_B64_MAX], att64[SIGNIN_B64_MAX];
	size_t n = 0, adl = 0, attl = 0;

	if (signin_totp(w, u, time(NULL)) != 0)
		return -1;
	if (client_request(w, "/account", NULL, 0, NULL) != 200 || csrf_of(w, csrf) != 0 ||
	    client_request(w, "/webauthn/register/options", "{}", 1, csrf) != 200 ||
	    options_string(w, "rp", "id", rp_id, sizeof(rp_id)) != 0 ||
	    options_string(w, "user", "id", handle, sizeof(handle)) != 0 ||
	    base64url_decode(handle, strlen(handle), k->handle, sizeof(k->handle),
			     &k->handle_len) != 0 ||
	    client_data(w, "webauthn.create", cdj, sizeof(cdj)) != 0) {
		report("register/options", w);
		return -1;
	}
	if ((k->key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256")) == NULL ||
	    EVP_PKEY_get_octet_string_param(k->key, OSSL_PKEY_PARAM_PUB_KEY, pub, sizeof(pub),
					    &n) != 1 ||
	    n != sizeof(pub) || RAND_bytes(k->cred_id, sizeof(k->cred_id)) != 1)
		return -1;
	/* authenticator data: RP ID hash, UP|UV|AT, count 0, AAGUID 0, id, key */
	if (sha256(rp_id, strlen(rp_id), ad) != 0)
		return -1;
	adl = 32;
	ad[adl++] = 0x45;
	memset(ad + adl, 0, 4 + 16);
	adl += 4 + 16;
	ad[adl++] = 0;
	ad[adl++] = SIGNIN_CRED_ID_LEN;
	memcpy(ad + adl, k->cred_id, SIGNIN_CRED_ID_LEN);
	adl += SIGNIN_CRED_ID_LEN;
	memcpy(ad + adl, cose_head, sizeof(cose_head));
	adl += sizeof(cose_head);
	memcpy(ad + adl, pub + 1, 32);
	adl += 32;
	ad[adl++] = 0x22;
	ad[adl++] = 0x58;
	ad[adl++] = 0x20;
	memcpy(ad + adl, pub + 33, 32);
	adl += 32;
	/* {"fmt": "none", "attStmt": {}, "authData": ad} in canonical CBOR */
	memcpy(att, att_head, sizeof(att_head));
	attl = sizeof(att_head);
	att[attl++] = 0x58;
	att[attl++] = (unsigned char)adl;
	memcpy(att + attl, ad, adl);
	attl += adl;
	if (b64((const unsigned char *)cdj, strlen(cdj), cdj64, sizeof(cdj64)) != 0 ||
	    b64(att, attl, att64, sizeof(att64)) != 0)
		return -1;
	if (post_json_redirect(w, "/webauthn/register/verify",
			       json_pack("{s:s, s:s, s:s}", "name", "bench", "clientDataJSON",
					 cdj64, "attestationObject", att64),
			       csrf) != 0) {
		report("register/verify", w);
		return -1;
	}
	return 0;
}

/* A discoverable sign-in with k, from a fresh cookie jar. */
static int signin_passkey(web_client_t *w, passkey_t *k)
{
	unsigned char ad[37], msg[37 + 32], sig[80];
	char csrf[SIGNIN_TOKEN_LEN + 1], rp_id[256], cdj[512];
	char id64[64], cdj64[SIGNIN_B64_MAX], ad64[64], sig64[128], h64[128];
	size_t sigl = sizeof(sig);
	EVP_MD_CTX *md = NULL;
	int ok = -1;

	client_forget(w);
	if (client_request(w, "/login", NULL, 0, NULL) != 200 || csrf_of(w, csrf) != 0) {
		report("GET /login", w);
		return -1;
	}
	if (client_request(w, "/webauthn/login/options", "{}", 1, csrf) != 200 ||
	    options_string(w, NULL, "rpId", rp_id, sizeof(rp_id)) != 0 ||
	    client_data(w, "webauthn.get", cdj, sizeof(cdj)) != 0) {
		report("login/options", w);
		return -1;
	}
	k->count++;
	if (sha256(rp_id, strlen(rp_id), ad) != 0)
		goto out;
	ad[32] = 0x05; /* UP | UV */
	ad[33] = (unsigned char)(k->count >> 24);
	ad[34] = (unsigned char)(k->count >> 16);
	ad[35] = (unsigned char)(k->count >> 8);
	ad[36] = (unsigned char)k->count;
	memcpy(msg, ad, sizeof(ad));
	if (sha256(cdj, strlen(cdj), msg + sizeof(ad)) != 0 || (md = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, k->key) != 1 ||
	    EVP_DigestSign(md, sig, &sigl, msg, sizeof(msg)) != 1)
		goto out;
	if (b64(k->cred_id, sizeof(k->cred_id), id64, sizeof(id64)) != 0 ||
	    b64((const unsigned char *)cdj, strlen(cdj), cdj64, sizeof(cdj64)) != 0 ||
	    b64(ad, sizeof(ad), ad64, sizeof(ad64)) != 0 ||
	    b64(sig, sigl, sig64, sizeof(sig64)) != 0 ||
	    b64(k->handle, k->handle_len, h64, sizeof(h64)) != 0)
		goto out;
	if (post_json_redirect(w, "/webauthn/login/verify",
			       json_pack("{s:s, s:s, s:s, s:s, s:s}", "credentialId", id64,
					 "clientDataJSON", cdj64, "authenticatorData", ad64,
					 "signature", sig64, "userHandle", h64),
			       csrf) != 0) {
		report("login/verify", w);
		goto out;
	}
	ok = 0;
out:
	EVP_MD_CTX_free(md);
	return ok;
}

/* ---- the runs ---- */

static void *totp_worker(void *arg)
{
	web_client_t w;
	size_t i;

	(void)arg;
	if (client_init(&w) != 0)
		return NULL;
	while ((i = atomic_fetch_add(&next_job, 1)) < total) {
		double t0 = bench_now();
		/* the second pass uses the next step's code (window ±1) */
		time_t t = time(NULL) + (i >= n_users ? 30 : 0);
		if (signin_totp(&w, &users[i % n_users], t) == 0) {
			atomic_fetch_add(&ok_count, 1);
			latency[i] = bench_now() - t0;
		}
	}
	client_free(&w);
	return NULL;
}

static void *passkey_worker(void *arg)
{
	passkey_t *k = arg;
	web_client_t w;
	size_t i;

	if (client_init(&w) != 0)
		return NULL;
	while ((i = atomic_fetch_add(&next_job, 1)) < total) {
		double t0 = bench_now();
		if (signin_passkey(&w, k) == 0) {
			atomic_fetch_add(&ok_count, 1);
			latency[i] = bench_now() - t0;
		}
	}
	client_free(&w);
	return NULL;
}

static void *register_worker(void *arg)
{
	size_t i = (size_t)((passkey_t *)arg - keys);
	web_client_t w;

	if (client_init(&w) != 0)
		return NULL;
	if (passkey_register(&w, &users[i], &keys[i]) == 0)
		atomic_fetch_add(&ok_count, 1);
	client_free(&w);
	return NULL;
}

static void *enroll_worker(void *arg)
{
	sesame_client_t *c = NULL;
	json_t *req, *reply;
	char name[64];
	long status;
	size_t i;

	(void)arg;
	if (sesame_client_new(sock, 60000, &c) != 0)
		return NULL;
	while ((i = atomic_fetch_add(&next_job, 1)) < n_users) {
		snprintf(name, sizeof(name), "%s%zu", prefix, i);
		req = json_pack("{s:s, s:s}", "user", name, "password", password);
		reply = NULL;
		status = 0;
		if (sesame_client_call(c, "/v1/user/add", req, &status, &reply) != 0 ||
		    status != 200 || bench_enroll(c, name, &users[i]) != 0) {
			if (atomic_fetch_add(&bad_count, 1) < SIGNIN_MAX_REPORTED)
				fprintf(stderr, "bench_web_signin: enroll %s: HTTP %ld\n", name,
					status);
		} else {
			atomic_fetch_add(&ok_count, 1);
		}
		json_decref(req);
		json_decref(reply);
	}
	sesame_client_free(&c);
	return NULL;
}

/* CPU seconds (user + system) of process pid so far, or -1. */
static double proc_cpu_seconds(const char *pid)
{
	char path[64], text[1024], *p;
	unsigned long ut = 0, st = 0;
	long tick = sysconf(_SC_CLK_TCK);
	size_t n;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%s/stat", pid);
	if ((f = fopen(path, "r")) == NULL)
		return -1;
	n = fread(text, 1, sizeof(text) - 1, f);
	fclose(f);
	text[n] = '\0';
	/* after "(comm)": state is field 3, utime 14 and stime 15 */
	if ((p = strrchr(text, ')')) == NULL ||
	    sscanf(p + 1, " %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &ut, &st) != 2 ||
	    tick <= 0)
		return -1;
	return (double)(ut + st) / (double)tick;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Runs fn on `threads` threads (arg: &keys[i] when keys, else NULL). */
static int run_threads(void *(*fn)(void *), int threads)
{
	pthread_t th[SIGNIN_MAX_THREADS];
	int started = 0;

	for (; started < threads; started++)
		if (pthread_create(&th[started], NULL, fn, keys ? &keys[started] : NULL) != 0)
			break;
	for (int i = 0; i < started; i++)
		pthread_join(th[i], NULL);
	return started == threads ? 0 : -1;
}

/* The timed part of a run: sign-ins/s, latency, the client's CPU. */
static int timed(const char *what, void *(*fn)(void *), int threads)
{
	const char *pid = getenv("BENCH_DAEMON_PID");
	double t0, c0, d0 = -1, dt, cpu, dcpu = -1;
	size_t n = 0;

	if ((latency = calloc(total, sizeof(*latency))) == NULL)
		return 1;
	atomic_store(&next_job, 0);
	atomic_store(&ok_count, 0);
	atomic_store(&bad_count, 0);
	if (pid)
		d0 = proc_cpu_seconds(pid);
	t0 = bench_now();
	c0 = bench_cpu_seconds();
	if (run_threads(fn, threads) != 0)
		return 1;
	dt = bench_now() - t0;
	cpu = bench_cpu_seconds() - c0;
	if (pid && d0 >= 0)
		dcpu = proc_cpu_seconds(pid) - d0;
	for (size_t i = 0; i < total; i++)
		if (latency[i] > 0)
			latency[n++] = latency[i];
	qsort(latency, n, sizeof(*latency), cmp_double);
	printf("%s threads=%d signins=%ld failed=%ld seconds=%.2f per_second=%.2f "
	       "p50_ms=%.1f p99_ms=%.1f client_cpu_ms_each=%.3f client_cores=%.2f "
	       "daemon_cpu_ms_each=%.3f daemon_cores=%.2f\n",
	       what, threads, (long)ok_count, (long)bad_count, dt, (double)ok_count / dt,
	       n ? 1000.0 * latency[n / 2] : 0.0, n ? 1000.0 * latency[(n * 99) / 100] : 0.0,
	       ok_count ? 1000.0 * cpu / (double)ok_count : 0.0, cpu / dt,
	       ok_count && dcpu >= 0 ? 1000.0 * dcpu / (double)ok_count : -1.0,
	       dcpu >= 0 ? dcpu / dt : -1.0);
	free(latency);
	latency = NULL;
	return bad_count || ok_count == 0 ? 1 : 0;
}

static int write_users(const char *path)
{
	FILE *f = fopen(path, "w");

	if (f == NULL)
		return -1;
	for (size_t i = 0; i < n_users; i++) {
		fprintf(f, "%s ", users[i].name);
		for (size_t k = 0; k < users[i].seedlen; k++)
			fprintf(f, "%02x", users[i].seed[k]);
		fputc('\n', f);
	}
	return fclose(f) == 0 ? 0 : -1;
}

static int usage(void)
{
	fprintf(stderr, "usage: bench_web_signin enroll SOCKET PREFIX N PASSWORD USERFILE\n"
			"       bench_web_signin totp PORT USERFILE PASSWORD THREADS\n"
			"       bench_web_signin passkey PORT USERFILE PASSWORD THREADS SIGNINS\n");
	return 2;
}

int main(int argc, char **argv)
{
	int threads, r = 1;

	totp_init();
	curl_global_init(CURL_GLOBAL_DEFAULT);
	if (argc == 7 && strcmp(argv[1], "enroll") == 0) {
		double t0 = bench_now();
		sock = argv[2];
		prefix = argv[3];
		n_users = (size_t)atol(argv[4]);
		password = argv[5];
		if (n_users == 0 || (users = calloc(n_users, sizeof(*users))) == NULL)
			return usage();
		run_threads(enroll_worker, SIGNIN_ENROLL_THREADS);
		r = bad_count || write_users(argv[6]) != 0;
		printf("enrolled=%ld failed=%ld seconds=%.2f\n", (long)ok_count, (long)bad_count,
		       bench_now() - t0);
	} else if (argc == 6 && strcmp(argv[1], "totp") == 0) {
		port = atoi(argv[2]);
		password = argv[4];
		threads = atoi(argv[5]);
		if (threads < 1 || threads > SIGNIN_MAX_THREADS ||
		    bench_load_users(argv[3], &users, &n_users) != 0 || n_users == 0)
			return usage();
		total = 2 * n_users;
		r = timed("password+totp", totp_worker, threads);
	} else if (argc == 7 && strcmp(argv[1], "passkey") == 0) {
		port = atoi(argv[2]);
		password = argv[4];
		threads = atoi(argv[5]);
		total = (size_t)atol(argv[6]);
		if (threads < 1 || threads > SIGNIN_MAX_THREADS || total == 0 ||
		    bench_load_users(argv[3], &users, &n_users) != 0 || n_users < (size_t)threads ||
		    (keys = calloc((size_t)threads, sizeof(*keys))) == NULL)
			return usage();
		/* one passkey per client, registered before the timing */
		if (run_threads(register_worker, threads) != 0 || ok_count != threads) {
			fprintf(stderr, "bench_web_signin: %ld of %d passkeys registered\n",
				(long)ok_count, threads);
			return 1;
		}
		r = timed("passkey", passkey_worker, threads);
		for (int i = 0; i < threads; i++)
			EVP_PKEY_free(keys[i].key);
		free(keys);
	} else {
		return usage();
	}
	free(users);
	curl_global_cleanup();
	return r;
}
