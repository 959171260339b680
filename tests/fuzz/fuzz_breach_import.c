/* libFuzzer target: the breached-password list line parser (HIBP format
 * and plain), the untrusted input of `sesamectl breach import`. */
#include <stdint.h>
#include <stdlib.h>

#include "sesame/breach_import.h"
#include "sesame/error.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint64_t key = 0;

	if (size < 1 || size > BREACH_IMPORT_MAX_LINE)
		return 0;
	/* byte 0 picks the format; the rest is one line */
	int r = breach_import_line((const char *)data + 1, size - 1, data[0] & 1, &key);
	if (r != SESAME_OK && r != SESAME_ERR_NOT_FOUND && r != SESAME_ERR_INVALID_ARGUMENT &&
	    r != SESAME_ERR_NOMEM)
		abort(); /* the only documented results */
	return 0;
}
