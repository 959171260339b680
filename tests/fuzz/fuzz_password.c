/* libFuzzer target: the password policy on arbitrary bytes (UTF-8
 * validation, length, lists, context words, zxcvbn scoring) with the
 * first bytes as old password and user. libFuzzer's -timeout also guards
 * the "no input makes a check slow" promise. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "password/password.h"

static password_policy_t *policy;

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	sesame_config_t cfg;
	char err[256];

	(void)argc;
	(void)argv;
	config_defaults(&cfg);
	cfg.password.n_org_words = 1;
	memcpy(cfg.password.org_words[0], "acme", 5);
	if (password_policy_new(&cfg.password, &policy, err, sizeof(err)) != 0)
		abort();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	password_input_t in;
	password_result_t out;
	char user[16];
	size_t split;

	if (size < 2)
		return 0;
	/* byte 0: length of the old password taken from the end; a short
	 * user name taken from the start when it is printable */
	split = data[0] % 64;
	memset(&in, 0, sizeof(in));
	memset(user, 0, sizeof(user));
	for (size_t i = 0;
	     i < sizeof(user) - 1 && i + 1 < size && data[i + 1] >= 'a' && data[i + 1] <= 'z'; i++)
		user[i] = (char)data[i + 1];
	in.user = user[0] ? user : NULL;
	in.password = (const char *)data + 1;
	in.len = size - 1;
	if (split > 0 && split < in.len) {
		in.old_password = in.password + in.len - split;
		in.old_len = split;
		in.len -= split;
	}
	if (password_check(policy, &in, &out) != 0)
		abort();
	if (out.accepted != (out.reasons == 0) || out.score < -1 || out.score > 4 ||
	    strnlen(out.hint, sizeof(out.hint)) == sizeof(out.hint))
		abort();
	return 0;
}
