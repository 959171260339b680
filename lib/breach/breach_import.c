/* Reading breached-password lists (see sesame/breach_import.h): a bounded
 * line reader over read(2) and a strict parser of each line. */
#include <errno.h>
#include <openssl/crypto.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sesame/breach_filter.h"
#include "sesame/breach_import.h"
#include "sesame/error.h"
#include "sesame/limits.h"
#include "sesame/pw_normalize.h"

#define BREACH_IMPORT_BUF (1u << 20)
#define BREACH_IMPORT_FIRST_CAP (1u << 16)

static int breach_import_hex(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c |= 0x20; /* lower case */
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

int breach_import_line(const char *line, size_t len, int plain, uint64_t *key)
{
	const unsigned char *s = (const unsigned char *)line;
	uint64_t k = 0;

	*key = 0;
	if (len > 0 && s[len - 1] == '\r')
		len--;
	if (len == 0)
		return SESAME_ERR_NOT_FOUND;
	if (plain) {
		/* the NFKC form, which the policy looks up (pw_normalize.h) */
		char norm[PW_NORMALIZE_BUF];
		size_t n = 0;
		int r;

		if (len > SESAME_MAX_PASSWORD)
			return SESAME_ERR_INVALID_ARGUMENT;
		if ((r = pw_normalize(line, len, norm, sizeof(norm), &n, NULL)) == SESAME_OK)
			*key = breach_key_from_password(norm, n);
		OPENSSL_cleanse(norm, sizeof(norm));
		return r;
	}
	if (len < 40)
		return SESAME_ERR_INVALID_ARGUMENT;
	for (size_t i = 0; i < 40; i++) {
		int v = breach_import_hex(s[i]);
		if (v < 0)
			return SESAME_ERR_INVALID_ARGUMENT;
		if (i < 16)
			k = k << 4 | (uint64_t)v;
	}
	if (len > 40) {
		if (s[40] != ':' || len == 41 || len - 41 > BREACH_IMPORT_MAX_COUNT)
			return SESAME_ERR_INVALID_ARGUMENT;
		for (size_t i = 41; i < len; i++)
			if (s[i] < '0' || s[i] > '9')
				return SESAME_ERR_INVALID_ARGUMENT;
	}
	*key = k;
	return SESAME_OK;
}

static void breach_import_reject(breach_import_t *imp)
{
	imp->rejected++;
	if (imp->first_rejected == 0)
		imp->first_rejected = imp->lines;
}

static int breach_import_take(breach_import_t *imp, const char *line, size_t len, int plain)
{
	uint64_t key;
	int r;

	imp->lines++;
	r = breach_import_line(line, len, plain, &key);
	if (r == SESAME_ERR_NOT_FOUND)
		return SESAME_OK;
	if (r == SESAME_ERR_NOMEM)
		return r;
	if (r != SESAME_OK) {
		breach_import_reject(imp);
		return SESAME_OK;
	}
	if (imp->n == imp->cap) {
		size_t cap = imp->cap ? imp->cap * 2 : BREACH_IMPORT_FIRST_CAP;
		uint64_t *k;
		if (imp->n >= BREACH_FILTER_MAX_ENTRIES)
			return SESAME_ERR_TOO_LARGE;
		if (cap > BREACH_FILTER_MAX_ENTRIES)
			cap = BREACH_FILTER_MAX_ENTRIES;
		if ((k = realloc(imp->keys, cap * sizeof(*k))) == NULL)
			return SESAME_ERR_NOMEM;
		imp->keys = k;
		imp->cap = cap;
	}
	imp->keys[imp->n++] = key;
	return SESAME_OK;
}

int breach_import_read(int fd, int plain, breach_import_t *imp)
{
	char *buf, *nl;
	size_t have = 0, start, end;
	int skipping = 0, ok = SESAME_OK, saved = 0;

	if ((buf = malloc(BREACH_IMPORT_BUF)) == NULL)
		return SESAME_ERR_NOMEM;
	for (;;) {
		ssize_t r = read(fd, buf + have, BREACH_IMPORT_BUF - have);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			saved = errno;
			ok = SESAME_ERR_IO;
			break;
		}
		start = 0;
		end = have + (size_t)r;
		while ((nl = memchr(buf + start, '\n', end - start)) != NULL) {
			size_t len = (size_t)(nl - (buf + start));
			if (skipping) { /* the end of a line too long to keep */
				imp->lines++;
				breach_import_reject(imp);
				skipping = 0;
			} else if ((ok = breach_import_take(imp, buf + start, len, plain)) !=
				   SESAME_OK)
				goto out;
			start += len + 1;
		}
		if (r == 0) { /* a last line without LF */
			if (skipping) {
				imp->lines++;
				breach_import_reject(imp);
			} else if (end > start)
				ok = breach_import_take(imp, buf + start, end - start, plain);
			break;
		}
		if (skipping || end - start > BREACH_IMPORT_MAX_LINE) {
			skipping = 1;
			have = 0;
		} else {
			memmove(buf, buf + start, end - start);
			have = end - start;
		}
	}
out:
	explicit_bzero(buf, BREACH_IMPORT_BUF); /* plain passwords */
	free(buf);
	if (saved)
		errno = saved;
	return ok;
}

void breach_import_free(breach_import_t *imp)
{
	if (imp == NULL)
		return;
	free(imp->keys);
	memset(imp, 0, sizeof(*imp));
}
