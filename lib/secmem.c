/* Pages for key material (see secmem.h). */
#include <errno.h>
#include <openssl/crypto.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>

#include "sesame/error.h"
#include "sesame/log.h"
#include "sesame/secmem.h"

/* len rounded up to whole pages; 0 when that overflows. */
static size_t secmem_span(size_t len)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);

	if (len == 0)
		len = 1;
	if (len > SIZE_MAX - (page - 1))
		return 0;
	return (len + page - 1) / page * page;
}

int secmem_new(size_t len, void **out)
{
	static atomic_int warned;
	size_t span = secmem_span(len);
	void *p;

	*out = NULL;
	if (span == 0)
		return SESAME_ERR_NOMEM;
	p = mmap(NULL, span, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED) {
		log_err_f("mmap: %s", strerror(errno));
		return SESAME_ERR_NOMEM;
	}
	if (madvise(p, span, MADV_DONTDUMP) != 0) {
		log_err_f("madvise(MADV_DONTDUMP): %s", strerror(errno));
		munmap(p, span);
		return SESAME_ERR_NOMEM;
	}
	if (mlock(p, span) != 0 && atomic_exchange(&warned, 1) == 0) {
		int e = errno;
		struct rlimit rl = {0, 0};
		getrlimit(RLIMIT_MEMLOCK, &rl);
		log_warn("cannot lock key material in memory (mlock: %s; RLIMIT_MEMLOCK %llu "
			 "bytes): it may be written to swap; raise the limit (LimitMEMLOCK=)",
			 strerror(e), (unsigned long long)rl.rlim_cur);
	}
	*out = p;
	return SESAME_OK;
}

void secmem_free(void **p, size_t len)
{
	size_t span = secmem_span(len);

	if (p == NULL || *p == NULL)
		return;
	OPENSSL_cleanse(*p, span);
	munlock(*p, span); /* fails harmlessly when mlock did */
	munmap(*p, span);
	*p = NULL;
}
