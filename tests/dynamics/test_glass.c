/* test_glass.c — compositions and random solid solutions: parsing (good and
 * impossible compositions), exact atom counts, the fcc lattice constants of
 * Cu and Zr found with the Mendelev potential against experiment (Cu 3.615 Å)
 * and the atomic volume of hcp Zr (23.3 Å³, i.e. fcc a ≈ 4.53 Å), and the
 * starting density. */
#include "testutil.h"

#include <math.h>
#include <string.h>

#include "eam.h"
#include "error.h"
#include "glass.h"
#include "neighbour.h"

static void test_parse(void **st)
{
    (void)st;
    glass_composition c;
    assert_int_equal(bpel_glass_parse_composition("Cu50Zr50", &c), 0);
    assert_int_equal(c.nel, 2);
    assert_string_equal(c.element[1], "Zr");
    ASSERT_NEAR(c.percent[0], 50, 0);
    assert_int_equal(bpel_glass_parse_composition("Cu64.5Zr35.5", &c), 0);
    ASSERT_NEAR(c.percent[1], 35.5, 1e-12);
    assert_int_equal(bpel_glass_parse_composition("Zr", &c), 0);
    ASSERT_NEAR(c.percent[0], 100, 0);
    const char *bad[] = {"", "Cu50Zr40", "cu50zr50", "Cu50Cu50", "Cu0Zr100", "Cu-10Zr110", "CuZr", "Cu50Zr50x",
                         "50Cu50Zr"};
    for (size_t k = 0; k < sizeof bad / sizeof *bad; k++) {
        assert_int_equal(bpel_glass_parse_composition(bad[k], &c), BPEL_EINVAL);
        assert_true(strlen(bpel_errmsg()) > 10);
    }
}

static void test_solution(void **st)
{
    (void)st;
    bpel_eam *pot;
    assert_int_equal(bpel_eam_read(test_potential("CuZr_mm.eam.fs"), NULL, &pot), 0);
    double vcu, vzr;
    assert_int_equal(bpel_glass_atomic_volume(pot, "Cu", &vcu), 0);
    assert_int_equal(bpel_glass_atomic_volume(pot, "Zr", &vzr), 0);
    print_message("fcc atomic volumes: Cu %.4f A^3 (a = %.4f A), Zr %.4f A^3 (a = %.4f A)\n", vcu, cbrt(4 * vcu), vzr,
                  cbrt(4 * vzr));
    ASSERT_NEAR(cbrt(4 * vcu), 3.615, 0.03);
    ASSERT_NEAR(cbrt(4 * vzr), 4.53, 0.05);
    assert_int_equal(bpel_glass_atomic_volume(pot, "Ni", &vcu), BPEL_EINVAL);

    glass_composition c;
    assert_int_equal(bpel_glass_parse_composition("Cu64Zr36", &c), 0);
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, 1);
    bpel_system *s;
    size_t count[GLASS_MAXEL];
    assert_int_equal(bpel_glass_random_solution(pot, &c, 333, r, &s, count), 0);
    assert_int_equal(s->n, 333);
    assert_int_equal(count[0], 213); /* 0.64·333 = 213.12 */
    assert_int_equal(count[1], 120);
    size_t ncu = 0;
    for (size_t i = 0; i < s->n; i++) ncu += s->type[i] == 1;
    assert_int_equal(ncu, 213);
    assert_string_equal(s->element[1], "Cu");
    ASSERT_NEAR(s->mass[2], 91.224, 1e-3);
    double v = bpel_box_volume(&s->box) / 333;
    ASSERT_REL(v, 0.64 * 11.81 + 0.36 * 23.2, 0.03, 1);
    /* ids 1..N, no two atoms closer than 2 Å */
    size_t i, j;
    double d;
    assert_int_equal(bpel_nbr_find_close_pair(s, 2.0, &i, &j, &d), 0);
    bpel_system_destroy(s);
    /* impossible: too few atoms for the minority element */
    assert_int_equal(bpel_glass_parse_composition("Cu99.9Zr0.1", &c), 0);
    assert_int_equal(bpel_glass_random_solution(pot, &c, 100, r, &s, NULL), BPEL_EINVAL);
    assert_non_null(strstr(bpel_errmsg(), "too few"));
    assert_int_equal(bpel_glass_parse_composition("Cu50Ag50", &c), 0);
    assert_int_equal(bpel_glass_random_solution(pot, &c, 100, r, &s, NULL), BPEL_EINVAL);
    assert_non_null(strstr(bpel_errmsg(), "Ag"));
    gsl_rng_free(r);
    bpel_eam_destroy(pot);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_parse), cmocka_unit_test(test_solution)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
