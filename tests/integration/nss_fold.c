/* A case-insensitive passwd source for the tests, as SSSD (case_sensitive =
 * false), winbind and many LDAP directories are: getpwnam("ALICE") finds
 * the entry "alice" and returns it under its own, canonical name. A name
 * equal to an entry's GECOS field finds it too, as a directory resolves an
 * alias or a principal name to the account. Loaded by
 * nss_wrapper (NSS_WRAPPER_MODULE_SO_PATH, NSS_WRAPPER_MODULE_FN_PREFIX=
 * sesamefold) into the PAM application only; reads the passwd-format file
 * named by SESAME_FOLD_PASSWD (default /etc/passwd). Users only; the
 * enumeration and group calls find nothing. */
#include <errno.h>
#include <grp.h>
#include <nss.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/types.h>

#define FOLD_EXPORT __attribute__((visibility("default")))

FOLD_EXPORT enum nss_status _nss_sesamefold_getpwnam_r(const char *name, struct passwd *result,
						       char *buffer, size_t buflen, int *errnop);
FOLD_EXPORT enum nss_status _nss_sesamefold_getpwuid_r(uid_t uid, struct passwd *result,
						       char *buffer, size_t buflen, int *errnop);
FOLD_EXPORT enum nss_status _nss_sesamefold_setpwent(void);
FOLD_EXPORT enum nss_status _nss_sesamefold_getpwent_r(struct passwd *result, char *buffer,
						       size_t buflen, int *errnop);
FOLD_EXPORT enum nss_status _nss_sesamefold_endpwent(void);

/* The first entry of the file for which match() holds, copied into the
 * caller's buffer by fgetpwent_r. */
static enum nss_status fold_find(int (*match)(const struct passwd *, const void *), const void *key,
				 struct passwd *result, char *buffer, size_t buflen, int *errnop)
{
	const char *path = getenv("SESAME_FOLD_PASSWD");
	struct passwd *pw = NULL;
	enum nss_status st = NSS_STATUS_NOTFOUND;
	FILE *f = fopen(path != NULL ? path : "/etc/passwd", "re");
	int e;

	if (f == NULL) {
		*errnop = errno;
		return NSS_STATUS_UNAVAIL;
	}
	while ((e = fgetpwent_r(f, result, buffer, buflen, &pw)) == 0) {
		if (match(pw, key)) {
			st = NSS_STATUS_SUCCESS;
			break;
		}
	}
	if (st != NSS_STATUS_SUCCESS && e == ERANGE) {
		*errnop = ERANGE;
		st = NSS_STATUS_TRYAGAIN;
	} else if (st != NSS_STATUS_SUCCESS) {
		*errnop = ENOENT;
	}
	fclose(f);
	return st;
}

static int fold_by_name(const struct passwd *pw, const void *key)
{
	return strcasecmp(pw->pw_name, key) == 0 ||
	       (pw->pw_gecos[0] != '\0' && strcasecmp(pw->pw_gecos, key) == 0);
}

static int fold_by_uid(const struct passwd *pw, const void *key)
{
	return pw->pw_uid == *(const uid_t *)key;
}

enum nss_status _nss_sesamefold_getpwnam_r(const char *name, struct passwd *result, char *buffer,
					   size_t buflen, int *errnop)
{
	return fold_find(fold_by_name, name, result, buffer, buflen, errnop);
}

enum nss_status _nss_sesamefold_getpwuid_r(uid_t uid, struct passwd *result, char *buffer,
					   size_t buflen, int *errnop)
{
	return fold_find(fold_by_uid, &uid, result, buffer, buflen, errnop);
}

enum nss_status _nss_sesamefold_setpwent(void)
{
	return NSS_STATUS_SUCCESS;
}

enum nss_status _nss_sesamefold_getpwent_r(struct passwd *result, char *buffer, size_t buflen,
					   int *errnop)
{
	(void)result;
	(void)buffer;
	(void)buflen;
	*errnop = ENOENT;
	return NSS_STATUS_NOTFOUND;
}

enum nss_status _nss_sesamefold_endpwent(void)
{
	return NSS_STATUS_SUCCESS;
}
