/* Named bounds for every untrusted input, shared by the daemon, the PAM
 * module and sesamectl. Documented in docs/protocol.md. */
#ifndef SESAME_LIMITS_H
#define SESAME_LIMITS_H

#define SESAME_MAX_BODY 65536	     /* request and reply bodies, bytes */
#define SESAME_MAX_USERNAME 64	     /* bytes */
#define SESAME_MAX_PATH 4096	     /* bytes of a file name in the configuration */
#define SESAME_MAX_SERVICE 64	     /* PAM service name, bytes */
#define SESAME_MAX_RHOST 255	     /* remote host, bytes */
#define SESAME_MAX_TTY 64	     /* tty name, bytes */
#define SESAME_MAX_ANSWER 256	     /* a conversation answer sent to the daemon */
#define SESAME_MAX_TXN 2048	     /* opaque PAM transaction token (worst case ~1300) */
#define SESAME_MAX_LABEL 64	     /* a factor's user-given name */
#define SESAME_MAX_REAL_NAME 128     /* a user's full name, bytes of UTF-8 */
#define SESAME_MAX_AUDIT_LIMIT 10000 /* events returned by one audit query */
#define SESAME_TOTP_MIN_DIGITS 6
#define SESAME_TOTP_MAX_DIGITS 8
#define SESAME_PAM_TXN_TTL 300	 /* seconds a PAM conversation may last */
#define SESAME_MAX_PASSWORD 1024 /* bytes of a password given to any check */
#define SESAME_MAX_PW_LISTS 8	 /* admin password list files */
#define SESAME_MAX_ORG_WORDS 16	 /* organisation words */
/* What the client accepts in a reply (lib/client_decode.c): a longer or
 * larger field makes the whole reply a protocol error. */
#define SESAME_MAX_MESSAGE 512	    /* a sentence for the user, bytes */
#define SESAME_MAX_PROMPT 4096	    /* the text of a prompt (a hand-off's QR code), bytes */
#define SESAME_MAX_TOKEN 32	    /* a factor name, reason or error code */
#define SESAME_MAX_REASONS 16	    /* reasons in one password check reply */
#define SESAME_MAX_WAIT 2147483647L /* seconds in a wait */

#endif
