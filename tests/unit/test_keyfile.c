/* Unit tests for lib/keyfile.c: creation (0600, no overwrite), strict
 * loading of the master key file, and rotation (a version added, an old
 * one removed, the file replaced whole with its mode and owner). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h> /* after the four headers it needs */

#include <dirent.h>
#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sesame/error.h"
#include "sesame/keyfile.h"
#include "unit_util.h"

#define HEX_A "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"
#define HEX_B "ffeeddccbbaa99887766554433221100ffeeddccbbaa99887766554433221100"

struct fixture {
	char *dir;
	int n; /* file counter, for fresh names */
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	if (f == NULL || (f->dir = unit_tmpdir()) == NULL)
		return -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	unit_rmtree(f->dir);
	free(f->dir);
	free(f);
	return 0;
}

static void fresh_path(struct fixture *f, char *path, size_t pathsz)
{
	char name[32];
	snprintf(name, sizeof(name), "k%d.key", f->n++);
	unit_path(path, pathsz, f->dir, name);
}

/* Writes text with mode into a fresh file and loads it. */
static int load_text(struct fixture *f, const char *text, mode_t mode, sesame_key_t *keys,
		     size_t *n)
{
	char path[512];
	fresh_path(f, path, sizeof(path));
	assert_int_equal(unit_write_text(path, text, mode), 0);
	return keyfile_load(path, keys, n);
}

static char *read_all(const char *path, size_t *len)
{
	static char buf[256];
	FILE *fp = fopen(path, "r");
	assert_non_null(fp);
	*len = fread(buf, 1, sizeof(buf) - 1, fp);
	buf[*len] = '\0';
	fclose(fp);
	return buf;
}

static void test_create_mode_and_format(void **state)
{
	struct fixture *f = *state;
	char path[512];
	struct stat st;
	sesame_key_t keys[SESAME_MAX_KEYS];
	size_t n = 99, len;
	mode_t old = umask(0); /* a careless umask must not leak the key */

	fresh_path(f, path, sizeof(path));
	int r = keyfile_create(path);
	umask(old);
	assert_int_equal(r, SESAME_OK);
	assert_int_equal(stat(path, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(st.st_mode & 07777, 0600);
	const char *text = read_all(path, &len);
	assert_int_equal(len, 2 + 64 + 1);
	assert_memory_equal(text, "1 ", 2);
	assert_int_equal(strspn(text + 2, "0123456789abcdef"), 64);
	assert_int_equal(text[66], '\n');
	assert_int_equal(keyfile_load(path, keys, &n), SESAME_OK);
	assert_int_equal(n, 1);
	assert_int_equal(keys[0].version, 1);
	/* the loaded bytes are the hex in the file */
	for (size_t i = 0; i < SESAME_KEY_LEN; i++) {
		unsigned v;
		assert_int_equal(sscanf(text + 2 + 2 * i, "%2x", &v), 1);
		assert_int_equal(keys[0].key[i], v);
	}
}

static void test_create_fresh_keys(void **state)
{
	struct fixture *f = *state;
	char p1[512], p2[512];
	sesame_key_t k1[SESAME_MAX_KEYS], k2[SESAME_MAX_KEYS];
	size_t n1 = 0, n2 = 0;
	static const unsigned char zero[SESAME_KEY_LEN];

	fresh_path(f, p1, sizeof(p1));
	fresh_path(f, p2, sizeof(p2));
	assert_int_equal(keyfile_create(p1), SESAME_OK);
	assert_int_equal(keyfile_create(p2), SESAME_OK);
	assert_int_equal(keyfile_load(p1, k1, &n1), SESAME_OK);
	assert_int_equal(keyfile_load(p2, k2, &n2), SESAME_OK);
	assert_memory_not_equal(k1[0].key, k2[0].key, SESAME_KEY_LEN);
	assert_memory_not_equal(k1[0].key, zero, SESAME_KEY_LEN);
}

static void test_create_refuses_overwrite(void **state)
{
	struct fixture *f = *state;
	char path[512], link[512], before[256];
	size_t len;

	fresh_path(f, path, sizeof(path));
	assert_int_equal(keyfile_create(path), SESAME_OK);
	snprintf(before, sizeof(before), "%s", read_all(path, &len));
	assert_int_equal(keyfile_create(path), SESAME_ERR_CONFLICT);
	assert_string_equal(read_all(path, &len), before);

	/* an existing file of any content, and a dangling symlink */
	fresh_path(f, path, sizeof(path));
	assert_int_equal(unit_write_text(path, "keep me\n", 0644), 0);
	assert_int_equal(keyfile_create(path), SESAME_ERR_CONFLICT);
	assert_string_equal(read_all(path, &len), "keep me\n");
	fresh_path(f, link, sizeof(link));
	fresh_path(f, path, sizeof(path));
	assert_int_equal(symlink(path, link), 0);
	assert_int_equal(keyfile_create(link), SESAME_ERR_CONFLICT);
	assert_int_equal(access(path, F_OK), -1);
}

static void test_create_io_error(void **state)
{
	struct fixture *f = *state;
	char path[512];

	unit_path(path, sizeof(path), f->dir, "no/such/dir.key");
	assert_int_equal(keyfile_create(path), SESAME_ERR_IO);
}

static void test_load_valid(void **state)
{
	struct fixture *f = *state;
	sesame_key_t keys[SESAME_MAX_KEYS];
	size_t n = 0;

	assert_int_equal(load_text(f, "# master key\n\n3 " HEX_A "\n7 " HEX_B "\n", 0600, keys, &n),
			 SESAME_OK);
	assert_int_equal(n, 2);
	assert_int_equal(keys[0].version, 3);
	assert_int_equal(keys[1].version, 7);
	assert_int_equal(keys[0].key[0], 0x00);
	assert_int_equal(keys[0].key[1], 0x11);
	assert_int_equal(keys[0].key[15], 0xff);
	assert_int_equal(keys[1].key[0], 0xff);
	assert_int_equal(keys[1].key[31], 0x00);
	/* upper-case hex, no final newline, highest version */
	assert_int_equal(
	    load_text(f,
		      "4294967295 FFEEDDCCBBAA99887766554433221100FFEEDDCCBBAA99887766554433221100",
		      0600, keys, &n),
	    SESAME_OK);
	assert_int_equal(n, 1);
	assert_int_equal(keys[0].version, 4294967295u);
	assert_int_equal(keys[0].key[0], 0xff);
	/* owner-only modes other than 0600 are fine */
	assert_int_equal(load_text(f, "1 " HEX_A "\n", 0400, keys, &n), SESAME_OK);
	assert_int_equal(load_text(f, "1 " HEX_A "\n", 0700, keys, &n), SESAME_OK);
}

static void test_load_max_keys(void **state)
{
	struct fixture *f = *state;
	sesame_key_t keys[SESAME_MAX_KEYS];
	char text[SESAME_MAX_KEYS * 80 + 80] = "";
	size_t n = 0;

	for (uint32_t v = 1; v <= SESAME_MAX_KEYS; v++)
		unit_key_line(text, sizeof(text), v, (unsigned char)v);
	assert_int_equal(load_text(f, text, 0600, keys, &n), SESAME_OK);
	assert_int_equal(n, SESAME_MAX_KEYS);
	assert_int_equal(keys[SESAME_MAX_KEYS - 1].version, SESAME_MAX_KEYS);
	unit_key_line(text, sizeof(text), SESAME_MAX_KEYS + 1, 0x99);
	assert_int_equal(load_text(f, text, 0600, keys, &n), SESAME_ERR_CONFIG);
	assert_int_equal(n, 0);
}

static void test_load_refuses_open_modes(void **state)
{
	static const mode_t modes[] = {0640, 0604, 0620, 0602, 0660, 0644, 0666, 0610, 0601, 0704};
	struct fixture *f = *state;
	sesame_key_t keys[SESAME_MAX_KEYS];

	for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		size_t n = 99;
		int r = load_text(f, "1 " HEX_A "\n", modes[i], keys, &n);
		if (r != SESAME_ERR_PERMISSION)
			fail_msg("mode %04o gave %d", (unsigned)modes[i], r);
		assert_int_equal(n, 0);
	}
}

static void test_load_malformed(void **state)
{
	static const char *bad[] = {
	    "",				  /* no key at all */
	    "# only a comment\n",	  /* no key at all */
	    "1\n",			  /* no key */
	    "1 \n",			  /* empty key */
	    "1 " HEX_A "0\n",		  /* 65 hex digits */
	    "1 " HEX_A "00\n",		  /* 33 bytes */
	    "1 0011223344556677889900\n", /* 11 bytes */
	    "1 00112233445566778899aabbccddeeff00112233445566778899aabbccddeef\n", /* 63 */
	    "1 00112233445566778899aabbccddeeff00112233445566778899aabbccddeefg\n",
	    "1 0x112233445566778899aabbccddeeff00112233445566778899aabbccddeeff\n",
	    "1 " HEX_A " \n",  /* trailing space */
	    "1 " HEX_A "\r\n", /* CRLF */
	    "1  " HEX_A "\n",  /* two spaces */
	    "1\t" HEX_A "\n",  /* tab */
	    HEX_A "\n",	       /* no version */
	    "x " HEX_A "\n",
	    "1x " HEX_A "\n",
	    "0 " HEX_A "\n",	      /* version 0 */
	    "4294967296 " HEX_A "\n", /* version above 32 bits */
	    "99999999999999999999999 " HEX_A "\n",
	    "1 " HEX_A "\n1 " HEX_B "\n", /* duplicate version */
	    "2 " HEX_A "\n1 " HEX_B "\n2 " HEX_A "\n",
	    "1 " HEX_A "\ngarbage\n", /* one bad line spoils the file */
	};
	struct fixture *f = *state;
	sesame_key_t keys[SESAME_MAX_KEYS];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		size_t n = 99;
		int r = load_text(f, bad[i], 0600, keys, &n);
		if (r != SESAME_ERR_CONFIG)
			fail_msg("case #%zu gave %d", i, r);
		assert_int_equal(n, 0);
	}
}

static void test_load_refuses_sign_and_space_in_version(void **state)
{
	/* "VERSION HEX64": strtoul() alone would take these as version 1 */
	static const char *bad[] = {
	    "+1 " HEX_A "\n",
	    " 1 " HEX_A "\n",
	    "-18446744073709551615 " HEX_A "\n",
	};
	struct fixture *f = *state;
	sesame_key_t keys[SESAME_MAX_KEYS];

	int accepted = 0;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		size_t n = 99;
		int r = load_text(f, bad[i], 0600, keys, &n);
		if (r != SESAME_ERR_CONFIG) {
			print_error("case #%zu (\"%.24s...\") gave %d with version %u\n", i, bad[i],
				    r, n ? (unsigned)keys[0].version : 0u);
			accepted++;
		}
	}
	assert_int_equal(accepted, 0);
}

static void test_load_oversized(void **state)
{
	struct fixture *f = *state;
	sesame_key_t keys[SESAME_MAX_KEYS];
	char *text = malloc(5000);
	size_t n = 99;

	assert_non_null(text);
	memset(text, '#', 4999);
	text[4999] = '\0';
	memcpy(text, "1 " HEX_A "\n", 67);
	assert_int_equal(load_text(f, text, 0600, keys, &n), SESAME_ERR_CONFIG);
	free(text);
}

static void test_load_missing_and_not_regular(void **state)
{
	struct fixture *f = *state;
	sesame_key_t keys[SESAME_MAX_KEYS];
	char path[512], link[512];
	size_t n = 99;

	unit_path(path, sizeof(path), f->dir, "absent.key");
	assert_int_equal(keyfile_load(path, keys, &n), SESAME_ERR_NOT_FOUND);
	assert_int_equal(n, 0);
	/* a directory is not a key file */
	n = 99;
	assert_int_not_equal(keyfile_load(f->dir, keys, &n), SESAME_OK);
	assert_int_equal(n, 0);
	/* a symlink to a good key file is not followed */
	fresh_path(f, path, sizeof(path));
	assert_int_equal(unit_write_text(path, "1 " HEX_A "\n", 0600), 0);
	fresh_path(f, link, sizeof(link));
	assert_int_equal(symlink(path, link), 0);
	assert_int_not_equal(keyfile_load(link, keys, &n), SESAME_OK);
	assert_int_equal(n, 0);
}

/* Files of dir whose name holds ".new." (keyfile_replace's temporaries). */
static int temporaries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	assert_non_null(d);
	while ((e = readdir(d)) != NULL)
		n += strstr(e->d_name, ".new.") != NULL;
	closedir(d);
	return n;
}

static void test_add_and_remove_versions(void **state)
{
	struct fixture *f = *state;
	sesame_key_t keys[SESAME_MAX_KEYS], before[SESAME_MAX_KEYS];
	char path[512], text[SESAME_MAX_KEYS * 80 + 80] = "";
	struct stat st;
	uint32_t v = 0;
	size_t n = 0, nb = 0, len = 0;

	fresh_path(f, path, sizeof(path));
	assert_int_equal(keyfile_create(path), SESAME_OK);
	assert_int_equal(keyfile_load(path, before, &nb), SESAME_OK);
	assert_int_equal(keyfile_add_version(path, &v), SESAME_OK);
	assert_int_equal(v, 2);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_int_equal(keyfile_load(path, keys, &n), SESAME_OK);
	assert_int_equal(n, 2);
	assert_int_equal(keys[0].version, 1); /* the old key is kept, unchanged */
	assert_memory_equal(keys[0].key, before[0].key, SESAME_KEY_LEN);
	assert_int_equal(keys[1].version, 2);
	assert_memory_not_equal(keys[1].key, keys[0].key, SESAME_KEY_LEN);
	read_all(path, &len);
	assert_int_equal(len, 2 * (2 + 2 * SESAME_KEY_LEN + 1));
	/* the highest version seals: it cannot be removed; unknown ones neither */
	assert_int_equal(keyfile_remove_version(path, 2), SESAME_ERR_CONFLICT);
	assert_int_equal(keyfile_remove_version(path, 7), SESAME_ERR_NOT_FOUND);
	assert_int_equal(keyfile_remove_version(path, 1), SESAME_OK);
	assert_int_equal(keyfile_load(path, keys, &n), SESAME_OK);
	assert_int_equal(n, 1);
	assert_int_equal(keys[0].version, 2);
	assert_int_equal(keyfile_remove_version(path, 2), SESAME_ERR_CONFLICT);
	/* no temporary file is left beside it */
	assert_int_equal(temporaries(f->dir), 0);
	/* versions after a gap; a full file refuses another */
	fresh_path(f, path, sizeof(path));
	unit_key_line(text, sizeof(text), 3, 0x33);
	unit_key_line(text, sizeof(text), 9, 0x99);
	assert_int_equal(unit_write_text(path, text, 0600), 0);
	assert_int_equal(keyfile_add_version(path, &v), SESAME_OK);
	assert_int_equal(v, 10);
	text[0] = '\0';
	fresh_path(f, path, sizeof(path));
	for (uint32_t k = 1; k <= SESAME_MAX_KEYS; k++)
		unit_key_line(text, sizeof(text), k, (unsigned char)k);
	assert_int_equal(unit_write_text(path, text, 0600), 0);
	assert_int_equal(keyfile_add_version(path, &v), SESAME_ERR_CONFLICT);
	/* a file others may read is refused, not rewritten */
	fresh_path(f, path, sizeof(path));
	assert_int_equal(unit_write_text(path, "1 " HEX_A "\n", 0644), 0);
	assert_int_equal(keyfile_add_version(path, &v), SESAME_ERR_PERMISSION);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0644);
	assert_int_equal(st.st_size, (off_t)(2 + 2 * SESAME_KEY_LEN + 1));
	OPENSSL_cleanse(keys, sizeof(keys));
	OPENSSL_cleanse(before, sizeof(before));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_create_mode_and_format),
	    cmocka_unit_test(test_create_fresh_keys),
	    cmocka_unit_test(test_create_refuses_overwrite),
	    cmocka_unit_test(test_create_io_error),
	    cmocka_unit_test(test_load_valid),
	    cmocka_unit_test(test_load_max_keys),
	    cmocka_unit_test(test_load_refuses_open_modes),
	    cmocka_unit_test(test_load_malformed),
	    cmocka_unit_test(test_load_refuses_sign_and_space_in_version),
	    cmocka_unit_test(test_load_oversized),
	    cmocka_unit_test(test_load_missing_and_not_regular),
	    cmocka_unit_test(test_add_and_remove_versions),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
