/* Memory for long-lived key material: pages of their own, left out of core
 * dumps (MADV_DONTDUMP), locked in RAM so that they never reach swap (mlock;
 * where RLIMIT_MEMLOCK forbids it, a warning, once), wiped before they are
 * unmapped. Whole pages and three system calls per allocation: for the
 * master keys and the buffer they are read into, not per request. */
#ifndef SESAME_SECMEM_H
#define SESAME_SECMEM_H

#include <stddef.h>

/* *out: len zeroed bytes; SESAME_ERR_NOMEM when they cannot be mapped, or
 * cannot be kept out of core dumps. Release with secmem_free(). */
int secmem_new(size_t len, void **out);

/* Wipes and unmaps what secmem_new() gave for len, and sets *p to NULL.
 * NULL and *p == NULL are accepted. */
void secmem_free(void **p, size_t len);

#endif
