/* QR codes drawn in a terminal (libqrencode): the otpauth:// URI of a
 * TOTP enrollment (sesamectl), the terminal hand-off's URL (the daemon's
 * PAM prompt). A library of its own: the PAM module does not link it. */
#ifndef SESAME_QR_H
#define SESAME_QR_H

#include <stdio.h>

#define QR_QUIET_ZONE 4 /* modules of light margin on every side */

/* Encodes text (ECC level M, byte mode) and draws it on out with Unicode
 * half blocks: light modules and the quiet zone in the foreground colour,
 * dark modules as blanks, so the code reads dark-on-light in a terminal
 * with light text on a dark background. SESAME_OK, SESAME_ERR_TOO_LARGE
 * (text too long for a QR code), SESAME_ERR_NOMEM or SESAME_ERR_IO. */
int qr_print(FILE *out, const char *text);

#endif
