/* Logging: syslog (LOG_AUTHPRIV) or stderr. Never pass a secret here.
 * Each call writes one line: what the formatted message holds is escaped
 * by log_escape, so that a field from outside (a user name, a PAM rhost)
 * cannot break the line or forge another. */
#ifndef SESAME_LOG_H
#define SESAME_LOG_H

#include <stddef.h>
#include <syslog.h>

enum { SESAME_LOG_STDERR = 1, SESAME_LOG_SYSLOG = 2 };

/* ident: program name; sinks: SESAME_LOG_* bits; level: LOG_ERR..LOG_DEBUG. */
void log_init(const char *ident, int sinks, int level);
void log_set_level(int level);
int log_level_parse(const char *name, int *level);
void log_msg(int prio, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define log_err(...) log_msg(LOG_ERR, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_WARNING, __VA_ARGS__)
#define log_info(...) log_msg(LOG_INFO, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_DEBUG, __VA_ARGS__)
/* function-prefixed line, as in "store_open: sqlite3_open_v2: ..." */
void log_msg_f(int prio, const char *func, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
#define log_err_f(...) log_msg_f(LOG_ERR, __func__, __VA_ARGS__)

/* Copies in[0..len) to out as one line of text: every byte below 0x20,
 * 0x7f, the backslash (so that an escape in the input cannot pass for one
 * of ours), the bytes of invalid UTF-8 and those of C1 controls, line
 * separators and bidirectional controls become \xNN (lowercase hex);
 * valid UTF-8 text stays. Cut before a character when out is too small
 * (4 * len + 1 bytes always suffice); NUL-terminated; returns the length. */
size_t log_escape(char *out, size_t outsz, const char *in, size_t len);

#endif
