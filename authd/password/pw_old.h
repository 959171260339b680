/* The old password and its trivial variations.
 *
 * The rule (pw_old_similar): with both passwords as code points, ASCII
 * letters folded to lower case, the new password is refused when
 *   1. it equals the old one;
 *   2. it equals the old one reversed;
 *   3. both stripped of their trailing digits, symbols and spaces are equal
 *      and at least 4 code points long ("Summer-Holidays-2023!" and
 *      "summer-holidays-2024#" are both "summer-holidays");
 *   4. it is at most 2 edits (a code point inserted, removed or changed,
 *      anywhere, at the ends included) away from the old one
 *      ("Tr0ub4dor&3" -> "Tr0ub4dor&34", "xTr0ub4dor&", "Tr0ub4d0r&3").
 * A password that shares no such relation, however alike in spirit, is
 * accepted. The old password need not be valid UTF-8 (each ill-formed
 * byte counts as one unit). */
#ifndef AUTHD_PW_OLD_H
#define AUTHD_PW_OLD_H

#include <stddef.h>

#define PW_OLD_MAX_EDITS 2
#define PW_OLD_MIN_BASE 4

/* 1 when pw[0..len) is old[0..old_len) or a trivial variation of it;
 * both at most SESAME_MAX_PASSWORD bytes (a longer one is never similar). */
int pw_old_similar(const char *pw, size_t len, const char *old, size_t old_len);

#endif
