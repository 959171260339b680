/* Audit events into the store, plus one log line per event. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "sesame/log.h"

static void copy_field(char *dst, size_t dstsz, const char *src)
{
	snprintf(dst, dstsz, "%s", src ? src : "");
}

int audit_record(store_tx_t *tx, int64_t now, const char *user, const char *service,
		 const char *rhost, const char *factor, const char *result, const char *reason)
{
	store_audit_t e;

	memset(&e, 0, sizeof(e));
	e.time = now;
	copy_field(e.user, sizeof(e.user), user);
	copy_field(e.service, sizeof(e.service), service);
	copy_field(e.rhost, sizeof(e.rhost), rhost);
	copy_field(e.factor, sizeof(e.factor), factor);
	copy_field(e.result, sizeof(e.result), result);
	copy_field(e.reason, sizeof(e.reason), reason);
	return store_audit_add(tx, &e); /* logged by the store once committed */
}

struct event_ctx {
	int64_t now;
	const char *user, *service, *rhost, *factor, *result, *reason;
};

static int event_tx(store_tx_t *tx, void *arg)
{
	struct event_ctx *c = arg;
	return audit_record(tx, c->now, c->user, c->service, c->rhost, c->factor, c->result,
			    c->reason);
}

int audit_event(store_t *s, int64_t now, const char *user, const char *service, const char *rhost,
		const char *factor, const char *result, const char *reason)
{
	struct event_ctx c = {now, user, service, rhost, factor, result, reason};
	return store_run(s, event_tx, &c);
}

struct list_ctx {
	const char *user;
	unsigned limit;
	store_audit_t **events;
	size_t *n;
};

static int list_tx(store_tx_t *tx, void *arg)
{
	struct list_ctx *c = arg;

	free(*c->events); /* a transaction function may run twice */
	*c->events = NULL;
	*c->n = 0;
	return store_audit_list(tx, c->user, c->limit, c->events, c->n);
}

int audit_list(store_t *s, const char *user, unsigned limit, store_audit_t **events, size_t *n)
{
	struct list_ctx c = {user, limit, events, n};

	*events = NULL;
	*n = 0;
	return store_read(s, list_tx, &c);
}
