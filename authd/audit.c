/* Audit events into the store, plus one log line per event. */
#include <stdio.h>
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
	/* every field was validated as printable ASCII before it got here */
	log_info("audit: user=%s service=%s rhost=%s factor=%s result=%s reason=%s", e.user,
		 e.service, e.rhost[0] ? e.rhost : "-", e.factor, e.result, e.reason);
	return store_audit_add(tx, &e);
}
