/* Context words: the user name, the real name, the service name and the
 * organisation's words, which a password must not be made of.
 *
 * The rule (pw_context_matches): the password is refused when context
 * words make up most of it. Precisely: find every occurrence in the
 * password of a context word or of its reverse, comparing ASCII letters
 * case-insensitively and letting a common substitution stand for a letter
 * (4 @ for a, 8 for b, ( < { [ for c, 3 for e, 9 6 for g, 1 ! | for i,
 * 1 | 7 for l, 0 for o, 5 $ for s, 7 + for t, 2 for z); choose the
 * non-overlapping occurrences covering the most code points; refuse when
 * they cover at least 3 code points and more code points than the letters
 * left outside them (ASCII letters and non-ASCII characters; digits,
 * symbols and spaces outside do not count, which is how "appended digits"
 * such as "Alice2024!" are discounted). So "Alice2024!", "ecila", "4l1c3",
 * "Acme-2025" and "alice bob" are refused for alice and acme, while
 * "correct horse alice battery staple" is not: there the word is 5 code
 * points among 24 other letters.
 *
 * Words are cut at every ASCII byte that is not a letter or digit (so
 * "alice.smith", "Smith, Alice" and "Jean-Pierre" give their parts),
 * folded to ASCII lower case, and kept when they have at least
 * PW_CONTEXT_MIN_CP code points, at most PW_CONTEXT_WORD_MAX bytes and a
 * letter (an ASCII letter or a non-ASCII character): "Room 12" or a phone
 * number in the GECOS field gives no word. */
#ifndef AUTHD_PW_CONTEXT_H
#define AUTHD_PW_CONTEXT_H

#include <stddef.h>

#define PW_CONTEXT_MAX_WORDS 48	  /* words kept per check, later ones ignored */
#define PW_CONTEXT_WORD_MAX 64	  /* bytes of one word */
#define PW_CONTEXT_MIN_CP 3	  /* code points of the shortest word */
#define PW_CONTEXT_SOURCE_MAX 256 /* bytes read of one source string */

typedef struct {
	char word[PW_CONTEXT_MAX_WORDS][PW_CONTEXT_WORD_MAX + 1]; /* folded, NUL-terminated */
	size_t len[PW_CONTEXT_MAX_WORDS];
	size_t n;
} pw_context_t;

void pw_context_init(pw_context_t *c);

/* Adds the words of the NUL-terminated text (NULL adds nothing); reads at
 * most PW_CONTEXT_SOURCE_MAX bytes; duplicates are skipped. */
void pw_context_add(pw_context_t *c, const char *text);

/* Fills list[0..n) with pointers to the words and list[n] with NULL (list
 * has PW_CONTEXT_MAX_WORDS + 1 entries), as zxcvbn's UserDict wants. */
void pw_context_list(const pw_context_t *c, const char **list);

/* 1 when the valid UTF-8 pw[0..len) (len <= SESAME_MAX_PASSWORD) is made
 * of context words by the rule above. Linear in len for each word. */
int pw_context_matches(const pw_context_t *c, const char *pw, size_t len);

#endif
