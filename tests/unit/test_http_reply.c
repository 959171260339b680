/* Unit tests for lib/http_reply.c: the reply reader of the protocol client
 * accepts what libmicrohttpd sends, in any split, and refuses every framing
 * it would never send. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h> /* after the four headers it needs */

#include <stdio.h>
#include <string.h>

#include "sesame/http_reply.h"

#define MAX_BODY 65536

static http_reply_state_t parse(const char *s, http_reply_t *r)
{
	return http_reply_parse(s, strlen(s), MAX_BODY, r);
}

/* As libmicrohttpd writes it: every prefix asks for more, the whole is one reply. */
static void test_daemon_reply_in_every_split(void **state)
{
	const char *reply = "HTTP/1.1 200 OK\r\nConnection: Keep-Alive\r\n"
			    "Content-Length: 17\r\nContent-Type: application/json\r\n"
			    "Date: Sun, 06 Dec 2026 23:00:00 GMT\r\n\r\n{\"step\":\"prompt\"}";
	size_t len = strlen(reply);
	http_reply_t r;

	(void)state;
	for (size_t i = 0; i < len; i++)
		assert_int_equal(http_reply_parse(reply, i, MAX_BODY, &r), HTTP_REPLY_MORE);
	assert_int_equal(http_reply_parse(reply, len, MAX_BODY, &r), HTTP_REPLY_COMPLETE);
	assert_int_equal(r.status, 200);
	assert_int_equal(r.body_len, 17);
	assert_memory_equal(reply + r.body_off, "{\"step\":\"prompt\"}", 17);
	assert_int_equal(r.close, 0);
}

static void test_status_close_and_empty_body(void **state)
{
	http_reply_t r;

	(void)state;
	assert_int_equal(parse("HTTP/1.1 503 Service Unavailable\r\nconnection: close\r\n"
			       "content-length: 0\r\n\r\n",
			       &r),
			 HTTP_REPLY_COMPLETE);
	assert_int_equal(r.status, 503);
	assert_int_equal(r.body_len, 0);
	assert_int_equal(r.close, 1);
	assert_int_equal(parse("HTTP/1.1 400\r\nConnection: keep-alive, Close\r\n"
			       "Content-Length: 2\r\n\r\n{}",
			       &r),
			 HTTP_REPLY_COMPLETE);
	assert_int_equal(r.status, 400);
	assert_int_equal(r.close, 1);
	/* HTTP/1.0 closes unless asked not to, and the client never asks */
	assert_int_equal(parse("HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\n{}", &r),
			 HTTP_REPLY_COMPLETE);
	assert_int_equal(r.close, 1);
}

static void test_refused_framings(void **state)
{
	static const char *const bad[] = {
	    "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n",
	    "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\n{}",
	    "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nTransfer-Encoding: identity\r\n\r\n{}",
	    "HTTP/1.1 200 OK\r\n\r\n{}",		       /* no length: read to close */
	    "HTTP/1.1 200 OK\r\nContent-Length: +2\r\n\r\n{}", /* a sign */
	    "HTTP/1.1 200 OK\r\nContent-Length: 2 2\r\n\r\n{}",
	    "HTTP/1.1 200 OK\r\nContent-Length: 0x2\r\n\r\n{}",
	    "HTTP/1.1 200 OK\r\nContent-Length: 65537\r\n\r\n",
	    "HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999999\r\n\r\n",
	    "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\n{}", /* bytes after the body */
	    "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n",
	    "HTTP/1.1 199 Odd\r\nContent-Length: 0\r\n\r\n",
	    "HTTP/1.1 600 Odd\r\nContent-Length: 0\r\n\r\n",
	    "HTTP/2 200\r\nContent-Length: 0\r\n\r\n",
	    "HTTP/1.1 20 OK\r\nContent-Length: 0\r\n\r\n",
	    "HTTP/1.1 200OK\r\nContent-Length: 0\r\n\r\n",
	    "HTTP/1.1 200 OK\nContent-Length: 0\n\n", /* bare LF */
	    "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n \r\n\r\n",
	    "HTTP/1.1 200 OK\r\nX: a\r\n continued\r\nContent-Length: 0\r\n\r\n", /* obs-fold */
	    "HTTP/1.1 200 OK\r\nNo colon\r\nContent-Length: 0\r\n\r\n",
	    "HTTP/1.1 200 OK\r\n: empty name\r\nContent-Length: 0\r\n\r\n",
	    "HTTP/1.1 200 OK\r\nBad Name: x\r\nContent-Length: 0\r\n\r\n",
	    "HTTP/1.1 200 OK\r\nX: a\rb\r\nContent-Length: 0\r\n\r\n", /* lone CR */
	    "HTTP/1.1 200 OK\r\nX: a\x01\r\nContent-Length: 0\r\n\r\n",
	    "\r\nHTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n",
	    "garbage\r\n\r\n",
	};
	http_reply_t r;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (parse(bad[i], &r) != HTTP_REPLY_BAD)
			fail_msg("accepted: %s", bad[i]);
		assert_int_equal(r.status, 0);
	}
}

/* A NUL inside the head is refused; inside the body it is the body's business. */
static void test_nul_bytes(void **state)
{
	static const char head_nul[] = "HTTP/1.1 200 OK\r\nX: a\0b\r\nContent-Length: 0\r\n\r\n";
	static const char body_nul[] = "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\na\0b";
	http_reply_t r;

	(void)state;
	assert_int_equal(http_reply_parse(head_nul, sizeof(head_nul) - 1, MAX_BODY, &r),
			 HTTP_REPLY_BAD);
	assert_int_equal(http_reply_parse(body_nul, sizeof(body_nul) - 1, MAX_BODY, &r),
			 HTTP_REPLY_COMPLETE);
	assert_int_equal(r.body_len, 3);
}

/* The head is bounded: a reply that never ends its headers stops being read. */
static void test_head_bound(void **state)
{
	static char buf[HTTP_REPLY_MAX_HEAD + 64];
	size_t n = (size_t)snprintf(buf, sizeof(buf), "HTTP/1.1 200 OK\r\n");
	http_reply_t r;

	(void)state;
	while (n + 12 < sizeof(buf)) {
		memcpy(buf + n, "X-Pad: aaa\r\n", 12);
		n += 12;
	}
	assert_int_equal(http_reply_parse(buf, HTTP_REPLY_MAX_HEAD - 1, MAX_BODY, &r),
			 HTTP_REPLY_MORE);
	assert_int_equal(http_reply_parse(buf, n, MAX_BODY, &r), HTTP_REPLY_BAD);
	memset(buf, 'a', sizeof(buf));
	memcpy(buf, "HTTP/1.1 200 OK\r\nX: ", 20);
	assert_int_equal(http_reply_parse(buf, sizeof(buf), MAX_BODY, &r), HTTP_REPLY_BAD);
}

/* The body bound is the caller's: exactly max_body is accepted, one more is not. */
static void test_body_bound(void **state)
{
	static const char four[] = "HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nabcd";
	static const char five[] = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nabcde";
	http_reply_t r;

	(void)state;
	assert_int_equal(http_reply_parse(four, sizeof(four) - 1, 4, &r), HTTP_REPLY_COMPLETE);
	assert_int_equal(http_reply_parse(five, sizeof(five) - 1, 4, &r), HTTP_REPLY_BAD);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_daemon_reply_in_every_split),
	    cmocka_unit_test(test_status_close_and_empty_body),
	    cmocka_unit_test(test_refused_framings),
	    cmocka_unit_test(test_nul_bytes),
	    cmocka_unit_test(test_head_bound),
	    cmocka_unit_test(test_body_bound),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
