/* Terminal QR codes (see qr.h). The matrix is libqrencode's; each text
 * line shows two module rows with the half blocks "▀", "▄" and "█". */
#include <errno.h>
#include <qrencode.h>
#include <string.h>

#include "sesame/error.h"
#include "sesame/qr.h"

/* 1 when module (x, y) of the padded code is light: the quiet zone, or a
 * light module. Coordinates past the bottom edge read as dark, so the last
 * line of an odd-sized code leaves its lower half blank. */
static int qr_light(const QRcode *qr, int x, int y)
{
	int size = qr->width + 2 * QR_QUIET_ZONE;
	int mx = x - QR_QUIET_ZONE, my = y - QR_QUIET_ZONE;

	if (y >= size)
		return 0;
	if (mx < 0 || my < 0 || mx >= qr->width || my >= qr->width)
		return 1;
	return !(qr->data[my * qr->width + mx] & 1);
}

static void qr_draw(FILE *out, const QRcode *qr)
{
	static const char *const cell[4] = {
	    " ",      /* both dark */
	    "\u2580", /* ▀ upper light */
	    "\u2584", /* ▄ lower light */
	    "\u2588", /* █ both light */
	};
	int size = qr->width + 2 * QR_QUIET_ZONE;

	for (int y = 0; y < size; y += 2) {
		for (int x = 0; x < size; x++)
			fputs(cell[qr_light(qr, x, y) | qr_light(qr, x, y + 1) << 1], out);
		fputc('\n', out);
	}
}

int qr_print(FILE *out, const char *text)
{
	QRcode *qr;
	int ok;

	errno = 0;
	qr = QRcode_encodeString(text, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
	if (qr == NULL)
		return errno == ERANGE	 ? SESAME_ERR_TOO_LARGE
		       : errno == ENOMEM ? SESAME_ERR_NOMEM
					 : SESAME_ERR_INVALID_ARGUMENT;
	qr_draw(out, qr);
	ok = ferror(out) ? SESAME_ERR_IO : SESAME_OK;
	/* the modules encode the enrollment secret */
	explicit_bzero(qr->data, (size_t)qr->width * (size_t)qr->width);
	QRcode_free(qr);
	return ok;
}
