/* libFuzzer target: COSE_Key decoding (ES256, EdDSA, RS256 → EVP_PKEY)
 * and a verification with whatever key comes out. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sesame/error.h"
#include "webauthn/webauthn.h"
#include "webauthn/webauthn_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const unsigned char msg[] = "authenticatorData || clientDataHash";
	unsigned char sig[256];
	webauthn_cose_t key;
	const char *reason = NULL;

	if (webauthn_cose_decode(data, size, &key, &reason) != SESAME_OK) {
		if (reason == NULL || key.pkey != NULL)
			abort();
		return 0;
	}
	if (!webauthn_alg_known(key.alg) || !webauthn_pkey_fits_alg(key.pkey, key.alg))
		abort(); /* a decoded key is of the kind its alg names */
	memset(sig, 0x5a, sizeof(sig));
	(void)webauthn_sig_verify(key.pkey, key.alg, msg, sizeof(msg), sig,
				  key.alg == WEBAUTHN_ALG_EDDSA ? 64 : sizeof(sig), &reason);
	webauthn_cose_clear(&key);
	return 0;
}
