/* Enrollment invitations: a single-use link, valid for [web]
 * invitation_ttl, that lets a person set their password and register a
 * first factor on the web pages. The link's token is random (token.h); the
 * store keeps its SHA-256 only, at most one live invitation per user, and
 * deletes it in the transaction that uses it. Knows nothing of HTTP. */
#ifndef AUTHD_INVITE_H
#define AUTHD_INVITE_H

#include <stdint.h>

#include "authd.h"
#include "store/store.h"
#include "token.h"

#define INVITE_PATH "/invite/" /* the pages' path; the token follows */

/* Issues an invitation of user (the record is made when missing, with
 * real_name, which may be NULL) replacing any earlier one: its token into
 * token, its expiry into *expires. SESAME_ERR_DISABLED when the user is
 * disabled. Audited ("invite", "ok", "issued"), durable. */
int invite_issue(authd_t *d, const char *user, const char *real_name, const char *service,
		 const char *rhost, int64_t now, char token[TOKEN_LEN + 1], int64_t *expires);

/* The user of a live invitation (unused, unexpired at now, user not
 * disabled); SESAME_ERR_NOT_FOUND for any other token, malformed ones
 * included. */
int invite_lookup(authd_t *d, const char *token, int64_t now, store_user_t *u);

/* Uses the invitation of token: in one transaction it is deleted,
 * user_id's password set to hash (an Argon2id encoding) and every session
 * of user_id deleted (signed out everywhere), audited
 * ("invite", "ok", "accepted"). SESAME_ERR_NOT_FOUND when the token is no
 * longer live or belongs to someone else (nothing changes). */
int invite_accept(authd_t *d, const char *token, int64_t user_id, const char *hash,
		  const char *service, const char *rhost, int64_t now);

#endif
