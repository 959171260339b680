/* The account page: who is signed in, the confirmed factors, the
 * passkeys (web_passkey.c), sign-out. */
#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth.h"
#include "sesame/error.h"
#include "sesame/log.h"
#include "sesame/username.h"
#include "web_int.h"

struct factors_ctx {
	int64_t user_id;
	store_totp_t *items;
	size_t n;
};

static int factors_tx(store_tx_t *tx, void *arg)
{
	struct factors_ctx *f = arg;
	return store_totp_list(tx, f->user_id, &f->items, &f->n);
}

enum MHD_Result web_account_page(web_ctx_t *c, const web_session_t *s, unsigned status,
				 i18n_msg_t alert)
{
	struct factors_ctx f = {s->s.user_id, NULL, 0};
	html_buf_t b = {0};
	size_t shown = 0;

	if (store_read(c->d->store, factors_tx, &f) != SESAME_OK)
		return web_unavailable(c);
	web_page_begin(c, &b, MSG_TITLE_ACCOUNT);
	web_page_alert(c, &b, alert, 0);
	html_raw(&b, "<p>");
	html_msg(&b, c->lang, MSG_SIGNED_IN_AS, s->s.user);
	html_raw(&b, "</p>\n<h2>");
	html_msg(&b, c->lang, MSG_FACTORS, NULL);
	html_raw(&b, "</h2>\n<ul>\n");
	for (size_t i = 0; i < f.n; i++) {
		if (!f.items[i].confirmed)
			continue;
		html_raw(&b, "<li>");
		html_msg(&b, c->lang, MSG_FACTOR_TOTP, f.items[i].name);
		html_raw(&b, "</li>\n");
		shown++;
	}
	if (shown == 0) {
		html_raw(&b, "<li>");
		html_msg(&b, c->lang, MSG_NO_FACTORS, NULL);
		html_raw(&b, "</li>\n");
	}
	html_raw(&b, "</ul>\n");
	store_totp_list_free(&f.items, f.n);
	if (web_passkey_account(c, &b, s) != SESAME_OK) {
		html_free(&b);
		return web_unavailable(c);
	}
	web_sign_out_form(c, &b, s->csrf);
	return web_page_send(c, status, &b);
}

enum MHD_Result web_get_account(web_ctx_t *c)
{
	web_session_t s;
	int r = web_current_session(c, &s);

	if (r == SESAME_ERR_NOT_FOUND || r == SESAME_ERR_EXPIRED)
		return web_redirect(c, "/login");
	if (r != SESAME_OK)
		return web_unavailable(c);
	if (strcmp(s.s.stage, WEB_STAGE_DONE) != 0)
		return web_redirect(c, "/login/code");
	return web_account_page(c, &s, MHD_HTTP_OK, MSG__COUNT);
}
