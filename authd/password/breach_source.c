/* The offline breach filter as the daemon uses it: the file named in
 * the configuration, followed when it is replaced (see breach_source.h). */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "password/breach_source.h"
#include "sesame/error.h"
#include "sesame/log.h"

#define BREACH_SOURCE_RELOAD_NS 1000000000ll /* re-stat the file at most once a second */

struct breach_source {
	char *path;
	pthread_rwlock_t lock; /* readers look up; the swap writes */
	breach_filter_t *cur;
	pthread_mutex_t reload; /* one refresh at a time; guards the fields below */
	struct timespec last;	/* of the last stat, CLOCK_MONOTONIC */
	struct stat bad;	/* a file that failed to load, not retried until it changes */
	int have_bad;
	int missing_logged;
};

static int breach_source_same_file(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino && a->st_size == b->st_size &&
	       a->st_mtim.tv_sec == b->st_mtim.tv_sec && a->st_mtim.tv_nsec == b->st_mtim.tv_nsec;
}

int breach_source_new(const char *path, breach_source_t **out)
{
	breach_source_t *s = NULL;
	int ok = SESAME_ERR_NOMEM;

	*out = NULL;
	if (path == NULL || *path == '\0')
		return SESAME_ERR_INVALID_ARGUMENT;
	if ((s = calloc(1, sizeof(*s))) == NULL)
		return SESAME_ERR_NOMEM;
	if (pthread_rwlock_init(&s->lock, NULL) != 0) {
		free(s);
		return SESAME_ERR_NOMEM;
	}
	if (pthread_mutex_init(&s->reload, NULL) != 0) {
		pthread_rwlock_destroy(&s->lock);
		free(s);
		return SESAME_ERR_NOMEM;
	}
	/* from here breach_source_free() undoes everything */
	if ((s->path = strdup(path)) == NULL)
		goto fail;
	if ((ok = breach_filter_open(path, &s->cur)) != SESAME_OK)
		goto fail;
	clock_gettime(CLOCK_MONOTONIC, &s->last);
	log_info("breach filter %s: %zu entries, %zu bytes", path, breach_filter_count(s->cur),
		 breach_filter_bytes(s->cur));
	*out = s;
	s = NULL;
	ok = SESAME_OK;
fail:
	breach_source_free(&s);
	return ok;
}

void breach_source_free(breach_source_t **sp)
{
	breach_source_t *s;

	if (sp == NULL || (s = *sp) == NULL)
		return;
	breach_filter_close(&s->cur);
	pthread_rwlock_destroy(&s->lock);
	pthread_mutex_destroy(&s->reload);
	free(s->path);
	free(s);
	*sp = NULL;
}

/* Called with s->reload held: s->cur changes only under it, so it may be
 * read here without the rwlock. */
static void breach_source_refresh(breach_source_t *s)
{
	struct timespec now;
	struct stat st;
	breach_filter_t *f = NULL, *old;
	int r;

	clock_gettime(CLOCK_MONOTONIC, &now);
	if ((now.tv_sec - s->last.tv_sec) * 1000000000ll + (now.tv_nsec - s->last.tv_nsec) <
	    BREACH_SOURCE_RELOAD_NS)
		return;
	s->last = now;
	if (stat(s->path, &st) != 0) {
		if (!s->missing_logged)
			log_warn("breach filter %s: %s; still using the one loaded before", s->path,
				 strerror(errno));
		s->missing_logged = 1;
		return;
	}
	s->missing_logged = 0;
	if (breach_source_same_file(&st, breach_filter_stat(s->cur)) ||
	    (s->have_bad && breach_source_same_file(&st, &s->bad)))
		return;
	if ((r = breach_filter_open(s->path, &f)) != SESAME_OK) {
		log_err("breach filter %s was replaced but cannot be loaded (%s); still using the "
			"one loaded before",
			s->path, sesame_err_code(r));
		s->bad = st;
		s->have_bad = 1;
		return;
	}
	s->have_bad = 0;
	pthread_rwlock_wrlock(&s->lock);
	old = s->cur;
	s->cur = f;
	pthread_rwlock_unlock(&s->lock);
	/* the write lock waited for every reader of old: none is left */
	breach_filter_close(&old);
	log_info("breach filter %s reloaded: %zu entries, %zu bytes", s->path,
		 breach_filter_count(s->cur), breach_filter_bytes(s->cur));
}

int breach_source_check(breach_source_t *s, uint64_t key, int *found)
{
	if (found != NULL)
		*found = 0;
	if (s == NULL || found == NULL)
		return SESAME_ERR_INVALID_ARGUMENT;
	/* one thread refreshes; the others go on with the current filter */
	if (pthread_mutex_trylock(&s->reload) == 0) {
		breach_source_refresh(s);
		pthread_mutex_unlock(&s->reload);
	}
	if (pthread_rwlock_rdlock(&s->lock) != 0)
		return SESAME_ERR_INTERNAL;
	*found = breach_filter_contains(s->cur, key);
	pthread_rwlock_unlock(&s->lock);
	return SESAME_OK;
}
