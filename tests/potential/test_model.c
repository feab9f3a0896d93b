/* test_model.c — the potential bound to the atom types once (model.h): the
 * element of each type, masses filled and checked, one model shared by
 * several systems of the same types, systems with more types refused. */
#include "testutil.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "forces.h"
#include "hessian.h"
#include "model.h"

static void test_bind(void **st)
{
    (void)st;
    bpel_eam *pot;
    assert_int_equal(bpel_eam_read(test_potential("CuZr_mm.eam.fs"), NULL, &pot), 0);
    bpel_system *s = test_fcc(3, 3.6, 2, 0.5, 0.1, 5);
    s->mass[1] = s->mass[2] = 0; /* filled from the potential */
    bpel_model *m;
    assert_int_equal(bpel_model_create(pot, s, "Zr,Cu", &m), 0);
    assert_ptr_equal(bpel_model_potential(m), pot);
    assert_int_equal(bpel_model_ntypes(m), 2);
    assert_string_equal(bpel_eam_element(pot, bpel_model_element(m, 1)), "Zr");
    assert_string_equal(bpel_eam_element(pot, bpel_model_element(m, 2)), "Cu");
    assert_string_equal(s->element[1], "Zr");
    ASSERT_NEAR(s->mass[1], bpel_eam_element_mass(pot, bpel_model_element(m, 1)), 0);
    ASSERT_NEAR(bpel_model_cutoff(m), bpel_eam_cutoff(pot), 0);
    bpel_model_destroy(m);
    /* swapped names against the data file's masses: refused, naming both */
    assert_int_equal(bpel_model_create(pot, s, "Cu,Zr", &m), BPEL_EINVAL);
    assert_null(m);
    assert_non_null(strstr(bpel_errmsg(), "whose mass"));
    s->mass[1] = s->mass[2] = 0;
    assert_int_equal(bpel_model_create(pot, s, "Cu,Al", &m), BPEL_EINVAL);
    assert_non_null(strstr(bpel_errmsg(), "unknown element 'Al'"));
    bpel_system_destroy(s);
    bpel_eam_destroy(pot);
}

/* One model, two systems (a copy displaced): each gets the forces a model of
 * its own gives, bitwise; a system with more types than the model is
 * refused by the force and Hessian constructors. */
static void test_shared(void **st)
{
    (void)st;
    bpel_eam *pot;
    bpel_model *m;
    bpel_system *s = test_cuzr_glass(&pot, &m);
    bpel_system *c = bpel_system_copy(s);
    for (size_t i = 0; i < 3 * c->n; i++) c->x[i] += 0.01 * sin((double)i);
    bpel_model *own;
    assert_int_equal(bpel_model_create(pot, c, NULL, &own), 0);
    bpel_forces *a, *b;
    bpel_eval ea, eb;
    assert_int_equal(bpel_forces_create(m, c, 1.0, &a), 0);
    assert_int_equal(bpel_forces_create(own, c, 1.0, &b), 0);
    assert_ptr_equal(bpel_forces_model(a), m);
    assert_int_equal(bpel_forces_compute(a, c, FORCES_ENERGY, &ea), 0);
    assert_int_equal(bpel_forces_compute(b, c, FORCES_ENERGY, &eb), 0);
    assert_true(ea.energy == eb.energy);
    assert_memory_equal(ea.f, eb.f, 3 * c->n * sizeof(double));
    bpel_forces_destroy(a);
    bpel_forces_destroy(b);
    bpel_model_destroy(own);
    bpel_system *three = test_fcc(3, 3.6, 3, 0.5, 0.1, 6);
    for (int t = 1; t <= 3; t++) three->mass[t] = 0;
    assert_int_equal(bpel_forces_create(m, three, 1.0, &a), BPEL_EINVAL);
    assert_non_null(strstr(bpel_errmsg(), "3 atom types but the potential is bound to 2"));
    hess_model *h;
    assert_int_equal(bpel_hess_model_create(m, three, 0, &h), BPEL_EINVAL);
    bpel_system_destroy(three);
    bpel_system_destroy(c);
    bpel_system_destroy(s);
    bpel_model_destroy(m);
    bpel_eam_destroy(pot);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_bind), cmocka_unit_test(test_shared)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
