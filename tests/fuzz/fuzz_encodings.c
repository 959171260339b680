/* libFuzzer target: base32 and base64url decoders on arbitrary text; a
 * successful decode must re-encode to an equivalent text. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sesame/base32.h"
#include "sesame/base64url.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned char out[1024];
	char text[2048];
	size_t n = 0;

	if (size > 1200)
		return 0;
	if (base64url_decode((const char *)data, size, out, sizeof(out), &n) == 0) {
		if (base64url_encode(out, n, text, sizeof(text)) != 0 || strlen(text) != size ||
		    memcmp(text, data, size) != 0)
			abort(); /* strict decoding: one text per byte string */
	}
	if (base32_decode((const char *)data, size, out, sizeof(out), &n) == 0) {
		unsigned char again[1024];
		size_t m = 0;
		if (base32_encode(out, n, 1, text, sizeof(text)) != 0 ||
		    base32_decode(text, strlen(text), again, sizeof(again), &m) != 0 || m != n ||
		    memcmp(again, out, n) != 0)
			abort();
	}
	return 0;
}
