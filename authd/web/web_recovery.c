/* The account page's recovery codes: how many are left, and a new set
 * (ROUTE_RECENT), shown once on its own page (usercode.c). */
#include <openssl/crypto.h>
#include <stdio.h>
#include <string.h>

#include "sesame/error.h"
#include "sesame/log.h"
#include "usercode.h"
#include "web_int.h"

void web_recovery_account(web_ctx_t *c, html_buf_t *b, const session_t *s, unsigned left)
{
	char n[16];

	if (web_enrolling(s))
		return;
	snprintf(n, sizeof(n), "%u", left);
	html_raw(b, "<h2>");
	html_msg(b, c->lang, MSG_RECOVERY_TITLE, NULL);
	html_raw(b, "</h2>\n<p id=\"recovery-left\">");
	html_msg(b, c->lang, MSG_RECOVERY_LEFT, n);
	html_raw(b, "</p>\n<form method=\"post\" action=\"/account/recovery/generate\">\n");
	web_page_csrf(b, s->csrf);
	html_raw(b, "<p><button type=\"submit\">");
	html_msg(b, c->lang, MSG_RECOVERY_GENERATE, NULL);
	html_raw(b, "</button></p>\n</form>\n");
}

enum MHD_Result web_recovery_generate(web_ctx_t *c)
{
	web_form_field_t f[] = {{"csrf", WEB_TOKEN_LEN, NULL, 0}};
	char codes[USERCODE_RECOVERY_COUNT][USERCODE_TEXT_LEN];
	enum MHD_Result sent = MHD_NO;
	html_buf_t b = {0};
	session_t s;
	int r;

	if (web_account_session(c, &s, 0, &sent) != SESAME_OK ||
	    web_read_form(c, f, 1, &sent) != SESAME_OK)
		return sent;
	if (!web_token_ok(f[0].value, f[0].len, s.csrf)) {
		sent = web_error_page(c, MHD_HTTP_FORBIDDEN, MSG_FORBIDDEN);
		goto out;
	}
	r = usercode_recovery_generate(c->d, s.s.user, WEB_SERVICE, c->rhost, c->now, codes);
	if (r != SESAME_OK) {
		log_err("web: recovery codes of %s: %s", s.s.user, sesame_err_code(r));
		sent = web_unavailable(c);
		goto out;
	}
	web_page_begin(c, &b, MSG_RECOVERY_TITLE);
	html_raw(&b, "<p>");
	html_msg(&b, c->lang, MSG_RECOVERY_SHOWN, NULL);
	html_raw(&b, "</p>\n<ol id=\"recovery-codes\">\n");
	for (size_t i = 0; i < USERCODE_RECOVERY_COUNT; i++) {
		html_raw(&b, "<li><code>");
		html_text(&b, codes[i]);
		html_raw(&b, "</code></li>\n");
	}
	OPENSSL_cleanse(codes, sizeof(codes));
	html_raw(&b, "</ol>\n<p><a href=\"/account\">");
	html_msg(&b, c->lang, MSG_TITLE_ACCOUNT, NULL);
	html_raw(&b, "</a></p>\n");
	sent = web_page_send(c, MHD_HTTP_OK, &b);
out:
	web_form_free(f, 1);
	return sent;
}
