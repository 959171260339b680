/* libFuzzer target: pam_txn_open on arbitrary tokens (base64url decoding,
 * AES-GCM opening, field splitting). A fixed key; most inputs fail the
 * seal, so the corpus holds real tokens and the fuzzer mutates them:
 * token0-2 in today's binary layout (sealed in format 2 under the pam-txn
 * key), token3-5 of an older text layout (format 2) that must be refused. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pam_txn.h"
#include "sesame/limits.h"

static seal_keyring_t *keys;

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char path[] = "/tmp/fuzz-key-XXXXXX";
	int fd = mkstemp(path);
	static const char key[] =
	    "1 000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f\n";

	(void)argc;
	(void)argv;
	if (fd < 0 || write(fd, key, sizeof(key) - 1) != (ssize_t)(sizeof(key) - 1))
		abort();
	close(fd);
	if (seal_keyring_load(path, &keys) != 0)
		abort();
	unlink(path);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char token[SESAME_MAX_TXN + 2];
	flow_t rq;

	if (size > SESAME_MAX_TXN + 1)
		return 0;
	memcpy(token, data, size);
	token[size] = '\0';
	if (pam_txn_open(keys, token, 1700000000, &rq) == 0) {
		/* whatever opens must be a well-formed request */
		if (strlen(rq.user) > SESAME_MAX_USERNAME || (rq.nullok != 0 && rq.nullok != 1))
			abort();
	}
	return 0;
}
