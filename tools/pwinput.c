/* sesamectl's password input (see pwinput.h), shared by password check,
 * user add and user passwd. */
#include <errno.h>
#include <openssl/crypto.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "pwinput.h"
#include "sesame/utf8.h"

/* Outcomes of reading one line. */
enum {
	PWINPUT_LINE = 0,
	PWINPUT_EOF,	  /* nothing at all before end of input */
	PWINPUT_TOO_LONG, /* over SESAME_MAX_PASSWORD bytes */
	PWINPUT_NUL,	  /* a NUL byte, which no JSON string may carry */
	PWINPUT_IO,
};

/* The terminal state to restore if a signal ends us while echo is off. */
static struct termios pwinput_tty;
static volatile sig_atomic_t pwinput_echo_off;

static void pwinput_on_signal(int sig)
{
	if (pwinput_echo_off)
		(void)tcsetattr(STDIN_FILENO, TCSAFLUSH, &pwinput_tty);
	signal(sig, SIG_DFL);
	raise(sig);
}

/* One line of standard input into buf (SESAME_MAX_PASSWORD + 1 bytes),
 * without its "\n" and NUL-terminated. Read a byte at a time, so that
 * nothing beyond the line is consumed or left in a stdio buffer. */
static int pwinput_read_line(char *buf, size_t *len)
{
	size_t n = 0;
	int got = 0;
	char c;

	*len = 0;
	for (;;) {
		ssize_t r = read(STDIN_FILENO, &c, 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return PWINPUT_IO;
		if (r == 0) {
			if (!got)
				return PWINPUT_EOF;
			break;
		}
		got = 1;
		if (c == '\n')
			break;
		if (c == '\0')
			return PWINPUT_NUL;
		if (n == SESAME_MAX_PASSWORD)
			return PWINPUT_TOO_LONG;
		buf[n++] = c;
	}
	buf[n] = '\0';
	*len = n;
	return PWINPUT_LINE;
}

/* Reads one line; on a terminal, prompts on stderr and turns echo off
 * while the line is typed. */
static int pwinput_read(const char *prompt, char *buf, size_t *len)
{
	struct termios quiet;
	struct sigaction sa, old[4];
	static const int sigs[4] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT};
	int tty = isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &pwinput_tty) == 0;
	int rv;

	if (!tty)
		return pwinput_read_line(buf, len);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = pwinput_on_signal;
	sigemptyset(&sa.sa_mask);
	for (int i = 0; i < 4; i++)
		sigaction(sigs[i], &sa, &old[i]);
	/* echo off before the prompt: nothing typed after it is ever shown
	 * (TCSAFLUSH drops what was typed ahead, while echo was on) */
	quiet = pwinput_tty;
	quiet.c_lflag &= ~(tcflag_t)ECHO;
	pwinput_echo_off = tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet) == 0;
	fprintf(stderr, "%s", prompt);
	fflush(stderr);
	rv = pwinput_read_line(buf, len);
	if (pwinput_echo_off)
		(void)tcsetattr(STDIN_FILENO, TCSADRAIN, &pwinput_tty);
	pwinput_echo_off = 0;
	for (int i = 0; i < 4; i++)
		sigaction(sigs[i], &old[i], NULL);
	fputc('\n', stderr);
	return rv;
}

/* A line read and checked for the protocol; CTL_CONTINUE or a usage exit. */
int pwinput_get(ctl_t *ctl, const char *what, const char *prompt, char *buf, size_t *len)
{
	switch (pwinput_read(prompt, buf, len)) {
	case PWINPUT_LINE:
		break;
	case PWINPUT_EOF:
		return ctl_fail(ctl, CTL_EXIT_USAGE, "invalid_argument", "no %s on standard input",
				what);
	case PWINPUT_TOO_LONG:
		return ctl_fail(ctl, CTL_EXIT_USAGE, "too_large",
				"the %s is longer than %d bytes; nothing was sent", what,
				SESAME_MAX_PASSWORD);
	case PWINPUT_NUL:
		return ctl_fail(ctl, CTL_EXIT_USAGE, "invalid_argument",
				"the %s contains a NUL byte; nothing was sent", what);
	default:
		return ctl_fail(ctl, CTL_EXIT_USAGE, "io_error",
				"cannot read the %s from standard input: %s", what,
				strerror(errno));
	}
	if (!utf8_validate(buf, *len, NULL))
		return ctl_fail(ctl, CTL_EXIT_USAGE, "invalid_argument",
				"the %s is not valid UTF-8 text; nothing was sent", what);
	return CTL_CONTINUE;
}

int pwinput_json_set(json_t *req, const char *key, const char *buf, size_t len)
{
	json_t *v = json_stringn(buf, len);

	if (v == NULL)
		return -1;
	if (json_object_set(req, key, v) != 0) {
		ctl_json_wipe_string(v);
		json_decref(v);
		return -1;
	}
	json_decref(v);
	return 0;
}

int pwinput_get_new(ctl_t *ctl, const char *what, const char *prompt, char *buf, size_t *len)
{
	char again[PWINPUT_BUF];
	size_t again_len = 0;
	int rc;

	if ((rc = pwinput_get(ctl, what, prompt, buf, len)) != CTL_CONTINUE)
		return rc;
	/* a typo typed blind would lock the user out: ask once more */
	if (!isatty(STDIN_FILENO))
		return CTL_CONTINUE;
	rc = pwinput_get(ctl, what, "Retype it: ", again, &again_len);
	if (rc == CTL_CONTINUE && (again_len != *len || CRYPTO_memcmp(again, buf, again_len) != 0))
		rc = ctl_fail(ctl, CTL_EXIT_USAGE, "invalid_argument",
			      "the two %ss differ; nothing was sent", what);
	OPENSSL_cleanse(again, sizeof(again));
	return rc;
}
