/* libFuzzer target: clientDataJSON parsing and checks, for both ceremony
 * types, with and without cross-origin ceremonies allowed. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_webauthn_common.h"
#include "sesame/error.h"
#include "webauthn/webauthn.h"
#include "webauthn/webauthn_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned char hash[WEBAUTHN_SHA256_LEN];
	static const char *const types[] = {"webauthn.create", "webauthn.get"};
	const char *reason = NULL;

	for (int i = 0; i < 4; i++) {
		webauthn_rp_t rp = fuzz_rp(false, i >= 2);
		int r = webauthn_clientdata_verify(data, size, types[i % 2], fuzz_challenge,
						   sizeof(fuzz_challenge), &rp, hash, &reason);
		if ((r == SESAME_OK) != (strcmp(reason, "ok") == 0))
			abort();
	}
	return 0;
}
