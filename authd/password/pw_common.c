/* Common-password set: an arena of ASCII-folded entries and an open
 * addressing hash table (FNV-1a, linear probing, load factor <= 1/2). The
 * table is built once, after every list is read, so nothing is rehashed. */
#include <errno.h>
#include <fcntl.h>
#include <openssl/crypto.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "password/pw_common.h"
#include "password/pw_text.h"
#include "sesame/error.h"
#include "sesame/limits.h"
#include "sesame/pw_normalize.h"

typedef struct {
	uint32_t off; /* into arena */
	uint32_t len;
} entry_t;

typedef struct {
	uint32_t tag;	/* high half of the hash */
	uint32_t entry; /* index + 1; 0 when the slot is empty */
} slot_t;

struct pw_common {
	char *arena;
	size_t arena_len, arena_cap;
	entry_t *entries;
	size_t n, cap;
	slot_t *slots;
	size_t mask; /* slots - 1, a power of two minus one */
};

static uint64_t hash_folded(const char *s, size_t len)
{
	uint64_t h = 0xcbf29ce484222325u;

	for (size_t i = 0; i < len; i++) {
		h ^= pw_text_fold((unsigned char)s[i]);
		h *= 0x100000001b3u;
	}
	return h;
}

int pw_common_new(pw_common_t **out)
{
	*out = calloc(1, sizeof(**out));
	return *out == NULL ? SESAME_ERR_NOMEM : SESAME_OK;
}

void pw_common_free(pw_common_t **cp)
{
	if (cp == NULL || *cp == NULL)
		return;
	free((*cp)->arena);
	free((*cp)->entries);
	free((*cp)->slots);
	free(*cp);
	*cp = NULL;
}

/* Next capacity, doubling from 1024, holding at least need elements of sz
 * bytes; 0 on overflow. */
static size_t next_cap(size_t cap, size_t need, size_t sz)
{
	size_t ncap = cap ? cap : 1024;

	while (ncap < need) {
		if (ncap > SIZE_MAX / 2)
			return 0;
		ncap *= 2;
	}
	return ncap > SIZE_MAX / sz ? 0 : ncap;
}

static int add_entry(pw_common_t *c, const char *s, size_t len)
{
	/* offsets are 32-bit: 4 GiB of passwords is far beyond any list */
	if (c->arena_len + len > UINT32_MAX || c->n >= UINT32_MAX - 1)
		return SESAME_ERR_NOMEM;
	if (c->arena_len + len > c->arena_cap) {
		size_t cap = next_cap(c->arena_cap, c->arena_len + len, 1);
		char *a = cap ? realloc(c->arena, cap) : NULL;
		if (a == NULL)
			return SESAME_ERR_NOMEM;
		c->arena = a;
		c->arena_cap = cap;
	}
	if (c->n + 1 > c->cap) {
		size_t cap = next_cap(c->cap, c->n + 1, sizeof(entry_t));
		entry_t *e = cap ? realloc(c->entries, cap * sizeof(entry_t)) : NULL;
		if (e == NULL)
			return SESAME_ERR_NOMEM;
		c->entries = e;
		c->cap = cap;
	}
	for (size_t i = 0; i < len; i++)
		c->arena[c->arena_len + i] = (char)pw_text_fold((unsigned char)s[i]);
	c->entries[c->n].off = (uint32_t)c->arena_len;
	c->entries[c->n].len = (uint32_t)len;
	c->arena_len += len;
	c->n++;
	return SESAME_OK;
}

int pw_common_add_text(pw_common_t *c, const char *text, size_t len)
{
	char norm[PW_NORMALIZE_BUF];
	size_t pos = 0, nlen;
	int r = SESAME_OK;

	while (pos < len) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t end = nl != NULL ? (size_t)(nl - text) : len;
		size_t n = end - pos;

		if (n > 0 && text[end - 1] == '\r')
			n--;
		/* in the form the policy checks (an admin's list may be typed
		 * in any); a line that cannot be normalised is kept as it is */
		if (n > 0 && n <= SESAME_MAX_PASSWORD && text[pos] != '#')
			if ((r = pw_normalize(text + pos, n, norm, sizeof(norm), &nlen, NULL)) !=
				SESAME_OK ||
			    (r = add_entry(c, norm, nlen)) != SESAME_OK)
				break;
		pos = end + 1;
	}
	OPENSSL_cleanse(norm, sizeof(norm));
	return r;
}

int pw_common_add_file(pw_common_t *c, const char *path, char *err, size_t errsz)
{
	struct stat st;
	char *buf = NULL;
	char ebuf[128];
	size_t got = 0;
	int fd, r = SESAME_ERR_IO;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY)) < 0) {
		snprintf(err, errsz, "Cannot read the password list %s: %s.", path,
			 strerror_r(errno, ebuf, sizeof(ebuf)));
		return SESAME_ERR_IO;
	}
	if (fstat(fd, &st) != 0) {
		snprintf(err, errsz, "Cannot read the password list %s: %s.", path,
			 strerror_r(errno, ebuf, sizeof(ebuf)));
		goto out;
	}
	if (!S_ISREG(st.st_mode) || st.st_size < 0 || (uintmax_t)st.st_size > PW_COMMON_MAX_FILE) {
		snprintf(err, errsz,
			 "The password list %s is not a regular file of at most %u MiB.", path,
			 PW_COMMON_MAX_FILE / (1024 * 1024));
		r = SESAME_ERR_CONFIG;
		goto out;
	}
	if ((buf = malloc((size_t)st.st_size + 1)) == NULL) {
		snprintf(err, errsz, "Out of memory reading the password list %s.", path);
		r = SESAME_ERR_NOMEM;
		goto out;
	}
	/* read what is there now: the file may change while it is read */
	while (got < (size_t)st.st_size) {
		ssize_t k = read(fd, buf + got, (size_t)st.st_size - got);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0) {
			snprintf(err, errsz, "Cannot read the password list %s: %s.", path,
				 strerror_r(errno, ebuf, sizeof(ebuf)));
			goto out;
		}
		if (k == 0)
			break;
		got += (size_t)k;
	}
	if ((r = pw_common_add_text(c, buf, got)) != SESAME_OK)
		snprintf(err, errsz, "Out of memory reading the password list %s.", path);
out:
	free(buf);
	close(fd);
	return r;
}

int pw_common_finish(pw_common_t *c)
{
	size_t size = 16;

	while (size < 2 * c->n) {
		if (size > SIZE_MAX / 4 / sizeof(slot_t))
			return SESAME_ERR_NOMEM;
		size *= 2;
	}
	free(c->slots);
	if ((c->slots = calloc(size, sizeof(slot_t))) == NULL)
		return SESAME_ERR_NOMEM;
	c->mask = size - 1;
	for (size_t i = 0; i < c->n; i++) {
		const entry_t *e = &c->entries[i];
		uint64_t h = hash_folded(c->arena + e->off, e->len);
		size_t s = (size_t)h & c->mask;

		while (c->slots[s].entry != 0)
			s = (s + 1) & c->mask;
		c->slots[s].tag = (uint32_t)(h >> 32);
		c->slots[s].entry = (uint32_t)(i + 1);
	}
	return SESAME_OK;
}

int pw_common_contains(const pw_common_t *c, const char *s, size_t len)
{
	uint64_t h;
	size_t k;

	if (c == NULL || c->slots == NULL)
		return 0;
	h = hash_folded(s, len);
	for (k = (size_t)h & c->mask; c->slots[k].entry != 0; k = (k + 1) & c->mask) {
		const entry_t *e = &c->entries[c->slots[k].entry - 1];
		size_t i;

		if (c->slots[k].tag != (uint32_t)(h >> 32) || e->len != len)
			continue;
		for (i = 0; i < len; i++)
			if (c->arena[e->off + i] != (char)pw_text_fold((unsigned char)s[i]))
				break;
		if (i == len)
			return 1;
	}
	return 0;
}

size_t pw_common_count(const pw_common_t *c)
{
	return c == NULL ? 0 : c->n;
}
