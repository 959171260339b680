/* Reading an INI configuration file (sesame-authd.conf(5)) with inih:
 * line counting, lines too long for inih's buffer, and one sentence that
 * names the file, the line and the key of the first error. What each key
 * means is the reader's (the daemon: authd/config.c; sesamectl:
 * config_client.c). */
#include <errno.h>
#include <ini.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "sesame/config_file.h"
#include "sesame/error.h"

struct load_ctx {
	config_entry_fn fn;
	void *arg;
	const char *path;
	char *err;
	size_t errsz;
	FILE *f;
	int line;     /* of the text last handed to inih */
	int failed;   /* line of the first refused entry, 0: none */
	int too_long; /* line that does not fit inih's buffer, 0: none */
};

static int on_entry(void *user, const char *section, const char *name, const char *value)
{
	struct load_ctx *ctx = user;
	int r;

	if (ctx->failed)
		return 0;
	r = ctx->fn(ctx->arg, section, name, value);
	if (r == 0)
		return 1;
	ctx->failed = ctx->line;
	if (r == -2)
		snprintf(ctx->err, ctx->errsz, "unknown setting \"%s\" in section [%s]", name,
			 section);
	else
		snprintf(ctx->err, ctx->errsz, "invalid value for %s.%s", section, name);
	return 0;
}

/* fgets for inih that counts lines and stops at a line longer than inih's
 * fixed buffer (Debian builds it with 200 bytes), which inih would
 * otherwise split into two lines. */
static char *read_line(char *str, int num, void *stream)
{
	struct load_ctx *ctx = stream;
	size_t len;

	if (ctx->too_long || fgets(str, num, ctx->f) == NULL)
		return NULL;
	ctx->line++;
	len = strlen(str);
	if (len == (size_t)num - 1 && str[len - 1] != '\n' && !feof(ctx->f)) {
		ctx->too_long = ctx->line;
		return NULL;
	}
	return str;
}

int config_file_read(const char *path, config_entry_fn fn, void *arg, char *err, size_t errsz)
{
	struct load_ctx ctx = {fn, arg, path, err, errsz, NULL, 0, 0, 0};
	struct stat st;
	char what[256];
	int r, io_error;

	if ((ctx.f = fopen(path, "re")) == NULL) {
		snprintf(err, errsz, "%s: cannot open: %s", path, strerror(errno));
		return SESAME_ERR_IO;
	}
	if (fstat(fileno(ctx.f), &st) != 0 || !S_ISREG(st.st_mode)) {
		snprintf(err, errsz, "%s: not a regular file", path);
		fclose(ctx.f);
		return SESAME_ERR_IO;
	}
	r = ini_parse_stream(read_line, &ctx, on_entry, &ctx);
	io_error = ferror(ctx.f);
	fclose(ctx.f);
	if (io_error) {
		snprintf(err, errsz, "%s: read error", path);
		return SESAME_ERR_IO;
	}
	if (ctx.too_long && (!ctx.failed || ctx.too_long < ctx.failed) &&
	    (r == 0 || ctx.too_long <= r)) {
		snprintf(err, errsz, "%s:%d: line too long (at most %d bytes)", path, ctx.too_long,
			 INI_MAX_LINE - 2);
		return SESAME_ERR_CONFIG;
	}
	/* inih returns the line of its first error, ours included: a syntax
	 * error before the first refused entry is the one to report */
	if (r != 0 && (!ctx.failed || r < ctx.failed)) {
		snprintf(err, errsz, "%s:%d: syntax error (expected [section] or key = value)",
			 path, r);
		return SESAME_ERR_CONFIG;
	}
	if (ctx.failed) {
		snprintf(what, sizeof(what), "%s", err);
		snprintf(err, errsz, "%s:%d: %s", path, ctx.failed, what);
		return SESAME_ERR_CONFIG;
	}
	return SESAME_OK;
}
