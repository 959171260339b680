/* Fixed relying party of the fuzz_webauthn_* targets: the same RP ID,
 * origin, challenge and attestation root as `softauthn.py --corpus`, so
 * the committed seeds are whole valid ceremonies and reach every check. */
#ifndef FUZZ_WEBAUTHN_COMMON_H
#define FUZZ_WEBAUTHN_COMMON_H

#include "webauthn/webauthn.h"

static const char *const fuzz_origins[] = {"https://example.org"};

/* bytes 0x40..0x5f (softauthn.py FUZZ_CHALLENGE) */
static const unsigned char fuzz_challenge[32] = {
    0x40, 0x41, 0x42, 0x43, 0x44, 0x45, 0x46, 0x47, 0x48, 0x49, 0x4a, 0x4b, 0x4c, 0x4d, 0x4e, 0x4f,
    0x50, 0x51, 0x52, 0x53, 0x54, 0x55, 0x56, 0x57, 0x58, 0x59, 0x5a, 0x5b, 0x5c, 0x5d, 0x5e, 0x5f};

static const char fuzz_client_data_create[] =
    "{\"type\":\"webauthn.create\",\"challenge\":\"QEFCQ0RFRkdISUpLTE1OT1BRUlNUVVZXWFlaW1xdXl8\","
    "\"origin\":\"https://example.org\",\"crossOrigin\":false}";
static const char fuzz_client_data_get[] =
    "{\"type\":\"webauthn.get\",\"challenge\":\"QEFCQ0RFRkdISUpLTE1OT1BRUlNUVVZXWFlaW1xdXl8\","
    "\"origin\":\"https://example.org\",\"crossOrigin\":false}";

/* `softauthn.py --print-root`: its key is derived from a fixed scalar */
static const char fuzz_root_pem[] =
    "-----BEGIN CERTIFICATE-----\n"
    "MIIBuDCCAV6gAwIBAgIBATAKBggqhkjOPQQDAjBTMQswCQYDVQQGEwJGUjEUMBIG\n"
    "A1UECgwLU2VzYW1lIFRlc3QxDjAMBgNVBAsMBVJvb3RzMR4wHAYDVQQDDBVTZXNh\n"
    "bWUgVGVzdCBSb290IGZ1enowHhcNMjAwMTAxMDAwMDAwWhcNNDkxMjMxMDAwMDAw\n"
    "WjBTMQswCQYDVQQGEwJGUjEUMBIGA1UECgwLU2VzYW1lIFRlc3QxDjAMBgNVBAsM\n"
    "BVJvb3RzMR4wHAYDVQQDDBVTZXNhbWUgVGVzdCBSb290IGZ1enowWTATBgcqhkjO\n"
    "PQIBBggqhkjOPQMBBwNCAATuxIWjcfVUgVl6rd1RSH6eqT/QdhL6CdMgVAolT11T\n"
    "FvFkFk0ZQyRRKtpGo3BbM1QaP9k/WmdtRAOQrw+a961KoyMwITAPBgNVHRMBAf8E\n"
    "BTADAQH/MA4GA1UdDwEB/wQEAwIBBjAKBggqhkjOPQQDAgNIADBFAiAn8hD6yv4a\n"
    "JmNYIW8WCLRdlGouxNsSBjp3CKvqg9FKnAIhAJ0GvnuhpiUDo8HV/5iNq74H+25e\n"
    "atBsSkGanka+UGCf\n"
    "-----END CERTIFICATE-----\n";

static inline webauthn_rp_t fuzz_rp(bool require_uv, bool allow_cross_origin)
{
	webauthn_rp_t rp = {"example.org", fuzz_origins, 1, allow_cross_origin, require_uv};
	return rp;
}

#endif
