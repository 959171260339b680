/* Remote host and terminal names from PAM callers (see
 * include/sesame/peer.h). */
#include <arpa/inet.h>
#include <net/if.h>
#include <string.h>

#include "sesame/limits.h"
#include "sesame/peer.h"

#define PEER_MAX_LABEL 63 /* RFC 1035 2.3.4 */
#define PEER_MAX_ZONE (IF_NAMESIZE - 1)

static int peer_alnum(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/* An IPv4 or IPv6 literal (s is NUL-terminated, len bytes). */
static int peer_ip_literal(const char *s, size_t len)
{
	char addr[INET6_ADDRSTRLEN + PEER_MAX_ZONE + 2];
	unsigned char bin[16];
	const char *zone = memchr(s, '%', len);
	size_t n = zone != NULL ? (size_t)(zone - s) : len;

	if (n >= sizeof(addr))
		return 0;
	memcpy(addr, s, n);
	addr[n] = '\0';
	if (zone == NULL)
		return inet_pton(AF_INET, addr, bin) == 1 || inet_pton(AF_INET6, addr, bin) == 1;
	/* a zone: only after an IPv6 address */
	if (inet_pton(AF_INET6, addr, bin) != 1)
		return 0;
	zone++;
	n = len - n - 1;
	if (n == 0 || n > PEER_MAX_ZONE)
		return 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)zone[i];
		if (!peer_alnum(c) && c != '_' && c != '.' && c != '-')
			return 0;
	}
	return 1;
}

static int peer_host_name(const char *s, size_t len)
{
	size_t label = 0; /* bytes of the current label */
	int digits = 1;	  /* the current label is all digits */

	if (len > 0 && s[len - 1] == '.')
		len--; /* the root: "example.org." */
	if (len == 0)
		return 0;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '.') {
			if (label == 0 || s[i - 1] == '-')
				return 0;
			label = 0;
			digits = 1;
			continue;
		}
		if (!peer_alnum(c) && c != '-' && c != '_')
			return 0;
		if (c == '-' && label == 0)
			return 0;
		if (++label > PEER_MAX_LABEL)
			return 0;
		if (c < '0' || c > '9')
			digits = 0;
	}
	return s[len - 1] != '-' && !digits;
}

int peer_rhost_valid(const char *s, size_t len)
{
	char copy[SESAME_MAX_RHOST + 1];

	if (s == NULL || len > SESAME_MAX_RHOST || memchr(s, '\0', len) != NULL)
		return 0;
	if (len == 0)
		return 1;
	memcpy(copy, s, len);
	copy[len] = '\0';
	return peer_ip_literal(copy, len) || peer_host_name(copy, len);
}

int peer_tty_valid(const char *s, size_t len)
{
	if (s == NULL || len > SESAME_MAX_TTY)
		return 0;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c <= ' ' || c >= 0x7f || c == '"' || c == '\'' || c == '`' || c == '\\')
			return 0;
		/* ".." as a component: "..", "../x", "x/..", "x/../y" */
		if (c == '.' && i + 1 < len && s[i + 1] == '.' && (i == 0 || s[i - 1] == '/') &&
		    (i + 2 == len || s[i + 2] == '/'))
			return 0;
	}
	return 1;
}
