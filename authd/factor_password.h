/* The password factor's input and its start-up work (see factor.h). */
#ifndef AUTHD_FACTOR_PASSWORD_H
#define AUTHD_FACTOR_PASSWORD_H

#include <stddef.h>

typedef struct {
	const char *pw; /* not NUL-terminated necessarily */
	size_t len;
} factor_password_in_t;

/* Prepares the dummy hash that unknown names are verified against (one
 * Argon2id hash, about 0.2 s); called at start so that the first sign-in
 * is not slower than the others. */
int factor_password_init(void);

#endif
