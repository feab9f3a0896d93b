/* kpm_run.c — the KPM stage from configuration to files (see kpm_run.h). */
#include "kpm_run.h"

#include <math.h>
#include <omp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "error.h"
#include "forces.h"
#include "hessian.h"
#include "outfile.h"
#include "quality.h"
#include "units.h"
#include "vib_figures.h"

void bpel_kpm_run_defaults(kpm_run_options *o)
{
    memset(o, 0, sizeof *o);
    bpel_kpm_defaults(&o->kpm);
    o->max_initial_force = 1e-3;
    o->figures = 1;
}

void bpel_kpm_run_free(kpm_run_result *r)
{
    bpel_kpm_result_destroy(r->kpm);
    bpel_vib_modes_destroy(r->modes);
    free(r->g_dense);
    free(r->g_kernel);
    memset(r, 0, sizeof *r);
}

static double wall(void) { return omp_get_wtime(); }

static void on_pass(void *ctx, double done, double total)
{
    const kpm_run_options *o = ctx;
    o->progress(o->ctx, KPM_RUN_PASS, done, total);
}

/* Plain histogram of the exact non-translational ω on the bins of r. */
static void dense_histogram(const vib_modes *v, const kpm_result *r, double *g)
{
    memset(g, 0, r->nbins * sizeof *g);
    double norm = (double)v->ndof - 3.0;
    for (size_t k = 0; k < v->nmodes; k++) {
        if (v->is_translation[k]) continue;
        double x = (v->omega[k] - r->omega_lo) / r->width;
        size_t b = x < 0 ? 0 : (size_t)x;
        if (b >= r->nbins) b = r->nbins - 1;
        g[b] += 1.0 / (norm * r->width);
    }
}

/* the dense spectrum on the bins of the estimate: histogram, the same through the kernel, and the z of each bin */
static int compare_dense(kpm_run_result *out)
{
    const kpm_result *r = out->kpm;
    const vib_modes *v = out->modes;
    const size_t nb = r->nbins;
    int rc = BPEL_OK;
    size_t cmp_used = 0, cmp_over3 = 0, cmp_over4 = 0;
    double chi2 = 0, zworst = 0;
    double *g_dense = out->g_dense = bpel_malloc(nb * sizeof *g_dense);
    double *g_kernel = out->g_kernel = bpel_malloc(nb * sizeof *g_kernel);
    double *lam = bpel_malloc(v->nmodes * sizeof *lam), *mu = bpel_malloc(r->moments * sizeof *mu);
    size_t nl = 0;
    if (!g_dense || !g_kernel || !lam || !mu) rc = BPEL_ENOMEM;
    for (size_t k = 0; !rc && k < v->nmodes; k++)
        if (!v->is_translation[k]) lam[nl++] = fmax(r->lambda_lo, fmin(r->lambda_hi, v->lambda[k]));
    if (!rc) rc = bpel_kpm_moments_exact(nl, lam, r->lambda_lo, r->lambda_hi, r->moments, mu);
    if (!rc) rc = bpel_kpm_bins(r, mu, g_kernel);
    if (!rc) {
        dense_histogram(v, r, g_dense);
        for (size_t b = 0; b < nb; b++) {
            if (!(r->g_err[b] > 1e-9)) continue;
            double z = (r->g[b] - g_kernel[b]) / r->g_err[b];
            cmp_used++;
            chi2 += z * z;
            cmp_over3 += fabs(z) > 3;
            cmp_over4 += fabs(z) > 4;
            zworst = fmax(zworst, fabs(z));
        }
        if (cmp_used) chi2 /= cmp_used;
    }
    free(lam);
    free(mu);
    out->cmp_used = cmp_used, out->cmp_over3 = cmp_over3, out->cmp_over4 = cmp_over4;
    out->chi2 = chi2, out->zworst = zworst;
    return rc;
}

static int write_csv(const char *dir, const kpm_run_result *out)
{
    const kpm_result *r = out->kpm;
    const size_t nb = r->nbins;
    int dense = out->modes != NULL;
    char path[4096];
    snprintf(path, sizeof path, "%s/vdos_kpm.csv", dir);
    bpel_out fo;
    FILE *fp = bpel_out_fopen(&fo, path);
    if (!fp) return BPEL_EIO;
    fprintf(fp, "bin_lo_radps,bin_hi_radps,omega_radps,nu_THz,g_per_radps,g_err_per_radps,g_over_omega2_per_radps3,"
                "g_over_omega2_err_per_radps3,kernel_sigma_radps%s\n",
            dense ? ",g_dense_per_radps,g_dense_kernel_per_radps" : "");
    for (size_t b = 0; b < nb; b++) {
        double w = kpm_bin_centre(r, b), w2 = w != 0 ? w * w : NAN;
        fprintf(fp, "%.6g,%.6g,%.6g,%.6g,%.10g,%.6g,%.10g,%.6g,%.6g", r->omega_lo + b * r->width,
                r->omega_lo + (b + 1) * r->width, w, w / (2 * BPEL_PI), r->g[b], r->g_err[b],
                w != 0 ? r->g[b] / w2 : 0.0, w != 0 ? r->g_err[b] / w2 : 0.0, r->sigma_omega[b]);
        if (dense) fprintf(fp, ",%.10g,%.10g", out->g_dense[b], out->g_kernel[b]);
        fputc('\n', fp);
    }
    return bpel_out_close(&fo);
}

/* error level: relative error of the bins holding most of the spectrum; the maximum of g/ω² in the window */
static int error_level(const kpm_run_options *o, kpm_run_result *out)
{
    const kpm_result *r = out->kpm;
    const size_t nb = r->nbins;
    out->rel_med = NAN;
    double *rel = bpel_malloc(nb * sizeof *rel);
    size_t k = 0;
    if (!rel) return BPEL_ENOMEM;
    double gmax = 0;
    for (size_t b = 0; b < nb; b++) gmax = fmax(gmax, r->g[b]);
    for (size_t b = 0; b < nb; b++)
        if (r->g[b] > 0.1 * gmax) rel[k++] = r->g_err[b] / r->g[b];
    /* median by partial insertion sort (k is at most a few hundred) */
    for (size_t i = 1; i < k; i++)
        for (size_t j = i; j > 0 && rel[j - 1] > rel[j]; j--) {
            double t = rel[j];
            rel[j] = rel[j - 1];
            rel[j - 1] = t;
        }
    if (k) out->rel_med = rel[k / 2];
    free(rel);
    out->bp_omega = 0, out->bp_height = NAN, out->bp_err = NAN, out->bp_bin = 0;
    if (o->bp_hi > o->bp_lo) {
        double best = -INFINITY;
        for (size_t b = 0; b < nb; b++) {
            double w = kpm_bin_centre(r, b);
            if (w < o->bp_lo || w > o->bp_hi) continue;
            if (r->g[b] / (w * w) > best) {
                best = r->g[b] / (w * w);
                out->bp_bin = b;
                out->bp_omega = w;
            }
        }
        if (out->bp_omega > 0) {
            out->bp_height = best;
            out->bp_err = r->g_err[out->bp_bin] / (out->bp_omega * out->bp_omega);
        }
    }
    return BPEL_OK;
}

/* summary.json of a finished run */
static cJSON *summary(const kpm_run_options *opt, const kpm_run_result *out, const char *data, double t_total)
{
    const kpm_result *r = out->kpm;
    const vib_modes *v = out->modes;
    const size_t nb = r->nbins, n = out->natoms;
    cJSON *j = cJSON_CreateObject();
    cJSON_AddStringToObject(j, "program", "bpel kpm");
    if (opt->provenance) cJSON_AddStringToObject(j, "provenance", opt->provenance);
    cJSON_AddStringToObject(j, "structure", opt->structure ? opt->structure : data);
    cJSON_AddNumberToObject(j, "natoms", (double)n);
    if (isfinite(out->fmax)) cJSON_AddNumberToObject(j, "max_force_eV_per_A", out->fmax);
    cJSON *hj = cJSON_AddObjectToObject(j, "hessian");
    cJSON_AddNumberToObject(hj, "nonzero_blocks", (double)out->hessian_blocks);
    cJSON_AddNumberToObject(hj, "blocks_per_row", (double)out->hessian_blocks / n);
    cJSON_AddNumberToObject(hj, "bytes", (double)out->hessian_blocks * (9 * sizeof(double) + sizeof(uint32_t)));
    cJSON *kj = cJSON_AddObjectToObject(j, "kpm");
    cJSON_AddNumberToObject(kj, "moments", r->moments);
    cJSON_AddNumberToObject(kj, "random_vectors", r->vectors);
    cJSON_AddStringToObject(kj, "vector_distribution", r->distribution == KPM_GAUSSIAN ? "gaussian" : "rademacher");
    cJSON_AddNumberToObject(kj, "seed", (double)r->seed);
    cJSON_AddStringToObject(kj, "kernel", "Jackson");
    cJSON_AddNumberToObject(kj, "kernel_sigma_theta_rad", r->sigma_theta);
    cJSON_AddItemToObject(kj, "bounds_eV_per_A2_amu", cJSON_CreateDoubleArray((double[]){r->lambda_lo, r->lambda_hi}, 2));
    cJSON_AddStringToObject(kj, "bounds_source", r->bounds_source);
    if (isfinite(r->ritz_lo)) {
        cJSON_AddItemToObject(kj, "lanczos_ritz_eV_per_A2_amu", cJSON_CreateDoubleArray((double[]){r->ritz_lo, r->ritz_hi}, 2));
        cJSON_AddNumberToObject(kj, "lanczos_residual_hi", r->resid_hi);
    }
    cJSON_AddItemToObject(kj, "gershgorin_eV_per_A2_amu", cJSON_CreateDoubleArray((double[]){r->gersh_lo, r->gersh_hi}, 2));
    cJSON_AddNumberToObject(kj, "omega_max_radps", BPEL_OMEGA_FACTOR * sqrt(fmax(r->lambda_hi, 0)));
    cJSON_AddStringToObject(kj, "translations",
                            "the 3 rigid translations (sqrt(m_i/M) per direction, exact zero modes of D) are projected "
                            "out of every random vector; g is normalised over the 3N-3 other modes");
    cJSON_AddStringToObject(kj, "error",
                            "g_err = standard error over the random vectors of each bin (statistical only; the kernel "
                            "smears g over kernel_sigma_radps)");
    cJSON_AddNumberToObject(kj, "modes_normalised_over", r->norm);
    cJSON_AddNumberToObject(kj, "bin_width_radps", r->width);
    cJSON_AddNumberToObject(kj, "omega_lo_radps", r->omega_lo);
    cJSON_AddNumberToObject(kj, "bins", (double)nb);
    cJSON *res = cJSON_AddArrayToObject(kj, "kernel_sigma_radps_at");
    for (int k = 0; k < 5; k++) {
        double w = (double[]){2, 5, 10, 20, 40}[k];
        if (w >= r->omega_lo + nb * r->width) break;
        size_t b = (size_t)((w - r->omega_lo) / r->width);
        cJSON *e = cJSON_CreateObject();
        cJSON_AddNumberToObject(e, "omega_radps", kpm_bin_centre(r, b));
        cJSON_AddNumberToObject(e, "sigma_radps", r->sigma_omega[b]);
        cJSON_AddNumberToObject(e, "g_relative_error", r->g[b] > 0 ? r->g_err[b] / r->g[b] : NAN);
        cJSON_AddItemToArray(res, e);
    }
    cJSON_AddNumberToObject(kj, "median_relative_error", out->rel_med);
    cJSON_AddStringToObject(kj, "median_relative_error_over", "bins with g above 10% of its maximum");
    double integral = 0;
    for (size_t b = 0; b < nb; b++) integral += r->g[b] * r->width;
    cJSON_AddNumberToObject(kj, "integral_g", integral);
    cJSON_AddNumberToObject(kj, "matrix_vector_products", (double)r->products);
    cJSON_AddNumberToObject(kj, "passes_over_hessian", r->matrix_passes);
    cJSON_AddNumberToObject(kj, "threads", omp_get_max_threads());
    cJSON *tj = cJSON_AddObjectToObject(j, "time_s");
    cJSON_AddNumberToObject(tj, "load_and_force_check", out->t_load);
    cJSON_AddNumberToObject(tj, "hessian", out->t_hessian);
    if (v) cJSON_AddNumberToObject(tj, "dense_diagonalisation", out->t_dense);
    cJSON_AddNumberToObject(tj, "kpm_bounds", r->t_bounds);
    cJSON_AddNumberToObject(tj, "kpm_moments", r->t_moments);
    cJSON_AddNumberToObject(tj, "kpm_density", r->t_density);
    cJSON_AddNumberToObject(tj, "kpm_total", out->t_kpm);
    cJSON_AddNumberToObject(tj, "total", t_total);
    if (v) {
        cJSON *dj = cJSON_AddObjectToObject(j, "dense_comparison");
        cJSON_AddStringToObject(dj, "solver", v->solver);
        cJSON_AddStringToObject(dj, "reference",
                                "the exact non-translational modes through the same kernel and bounds: the expectation "
                                "of the KPM estimate");
        cJSON_AddNumberToObject(dj, "bins_compared", (double)out->cmp_used);
        cJSON_AddNumberToObject(dj, "chi2_per_bin", out->chi2);
        cJSON_AddNumberToObject(dj, "bins_beyond_3_sigma", (double)out->cmp_over3);
        cJSON_AddNumberToObject(dj, "bins_beyond_4_sigma", (double)out->cmp_over4);
        cJSON_AddNumberToObject(dj, "largest_abs_z", out->zworst);
        cJSON_AddNumberToObject(dj, "negative_modes", (double)v->nnegative);
        const char *q = "dense_comparison.chi2_per_bin";
        if (!out->cmp_used) bpel_quality_add(j, q, BPEL_Q_NOT_DETERMINED, "no bins with a statistical error");
        else if (out->chi2 > 2.0 || out->cmp_over4 > out->cmp_used / 50 + 1)
            bpel_quality_add(j, q, BPEL_Q_WEAK, "KPM and the dense spectrum differ beyond the stated errors");
        else bpel_quality_add(j, q, BPEL_Q_OK, "KPM agrees with the dense spectrum within the stated errors");
    }
    if (opt->bp_hi > opt->bp_lo) {
        cJSON *bj = cJSON_AddObjectToObject(j, "boson_peak");
        const char *q = "boson_peak.omega_radps";
        cJSON_AddItemToObject(bj, "window_radps", cJSON_CreateDoubleArray((double[]){opt->bp_lo, opt->bp_hi}, 2));
        if (out->bp_omega > 0) {
            cJSON_AddNumberToObject(bj, "omega_radps", out->bp_omega);
            cJSON_AddNumberToObject(bj, "nu_THz", out->bp_omega / (2 * BPEL_PI));
            cJSON_AddNumberToObject(bj, "height_g_over_omega2_per_radps3", out->bp_height);
            cJSON_AddNumberToObject(bj, "height_err_per_radps3", out->bp_err);
            cJSON_AddNumberToObject(bj, "kernel_sigma_radps", r->sigma_omega[out->bp_bin]);
            if (out->bp_omega - opt->bp_lo < r->width || opt->bp_hi - out->bp_omega < r->width)
                bpel_quality_add(j, q, BPEL_Q_WEAK, "the maximum sits at an edge of the window %.3g-%.3g rad/ps",
                                 opt->bp_lo, opt->bp_hi);
            if (!(out->bp_err < 0.1 * out->bp_height))
                bpel_quality_add(j, q, BPEL_Q_WEAK, "the height's statistical error is %.0f%%: more random vectors",
                                 100 * out->bp_err / out->bp_height);
            if (r->sigma_omega[out->bp_bin] > 0.25 * out->bp_omega)
                bpel_quality_add(j, q, BPEL_Q_WEAK, "the kernel (sigma %.3g rad/ps) is broad against the peak: more moments",
                                 r->sigma_omega[out->bp_bin]);
            bpel_quality_add(j, q, BPEL_Q_OK, "maximum of g/omega^2 at %.3g rad/ps inside the window", out->bp_omega);
        } else {
            cJSON_AddNullToObject(bj, "omega_radps");
            bpel_quality_add(j, q, BPEL_Q_NOT_DETERMINED, "no bin centre inside the window");
        }
    }
    return j;
}

int bpel_kpm_run(const bpel_model *model, const bpel_system *s, const kpm_run_options *o,
            const char *dir, kpm_run_result *out)
{
    memset(out, 0, sizeof *out);
    const char *data = o->data ? o->data : s->source;
    const size_t n = s->n;
    double t0 = wall() - o->t_before;
    out->natoms = n;
    out->fmax = NAN;
    hess_model *m = NULL;
    hess_sparse *h = NULL;
    double *mass = NULL;
    cJSON *j = NULL;
    int rc = bpel_mkdir_p(dir);
    if (!rc && isfinite(o->max_initial_force)) {
        bpel_system *cp = bpel_system_copy(s);
        if (!cp) rc = BPEL_ENOMEM;
        else
            rc = bpel_forces_require_minimum(model, cp, o->max_initial_force, data,
                                        "the VDOS is only defined at a minimum; run `bpel minimize` first "
                                        "(or --max-initial-force inf to go on)",
                                        &out->fmax);
        bpel_system_destroy(cp);
    }
    double t1 = wall();
    if (!rc) rc = bpel_hess_model_create(model, s, 0, &m);
    if (!rc) rc = bpel_hess_build_sparse(m, &h);
    double t2 = wall();
    if (!rc && o->dense) {
        vib_params vp = {.solver = o->solver, .max_omega = 0.0};
        rc = bpel_vib_modes_compute(m, s, &vp, &out->modes);
        out->t_dense = wall() - t2;
    }
    bpel_hess_model_destroy(m);
    if (!rc && !(mass = bpel_malloc(n * sizeof *mass))) rc = BPEL_ENOMEM;
    double t3 = wall();
    if (!rc) {
        for (size_t i = 0; i < n; i++) mass[i] = system_mass(s, i);
        kpm_params kp = o->kpm;
        if (o->progress) {
            kp.progress = on_pass;
            kp.progress_ctx = (void *)o;
            o->progress(o->ctx, KPM_RUN_BEGIN, 0, 1);
        }
        rc = bpel_kpm_vdos(h, mass, &kp, &out->kpm);
        if (o->progress) o->progress(o->ctx, KPM_RUN_END, 1, 1);
        if (rc) bpel_fail_context(rc, "%s", data);
    }
    out->t_load = t1 - t0;
    out->t_hessian = t2 - t1;
    out->t_kpm = wall() - t3;
    if (h) out->hessian_blocks = h->rowptr[n];
    if (!rc && out->modes) rc = compare_dense(out);
    if (!rc) rc = write_csv(dir, out);
    if (!rc) rc = error_level(o, out);
    if (!rc) {
        out->t_total = wall() - t0;
        j = summary(o, out, data, out->t_total);
        char path[4096];
        snprintf(path, sizeof path, "%s/summary.json", dir);
        rc = bpel_out_json(path, j);
    }
    if (!rc && o->figures)
        rc = bpel_vib_fig_kpm(dir, out->kpm, out->g_dense, o->bp_lo, o->bp_hi, out->bp_omega);
    cJSON_Delete(j);
    bpel_hess_sparse_destroy(h);
    free(mass);
    return rc;
}
