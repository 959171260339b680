/* libFuzzer target: the protocol client's HTTP reply reader
 * (lib/http_reply.c), which runs inside root processes (pam_sesame.so in
 * sshd, su). A reply it calls complete must be exactly the bytes it was
 * given, framed by its Content-Length within the bound; anything else must
 * leave the reply zeroed; a complete reply's every prefix asks for more. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sesame/http_reply.h"

#define MAX_BODY 4096

static int all_zero(const http_reply_t *r)
{
	const http_reply_t zero = {0};

	return memcmp(r, &zero, sizeof(zero)) == 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	http_reply_t r, p;
	http_reply_state_t st = http_reply_parse((const char *)data, size, MAX_BODY, &r);

	if (st != HTTP_REPLY_COMPLETE) {
		if (!all_zero(&r))
			abort();
		return 0;
	}
	if (r.status < 200 || r.status > 599 || r.body_len > MAX_BODY ||
	    r.body_off > HTTP_REPLY_MAX_HEAD || r.body_off + r.body_len != size ||
	    (r.close != 0 && r.close != 1))
		abort();
	/* the head ends with an empty line */
	if (r.body_off < 4 || memcmp(data + r.body_off - 4, "\r\n\r\n", 4) != 0)
		abort();
	if (size > 0 &&
	    http_reply_parse((const char *)data, size - 1, MAX_BODY, &p) != HTTP_REPLY_MORE)
		abort();
	return 0;
}
