/* Where a PAM caller says the user comes from: the remote host (PAM_RHOST)
 * and the terminal (PAM_TTY), checked before they are used, stored in the
 * audit trail or logged. Both are the caller's words, not proof. */
#ifndef SESAME_PEER_H
#define SESAME_PEER_H

#include <stddef.h>

/* 1 when s[0..len) is an acceptable remote host, else 0. Accepted: ""
 * (none given); an IPv4 literal in dotted-quad form or an IPv6 literal, as
 * inet_pton reads them, the IPv6 one optionally with a zone ("%eth0": 1 to
 * 15 bytes of [A-Za-z0-9_.-]); or a host name of labels of
 * [A-Za-z0-9_-], 1 to 63 bytes each, none starting or ending with '-',
 * separated by single dots, with an optional final dot, the last label not
 * all digits (so that "1.2.3.256" or "127.1" is not taken for a name).
 * At most SESAME_MAX_RHOST bytes, no NUL.
 * Underscores are tolerated: names that sshd (UseDNS) or login take from
 * reverse DNS, /etc/hosts or Windows networks carry them, and they are as
 * harmless in a log line as a letter. Not accepted: brackets ("[::1]"),
 * ports, spaces, controls, non-ASCII bytes (an IDN arrives as "xn--"). */
int peer_rhost_valid(const char *s, size_t len);

/* 1 when s[0..len) is an acceptable terminal name, else 0: "" (none), or
 * 1..SESAME_MAX_TTY bytes of printable ASCII without space, quotes ("'`)
 * or backslash, and without ".." as a path component — "/dev/pts/3",
 * "pts/3", "tty1", ":0", "ssh". */
int peer_tty_valid(const char *s, size_t len);

#endif
