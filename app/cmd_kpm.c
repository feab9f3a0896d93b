/* cmd_kpm.c — `bpel kpm`: the VDOS of a large inherent structure by the kernel polynomial method; the
 * stage itself is bpel_kpm_run (kpm_run.h). */
#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "cli.h"
#include "eigen.h"
#include "error.h"
#include "kpm_run.h"
#include "outfile.h"

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
           BPEL_DEFAULT_POTENTIAL, bpel_eig_backend_names());
}

static void on_progress(void *ctx, int event, double done, double total)
{
    cli_progress *p = ctx;
    if (event == KPM_RUN_BEGIN) cli_progress_start(p, "kpm", 1);
    else if (event == KPM_RUN_END) cli_progress_finish(p);
    else {
        p->total = total;
        cli_progress_update(p, done, NULL);
    }
}

/* --solver NAME: a dense back end. */
static int solver_option(const cli_spec *s, const cli_opt *o, const char *value)
{
    if (!bpel_eig_backend_find(value))
        return cli_usage_error(s->cmd, "unknown solver '%s' (known: %s)", value, bpel_eig_backend_names());
    *(const char **)o->dest = value;
    return 0;
}

int cmd_kpm(int argc, char **argv)
{
    const char *pot = NULL, *elements = NULL, *out = NULL;
    kpm_run_options ko;
    bpel_kpm_run_defaults(&ko);
    kpm_params *kp = &ko.kpm;
    int gaussian = 0;
    const cli_opt opts[] = {
        {CLI_OPT("potential", 'p', CLI_STRING, &pot)},
        {CLI_OPT("elements", 'e', CLI_STRING, &elements)},
        {CLI_OPT("out", 'o', CLI_STRING, &out)},
        {CLI_OPT("moments", 0, CLI_INT, &kp->moments), CLI_FROM_TO(4, 1000000),
         .error = "--moments needs an integer from 4 to 1000000"},
        {CLI_OPT("vectors", 0, CLI_INT, &kp->vectors), CLI_FROM_TO(2, 1000000),
         .error = "--vectors needs an integer from 2 to 1000000"},
        {CLI_OPT("seed", 0, CLI_ULONG, &kp->seed), CLI_NONNEG, .error = "--seed needs an integer >= 0"},
        {CLI_OPT("gaussian", 0, CLI_FLAG, &gaussian)},
        {CLI_OPT("bin-width", 0, CLI_DOUBLE, &kp->bin_width), CLI_POSITIVE, .error = "--bin-width needs a positive number"},
        {CLI_OPT("bp-window", 0, CLI_PAIR, &ko.bp_lo), .check = CLI_MIN_OPEN | CLI_ASCENDING, .min = 0, .dest2 = &ko.bp_hi,
         .error = "--bp-window needs LO:HI with 0 < LO < HI (rad/ps)"},
        {CLI_OPT("dense", 0, CLI_FLAG, &ko.dense)},
        {CLI_OPT("solver", 0, CLI_CALL, &ko.solver), .call = solver_option},
        {CLI_OPT("max-initial-force", 0, CLI_DOUBLE, &ko.max_initial_force), .check = CLI_MIN_OPEN | CLI_INF, .min = 0,
         .error = "--max-initial-force needs a positive number (eV/A) or inf"},
        {CLI_OPT("threads", 0, CLI_INT, &kp->threads), CLI_FROM_TO(1, 4096), .error = "--threads needs a positive integer"},
        {CLI_OPT("no-figures", 0, CLI_FLAG_OFF, &ko.figures)},
        {0}};
    const cli_spec spec = {.cmd = "kpm", .opts = opts, .help = help};
    cli_operands ops;
    int rc = cli_parse(&spec, argc, argv, &ops);
    if (rc) return cli_exit(rc);
    if (gaussian) kp->distribution = KPM_GAUSSIAN;
    if (ops.n != 1) return cli_usage_error("kpm", "expected one data file");
    if (!out) return cli_usage_error("kpm", "--out DIR is required");
    if (bpel_out_check_dir(out)) return cli_error();
    if (kp->threads > 0) omp_set_num_threads(kp->threads);
    cli_catch_signals_abort("kpm");
    const char *data = ops.v[0];
    double t0 = cli_wall_time();
    cli_setup cs;
    if (cli_load(data, pot, elements, &cs)) return cli_error();
    char src[2048];
    snprintf(src, sizeof src, "%s (potential %s)", data, cs.potential_path);
    cli_progress prog;
    ko.data = data;
    ko.structure = src;
    ko.provenance = cli_provenance();
    ko.t_before = cli_wall_time() - t0;
    ko.progress = on_progress;
    ko.ctx = &prog;
    kpm_run_result res;
    rc = bpel_kpm_run(cs.model, cs.sys, &ko, out, &res);
    if (!rc) {
        const kpm_result *r = res.kpm;
        const size_t nb = r->nbins;
        printf("atoms %zu: KPM with %d moments and %d %s vectors on [%.4g, %.4g] eV/(A^2 amu) (%s)\n", res.natoms,
               r->moments, r->vectors, r->distribution == KPM_GAUSSIAN ? "Gaussian" : "Rademacher", r->lambda_lo,
               r->lambda_hi, r->bounds_source);
        printf("time: Hessian %.1f s, bounds %.1f s, moments %.1f s (%d passes over H), total %.1f s on %d threads\n",
               res.t_hessian, r->t_bounds, r->t_moments, r->matrix_passes, cli_wall_time() - t0, omp_get_max_threads());
        size_t b = (size_t)fmin((double)nb - 1, fmax(0.0, (5.0 - r->omega_lo) / r->width));
        printf("kernel sigma %.3g rad/ps at %.3g rad/ps; median relative error %.2g%% (bins above 10%% of max g)\n",
               r->sigma_omega[b], kpm_bin_centre(r, b), 100 * res.rel_med);
        if (res.bp_omega > 0)
            printf("max of g/omega^2 in %.3g:%.3g rad/ps: %.3f rad/ps, %.5g +- %.2g (rad/ps)^-3\n", ko.bp_lo, ko.bp_hi,
                   res.bp_omega, res.bp_height, res.bp_err);
        if (res.modes)
            printf("against the dense spectrum (%s, %.1f s) through the same kernel: chi2/bin %.2f over %zu bins, "
                   "%zu beyond 4 sigma\n",
                   res.modes->solver, res.t_dense, res.chi2, res.cmp_used, res.cmp_over4);
        printf("wrote %s/vdos_kpm.csv, summary.json%s\n", out, ko.figures ? ", fig_kpm_vdos.{png,svg}" : "");
    }
    bpel_kpm_run_free(&res);
    cli_setup_free(&cs);
    return rc ? cli_error() : 0;
}
