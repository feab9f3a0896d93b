/* test_trajectory.c — the Fig. 8 probe as a library call (trajectory.h):
 * the order of its progress reports, the recorded displacements (zero at
 * the start, the last row equal to the final state), the moved-atoms list
 * against the largest displacements, the files, summary.json against the
 * recorded displacements (group means, the top/bottom ratio and its
 * quality), the choice of atoms by a ranked column of one element, and
 * refused options. */
#include "testutil.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "eam.h"
#include "error.h"
#include "quality.h"
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

/* Mean over frames of the recorded displacement of followed atom j. */
static double mean_disp(const traj_result *r, size_t j)
{
    double sum = 0;
    for (long k = 0; k <= r->nsteps; k++) sum += r->d_t[(size_t)k * r->m + j];
    return sum / (double)(r->nsteps + 1);
}

static double number_at(const cJSON *o, const char *a, const char *b)
{
    const cJSON *x = cJSON_GetObjectItemCaseSensitive(o, a);
    if (b) x = cJSON_GetObjectItemCaseSensitive(x, b);
    assert_true(cJSON_IsNumber(x));
    return x->valuedouble;
}

static const char *verdict(const cJSON *js, const char *path)
{
    const cJSON *q = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(js, BPEL_QUALITY_KEY), path);
    return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(q, BPEL_QUALITY_VERDICT));
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
    o.equilibrate = 0; /* recorded from the inherent structure on */
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
    /* summary.json: atoms chosen by id form one group; no top/bottom ratio */
    snprintf(path, sizeof path, "%s/%s", dir, TRAJ_FILE_SUMMARY);
    cJSON *js = test_read_json(path);
    assert_non_null(js);
    const cJSON *groups = cJSON_GetObjectItemCaseSensitive(js, "groups");
    const cJSON *chosen = cJSON_GetObjectItemCaseSensitive(groups, "chosen");
    assert_non_null(chosen);
    assert_null(cJSON_GetObjectItemCaseSensitive(groups, "top"));
    ASSERT_NEAR(number_at(chosen, "atoms", NULL), 2, 0);
    ASSERT_NEAR(number_at(chosen, "disp_mean_A", NULL), 0.5 * (mean_disp(&r, 0) + mean_disp(&r, 1)), 1e-12);
    double big = 0, m0 = 0;
    for (size_t q = 0; q < (size_t)(r.nsteps + 1) * r.m; q++) big = fmax(big, r.d_t[q]);
    ASSERT_NEAR(number_at(chosen, "disp_max_A", NULL), big, 0);
    ASSERT_NEAR(number_at(js, "atoms_moved", NULL), (double)moved, 0);
    ASSERT_NEAR(number_at(js, "rmsd_final_A", NULL), r.rmsd_last, 0);
    assert_true(r.rmsd_last > 0 && r.nrec == r.nsteps + 1);
    for (size_t i = 0; i < r.n; i++) m0 += r.disp[i] * r.disp[i];
    ASSERT_NEAR(r.rmsd_last, sqrt(m0 / r.n), 1e-12);
    assert_true(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(js, TRAJ_KEY_DISP_RATIO)));
    assert_string_equal(verdict(js, TRAJ_KEY_DISP_RATIO), "not determined");
    cJSON_Delete(js);
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
    o.equilibrate = 0.01;
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
    /* summary.json: the ratio of the two groups' mean displacements, weak with one atom each */
    char path[1200];
    snprintf(path, sizeof path, "%s/%s", test_tmp("traj_rank"), TRAJ_FILE_SUMMARY);
    cJSON *js = test_read_json(path);
    assert_non_null(js);
    const cJSON *groups = cJSON_GetObjectItemCaseSensitive(js, "groups");
    ASSERT_NEAR(number_at(groups, "top", "disp_mean_A"), mean_disp(&r, 1), 1e-12);
    ASSERT_NEAR(number_at(groups, "bottom", "disp_mean_A"), mean_disp(&r, 0), 1e-12);
    ASSERT_NEAR(number_at(js, TRAJ_KEY_DISP_RATIO, NULL), mean_disp(&r, 1) / mean_disp(&r, 0), 1e-12);
    assert_string_equal(verdict(js, TRAJ_KEY_DISP_RATIO), "weak");
    assert_null(cJSON_GetObjectItemCaseSensitive(groups, "chosen"));
    /* a run whose mean temperature is off the thermostat's by more than 10 % says so */
    double tmean = r.temp_sum / r.nrec;
    ASSERT_NEAR(number_at(js, "temperature_mean_K", NULL), tmean, 1e-9);
    const cJSON *q = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(js, BPEL_QUALITY_KEY),
                                                      TRAJ_KEY_DISP_RATIO);
    const char *why = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(q, BPEL_QUALITY_REASON));
    assert_non_null(why);
    assert_int_equal(strstr(why, "mean temperature") != NULL, fabs(tmean - o.temperature) > 0.1 * o.temperature);
    cJSON_Delete(js);
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
