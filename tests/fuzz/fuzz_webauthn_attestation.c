/* libFuzzer target: attestation objects through the whole registration
 * (webauthn_registration_verify) with a fixed clientDataJSON, under both
 * attestation policies, with the fuzz root as trust anchor. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_webauthn_common.h"
#include "sesame/error.h"
#include "webauthn/webauthn.h"
#include "webauthn/webauthn_int.h"

static webauthn_trust_t *trust;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	webauthn_reg_params_t p;
	webauthn_credential_t cred;
	webauthn_cose_t key;
	const char *reason = NULL;

	if (trust == NULL &&
	    (webauthn_trust_new(&trust) != SESAME_OK ||
	     webauthn_trust_add_pem(trust, fuzz_root_pem, strlen(fuzz_root_pem)) != SESAME_OK))
		abort();
	memset(&p, 0, sizeof(p));
	p.rp = fuzz_rp(false, false);
	p.challenge = fuzz_challenge;
	p.challenge_len = sizeof(fuzz_challenge);
	p.trust = trust;
	for (int policy = 0; policy < 2; policy++) {
		p.policy = policy ? WEBAUTHN_ATT_POLICY_TRUSTED : WEBAUTHN_ATT_POLICY_ANY;
		if (webauthn_registration_verify(&p, (const unsigned char *)fuzz_client_data_create,
						 strlen(fuzz_client_data_create), data, size, &cred,
						 &reason) != SESAME_OK) {
			if (reason == NULL || strcmp(reason, "ok") == 0)
				abort(); /* every refusal names its class */
			continue;
		}
		/* an accepted record must hold what the store will be given */
		if (cred.id_len == 0 || cred.id_len > WEBAUTHN_MAX_CRED_ID ||
		    cred.cose_key_len > WEBAUTHN_MAX_COSE_KEY ||
		    webauthn_cose_decode(cred.cose_key, cred.cose_key_len, &key, &reason) !=
			SESAME_OK ||
		    key.alg != cred.alg)
			abort();
		webauthn_cose_clear(&key);
	}
	return 0;
}
