/* What a door requires ([require] in sesame-authd.conf(5)): one or more
 * alternatives separated by "|", each a "+"-joined set of factors:
 * "password", "totp", "passkey", "recovery", or "second" (any second
 * factor: TOTP or passkey). A recovery code stands in for "totp" (and so
 * for "second") wherever a code is asked. "password+second | passkey" is met by a password and a
 * code, by a password and a passkey, or by a passkey alone. */
#ifndef AUTHD_REQUIREMENT_H
#define AUTHD_REQUIREMENT_H

#include <stddef.h>

#define REQUIREMENT_MAX_ALTS 4

typedef struct {
	unsigned all; /* FACTOR_* bits that must all be proved */
	int second;   /* and at least one of FACTOR_SECOND */
} requirement_alt_t;

typedef struct {
	requirement_alt_t alt[REQUIREMENT_MAX_ALTS];
	size_t n;
} requirement_t;

/* Parses text; only factors in askable (FACTOR_* bits the door can ask
 * for) may be named. SESAME_ERR_CONFIG with one sentence in err. */
int requirement_parse(const char *text, unsigned askable, requirement_t *out, char *err,
		      size_t errsz);

/* Whether the factors proved (passed) meet r. */
int requirement_met(const requirement_t *r, unsigned passed);

/* The factors still to prove: those of the first alternative that the
 * user can complete with what they have (enrolled & askable), minus
 * passed; for "second", the enrolled second factors. 0 when r is met or
 * no alternative can be completed. */
unsigned requirement_missing(const requirement_t *r, unsigned passed, unsigned enrolled,
			     unsigned askable);

/* Whether an alternative of r names bit (FACTOR_*) itself. */
int requirement_names(const requirement_t *r, unsigned bit);

/* r written back in the configuration's syntax. */
void requirement_format(const requirement_t *r, char *out, size_t outsz);

#endif
