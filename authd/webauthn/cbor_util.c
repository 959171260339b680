/* libcbor with the checks it does not make: before cbor_load() allocates,
 * a bounded walk proves the input is one well-formed, definite-length item
 * whose declared sizes fit in the bytes at hand; then typed accessors that
 * check type and definiteness before a byte is read. */
#include <cbor.h>
#include <stdint.h>
#include <string.h>

#include "sesame/error.h"
#include "webauthn_int.h"

/* Reads an item head: major type and argument. Refuses the reserved
 * additional information values and indefinite lengths (31). */
static int scan_head(const unsigned char *buf, size_t len, size_t *off, unsigned *major,
		     uint64_t *val)
{
	unsigned ai;
	size_t n;

	if (*off >= len)
		return -1;
	*major = buf[*off] >> 5;
	ai = buf[*off] & 0x1fu;
	(*off)++;
	if (ai < 24) {
		*val = ai;
		return 0;
	}
	switch (ai) {
	case 24:
		n = 1;
		break;
	case 25:
		n = 2;
		break;
	case 26:
		n = 4;
		break;
	case 27:
		n = 8;
		break;
	default: /* 28-30 reserved; 31 indefinite length or break */
		return -1;
	}
	if (len - *off < n)
		return -1;
	*val = 0;
	for (size_t i = 0; i < n; i++)
		*val = *val << 8 | buf[(*off)++];
	if (*major == 7 && ai == 24 && *val < 32) /* RFC 8949 §3.3: not well-formed */
		return -1;
	return 0;
}

/* Every declared count is checked against the bytes left (each item takes
 * at least one byte), so nothing larger than the input is ever allocated. */
static int scan_item(const unsigned char *buf, size_t len, size_t *off, int depth)
{
	unsigned major;
	uint64_t val;

	if (depth > WEBAUTHN_CBOR_MAX_DEPTH || scan_head(buf, len, off, &major, &val) != 0)
		return -1;
	switch (major) {
	case 0: /* unsigned */
	case 1: /* negative */
	case 7: /* simple values and floats: the head held them */
		return 0;
	case 2: /* byte string */
	case 3: /* text string */
		if (val > len - *off)
			return -1;
		*off += (size_t)val;
		return 0;
	case 4: /* array */
		if (val > len - *off)
			return -1;
		for (uint64_t i = 0; i < val; i++)
			if (scan_item(buf, len, off, depth + 1) != 0)
				return -1;
		return 0;
	case 5: /* map */
		if (val > (len - *off) / 2)
			return -1;
		for (uint64_t i = 0; i < 2 * val; i++)
			if (scan_item(buf, len, off, depth + 1) != 0)
				return -1;
		return 0;
	default: /* 6: tag, then one item */
		return scan_item(buf, len, off, depth + 1);
	}
}

int webauthn_cbor_item_len(const unsigned char *buf, size_t len, size_t *item_len)
{
	size_t off = 0;

	if (buf == NULL || len == 0 || scan_item(buf, len, &off, 0) != 0)
		return SESAME_ERR_INVALID_ARGUMENT;
	*item_len = off;
	return SESAME_OK;
}

int webauthn_cbor_load(const unsigned char *buf, size_t len, cbor_item_t **out, const char **reason)
{
	struct cbor_load_result res;
	cbor_item_t *it;
	size_t n;

	*out = NULL;
	if (webauthn_cbor_item_len(buf, len, &n) != SESAME_OK) {
		webauthn_debug("not one well-formed definite item");
		return webauthn_fail(reason, WEBAUTHN_R_BAD_CBOR, SESAME_ERR_INVALID_ARGUMENT);
	}
	if (n != len) {
		webauthn_debug("%zu bytes after the item", len - n);
		return webauthn_fail(reason, WEBAUTHN_R_TRAILING_BYTES,
				     SESAME_ERR_INVALID_ARGUMENT);
	}
	memset(&res, 0, sizeof(res));
	if ((it = cbor_load(buf, len, &res)) == NULL) {
		webauthn_debug("cbor_load: error %d", (int)res.error.code);
		if (res.error.code == CBOR_ERR_MEMERROR)
			return webauthn_fail(reason, WEBAUTHN_R_INTERNAL, SESAME_ERR_NOMEM);
		return webauthn_fail(reason, WEBAUTHN_R_BAD_CBOR, SESAME_ERR_INVALID_ARGUMENT);
	}
	if (res.read != len) {
		webauthn_debug("cbor_load read %zu of %zu bytes", res.read, len);
		cbor_decref(&it);
		return webauthn_fail(reason, WEBAUTHN_R_TRAILING_BYTES,
				     SESAME_ERR_INVALID_ARGUMENT);
	}
	*out = it;
	return SESAME_OK;
}

bool webauthn_cbor_is_text(const cbor_item_t *it, const char *s)
{
	size_t n = strlen(s);

	if (!cbor_isa_string(it) || !cbor_string_is_definite(it) || cbor_string_length(it) != n)
		return false;
	return n == 0 || memcmp(cbor_string_handle(it), s, n) == 0;
}

const unsigned char *webauthn_cbor_bytes(const cbor_item_t *it, size_t *len)
{
	static const unsigned char empty[1];
	const unsigned char *p;

	if (!cbor_isa_bytestring(it) || !cbor_bytestring_is_definite(it))
		return NULL;
	*len = cbor_bytestring_length(it);
	p = cbor_bytestring_handle(it);
	if (*len == 0 || p == NULL) {
		*len = 0;
		return empty;
	}
	return p;
}

bool webauthn_cbor_int(const cbor_item_t *it, int64_t *v)
{
	uint64_t n;

	if (!cbor_isa_uint(it) && !cbor_isa_negint(it))
		return false;
	n = cbor_get_int(it);
	if (n > (uint64_t)INT64_MAX)
		return false;
	*v = cbor_isa_uint(it) ? (int64_t)n : -1 - (int64_t)n;
	return true;
}

static bool key_usable(const cbor_item_t *k)
{
	int64_t v;

	return webauthn_cbor_int(k, &v) || (cbor_isa_string(k) && cbor_string_is_definite(k));
}

static bool key_equal(const cbor_item_t *a, const cbor_item_t *b)
{
	int64_t x, y;
	size_t n;

	if (webauthn_cbor_int(a, &x) && webauthn_cbor_int(b, &y))
		return x == y;
	if (!cbor_isa_string(a) || !cbor_isa_string(b))
		return false;
	n = cbor_string_length(a);
	return n == cbor_string_length(b) &&
	       (n == 0 || memcmp(cbor_string_handle(a), cbor_string_handle(b), n) == 0);
}

/* A definite map of bounded size whose keys are integers or text, each
 * once: the maps we read must mean one thing only. */
bool webauthn_cbor_map_ok(const cbor_item_t *it)
{
	struct cbor_pair *p;
	size_t n;

	if (!cbor_isa_map(it) || !cbor_map_is_definite(it))
		return false;
	if ((n = cbor_map_size(it)) > WEBAUTHN_CBOR_MAX_MAP)
		return false;
	p = cbor_map_handle(it);
	for (size_t i = 0; i < n; i++) {
		if (p[i].key == NULL || p[i].value == NULL || !key_usable(p[i].key))
			return false;
		for (size_t j = 0; j < i; j++)
			if (key_equal(p[i].key, p[j].key))
				return false;
	}
	return true;
}
