/* The factor table: each way of proving who one is (password, TOTP code,
 * passkey, recovery code, a passkey approval of a terminal login) is one entry — its
 * name, its bit in a flow, its RFC 8176 "amr" value, whether a user has
 * it, and how an answer is checked. The sequence around a check (gates,
 * counting, durability, audit) is written once, in attempt.c; a new
 * factor is a new entry, never a new copy of that sequence. */
#ifndef AUTHD_FACTOR_H
#define AUTHD_FACTOR_H

#include <stddef.h>

#include "store/store.h"

#define FACTOR_PASSWORD 0x1u
#define FACTOR_TOTP 0x2u
#define FACTOR_PASSKEY 0x4u
/* A recovery code stands in for a TOTP code (requirement.c): it replaces
 * a lost authenticator; "recovery" named in a requirement is a factor of
 * its own, which also counts for the last-factor rule (factor_manage.c). */
#define FACTOR_RECOVERY 0x8u
/* A passkey at a terminal: approved on the web approval page (handoff.c) */
#define FACTOR_HANDOFF 0x10u
/* "any second factor": what a requirement's "second" stands for */
#define FACTOR_SECOND (FACTOR_TOTP | FACTOR_PASSKEY | FACTOR_HANDOFF)
#define FACTOR_ALL                                                                                 \
	(FACTOR_PASSWORD | FACTOR_TOTP | FACTOR_PASSKEY | FACTOR_RECOVERY | FACTOR_HANDOFF)
#define FACTOR_COUNT 6 /* entries: a one-time login code proves FACTOR_HANDOFF too */

typedef struct attempt attempt_t;

typedef struct factor {
	const char *name; /* in the configuration, the audit trail and the protocol */
	unsigned bit;	  /* FACTOR_* */
	const char *amr;  /* RFC 8176 value for an ID token */
	/* A success forgives the failures counted (a second factor). A right
	 * password does not: it must not reopen code guessing. */
	int forgives;
	/* Whether u has this factor (enrolled and usable): *detail 0 when not,
	 * else what a door needs to ask for it (TOTP: the digits of the
	 * newest confirmed authenticator; passkey: how many; password: 1). */
	int (*enrolled)(store_tx_t *tx, const store_user_t *u, unsigned *detail);
	/* Slow work before the decision, outside any transaction (Argon2id);
	 * NULL when none. Not called when a gate already refuses. */
	int (*prepare)(attempt_t *a);
	/* The user the proof names, when the factor finds it itself (a
	 * discoverable passkey): SESAME_ERR_NOT_FOUND when it names none. NULL:
	 * the attempt names its user. */
	int (*identify)(attempt_t *a, store_tx_t *tx);
	/* The check, inside the decision's transaction, after the gates. u is
	 * NULL for a name without a record (the check then fails the same
	 * way). Sets a->outcome (SESAME_OK or the refusal) and may set a->why;
	 * on success it also records what the proof used up (a TOTP step, a
	 * sign count, a rehashed password). Returns a store or crypto error. */
	int (*verify)(attempt_t *a, store_tx_t *tx, const store_user_t *u);
	/* Released after the attempt (the factor's a->state); NULL: none. */
	void (*release)(attempt_t *a);
} factor_t;

extern const factor_t factor_password;
extern const factor_t factor_totp;
extern const factor_t factor_passkey;
extern const factor_t factor_recovery;	/* usercode.c */
extern const factor_t factor_handoff;	/* handoff.c */
extern const factor_t factor_logincode; /* usercode.c */

/* Every factor, in the order a door offers them. */
extern const factor_t *const factor_table[FACTOR_COUNT];

/* The entry called name, or NULL. */
const factor_t *factor_by_name(const char *name);
/* The entry of one FACTOR_* bit (the first: handoff, not logincode), or NULL. */
const factor_t *factor_by_bit(unsigned bit);

/* Which of the factors in `which` (FACTOR_* bits) u has, into *mask; each
 * one's detail (see enrolled) into detail[i], by factor_table index, when
 * detail is not NULL (others left as they are). */
int factor_enrolled_mask(store_tx_t *tx, const store_user_t *u, unsigned which, unsigned *mask,
			 unsigned detail[FACTOR_COUNT]);

/* factor_table index of f. */
size_t factor_index(const factor_t *f);

/* The "amr" values of mask, space-separated, into out ("pwd otp"). */
void factor_amr(unsigned mask, char *out, size_t outsz);

#endif
