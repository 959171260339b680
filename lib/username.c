/* User-name validation (see include/sesame/username.h). */
#include "sesame/username.h"
#include "sesame/error.h"
#include "sesame/limits.h"

static int is_alnum(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

int username_validate(const char *name, size_t len)
{
	if (name == NULL || len == 0 || len > SESAME_MAX_USERNAME)
		return SESAME_ERR_BAD_USERNAME;
	if (!is_alnum((unsigned char)name[0]) && name[0] != '_')
		return SESAME_ERR_BAD_USERNAME;
	for (size_t i = 1; i < len; i++) {
		unsigned char c = (unsigned char)name[i];
		if (is_alnum(c) || c == '_' || c == '.' || c == '-' || c == '@' || c == '+')
			continue;
		if (c == '$' && i == len - 1)
			continue;
		return SESAME_ERR_BAD_USERNAME;
	}
	return SESAME_OK;
}
