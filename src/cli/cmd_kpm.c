/* cmd_kpm.c — `bpel kpm`: the VDOS of a large inherent structure by the kernel polynomial method. */
#include <getopt.h>
#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "cli.h"
#include "error.h"
#include "forces.h"
#include "hessian.h"
#include "kpm.h"
#include "outfile.h"
#include "quality.h"
#include "units.h"
#include "vdos.h"
#include "vib_figures.h"

const char cmd_kpm_summary[] = "VDOS of a large inherent structure without diagonalising (kernel polynomial method)";

static void help(void)
{
    printf("usage: bpel kpm DATA --out DIR [options]\n\n"
           "Estimates the vibrational density of states g(omega) of the (minimised) configuration in DATA\n"
           "over the whole spectrum without diagonalising: Chebyshev moments of the sparse mass-weighted\n"
           "dynamical matrix D = M^-1/2 H M^-1/2 from random vectors (the three rigid translations projected\n"
           "out), the Jackson kernel, and bin averages of g normalised to 1 over the 3N-3 vibrational modes\n"
           "(as bpel modes). The statistical error of each bin is the standard error over the random vectors;\n"
           "the kernel's resolution is written beside it. Writes to DIR:\n"
           "  vdos_kpm.csv       bin_lo_radps, bin_hi_radps, omega_radps, nu_THz, g_per_radps, g_err_per_radps,\n"
           "                     g_over_omega2_per_radps3, g_over_omega2_err_per_radps3, kernel_sigma_radps\n"
           "                     (with --dense also g_dense_per_radps, the histogram of the exact modes, and\n"
           "                     g_dense_kernel_per_radps, the exact modes seen through the same kernel)\n"
           "  summary.json       parameters, spectral bounds, resolution, error level, timings\n"
           "  fig_kpm_vdos       (.png, .svg) g and g/omega^2 with the +-2 sigma band\n\n"
           "Cost: vectors/16 x moments/2 passes over the sparse Hessian (N = 19,652: a few minutes on 2\n"
           "cores with the defaults); memory: the sparse Hessian plus 64 x 3N doubles.\n\n"
           "  --out DIR            output directory (required)\n"
           "  --potential FILE     EAM file; default %s\n"
           "  --elements LIST      element of each atom type, e.g. Cu,Zr\n"
           "  --moments M          Chebyshev moments (default 512; the kernel's width sigma is about\n"
           "                       75/M rad/ps for Cu-Zr, nearly the same over the whole band)\n"
           "  --vectors R          random vectors (default 32, at least 2; the error falls as 1/sqrt(R))\n"
           "  --seed S             random vectors' seed (default 1)\n"
           "  --gaussian           Gaussian instead of Rademacher (+-1) random vectors\n"
           "  --bin-width W        bin width in rad/ps (default 0.5)\n"
           "  --bp-window LO:HI    also report the maximum of g/omega^2 in this window (rad/ps) with its error\n"
           "  --dense              also diagonalise D (small systems: 16 (3N)^2 bytes) and compare per bin\n"
           "  --solver NAME        eigensolver for --dense: %s\n"
           "  --max-initial-force F  refuse a structure whose max |F_i| exceeds F eV/A (default 1e-3; inf: no check)\n"
           "  --threads T          OpenMP threads (default OMP_NUM_THREADS, else all cores)\n"
           "  --no-figures         skip fig_kpm_vdos\n",
           BPEL_DEFAULT_POTENTIAL, eig_backend_names());
}

static void on_progress(void *ctx, double done, double total)
{
    cli_progress *p = ctx;
    p->total = total;
    cli_progress_update(p, done, NULL);
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

int cmd_kpm(int argc, char **argv)
{
    static struct option opts[] = {{"potential", required_argument, 0, 'p'}, {"elements", required_argument, 0, 'e'},
                                   {"out", required_argument, 0, 'o'},       {"moments", required_argument, 0, 'm'},
                                   {"vectors", required_argument, 0, 'r'},   {"seed", required_argument, 0, 'S'},
                                   {"gaussian", no_argument, 0, 'g'},        {"bin-width", required_argument, 0, 'b'},
                                   {"bp-window", required_argument, 0, 'w'}, {"dense", no_argument, 0, 'd'},
                                   {"solver", required_argument, 0, 'V'},    {"max-initial-force", required_argument, 0, 'M'},
                                   {"threads", required_argument, 0, 't'},   {"no-figures", no_argument, 0, 'G'},
                                   {"help", no_argument, 0, 'h'},            {0, 0, 0, 0}};
    const char *pot = NULL, *elements = NULL, *out = NULL, *solver = NULL;
    kpm_params kp;
    kpm_defaults(&kp);
    int c, dense = 0, figures = 1;
    long lv;
    double x, bp_lo = 0, bp_hi = 0, max_force = 1e-3;
    optind = 1;
    while ((c = getopt_long(argc, argv, "p:e:o:h", opts, NULL)) != -1) {
        switch (c) {
        case 'p': pot = optarg; break;
        case 'e': elements = optarg; break;
        case 'o': out = optarg; break;
        case 'm':
            if (cli_parse_long(optarg, &lv) || lv < 4 || lv > 1000000)
                return cli_usage_error("kpm", "--moments needs an integer from 4 to 1000000");
            kp.moments = (int)lv;
            break;
        case 'r':
            if (cli_parse_long(optarg, &lv) || lv < 2 || lv > 1000000)
                return cli_usage_error("kpm", "--vectors needs an integer from 2 to 1000000");
            kp.vectors = (int)lv;
            break;
        case 'S':
            if (cli_parse_long(optarg, &lv) || lv < 0) return cli_usage_error("kpm", "--seed needs an integer >= 0");
            kp.seed = (unsigned long)lv;
            break;
        case 'g': kp.distribution = KPM_GAUSSIAN; break;
        case 'b':
            if (cli_parse_double(optarg, &x) || !(x > 0)) return cli_usage_error("kpm", "--bin-width needs a positive number");
            kp.bin_width = x;
            break;
        case 'w': {
            char buf[128], *sep;
            snprintf(buf, sizeof buf, "%s", optarg);
            if (!(sep = strchr(buf, ':')) || (*sep = '\0', cli_parse_double(buf, &bp_lo)) ||
                cli_parse_double(sep + 1, &bp_hi) || !(bp_lo > 0) || !(bp_hi > bp_lo))
                return cli_usage_error("kpm", "--bp-window needs LO:HI with 0 < LO < HI (rad/ps)");
            break;
        }
        case 'd': dense = 1; break;
        case 'V':
            if (!eig_backend_find(optarg))
                return cli_usage_error("kpm", "unknown solver '%s' (known: %s)", optarg, eig_backend_names());
            solver = optarg;
            break;
        case 'M':
            if (!strcmp(optarg, "inf")) max_force = INFINITY;
            else if (cli_parse_double(optarg, &max_force) || !(max_force > 0))
                return cli_usage_error("kpm", "--max-initial-force needs a positive number (eV/A) or inf");
            break;
        case 't':
            if (cli_parse_long(optarg, &lv) || lv < 1 || lv > 4096)
                return cli_usage_error("kpm", "--threads needs a positive integer");
            kp.threads = (int)lv;
            break;
        case 'G': figures = 0; break;
        case 'h': help(); return 0;
        default: return cli_usage_error("kpm", "unknown option");
        }
    }
    if (optind != argc - 1) return cli_usage_error("kpm", "expected one data file");
    if (!out) return cli_usage_error("kpm", "--out DIR is required");
    if (bpel_out_check_dir(out)) return cli_error();
    if (kp.threads > 0) omp_set_num_threads(kp.threads);
    cli_catch_signals_abort("kpm");
    const char *data = argv[optind];
    double t0 = cli_wall_time();
    cli_setup cs;
    if (cli_load(data, pot, elements, &cs)) return cli_error();
    const size_t n = cs.sys->n;
    hess_model *m = NULL;
    hess_sparse *h = NULL;
    vib_modes *v = NULL;
    kpm_result *r = NULL;
    double *mass = NULL, *g_dense = NULL, *g_kernel = NULL, fmax_found = NAN;
    cJSON *o = NULL;
    int rc = BPEL_OK;
    if (isfinite(max_force)) {
        bpel_system *cp = system_copy(cs.sys);
        if (!cp) rc = BPEL_ENOMEM;
        else
            rc = forces_require_minimum(cs.pot, cs.map, cp, max_force, data,
                                        "the VDOS is only defined at a minimum; run `bpel minimize` first "
                                        "(or --max-initial-force inf to go on)",
                                        &fmax_found);
        system_destroy(cp);
    }
    double t1 = cli_wall_time();
    if (!rc) rc = hess_model_create(cs.pot, cs.map, cs.sys, 0, &m);
    if (!rc) rc = hess_build_sparse(m, &h);
    double t2 = cli_wall_time(), t_dense = 0;
    if (!rc && dense) {
        vib_params vp = {solver, 0.0};
        rc = vib_modes_compute(m, cs.sys, &vp, &v);
        t_dense = cli_wall_time() - t2;
    }
    hess_model_destroy(m);
    if (!rc && !(mass = bpel_malloc(n * sizeof *mass))) rc = BPEL_ENOMEM;
    double t3 = cli_wall_time();
    if (!rc) {
        for (size_t i = 0; i < n; i++) mass[i] = system_mass(cs.sys, i);
        cli_progress prog;
        cli_progress_start(&prog, "kpm", 1);
        kp.progress = on_progress;
        kp.progress_ctx = &prog;
        rc = kpm_vdos(h, mass, &kp, &r);
        cli_progress_finish(&prog);
        if (rc) bpel_fail_context(rc, "%s", data);
    }
    double t4 = cli_wall_time();
    if (rc) goto done;
    const size_t nb = r->nbins;
    /* the dense spectrum on the same bins: histogram and through the same kernel */
    size_t cmp_used = 0, cmp_over3 = 0, cmp_over4 = 0;
    double chi2 = 0, zworst = 0;
    if (v) {
        g_dense = bpel_malloc(nb * sizeof *g_dense);
        g_kernel = bpel_malloc(nb * sizeof *g_kernel);
        double *lam = bpel_malloc(v->nmodes * sizeof *lam), *mu = bpel_malloc(r->moments * sizeof *mu);
        size_t nl = 0;
        if (!g_dense || !g_kernel || !lam || !mu) rc = BPEL_ENOMEM;
        for (size_t k = 0; !rc && k < v->nmodes; k++)
            if (!v->is_translation[k]) lam[nl++] = fmax(r->lambda_lo, fmin(r->lambda_hi, v->lambda[k]));
        if (!rc) rc = kpm_moments_exact(nl, lam, r->lambda_lo, r->lambda_hi, r->moments, mu);
        if (!rc) rc = kpm_bins(r, mu, g_kernel);
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
        if (rc) goto done;
    }

    /* vdos_kpm.csv */
    char path[4096];
    snprintf(path, sizeof path, "%s/vdos_kpm.csv", out);
    bpel_out fo;
    FILE *fp = bpel_out_fopen(&fo, path);
    if (!fp) { rc = BPEL_EIO; goto done; }
    fprintf(fp, "bin_lo_radps,bin_hi_radps,omega_radps,nu_THz,g_per_radps,g_err_per_radps,g_over_omega2_per_radps3,"
                "g_over_omega2_err_per_radps3,kernel_sigma_radps%s\n",
            v ? ",g_dense_per_radps,g_dense_kernel_per_radps" : "");
    for (size_t b = 0; b < nb; b++) {
        double w = kpm_bin_centre(r, b), w2 = w != 0 ? w * w : NAN;
        fprintf(fp, "%.6g,%.6g,%.6g,%.6g,%.10g,%.6g,%.10g,%.6g,%.6g", r->omega_lo + b * r->width,
                r->omega_lo + (b + 1) * r->width, w, w / (2 * BPEL_PI), r->g[b], r->g_err[b],
                w != 0 ? r->g[b] / w2 : 0.0, w != 0 ? r->g_err[b] / w2 : 0.0, r->sigma_omega[b]);
        if (v) fprintf(fp, ",%.10g,%.10g", g_dense[b], g_kernel[b]);
        fputc('\n', fp);
    }
    if ((rc = bpel_out_close(&fo))) goto done;

    /* error level: relative error of the bins holding most of the spectrum, and near the boson peak */
    double rel_med = NAN;
    {
        double *rel = bpel_malloc(nb * sizeof *rel);
        size_t k = 0;
        if (!rel) { rc = BPEL_ENOMEM; goto done; }
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
        if (k) rel_med = rel[k / 2];
        free(rel);
    }
    double bp_omega = 0, bp_height = NAN, bp_err = NAN;
    size_t bp_bin = 0;
    if (bp_hi > bp_lo) {
        double best = -INFINITY;
        for (size_t b = 0; b < nb; b++) {
            double w = kpm_bin_centre(r, b);
            if (w < bp_lo || w > bp_hi) continue;
            if (r->g[b] / (w * w) > best) {
                best = r->g[b] / (w * w);
                bp_bin = b;
                bp_omega = w;
            }
        }
        if (bp_omega > 0) {
            bp_height = best;
            bp_err = r->g_err[bp_bin] / (bp_omega * bp_omega);
        }
    }

    /* summary.json */
    o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "program", "bpel kpm");
    cJSON_AddStringToObject(o, "provenance", cli_provenance());
    char src[2048];
    snprintf(src, sizeof src, "%s (potential %s)", data, cs.potential_path);
    cJSON_AddStringToObject(o, "structure", src);
    cJSON_AddNumberToObject(o, "natoms", (double)n);
    if (isfinite(fmax_found)) cJSON_AddNumberToObject(o, "max_force_eV_per_A", fmax_found);
    cJSON *hj = cJSON_AddObjectToObject(o, "hessian");
    cJSON_AddNumberToObject(hj, "nonzero_blocks", (double)h->rowptr[n]);
    cJSON_AddNumberToObject(hj, "blocks_per_row", (double)h->rowptr[n] / n);
    cJSON_AddNumberToObject(hj, "bytes", (double)h->rowptr[n] * (9 * sizeof(double) + sizeof(uint32_t)));
    cJSON *kj = cJSON_AddObjectToObject(o, "kpm");
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
    cJSON_AddNumberToObject(kj, "median_relative_error", rel_med);
    cJSON_AddStringToObject(kj, "median_relative_error_over", "bins with g above 10% of its maximum");
    double integral = 0;
    for (size_t b = 0; b < nb; b++) integral += r->g[b] * r->width;
    cJSON_AddNumberToObject(kj, "integral_g", integral);
    cJSON_AddNumberToObject(kj, "matrix_vector_products", (double)r->products);
    cJSON_AddNumberToObject(kj, "passes_over_hessian", r->matrix_passes);
    cJSON_AddNumberToObject(kj, "threads", omp_get_max_threads());
    cJSON *tj = cJSON_AddObjectToObject(o, "time_s");
    cJSON_AddNumberToObject(tj, "load_and_force_check", t1 - t0);
    cJSON_AddNumberToObject(tj, "hessian", t2 - t1);
    if (v) cJSON_AddNumberToObject(tj, "dense_diagonalisation", t_dense);
    cJSON_AddNumberToObject(tj, "kpm_bounds", r->t_bounds);
    cJSON_AddNumberToObject(tj, "kpm_moments", r->t_moments);
    cJSON_AddNumberToObject(tj, "kpm_density", r->t_density);
    cJSON_AddNumberToObject(tj, "kpm_total", t4 - t3);
    cJSON_AddNumberToObject(tj, "total", cli_wall_time() - t0);
    if (v) {
        cJSON *dj = cJSON_AddObjectToObject(o, "dense_comparison");
        cJSON_AddStringToObject(dj, "solver", v->solver);
        cJSON_AddStringToObject(dj, "reference",
                                "the exact non-translational modes through the same kernel and bounds: the expectation "
                                "of the KPM estimate");
        cJSON_AddNumberToObject(dj, "bins_compared", (double)cmp_used);
        cJSON_AddNumberToObject(dj, "chi2_per_bin", chi2);
        cJSON_AddNumberToObject(dj, "bins_beyond_3_sigma", (double)cmp_over3);
        cJSON_AddNumberToObject(dj, "bins_beyond_4_sigma", (double)cmp_over4);
        cJSON_AddNumberToObject(dj, "largest_abs_z", zworst);
        cJSON_AddNumberToObject(dj, "negative_modes", (double)v->nnegative);
        const char *q = "dense_comparison.chi2_per_bin";
        if (!cmp_used) bpel_quality_add(o, q, BPEL_Q_NOT_DETERMINED, "no bins with a statistical error");
        else if (chi2 > 2.0 || cmp_over4 > cmp_used / 50 + 1)
            bpel_quality_add(o, q, BPEL_Q_WEAK, "KPM and the dense spectrum differ beyond the stated errors");
        else bpel_quality_add(o, q, BPEL_Q_OK, "KPM agrees with the dense spectrum within the stated errors");
    }
    if (bp_hi > bp_lo) {
        cJSON *bj = cJSON_AddObjectToObject(o, "boson_peak");
        const char *q = "boson_peak.omega_radps";
        cJSON_AddItemToObject(bj, "window_radps", cJSON_CreateDoubleArray((double[]){bp_lo, bp_hi}, 2));
        if (bp_omega > 0) {
            cJSON_AddNumberToObject(bj, "omega_radps", bp_omega);
            cJSON_AddNumberToObject(bj, "nu_THz", bp_omega / (2 * BPEL_PI));
            cJSON_AddNumberToObject(bj, "height_g_over_omega2_per_radps3", bp_height);
            cJSON_AddNumberToObject(bj, "height_err_per_radps3", bp_err);
            cJSON_AddNumberToObject(bj, "kernel_sigma_radps", r->sigma_omega[bp_bin]);
            if (bp_omega - bp_lo < r->width || bp_hi - bp_omega < r->width)
                bpel_quality_add(o, q, BPEL_Q_WEAK, "the maximum sits at an edge of the window %.3g-%.3g rad/ps",
                                 bp_lo, bp_hi);
            if (!(bp_err < 0.1 * bp_height))
                bpel_quality_add(o, q, BPEL_Q_WEAK, "the height's statistical error is %.0f%%: more random vectors",
                                 100 * bp_err / bp_height);
            if (r->sigma_omega[bp_bin] > 0.25 * bp_omega)
                bpel_quality_add(o, q, BPEL_Q_WEAK, "the kernel (sigma %.3g rad/ps) is broad against the peak: more moments",
                                 r->sigma_omega[bp_bin]);
            bpel_quality_add(o, q, BPEL_Q_OK, "maximum of g/omega^2 at %.3g rad/ps inside the window", bp_omega);
        } else {
            cJSON_AddNullToObject(bj, "omega_radps");
            bpel_quality_add(o, q, BPEL_Q_NOT_DETERMINED, "no bin centre inside the window");
        }
    }
    snprintf(path, sizeof path, "%s/summary.json", out);
    if ((rc = bpel_out_json(path, o))) goto done;
    if (figures && (rc = vib_fig_kpm(out, r, g_dense, bp_lo, bp_hi, bp_omega))) goto done;

    printf("atoms %zu: KPM with %d moments and %d %s vectors on [%.4g, %.4g] eV/(A^2 amu) (%s)\n", n, r->moments,
           r->vectors, r->distribution == KPM_GAUSSIAN ? "Gaussian" : "Rademacher", r->lambda_lo, r->lambda_hi,
           r->bounds_source);
    printf("time: Hessian %.1f s, bounds %.1f s, moments %.1f s (%d passes over H), total %.1f s on %d threads\n",
           t2 - t1, r->t_bounds, r->t_moments, r->matrix_passes, cli_wall_time() - t0, omp_get_max_threads());
    {
        size_t b = (size_t)fmin((double)nb - 1, fmax(0.0, (5.0 - r->omega_lo) / r->width));
        printf("kernel sigma %.3g rad/ps at %.3g rad/ps; median relative error %.2g%% (bins above 10%% of max g)\n",
               r->sigma_omega[b], kpm_bin_centre(r, b), 100 * rel_med);
    }
    if (bp_omega > 0)
        printf("max of g/omega^2 in %.3g:%.3g rad/ps: %.3f rad/ps, %.5g +- %.2g (rad/ps)^-3\n", bp_lo, bp_hi, bp_omega,
               bp_height, bp_err);
    if (v)
        printf("against the dense spectrum (%s, %.1f s) through the same kernel: chi2/bin %.2f over %zu bins, "
               "%zu beyond 4 sigma\n",
               v->solver, t_dense, chi2, cmp_used, cmp_over4);
    printf("wrote %s/vdos_kpm.csv, summary.json%s\n", out, figures ? ", fig_kpm_vdos.{png,svg}" : "");
done:
    cJSON_Delete(o);
    kpm_result_destroy(r);
    vib_modes_destroy(v);
    hess_sparse_destroy(h);
    free(mass);
    free(g_dense);
    free(g_kernel);
    cli_setup_free(&cs);
    return rc ? cli_error() : 0;
}
