/* Master key file creation and loading (format in keyfile.h). */
#include <errno.h>
#include <fcntl.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sesame/error.h"
#include "sesame/hex.h"
#include "sesame/keyfile.h"
#include "sesame/secmem.h"

#define KEYFILE_MAX 4096
#define KEYS_SIZE (SESAME_MAX_KEYS * sizeof(sesame_key_t))

static void sync_parent(const char *path)
{
	char dir[4096];
	const char *slash = strrchr(path, '/');
	int fd;

	if (slash == NULL)
		snprintf(dir, sizeof(dir), ".");
	else if (slash == path)
		snprintf(dir, sizeof(dir), "/");
	else
		snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path), path);
	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0) {
		fsync(fd);
		close(fd);
	}
}

int keyfile_create(const char *path)
{
	unsigned char key[SESAME_KEY_LEN];
	char line[16 + 2 * SESAME_KEY_LEN + 2];
	int fd = -1;
	int ok = SESAME_ERR_IO;
	size_t n;

	if (RAND_bytes(key, sizeof(key)) != 1)
		return SESAME_ERR_CRYPTO;
	n = (size_t)snprintf(line, sizeof(line), "1 ");
	for (size_t i = 0; i < sizeof(key); i++)
		n += (size_t)snprintf(line + n, sizeof(line) - n, "%02x", key[i]);
	line[n++] = '\n';
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0) {
		ok = errno == EEXIST ? SESAME_ERR_CONFLICT : SESAME_ERR_IO;
		goto fail;
	}
	if (fchmod(fd, 0600) != 0 || write(fd, line, n) != (ssize_t)n || fsync(fd) != 0) {
		unlink(path);
		goto fail;
	}
	sync_parent(path); /* the new name must survive a crash too */
	ok = SESAME_OK;
fail:
	if (fd >= 0)
		close(fd);
	OPENSSL_cleanse(key, sizeof(key));
	OPENSSL_cleanse(line, sizeof(line));
	return ok;
}

int keyfile_load(const char *path, sesame_key_t *keys, size_t *n)
{
	char *buf = NULL; /* the key in hex: kept out of core dumps and swap */
	struct stat st;
	ssize_t got;
	int fd;
	int ok = SESAME_ERR_CONFIG;
	char *line, *save = NULL;

	*n = 0;
	fd = open(path,
		  O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK); /* a FIFO must not hang us */
	if (fd < 0)
		return errno == ENOENT ? SESAME_ERR_NOT_FOUND : SESAME_ERR_IO;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return SESAME_ERR_IO;
	}
	if ((st.st_mode & 077) != 0) {
		close(fd);
		return SESAME_ERR_PERMISSION;
	}
	if ((ok = secmem_new(KEYFILE_MAX + 1, (void **)&buf)) != SESAME_OK) {
		close(fd);
		return ok;
	}
	ok = SESAME_ERR_CONFIG;
	got = read(fd, buf, KEYFILE_MAX + 1);
	close(fd);
	if (got < 0 || got > KEYFILE_MAX)
		goto fail;
	buf[got] = '\0';
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		unsigned long version;
		char *end;
		if (line[0] == '#' || line[0] == '\0')
			continue;
		if (line[0] < '0' || line[0] > '9') /* strtoul would take " 1", "+1", "-1" */
			goto fail;
		errno = 0;
		version = strtoul(line, &end, 10);
		if (errno || end == line || *end != ' ' || version == 0 || version > UINT32_MAX)
			goto fail;
		end++;
		if (strlen(end) != 2 * SESAME_KEY_LEN || *n >= SESAME_MAX_KEYS)
			goto fail;
		for (size_t i = 0; i < *n; i++)
			if (keys[i].version == version)
				goto fail;
		keys[*n].version = (uint32_t)version;
		for (size_t i = 0; i < SESAME_KEY_LEN; i++) {
			int hi = hex_digit(end[2 * i]), lo = hex_digit(end[2 * i + 1]);
			if (hi < 0 || lo < 0)
				goto fail;
			keys[*n].key[i] = (unsigned char)(hi << 4 | lo);
		}
		(*n)++;
	}
	if (*n == 0)
		goto fail;
	ok = SESAME_OK;
fail:
	secmem_free((void **)&buf, KEYFILE_MAX + 1);
	if (ok != SESAME_OK) {
		OPENSSL_cleanse(keys, sizeof(*keys) * SESAME_MAX_KEYS);
		*n = 0;
	}
	return ok;
}

/* Writes keys[0..n) over path as one atomic replacement (see keyfile.h). */
static int keyfile_replace(const char *path, const sesame_key_t *keys, size_t n)
{
	char tmp[4096], line[16 + 2 * SESAME_KEY_LEN + 2];
	struct stat st;
	int fd = -1, ok = SESAME_ERR_IO;

	if (lstat(path, &st) != 0 || !S_ISREG(st.st_mode))
		return SESAME_ERR_IO;
	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.new.XXXXXX", path) >= sizeof(tmp))
		return SESAME_ERR_INVALID_ARGUMENT;
	if ((fd = mkstemp(tmp)) < 0)
		return SESAME_ERR_IO;
	if (fchmod(fd, 0600) != 0 || fchown(fd, st.st_uid, st.st_gid) != 0)
		goto fail;
	for (size_t k = 0; k < n; k++) {
		size_t len = (size_t)snprintf(line, sizeof(line), "%u ", keys[k].version);
		for (size_t i = 0; i < SESAME_KEY_LEN; i++)
			len += (size_t)snprintf(line + len, sizeof(line) - len, "%02x",
						keys[k].key[i]);
		line[len++] = '\n';
		if (write(fd, line, len) != (ssize_t)len)
			goto fail;
	}
	if (fsync(fd) != 0 || close(fd) != 0) {
		fd = -1;
		goto fail;
	}
	fd = -1;
	if (rename(tmp, path) != 0)
		goto fail;
	sync_parent(path);
	ok = SESAME_OK;
fail:
	if (fd >= 0)
		close(fd);
	if (ok != SESAME_OK)
		unlink(tmp);
	OPENSSL_cleanse(line, sizeof(line));
	return ok;
}

int keyfile_add_version(const char *path, uint32_t *version)
{
	sesame_key_t *keys = NULL;
	uint32_t top = 0;
	size_t n = 0;
	int r;

	if ((r = secmem_new(KEYS_SIZE, (void **)&keys)) != SESAME_OK)
		return r;
	if ((r = keyfile_load(path, keys, &n)) != SESAME_OK)
		goto out;
	for (size_t i = 0; i < n; i++)
		if (keys[i].version > top)
			top = keys[i].version;
	if (n >= SESAME_MAX_KEYS || top == UINT32_MAX) {
		r = SESAME_ERR_CONFLICT;
		goto out;
	}
	keys[n].version = top + 1;
	if (RAND_bytes(keys[n].key, SESAME_KEY_LEN) != 1) {
		r = SESAME_ERR_CRYPTO;
		goto out;
	}
	if ((r = keyfile_replace(path, keys, n + 1)) == SESAME_OK)
		*version = top + 1;
out:
	secmem_free((void **)&keys, KEYS_SIZE);
	return r;
}

int keyfile_remove_version(const char *path, uint32_t version)
{
	sesame_key_t *keys = NULL;
	uint32_t top = 0;
	size_t n = 0, at = SESAME_MAX_KEYS;
	int r;

	if ((r = secmem_new(KEYS_SIZE, (void **)&keys)) != SESAME_OK)
		return r;
	if ((r = keyfile_load(path, keys, &n)) != SESAME_OK)
		goto out;
	for (size_t i = 0; i < n; i++) {
		if (keys[i].version > top)
			top = keys[i].version;
		if (keys[i].version == version)
			at = i;
	}
	if (at == SESAME_MAX_KEYS)
		r = SESAME_ERR_NOT_FOUND;
	else if (version == top)
		r = SESAME_ERR_CONFLICT;
	else {
		memmove(&keys[at], &keys[at + 1], (n - at - 1) * sizeof(keys[0]));
		r = keyfile_replace(path, keys, n - 1);
	}
out:
	secmem_free((void **)&keys, KEYS_SIZE);
	return r;
}
