/* test_gruneisen.c — mode Grüneisen parameters by sorted pairing, by
 * eigenvector overlap and by first-order perturbation (⟨e|ΔD|e⟩):
 * on fcc Cu all three agree mode by mode (multiplet means) and the acoustic
 * modes match −1/6 − ½ d ln(C44 − P)/d ln V from the elastic constants at
 * V0(1 ± dv); on a glass the overlap and perturbation routes agree where
 * the overlaps are high, Σ_i γ_i = Σ_k γ_k, and re-minimisation is done;
 * the stage as library calls (gruneisen_run.h): the route of the figures,
 * the files, and the refusal of a route not computed or a structure off its
 * minimum. */
#include "testutil.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "eam.h"
#include "elastic.h"
#include "error.h"
#include "gruneisen.h"
#include "gruneisen_run.h"
#include "hessian.h"

static char glass_path[1024];

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

#ifndef GLASS_DV
#define GLASS_DV 1e-3
#endif

static int make_glass(void **st)
{
    test_lammps_glass("gru_glass", 4711, 1174, NULL, glass_path, sizeof glass_path);
    return 0;
}

static double c44_minus_p(const bpel_model *model, bpel_system *s)
{
    hess_model *m;
    assert_int_equal(bpel_hess_model_create(model, s, 0, &m), 0);
    double born[6][6], dU[6], na[6][6] = {{0}};
    assert_int_equal(bpel_elastic_born(m, born, dU), 0);
    elastic_result r;
    bpel_elastic_finish(&r, born, na, dU, bpel_box_volume(&s->box));
    bpel_hess_model_destroy(m);
    return r.C[3][3] + r.stress[0]; /* C44 − P with σ = −P */
}

static void test_crystal(void **st)
{
    bpel_system *s = test_fcc(4, 3.615, 1, 1.0, 0.0, 1);
    bpel_eam *pot;
    bpel_model *model = NULL;
    assert_int_equal(bpel_eam_read(test_potential("Cu_u3.eam"), NULL, &pot), 0);
    assert_int_equal(bpel_model_create(pot, s, "Cu", &model), 0);
    gru_params p;
    bpel_gru_defaults(&p);
    gru_result r;
    assert_int_equal(bpel_gru_compute(model, s, &p, &r), 0);
    const vib_modes *v = r.modes;
    assert_true(r.relax_disp[0] < 1e-6 && r.relax_disp[1] < 1e-6); /* a Bravais lattice stays put */
    /* multiplet means of the three routes */
    double maxd = 0, gmin = 1e9, gmax = -1e9;
    size_t k = 0;
    while (k < v->nmodes) {
        size_t j = k;
        while (j + 1 < v->nmodes && fabs(v->omega[j + 1] - v->omega[k]) < 1e-6 * fabs(v->omega[v->nmodes - 1])) j++;
        if (!v->is_translation[k]) {
            double a = 0, b = 0, c = 0;
            for (size_t q = k; q <= j; q++) {
                a += r.gamma_sorted[q];
                b += r.gamma_overlap[q];
                c += r.gamma_hf[q];
            }
            size_t c0 = j - k + 1;
            a /= c0;
            b /= c0;
            c /= c0;
            maxd = fmax(maxd, fmax(fabs(a - b), fabs(a - c)));
            gmin = fmin(gmin, a);
            gmax = fmax(gmax, a);
        }
        k = j + 1;
    }
    print_message("  fcc Cu: gamma in [%.3f, %.3f]; largest route difference (multiplet means) %.2g; low overlaps %zu\n",
                  gmin, gmax, maxd, r.nlow);
    assert_true(maxd < 2e-3);
    assert_true(gmin > 1.0 && gmax < 3.0); /* Cu: γ ≈ 2 */
    /* TA modes along <100> (12: six wavevectors 2π/L, two polarisations): the
     * multiplet nearest ω = √((C44 − P)/ρ)·2π/L, and its γ against
     * −1/6 − ½ d ln(C44 − P)/d ln V from the elastic constants at V0(1 ± dv) */
    double a0 = c44_minus_p(model, s);
    double rho = s->n * s->mass[1] / bpel_box_volume(&s->box);
    double wpred = sqrt(a0 / ELASTIC_EV_A3_TO_GPA / rho / 1.0364269e-4) * 2 * M_PI / s->box.len[0];
    size_t best = 0;
    for (size_t q = 3; q < v->nmodes; q++)
        if (fabs(v->omega[q] - wpred) < fabs(v->omega[best] - wpred)) best = q;
    size_t lo = best, hi = best;
    while (lo > 0 && fabs(v->omega[lo - 1] - v->omega[best]) < 1e-6 * v->omega[best]) lo--;
    while (hi + 1 < v->nmodes && fabs(v->omega[hi + 1] - v->omega[best]) < 1e-6 * v->omega[best]) hi++;
    double gta = 0;
    for (size_t q = lo; q <= hi; q++) gta += r.gamma_hf[q] / (hi - lo + 1);
    bpel_system *sp = bpel_system_copy(s), *sm = bpel_system_copy(s);
    bpel_system_scale(sp, cbrt(1 + p.dv));
    bpel_system_scale(sm, cbrt(1 - p.dv));
    double cp = c44_minus_p(model, sp), cm = c44_minus_p(model, sm);
    double gel = -1.0 / 6 - 0.5 * (log(cp) - log(cm)) / (log(1 + p.dv) - log(1 - p.dv));
    print_message("  TA<100>: modes %zu..%zu at %.3f rad/ps (elastic %.3f), gamma %.4f; from d ln(C44-P)/d ln V: %.4f\n",
                  lo, hi, v->omega[best], wpred, gta, gel);
    assert_int_equal(hi - lo + 1, 12);
    ASSERT_REL(v->omega[best], wpred, 0.05, 0);
    ASSERT_REL(gta, gel, 0.02, 0);
    bpel_system_destroy(sp);
    bpel_system_destroy(sm);
    /* particle γ sums to the mode sum */
    double *gi = malloc(s->n * sizeof *gi), sum_i = 0, sum_k = 0;
    assert_int_equal(bpel_gru_particle(v, r.gamma_hf, gi), 0);
    for (size_t i = 0; i < s->n; i++) sum_i += gi[i];
    for (size_t q = 0; q < v->nmodes; q++)
        if (isfinite(r.gamma_hf[q])) sum_k += r.gamma_hf[q];
    ASSERT_REL(sum_i, sum_k, 1e-10, 0);
    free(gi);
    bpel_gru_result_free(&r);
    bpel_model_destroy(model);
    bpel_eam_destroy(pot);
    bpel_system_destroy(s);
}

static void test_glass(void **st)
{
    if (!glass_path[0]) skip();
    bpel_system *s;
    assert_int_equal(bpel_data_read(glass_path, &s), 0);
    bpel_eam *pot;
    bpel_model *model = NULL;
    assert_int_equal(bpel_eam_read(test_potential("CuZr_mm.eam.fs"), NULL, &pot), 0);
    assert_int_equal(bpel_model_create(pot, s, "Cu,Zr", &model), 0);
    gru_params p;
    bpel_gru_defaults(&p);
    p.dv = GLASS_DV;
    gru_result r;
    assert_int_equal(bpel_gru_compute(model, s, &p, &r), 0);
    const vib_modes *v = r.modes;
    print_message("  glass: re-minimised, max non-affine displacement %.3g / %.3g Å, max|F| %.2g / %.2g eV/Å; %zu of "
                  "%zu modes with an overlap below %.2f\n",
                  r.relax_disp[0], r.relax_disp[1], r.relax_fmax[0], r.relax_fmax[1], r.nlow, v->nmodes - 3,
                  p.low_overlap);
    assert_true(r.relaxed && r.relax_fmax[0] <= p.ftol && r.relax_fmax[1] <= p.ftol);
    assert_true(r.relax_disp[0] > 1e-4);
    /* where the eigenvectors barely rotate (overlap > 0.95 on both sides) the
     * overlap route and ⟨e|ΔD|e⟩ measure the same thing; they differ by the
     * mode mixing left in the central difference (the C¹ splines make D(V)
     * jump where pair distances cross knots), so compare them statistically */
    size_t nhigh = 0, nclose = 0, cnt = 0;
    double mean_hf = 0, sx = 0, sy = 0, sxx = 0, syy = 0, sxy = 0;
    double *diffs = malloc(v->nmodes * sizeof *diffs);
    for (size_t k = 0; k < v->nmodes; k++) {
        if (v->is_translation[k]) {
            assert_true(isnan(r.gamma_hf[k]));
            continue;
        }
        mean_hf += r.gamma_hf[k];
        cnt++;
        if (r.overlap_plus[k] > 0.95 && r.overlap_minus[k] > 0.95) {
            double x = r.gamma_overlap[k], y = r.gamma_hf[k];
            nhigh++;
            sx += x; sy += y; sxx += x * x; syy += y * y; sxy += x * y;
            diffs[nhigh - 1] = x - y;
            if (fabs(x - y) < 0.1 * fmax(1.0, fabs(y))) nclose++;
            if (r.match_plus[k] == k && r.match_minus[k] == k) ASSERT_NEAR(r.gamma_sorted[k], r.gamma_overlap[k], 1e-12);
        }
    }
    mean_hf /= cnt;
    qsort(diffs, nhigh, sizeof *diffs, cmp_double);
    double median = diffs[nhigh / 2];
    free(diffs);
    double pr = (nhigh * sxy - sx * sy) / sqrt((nhigh * sxx - sx * sx) * (nhigh * syy - sy * sy));
    print_message("  %zu modes with overlaps > 0.95: Pearson r(overlap route, <e|dD|e>) = %.4f, median difference %.3g, "
                  "%zu within 10%%; mean gamma %.3f\n",
                  nhigh, pr, median, nclose, mean_hf);
    assert_true(nhigh > v->nmodes / 2);
    assert_true(pr > 0.95);
    assert_true(fabs(median) < 0.02);
    assert_true(nclose > 0.8 * nhigh);
    assert_true(mean_hf > 0.5 && mean_hf < 4.0);
    /* γ_ave: running mean ends at the mean over all modes */
    double *mean = malloc(v->nmodes * sizeof *mean), *sd = malloc(v->nmodes * sizeof *sd);
    bpel_gru_average(v, r.gamma_hf, mean, sd);
    ASSERT_REL(mean[v->nmodes - 1], mean_hf, 1e-10, 0);
    free(mean);
    free(sd);
    /* without re-minimisation the configurations at V± are not minima, and the result differs */
    gru_params pn = p;
    pn.relax = 0;
    pn.methods = GRU_HF;
    gru_result rn;
    assert_int_equal(bpel_gru_compute(model, s, &pn, &rn), 0);
    assert_null(rn.gamma_sorted);
    double diff = 0;
    for (size_t k = 3; k < v->nmodes; k++) diff = fmax(diff, fabs(rn.gamma_hf[k] - r.gamma_hf[k]));
    print_message("  largest change of a mode gamma without re-minimisation: %.3g\n", diff);
    assert_true(diff > 1e-3);
    bpel_gru_result_free(&rn);
    /* bad input */
    pn.dv = 0.5;
    assert_int_equal(bpel_gru_compute(model, s, &pn, &rn), BPEL_EINVAL);
    bpel_gru_result_free(&r);
    bpel_model_destroy(model);
    bpel_eam_destroy(pot);
    bpel_system_destroy(s);
}

static int file_lines(const char *dir, const char *name)
{
    char path[1200];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *fp = fopen(path, "r");
    if (!fp) return -1;
    int n = 0;
    for (int c; (c = fgetc(fp)) != EOF;) n += c == '\n';
    fclose(fp);
    return n;
}

static void test_stage(void **st)
{
    bpel_system *s = test_fcc(3, 3.615, 1, 1.0, 0.0, 1);
    bpel_eam *pot;
    bpel_model *model = NULL;
    assert_int_equal(bpel_eam_read(test_potential("Cu_u3.eam"), NULL, &pot), 0);
    assert_int_equal(bpel_model_create(pot, s, "Cu", &model), 0);
    gru_run_options o;
    bpel_gru_run_defaults(&o);
    o.gru.methods = GRU_SORTED | GRU_HF;
    gru_run_result r;
    int rc = bpel_gru_run(model, s, &o, &r);
    if (rc) print_error("%s\n", bpel_errmsg());
    assert_int_equal(rc, 0);
    assert_int_equal(r.figures_method, GRU_HF);
    assert_false(r.worker);
    assert_ptr_equal(r.gru.modes, r.vib.modes);
    const char *dir = test_tmp("gru_stage");
    rc = bpel_gru_run_write(dir, s, &o, &r);
    if (rc) print_error("%s\n", bpel_errmsg());
    assert_int_equal(rc, 0);
    assert_int_equal(file_lines(dir, "gruneisen_modes.csv"), (int)r.gru.nmodes + 1);
    assert_int_equal(file_lines(dir, "atoms.csv"), (int)s->n + 1);
    assert_true(file_lines(dir, "summary.json") > 10);
    assert_true(file_lines(dir, "fig11c_ibp_vs_gamma.svg") > 0);
    bpel_gru_run_free(&r);

    /* a route for the figures that is not computed */
    o.figures_method = GRU_OVERLAP;
    assert_int_equal(bpel_gru_run(model, s, &o, &r), BPEL_EINVAL);
    bpel_gru_run_free(&r);
    /* off the minimum */
    o.figures_method = 0;
    s->x[0] += 0.1;
    assert_int_equal(bpel_gru_run(model, s, &o, &r), BPEL_EINVAL);
    assert_non_null(strstr(bpel_errmsg(), "not an energy minimum"));
    bpel_gru_run_free(&r);
    bpel_system_destroy(s);
    bpel_model_destroy(model);
    bpel_eam_destroy(pot);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_crystal), cmocka_unit_test(test_glass), cmocka_unit_test(test_stage)};
    return cmocka_run_group_tests(tests, make_glass, NULL);
}
