/* Decoders of the daemon's replies (see include/sesame/client_decode.h).
 * This is the one parser that runs inside root processes (sshd, su): it is
 * strict on every field it reads and ignores the fields it does not know. */
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "sesame/client_decode.h"
#include "sesame/error.h"
#include "sesame/limits.h"

/* What a string field may hold. */
typedef enum {
	DECODE_TEXT,   /* UTF-8 for a terminal: no C0 control but '\n', no DEL, no C1 */
	DECODE_TOKEN,  /* a code: [A-Za-z0-9_.-] */
	DECODE_OPAQUE, /* a token the client sends back: printable ASCII without space */
} decode_class_t;

/* The top-level object of json[0..len), or NULL. jansson refuses
 * truncated text, trailing bytes, invalid UTF-8 and "\u0000" (no
 * JSON_ALLOW_NUL); duplicate keys are refused as the daemon refuses them. */
static json_t *decode_object(const char *json, size_t len)
{
	json_t *root;

	if (json == NULL || len == 0 || len > SESAME_MAX_BODY)
		return NULL;
	root = json_loadb(json, len, JSON_REJECT_DUPLICATES, NULL);
	if (root != NULL && !json_is_object(root)) {
		json_decref(root);
		root = NULL;
	}
	return root;
}

static int decode_class_ok(const char *s, size_t len, decode_class_t cls)
{
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		switch (cls) {
		case DECODE_TOKEN:
			if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			      (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-'))
				return 0;
			break;
		case DECODE_OPAQUE:
			if (c < 0x21 || c > 0x7e)
				return 0;
			break;
		case DECODE_TEXT:
			if ((c < 0x20 && c != '\n') || c == 0x7f)
				return 0;
			/* C1 controls U+0080..U+009F are C2 80..C2 9F in UTF-8
			 * (jansson has checked the encoding) */
			if (c == 0xc2 && i + 1 < len && (unsigned char)s[i + 1] >= 0x80 &&
			    (unsigned char)s[i + 1] <= 0x9f)
				return 0;
			break;
		}
	}
	return 1;
}

/* obj[key] copied into buf[bufsz] as a string of min..bufsz-1 bytes of
 * class cls. Absent and not required: buf empty. 0, or -1. */
static int decode_string(const json_t *obj, const char *key, int required, size_t min,
			 decode_class_t cls, char *buf, size_t bufsz)
{
	const json_t *v = json_object_get(obj, key);
	const char *s;
	size_t len;

	buf[0] = '\0';
	if (v == NULL)
		return required ? -1 : 0;
	if (!json_is_string(v))
		return -1;
	s = json_string_value(v);
	len = json_string_length(v);
	/* strnlen: a NUL inside the string, should the parser ever let one in */
	if (len < min || len >= bufsz || strnlen(s, bufsz) != len || !decode_class_ok(s, len, cls))
		return -1;
	memcpy(buf, s, len + 1);
	return 0;
}

/* obj[key] as an integer in [min, max]; absent and not required: 0. */
static int decode_int(const json_t *obj, const char *key, int required, long min, long max,
		      long *out)
{
	const json_t *v = json_object_get(obj, key);
	json_int_t n;

	*out = 0;
	if (v == NULL)
		return required ? -1 : 0;
	if (!json_is_integer(v))
		return -1;
	n = json_integer_value(v);
	if (n < min || n > max)
		return -1;
	*out = (long)n;
	return 0;
}

/* obj[key] as a boolean; absent and not required: false. */
static int decode_bool(const json_t *obj, const char *key, int required, bool *out)
{
	const json_t *v = json_object_get(obj, key);

	*out = false;
	if (v == NULL)
		return required ? -1 : 0;
	if (!json_is_boolean(v))
		return -1;
	*out = json_is_true(v);
	return 0;
}

/* The value of a token field among names (NULL-terminated): its index + 1,
 * or 0 when missing, mistyped or not one of them. */
static int decode_enum(const json_t *obj, const char *key, const char *const *names)
{
	char buf[SESAME_MAX_TOKEN + 1];

	if (decode_string(obj, key, 1, 1, DECODE_TOKEN, buf, sizeof(buf)) != 0)
		return 0;
	for (int i = 0; names[i] != NULL; i++)
		if (strcmp(buf, names[i]) == 0)
			return i + 1;
	return 0;
}

static int decode_prompt(const json_t *o, client_pam_step_t *out)
{
	long digits;

	if (decode_string(o, "txn", 1, 1, DECODE_OPAQUE, out->txn, sizeof(out->txn)) != 0 ||
	    decode_string(o, "factor", 1, 1, DECODE_TOKEN, out->factor, sizeof(out->factor)) != 0 ||
	    decode_string(o, "prompt", 1, 1, DECODE_TEXT, out->prompt, sizeof(out->prompt)) != 0 ||
	    decode_string(o, "message", 0, 0, DECODE_TEXT, out->message, sizeof(out->message)) !=
		0 ||
	    decode_bool(o, "echo", 0, &out->echo) != 0 ||
	    decode_int(o, "digits", 0, 0, SESAME_MAX_ANSWER, &digits) != 0)
		return -1;
	out->digits = (int)digits;
	return 0;
}

static int decode_verdict(const json_t *o, client_pam_step_t *out)
{
	static const char *const results[] = {"success", "denied", "unavailable", NULL};
	int r = decode_enum(o, "result", results);

	if (r == 0)
		return -1;
	out->result = (client_result_t)r; /* in the order of client_result_t */
	if (decode_string(o, "reason", 0, 0, DECODE_TOKEN, out->reason, sizeof(out->reason)) != 0 ||
	    decode_string(o, "factor", 0, 0, DECODE_TOKEN, out->factor, sizeof(out->factor)) != 0 ||
	    decode_string(o, "message", 0, 0, DECODE_TEXT, out->message, sizeof(out->message)) !=
		0 ||
	    decode_int(o, "wait", 0, 0, SESAME_MAX_WAIT, &out->wait) != 0)
		return -1;
	/* a denial always says why (docs/protocol.md) */
	if (out->result == CLIENT_RESULT_DENIED && out->message[0] == '\0')
		return -1;
	return 0;
}

void client_pam_step_clear(client_pam_step_t *s)
{
	if (s != NULL)
		explicit_bzero(s, sizeof(*s));
}

int client_pam_step_decode(const char *json, size_t len, client_pam_step_t *out)
{
	static const char *const steps[] = {"prompt", "verdict", NULL};
	json_t *o = NULL;
	int ok = SESAME_ERR_PROTOCOL;
	int kind;

	client_pam_step_clear(out);
	if ((o = decode_object(json, len)) == NULL)
		goto fail;
	kind = decode_enum(o, "step", steps);
	if (kind == 0)
		goto fail;
	out->kind = (client_step_kind_t)kind;
	if (out->kind == CLIENT_STEP_PROMPT ? decode_prompt(o, out) : decode_verdict(o, out))
		goto fail;
	ok = SESAME_OK;
fail:
	if (ok != SESAME_OK)
		client_pam_step_clear(out);
	json_decref(o);
	return ok;
}

int client_account_decode(const char *json, size_t len, client_account_t *out)
{
	json_t *o = NULL;
	int ok = SESAME_ERR_PROTOCOL;

	memset(out, 0, sizeof(*out));
	if ((o = decode_object(json, len)) == NULL)
		goto fail;
	if (decode_bool(o, "locked", 1, &out->locked) != 0 ||
	    decode_bool(o, "disabled", 0, &out->disabled) != 0 ||
	    decode_int(o, "wait", 0, 0, SESAME_MAX_WAIT, &out->wait) != 0 ||
	    decode_string(o, "message", 0, 0, DECODE_TEXT, out->message, sizeof(out->message)) != 0)
		goto fail;
	ok = SESAME_OK;
fail:
	if (ok != SESAME_OK)
		memset(out, 0, sizeof(*out));
	json_decref(o);
	return ok;
}

static int decode_reasons(const json_t *o, client_password_t *out)
{
	const json_t *reasons = json_object_get(o, "reasons");
	const json_t *r;
	size_t i;

	if (reasons == NULL)
		return 0;
	if (!json_is_array(reasons) || json_array_size(reasons) > SESAME_MAX_REASONS)
		return -1;
	json_array_foreach(reasons, i, r)
	{
		client_password_reason_t *dst = &out->reasons[i];

		if (!json_is_object(r) ||
		    decode_string(r, "code", 0, 0, DECODE_TOKEN, dst->code, sizeof(dst->code)) !=
			0 ||
		    decode_string(r, "message", 1, 1, DECODE_TEXT, dst->message,
				  sizeof(dst->message)) != 0)
			return -1;
		out->nreasons = i + 1;
	}
	return 0;
}

int client_password_decode(const char *json, size_t len, client_password_t *out)
{
	json_t *o = NULL;
	const json_t *hint;
	long score;
	int ok = SESAME_ERR_PROTOCOL;

	memset(out, 0, sizeof(*out));
	if ((o = decode_object(json, len)) == NULL)
		goto fail;
	hint = json_object_get(o, "hint");
	if (decode_bool(o, "accepted", 1, &out->accepted) != 0 ||
	    decode_int(o, "score", 0, -1, 4, &score) != 0 ||
	    decode_int(o, "length", 0, 0, SESAME_MAX_BODY, &out->length) != 0 ||
	    decode_reasons(o, out) != 0 ||
	    (!json_is_null(hint) &&
	     decode_string(o, "hint", 0, 0, DECODE_TEXT, out->hint, sizeof(out->hint)) != 0))
		goto fail;
	out->has_score = json_object_get(o, "score") != NULL;
	out->score = (int)score;
	ok = SESAME_OK;
fail:
	if (ok != SESAME_OK)
		memset(out, 0, sizeof(*out));
	json_decref(o);
	return ok;
}

int client_health_decode(const char *json, size_t len)
{
	static const char *const statuses[] = {"ok", NULL};
	json_t *o = decode_object(json, len);
	int ok =
	    o != NULL && decode_enum(o, "status", statuses) == 1 ? SESAME_OK : SESAME_ERR_PROTOCOL;

	json_decref(o);
	return ok;
}

void client_error_decode(const char *json, size_t len, client_error_t *out)
{
	json_t *o = decode_object(json, len);

	memset(out, 0, sizeof(*out));
	if (o == NULL ||
	    decode_string(o, "error", 1, 1, DECODE_TOKEN, out->code, sizeof(out->code)) != 0) {
		out->err = SESAME_ERR_PROTOCOL;
		snprintf(out->code, sizeof(out->code), "%s", sesame_err_code(SESAME_ERR_PROTOCOL));
	} else {
		out->err = sesame_err_from_code(out->code);
		if (out->err == SESAME_OK) /* "ok" is no error */
			out->err = SESAME_ERR_PROTOCOL;
	}
	if (o == NULL ||
	    decode_string(o, "message", 1, 1, DECODE_TEXT, out->message, sizeof(out->message)) != 0)
		snprintf(out->message, sizeof(out->message), "%s", sesame_err_message(out->err));
	json_decref(o);
}
