/* Logging to syslog (LOG_AUTHPRIV, no LOG_CONS) and/or stderr. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "sesame/error.h"
#include "sesame/log.h"

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

__attribute__((format(printf, 3, 0))) static void log_vmsg(int prio, const char *func,
							   const char *fmt, va_list ap)
{
	char line[1024];
	int n = 0;

	static const char *names[] = {"emerg",	 "alert",  "crit", "error",
				      "warning", "notice", "info", "debug"};

	if (prio > log_max)
		return;
	if (func)
		n = snprintf(line, sizeof(line), "%s: ", func);
	vsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap);
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
