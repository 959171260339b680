/* The factor table (see factor.h): lookups and what every entry shares. */
#include <stdio.h>
#include <string.h>

#include "factor.h"
#include "sesame/error.h"

const factor_t *const factor_table[FACTOR_COUNT] = {
    &factor_password, &factor_totp,    &factor_passkey,
    &factor_recovery, &factor_handoff, &factor_logincode,
};

const factor_t *factor_by_name(const char *name)
{
	for (size_t i = 0; i < FACTOR_COUNT; i++)
		if (strcmp(factor_table[i]->name, name) == 0)
			return factor_table[i];
	return NULL;
}

const factor_t *factor_by_bit(unsigned bit)
{
	for (size_t i = 0; i < FACTOR_COUNT; i++)
		if (factor_table[i]->bit == bit)
			return factor_table[i];
	return NULL;
}

int factor_enrolled_mask(store_tx_t *tx, const store_user_t *u, unsigned which, unsigned *mask,
			 unsigned detail[FACTOR_COUNT])
{
	*mask = 0;
	for (size_t i = 0; i < FACTOR_COUNT; i++) {
		unsigned d = 0;
		int r;

		if (!(factor_table[i]->bit & which))
			continue;
		r = factor_table[i]->enrolled(tx, u, &d);
		if (r != SESAME_OK)
			return r;
		if (d)
			*mask |= factor_table[i]->bit;
		if (detail != NULL)
			detail[i] = d;
	}
	return SESAME_OK;
}

size_t factor_index(const factor_t *f)
{
	size_t i = 0;

	while (i < FACTOR_COUNT && factor_table[i] != f)
		i++;
	return i;
}

/* Whether an entry before i in mask has the same amr value ("otp"). */
static int factor_amr_before(unsigned mask, size_t i)
{
	for (size_t j = 0; j < i; j++)
		if ((mask & factor_table[j]->bit) &&
		    strcmp(factor_table[j]->amr, factor_table[i]->amr) == 0)
			return 1;
	return 0;
}

void factor_amr(unsigned mask, char *out, size_t outsz)
{
	size_t len = 0;

	if (outsz == 0)
		return;
	out[0] = '\0';
	for (size_t i = 0; i < FACTOR_COUNT; i++) {
		if (!(mask & factor_table[i]->bit) || factor_amr_before(mask, i))
			continue;
		int n =
		    snprintf(out + len, outsz - len, "%s%s", len ? " " : "", factor_table[i]->amr);
		if (n < 0 || (size_t)n >= outsz - len)
			return;
		len += (size_t)n;
	}
}
