/* Binary fuse filters (Graf & Lemire, "Binary Fuse Filters: Fast and
 * Smaller Than Xor Filters", 2022): arity 3, 8-bit fingerprints, built
 * from 64-bit keys, written to a versioned file that is mapped read-only
 * (docs/breach-filter.md). Shared by sesame-authd, which looks passwords
 * up, and sesamectl, which builds the file. */
#include <errno.h>
#include <fcntl.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sesame/breach_filter.h"
#include "sesame/error.h"
#include "sesame/log.h"

/* The file: a fixed header, then the fingerprint array (docs/breach-filter.md). */
#define BF_MAGIC "SESBF1\0\0"
#define BF_MAGIC_LEN 8
#define BF_VERSION 1
#define BF_HEADER 96
#define BF_ARITY 3
#define BF_FP_BITS 8
#define BF_DIGEST 32	 /* SHA-256 of the fingerprint array */
#define BF_HEADER_SUM 8	 /* truncated SHA-256 of the header bytes before it */
#define BF_MIN_SEG_LOG 2 /* segment lengths 4 .. 2^18 */
#define BF_MAX_SEG_LOG 18
#define BF_MAX_TRIES 64		      /* seeds tried before giving up */
#define BF_SEED_START 0x5345534246ull /* "SESBF": builds are reproducible */
#define BF_TMP_TRIES 16
#define BF_RETRY (-1) /* internal: the keys did not peel under this seed */

enum {
	BF_OFF_MAGIC = 0,
	BF_OFF_VERSION = 8,	 /* u32 */
	BF_OFF_HEADER_SIZE = 12, /* u32 */
	BF_OFF_ARITY = 16,	 /* u8 */
	BF_OFF_FP_BITS = 17,	 /* u8 */
	BF_OFF_RESERVED16 = 18,	 /* u16, zero */
	BF_OFF_SEG_LEN = 20,	 /* u32 */
	BF_OFF_SEG_COUNT = 24,	 /* u32 */
	BF_OFF_RESERVED32 = 28,	 /* u32, zero */
	BF_OFF_SEED = 32,	 /* u64 */
	BF_OFF_ENTRIES = 40,	 /* u64 */
	BF_OFF_ARRAY_LEN = 48,	 /* u64 */
	BF_OFF_DIGEST = 56,	 /* 32 bytes */
	BF_OFF_HEADER_SUM = 88,	 /* 8 bytes */
};

typedef struct {
	uint32_t seg_len; /* a power of two */
	uint32_t seg_mask;
	uint32_t seg_count;
	uint32_t seg_count_len; /* seg_count * seg_len: where the first position falls */
	uint32_t array_len;	/* (seg_count + 2) * seg_len fingerprints */
} bf_params_t;

struct breach_filter {
	bf_params_t p;
	uint64_t seed;
	uint64_t entries;
	const uint8_t *fp; /* p.array_len fingerprints, inside map */
	void *map;
	size_t map_len;
	struct stat st; /* the file mapped, as fstat() saw it at open */
};

/* ---- hashing ---- */

/* The 64-bit finaliser of MurmurHash3: a bijection, so a key array turned
 * into hashes in place can be turned back (bf_unmix). */
#define BF_MIX_C1 0xff51afd7ed558ccdull
#define BF_MIX_C2 0xc4ceb9fe1a85ec53ull
#define BF_MIX_C1_INV 0x4f74430c22a54005ull /* C1 * C1_INV == 1 mod 2^64 */
#define BF_MIX_C2_INV 0x9cb4b2f8129337dbull

static inline uint64_t bf_mix(uint64_t x)
{
	x ^= x >> 33;
	x *= BF_MIX_C1;
	x ^= x >> 33;
	x *= BF_MIX_C2;
	x ^= x >> 33;
	return x;
}

/* x ^= x >> 33 is its own inverse, since 2 * 33 >= 64. */
static inline uint64_t bf_unmix(uint64_t x)
{
	x ^= x >> 33;
	x *= BF_MIX_C2_INV;
	x ^= x >> 33;
	x *= BF_MIX_C1_INV;
	x ^= x >> 33;
	return x;
}

static inline uint64_t bf_hash(uint64_t key, uint64_t seed)
{
	return bf_mix(key + seed);
}

static inline uint64_t bf_key(uint64_t hash, uint64_t seed)
{
	return bf_unmix(hash) - seed;
}

static uint64_t bf_next_seed(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ull); /* splitmix64 */
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static inline uint8_t bf_fingerprint(uint64_t h)
{
	return (uint8_t)(h ^ (h >> 32));
}

/* High 64 bits of h * m for m < 2^32, without a 128-bit type. */
static inline uint64_t bf_mulhi32(uint64_t h, uint32_t m)
{
	return ((h >> 32) * m + ((h & 0xffffffffull) * m >> 32)) >> 32;
}

/* The three cells of hash h: one in each of three consecutive segments,
 * the first chosen by the high bits of h, the two others offset within
 * their segment by other bits of h. */
static inline void bf_positions(const bf_params_t *p, uint64_t h, uint32_t pos[BF_ARITY])
{
	uint32_t base = (uint32_t)bf_mulhi32(h, p->seg_count_len);

	pos[0] = base;
	pos[1] = (base + p->seg_len) ^ ((uint32_t)(h >> 18) & p->seg_mask);
	pos[2] = (base + 2 * p->seg_len) ^ ((uint32_t)h & p->seg_mask);
}

/* ---- parameters ---- */

/* Natural logarithm of x >= 1 without libm: x = m * 2^k with m in [1, 2),
 * ln m = 2 atanh((m - 1) / (m + 1)), a series in z <= 1/3. */
static double bf_ln(uint64_t x)
{
	int k = 63 - __builtin_clzll(x);
	double m = (double)x / (double)(1ull << k);
	double z = (m - 1.0) / (m + 1.0), z2 = z * z, term = z, sum = 0.0;

	for (int i = 1; i < 40; i += 2) {
		sum += term / i;
		term *= z2;
	}
	return k * 0.69314718055994530942 + 2.0 * sum;
}

/* Segment length 2^floor(log_3.33(n) + 2.25) as in the paper, from the
 * smallest n of each exponent 3..18 (precomputed, exactly). */
static const uint64_t bf_seg_thresholds[] = {
    3,	   9,	   28,	   92,	    304,     1010,     3362,	 11193,
    37273, 124118, 413310, 1376322, 4583150, 15261887, 50822082, 169237530,
};

static int bf_params(uint64_t n, bf_params_t *p)
{
	unsigned lg = BF_MIN_SEG_LOG;
	uint64_t capacity, segs, array_len;

	memset(p, 0, sizeof(*p));
	if (n == 0)
		return SESAME_OK; /* an empty filter has no array and says no */
	if (n > BREACH_FILTER_MAX_ENTRIES)
		return SESAME_ERR_TOO_LARGE;
	for (size_t i = 0; i < sizeof(bf_seg_thresholds) / sizeof(bf_seg_thresholds[0]); i++)
		if (n >= bf_seg_thresholds[i])
			lg++;
	if (lg > BF_MAX_SEG_LOG)
		lg = BF_MAX_SEG_LOG;
	/* size factor max(1.125, 0.875 + 0.25 ln(10^6) / ln n): small sets
	 * need more room to peel */
	if (n >= 1000000)
		capacity = n + n / 8;
	else {
		double f = 0.875 + 0.25 * bf_ln(1000000) / bf_ln(n < 2 ? 2 : n);
		if (f < 1.125)
			f = 1.125;
		capacity = (uint64_t)((double)n * f + 0.5);
	}
	p->seg_len = 1u << lg;
	p->seg_mask = p->seg_len - 1;
	segs = (capacity + p->seg_len - 1) / p->seg_len;
	segs = segs > BF_ARITY - 1 ? segs - (BF_ARITY - 1) : 1;
	array_len = (segs + BF_ARITY - 1) * p->seg_len;
	if (array_len > UINT32_MAX)
		return SESAME_ERR_TOO_LARGE;
	p->seg_count = (uint32_t)segs;
	p->seg_count_len = p->seg_count * p->seg_len;
	p->array_len = (uint32_t)array_len;
	return SESAME_OK;
}

/* ---- construction ---- */

#define BF_SORT_BYTES 3	     /* radix passes, on the top bytes */
#define BF_SORT_INSERTION 32 /* longer runs of equal top bytes go to qsort */

static int bf_cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return (x > y) - (x < y);
}

/* Sorts a[0..n); tmp has room for n. An LSD radix sort on the top three
 * bytes gives the order the cells are filled in; the runs that share them
 * (n / 2^24 values on average) are then sorted whole, so that duplicates
 * meet: insertion sort, or qsort for the long runs only crafted keys make.
 * Three passes, not eight: a full radix sort took a third of a build. */
static void bf_sort(uint64_t *a, uint64_t *tmp, size_t n)
{
	size_t count[BF_SORT_BYTES][256];
	uint64_t *src = a, *dst = tmp, *swap;
	const unsigned low = 64 - 8 * BF_SORT_BYTES;

	memset(count, 0, sizeof(count));
	for (size_t i = 0; i < n; i++)
		for (unsigned b = 0; b < BF_SORT_BYTES; b++)
			count[b][(a[i] >> (low + 8 * b)) & 0xff]++;
	for (unsigned b = 0; b < BF_SORT_BYTES; b++) {
		unsigned shift = low + 8 * b;
		size_t off = 0, c;
		if (count[b][(src[0] >> shift) & 0xff] == n)
			continue; /* every value has the same byte here */
		for (unsigned v = 0; v < 256; v++) {
			c = count[b][v];
			count[b][v] = off;
			off += c;
		}
		for (size_t i = 0; i < n; i++)
			dst[count[b][(src[i] >> shift) & 0xff]++] = src[i];
		swap = src;
		src = dst;
		dst = swap;
	}
	if (src != a)
		memcpy(a, src, n * sizeof(*a));
	for (size_t i = 0, j; i < n; i = j) {
		for (j = i + 1; j < n && a[j] >> low == a[i] >> low; j++)
			continue;
		if (j - i > BF_SORT_INSERTION) {
			qsort(a + i, j - i, sizeof(*a), bf_cmp_u64);
			continue;
		}
		for (size_t k = i + 1; k < j; k++) {
			uint64_t v = a[k];
			size_t m = k;
			for (; m > i && a[m - 1] > v; m--)
				a[m] = a[m - 1];
			a[m] = v;
		}
	}
}

/* Moves the distinct values of the sorted a[0..n) to its front by swaps
 * (so that a stays a permutation) and returns their number. */
static size_t bf_dedupe(uint64_t *a, size_t n)
{
	size_t u = n > 0 ? 1 : 0;

	for (size_t i = 1; i < n; i++) {
		if (a[i] == a[u - 1])
			continue;
		uint64_t t = a[u];
		a[u++] = a[i];
		a[i] = t;
	}
	return u;
}

/* One construction over the distinct hashes h[0..n) (sorted by hash for
 * locality when possible): SESAME_OK with *out the p->array_len
 * fingerprints (malloc'd), BF_RETRY when they do not peel, or an error.
 *
 * Each cell counts its keys (high 6 bits of cnt), XORs their hashes (xh)
 * and XORs which of its key's three positions it is (low 2 bits of cnt).
 * Cells with one key are peeled off a queue, removing the key from its
 * two other cells; the order is kept so that fingerprints can be assigned
 * in reverse. The queue grows up from the start of q and the peel order
 * down from its end: every cell is queued at most once and a key is
 * peeled only after its cell was dequeued, so they never meet. */
static int bf_construct(const uint64_t *h, size_t n, const bf_params_t *p, uint8_t **out)
{
	uint8_t *cnt = NULL;
	uint64_t *xh = NULL;
	uint32_t *q = NULL;
	uint32_t pos[BF_ARITY];
	size_t qn = 0, sn = 0, len = p->array_len;
	int ok = SESAME_ERR_NOMEM;

	*out = NULL;
	if ((cnt = calloc(len, 1)) == NULL || (xh = calloc(len, sizeof(*xh))) == NULL ||
	    (q = malloc(len * sizeof(*q))) == NULL)
		goto fail;
	ok = BF_RETRY;
	for (size_t i = 0; i < n; i++) {
		bf_positions(p, h[i], pos);
		for (uint8_t j = 0; j < BF_ARITY; j++) {
			if (cnt[pos[j]] >= 0xfc)
				goto fail; /* 63 keys in a cell: the count would wrap */
			cnt[pos[j]] = (uint8_t)((cnt[pos[j]] + 4) ^ j);
			xh[pos[j]] ^= h[i];
		}
	}
	for (size_t i = 0; i < len; i++)
		if (cnt[i] >> 2 == 1)
			q[qn++] = (uint32_t)i;
	while (qn > 0) {
		uint32_t c = q[--qn];
		if (cnt[c] >> 2 != 1)
			continue; /* emptied since it was queued */
		uint64_t hash = xh[c];
		uint8_t found = cnt[c] & 3;
		q[len - 1 - sn++] = c;
		bf_positions(p, hash, pos);
		for (uint8_t j = 0; j < BF_ARITY; j++) {
			uint32_t o = pos[j];
			if (j == found)
				continue;
			cnt[o] = (uint8_t)((cnt[o] - 4) ^ j);
			xh[o] ^= hash;
			if (cnt[o] >> 2 == 1)
				q[qn++] = o;
		}
	}
	if (sn != n)
		goto fail;
	/* Assign in reverse peel order, reusing cnt as the fingerprint array.
	 * A peeled cell keeps its one key (count 1, its hash and position
	 * index); every other cell has ended at 0. The two other cells of a
	 * key are either such zero cells or cells of keys peeled after it,
	 * already assigned: never a cell still holding its count. */
	for (size_t s = len - sn; s < len; s++) {
		uint32_t c = q[s];
		uint64_t hash = xh[c];
		uint8_t found = cnt[c] & 3, v = bf_fingerprint(hash);
		bf_positions(p, hash, pos);
		for (uint8_t j = 0; j < BF_ARITY; j++)
			if (j != found)
				v ^= cnt[pos[j]];
		cnt[c] = v;
	}
	*out = cnt;
	cnt = NULL;
	ok = SESAME_OK;
fail:
	free(cnt);
	free(xh);
	free(q);
	return ok;
}

/* Builds the fingerprints of keys[0..n), using keys as the array of their
 * hashes meanwhile (the hash is a bijection) and restoring them after. */
static int bf_build(uint64_t *keys, size_t n, bf_params_t *p, uint64_t *seed, uint64_t *entries,
		    uint8_t **fp)
{
	uint64_t *tmp = NULL, state = BF_SEED_START, next;
	size_t u = 0;
	int ok, tries = 0;

	*fp = NULL;
	*entries = 0;
	*seed = bf_next_seed(&state);
	if (n == 0)
		return bf_params(0, p);
	if (n > BREACH_FILTER_MAX_ENTRIES)
		return SESAME_ERR_TOO_LARGE;
	if ((tmp = malloc(n * sizeof(*tmp))) == NULL)
		return SESAME_ERR_NOMEM;
	for (size_t i = 0; i < n; i++)
		keys[i] = bf_hash(keys[i], *seed);
	/* sorted hashes: duplicates become neighbours, and cells are filled
	 * in address order (the first position grows with the hash) */
	bf_sort(keys, tmp, n);
	free(tmp);
	u = bf_dedupe(keys, n);
	if ((ok = bf_params(u, p)) != SESAME_OK)
		goto fail;
	for (;;) {
		ok = bf_construct(keys, u, p, fp);
		if (ok != BF_RETRY)
			break;
		if (++tries >= BF_MAX_TRIES) {
			log_err_f("no seed in %d built a filter of %zu keys", tries, u);
			ok = SESAME_ERR_INTERNAL;
			break;
		}
		/* another seed; the hashes stay distinct but lose their order,
		 * which costs time only */
		next = bf_next_seed(&state);
		for (size_t i = 0; i < n; i++)
			keys[i] = bf_hash(bf_key(keys[i], *seed), next);
		*seed = next;
	}
	*entries = u;
fail:
	for (size_t i = 0; i < n; i++)
		keys[i] = bf_key(keys[i], *seed);
	return ok;
}

/* ---- the file ---- */

static void bf_put32(unsigned char *b, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		b[i] = (unsigned char)(v >> (8 * i));
}

static void bf_put64(unsigned char *b, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		b[i] = (unsigned char)(v >> (8 * i));
}

static uint32_t bf_get32(const unsigned char *b)
{
	uint32_t v = 0;
	for (int i = 3; i >= 0; i--)
		v = v << 8 | b[i];
	return v;
}

static uint64_t bf_get64(const unsigned char *b)
{
	uint64_t v = 0;
	for (int i = 7; i >= 0; i--)
		v = v << 8 | b[i];
	return v;
}

static int bf_sha256(const void *data, size_t len, unsigned char md[BF_DIGEST])
{
	static const unsigned char empty[1];
	unsigned int mdlen = 0;

	if (EVP_Digest(len ? data : empty, len, md, &mdlen, EVP_sha256(), NULL) != 1 ||
	    mdlen != BF_DIGEST) {
		log_err_f("EVP_Digest SHA-256");
		return SESAME_ERR_CRYPTO;
	}
	return SESAME_OK;
}

static int bf_header_encode(unsigned char h[BF_HEADER], const bf_params_t *p, uint64_t seed,
			    uint64_t entries, const uint8_t *fp)
{
	unsigned char sum[BF_DIGEST];
	int r;

	memset(h, 0, BF_HEADER);
	memcpy(h + BF_OFF_MAGIC, BF_MAGIC, BF_MAGIC_LEN);
	bf_put32(h + BF_OFF_VERSION, BF_VERSION);
	bf_put32(h + BF_OFF_HEADER_SIZE, BF_HEADER);
	h[BF_OFF_ARITY] = BF_ARITY;
	h[BF_OFF_FP_BITS] = BF_FP_BITS;
	bf_put32(h + BF_OFF_SEG_LEN, p->seg_len);
	bf_put32(h + BF_OFF_SEG_COUNT, p->seg_count);
	bf_put64(h + BF_OFF_SEED, seed);
	bf_put64(h + BF_OFF_ENTRIES, entries);
	bf_put64(h + BF_OFF_ARRAY_LEN, p->array_len);
	if ((r = bf_sha256(fp, p->array_len, h + BF_OFF_DIGEST)) != SESAME_OK ||
	    (r = bf_sha256(h, BF_OFF_HEADER_SUM, sum)) != SESAME_OK)
		return r;
	memcpy(h + BF_OFF_HEADER_SUM, sum, BF_HEADER_SUM);
	return SESAME_OK;
}

static int bf_pwrite_all(int fd, const void *buf, size_t len, off_t off)
{
	const unsigned char *b = buf;

	while (len > 0) {
		ssize_t w = pwrite(fd, b, len > (1u << 30) ? (1u << 30) : len, off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		b += w;
		len -= (size_t)w;
		off += w;
	}
	return 0;
}

int breach_filter_write_fd(int fd, uint64_t *keys, size_t n)
{
	unsigned char header[BF_HEADER];
	bf_params_t p;
	uint64_t seed, entries;
	uint8_t *fp = NULL;
	int ok;

	if (fd < 0 || (keys == NULL && n > 0))
		return SESAME_ERR_INVALID_ARGUMENT;
	if ((ok = bf_build(keys, n, &p, &seed, &entries, &fp)) != SESAME_OK)
		goto fail;
	if ((ok = bf_header_encode(header, &p, seed, entries, fp)) != SESAME_OK)
		goto fail;
	ok = SESAME_ERR_IO;
	if (bf_pwrite_all(fd, header, sizeof(header), 0) != 0 ||
	    bf_pwrite_all(fd, fp, p.array_len, BF_HEADER) != 0 ||
	    ftruncate(fd, (off_t)BF_HEADER + p.array_len) != 0 || fsync(fd) != 0) {
		log_err_f("writing the filter: %s", strerror(errno));
		goto fail;
	}
	ok = SESAME_OK;
fail:
	free(fp);
	return ok;
}

int breach_filter_build(uint64_t *keys, size_t n, const char *path)
{
	unsigned char rnd[6];
	char *dir = NULL, tmp[512];
	const char *name, *slash;
	int dfd = -1, fd = -1, ok = SESAME_ERR_IO, made = 0;

	if (path == NULL || (keys == NULL && n > 0))
		return SESAME_ERR_INVALID_ARGUMENT;
	slash = strrchr(path, '/');
	name = slash ? slash + 1 : path;
	if (*name == '\0' || strlen(name) > 200)
		return SESAME_ERR_INVALID_ARGUMENT;
	if ((dir = slash == NULL   ? strdup(".")
		   : slash == path ? strdup("/")
				   : strndup(path, (size_t)(slash - path))) == NULL)
		return SESAME_ERR_NOMEM;
	if ((dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
		log_err_f("%s: %s", dir, strerror(errno));
		goto fail;
	}
	for (int i = 0; i < BF_TMP_TRIES && fd < 0; i++) {
		if (RAND_bytes(rnd, sizeof(rnd)) != 1) {
			ok = SESAME_ERR_CRYPTO;
			goto fail;
		}
		snprintf(tmp, sizeof(tmp), ".%s.%02x%02x%02x%02x%02x%02x", name, rnd[0], rnd[1],
			 rnd[2], rnd[3], rnd[4], rnd[5]);
		fd = openat(dfd, tmp, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
		if (fd < 0 && errno != EEXIST) {
			log_err_f("%s/%s: %s", dir, tmp, strerror(errno));
			goto fail;
		}
	}
	if (fd < 0)
		goto fail;
	made = 1;
	if (fchmod(fd, 0644) != 0) {
		log_err_f("fchmod: %s", strerror(errno));
		goto fail;
	}
	if ((ok = breach_filter_write_fd(fd, keys, n)) != SESAME_OK)
		goto fail;
	ok = SESAME_ERR_IO;
	if (close(fd) != 0) {
		fd = -1;
		goto fail;
	}
	fd = -1;
	if (renameat(dfd, tmp, dfd, name) != 0) {
		log_err_f("rename to %s: %s", path, strerror(errno));
		goto fail;
	}
	made = 0;
	if (fsync(dfd) != 0) {
		log_err_f("fsync %s: %s", dir, strerror(errno));
		goto fail;
	}
	ok = SESAME_OK;
fail:
	if (fd >= 0)
		close(fd);
	if (made)
		unlinkat(dfd, tmp, 0);
	if (dfd >= 0)
		close(dfd);
	free(dir);
	return ok;
}

/* Checks every field of the mapped header against the file's size; never
 * trusts a length before it has been compared. */
static int bf_header_check(breach_filter_t *f, const unsigned char *h, size_t size)
{
	unsigned char sum[BF_DIGEST];
	uint64_t seg_len, seg_count, array_len;

	if (size < BF_HEADER || memcmp(h + BF_OFF_MAGIC, BF_MAGIC, BF_MAGIC_LEN) != 0) {
		log_err_f("not a breach filter file");
		return SESAME_ERR_CONFIG;
	}
	if (bf_get32(h + BF_OFF_VERSION) != BF_VERSION ||
	    bf_get32(h + BF_OFF_HEADER_SIZE) != BF_HEADER || h[BF_OFF_ARITY] != BF_ARITY ||
	    h[BF_OFF_FP_BITS] != BF_FP_BITS || h[BF_OFF_RESERVED16] != 0 ||
	    h[BF_OFF_RESERVED16 + 1] != 0 || bf_get32(h + BF_OFF_RESERVED32) != 0) {
		log_err_f("unsupported breach filter version or layout");
		return SESAME_ERR_CONFIG;
	}
	if (bf_sha256(h, BF_OFF_HEADER_SUM, sum) != SESAME_OK ||
	    CRYPTO_memcmp(sum, h + BF_OFF_HEADER_SUM, BF_HEADER_SUM) != 0) {
		log_err_f("breach filter header checksum mismatch");
		return SESAME_ERR_CONFIG;
	}
	seg_len = bf_get32(h + BF_OFF_SEG_LEN);
	seg_count = bf_get32(h + BF_OFF_SEG_COUNT);
	array_len = bf_get64(h + BF_OFF_ARRAY_LEN);
	f->entries = bf_get64(h + BF_OFF_ENTRIES);
	f->seed = bf_get64(h + BF_OFF_SEED);
	if (f->entries == 0) {
		if (seg_len != 0 || seg_count != 0 || array_len != 0)
			goto bad;
	} else {
		/* seg_len a power of two in range, array_len exactly what the
		 * segments need (all in 64 bits: no overflow) */
		if (seg_len < (1u << BF_MIN_SEG_LOG) || seg_len > (1u << BF_MAX_SEG_LOG) ||
		    (seg_len & (seg_len - 1)) != 0 || seg_count == 0 ||
		    array_len != (seg_count + BF_ARITY - 1) * seg_len || array_len > UINT32_MAX ||
		    f->entries > array_len || f->entries > BREACH_FILTER_MAX_ENTRIES)
			goto bad;
	}
	if (size - BF_HEADER != array_len) {
		log_err_f("breach filter size does not match its header (truncated?)");
		return SESAME_ERR_CONFIG;
	}
	f->p.seg_len = (uint32_t)seg_len;
	f->p.seg_mask = f->p.seg_len ? f->p.seg_len - 1 : 0;
	f->p.seg_count = (uint32_t)seg_count;
	f->p.seg_count_len = (uint32_t)(seg_count * seg_len);
	f->p.array_len = (uint32_t)array_len;
	return SESAME_OK;
bad:
	log_err_f("inconsistent breach filter parameters");
	return SESAME_ERR_CONFIG;
}

int breach_filter_open_fd(int fd, breach_filter_t **out)
{
	breach_filter_t *f = NULL;
	unsigned char digest[BF_DIGEST];
	int ok = SESAME_ERR_CONFIG;

	*out = NULL;
	if ((f = calloc(1, sizeof(*f))) == NULL)
		return SESAME_ERR_NOMEM;
	f->map = MAP_FAILED;
	if (fstat(fd, &f->st) != 0) {
		log_err_f("fstat: %s", strerror(errno));
		ok = SESAME_ERR_IO;
		goto fail;
	}
	if (!S_ISREG(f->st.st_mode) || f->st.st_size < BF_HEADER ||
	    (uint64_t)f->st.st_size > BF_HEADER + (uint64_t)UINT32_MAX) {
		log_err_f("not a breach filter file (type or size)");
		goto fail;
	}
	f->map_len = (size_t)f->st.st_size;
	f->map = mmap(NULL, f->map_len, PROT_READ, MAP_PRIVATE, fd, 0);
	if (f->map == MAP_FAILED) {
		log_err_f("mmap: %s", strerror(errno));
		ok = errno == ENOMEM ? SESAME_ERR_NOMEM : SESAME_ERR_IO;
		goto fail;
	}
	if ((ok = bf_header_check(f, f->map, f->map_len)) != SESAME_OK)
		goto fail;
	f->fp = (const uint8_t *)f->map + BF_HEADER;
	if ((ok = bf_sha256(f->fp, f->p.array_len, digest)) != SESAME_OK)
		goto fail;
	if (memcmp(digest, (const unsigned char *)f->map + BF_OFF_DIGEST, BF_DIGEST) != 0) {
		log_err_f("breach filter contents do not match their checksum");
		ok = SESAME_ERR_CONFIG;
		goto fail;
	}
	/* lookups touch three random cells: no read-ahead */
	(void)madvise(f->map, f->map_len, MADV_RANDOM);
	*out = f;
	f = NULL;
	ok = SESAME_OK;
fail:
	breach_filter_close(&f);
	return ok;
}

int breach_filter_open(const char *path, breach_filter_t **out)
{
	int fd, ok;

	*out = NULL;
	if (path == NULL)
		return SESAME_ERR_INVALID_ARGUMENT;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY)) < 0) {
		int e = errno;
		if (e == ENOENT || e == ENOTDIR)
			return SESAME_ERR_NOT_FOUND;
		log_err_f("%s: %s", path, strerror(e));
		return e == EACCES ? SESAME_ERR_PERMISSION : SESAME_ERR_IO;
	}
	ok = breach_filter_open_fd(fd, out);
	close(fd); /* the mapping stays */
	if (ok != SESAME_OK)
		log_err_f("%s: %s", path, sesame_err_message(ok));
	return ok;
}

void breach_filter_close(breach_filter_t **fp)
{
	if (fp == NULL || *fp == NULL)
		return;
	if ((*fp)->map != MAP_FAILED && (*fp)->map != NULL)
		munmap((*fp)->map, (*fp)->map_len);
	free(*fp);
	*fp = NULL;
}

int breach_filter_contains(const breach_filter_t *f, uint64_t key)
{
	uint32_t pos[BF_ARITY];
	uint64_t h;

	if (f == NULL || f->p.array_len == 0)
		return 0;
	h = bf_hash(key, f->seed);
	bf_positions(&f->p, h, pos);
	return (uint8_t)(f->fp[pos[0]] ^ f->fp[pos[1]] ^ f->fp[pos[2]]) == bf_fingerprint(h);
}

size_t breach_filter_count(const breach_filter_t *f)
{
	return f ? (size_t)f->entries : 0;
}

size_t breach_filter_bytes(const breach_filter_t *f)
{
	return f ? f->map_len : 0;
}

const struct stat *breach_filter_stat(const breach_filter_t *f)
{
	return f ? &f->st : NULL;
}

/* ---- keys ---- */

uint64_t breach_key_from_sha1(const unsigned char sha1[20])
{
	uint64_t k = 0;
	for (int i = 0; i < 8; i++)
		k = k << 8 | sha1[i];
	return k;
}

static EVP_MD *bf_sha1;
static pthread_once_t bf_sha1_once = PTHREAD_ONCE_INIT;

/* fetched once for the process: an implicit fetch per digest costs more
 * than the digest of a password */
static void bf_sha1_fetch(void)
{
	bf_sha1 = EVP_MD_fetch(NULL, "SHA1", NULL);
}

uint64_t breach_key_from_password(const char *password, size_t len)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	uint64_t key = 0;

	pthread_once(&bf_sha1_once, bf_sha1_fetch);
	if (bf_sha1 == NULL ||
	    EVP_Digest(len ? (const void *)password : (const void *)"", len, md, &mdlen, bf_sha1,
		       NULL) != 1 ||
	    mdlen != 20) {
		log_err_f("EVP_Digest SHA-1");
		return 0;
	}
	key = breach_key_from_sha1(md);
	OPENSSL_cleanse(md, sizeof(md));
	return key;
}
