/* test_trajectory.c — the Fig. 8 probe as a library call (trajectory.h):
 * the order of its progress reports, the recorded displacements (zero at
 * the start, the last row equal to the final state), the moved-atoms list
 * against the largest displacements, the files, the choice of atoms by a
 * ranked column of one element, and refused options. */
#include "testutil.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eam.h"
#include "error.h"
#include "trajectory.h"

static long lines(const char *path)
{
    FILE *fp = fopen(path, "r");
    assert_non_null(fp);
    long n = 0;
    for (int c; (c = fgetc(fp)) != EOF;) n += c == '\n';
    fclose(fp);
    return n;
}

typedef struct { int events[8]; long steps, last_step; } tally;

static void count(const traj_progress *p, void *user)
{
    tally *t = user;
    t->events[p->event]++;
    if (p->event == TRAJ_STEP) t->steps++, t->last_step = p->step;
    if (p->event == TRAJ_START) assert_int_equal(t->events[TRAJ_MINIMISED], 1);
    if (p->event == TRAJ_MD_DONE) assert_int_equal(p->nsteps, t->steps);
}

static void test_probe(void **st)
{
    bpel_eam *pot;
    bpel_model *model = NULL;
    bpel_system *s = test_cuzr_glass(&pot, &model);
    traj_options o;
    bpel_traj_defaults(&o);
    o.atoms = "3,17";
    o.temperature = 300;
    o.time = 0.02;
    o.moved = 0.02;
    o.dump_every = 5;
    o.figures = 0;
    const char *dir = test_tmp("traj");
    tally t = {{0}, 0, 0};
    traj_result r;
    int rc = bpel_traj_run(model, s, &o, dir, count, &t, &r);
    if (rc) print_error("%s\n", bpel_errmsg());
    assert_int_equal(rc, 0);
    assert_int_equal(r.nsteps, 10);
    assert_int_equal(t.steps, 10);
    assert_int_equal(t.last_step, 10);
    assert_int_equal(t.events[TRAJ_MD_DONE], 1);
    assert_true(r.minimised && r.min.converged);
    assert_int_equal(r.m, 2);
    assert_int_equal(s->id[r.idx[0]], 3);
    assert_int_equal(s->id[r.idx[1]], 17);
    for (size_t j = 0; j < r.m; j++) {
        assert_int_equal(r.group[j], 0);
        assert_true(r.d_t[j] == 0.0); /* step 0: at the inherent structure */
        ASSERT_NEAR(r.d_t[r.nsteps * r.m + j], r.disp[r.idx[j]], 0);
        assert_true(r.maxd[r.idx[j]] >= r.disp[r.idx[j]]);
    }
    size_t moved = 0;
    for (size_t i = 0; i < r.n; i++) moved += r.maxd[i] > o.moved;
    assert_int_equal(r.nmoved, moved);
    assert_true(moved > 0 && moved < r.n);
    char path[1200];
    snprintf(path, sizeof path, "%s/moved_atoms.csv", dir);
    assert_int_equal(lines(path), (long)moved + 1);
    snprintf(path, sizeof path, "%s/trajectory_system.csv", dir);
    assert_int_equal(lines(path), r.nsteps + 2);
    snprintf(path, sizeof path, "%s/trajectory_atoms.csv", dir);
    assert_int_equal(lines(path), (r.nsteps + 1) * 2 + 1);
    snprintf(path, sizeof path, "%s/trajectory.dump", dir);
    FILE *fp = fopen(path, "r");
    assert_non_null(fp);
    fclose(fp);
    bpel_traj_result_free(&r);
    bpel_system_destroy(s);
    bpel_model_destroy(model);
    bpel_eam_destroy(pot);
}

static void test_rank(void **st)
{
    bpel_eam *pot;
    bpel_model *model = NULL;
    bpel_system *s = test_cuzr_glass(&pot, &model);
    /* the column is the id: bottom is the smallest Zr id, top the largest */
    char text[16384] = "id,v\n";
    long lo = -1, hi = -1;
    for (size_t i = 0; i < s->n; i++) {
        size_t len = strlen(text);
        snprintf(text + len, sizeof text - len, "%lld,%lld\n", (long long)s->id[i], (long long)s->id[i]);
        if (strcmp(s->element[s->type[i]], "Zr")) continue;
        if (lo < 0 || s->id[i] < lo) lo = (long)s->id[i];
        if (hi < 0 || s->id[i] > hi) hi = (long)s->id[i];
    }
    char spec[1100];
    snprintf(spec, sizeof spec, "%s:v", test_write_file("rank.csv", text));
    traj_options o;
    bpel_traj_defaults(&o);
    o.rank = spec;
    o.element = "Zr";
    o.time = 0.004;
    o.minimise = 0;
    o.figures = 0;
    o.dump_every = 0;
    traj_result r;
    int rc = bpel_traj_run(model, s, &o, test_tmp("traj_rank"), NULL, NULL, &r);
    if (rc) print_error("%s\n", bpel_errmsg());
    assert_int_equal(rc, 0);
    assert_int_equal(r.m, 2);
    assert_int_equal(r.group[0], -1);
    assert_int_equal(s->id[r.idx[0]], lo);
    assert_int_equal(r.group[1], 1);
    assert_int_equal(s->id[r.idx[1]], hi);
    assert_false(r.minimised);
    bpel_traj_result_free(&r);

    /* refused */
    o.atoms = "3";
    assert_int_equal(bpel_traj_check(&o), BPEL_EINVAL);
    o.atoms = NULL;
    o.top = o.bottom = 0;
    assert_int_equal(bpel_traj_check(&o), BPEL_EINVAL);
    bpel_traj_defaults(&o);
    o.atoms = "999999";
    assert_int_equal(bpel_traj_run(model, s, &o, test_tmp("traj_bad"), NULL, NULL, &r), BPEL_EINVAL);
    assert_non_null(strstr(bpel_errmsg(), "no atom with id 999999"));
    bpel_traj_result_free(&r);
    bpel_system_destroy(s);
    bpel_model_destroy(model);
    bpel_eam_destroy(pot);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_probe), cmocka_unit_test(test_rank)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
