/* Strength estimate with zxcvbn-c (libzxcvbn): score 0..4, whether one
 * dictionary word makes up the password, and the pattern to name in the
 * hint.
 *
 * zxcvbn-c's matchers are polynomial of high degree in the length of a
 * keyboard walk or of a repetition (a 100-byte zig-zag such as "1212..."
 * takes over a second, a random 64-key walk 5 ms), so the text it sees is
 * reduced first; see pw_score_reduce().
 *
 * zxcvbn-c also reads bytes, not characters: a 4-byte emoji would count as
 * four random characters (26 bits) and a Hebrew letter as two. So each
 * non-ASCII code point reaches zxcvbn as one byte >= 0x80 (distinct code
 * points as distinct bytes, in order of appearance; past 127 of them,
 * some share a byte, which can only lower the estimate): one character of
 * zxcvbn's "other" class, whose repetitions zxcvbn sees. The context words
 * are translated the same way. */
#ifndef AUTHD_PW_SCORE_H
#define AUTHD_PW_SCORE_H

#include <stddef.h>
#include <stdint.h>

#define PW_SCORE_MAX_CP 100	 /* code points given to zxcvbn */
#define PW_SCORE_RUN_MAX 4	 /* one code point repeated: copies kept */
#define PW_SCORE_PERIOD_MAX 8	 /* longest period of a repetition looked for */
#define PW_SCORE_PERIOD_COPIES 3 /* copies of a repeated unit kept */
#define PW_SCORE_WALK_MAX 12	 /* keys of a keyboard walk kept */
#define PW_SCORE_DICT_SLACK 2	 /* code points a "whole password" word may leave */
#define PW_SCORE_MAX_WORDS 64	 /* context words given to zxcvbn, at most */
#define PW_SCORE_WORD_MAX 64	 /* bytes of one; longer ones are skipped */

/* Patterns named by the hint, strongest evidence first. */
typedef enum {
	PW_PATTERN_NONE = 0,
	PW_PATTERN_REPEAT,
	PW_PATTERN_SEQUENCE,
	PW_PATTERN_SPATIAL,
	PW_PATTERN_DATE,
	PW_PATTERN_DICTIONARY,
	PW_PATTERN_CONTEXT /* a word of the user dictionary (context words) */
} pw_pattern_t;

typedef struct {
	int score;	      /* 0..4 */
	double bits;	      /* zxcvbn's entropy of the scored text, in bits */
	int dictionary;	      /* a single dictionary word (maybe l33t or repeated) */
	pw_pattern_t pattern; /* the longest weak part, PW_PATTERN_NONE when none */
	size_t scored_cp;     /* code points zxcvbn saw */
} pw_score_t;

/* What pw_score_reduce() left out (bits): repetitions, keyboard walks,
 * everything after PW_SCORE_MAX_CP code points. */
enum { PW_REDUCED_REPEAT = 1, PW_REDUCED_WALK = 2, PW_REDUCED_CUT = 4 };

/* Copies the valid UTF-8 s[0..len) into out (NUL-terminated; outsz >=
 * 4 * PW_SCORE_MAX_CP + 1) leaving out every code point that would make,
 * in the output, a run of one code point longer than PW_SCORE_RUN_MAX, a
 * repetition of a unit of 2..PW_SCORE_PERIOD_MAX code points longer than
 * PW_SCORE_PERIOD_COPIES copies, or a keyboard walk (consecutive keys
 * adjacent on a US, UK or Dvorak keyboard or a numeric keypad, shifted or
 * not) longer than PW_SCORE_WALK_MAX keys; stops after PW_SCORE_MAX_CP code
 * points. What is left out repeats or continues a pattern that zxcvbn
 * prices at a few bits at most, so the estimate only gets more cautious.
 * Returns the bytes written (without the NUL); *dropped gets
 * PW_REDUCED_* bits; *ncp (may be NULL) the code points written. */
size_t pw_score_reduce(const char *s, size_t len, char *out, size_t outsz, unsigned *dropped,
		       size_t *ncp);

/* 1 when keys a and b (ASCII) are neighbours on one of the keyboards. */
int pw_score_adjacent(unsigned char a, unsigned char b);

/* zxcvbn's score from an entropy in bits: log10(guesses) = bits * log10(2),
 * below 3 -> 0, 6 -> 1, 8 -> 2, 10 -> 3, else 4. */
int pw_score_from_bits(double bits);

/* Estimates the valid UTF-8 s[0..len) (no NUL inside): zxcvbn over
 * pw_score_reduce(s), one byte per code point. words: NULL or a
 * NULL-terminated list of context words (UTF-8), which zxcvbn prices as the
 * likeliest dictionary of all. dictionary is set only when nothing was
 * left out by the reduction.
 * Thread-safe; wipes its copies of the password. */
void pw_score(const char *s, size_t len, const char *const *words, pw_score_t *out);

#endif
