/* Exponential back-off arithmetic, overflow-safe. */
#include "throttle.h"

unsigned throttle_delay(const throttle_params_t *p, unsigned failures)
{
	unsigned over;
	uint64_t d;

	if (failures < p->max_failures)
		return 0;
	over = failures - p->max_failures;
	if (over >= 32)
		return p->max_delay;
	d = (uint64_t)p->base_delay << over;
	return d > p->max_delay ? p->max_delay : (unsigned)d;
}

int64_t throttle_wait(int64_t locked_until, int64_t now)
{
	return locked_until > now ? locked_until - now : 0;
}
