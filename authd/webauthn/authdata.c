/* authenticatorData (WebAuthn §6.1): rpIdHash | flags | signCount |
 * [attested credential data] | [extensions]. Every length is checked
 * against the bytes left before it is used; nothing may follow. */
#include <openssl/crypto.h>
#include <string.h>

#include "sesame/error.h"
#include "webauthn_int.h"

#define AD_FLAGS_OFF 32
#define AD_COUNT_OFF 33
#define AD_CRED_ID_LEN_SIZE 2

static int bad(const char **reason)
{
	return webauthn_fail(reason, WEBAUTHN_R_BAD_AUTH_DATA, SESAME_ERR_INVALID_ARGUMENT);
}

/* The extensions: one definite map with text keys (extension ids). */
static int parse_extensions(const unsigned char *buf, size_t len, size_t *used, const char **reason)
{
	cbor_item_t *map = NULL;
	size_t n;
	int r;

	if (webauthn_cbor_item_len(buf, len, &n) != SESAME_OK || (buf[0] >> 5) != 5) {
		webauthn_debug("extensions are not one definite map");
		return bad(reason);
	}
	if ((r = webauthn_cbor_load(buf, n, &map, reason)) != SESAME_OK)
		return r == SESAME_ERR_NOMEM ? r : bad(reason);
	r = SESAME_OK;
	if (!webauthn_cbor_map_ok(map)) {
		r = bad(reason);
	} else {
		struct cbor_pair *p = cbor_map_handle(map);
		for (size_t i = 0; i < cbor_map_size(map); i++)
			if (!cbor_isa_string(p[i].key))
				r = bad(reason);
	}
	if (r != SESAME_OK)
		webauthn_debug("extensions map");
	cbor_decref(&map);
	*used = n;
	return r;
}

int webauthn_authdata_parse(const unsigned char *buf, size_t len, bool attested,
			    webauthn_authdata_t *out, const char **reason)
{
	size_t off = WEBAUTHN_AUTH_DATA_MIN, n;
	int r;

	memset(out, 0, sizeof(*out));
	if (len > WEBAUTHN_MAX_AUTH_DATA) {
		webauthn_debug("%zu bytes", len);
		return webauthn_fail(reason, WEBAUTHN_R_TOO_LARGE, SESAME_ERR_TOO_LARGE);
	}
	if (buf == NULL || len < WEBAUTHN_AUTH_DATA_MIN) {
		webauthn_debug("%zu bytes, shorter than the fixed part", len);
		return bad(reason);
	}
	out->rp_id_hash = buf;
	out->flags = buf[AD_FLAGS_OFF];
	out->sign_count = (uint32_t)buf[AD_COUNT_OFF] << 24 |
			  (uint32_t)buf[AD_COUNT_OFF + 1] << 16 |
			  (uint32_t)buf[AD_COUNT_OFF + 2] << 8 | (uint32_t)buf[AD_COUNT_OFF + 3];
	if (attested != ((out->flags & WEBAUTHN_FLAG_AT) != 0)) {
		webauthn_debug("AT flag %s", attested ? "missing" : "set in an assertion");
		return bad(reason);
	}
	if ((out->flags & WEBAUTHN_FLAG_BS) && !(out->flags & WEBAUTHN_FLAG_BE)) {
		webauthn_debug("backup state without backup eligibility");
		return bad(reason);
	}
	if (out->flags & WEBAUTHN_FLAG_AT) {
		if (len - off < WEBAUTHN_AAGUID_LEN + AD_CRED_ID_LEN_SIZE) {
			webauthn_debug("attested credential data truncated");
			return bad(reason);
		}
		out->aaguid = buf + off;
		off += WEBAUTHN_AAGUID_LEN;
		out->cred_id_len = (size_t)buf[off] << 8 | buf[off + 1];
		off += AD_CRED_ID_LEN_SIZE;
		if (out->cred_id_len == 0 || out->cred_id_len > WEBAUTHN_MAX_CRED_ID ||
		    out->cred_id_len > len - off) {
			webauthn_debug("credentialIdLength %zu", out->cred_id_len);
			return bad(reason);
		}
		out->cred_id = buf + off;
		off += out->cred_id_len;
		if (off == len || webauthn_cbor_item_len(buf + off, len - off, &n) != SESAME_OK) {
			webauthn_debug("credentialPublicKey is not one CBOR item");
			return webauthn_fail(reason, WEBAUTHN_R_BAD_COSE_KEY,
					     SESAME_ERR_INVALID_ARGUMENT);
		}
		out->cose_key = buf + off;
		out->cose_key_len = n;
		off += n;
	}
	if (out->flags & WEBAUTHN_FLAG_ED) {
		if (off == len) {
			webauthn_debug("ED flag without extensions");
			return bad(reason);
		}
		if ((r = parse_extensions(buf + off, len - off, &n, reason)) != SESAME_OK)
			return r;
		out->ext = buf + off;
		out->ext_len = n;
		off += n;
	}
	if (off != len) {
		webauthn_debug("%zu bytes after the last field", len - off);
		return webauthn_fail(reason, WEBAUTHN_R_TRAILING_BYTES,
				     SESAME_ERR_INVALID_ARGUMENT);
	}
	*reason = WEBAUTHN_R_OK;
	return SESAME_OK;
}

int webauthn_authdata_check(const webauthn_authdata_t *ad, const webauthn_rp_t *rp,
			    const char **reason)
{
	unsigned char h[WEBAUTHN_SHA256_LEN];
	int r;

	if ((r = webauthn_sha256(rp->rp_id, strlen(rp->rp_id), h)) != SESAME_OK)
		return webauthn_fail(reason, WEBAUTHN_R_INTERNAL, r);
	if (CRYPTO_memcmp(h, ad->rp_id_hash, sizeof(h)) != 0) {
		webauthn_debug("rpIdHash is not SHA-256 of the RP ID");
		return webauthn_fail(reason, WEBAUTHN_R_WRONG_RP_ID, SESAME_ERR_PERMISSION);
	}
	if (!(ad->flags & WEBAUTHN_FLAG_UP)) {
		webauthn_debug("UP flag not set");
		return webauthn_fail(reason, WEBAUTHN_R_USER_NOT_PRESENT, SESAME_ERR_PERMISSION);
	}
	if (rp->require_uv && !(ad->flags & WEBAUTHN_FLAG_UV)) {
		webauthn_debug("UV flag not set");
		return webauthn_fail(reason, WEBAUTHN_R_USER_NOT_VERIFIED, SESAME_ERR_PERMISSION);
	}
	*reason = WEBAUTHN_R_OK;
	return SESAME_OK;
}
