/* Online breached-password check with the k-anonymity range protocol of
 * Have I Been Pwned: GET BASE_URL + the first 5 hex digits of SHA-1
 * (upper case), "Add-Padding: true"; the suffixes are compared locally,
 * so neither the password nor its full hash leaves the machine. */
#ifndef AUTHD_BREACH_ONLINE_H
#define AUTHD_BREACH_ONLINE_H

#include <stddef.h>

/* *found = 1 when the suffix is listed with a count > 0 (padding lines
 * have count 0). SESAME_ERR_UNAVAILABLE on any network, HTTP (non-200),
 * timeout or format error. */
int breach_online_check(const char *base_url, unsigned timeout_ms, const unsigned char sha1[20],
			int *found);

#endif
