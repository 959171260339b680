/* Requirements of the doors (see requirement.h). */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "factor.h"
#include "requirement.h"
#include "sesame/error.h"

#define WORD_MAX 16

/* The bit of one word, FACTOR_SECOND for "second", 0 when unknown. */
static unsigned word_bit(const char *w)
{
	const factor_t *f;

	if (strcmp(w, "second") == 0)
		return FACTOR_SECOND;
	f = factor_by_name(w);
	return f ? f->bit : 0;
}

int requirement_parse(const char *text, unsigned askable, requirement_t *out, char *err,
		      size_t errsz)
{
	const char *p = text;

	memset(out, 0, sizeof(*out));
	for (;;) {
		requirement_alt_t alt = {0, 0};
		for (;;) {
			char w[WORD_MAX + 1];
			size_t n = 0;
			unsigned bit;

			while (isspace((unsigned char)*p))
				p++;
			while (isalpha((unsigned char)*p) && n < WORD_MAX)
				w[n++] = (char)tolower((unsigned char)*p++);
			w[n] = '\0';
			if (n == 0 || (bit = word_bit(w)) == 0) {
				snprintf(
				    err, errsz,
				    "\"%s\": expected factors (password, totp, passkey, "
				    "recovery, second) joined by + and alternatives separated by |",
				    text);
				return SESAME_ERR_CONFIG;
			}
			if ((bit & askable) == 0) {
				snprintf(err, errsz, "\"%s\": %s cannot be asked for at this door",
					 text, w);
				return SESAME_ERR_CONFIG;
			}
			if (bit == FACTOR_SECOND)
				alt.second = 1;
			else
				alt.all |= bit;
			while (isspace((unsigned char)*p))
				p++;
			if (*p != '+')
				break;
			p++;
		}
		if (out->n == REQUIREMENT_MAX_ALTS) {
			snprintf(err, errsz, "\"%s\": at most %d alternatives", text,
				 REQUIREMENT_MAX_ALTS);
			return SESAME_ERR_CONFIG;
		}
		out->alt[out->n++] = alt;
		if (*p == '\0')
			return SESAME_OK;
		if (*p != '|') {
			snprintf(err, errsz, "\"%s\": unexpected \"%c\"", text, *p);
			return SESAME_ERR_CONFIG;
		}
		p++;
	}
}

/* A recovery code stands in for a TOTP code (factor.h). */
static unsigned stand_in(unsigned bits)
{
	return bits & FACTOR_RECOVERY ? bits | FACTOR_TOTP : bits;
}

static int alt_met(const requirement_alt_t *a, unsigned passed)
{
	passed = stand_in(passed);
	return (passed & a->all) == a->all && (!a->second || (passed & FACTOR_SECOND));
}

int requirement_met(const requirement_t *r, unsigned passed)
{
	for (size_t i = 0; i < r->n; i++)
		if (alt_met(&r->alt[i], passed))
			return 1;
	return 0;
}

unsigned requirement_missing(const requirement_t *r, unsigned passed, unsigned enrolled,
			     unsigned askable)
{
	unsigned usable =
	    askable & FACTOR_RECOVERY ? stand_in(enrolled) & askable : enrolled & askable;

	passed = stand_in(passed);
	if (requirement_met(r, passed))
		return 0;
	for (size_t i = 0; i < r->n; i++) {
		const requirement_alt_t *a = &r->alt[i];
		unsigned need = a->all & ~passed;
		if ((need & usable) != need)
			continue;
		if (a->second && !(passed & FACTOR_SECOND)) {
			unsigned seconds = usable & FACTOR_SECOND & ~a->all;
			if ((a->all & FACTOR_SECOND) == 0 && seconds == 0)
				continue;
			need |= seconds;
		}
		if (need != 0)
			return need;
	}
	return 0;
}

int requirement_names(const requirement_t *r, unsigned bit)
{
	for (size_t i = 0; i < r->n; i++)
		if (r->alt[i].all & bit)
			return 1;
	return 0;
}

void requirement_format(const requirement_t *r, char *out, size_t outsz)
{
	size_t len = 0;

	if (outsz == 0)
		return;
	out[0] = '\0';
	for (size_t i = 0; i < r->n; i++) {
		const requirement_alt_t *a = &r->alt[i];
		int first = 1;
		if (i && len < outsz)
			len += (size_t)snprintf(out + len, outsz - len, " | ");
		unsigned shown = 0; /* two entries may prove one bit (handoff, logincode) */
		for (size_t f = 0; f < FACTOR_COUNT && len < outsz; f++) {
			if (!(a->all & factor_table[f]->bit) || (shown & factor_table[f]->bit))
				continue;
			shown |= factor_table[f]->bit;
			len += (size_t)snprintf(out + len, outsz - len, "%s%s", first ? "" : "+",
						factor_table[f]->name);
			first = 0;
		}
		if (a->second && len < outsz)
			len += (size_t)snprintf(out + len, outsz - len, "%s",
						first ? "second" : "+second");
	}
}
