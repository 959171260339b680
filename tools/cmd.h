/* The commands of sesamectl, one object each, defined in cmd_*.c and
 * listed by sesamectl.c for dispatch and help. */
#ifndef SESAMECTL_CMD_H
#define SESAMECTL_CMD_H

#include "ctl.h"

extern const cmd_t cmd_keygen;	    /* cmd_keygen.c */
extern const cmd_t cmd_totp_enroll; /* cmd_totp.c */
extern const cmd_t cmd_totp_confirm;
extern const cmd_t cmd_totp_list;
extern const cmd_t cmd_totp_remove;
extern const cmd_t cmd_passkey_list; /* cmd_passkey.c */
extern const cmd_t cmd_passkey_remove;
extern const cmd_t cmd_recovery_generate; /* cmd_recovery.c */
extern const cmd_t cmd_user_show;	  /* cmd_user.c */
extern const cmd_t cmd_user_unlock;
extern const cmd_t cmd_user_add;
extern const cmd_t cmd_user_passwd;
extern const cmd_t cmd_user_disable;
extern const cmd_t cmd_user_enable;
extern const cmd_t cmd_user_invite;
extern const cmd_t cmd_key_rotate;  /* cmd_key.c */
extern const cmd_t cmd_source_show; /* cmd_source.c */
extern const cmd_t cmd_source_unlock;
extern const cmd_t cmd_key_retire;
extern const cmd_t cmd_key_status;
extern const cmd_t cmd_key_reseal;
extern const cmd_t cmd_audit;	   /* cmd_audit.c */
extern const cmd_t cmd_client_add; /* cmd_client.c */
extern const cmd_t cmd_client_list;
extern const cmd_t cmd_client_show;
extern const cmd_t cmd_client_remove;
extern const cmd_t cmd_oidc_rotate_keys;
extern const cmd_t cmd_store_migrate; /* cmd_store.c */
extern const cmd_t cmd_store_copy;

extern const cmd_t cmd_password_check; /* cmd_password.c */
extern const cmd_t cmd_breach_import;  /* cmd_breach.c */

#endif
