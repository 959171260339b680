/* Helpers shared by the unit tests (see unit_util.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h> /* after the four headers it needs */

#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "unit_util.h"

char *unit_tmpdir(void)
{
	const char *base = getenv("TMPDIR");
	char *path;
	size_t n;

	if (base == NULL || base[0] == '\0')
		base = "/tmp";
	n = strlen(base) + sizeof("/sesame-unit-XXXXXX");
	if ((path = malloc(n)) == NULL)
		return NULL;
	snprintf(path, n, "%s/sesame-unit-XXXXXX", base);
	if (mkdtemp(path) == NULL) {
		free(path);
		return NULL;
	}
	return path;
}

static int rm_entry(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)st;
	(void)type;
	(void)ftw;
	remove(path);
	return 0;
}

void unit_rmtree(const char *dir)
{
	if (dir != NULL)
		nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

void unit_path(char *out, size_t outsz, const char *dir, const char *name)
{
	int n = snprintf(out, outsz, "%s/%s", dir, name);
	assert_true(n > 0 && (size_t)n < outsz);
}

int unit_write_file(const char *path, const void *data, size_t len, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	int ok = -1;

	if (fd < 0)
		return -1;
	if (fchmod(fd, mode) == 0 && write(fd, data, len) == (ssize_t)len)
		ok = 0;
	close(fd);
	return ok;
}

int unit_write_text(const char *path, const char *text, mode_t mode)
{
	return unit_write_file(path, text, strlen(text), mode);
}

void unit_test_key(unsigned char fill, unsigned char key[32])
{
	for (size_t i = 0; i < 32; i++)
		key[i] = (unsigned char)(fill + 7 * i);
}

void unit_key_line(char *buf, size_t bufsz, uint32_t version, unsigned char fill)
{
	unsigned char key[32];
	size_t n = strlen(buf);
	int w;

	unit_test_key(fill, key);
	w = snprintf(buf + n, bufsz - n, "%u ", (unsigned)version);
	assert_true(w > 0 && (size_t)w < bufsz - n);
	n += (size_t)w;
	for (size_t i = 0; i < sizeof(key); i++) {
		w = snprintf(buf + n, bufsz - n, "%02x", key[i]);
		assert_true(w == 2 && (size_t)w < bufsz - n);
		n += 2;
	}
	assert_true(n + 1 < bufsz);
	buf[n++] = '\n';
	buf[n] = '\0';
}
