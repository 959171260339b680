/* libFuzzer target: the daemon's request handlers on arbitrary bodies, as
 * root, against a real SQLite store in a temp folder. The first byte picks
 * the endpoint; the rest is the body, parsed as the HTTP layer does. */
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "api.h"
#include "sesame/log.h"
#include "totp.h"

static authd_t d;

static const char *const paths[] = {
    "/v1/health",      "/v1/pam/start",	   "/v1/pam/continue", "/v1/pam/account",
    "/v1/totp/enroll", "/v1/totp/confirm", "/v1/totp/list",    "/v1/totp/remove",
    "/v1/user/show",   "/v1/user/unlock",  "/v1/audit",	       "/v1/password/check",
    "/v1/user/add",    "/v1/user/passwd",  "/v1/user/disable", "/v1/user/enable"};

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char dir[] = "/tmp/fuzz-api-XXXXXX";
	char key[256], db[256];
	static const char keyline[] =
	    "1 000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f\n";
	FILE *f;

	(void)argc;
	(void)argv;
	if (mkdtemp(dir) == NULL)
		abort();
	snprintf(key, sizeof(key), "%s/key", dir);
	snprintf(db, sizeof(db), "%s/db", dir);
	if ((f = fopen(key, "w")) == NULL || fputs(keyline, f) < 0 || fclose(f) != 0)
		abort();
	chmod(key, 0600);
	config_defaults(&d.cfg);
	d.throttle = (throttle_params_t){d.cfg.max_failures, d.cfg.base_delay, d.cfg.max_delay};
	if (totp_init() != 0 || seal_keyring_load(key, &d.keys) != 0 ||
	    store_open(db, &d.store) != 0)
		abort();
	char err[256];
	if (password_policy_new(&d.cfg.password, &d.password, err, sizeof(err)) != 0 ||
	    ratelimit_new(1e9, 1e9, &d.password_rate) != 0)
		abort();
	log_init("fuzz_api", 0, LOG_ERR);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	authd_caller_t root = {0, 1, 0, ""};
	api_error_t err;
	json_t *req, *reply = NULL;

	memset(&err, 0, sizeof(err));
	if (size < 1 || size > SESAME_MAX_BODY)
		return 0;
	api_perm_t perm;
	api_handler_t h = api_route(paths[data[0] % (sizeof(paths) / sizeof(paths[0]))], &perm);
	req = json_loadb((const char *)data + 1, size - 1, JSON_REJECT_DUPLICATES, NULL);
	if (req == NULL || !json_is_object(req)) {
		json_decref(req);
		return 0;
	}
	int r = api_permitted(perm, &root, req, &err);
	if (r == 0)
		r = h(&d, &root, req, &reply, &err);
	if ((r == 0) != (reply != NULL)) /* a reply exactly when the handler succeeded */
		abort();
	json_decref(reply);
	json_decref(err.extra); /* as authd/http.c does after sending the error */
	json_decref(req);
	return 0;
}
