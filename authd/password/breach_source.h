/* The daemon's offline breach filter: a filter file (sesame/breach_filter.h)
 * that is followed when it is replaced, so that `sesamectl breach import`
 * takes effect without a restart. docs/breach-filter.md, "Reloading". */
#ifndef AUTHD_BREACH_SOURCE_H
#define AUTHD_BREACH_SOURCE_H

#include <stdint.h>

#include "sesame/breach_filter.h"

/* breach_source_check() re-stats the path at most once a second and,
 * when (device, inode, mtime, size) changed, maps the new file and swaps
 * it in. A file that cannot be loaded is logged once and the previous
 * filter stays in use. Readers hold a read lock only while they look a
 * key up; the old mapping is unmapped after the swap took the write lock,
 * so no reader can still be using it. Thread-safe. */
typedef struct breach_source breach_source_t;

/* Opens path: SESAME_ERR_NOT_FOUND when it does not exist (a configured
 * filter that is absent must stop the daemon), SESAME_ERR_CONFIG when it
 * is not a valid filter. */
int breach_source_new(const char *path, breach_source_t **out);
void breach_source_free(breach_source_t **sp);

/* *found as breach_filter_contains() against the current filter. */
int breach_source_check(breach_source_t *src, uint64_t key, int *found);

#endif
