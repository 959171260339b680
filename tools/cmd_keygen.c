/* sesamectl keygen: a new master key file, made locally (no daemon). */
#include <errno.h>
#include <string.h>

#include "cmd.h"
#include "sesame/error.h"
#include "sesame/keyfile.h"
#include "term.h"

static int cmd_keygen_run(ctl_t *ctl, int argc, char **argv)
{
	static const struct option opts[] = {CTL_COMMON_OPTIONS, {NULL, 0, NULL, 0}};
	char shown[TERM_TEXT_MAX];
	const char *path;
	json_t *doc = NULL;
	int rc, err, saved;

	while (ctl_getopt(ctl, argc, argv, opts, &rc) != -1)
		continue; /* only the common options */
	if (rc != CTL_CONTINUE)
		return rc;
	if ((rc = ctl_operands(ctl, argc, argv, 1)) != CTL_CONTINUE)
		return rc;
	path = argv[optind];
	term_clean(path, shown, sizeof(shown));
	errno = 0;
	err = keyfile_create(path);
	saved = errno;
	if (err == SESAME_ERR_CONFLICT)
		return ctl_fail(ctl, CTL_EXIT_REFUSED, sesame_err_code(err),
				"%s already exists; refusing to overwrite it", shown);
	if (err == SESAME_ERR_IO && saved != 0)
		return ctl_fail(ctl, CTL_EXIT_REFUSED, sesame_err_code(err), "cannot create %s: %s",
				shown, strerror(saved));
	if (err != SESAME_OK)
		return ctl_fail(ctl, CTL_EXIT_REFUSED, sesame_err_code(err), "cannot create %s: %s",
				shown, sesame_err_message(err));
	if (!ctl->json) {
		printf("Created master key file %s (mode 0600, key version 1).\n", shown);
		return CTL_EXIT_OK;
	}
	doc = json_pack("{s:s, s:i}", "path", path, "version", 1);
	rc = doc != NULL ? ctl_json_print(ctl, doc)
			 : ctl_fail(ctl, CTL_EXIT_USAGE, "invalid_argument",
				    "%s was created but its name is not UTF-8 text", shown);
	json_decref(doc);
	return rc;
}

const cmd_t cmd_keygen = {
    .group = NULL,
    .name = "keygen",
    .args = "PATH",
    .options = NULL,
    .summary = "Create a master key file (no daemon needed).",
    .help = "Writes one fresh random 256-bit key (version 1) to PATH, created with\n"
	    "mode 0600 and synced to disk. An existing PATH is never overwritten.\n"
	    "Point master_key in authd.conf at it; the file must stay readable by\n"
	    "the daemon's user only.\n"
	    "\n"
	    "Options:\n",
    .run = cmd_keygen_run,
};
