/* test_eigen.c — the eigensolver back ends on a random symmetric matrix:
 * residuals ‖A v − λ v‖, agreement between dsyevd, dsyevr and the window,
 * size refusals. */
#include "testutil.h"

#include <gsl/gsl_rng.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "eigen.h"
#include "error.h"

static double *random_symmetric(size_t n, unsigned long seed)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, seed);
    double *a = malloc(n * n * sizeof *a);
    for (size_t j = 0; j < n; j++)
        for (size_t i = j; i < n; i++) a[i + j * n] = a[j + i * n] = gsl_rng_uniform(r) - 0.5 + (i == j ? 0.1 * i / n : 0);
    gsl_rng_free(r);
    return a;
}

static double residual(const double *a, size_t n, const eig_solution *s, size_t k)
{
    const double *v = s->z + k * s->ldz;
    double num = 0;
    for (size_t i = 0; i < n; i++) {
        double y = 0;
        for (size_t j = 0; j < n; j++) y += a[i + j * n] * v[j];
        num += (y - s->w[k] * v[i]) * (y - s->w[k] * v[i]);
    }
    return sqrt(num);
}

static void test_backends_agree(void **st)
{
    const size_t n = 300;
    double *a = random_symmetric(n, 42);
    double *w1 = malloc(n * n * sizeof *w1), *w2 = malloc(n * n * sizeof *w2), *w3 = malloc(n * n * sizeof *w3);
    memcpy(w1, a, n * n * sizeof *a);
    memcpy(w2, a, n * n * sizeof *a);
    memcpy(w3, a, n * n * sizeof *a);
    eig_problem all = {n, 0, 0}, win = {n, 1, -0.5};
    eig_solution sd, sr, sw;
    const eig_backend *bd = bpel_eig_backend_find("dsyevd"), *br = bpel_eig_backend_find("dsyevr");
    assert_non_null(bd);
    assert_non_null(br);
    assert_ptr_equal(bpel_eig_backend_find("auto"), br);
    assert_null(bpel_eig_backend_find("nonsense"));
    assert_int_equal(bd->solve(w1, n, &all, &sd), 0);
    assert_int_equal(br->solve(w2, n, &all, &sr), 0);
    assert_int_equal(br->solve(w3, n, &win, &sw), 0);
    assert_int_equal(sd.m, n);
    assert_int_equal(sr.m, n);
    size_t below = 0;
    for (size_t k = 0; k < n; k++) {
        ASSERT_NEAR(sd.w[k], sr.w[k], 1e-11);
        if (k) assert_true(sr.w[k] >= sr.w[k - 1]);
        below += sr.w[k] <= -0.5;
    }
    print_message("  %zu of %zu eigenvalues below -0.5\n", below, n);
    assert_int_equal(sw.m, below);
    assert_true(below > 10 && below < n / 2);
    for (size_t k = 0; k < n; k += 7) {
        assert_true(residual(a, n, &sd, k) < 1e-11);
        assert_true(residual(a, n, &sr, k) < 1e-11);
    }
    for (size_t k = 0; k < sw.m; k++) {
        ASSERT_NEAR(sw.w[k], sr.w[k], 1e-11);
        assert_true(residual(a, n, &sw, k) < 1e-11);
    }
    /* an empty window is not an error */
    eig_problem none = {n, 1, -1e6};
    eig_solution s0;
    memcpy(w3, a, n * n * sizeof *a);
    assert_int_equal(br->solve(w3, n, &none, &s0), 0);
    assert_int_equal(s0.m, 0);
    bpel_eig_solution_free(&s0);
    /* dsyevd has no window */
    size_t extra;
    assert_int_equal(bd->plan(&win, &extra), BPEL_ENOTSUP);
    bpel_eig_solution_free(&sd);
    bpel_eig_solution_free(&sr);
    bpel_eig_solution_free(&sw);
    free(a);
    free(w1);
    free(w2);
    free(w3);
}

static void test_limits(void **st)
{
    size_t extra;
    eig_problem big = {32768, 0, 0}, ok = {32766, 0, 0};
    const eig_backend *bd = bpel_eig_backend_find("dsyevd");
    assert_int_equal(bd->plan(&big, &extra), BPEL_ENOTSUP);
    assert_non_null(strstr(bpel_errmsg(), "32-bit"));
    assert_int_equal(bd->plan(&ok, &extra), 0);
    assert_true(extra >= 2 * 32766.0 * 32766.0 * 8);
    eig_problem edge = {32767, 0, 0}; /* 1+6n+2n^2 = 2147549181 > 2^31-1 */
    assert_int_equal(bd->plan(&edge, &extra), BPEL_ENOTSUP);
    setenv("BPEL_MEMORY_LIMIT", "1G", 1);
    assert_int_equal(bpel_eig_memory_available(), (size_t)1 << 30);
    assert_int_equal(bpel_eig_memory_check((size_t)2 << 30, "a test"), BPEL_ENOMEM);
    assert_non_null(strstr(bpel_errmsg(), "a test needs 2.15 GB"));
    assert_int_equal(bpel_eig_memory_check(1000, "a test"), 0);
    unsetenv("BPEL_MEMORY_LIMIT");
    assert_true(bpel_eig_memory_available() > 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_backends_agree), cmocka_unit_test(test_limits)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
