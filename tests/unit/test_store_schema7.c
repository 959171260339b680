/* Unit tests for the store accessors of schema 7 (authd/store/), on a
 * temporary SQLite file: failed attempts per (name, source), PAM flows
 * spent once, the user lookup with ASCII case folded, and what a web
 * session proved. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h> /* after the four headers it needs */

#include <stdlib.h>
#include <string.h>

#include "sesame/error.h"
#include "store/store.h"
#include "unit_util.h"

struct fixture {
	char *dir;
	char db[512];
	store_t *store;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (f == NULL || (f->dir = unit_tmpdir()) == NULL)
		return -1;
	unit_path(f->db, sizeof(f->db), f->dir, "sesame.db");
	if (store_open(f->db, &f->store) != SESAME_OK)
		return -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	store_close(&f->store);
	unit_rmtree(f->dir);
	free(f->dir);
	free(f);
	return 0;
}

/* One accessor call per step, so that each result is seen on its own. */
struct att_ctx {
	int step;
	const char *name, *source;
	store_attempts_t a;
	int64_t before;
	unsigned limit;
	store_attempts_row_t *rows;
	size_t n;
};

static int att_tx(store_tx_t *tx, void *arg)
{
	struct att_ctx *c = arg;

	switch (c->step) {
	case 0:
		return store_attempts_get(tx, c->name, c->source, &c->a);
	case 1:
		return store_attempts_set(tx, c->name, c->source, &c->a);
	case 2:
		return store_attempts_delete(tx, c->name, c->source);
	case 3:
		return store_attempts_clear(tx, c->name);
	case 4:
		return store_attempts_purge(tx, c->before);
	case 5:
		return store_attempts_list(tx, c->name, c->limit, &c->rows, &c->n);
	default:
		return SESAME_ERR_INTERNAL;
	}
}

static int att_get(store_t *s, const char *name, const char *source, store_attempts_t *out)
{
	struct att_ctx c = {.step = 0, .name = name, .source = source};
	int r;

	memset(&c.a, 0x5a, sizeof(c.a)); /* garbage: must come back zeroed when absent */
	r = store_read(s, att_tx, &c);
	*out = c.a;
	return r;
}

static void att_set(store_t *s, const char *name, const char *source, unsigned failures,
		    int64_t last_failure, int64_t locked_until)
{
	struct att_ctx c = {.step = 1, .name = name, .source = source};

	c.a.failures = failures;
	c.a.last_failure = last_failure;
	c.a.locked_until = locked_until;
	assert_int_equal(store_run(s, att_tx, &c), SESAME_OK);
}

static void test_attempts_get_set_delete(void **state)
{
	struct fixture *f = *state;
	struct att_ctx c;
	store_attempts_t a;

	/* no row: NOT_FOUND and zeroed, for a name that is nobody's */
	assert_int_equal(att_get(f->store, "mallory", "192.0.2.0", &a), SESAME_ERR_NOT_FOUND);
	assert_int_equal(a.failures, 0);
	assert_int_equal(a.last_failure, 0);
	assert_int_equal(a.locked_until, 0);

	att_set(f->store, "mallory", "192.0.2.0", 1, 1000, 0);
	assert_int_equal(att_get(f->store, "mallory", "192.0.2.0", &a), SESAME_OK);
	assert_int_equal(a.failures, 1);
	assert_int_equal(a.last_failure, 1000);
	assert_int_equal(a.locked_until, 0);
	/* an upsert: the same row replaced */
	att_set(f->store, "mallory", "192.0.2.0", 5, 1100, 1160);
	assert_int_equal(att_get(f->store, "mallory", "192.0.2.0", &a), SESAME_OK);
	assert_int_equal(a.failures, 5);
	assert_int_equal(a.last_failure, 1100);
	assert_int_equal(a.locked_until, 1160);
	/* the key is (name, source): other sources and other names are apart */
	assert_int_equal(att_get(f->store, "mallory", "*", &a), SESAME_ERR_NOT_FOUND);
	assert_int_equal(att_get(f->store, "Mallory", "192.0.2.0", &a), SESAME_ERR_NOT_FOUND);
	att_set(f->store, "mallory", "*", 7, 1100, 0);
	assert_int_equal(att_get(f->store, "mallory", "192.0.2.0", &a), SESAME_OK);
	assert_int_equal(a.failures, 5);

	memset(&c, 0, sizeof(c));
	c.step = 2;
	c.name = "mallory";
	c.source = "192.0.2.0";
	assert_int_equal(store_run(f->store, att_tx, &c), SESAME_OK);
	assert_int_equal(att_get(f->store, "mallory", "192.0.2.0", &a), SESAME_ERR_NOT_FOUND);
	/* deleting what is not there is no error */
	assert_int_equal(store_run(f->store, att_tx, &c), SESAME_OK);
	assert_int_equal(att_get(f->store, "mallory", "*", &a), SESAME_OK);
	assert_int_equal(a.failures, 7);
}

static void test_attempts_clear_purge_list(void **state)
{
	struct fixture *f = *state;
	struct att_ctx c;
	store_attempts_t a;

	att_set(f->store, "alice", "*", 3, 2000, 0);
	att_set(f->store, "alice", "192.0.2.0", 1, 1000, 0);
	att_set(f->store, "alice", "local", 2, 3000, 3060);
	att_set(f->store, "bob", "*", 1, 500, 0);

	/* newest failure first, at most limit */
	memset(&c, 0, sizeof(c));
	c.step = 5;
	c.name = "alice";
	c.limit = 10;
	assert_int_equal(store_read(f->store, att_tx, &c), SESAME_OK);
	assert_int_equal(c.n, 3);
	assert_string_equal(c.rows[0].source, "local");
	assert_int_equal(c.rows[0].a.failures, 2);
	assert_int_equal(c.rows[0].a.last_failure, 3000);
	assert_int_equal(c.rows[0].a.locked_until, 3060);
	assert_string_equal(c.rows[1].source, "*");
	assert_string_equal(c.rows[2].source, "192.0.2.0");
	free(c.rows);
	c.limit = 2;
	assert_int_equal(store_read(f->store, att_tx, &c), SESAME_OK);
	assert_int_equal(c.n, 2);
	assert_string_equal(c.rows[1].source, "*");
	free(c.rows);
	c.name = "nobody";
	c.limit = 10;
	assert_int_equal(store_read(f->store, att_tx, &c), SESAME_OK);
	assert_int_equal(c.n, 0);
	free(c.rows);

	/* purge: only the rows whose failure and lock are both before */
	c.step = 4;
	c.before = 1500;
	assert_int_equal(store_run(f->store, att_tx, &c), SESAME_OK);
	assert_int_equal(att_get(f->store, "alice", "192.0.2.0", &a), SESAME_ERR_NOT_FOUND);
	assert_int_equal(att_get(f->store, "bob", "*", &a), SESAME_ERR_NOT_FOUND);
	assert_int_equal(att_get(f->store, "alice", "*", &a), SESAME_OK);
	assert_int_equal(att_get(f->store, "alice", "local", &a), SESAME_OK);
	c.before = 2500;
	assert_int_equal(store_run(f->store, att_tx, &c), SESAME_OK);
	assert_int_equal(att_get(f->store, "alice", "*", &a), SESAME_ERR_NOT_FOUND);
	assert_int_equal(att_get(f->store, "alice", "local", &a), SESAME_OK);
	/* a lock that outlives its failure keeps the row */
	c.before = 3050;
	assert_int_equal(store_run(f->store, att_tx, &c), SESAME_OK);
	assert_int_equal(att_get(f->store, "alice", "local", &a), SESAME_OK);
	c.before = 3060; /* "before": a lock ending at 3060 is not before 3060 */
	assert_int_equal(store_run(f->store, att_tx, &c), SESAME_OK);
	assert_int_equal(att_get(f->store, "alice", "local", &a), SESAME_OK);
	c.before = 3061;
	assert_int_equal(store_run(f->store, att_tx, &c), SESAME_OK);
	assert_int_equal(att_get(f->store, "alice", "local", &a), SESAME_ERR_NOT_FOUND);

	/* clear: every row of one name, none of another */
	att_set(f->store, "alice", "*", 4, 4000, 0);
	att_set(f->store, "alice", "local", 1, 4000, 0);
	att_set(f->store, "bob", "*", 1, 4000, 0);
	c.step = 3;
	c.name = "alice";
	assert_int_equal(store_run(f->store, att_tx, &c), SESAME_OK);
	assert_int_equal(att_get(f->store, "alice", "*", &a), SESAME_ERR_NOT_FOUND);
	assert_int_equal(att_get(f->store, "alice", "local", &a), SESAME_ERR_NOT_FOUND);
	assert_int_equal(att_get(f->store, "bob", "*", &a), SESAME_OK);
}

struct flow_ctx {
	int purge;
	unsigned char id[STORE_FLOW_ID_LEN];
	int64_t t; /* expires, or now for a purge */
};

static int flow_tx(store_tx_t *tx, void *arg)
{
	struct flow_ctx *c = arg;

	if (c->purge)
		return store_flow_purge(tx, c->t);
	return store_flow_spend(tx, c->id, c->t);
}

/* A spend whose verdict is REPLAY, inside a transaction that goes on and
 * commits: the refusal is a row count, not a failed statement. */
static int flow_replay_tx(store_tx_t *tx, void *arg)
{
	int r = flow_tx(tx, arg);

	return r == SESAME_ERR_REPLAY ? SESAME_OK : SESAME_ERR_INTERNAL;
}

static void test_flow_spend(void **state)
{
	struct fixture *f = *state;
	struct flow_ctx c, other;

	memset(&c, 0, sizeof(c));
	memset(c.id, 0x42, sizeof(c.id));
	c.t = 1000;
	assert_int_equal(store_run(f->store, flow_tx, &c), SESAME_OK);
	assert_int_equal(store_run(f->store, flow_tx, &c), SESAME_ERR_REPLAY);
	assert_int_equal(store_run(f->store, flow_replay_tx, &c), SESAME_OK);
	other = c;
	other.id[STORE_FLOW_ID_LEN - 1] ^= 1;
	assert_int_equal(store_run(f->store, flow_tx, &other), SESAME_OK);

	/* a purge at the expiry keeps it (expiry not before now) */
	c.purge = 1;
	c.t = 1000;
	assert_int_equal(store_run(f->store, flow_tx, &c), SESAME_OK);
	c.purge = 0;
	assert_int_equal(store_run(f->store, flow_tx, &c), SESAME_ERR_REPLAY);
	/* after it: forgotten, and spendable again */
	c.purge = 1;
	c.t = 1001;
	assert_int_equal(store_run(f->store, flow_tx, &c), SESAME_OK);
	c.purge = 0;
	c.t = 2000;
	assert_int_equal(store_run(f->store, flow_tx, &c), SESAME_OK);
	assert_int_equal(store_run(f->store, flow_tx, &c), SESAME_ERR_REPLAY);
}

struct fold_ctx {
	int add;
	const char *name;
	char canonical[SESAME_MAX_USERNAME + 1];
};

static int fold_tx(store_tx_t *tx, void *arg)
{
	struct fold_ctx *c = arg;
	store_user_t u;

	if (c->add)
		return store_user_add(tx, c->name, NULL, 1000, &u);
	return store_user_find_folded(tx, c->name, c->canonical);
}

static int fold_find(store_t *s, const char *name, char canonical[SESAME_MAX_USERNAME + 1])
{
	struct fold_ctx c = {0, name, "junk"};
	int r = store_read(s, fold_tx, &c);

	memcpy(canonical, c.canonical, sizeof(c.canonical));
	return r;
}

static void test_user_find_folded(void **state)
{
	struct fixture *f = *state;
	struct fold_ctx add = {1, "alice", ""};
	char name[SESAME_MAX_USERNAME + 1];

	assert_int_equal(store_run(f->store, fold_tx, &add), SESAME_OK);
	add.name = "Carol";
	assert_int_equal(store_run(f->store, fold_tx, &add), SESAME_OK);

	assert_int_equal(fold_find(f->store, "ALICE", name), SESAME_OK);
	assert_string_equal(name, "alice");
	assert_int_equal(fold_find(f->store, "alice", name), SESAME_OK);
	assert_string_equal(name, "alice");
	assert_int_equal(fold_find(f->store, "cArOl", name), SESAME_OK);
	assert_string_equal(name, "Carol");
	assert_int_equal(fold_find(f->store, "bob", name), SESAME_ERR_NOT_FOUND);
	assert_string_equal(name, "");
	/* ASCII only: a non-ASCII letter is compared as it is */
	add.name = "\xc3\xa9lise"; /* élise */
	assert_int_equal(store_run(f->store, fold_tx, &add), SESAME_OK);
	assert_int_equal(fold_find(f->store, "\xc3\x89LISE", name), SESAME_ERR_NOT_FOUND);
	assert_int_equal(fold_find(f->store, "\xc3\xa9LISE", name), SESAME_OK);
	assert_string_equal(name, "\xc3\xa9lise");
	/* two names that fold alike: the exact one wins */
	add.name = "carol";
	assert_int_equal(store_run(f->store, fold_tx, &add), SESAME_OK);
	assert_int_equal(fold_find(f->store, "carol", name), SESAME_OK);
	assert_string_equal(name, "carol");
	assert_int_equal(fold_find(f->store, "Carol", name), SESAME_OK);
	assert_string_equal(name, "Carol");
}

struct sess_ctx {
	int step;
	int64_t user_id, other_id;
	unsigned char h[4][STORE_SESSION_HASH_LEN];
	const unsigned char *keep;
	store_session_t got;
	int found[4];
};

static void make_session(store_session_t *s, const unsigned char *hash, int64_t user_id,
			 unsigned factors, int64_t auth_time)
{
	memset(s, 0, sizeof(*s));
	memcpy(s->id_hash, hash, STORE_SESSION_HASH_LEN);
	s->user_id = user_id;
	s->created = s->last_seen = 1000;
	s->expires = 9000;
	memcpy(s->stage, "done", sizeof("done"));
	s->factors = factors;
	s->auth_time = auth_time;
	memset(s->csrf, 0x5c, sizeof(s->csrf));
}

static int sess_tx(store_tx_t *tx, void *arg)
{
	struct sess_ctx *c = arg;
	store_session_t s;
	store_user_t u;
	int r;

	switch (c->step) {
	case 0: /* dan has three sessions, erin one */
		if ((r = store_user_add(tx, "dan", NULL, 1000, &u)) != SESAME_OK)
			return r;
		c->user_id = u.id;
		if ((r = store_user_add(tx, "erin", NULL, 1000, &u)) != SESAME_OK)
			return r;
		c->other_id = u.id;
		for (int i = 0; i < 4; i++) {
			make_session(&s, c->h[i], i < 3 ? c->user_id : c->other_id, 1u << i,
				     1000 + i);
			if ((r = store_session_add(tx, &s)) != SESAME_OK)
				return r;
		}
		return SESAME_OK;
	case 1:
		return store_session_get(tx, c->h[0], &c->got);
	case 2:
		return store_session_set_auth(tx, c->h[0], 0x5, 1500);
	case 3: {
		unsigned char none[STORE_SESSION_HASH_LEN];
		memset(none, 0xee, sizeof(none));
		return store_session_set_auth(tx, none, 1, 1);
	}
	case 4:
		return store_session_delete_user_except(tx, c->user_id, c->keep);
	case 5:
		for (int i = 0; i < 4; i++) {
			r = store_session_get(tx, c->h[i], &s);
			if (r != SESAME_OK && r != SESAME_ERR_NOT_FOUND)
				return r;
			c->found[i] = r == SESAME_OK;
		}
		return SESAME_OK;
	default:
		return SESAME_ERR_INTERNAL;
	}
}

static void test_session_auth(void **state)
{
	struct fixture *f = *state;
	struct sess_ctx c;

	memset(&c, 0, sizeof(c));
	for (int i = 0; i < 4; i++)
		memset(c.h[i], 0x10 + i, sizeof(c.h[i]));
	assert_int_equal(store_run(f->store, sess_tx, &c), SESAME_OK);

	/* written by add, read by get */
	c.step = 1;
	assert_int_equal(store_read(f->store, sess_tx, &c), SESAME_OK);
	assert_int_equal(c.got.factors, 1);
	assert_int_equal(c.got.auth_time, 1000);
	assert_string_equal(c.got.user, "dan");
	c.step = 2;
	assert_int_equal(store_run(f->store, sess_tx, &c), SESAME_OK);
	c.step = 1;
	assert_int_equal(store_read(f->store, sess_tx, &c), SESAME_OK);
	assert_int_equal(c.got.factors, 0x5);
	assert_int_equal(c.got.auth_time, 1500);
	assert_int_equal(c.got.created, 1000); /* the rest untouched */
	assert_string_equal(c.got.stage, "done");
	c.step = 3;
	assert_int_equal(store_run(f->store, sess_tx, &c), SESAME_ERR_NOT_FOUND);

	/* every session of dan but the kept one; erin's stays */
	c.keep = c.h[1];
	c.step = 4;
	assert_int_equal(store_run(f->store, sess_tx, &c), SESAME_OK);
	c.step = 5;
	assert_int_equal(store_read(f->store, sess_tx, &c), SESAME_OK);
	assert_int_equal(c.found[0], 0);
	assert_int_equal(c.found[1], 1);
	assert_int_equal(c.found[2], 0);
	assert_int_equal(c.found[3], 1);
	/* NULL: all of dan's */
	c.keep = NULL;
	c.step = 4;
	assert_int_equal(store_run(f->store, sess_tx, &c), SESAME_OK);
	c.step = 5;
	assert_int_equal(store_read(f->store, sess_tx, &c), SESAME_OK);
	assert_int_equal(c.found[1], 0);
	assert_int_equal(c.found[3], 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_attempts_get_set_delete, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_attempts_clear_purge_list, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_flow_spend, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_user_find_folded, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_session_auth, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
