/* User-name validation: the one rule every component applies to a name
 * that came from outside before it is used, stored or logged. */
#ifndef SESAME_USERNAME_H
#define SESAME_USERNAME_H

#include <stddef.h>

/* SESAME_OK when name[0..len) is a valid user name: 1..SESAME_MAX_USERNAME
 * bytes of [A-Za-z0-9._@+-], first byte alphanumeric or '_', optionally
 * ending in '$' (machine accounts); otherwise SESAME_ERR_BAD_USERNAME.
 * The explicit length lets callers reject embedded NULs. */
int username_validate(const char *name, size_t len);

#endif
