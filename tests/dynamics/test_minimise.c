/* test_minimise.c — CG and FIRE minimisation.
 *  - From a slightly perturbed minimum of a 256-atom Cu50Zr50 glass, CG reaches
 *    max|F| <= 1e-8 eV/Å (checked by an independent force evaluation) and the
 *    same energy as LAMMPS `minimize` (min_style cg) to 1e-6 eV/atom.
 *  - FIRE lands in the same minimum.
 *  - Box relaxation to P = 0 matches LAMMPS `fix box/relax iso 0` + minimize
 *    (energy and volume) and ends within 0.1 bar of the target.
 *  - An iteration limit too small is reported as BPEL_ECONV with the reason. */
#include "testutil.h"

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eam.h"
#include "error.h"
#include "forces.h"
#include "minimise.h"

typedef struct {
    bpel_system *s;
    bpel_eam *pot;
    bpel_model *model;
    bpel_forces *ff;
} bound;

static const char *start_data(void)
{
    return test_data("cuzr_glass_256.data");
}

static void load(bound *b, const char *path)
{
    assert_int_equal(bpel_data_read(path, &b->s), 0);
    assert_int_equal(bpel_eam_read(test_potential("CuZr_mm.eam.fs"), NULL, &b->pot), 0);
    assert_int_equal(bpel_model_create(b->pot, b->s, "Cu,Zr", &b->model), 0);
    assert_int_equal(bpel_forces_create(b->model, b->s, 1.0, &b->ff), 0);
}

static void unload(bound *b)
{
    bpel_forces_destroy(b->ff);
    bpel_model_destroy(b->model);
    bpel_eam_destroy(b->pot);
    bpel_system_destroy(b->s);
}

static double fmax_now(bound *b, double *energy)
{
    bpel_eval ev;
    assert_int_equal(bpel_forces_compute(b->ff, b->s, FORCES_ENERGY | FORCES_REFERENCE, &ev), 0);
    double m = 0;
    for (size_t i = 0; i < b->s->n; i++)
        m = fmax(m, sqrt(ev.f[3 * i] * ev.f[3 * i] + ev.f[3 * i + 1] * ev.f[3 * i + 1] + ev.f[3 * i + 2] * ev.f[3 * i + 2]));
    if (energy) *energy = ev.energy;
    return m;
}

/* A perturbed minimum, made once: minimise the glass, displace every atom by
 * a Gaussian of 0.02 Å per component, write it. */
static const char *near_minimum(void)
{
    static int made = 0;
    const char *path = test_tmp("near_min.data");
    if (made) return path;
    bound b;
    load(&b, start_data());
    min_params p;
    bpel_min_defaults(&p);
    p.ftol = 1e-6;
    min_result r;
    assert_int_equal(bpel_minimise(b.ff, b.s, &p, &r), 0);
    gsl_rng *g = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(g, 3);
    for (size_t i = 0; i < 3 * b.s->n; i++) b.s->x[i] += gsl_ran_gaussian(g, 0.02);
    gsl_rng_free(g);
    free(b.s->v);
    b.s->v = NULL;
    assert_int_equal(bpel_data_write(path, b.s, "perturbed minimum"), 0);
    unload(&b);
    made = 1;
    return path;
}

static void lammps_minimize(const char *data, int relax, double *epa, double *vol)
{
    char script[4096];
    const char *out = test_tmp("lmp_min.txt");
    snprintf(script, sizeof script,
             "units metal\natom_style atomic\nread_data %s\npair_style eam/fs\npair_coeff * * %s Cu Zr\n"
             "neighbor 1.0 bin\nneigh_modify every 1 delay 0 check yes\n%s"
             "minimize 0 1e-10 100000 1000000\n"
             "print \"$(pe/atoms:%%.15g) $(vol:%%.15g)\" file %s\n",
             data, test_potential("CuZr_mm.eam.fs"), relax ? "fix br all box/relax iso 0.0 vmax 0.001\n" : "", out);
    assert_int_equal(test_run_lammps("in.min", script), 0);
    FILE *fp = fopen(out, "r");
    assert_non_null(fp);
    assert_int_equal(fscanf(fp, "%lf %lf", epa, vol), 2);
    fclose(fp);
}

static void test_cg_tight_and_lammps(void **st)
{
    (void)st;
    const char *start = near_minimum();
    bound b;
    load(&b, start);
    min_params p;
    bpel_min_defaults(&p);
    min_result r;
    int rc = bpel_minimise(b.ff, b.s, &p, &r);
    if (rc) print_error("%s\n", bpel_errmsg());
    assert_int_equal(rc, 0);
    assert_true(r.converged);
    double e;
    double fm = fmax_now(&b, &e);
    print_message("CG: E = %.10f eV/atom, max|F| = %.2e eV/A after %ld iterations, %ld evaluations\n", e / 256, fm,
                  r.iterations, r.evaluations);
    assert_true(fm <= 1e-8);
    ASSERT_REL(r.energy, e, 1e-12, 1.0);
    if (test_have_lammps()) {
        double epa, vol;
        lammps_minimize(start, 0, &epa, &vol);
        print_message("LAMMPS minimize: %.10f eV/atom\n", epa);
        ASSERT_NEAR(e / 256, epa, 1e-6);
    }
    unload(&b);
}

static void test_fire_same_minimum(void **st)
{
    (void)st;
    bound a, b;
    load(&a, near_minimum());
    load(&b, near_minimum());
    min_params p;
    bpel_min_defaults(&p);
    p.ftol = 1e-6;
    min_result ra, rb;
    assert_int_equal(bpel_minimise(a.ff, a.s, &p, &ra), 0);
    p.method = MIN_FIRE;
    int rc = bpel_minimise(b.ff, b.s, &p, &rb);
    if (rc) print_error("%s\n", bpel_errmsg());
    assert_int_equal(rc, 0);
    assert_true(fmax_now(&b, NULL) <= 1e-6);
    ASSERT_NEAR(rb.energy / 256, ra.energy / 256, 1e-7);
    unload(&a);
    unload(&b);
}

static void test_box_relax(void **st)
{
    (void)st;
    const char *start = near_minimum();
    bound b;
    load(&b, start);
    min_params p;
    bpel_min_defaults(&p);
    p.relax_box = 1;
    p.ftol = 1e-7;
    min_result r;
    int rc = bpel_minimise(b.ff, b.s, &p, &r);
    if (rc) print_error("%s\n", bpel_errmsg());
    assert_int_equal(rc, 0);
    ASSERT_NEAR(r.pressure, 0.0, 0.1);
    double vol = bpel_box_volume(&b.s->box);
    print_message("box relaxation: E = %.10f eV/atom, V = %.6f A^3, P = %.3g bar\n", r.energy / 256, vol, r.pressure);
    if (test_have_lammps()) {
        double epa, lvol;
        lammps_minimize(start, 1, &epa, &lvol);
        print_message("LAMMPS box/relax: %.10f eV/atom, V = %.6f A^3\n", epa, lvol);
        ASSERT_NEAR(r.energy / 256, epa, 1e-6);
        ASSERT_REL(vol, lvol, 1e-6, 1.0);
    }
    unload(&b);
}

static void test_not_converged(void **st)
{
    (void)st;
    bound b;
    load(&b, start_data());
    min_params p;
    bpel_min_defaults(&p);
    p.max_iter = 3;
    min_result r;
    assert_int_equal(bpel_minimise(b.ff, b.s, &p, &r), BPEL_ECONV);
    assert_false(r.converged);
    assert_true(r.fmax > 1e-8);
    assert_non_null(strstr(bpel_errmsg(), "did not converge"));
    p.ftol = 0;
    assert_int_equal(bpel_minimise(b.ff, b.s, &p, &r), BPEL_EINVAL);
    unload(&b);
}

int main(void)
{
    omp_set_num_threads(1); /* the suite shares two cores with other jobs */
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cg_tight_and_lammps),
        cmocka_unit_test(test_fire_same_minimum),
        cmocka_unit_test(test_box_relax),
        cmocka_unit_test(test_not_converged),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
