/* Throttling arithmetic (NIST SP 800-63B §5.2.2): after max_failures
 * consecutive failures the user waits base_delay seconds, doubled at every
 * further failure, capped at max_delay. Pure functions; state is in the store. */
#ifndef AUTHD_THROTTLE_H
#define AUTHD_THROTTLE_H

#include <stdint.h>

typedef struct {
	unsigned max_failures;
	unsigned base_delay;
	unsigned max_delay;
} throttle_params_t;

/* Seconds to wait after the failures-th consecutive failure (0: none). */
unsigned throttle_delay(const throttle_params_t *p, unsigned failures);

/* Seconds left before locked_until (0 when not locked). */
int64_t throttle_wait(int64_t locked_until, int64_t now);

#endif
