/* sesamectl breach import: builds the offline breached-password filter
 * from a Have I Been Pwned list, locally (no daemon). The list is
 * untrusted text: it is parsed by a child that has dropped every
 * privilege; the parent, which opened the files, only checks the filter
 * the child wrote and renames it into place. */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <inttypes.h>
#include <openssl/rand.h>
#include <pwd.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cmd.h"
#include "sesame/breach_filter.h"
#include "sesame/breach_import.h"
#include "sesame/error.h"
#include "term.h"

#define CMD_BREACH_DEFAULT_OUTPUT "/var/lib/sesame/breach.filter"
/* Who parses the list when root runs us: nobody, not the daemon's user,
 * whose files (master key, database) a hostile list must not reach. */
#define CMD_BREACH_USER "nobody"
#define CMD_BREACH_NAME_MAX 200	       /* bytes of the output file's name */
#define CMD_BREACH_FP_RATE (1.0 / 256) /* 8-bit fingerprints */

/* Where the child stopped. */
enum {
	CMD_BREACH_DONE = 0,
	CMD_BREACH_DROP,  /* could not drop privileges */
	CMD_BREACH_READ,  /* reading or keeping the list failed */
	CMD_BREACH_EMPTY, /* no valid line */
	CMD_BREACH_BUILD, /* building or writing the filter failed */
};

/* The child's report, through a pipe: numbers only. */
typedef struct {
	int stage;
	int err;	 /* sesame_err_t */
	int errno_value; /* for CMD_BREACH_READ */
	uint64_t lines, valid, rejected, first_rejected;
	double read_s, build_s;
} cmd_breach_report_t;

static volatile sig_atomic_t cmd_breach_child;

/* ^C or a kill of sesamectl stops the child; the parent then removes the
 * temporary file. */
static void cmd_breach_forward(int sig)
{
	if (cmd_breach_child > 0)
		kill((pid_t)cmd_breach_child, sig);
}

static double cmd_breach_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int cmd_breach_drop(uid_t uid, gid_t gid)
{
	if (setgroups(0, NULL) != 0 || setgid(gid) != 0 || setuid(uid) != 0)
		return -1;
	if (getuid() != uid || geteuid() != uid || getgid() != gid || getegid() != gid)
		return -1;
	if (setuid(0) == 0) /* must be gone for good */
		return -1;
	return 0;
}

/* The child: drop privileges (when root), parse, build, write into tmpfd. */
static void cmd_breach_child_run(int infd, int tmpfd, int plain, int drop, uid_t uid, gid_t gid,
				 cmd_breach_report_t *rep)
{
	breach_import_t imp;
	double t0;
	int err;

	memset(&imp, 0, sizeof(imp));
	if (drop && cmd_breach_drop(uid, gid) != 0) {
		rep->stage = CMD_BREACH_DROP;
		rep->err = SESAME_ERR_PERMISSION;
		return;
	}
	(void)prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
	t0 = cmd_breach_now();
	errno = 0;
	err = breach_import_read(infd, plain, &imp);
	rep->errno_value = errno;
	rep->lines = imp.lines;
	rep->valid = imp.n;
	rep->rejected = imp.rejected;
	rep->first_rejected = imp.first_rejected;
	rep->read_s = cmd_breach_now() - t0;
	if (err != SESAME_OK) {
		rep->stage = CMD_BREACH_READ;
		rep->err = err;
		goto out;
	}
	if (imp.n == 0) {
		rep->stage = CMD_BREACH_EMPTY;
		rep->err = SESAME_ERR_NOT_FOUND;
		goto out;
	}
	if (imp.n < imp.cap) { /* the build needs as much again: give back the slack */
		uint64_t *k = realloc(imp.keys, imp.n * sizeof(*k));
		if (k != NULL)
			imp.keys = k;
	}
	t0 = cmd_breach_now();
	err = breach_filter_write_fd(tmpfd, imp.keys, imp.n);
	rep->build_s = cmd_breach_now() - t0;
	rep->stage = err == SESAME_OK ? CMD_BREACH_DONE : CMD_BREACH_BUILD;
	rep->err = err;
out:
	breach_import_free(&imp);
}

/* Runs the child and waits for its report. 0 when one came; -1 when the
 * child died without one (*sig the signal that ended it, or 0). */
static int cmd_breach_fork(int infd, int tmpfd, int dfd, int plain, cmd_breach_report_t *rep,
			   int *sig)
{
	static const int sigs[3] = {SIGINT, SIGTERM, SIGHUP};
	struct sigaction sa, old[3];
	sigset_t block, mask;
	struct passwd *pw = NULL;
	int drop = geteuid() == 0, p[2], status = 0, ok = -1;
	size_t got = 0;
	pid_t pid;

	*sig = 0;
	memset(rep, 0, sizeof(*rep));
	if (drop && ((pw = getpwnam(CMD_BREACH_USER)) == NULL || pw->pw_uid == 0)) {
		rep->stage = CMD_BREACH_DROP;
		rep->err = SESAME_ERR_NOT_FOUND;
		return 0;
	}
	if (pipe2(p, O_CLOEXEC) != 0)
		return -1;
	/* signals wait until the parent knows whom to forward them to */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = cmd_breach_forward;
	sa.sa_flags = SA_RESTART;
	sigemptyset(&sa.sa_mask);
	sigemptyset(&block);
	for (int i = 0; i < 3; i++)
		sigaddset(&block, sigs[i]);
	sigprocmask(SIG_BLOCK, &block, &mask);
	for (int i = 0; i < 3; i++)
		sigaction(sigs[i], &sa, &old[i]);
	fflush(NULL);
	if ((pid = fork()) == 0) {
		cmd_breach_report_t r;
		const unsigned char *b = (const unsigned char *)&r;
		size_t off = 0;

		for (int i = 0; i < 3; i++)
			signal(sigs[i], SIG_DFL);
		sigprocmask(SIG_SETMASK, &mask, NULL);
		close(p[0]);
		close(dfd); /* the child writes through tmpfd only */
		memset(&r, 0, sizeof(r));
		cmd_breach_child_run(infd, tmpfd, plain, drop, drop ? pw->pw_uid : 0,
				     drop ? pw->pw_gid : 0, &r);
		while (off < sizeof(r)) {
			ssize_t w = write(p[1], b + off, sizeof(r) - off);
			if (w < 0 && errno == EINTR)
				continue;
			if (w <= 0)
				_exit(1);
			off += (size_t)w;
		}
		_exit(0);
	}
	close(p[1]);
	cmd_breach_child = pid > 0 ? pid : 0;
	sigprocmask(SIG_SETMASK, &mask, NULL);
	if (pid < 0) {
		close(p[0]);
		goto out;
	}
	while (got < sizeof(*rep)) {
		ssize_t r = read(p[0], (unsigned char *)rep + got, sizeof(*rep) - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	close(p[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		continue;
	cmd_breach_child = 0;
	if (WIFSIGNALED(status))
		*sig = WTERMSIG(status);
	else if (got == sizeof(*rep) && WIFEXITED(status) && WEXITSTATUS(status) == 0)
		ok = 0;
out:
	for (int i = 0; i < 3; i++)
		sigaction(sigs[i], &old[i], NULL);
	return ok;
}

/* A fresh temporary file next to name in dfd: ".NAME.XXXXXXXXXXXX". */
static int cmd_breach_tmp(int dfd, const char *name, char *tmp, size_t tmpsz)
{
	unsigned char rnd[6];
	int fd = -1;

	for (int i = 0; i < 16 && fd < 0; i++) {
		if (RAND_bytes(rnd, sizeof(rnd)) != 1)
			return -1;
		snprintf(tmp, tmpsz, ".%s.%02x%02x%02x%02x%02x%02x", name, rnd[0], rnd[1], rnd[2],
			 rnd[3], rnd[4], rnd[5]);
		fd = openat(dfd, tmp, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
		if (fd < 0 && errno != EEXIST)
			return -1;
	}
	if (fd >= 0 && fchmod(fd, 0644) != 0) {
		int e = errno;
		close(fd);
		unlinkat(dfd, tmp, 0);
		errno = e;
		return -1;
	}
	return fd;
}

/* Three decimals are plenty for seconds and bits (x >= 0, no libm). */
static double cmd_breach_round(double x)
{
	return (double)(long long)(x * 1000.0 + 0.5) / 1000.0;
}

static int cmd_breach_print(ctl_t *ctl, const char *input, const char *output, int plain,
			    const cmd_breach_report_t *rep, size_t entries, size_t bytes,
			    double seconds)
{
	char in[TERM_TEXT_MAX], out[TERM_TEXT_MAX];
	double bits = entries ? 8.0 * (double)bytes / (double)entries : 0.0;
	uint64_t dups = rep->valid > entries ? rep->valid - entries : 0;
	json_t *doc;
	int rc;

	if (ctl->json) {
		doc = json_pack(
		    "{s:s, s:s, s:s, s:I, s:I, s:I, s:I, s:I, s:o, s:I, s:f, s:f, s:f, "
		    "s:f, s:f}",
		    "output", output, "input", input, "format", plain ? "plain" : "sha1", "entries",
		    (json_int_t)entries, "lines", (json_int_t)rep->lines, "valid_lines",
		    (json_int_t)rep->valid, "duplicates", (json_int_t)dups, "rejected",
		    (json_int_t)rep->rejected, "first_rejected_line",
		    rep->first_rejected ? json_integer((json_int_t)rep->first_rejected)
					: json_null(),
		    "bytes", (json_int_t)bytes, "bits_per_entry", cmd_breach_round(bits),
		    "false_positive_rate", entries ? CMD_BREACH_FP_RATE : 0.0, "seconds",
		    cmd_breach_round(seconds), "read_seconds", cmd_breach_round(rep->read_s),
		    "build_seconds", cmd_breach_round(rep->build_s));
		if (doc == NULL)
			return ctl_fail(ctl, CTL_EXIT_REFUSED, "invalid_argument",
					"the filter was written but a file name is not UTF-8 text");
		rc = ctl_json_print(ctl, doc);
		json_decref(doc);
		return rc;
	}
	term_clean(input, in, sizeof(in));
	term_clean(output, out, sizeof(out));
	printf("Wrote %s: %zu entries from %" PRIu64 " lines of %s", out, entries, rep->lines, in);
	if (dups > 0)
		printf(" (%" PRIu64 " duplicates)", dups);
	printf(".\n");
	if (rep->rejected > 0)
		printf("Rejected %" PRIu64 " malformed line%s (the first is line %" PRIu64
		       "); expected %s.\n",
		       rep->rejected, rep->rejected == 1 ? "" : "s", rep->first_rejected,
		       plain ? "passwords of at most 1024 bytes" : "SHA1HEX[:COUNT]");
	if (bytes >= 100000)
		printf("Filter: %zu bytes (%.1f MB)", bytes, (double)bytes / 1e6);
	else
		printf("Filter: %zu bytes", bytes);
	printf(", %.2f bits per entry, false positives about %.2f %%.\n", bits,
	       100.0 * CMD_BREACH_FP_RATE);
	printf("Time: %.2f s (reading %.2f s, building %.2f s).\n", seconds, rep->read_s,
	       rep->build_s);
	printf("sesame-authd loads the new file by itself at its next password check (it\n"
	       "looks at the file at most once a second); no restart is needed.\n");
	return CTL_EXIT_OK;
}

/* Why the child failed, as one sentence. */
static int cmd_breach_child_fail(ctl_t *ctl, const cmd_breach_report_t *rep, const char *in)
{
	switch (rep->stage) {
	case CMD_BREACH_DROP:
		return ctl_fail(ctl, CTL_EXIT_REFUSED, sesame_err_code(SESAME_ERR_PERMISSION),
				"cannot drop privileges to user %s before reading the list%s",
				CMD_BREACH_USER,
				rep->err == SESAME_ERR_NOT_FOUND ? " (no such user)" : "");
	case CMD_BREACH_READ:
		if (rep->err == SESAME_ERR_IO)
			return ctl_fail(ctl, CTL_EXIT_REFUSED, sesame_err_code(rep->err),
					"cannot read %s: %s", in, strerror(rep->errno_value));
		if (rep->err == SESAME_ERR_TOO_LARGE)
			return ctl_fail(ctl, CTL_EXIT_REFUSED, sesame_err_code(rep->err),
					"%s has more than %llu entries", in,
					BREACH_FILTER_MAX_ENTRIES);
		return ctl_fail(ctl, CTL_EXIT_REFUSED, sesame_err_code(rep->err),
				"cannot read %s: %s", in, sesame_err_message(rep->err));
	case CMD_BREACH_EMPTY:
		return ctl_fail(ctl, CTL_EXIT_REFUSED, sesame_err_code(SESAME_ERR_INVALID_ARGUMENT),
				"no valid line in %s (%" PRIu64 " lines, %" PRIu64
				" rejected); expected SHA1HEX[:COUNT] lines, or passwords with "
				"--plain",
				in, rep->lines, rep->rejected);
	default:
		return ctl_fail(ctl, CTL_EXIT_REFUSED, sesame_err_code(rep->err),
				"cannot build the filter: %s", sesame_err_message(rep->err));
	}
}

static int cmd_breach_import_run(ctl_t *ctl, int argc, char **argv)
{
	enum { OPT_PLAIN = 256, OPT_OUTPUT };
	static const struct option opts[] = {
	    {"plain", no_argument, NULL, OPT_PLAIN},
	    {"output", required_argument, NULL, OPT_OUTPUT},
	    CTL_COMMON_OPTIONS,
	    {NULL, 0, NULL, 0},
	};
	char in[TERM_TEXT_MAX], out[TERM_TEXT_MAX], tmp[CMD_BREACH_NAME_MAX + 32];
	const char *input, *output = CMD_BREACH_DEFAULT_OUTPUT, *name, *slash;
	char *dir = NULL;
	cmd_breach_report_t rep;
	breach_filter_t *f = NULL;
	size_t entries = 0, bytes = 0;
	int plain = 0, rc, c, sig, infd = -1, dfd = -1, tmpfd = -1, made = 0, err;
	double t0 = cmd_breach_now();

	while ((c = ctl_getopt(ctl, argc, argv, opts, &rc)) != -1) {
		if (c == OPT_PLAIN)
			plain = 1;
		else if (c == OPT_OUTPUT)
			output = optarg;
	}
	if (rc != CTL_CONTINUE)
		return rc;
	if ((rc = ctl_operands(ctl, argc, argv, 1)) != CTL_CONTINUE)
		return rc;
	input = argv[optind];
	term_clean(input, in, sizeof(in));
	term_clean(output, out, sizeof(out));
	slash = strrchr(output, '/');
	name = slash ? slash + 1 : output;
	if (*name == '\0' || strcmp(name, ".") == 0 || strcmp(name, "..") == 0 ||
	    strlen(name) > CMD_BREACH_NAME_MAX)
		return ctl_usage_error(ctl, "--output must name a file, not '%s'", out);
	dir = slash == NULL	? strdup(".")
	      : slash == output ? strdup("/")
				: strndup(output, (size_t)(slash - output));
	if (dir == NULL)
		return ctl_nomem(ctl);

	/* everything that needs our privileges, before the child drops them */
	rc = CTL_EXIT_REFUSED;
	if (strcmp(input, "-") == 0)
		infd = STDIN_FILENO;
	else if ((infd = open(input, O_RDONLY | O_CLOEXEC | O_NOCTTY)) < 0) {
		rc = ctl_fail(ctl, CTL_EXIT_REFUSED, sesame_err_code(SESAME_ERR_IO),
			      "cannot open %s: %s", in, strerror(errno));
		goto fail;
	}
	if ((dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
		term_clean(dir, out, sizeof(out));
		rc = ctl_fail(ctl, CTL_EXIT_REFUSED, sesame_err_code(SESAME_ERR_IO),
			      "cannot open the folder %s: %s", out, strerror(errno));
		goto fail;
	}
	if ((tmpfd = cmd_breach_tmp(dfd, name, tmp, sizeof(tmp))) < 0) {
		term_clean(dir, out, sizeof(out));
		rc = ctl_fail(ctl, CTL_EXIT_REFUSED, sesame_err_code(SESAME_ERR_IO),
			      "cannot create a file in %s: %s", out, strerror(errno));
		goto fail;
	}
	made = 1;

	if (cmd_breach_fork(infd, tmpfd, dfd, plain, &rep, &sig) != 0) {
		if (sig != 0)
			rc = ctl_fail(ctl, CTL_EXIT_REFUSED, sesame_err_code(SESAME_ERR_INTERNAL),
				      "the import was stopped by signal %d (%s)", sig,
				      strsignal(sig));
		else
			rc = ctl_fail(ctl, CTL_EXIT_REFUSED, sesame_err_code(SESAME_ERR_INTERNAL),
				      "the import failed before it could report");
		goto fail;
	}
	if (rep.stage != CMD_BREACH_DONE || rep.err != SESAME_OK) {
		rc = cmd_breach_child_fail(ctl, &rep, in);
		goto fail;
	}
	/* the child is not trusted: check what it wrote before it replaces
	 * the daemon's filter */
	if ((err = breach_filter_open_fd(tmpfd, &f)) != SESAME_OK) {
		rc = ctl_fail(ctl, CTL_EXIT_REFUSED, sesame_err_code(err),
			      "the filter written is not valid: %s", sesame_err_message(err));
		goto fail;
	}
	entries = breach_filter_count(f);
	bytes = breach_filter_bytes(f);
	breach_filter_close(&f);
	if (renameat(dfd, tmp, dfd, name) != 0) {
		rc = ctl_fail(ctl, CTL_EXIT_REFUSED, sesame_err_code(SESAME_ERR_IO),
			      "cannot replace %s: %s", out, strerror(errno));
		goto fail;
	}
	made = 0;
	if (fsync(dfd) != 0) {
		rc = ctl_fail(ctl, CTL_EXIT_REFUSED, sesame_err_code(SESAME_ERR_IO),
			      "cannot sync the folder of %s: %s", out, strerror(errno));
		goto fail;
	}
	rc = cmd_breach_print(ctl, input, output, plain, &rep, entries, bytes,
			      cmd_breach_now() - t0);
fail:
	if (made)
		unlinkat(dfd, tmp, 0);
	if (tmpfd >= 0)
		close(tmpfd);
	if (dfd >= 0)
		close(dfd);
	if (infd > STDIN_FILENO)
		close(infd);
	free(dir);
	return rc;
}

const cmd_t cmd_breach_import = {
    .group = "breach",
    .name = "import",
    .args = "FILE",
    .options = "[--plain] [--output PATH]",
    .summary = "Build the offline breached-password filter from a list (no daemon).",
    .help = "Reads FILE ('-' for standard input), a Have I Been Pwned list with one\n"
	    "SHA1HEX[:COUNT] a line (40 hex digits in any case, CRLF allowed), and\n"
	    "writes a binary fuse filter of the hashes (about 9 bits per entry, about\n"
	    "0.4 % false positives) to PATH, replacing it atomically (mode 0644).\n"
	    "Malformed lines are counted and reported; the command fails only when\n"
	    "no line is valid. Empty lines are skipped. Point breach_filter in\n"
	    "authd.conf at PATH: sesame-authd loads a replaced file by itself at its\n"
	    "next password check, without a restart.\n"
	    "\n"
	    "The list is untrusted text. When run as root, sesamectl opens FILE and\n"
	    "the folder of PATH first, then reads and parses the list in a child\n"
	    "process that has dropped its privileges to user nobody (setgroups,\n"
	    "setgid, setuid) and writes the filter into a temporary file it was\n"
	    "given; the parent checks that file and renames it into place.\n"
	    "\n"
	    "Options:\n"
	    "  --plain            FILE holds plain passwords, one a line\n"
	    "  --output PATH      the filter file (default " CMD_BREACH_DEFAULT_OUTPUT ")\n",
    .run = cmd_breach_import_run,
};
