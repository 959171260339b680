/* The web pages' message catalog: every sentence a page shows, in English
 * and French, chosen by the browser's Accept-Language. */
#ifndef AUTHD_WEB_I18N_H
#define AUTHD_WEB_I18N_H

typedef enum { I18N_EN = 0, I18N_FR, I18N__COUNT } i18n_lang_t;

typedef enum {
	MSG_SITE_NAME, /* the pages show [web] brand_name instead (web_page.c) */
	MSG_TITLE_LOGIN,
	MSG_USERNAME,
	MSG_PASSWORD,
	MSG_SUBMIT_LOGIN,
	MSG_TITLE_CODE,
	MSG_CODE_LABEL,
	MSG_SUBMIT_CODE,
	MSG_WRONG_PASSWORD,
	MSG_WRONG_CODE,
	MSG_CODE_REUSED,
	MSG_LOCKED, /* {} = seconds */
	MSG_NO_FACTOR,
	MSG_DISABLED,
	MSG_TITLE_ACCOUNT,
	MSG_TITLE_CONFIRM,
	MSG_REAUTH_INTRO,
	MSG_SUBMIT_CONFIRM,
	MSG_REAUTH_DONE,
	MSG_SIGNED_IN_AS, /* {} = user name */
	MSG_FACTORS,
	MSG_FACTOR_TOTP, /* {} = the factor's name */
	MSG_NO_FACTORS,
	MSG_SIGN_OUT,
	MSG_TITLE_ERROR,
	MSG_BAD_USERNAME,
	MSG_BAD_FORM,
	MSG_TOO_LARGE,
	MSG_FORBIDDEN,
	MSG_NOT_FOUND,
	MSG_BAD_METHOD,
	MSG_UNAVAILABLE,
	MSG_BACK_TO_LOGIN,
	MSG_PASSKEY_SIGN_IN,
	MSG_PASSKEY_INSTEAD,
	MSG_PASSKEYS,
	MSG_PASSKEY_NAME,
	MSG_PASSKEY_ADD,
	MSG_PASSKEY_RENAME,
	MSG_PASSKEY_REMOVE,
	MSG_PASSKEY_CREATED,   /* {} = date */
	MSG_PASSKEY_LAST_USED, /* {} = date */
	MSG_PASSKEY_NEVER_USED,
	MSG_PASSKEY_FAILED,
	MSG_PASSKEY_EXISTS,
	MSG_PASSKEY_LAST_FACTOR,
	MSG_PASSKEY_BAD_NAME,
	MSG_TOTP_ADD,
	MSG_TOTP_NAME,
	MSG_TOTP_SCAN,
	MSG_TOTP_SHOW_KEY,
	MSG_TOTP_PENDING, /* {} = the factor's name */
	MSG_TOTP_CONFIRM,
	MSG_TOTP_CONFIRMED,
	MSG_TOTP_WRONG_CODE,
	MSG_TOTP_NOTHING_PENDING,
	MSG_TITLE_PASSWORD,
	MSG_PASSWORD_CURRENT,
	MSG_PASSWORD_NEW,
	MSG_PASSWORD_AGAIN,
	MSG_PASSWORD_SUBMIT,
	MSG_PASSWORD_CHANGED,
	MSG_PASSWORD_MISMATCH,
	MSG_PASSWORD_WRONG_CURRENT,
	MSG_PASSWORD_REFUSED,
	MSG_TITLE_INVITE,
	MSG_INVITE_WELCOME, /* {} = user name */
	MSG_INVITE_INVALID,
	MSG_INVITE_SUBMIT,
	MSG_TITLE_ENROLL,
	MSG_ENROLL_INTRO, /* {} = user name */
	MSG_ENROLL_DONE,
	MSG_SLOW_DOWN,
	MSG_CODE_OR_RECOVERY,
	MSG_RECOVERY_LABEL,
	MSG_RECOVERY_TITLE,
	MSG_RECOVERY_LEFT, /* {} = how many */
	MSG_RECOVERY_GENERATE,
	MSG_RECOVERY_SHOWN,
	MSG_HANDOFF_TITLE,
	MSG_HANDOFF_SIGN_IN,
	MSG_HANDOFF_CODE_LABEL,
	MSG_HANDOFF_CONTINUE,
	MSG_HANDOFF_WRONG_CODE,
	MSG_HANDOFF_EXPIRED,
	MSG_HANDOFF_DECIDED,
	MSG_HANDOFF_WARNING,
	MSG_HANDOFF_OTHER_NETWORK,
	MSG_HANDOFF_USER,
	MSG_HANDOFF_HOST,
	MSG_HANDOFF_SERVICE,
	MSG_HANDOFF_CLIENT,
	MSG_HANDOFF_TIME,
	MSG_HANDOFF_LOCAL,
	MSG_HANDOFF_APPROVE,
	MSG_HANDOFF_DENY,
	MSG_HANDOFF_NUMBER,
	MSG_HANDOFF_DENIED,
	MSG_LOGINCODE_TITLE,
	MSG_LOGINCODE_OFFER,
	MSG_LOGINCODE_GET,
	MSG_LOGINCODE_SHOWN, /* {} = minutes */
	MSG_PRIVACY,
	MSG_LANGUAGE,
	MSG_HOME, /* {} = the brand's name */
	MSG_OIDC_BAD_CLIENT,
	MSG_OIDC_EXPIRED,
	MSG_OIDC_LOGOUT_TITLE,
	MSG_OIDC_LOGOUT_ASK,
	MSG_OIDC_CONTINUE,
	MSG__COUNT
} i18n_msg_t;

/* The sentence for id in lang; "{}" marks where a value goes. Never NULL. */
const char *i18n_get(i18n_lang_t lang, i18n_msg_t id);

/* "en" or "fr". */
const char *i18n_tag(i18n_lang_t lang);
/* The language's own name ("English", "Français"). */
const char *i18n_name(i18n_lang_t lang);
/* The language of a tag "en" or "fr" exactly: 0, else -1. */
int i18n_from_tag(const char *tag, i18n_lang_t *out);

/* The language for an Accept-Language header (RFC 9110 §12.5.4): the
 * highest q-value among the languages we have (by primary subtag; "*"
 * stands for the default), the first listed among equals; q=0 refuses a
 * language. NULL, empty, malformed or nothing acceptable: English. */
i18n_lang_t i18n_negotiate(const char *accept_language);

#endif
