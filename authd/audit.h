/* Audit events: every decision, stored with the transaction that made it
 * and logged on one line. Never a code, seed or password. */
#ifndef AUTHD_AUDIT_H
#define AUTHD_AUDIT_H

#include <stdint.h>

#include "store/store.h"

/* result: "success", "denied", "ok" (admin action); reason: an error code
 * string (sesame_err_code) or a short word such as "enroll". */
int audit_record(store_tx_t *tx, int64_t now, const char *user, const char *service,
		 const char *rhost, const char *factor, const char *result, const char *reason);

/* audit_record in a transaction of its own (a decision that changes
 * nothing else, e.g. a password check). */
int audit_event(store_t *s, int64_t now, const char *user, const char *service, const char *rhost,
		const char *factor, const char *result, const char *reason);

/* The newest events (of user, or of everyone when NULL), at most limit;
 * free(*events). */
int audit_list(store_t *s, const char *user, unsigned limit, store_audit_t **events, size_t *n);

#endif
