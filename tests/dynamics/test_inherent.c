/* test_inherent.c — inherent structures at several temperatures as a
 * library call (inherent.h): the order of its progress reports, one
 * converged structure per temperature written and readable, the summary
 * table, and refused options. */
#include "testutil.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eam.h"
#include "error.h"
#include "inherent.h"

typedef struct { int begin, steps, end, done, warnings; double last_t; } tally;

static void count(const inherent_progress *p, void *user)
{
    tally *t = user;
    switch (p->event) {
    case INHERENT_BEGIN: t->begin++, t->last_t = p->temperature; assert_int_equal(p->nsteps, 10); break;
    case INHERENT_STEP: t->steps++; assert_true(p->step >= 1 && p->step <= 10); break;
    case INHERENT_END: t->end++; break;
    case INHERENT_WARNING: t->warnings++; break;
    case INHERENT_DONE:
        t->done++;
        assert_int_equal(t->done, t->end);
        ASSERT_NEAR(p->structure->temperature, t->last_t, 0);
        break;
    case INHERENT_NOTICE: break;
    }
}

static void test_two_temperatures(void **st)
{
    bpel_eam *pot;
    bpel_model *model = NULL;
    bpel_system *s = test_cuzr_glass(&pot, &model);
    double temps[2] = {100, 600};
    inherent_options o;
    bpel_inherent_defaults(&o);
    o.temperatures = temps;
    o.ntemperatures = 2;
    o.time = 0.02;
    o.log_every = 5;
    tally t = {0, 0, 0, 0, 0, 0};
    inherent_result r;
    const char *dir = test_tmp("");
    int rc = bpel_inherent_run(model, s, &o, dir, count, &t, &r);
    if (rc) print_error("%s\n", bpel_errmsg());
    assert_int_equal(rc, 0);
    assert_int_equal(r.n, 2);
    assert_true(r.all_converged);
    assert_int_equal(t.begin, 2);
    assert_int_equal(t.steps, 20);
    assert_int_equal(t.done, 2);
    assert_int_equal(t.warnings, 0);
    for (int k = 0; k < 2; k++) {
        const inherent_structure *is = &r.structures[k];
        ASSERT_NEAR(is->temperature, temps[k], 0);
        assert_true(is->converged && is->fmax <= 1e-8);
        assert_true(is->mean_temperature > 0);
        bpel_system *g;
        assert_int_equal(bpel_data_read(is->file, &g), 0);
        assert_int_equal(g->n, s->n);
        assert_null(g->v);
        bpel_system_destroy(g);
    }
    char path[1200];
    snprintf(path, sizeof path, "%s/inherent.csv", dir);
    FILE *fp = fopen(path, "r");
    assert_non_null(fp);
    int lines = 0;
    for (int c; (c = fgetc(fp)) != EOF;) lines += c == '\n';
    fclose(fp);
    assert_int_equal(lines, 3);
    bpel_inherent_result_free(&r);

    temps[1] = -3;
    assert_int_equal(bpel_inherent_run(model, s, &o, dir, NULL, NULL, &r), BPEL_EINVAL);
    bpel_inherent_result_free(&r);
    bpel_system_destroy(s);
    bpel_model_destroy(model);
    bpel_eam_destroy(pot);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_two_temperatures)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
