/* cmd_correlate.c — `bpel correlate`: spatial correlation of two per-atom
 * quantities (paper Figs. 2–5): Pearson r of the coarse-grained fields as a
 * function of L, the optimal L, density map and binned law at the optimum,
 * autocorrelation functions, top/bottom groups per species, slab maps.
 * Options become a corr_run_params; the work is bpel_corr_run, bpel_corr_run_figures
 * and bpel_corr_run_write (correlate_run.h); the numbers are printed here. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "cli_analysis.h"
#include "correlate_run.h"
#include "error.h"

const char cmd_correlate_summary[] =
    "correlate two per-atom quantities: Pearson r vs coarse-graining length, binning, C(r), groups (Figs. 2-5)";

static void help(void)
{
    printf(
        "usage: bpel correlate DATA --x FILE.csv:COLUMN[:inv] --y FILE.csv:COLUMN[:inv] --out DIR [options]\n\n"
        "Correlates two per-atom quantities of the configuration in the LAMMPS data file DATA.\n"
        "Each quantity is a column of a CSV table keyed by atom id; ':inv' uses 1/value\n"
        "(the paper correlates [1/I_BP]_CG with dQ_CG). With --table FILE the file part may be\n"
        "left out: --table both.csv --x I_BP_per_radps3:inv --y dQ_eV.\n\n"
        "  --x SPEC, --y SPEC   the two quantities (x is the one on the horizontal axes)\n"
        "  --table FILE         table for specs without a file part\n"
        "  --out DIR            output directory (created if missing)\n"
        "  --lmin A --lmax A --dl A\n"
        "                       coarse-graining lengths L in Å (default 0, 10, 0.5; without --lmax the\n"
        "                       range stops below half the box width)\n"
        "  --gaussian           Gaussian weights exp(-r^2/2s^2), s = L/sqrt(5), cut at 3s, instead of\n"
        "                       the uniform mean over |r_ij| <= L\n"
        "  --bootstrap B        bootstrap resamples for the confidence interval (default 1000, 0: none)\n"
        "  --conf C             confidence level of the interval (default 0.95)\n"
        "  --seed S             seed of the bootstrap (gsl mt19937; default 1)\n"
        "  --block A            spatial block bootstrap: resample cubes of >= A Å instead of single\n"
        "                       atoms (coarse-grained neighbours are correlated, so the atom bootstrap\n"
        "                       understates the interval; choose A above 2L). Default 0: atoms\n"
        "  --bin-size N         atoms per bin of the numerical coarse-graining (default 100)\n"
        "  --bin-by x|y         quantity sorted for binning (default x)\n"
        "  --acf-rmax A         range of the autocorrelation C(r) in Å (default 12, at most half the box)\n"
        "  --acf-dr A           bin width of C(r) in Å (default 0.25)\n"
        "  --group-fraction F   top/bottom fraction of x (raw column value) per species (default 0.1)\n"
        "  --slab-width A       thickness of the slab of the maps in Å (default 4)\n"
        "  --slab-axis x|y|z    normal of the slab, through the box centre (default z)\n"
        "  --elements LIST      element of each atom type, e.g. Cu,Zr (labels and extended XYZ)\n"
        "  --xlabel T --ylabel T  names of the quantities in figures (default: the paper's symbols for\n"
        "                       bpel's columns, e.g. ΔQ (eV) and 1/I_BP, else the column names)\n"
        "  --allow-missing      atoms absent from a table, or whose value is nan (e.g. no converged\n"
        "                       saddle search), are left out instead of an error\n\n"
        "Writes correlation_vs_L.csv, binned.csv, autocorrelation.csv, groups.csv,\n"
        "coarse_grained.csv (per atom, at the optimal L), correlate.xyz (OVITO), summary.json and\n"
        "the figures fig2_groups, fig3_pearson_vs_L, fig4a_density, fig4b_binned, fig5a-d_maps,\n"
        "fig5e_autocorrelation (.png and .svg). Lengths in Å.\n");
}

/* One warning line of the library on stderr. */
static void on_note(void *ctx, const char *line)
{
    (void)ctx;
    fprintf(stderr, "bpel correlate: %s\n", line);
}

/* The r(L) scan's progress bar. */
static void on_progress(void *ctx, size_t done, size_t total)
{
    cli_progress *prog = ctx;
    if (!done) {
        cli_progress_start(prog, "r(L)", (double)total);
        return;
    }
    cli_progress_update(prog, (double)done, NULL);
    if (done == total) cli_progress_finish(prog);
}

int cmd_correlate(int argc, char **argv)
{
    corr_run_params p;
    bpel_corr_run_defaults(&p);
    const char *out = NULL, *elements = NULL;
    const cli_opt opts[] = {
        {CLI_OPT("x", 'x', CLI_STRING, &p.x_spec)},
        {CLI_OPT("y", 'y', CLI_STRING, &p.y_spec)},
        {CLI_OPT("table", 't', CLI_STRING, &p.table)},
        {CLI_OPT("out", 'o', CLI_STRING, &out)},
        {CLI_OPT("lmin", 0, CLI_DOUBLE, &p.lmin)},
        {CLI_OPT("lmax", 0, CLI_DOUBLE, &p.lmax), .given = &p.lmax_fixed},
        {CLI_OPT("dl", 0, CLI_DOUBLE, &p.dl)},
        {CLI_OPT("gaussian", 'g', CLI_FLAG, &p.gaussian)},
        {CLI_OPT("bootstrap", 'b', CLI_LONG, &p.nboot), .error = "bad integer '%v'"},
        {CLI_OPT("conf", 0, CLI_DOUBLE, &p.conf)},
        {CLI_OPT("seed", 's', CLI_LONG, &p.seed), .error = "bad integer '%v'"},
        {CLI_OPT("bin-size", 0, CLI_LONG, &p.bin_size), .error = "bad integer '%v'"},
        {CLI_OPT("bin-by", 0, CLI_CHOICE, &p.bin_by), .choices = "x|y", .error = "--bin-by must be x or y"},
        {CLI_OPT("acf-rmax", 0, CLI_DOUBLE, &p.acf_rmax), .given = &p.acf_rmax_fixed},
        {CLI_OPT("acf-dr", 0, CLI_DOUBLE, &p.acf_dr)},
        {CLI_OPT("group-fraction", 0, CLI_DOUBLE, &p.group_fraction)},
        {CLI_OPT("slab-width", 0, CLI_DOUBLE, &p.slab_width)},
        {CLI_OPT("slab-axis", 0, CLI_CHOICE, &p.slab_axis), .choices = "x|y|z", .error = "--slab-axis must be x, y or z"},
        {CLI_OPT("elements", 'e', CLI_STRING, &elements)},
        {CLI_OPT("xlabel", 0, CLI_STRING, &p.x_label)},
        {CLI_OPT("ylabel", 0, CLI_STRING, &p.y_label)},
        {CLI_OPT("allow-missing", 0, CLI_FLAG, &p.allow_missing)},
        {CLI_OPT("block", 0, CLI_DOUBLE, &p.block_edge)},
        {0}};
    const cli_spec spec = {.cmd = "correlate", .opts = opts, .help = help, .bad_value = "bad number '%v'"};
    cli_operands ops;
    int rc = cli_parse(&spec, argc, argv, &ops);
    if (rc) return cli_exit(rc);
    if (ops.n != 1) return cli_usage_error("correlate", "expected one data file");
    if (!p.x_spec || !p.y_spec) return cli_usage_error("correlate", "--x and --y are required");
    if (!out) return cli_usage_error("correlate", "--out is required");
    if (bpel_corr_run_check(&p)) return cli_usage_error("correlate", "%s", bpel_errmsg());

    p.data = ops.v[0];
    p.provenance = cli_provenance();
    cli_progress prog;
    p.note = on_note;
    p.progress = on_progress;
    p.ctx = &prog;
    bpel_system *s = NULL;
    corr_run_result r = {0};
    if ((rc = bpel_data_read(p.data, &s))) goto done;
    if (elements && (rc = bpel_system_set_elements(s, elements))) goto done;
    cli_guess_elements(s);
    if ((rc = bpel_corr_run(s, &p, &r))) goto done;
    /* summary.json last: a directory that has it holds every output */
    if ((rc = bpel_corr_run_figures(out, s, &p, &r))) goto done;
    if ((rc = bpel_corr_run_write(out, s, &p, &r))) goto done;

    const corr_stat *o = &r.stat[r.kopt];
    printf("optimal L = %.3g Å: r = %.4f", r.L_opt, o->r);
    if (p.nboot > 0) printf(" (%g %% CI %.4f .. %.4f)", 100 * p.conf, o->lo, o->hi);
    printf("; raw r = %.4f\n", r.stat[0].r);
    printf("xi(x) = %.3f Å, xi(y) = %.3f Å; C = e^-3 at r = %.3f Å (x), %.3f Å (y)\n", r.xi[0], r.xi[1], r.r_e3[0],
           r.r_e3[1]);
    printf("binned: y = a x with a = %.5g ± %.2g; y = A x^k with k = %.4f ± %.4f\n", r.fit_a, r.fit_a_err, r.fit_k,
           r.fit_k_err);
    printf("outputs in %s/\n", out);
done:
    bpel_corr_run_free(&r);
    bpel_system_destroy(s);
    return rc ? cli_error() : 0;
}
