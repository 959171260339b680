/* libFuzzer target: pam_sesame.so's entry points end to end, with the
 * daemon's replies taken from the input. The module's own sources are built
 * in; libpam and the transport (sesame_client_new/free/post) are replaced
 * by the stubs below, so that each run is one PAM call in memory: options,
 * items, the canonical user name, the step loop, otp_suffix, the account
 * and password exchanges, every reply decoded and acted on.
 *
 * Input: one byte of flags, then the replies separated by NUL bytes (no
 * reply holds one). A reply that starts with "#NNN" is sent with HTTP status
 * NNN, any other with 200. When the replies run out the daemon is
 * unreachable. Every request the module sends must be one JSON object. */
#include <jansson.h>
#include <security/pam_appl.h>
#include <security/pam_ext.h>
#include <security/pam_modules.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sesame/client.h"
#include "sesame/error.h"

/* Flags of the first byte. */
#define FZ_SUFFIX 0x01	/* otp_suffix */
#define FZ_NULLOK 0x02	/* nullok */
#define FZ_SILENT 0x04	/* PAM_SILENT */
#define FZ_AUTHTOK 0x08 /* PAM_AUTHTOK set by an "earlier module" */
#define FZ_ENTRY 0x30	/* which entry point: */
#define FZ_AUTH 0x00
#define FZ_ACCOUNT 0x10
#define FZ_CHAUTHTOK 0x20
#define FZ_PRELIM 0x30
#define FZ_ANSWER_LONG 0x40 /* the conversation answers with 300 bytes */
#define FZ_ENFORCE 0x80	    /* enforce_for_root (the fuzzer runs as root) */

struct pam_handle {
	char *authtok;
	char *oldauthtok;
	const char *data_name;
	void *data;
	void (*cleanup)(pam_handle_t *, void *, int);
	struct pam_conv conv;
};

/* The replies still to be sent, and the current one (owned). */
static const uint8_t *fz_next;
static size_t fz_left;
static char *fz_reply;
static int fz_flags;

/* --- the transport ---------------------------------------------------- */

struct sesame_client {
	int dummy;
};

int sesame_client_new(const char *socket_path, long timeout_ms, sesame_client_t **out)
{
	(void)socket_path;
	(void)timeout_ms;
	*out = calloc(1, sizeof(**out));
	return *out != NULL ? SESAME_OK : SESAME_ERR_NOMEM;
}

void sesame_client_free(sesame_client_t **cp)
{
	if (cp == NULL)
		return;
	free(*cp);
	*cp = NULL;
}

int sesame_client_post(sesame_client_t *c, const char *path, const char *body, size_t len,
		       long *status, const char **reply, size_t *reply_len)
{
	const uint8_t *end;
	size_t n;
	json_t *req;

	(void)c;
	*status = 0;
	*reply = NULL;
	*reply_len = 0;
	/* what the module sends is one JSON object, of the stated length */
	if (path == NULL || path[0] != '/' || strlen(body) != len)
		abort();
	req = json_loadb(body, len, JSON_REJECT_DUPLICATES, NULL);
	if (!json_is_object(req))
		abort();
	json_decref(req);
	free(fz_reply);
	fz_reply = NULL;
	if (fz_left == 0)
		return SESAME_ERR_UNAVAILABLE;
	end = memchr(fz_next, 0, fz_left);
	n = end != NULL ? (size_t)(end - fz_next) : fz_left;
	*status = 200;
	if (n >= 4 && fz_next[0] == '#') {
		*status = (fz_next[1] - '0') * 100 + (fz_next[2] - '0') * 10 + (fz_next[3] - '0');
		fz_next += 4;
		fz_left -= 4;
		n -= 4;
	}
	/* exactly n bytes and the NUL the transport adds: ASan sees overreads */
	if ((fz_reply = malloc(n + 1)) == NULL)
		return SESAME_ERR_NOMEM;
	memcpy(fz_reply, fz_next, n);
	fz_reply[n] = '\0';
	fz_next += n;
	fz_left -= n;
	if (fz_left > 0) { /* the separator */
		fz_next++;
		fz_left--;
	}
	*reply = fz_reply;
	*reply_len = n;
	return SESAME_OK;
}

/* --- libpam ----------------------------------------------------------- */

int pam_get_user(pam_handle_t *pamh, const char **user, const char *prompt)
{
	(void)pamh;
	(void)prompt;
	*user = "root"; /* known to NSS here: the canonical-name lookup runs */
	return PAM_SUCCESS;
}

int pam_get_item(const pam_handle_t *pamh, int item_type, const void **item)
{
	switch (item_type) {
	case PAM_SERVICE:
		*item = "fuzz";
		return PAM_SUCCESS;
	case PAM_RHOST:
		*item = "192.0.2.7";
		return PAM_SUCCESS;
	case PAM_TTY:
		*item = "ssh";
		return PAM_SUCCESS;
	case PAM_CONV:
		*item = &pamh->conv;
		return PAM_SUCCESS;
	case PAM_AUTHTOK:
		*item = pamh->authtok;
		return PAM_SUCCESS;
	case PAM_OLDAUTHTOK:
		*item = pamh->oldauthtok;
		return PAM_SUCCESS;
	default:
		*item = NULL;
		return PAM_BAD_ITEM;
	}
}

int pam_set_item(pam_handle_t *pamh, int item_type, const void *item)
{
	char *copy;

	if (item_type != PAM_AUTHTOK)
		return PAM_BAD_ITEM;
	copy = item != NULL ? strdup(item) : NULL;
	if (item != NULL && copy == NULL)
		return PAM_BUF_ERR;
	free(pamh->authtok);
	pamh->authtok = copy;
	return PAM_SUCCESS;
}

int pam_get_data(const pam_handle_t *pamh, const char *module_data_name, const void **data)
{
	if (pamh->data_name == NULL || strcmp(pamh->data_name, module_data_name) != 0)
		return PAM_NO_MODULE_DATA;
	*data = pamh->data;
	return PAM_SUCCESS;
}

int pam_set_data(pam_handle_t *pamh, const char *module_data_name, void *data,
		 void (*cleanup)(pam_handle_t *pamh, void *data, int error_status))
{
	if (pamh->cleanup != NULL)
		pamh->cleanup(pamh, pamh->data, 0);
	pamh->data_name = module_data_name;
	pamh->data = data;
	pamh->cleanup = cleanup;
	return PAM_SUCCESS;
}

void pam_vsyslog(const pam_handle_t *pamh, int priority, const char *fmt, va_list args)
{
	char line[1024];

	(void)pamh;
	(void)priority;
	vsnprintf(line, sizeof(line), fmt, args);
}

void pam_syslog(const pam_handle_t *pamh, int priority, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	pam_vsyslog(pamh, priority, fmt, ap);
	va_end(ap);
}

const char *pam_strerror(pam_handle_t *pamh, int errnum)
{
	(void)pamh;
	(void)errnum;
	return "error";
}

/* The application: answers every prompt; checks what it is shown. */
static int fz_conv(int n, const struct pam_message **msg, struct pam_response **resp, void *data)
{
	struct pam_response *r = calloc((size_t)n, sizeof(*r));

	(void)data;
	if (r == NULL)
		return PAM_BUF_ERR;
	for (int i = 0; i < n; i++) {
		const char *text = msg[i]->msg;
		if (text == NULL || strchr(text, 0x1b) != NULL)
			abort(); /* no escape sequence reaches the terminal */
		if (msg[i]->msg_style == PAM_PROMPT_ECHO_OFF ||
		    msg[i]->msg_style == PAM_PROMPT_ECHO_ON) {
			if (fz_flags & FZ_ANSWER_LONG) {
				r[i].resp = malloc(301);
				if (r[i].resp != NULL) {
					memset(r[i].resp, '7', 300);
					r[i].resp[300] = '\0';
				}
			} else {
				r[i].resp = strdup(strstr(text, "assword") != NULL
						       ? "correct horse battery staple"
						       : "123456");
			}
		}
	}
	*resp = r;
	return PAM_SUCCESS;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pam_handle h;
	const char *argv[5];
	int argc = 0;
	int rv;

	if (size < 1)
		return 0;
	memset(&h, 0, sizeof(h));
	h.conv.conv = fz_conv;
	fz_flags = data[0];
	fz_next = data + 1;
	fz_left = size - 1;
	argv[argc++] = "socket=/nonexistent/fuzz.sock";
	if (fz_flags & FZ_SUFFIX)
		argv[argc++] = "otp_suffix";
	if (fz_flags & FZ_NULLOK)
		argv[argc++] = "nullok";
	if (fz_flags & FZ_ENFORCE)
		argv[argc++] = "enforce_for_root";
	argv[argc++] = "debug";
	if (fz_flags & FZ_AUTHTOK) {
		h.authtok = strdup("hunter2654321");
		h.oldauthtok = strdup("old password");
	}
	switch (fz_flags & FZ_ENTRY) {
	case FZ_AUTH:
		rv = pam_sm_authenticate(&h, fz_flags & FZ_SILENT ? PAM_SILENT : 0, argc, argv);
		break;
	case FZ_ACCOUNT:
		rv = pam_sm_acct_mgmt(&h, 0, argc, argv);
		break;
	case FZ_CHAUTHTOK:
		rv = pam_sm_chauthtok(&h, PAM_UPDATE_AUTHTOK, argc, argv);
		break;
	default:
		rv = pam_sm_chauthtok(&h, PAM_PRELIM_CHECK, argc, argv);
		break;
	}
	if (getenv("FUZZ_PAM_TRACE") != NULL) /* for checking the seeds by hand */
		fprintf(stderr, "flags=0x%02x rv=%d\n", (unsigned)fz_flags, rv);
	/* fail closed: success only from a verdict, an account reply or a check */
	if (rv == PAM_SUCCESS && (size < 2 || data[1] == 0))
		abort();
	if (h.cleanup != NULL)
		h.cleanup(&h, h.data, 0);
	free(h.authtok);
	free(h.oldauthtok);
	free(fz_reply);
	fz_reply = NULL;
	return 0;
}
