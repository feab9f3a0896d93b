/* test_localforce.c — the local (region) EAM energy and forces against a
 * full evaluation by forces.c of the same displaced glass, in a box smaller
 * than twice the cutoff (several periodic images of one atom interact). */
#include "testutil.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "eam.h"
#include "error.h"
#include "forces.h"
#include "localforce.h"

static void compare(bpel_system *s, const bpel_model *model, double radius, unsigned seed)
{
    lf_shared *sh;
    assert_int_equal(bpel_lf_shared_create(model, s, &sh), 0);
    lf_params p;
    bpel_lf_defaults(&p);
    p.radius = radius;
    lf_region *r;
    assert_int_equal(bpel_lf_region_create(sh, &p, &r), 0);
    long nm = bpel_lf_region_start(r, 17);
    assert_true(nm > 5 && nm < (long)s->n);
    size_t ndof = 3 * (size_t)nm;
    double *u = calloc(bpel_lf_region_max_dof(r), sizeof(double)), *f = calloc(bpel_lf_region_max_dof(r), sizeof(double));
    srand(seed);
    /* displacements up to 0.6 Å: beyond half the skin, so the lists are rebuilt on the way */
    double *x = malloc(3 * s->n * sizeof(double));
    bpel_system *full = bpel_system_copy(bpel_lf_shared_system(sh));
    bpel_forces *fo;
    assert_int_equal(bpel_forces_create(model, full, 1.0, &fo), 0);
    for (int step = 1; step <= 3; step++) {
        for (size_t i = 0; i < ndof; i++) u[i] = 0.2 * step * ((double)rand() / RAND_MAX - 0.5);
        double e;
        assert_int_equal(bpel_lf_eval(r, u, &e, f), 0);
        bpel_lf_positions(r, u, x);
        memcpy(full->x, x, 3 * s->n * sizeof(double));
        bpel_eval ev;
        assert_int_equal(bpel_forces_compute(fo, full, FORCES_ENERGY, &ev), 0);
        ASSERT_REL(e, ev.energy, 1e-11, 1.0);
        const size_t *atoms = bpel_lf_region_atoms(r);
        for (long a = 0; a < nm; a++)
            for (int d = 0; d < 3; d++) ASSERT_NEAR(f[3 * a + d], ev.f[3 * atoms[a] + d], 1e-9);
    }
    /* growth: the frozen atoms with large forces join, and everything still agrees */
    long nd = bpel_lf_grow(r, u, ndof);
    assert_true(nd > (long)ndof);
    double e;
    assert_int_equal(bpel_lf_eval(r, u, &e, f), 0);
    bpel_lf_positions(r, u, x);
    memcpy(full->x, x, 3 * s->n * sizeof(double));
    bpel_eval ev;
    assert_int_equal(bpel_forces_compute(fo, full, FORCES_ENERGY, &ev), 0);
    ASSERT_REL(e, ev.energy, 1e-11, 1.0);
    const size_t *atoms = bpel_lf_region_atoms(r);
    for (long a = 0; a < nd / 3; a++)
        for (int d = 0; d < 3; d++) ASSERT_NEAR(f[3 * a + d], ev.f[3 * atoms[a] + d], 1e-9);
    bpel_forces_destroy(fo);
    bpel_system_destroy(full);
    free(x);
    free(u);
    free(f);
    bpel_lf_region_destroy(r);
    bpel_lf_shared_destroy(sh);
}

static void test_localforce_vs_full(void **state)
{
    (void)state;
    const char *path = test_potential("CuZr_mm.eam.fs");
    bpel_eam *pot;
    assert_int_equal(bpel_eam_read(path, NULL, &pot), 0);
    /* small box (14.4 Å < 2 × 7.6 Å cutoff): images of the same atom interact */
    bpel_system *s = test_fcc(4, 3.6, 2, 0.5, 0.15, 11);
    bpel_model *model = NULL;
    assert_int_equal(bpel_model_create(pot, s, "Cu,Zr", &model), 0);
    compare(s, model, 4.0, 3);
    bpel_system_destroy(s);
    bpel_model_destroy(model);
    /* a larger box, triclinic */
    s = test_fcc(6, 3.6, 2, 0.5, 0.15, 12);
    s->box.xy = 1.3;
    s->box.xz = -0.7;
    s->box.yz = 0.9;
    assert_int_equal(bpel_model_create(pot, s, "Cu,Zr", &model), 0);
    compare(s, model, 5.0, 4);
    bpel_system_destroy(s);
    bpel_model_destroy(model);
    bpel_eam_destroy(pot);
}

static void test_lf_param_set(void **state)
{
    (void)state;
    lf_params p;
    bpel_lf_defaults(&p);
    assert_int_equal(bpel_lf_param_set(&p, "grow_force", "0.03"), BPEL_OK);
    assert_true(p.grow_force == 0.03);
    assert_int_equal(bpel_lf_param_set(&p, "max_atoms", "500"), BPEL_OK);
    assert_int_equal(p.max_atoms, 500);
    assert_int_not_equal(bpel_lf_param_set(&p, "radius", "0"), BPEL_OK);
    assert_int_not_equal(bpel_lf_param_set(&p, "shell", "wide"), BPEL_OK);
    assert_int_not_equal(bpel_lf_param_set(&p, "max_atoms", "2.5"), BPEL_OK);
    assert_int_not_equal(bpel_lf_param_set(&p, "nonsense", "1"), BPEL_OK);
    assert_true(p.radius == 6.0 && p.grow_force == 0.03);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_localforce_vs_full), cmocka_unit_test(test_lf_param_set)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
