/* Passwords for sesamectl: one line of standard input, prompted for on
 * standard error with echo off when standard input is a terminal. Never
 * taken from argv, never printed; callers wipe their buffers. */
#ifndef SESAMECTL_PWINPUT_H
#define SESAMECTL_PWINPUT_H

#include <jansson.h>
#include <stddef.h>

#include "ctl.h"
#include "sesame/limits.h"

/* Size of a buffer that holds any password sesamectl sends, with its NUL. */
#define PWINPUT_BUF (SESAME_MAX_PASSWORD + 1)

/* Reads one line into buf (PWINPUT_BUF bytes): at most SESAME_MAX_PASSWORD
 * bytes of UTF-8 without NUL. CTL_CONTINUE, or the failure reported (what
 * names the input, e.g. "password") and CTL_EXIT_USAGE returned. */
int pwinput_get(ctl_t *ctl, const char *what, const char *prompt, char *buf, size_t *len);

/* A new password: like pwinput_get, and on a terminal asked a second time;
 * the two must match. */
int pwinput_get_new(ctl_t *ctl, const char *what, const char *prompt, char *buf, size_t *len);

/* Sets key to the text of buf in req; wipe the copy with
 * ctl_json_wipe_string before freeing req. 0, or -1 when out of memory. */
int pwinput_json_set(json_t *req, const char *key, const char *buf, size_t len);

#endif
