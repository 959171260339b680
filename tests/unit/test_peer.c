/* Unit tests for lib/peer.c: the remote host and terminal names a PAM
 * caller sends, good and hostile. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h> /* after the four headers it needs */

#include <string.h>

#include "sesame/limits.h"
#include "sesame/peer.h"

static void expect_all(int (*valid)(const char *, size_t), const char *const *v, size_t n, int want)
{
	for (size_t i = 0; i < n; i++)
		if (valid(v[i], strlen(v[i])) != want)
			fail_msg("\"%s\" was %s", v[i], want ? "refused" : "accepted");
}

static void test_rhost_accepted(void **state)
{
	static const char *const ok[] = {
	    "",
	    "192.0.2.1",
	    "0.0.0.0",
	    "255.255.255.255",
	    "::1",
	    "::",
	    "2001:db8::42",
	    "2001:0db8:0000:0000:0000:ff00:0042:8329",
	    "::ffff:192.0.2.1",
	    "fe80::1%eth0",
	    "fe80::1%2",
	    "fe80::1%enp0s31f6",
	    "fe80::1%br-lan.10",
	    "localhost",
	    "example.org",
	    "example.org.",
	    "host-1.example.org",
	    "a",
	    "a.b.c.d.e",
	    "WIN_PC01.corp.example", /* underscores, from reverse DNS */
	    "xn--e1afmkfd.xn--p1ai", /* an IDN as sshd passes it */
	    "1.2.3.example",	     /* digits are fine in all but the last label */
	    "3com.example",
	    "example.123a",
	};
	(void)state;
	expect_all(peer_rhost_valid, ok, sizeof(ok) / sizeof(ok[0]), 1);
}

static void test_rhost_refused(void **state)
{
	static const char *const bad[] = {
	    " ",
	    "1.2.3.4 evil",
	    "1.2.3.4\n",
	    "evil\nAUDIT ok",
	    "a\tb",
	    "a\x1b[31m",
	    "\x7f",
	    "../",
	    "..",
	    ".",
	    ".example.org",
	    "a..b",
	    "example.org..",
	    "-a.example",
	    "a-.example",
	    "a.-b",
	    "a.b-",
	    "a.b-.",
	    "a/b",
	    "a:b",
	    "a@b",
	    "a%b",
	    "\"a\"",
	    "a'b",
	    "a\\b",
	    "h\xc3\xa9llo.example",		 /* UTF-8 */
	    "\xd0\xbf\xd1\x80.\xd1\x80\xd1\x84", /* Cyrillic, not punycode */
	    "\xff",
	    "[::1]",
	    "[::1]:22",
	    "192.0.2.1:22",
	    "1.2.3.256",
	    "01.2.3.4",
	    "1.2.3",
	    "127.1",
	    "0x7f.0.0.1",
	    "123",
	    "1.2.3.4.",
	    "1.2.3.4%eth0", /* a zone only after IPv6 */
	    "fe80::1%",
	    "fe80::1%eth 0",
	    "fe80::1%eth0\n",
	    "fe80::1%a/b",
	    "fe80::1%0123456789abcdef", /* 16 bytes: over IFNAMSIZ */
	    "fe80::1%%eth0",
	    ":::1",
	    "2001:db8::g",
	    "%eth0",
	};
	(void)state;
	expect_all(peer_rhost_valid, bad, sizeof(bad) / sizeof(bad[0]), 0);
	assert_false(peer_rhost_valid(NULL, 0));
}

static void test_rhost_bounds(void **state)
{
	char s[400];
	size_t n;

	(void)state;
	/* a NUL inside: the caller's length counts, not strlen */
	assert_false(peer_rhost_valid("a\0b", 3));
	assert_false(peer_rhost_valid("1.2.3.4\0evil", 12));
	assert_true(peer_rhost_valid("1.2.3.4\0evil", 7));
	/* labels of 63 bytes, not 64 */
	memset(s, 'a', 64);
	assert_true(peer_rhost_valid(s, 63));
	assert_false(peer_rhost_valid(s, 64));
	/* SESAME_MAX_RHOST bytes of 63-byte labels and dots, then one more */
	for (n = 0; n < sizeof(s); n++)
		s[n] = n % 64 == 63 ? '.' : 'a';
	assert_int_equal(SESAME_MAX_RHOST, 255);
	assert_true(peer_rhost_valid(s, 255)); /* ends "...a.aaa" */
	assert_false(peer_rhost_valid(s, 256));
	assert_false(peer_rhost_valid(s, 300));
}

static void test_tty(void **state)
{
	static const char *const ok[] = {
	    "",	       "/dev/pts/3", "pts/3", "tty1", "/dev/tty1", ":0",    ":0.0", "ssh", "sshd",
	    "console", "/dev/ttyS0", "web",   "a.b",  ".hidden",   "x/...", "..x",  "x..",
	};
	static const char *const bad[] = {
	    " ",
	    "/dev/pts/3 ",
	    "tty 1",
	    "tty1\n",
	    "\ttty1",
	    "tty\x1b[2J",
	    "tty\x7f",
	    "\"tty\"",
	    "'tty'",
	    "`id`",
	    "a\\b",
	    "t\xc3\xa9ty",
	    "..",
	    "../",
	    "../../etc/shadow",
	    "/dev/../etc/shadow",
	    "/dev/pts/..",
	};
	char s[SESAME_MAX_TTY + 2];

	(void)state;
	expect_all(peer_tty_valid, ok, sizeof(ok) / sizeof(ok[0]), 1);
	expect_all(peer_tty_valid, bad, sizeof(bad) / sizeof(bad[0]), 0);
	assert_false(peer_tty_valid(NULL, 0));
	assert_false(peer_tty_valid("tty\0x", 5));
	memset(s, 't', sizeof(s));
	assert_int_equal(SESAME_MAX_TTY, 64);
	assert_true(peer_tty_valid(s, SESAME_MAX_TTY));
	assert_false(peer_tty_valid(s, SESAME_MAX_TTY + 1));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_rhost_accepted),
	    cmocka_unit_test(test_rhost_refused),
	    cmocka_unit_test(test_rhost_bounds),
	    cmocka_unit_test(test_tty),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
