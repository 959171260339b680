/* Logging to syslog (LOG_AUTHPRIV, no LOG_CONS) and/or stderr, one line
 * per call whatever the fields hold. */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "sesame/error.h"
#include "sesame/log.h"
#include "sesame/utf8.h"

#define LOG_LINE_MAX 1024 /* bytes of a message before escaping */

static int log_sinks = SESAME_LOG_STDERR;
static int log_max = LOG_INFO;

void log_init(const char *ident, int sinks, int level)
{
	log_sinks = sinks;
	log_max = level;
	if (sinks & SESAME_LOG_SYSLOG)
		openlog(ident, LOG_PID, LOG_AUTHPRIV);
}

void log_set_level(int level)
{
	log_max = level;
}

int log_level_parse(const char *name, int *level)
{
	static const struct {
		const char *name;
		int level;
	} levels[] = {{"error", LOG_ERR},
		      {"warning", LOG_WARNING},
		      {"notice", LOG_NOTICE},
		      {"info", LOG_INFO},
		      {"debug", LOG_DEBUG}};
	for (size_t i = 0; i < sizeof(levels) / sizeof(levels[0]); i++) {
		if (strcasecmp(name, levels[i].name) == 0) {
			*level = levels[i].level;
			return SESAME_OK;
		}
	}
	return SESAME_ERR_INVALID_ARGUMENT;
}

/* Code points a reader's terminal or log viewer would act on rather than
 * show: C1 controls (NEL breaks a line), the line and paragraph separators,
 * bidirectional embeddings, overrides and isolates. */
static int log_cp_hidden(uint32_t c)
{
	return (c >= 0x80 && c <= 0x9f) || c == 0x2028 || c == 0x2029 ||
	       (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069);
}

size_t log_escape(char *out, size_t outsz, const char *in, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	size_t o = 0, pos = 0;

	if (outsz == 0)
		return 0;
	while (pos < len) {
		size_t start = pos;
		uint32_t cp = utf8_next(in, len, &pos);
		size_t n = pos - start;
		/* ill-formed bytes decode as 0xDC00 + byte, NUL as one too */
		int escape = cp < 0x20 || cp == 0x7f || cp == '\\' ||
			     (cp >= 0xdc00 && cp <= 0xdcff) || log_cp_hidden(cp);

		if ((escape ? 4 * n : n) >= outsz - o)
			break; /* cut before the piece, never inside an escape */
		for (size_t i = start; i < pos; i++) {
			unsigned char b = (unsigned char)in[i];
			if (escape) {
				out[o++] = '\\';
				out[o++] = 'x';
				out[o++] = hex[b >> 4];
				out[o++] = hex[b & 0xf];
			} else {
				out[o++] = (char)b;
			}
		}
	}
	out[o] = '\0';
	return o;
}

__attribute__((format(printf, 3, 0))) static void log_vmsg(int prio, const char *func,
							   const char *fmt, va_list ap)
{
	char raw[LOG_LINE_MAX];
	char line[4 * LOG_LINE_MAX]; /* every byte may become \xNN */
	int n = 0;

	static const char *names[] = {"emerg",	 "alert",  "crit", "error",
				      "warning", "notice", "info", "debug"};

	if (prio > log_max)
		return;
	if (func)
		n = snprintf(raw, sizeof(raw), "%s: ", func);
	if (n < 0 || (size_t)n >= sizeof(raw))
		n = 0;
	if (vsnprintf(raw + n, sizeof(raw) - (size_t)n, fmt, ap) < 0)
		raw[n] = '\0';
	/* fields (a user name, a PAM rhost) came from outside: a newline or
	 * an escape sequence in them must not start a forged line */
	log_escape(line, sizeof(line), raw, strnlen(raw, sizeof(raw)));
	if (log_sinks & SESAME_LOG_SYSLOG)
		syslog(LOG_AUTHPRIV | prio, "%s", line);
	if (log_sinks & SESAME_LOG_STDERR)
		fprintf(stderr, "%s: %s\n", names[prio & 7], line);
}

void log_msg(int prio, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	log_vmsg(prio, NULL, fmt, ap);
	va_end(ap);
}

void log_msg_f(int prio, const char *func, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	log_vmsg(prio, func, fmt, ap);
	va_end(ap);
}
