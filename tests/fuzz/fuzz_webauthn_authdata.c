/* libFuzzer target: authenticatorData, parsed as a registration's and as
 * an assertion's, checked, and sent through webauthn_assertion_verify. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_webauthn_common.h"
#include "sesame/error.h"
#include "webauthn/webauthn.h"
#include "webauthn/webauthn_int.h"

/* a valid ES256 COSE key (the stored credential) */
static const unsigned char stored_key[] = {
    0xa5, 0x01, 0x02, 0x03, 0x26, 0x20, 0x01, 0x21, 0x58, 0x20, 0x4b, 0xcb, 0x1f, 0xd5, 0x0c, 0x80,
    0xd3, 0xc4, 0xe3, 0xf2, 0xc8, 0x0a, 0xc6, 0x91, 0xf8, 0x5e, 0x52, 0xb2, 0x5d, 0x9d, 0xe3, 0x7c,
    0x68, 0xd9, 0x76, 0x80, 0xeb, 0x8b, 0xc2, 0x32, 0x95, 0x77, 0x22, 0x58, 0x20, 0xc9, 0x4c, 0xf5,
    0xc5, 0x26, 0xc3, 0xaf, 0x0a, 0x80, 0xee, 0x4c, 0x74, 0x01, 0xdf, 0xb7, 0x02, 0xd4, 0xf6, 0xe2,
    0xd0, 0x49, 0x69, 0x61, 0x37, 0x39, 0xea, 0x45, 0x11, 0xec, 0xb6, 0xab, 0xac};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const unsigned char sig[8] = {0x30, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x01};
	webauthn_rp_t rp = fuzz_rp(true, false);
	webauthn_authdata_t ad;
	webauthn_cose_t key;
	webauthn_assert_params_t p;
	webauthn_assertion_t a;
	webauthn_assert_result_t res;
	const char *reason = NULL;

	for (int attested = 0; attested < 2; attested++) {
		if (webauthn_authdata_parse(data, size, attested, &ad, &reason) != SESAME_OK)
			continue;
		/* every pointer stays inside the input */
		if ((ad.cred_id != NULL &&
		     (ad.cred_id < data || ad.cred_id + ad.cred_id_len > data + size)) ||
		    (ad.cose_key != NULL &&
		     (ad.cose_key < data || ad.cose_key + ad.cose_key_len > data + size)) ||
		    (ad.ext != NULL && (ad.ext < data || ad.ext + ad.ext_len > data + size)))
			abort();
		(void)webauthn_authdata_check(&ad, &rp, &reason);
		if (ad.cose_key != NULL &&
		    webauthn_cose_decode(ad.cose_key, ad.cose_key_len, &key, &reason) == SESAME_OK)
			webauthn_cose_clear(&key);
	}
	memset(&p, 0, sizeof(p));
	p.rp = rp;
	p.challenge = fuzz_challenge;
	p.challenge_len = sizeof(fuzz_challenge);
	p.cose_key = stored_key;
	p.cose_key_len = sizeof(stored_key);
	a = (webauthn_assertion_t){(const unsigned char *)fuzz_client_data_get,
				   strlen(fuzz_client_data_get),
				   data,
				   size,
				   sig,
				   sizeof(sig),
				   NULL,
				   0};
	if (webauthn_assertion_verify(&p, &a, &res, &reason) == SESAME_OK)
		abort(); /* no authenticatorData makes this signature valid */
	return 0;
}
