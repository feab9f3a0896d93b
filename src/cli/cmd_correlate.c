/* cmd_correlate.c — `bpel correlate`: spatial correlation of two per-atom
 * quantities (paper Figs. 2–5): Pearson r of the coarse-grained fields as a
 * function of L, the optimal L, density map and binned law at the optimum,
 * autocorrelation functions, top/bottom groups per species, slab maps. */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>

#include "cli.h"
#include "cli_analysis.h"
#include "correlate.h"
#include "error.h"
#include "outfile.h"
#include "figure.h"
#include "quality.h"
#include "table.h"

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

/* The paper's symbol and unit for a column bpel writes (PLplot text:
 * #d/#u for sub-/superscripts), so that figures say ΔQ and 1/I_BP, not
 * dq_mean_eV; other columns keep their name, with the unit read off a
 * known suffix. */
static void column_symbol(const char *column, int inv, char *sym, size_t ns, char *unit, size_t nu)
{
    static const struct { const char *col, *sym, *unit, *inv_unit; } known[] = {
        {"I_BP_per_radps3", "I#dBP#u", "(rad/ps)#u-3#d", "(rad/ps)#u3#d"},
        {"dq_mean_eV", "ΔQ", "eV", "1/eV"},
        {"dq_connected_mean_eV", "ΔQ#dconnected#u", "eV", "1/eV"},
        {"dq_std_eV", "σ#dΔQ#u", "eV", "1/eV"},
        {"omega_BP_radps", "ω#dBP#u", "rad/ps", "ps/rad"},
        {"gamma_i", "γ#di#u", "", ""},
        {"gamma_i_sorted", "γ#di#u", "", ""},
    };
    for (size_t k = 0; k < sizeof known / sizeof known[0]; k++)
        if (!strcmp(column, known[k].col)) {
            snprintf(sym, ns, "%s%s", inv ? "1/" : "", known[k].sym);
            snprintf(unit, nu, "%s", inv ? known[k].inv_unit : known[k].unit);
            return;
        }
    static const struct { const char *suffix, *unit; } suffixes[] = {
        {"_eV", "eV"}, {"_A", "Å"}, {"_radps", "rad/ps"}, {"_K", "K"}, {"_GPa", "GPa"}, {"_THz", "THz"}};
    size_t lc = strlen(column);
    for (size_t k = 0; k < sizeof suffixes / sizeof suffixes[0]; k++) {
        size_t ls = strlen(suffixes[k].suffix);
        if (lc > ls && !strcmp(column + lc - ls, suffixes[k].suffix)) {
            snprintf(sym, ns, "%s%.*s", inv ? "1/" : "", (int)(lc - ls), column);
            snprintf(unit, nu, "%s%s", inv ? "1/" : "", suffixes[k].unit);
            return;
        }
    }
    snprintf(sym, ns, "%s%s", inv ? "1/" : "", column);
    unit[0] = '\0';
}

/* "sym (unit)", or "[sym]_CG (unit)" for the coarse-grained quantity. */
static void axis_label(const char *sym, const char *unit, int cg, char *out, size_t n)
{
    snprintf(out, n, "%s%s%s%s%s%s", cg ? "[" : "", sym, cg ? "]#dCG#u" : "", unit[0] ? " (" : "", unit,
             unit[0] ? ")" : "");
}

typedef struct quantity {
    char path[512];
    char column[128];
    int inv;
    char name[160];  /* column name used in outputs, e.g. inv_I_BP_per_radps3 */
    char label[160]; /* for figures */
    double *raw;     /* [n] column value as in the file */
    double *v;       /* [n] value used (1/raw with inv) */
} quantity;

static int load_quantity(quantity *q, const char *spec, const char *table, const bpel_system *s, int allow_missing,
                         const char *label)
{
    int rc = tbl_parse_spec(spec, q->path, sizeof q->path, q->column, sizeof q->column, &q->inv);
    if (rc) return rc;
    if (!q->path[0]) {
        if (!table) return bpel_fail(BPEL_EINVAL, "'%s' names no file and there is no --table", spec);
        snprintf(q->path, sizeof q->path, "%s", table);
    }
    snprintf(q->name, sizeof q->name, "%s%s", q->inv ? "inv_" : "", q->column);
    if (label)
        snprintf(q->label, sizeof q->label, "%s", label);
    else
        snprintf(q->label, sizeof q->label, "%s%s", q->inv ? "1/" : "", q->column);
    tbl_table *t;
    if ((rc = tbl_read(q->path, &t))) return rc;
    q->raw = bpel_malloc(s->n * sizeof *q->raw);
    q->v = bpel_malloc(s->n * sizeof *q->v);
    if (!q->raw || !q->v) {
        tbl_destroy(t);
        return BPEL_ENOMEM;
    }
    size_t miss;
    rc = tbl_join(t, q->column, s, allow_missing, q->raw, &miss);
    tbl_destroy(t);
    if (rc == BPEL_EINVAL && !allow_missing) {
        /* the usual cause: atoms without a converged saddle (NaN) or not searched */
        char msg[1024];
        snprintf(msg, sizeof msg, "%s (--allow-missing leaves such atoms out)", bpel_errmsg());
        return bpel_fail(rc, "%s", msg);
    }
    if (rc) return rc;
    if (miss) fprintf(stderr, "bpel correlate: %s: %zu atoms without a value (left out)\n", q->path, miss);
    for (size_t i = 0; i < s->n; i++) {
        q->v[i] = q->raw[i];
        if (q->inv && !isnan(q->raw[i])) {
            if (q->raw[i] == 0)
                return bpel_fail(BPEL_EINVAL, "%s: column '%s' is 0 for atom id %lld: cannot take 1/value", q->path,
                                 q->column, (long long)s->id[i]);
            q->v[i] = 1.0 / q->raw[i];
        }
    }
    return BPEL_OK;
}

/* Robust colour range: 2nd to 98th percentile of the finite values. */
static void robust_range(size_t n, const double *v, double *lo, double *hi)
{
    double *c = malloc((n ? n : 1) * sizeof *c);
    size_t m = 0;
    for (size_t i = 0; c && i < n; i++)
        if (isfinite(v[i])) c[m++] = v[i];
    *lo = *hi = 0;
    if (m) {
        gsl_sort(c, 1, m);
        *lo = gsl_stats_quantile_from_sorted_data(c, 1, m, 0.02);
        *hi = gsl_stats_quantile_from_sorted_data(c, 1, m, 0.98);
    }
    free(c);
}

int cmd_correlate(int argc, char **argv)
{
    static struct option opts[] = {
        {"x", required_argument, 0, 'x'},           {"y", required_argument, 0, 'y'},
        {"table", required_argument, 0, 't'},       {"out", required_argument, 0, 'o'},
        {"lmin", required_argument, 0, 1},          {"lmax", required_argument, 0, 2},
        {"dl", required_argument, 0, 3},            {"gaussian", no_argument, 0, 'g'},
        {"bootstrap", required_argument, 0, 'b'},   {"conf", required_argument, 0, 4},
        {"seed", required_argument, 0, 's'},        {"bin-size", required_argument, 0, 5},
        {"bin-by", required_argument, 0, 6},        {"acf-rmax", required_argument, 0, 7},
        {"acf-dr", required_argument, 0, 8},        {"group-fraction", required_argument, 0, 9},
        {"slab-width", required_argument, 0, 10},   {"slab-axis", required_argument, 0, 11},
        {"elements", required_argument, 0, 'e'},    {"xlabel", required_argument, 0, 12},
        {"ylabel", required_argument, 0, 13},       {"allow-missing", no_argument, 0, 14},
        {"block", required_argument, 0, 15},
        {"help", no_argument, 0, 'h'},              {0, 0, 0, 0}};
    const char *xspec = NULL, *yspec = NULL, *table = NULL, *out = NULL, *elements = NULL, *xlabel = NULL,
               *ylabel = NULL;
    double lmin = 0, lmax = 10, dl = 0.5, conf = 0.95, acf_rmax = 12, acf_dr = 0.25, gfrac = 0.1, slab_w = 4;
    double block_edge = 0;
    long nboot = 1000, seed = 1, bin_size = 100;
    int gaussian = 0, bin_by = 0, slab_axis = 2, allow_missing = 0, acf_given = 0, lmax_given = 0, c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "x:y:t:o:gb:s:e:h", opts, NULL)) != -1) {
        double *dv = NULL;
        long *lv = NULL;
        switch (c) {
        case 'x': xspec = optarg; break;
        case 'y': yspec = optarg; break;
        case 't': table = optarg; break;
        case 'o': out = optarg; break;
        case 'g': gaussian = 1; break;
        case 'e': elements = optarg; break;
        case 'b': lv = &nboot; break;
        case 's': lv = &seed; break;
        case 1: dv = &lmin; break;
        case 2: dv = &lmax; lmax_given = 1; break;
        case 3: dv = &dl; break;
        case 4: dv = &conf; break;
        case 5: lv = &bin_size; break;
        case 6:
            if (!strcmp(optarg, "x")) bin_by = 0;
            else if (!strcmp(optarg, "y")) bin_by = 1;
            else return cli_usage_error("correlate", "--bin-by must be x or y");
            break;
        case 7: dv = &acf_rmax; acf_given = 1; break;
        case 8: dv = &acf_dr; break;
        case 9: dv = &gfrac; break;
        case 10: dv = &slab_w; break;
        case 11:
            if (strlen(optarg) != 1 || optarg[0] < 'x' || optarg[0] > 'z')
                return cli_usage_error("correlate", "--slab-axis must be x, y or z");
            slab_axis = optarg[0] - 'x';
            break;
        case 12: xlabel = optarg; break;
        case 13: ylabel = optarg; break;
        case 14: allow_missing = 1; break;
        case 15: dv = &block_edge; break;
        case 'h': help(); return 0;
        default: return cli_usage_error("correlate", "unknown option");
        }
        if (dv && cli_parse_double(optarg, dv)) return cli_usage_error("correlate", "bad number '%s'", optarg);
        if (lv && cli_parse_long(optarg, lv)) return cli_usage_error("correlate", "bad integer '%s'", optarg);
    }
    if (optind != argc - 1) return cli_usage_error("correlate", "expected one data file");
    if (!xspec || !yspec) return cli_usage_error("correlate", "--x and --y are required");
    if (!out) return cli_usage_error("correlate", "--out is required");
    if (!(lmin >= 0 && lmax >= lmin && dl > 0)) return cli_usage_error("correlate", "need 0 <= lmin <= lmax, dl > 0");
    if (nboot < 0 || seed < 0 || bin_size < 2) return cli_usage_error("correlate", "bad --bootstrap, --seed or --bin-size");
    if (!(conf > 0 && conf < 1)) return cli_usage_error("correlate", "--conf must be in (0, 1)");
    if (!(acf_dr > 0 && acf_rmax > acf_dr)) return cli_usage_error("correlate", "need --acf-rmax > --acf-dr > 0");
    if (!(slab_w > 0)) return cli_usage_error("correlate", "--slab-width must be positive");
    if (block_edge < 0) return cli_usage_error("correlate", "--block must be >= 0");

    const char *data = argv[optind];
    bpel_system *s = NULL;
    quantity qx = {0}, qy = {0};
    corr_pairs *pr = NULL;
    corr_stat *st = NULL;
    double *Ls = NULL, *cgx = NULL, *cgy = NULL;
    int *group = NULL, *blocks = NULL, nblocks = 0;
    corr_bins bins = {0};
    corr_acf ax = {0}, ay = {0};
    cJSON *js = NULL;
    int rc;
    if ((rc = data_read(data, &s))) goto fail;
    if (elements && (rc = system_set_elements(s, elements))) goto fail;
    cli_guess_elements(s);
    if ((rc = load_quantity(&qx, xspec, table, s, allow_missing, xlabel))) goto fail;
    if ((rc = load_quantity(&qy, yspec, table, s, allow_missing, ylabel))) goto fail;
    if ((rc = bpel_mkdir_p(out))) goto fail;

    /* Pairs long enough for every L and for C(r). */
    double w[3];
    box_widths(&s->box, w);
    double half = 0.5 * fmin(w[0], fmin(w[1], w[2]));
    double reach = gaussian ? CORR_GAUSS_SIGMA_OVER_L * CORR_GAUSS_CUT_OVER_SIGMA : 1.0;
    if (!lmax_given && lmax * reach >= half) {
        /* Default range in a small box: the largest multiple of dL that fits. */
        double fit = floor((0.98 * half / reach - lmin) / dl + 1e-9) * dl + lmin;
        if (fit >= lmin) {
            fprintf(stderr, "bpel correlate: box too small for L up to %g Å: using L <= %g Å\n", lmax, fit);
            lmax = fit;
        }
    }
    double need_L = lmax * reach;
    if (need_L >= half) {
        rc = bpel_fail(BPEL_EINVAL, "%s: --lmax %g Å needs pairs up to %g Å, but the box allows less than %g Å "
                       "(half its smallest width); lower --lmax", data, lmax, need_L, half);
        goto fail;
    }
    if (acf_rmax >= half) {
        if (acf_given) {
            rc = bpel_fail(BPEL_EINVAL, "%s: --acf-rmax %g Å must be below half the smallest box width (%g Å)", data,
                           acf_rmax, half);
            goto fail;
        }
        acf_rmax = 0.98 * half;
    }
    double rmax = fmax(need_L, acf_rmax);
    if (rmax <= 0) rmax = acf_rmax;
    if ((rc = corr_pairs_create(s, rmax, &pr))) goto fail;
    if (block_edge > 0) {
        if (!(blocks = bpel_malloc(s->n * sizeof *blocks))) { rc = BPEL_ENOMEM; goto fail; }
        if ((rc = corr_blocks(s, block_edge, blocks, &nblocks))) goto fail;
        if (nblocks < 4) {
            rc = bpel_fail(BPEL_EINVAL, "--block %g Å leaves %d blocks in the box: need at least 4", block_edge, nblocks);
            goto fail;
        }
    }

    /* r(L). */
    size_t nL = (size_t)floor((lmax - lmin) / dl + 1e-9) + 1;
    Ls = bpel_malloc(nL * sizeof *Ls);
    st = bpel_malloc(nL * sizeof *st);
    rc = BPEL_ENOMEM;
    if (!Ls || !st) goto fail;
    for (size_t k = 0; k < nL; k++) Ls[k] = lmin + k * dl;
    cli_progress prog;
    cli_progress_start(&prog, "r(L)", (double)nL);
    for (size_t k = 0; k < nL; k++) {
        if ((rc = corr_vs_L(pr, qx.v, qy.v, 1, &Ls[k], gaussian, blocks, nblocks, (int)nboot, (unsigned long)seed + k,
                            conf, &st[k])))
            goto fail;
        cli_progress_update(&prog, (double)(k + 1), NULL);
    }
    cli_progress_finish(&prog);
    size_t kopt = 0;
    for (size_t k = 1; k < nL; k++)
        if (fabs(st[k].r) > fabs(st[kopt].r)) kopt = k;
    double Lopt = Ls[kopt];

    char path[1200];
    snprintf(path, sizeof path, "%s/correlation_vs_L.csv", out);
    bpel_out of;
    if ((rc = bpel_out_open(&of, path))) goto fail;
    FILE *fp = of.fp;
    fprintf(fp, "L_A,pearson_r,ci_low,ci_high,n_atoms\n");
    for (size_t k = 0; k < nL; k++)
        fprintf(fp, "%.6g,%.8f,%.8f,%.8f,%zu\n", Ls[k], st[k].r, st[k].lo, st[k].hi, st[k].n);
    if ((rc = bpel_out_close(&of))) goto fail;

    /* Coarse-grained fields at the optimum. */
    size_t n = s->n;
    cgx = bpel_malloc(n * sizeof *cgx);
    cgy = bpel_malloc(n * sizeof *cgy);
    group = bpel_malloc(n * sizeof *group);
    rc = BPEL_ENOMEM;
    if (!cgx || !cgy || !group) goto fail;
    if ((rc = corr_coarse_grain(pr, qx.v, Lopt, gaussian, cgx))) goto fail;
    if ((rc = corr_coarse_grain(pr, qy.v, Lopt, gaussian, cgy))) goto fail;
    char xcg[200], ycg[200];
    snprintf(xcg, sizeof xcg, "%s_CG", qx.name);
    snprintf(ycg, sizeof ycg, "%s_CG", qy.name);
    {
        double *tp = bpel_malloc(n * sizeof *tp);
        if (!tp) { rc = BPEL_ENOMEM; goto fail; }
        for (size_t i = 0; i < n; i++) tp[i] = s->type[i];
        const char *names[5] = {"type", qx.name, qy.name, xcg, ycg};
        const double *cols[5] = {tp, qx.v, qy.v, cgx, cgy};
        snprintf(path, sizeof path, "%s/coarse_grained.csv", out);
        rc = tbl_write(path, n, s->id, 5, names, cols);
        free(tp);
        if (rc) goto fail;
    }

    /* Numerical coarse-graining of the coarse-grained data (Fig. 4b). */
    {   /* too few atoms for the bins asked for (a small glass, or few atoms with a saddle):
         * smaller bins, at least 4 of them, said on stderr and in the summary */
        size_t both = 0;
        for (size_t i = 0; i < n; i++) both += isfinite(cgx[i]) && isfinite(cgy[i]);
        if (both >= 8 && (size_t)bin_size > both / 4) {
            long b = (long)(both / 4);
            fprintf(stderr, "bpel correlate: %zu atoms with both values: bins of %ld atoms instead of %ld\n", both, b,
                    bin_size);
            bin_size = b;
        }
    }
    if ((rc = corr_bin(n, cgx, cgy, bin_by, (size_t)bin_size, &bins))) goto fail;
    double fa = NAN, fa_err = NAN, pA = NAN, pk = NAN, plnA_err = NAN, pk_err = NAN;
    int have_sem = 1;
    for (size_t b = 0; b < bins.nbins; b++)
        if (!(bins.ysem[b] > 0)) have_sem = 0;
    if (corr_fit_proportional(bins.nbins, bins.xm, bins.ym, have_sem ? bins.ysem : NULL, &fa, &fa_err))
        fprintf(stderr, "bpel correlate: warning: %s\n", bpel_errmsg());
    if (corr_fit_power(bins.nbins, bins.xm, bins.ym, have_sem ? bins.ysem : NULL, &pA, &pk, &plnA_err, &pk_err))
        fprintf(stderr, "bpel correlate: warning: %s\n", bpel_errmsg());
    snprintf(path, sizeof path, "%s/binned.csv", out);
    if ((rc = bpel_out_open(&of, path))) goto fail;
    fp = of.fp;
    fprintf(fp, "bin,n_atoms,%s_mean,%s_sem,%s_mean,%s_sem\n", xcg, xcg, ycg, ycg);
    for (size_t b = 0; b < bins.nbins; b++)
        fprintf(fp, "%zu,%zu,%.10g,%.10g,%.10g,%.10g\n", b, bins.count[b], bins.xm[b], bins.xsem[b], bins.ym[b],
                bins.ysem[b]);
    if ((rc = bpel_out_close(&of))) goto fail;

    /* Autocorrelations (Fig. 5e). */
    if ((rc = corr_autocorrelation(pr, qx.v, acf_dr, acf_rmax, &ax))) goto fail;
    if ((rc = corr_autocorrelation(pr, qy.v, acf_dr, acf_rmax, &ay))) goto fail;
    double xi_x = NAN, xi_x_err = NAN, xi_y = NAN, xi_y_err = NAN;
    char xi_why[2][300] = {"", ""};
    if (corr_fit_exp(&ax, 0, &xi_x, &xi_x_err)) {
        fprintf(stderr, "bpel correlate: warning: x: %s\n", bpel_errmsg());
        snprintf(xi_why[0], sizeof xi_why[0], "%s", bpel_errmsg());
    }
    if (corr_fit_exp(&ay, 0, &xi_y, &xi_y_err)) {
        fprintf(stderr, "bpel correlate: warning: y: %s\n", bpel_errmsg());
        snprintf(xi_why[1], sizeof xi_why[1], "%s", bpel_errmsg());
    }
    double e3 = exp(-3.0), rx3 = corr_acf_crossing(&ax, e3), ry3 = corr_acf_crossing(&ay, e3);
    snprintf(path, sizeof path, "%s/autocorrelation.csv", out);
    if ((rc = bpel_out_open(&of, path))) goto fail;
    fp = of.fp;
    fprintf(fp, "r_bin_high_A,r_x_A,C_x,pairs_x,r_y_A,C_y,pairs_y\n");
    for (size_t b = 0; b < ax.nbins; b++)
        fprintf(fp, "%.6g,%.6g,%.8g,%zu,%.6g,%.8g,%zu\n", b * acf_dr, ax.r[b], ax.c[b], ax.npairs[b], ay.r[b],
                ay.c[b], ay.npairs[b]);
    if ((rc = bpel_out_close(&of))) goto fail;

    /* Groups (Fig. 2): top/bottom of the raw x column within each species. */
    if ((rc = corr_groups(n, s->type, qx.raw, gfrac, group))) goto fail;
    snprintf(path, sizeof path, "%s/groups.csv", out);
    if ((rc = bpel_out_open(&of, path))) goto fail;
    fp = of.fp;
    fprintf(fp, "id,type,group,%s,%s\n", qx.column, qy.column);
    {
        size_t *ord = system_id_order(s);
        if (!ord) { bpel_out_discard(&of); rc = BPEL_ENOMEM; goto fail; }
        for (size_t k = 0; k < n; k++) {
            size_t i = ord[k];
            if (!group[i]) continue;
            fprintf(fp, "%lld,%d,%s,%.10g,%.10g\n", (long long)s->id[i], s->type[i], group[i] > 0 ? "top" : "bottom",
                    qx.raw[i], qy.raw[i]);
        }
        free(ord);
    }
    if ((rc = bpel_out_close(&of))) goto fail;

    /* Extended XYZ for OVITO. */
    snprintf(path, sizeof path, "%s/correlate.xyz", out);
    if ((rc = bpel_out_open(&of, path))) goto fail;
    fp = of.fp;
    {
        double *gd = bpel_malloc(n * sizeof *gd);
        if (!gd) { bpel_out_discard(&of); rc = BPEL_ENOMEM; goto fail; }
        for (size_t i = 0; i < n; i++) gd[i] = group[i];
        bpel_column cols[5] = {{qx.name, qx.v, 1, 0}, {qy.name, qy.v, 1, 0}, {xcg, cgx, 1, 0}, {ycg, cgy, 1, 0},
                               {"group", gd, 1, 0}};
        char comment[300];
        snprintf(comment, sizeof comment, "bpel correlate: coarse-grained over L = %g A (%s weights)", Lopt,
                 gaussian ? "Gaussian" : "uniform");
        rc = xyz_write_frame(fp, s, 5, cols, comment);
        free(gd);
        if ((rc = bpel_out_finish(&of, rc))) goto fail;
    }

    /* ---- figures ---- */
    char xl[300], yl[300], xlcg[300], ylcg[300], buf[300], xsym[160], xunit[64], ysym[160], yunit[64], xraw[160],
        xrawunit[64];
    column_symbol(qx.column, qx.inv, xsym, sizeof xsym, xunit, sizeof xunit);
    column_symbol(qy.column, qy.inv, ysym, sizeof ysym, yunit, sizeof yunit);
    column_symbol(qx.column, 0, xraw, sizeof xraw, xrawunit, sizeof xrawunit);
    axis_label(xsym, xunit, 0, xl, sizeof xl);
    axis_label(ysym, yunit, 0, yl, sizeof yl);
    axis_label(xsym, xunit, 1, xlcg, sizeof xlcg);
    axis_label(ysym, yunit, 1, ylcg, sizeof ylcg);
    if (xlabel) { /* given: used as is */
        snprintf(xl, sizeof xl, "%s", xlabel);
        snprintf(xlcg, sizeof xlcg, "[%s]#dCG#u", xlabel);
        snprintf(xraw, sizeof xraw, "%s", xlabel);
    }
    if (ylabel) {
        snprintf(yl, sizeof yl, "%s", ylabel);
        snprintf(ylcg, sizeof ylcg, "[%s]#dCG#u", ylabel);
    }
    {   /* Fig. 2: per species, histograms of y for the top and bottom groups of x. */
        int nt = s->ntypes;
        fig_figure *f = fig_create(1, nt, 0, 0);
        if (!f) { rc = BPEL_ENOMEM; goto fail; }
        double *vals = bpel_malloc(n * sizeof *vals);
        if (!vals) { fig_destroy(f); rc = BPEL_ENOMEM; goto fail; }
        double ymin = INFINITY, ymax = -INFINITY;
        for (size_t i = 0; i < n; i++)
            if (group[i] && isfinite(qy.raw[i])) ymin = fmin(ymin, qy.raw[i]), ymax = fmax(ymax, qy.raw[i]);
        for (int t = 1; t <= nt; t++) {
            fig_panel *p = fig_panel_at(f, 0, t - 1);
            char title[360];
            cli_type_name(s, t, buf, sizeof buf);
            snprintf(title, sizeof title, "(%c) %s", 'a' + t - 1, buf);
            fig_labels(p, yl, "probability density", title);
            size_t in_panel = 0;
            for (size_t i = 0; i < n; i++) in_panel += s->type[i] == t && group[i] && isfinite(qy.raw[i]);
            if (!in_panel) { /* a note, not an empty frame with a made-up axis */
                fig_xrange(p, 0, 1);
                fig_yrange(p, 0, 1);
                fig_text(p, 0.1, 0.5, "no atom of this species in the groups");
                continue;
            }
            for (int g = 1; g >= -1; g -= 2) {
                size_t m = 0;
                for (size_t i = 0; i < n; i++)
                    if (s->type[i] == t && group[i] == g && isfinite(qy.raw[i])) vals[m++] = qy.raw[i];
                char lab[200];
                snprintf(lab, sizeof lab, "%s %g %% of %s", g > 0 ? "highest" : "lowest", 100 * gfrac, xraw);
                int nbins = m > 400 ? 30 : m > 100 ? 20 : 10;
                fig_histogram(p, m, vals, nbins, ymin, ymax, FIG_HIST_DENSITY,
                              &(fig_style){.label = lab, .color = g > 0 ? FIG_RED : FIG_BLUE});
            }
            fig_legend(p, FIG_LEGEND_TOP_RIGHT);
        }
        free(vals);
        if ((rc = fig_save_in(f, out, "fig2_groups"))) goto fail;
    }
    {   /* Fig. 3: r(L). */
        fig_figure *f = fig_create(1, 1, 0, 0);
        if (!f) { rc = BPEL_ENOMEM; goto fail; }
        fig_panel *p = fig_panel_at(f, 0, 0);
        fig_labels(p, "coarse-graining length L (Å)", "Pearson r", NULL);
        double *r = bpel_malloc(nL * sizeof *r), *elo = bpel_malloc(nL * sizeof *elo);
        if (!r || !elo) { free(r); free(elo); fig_destroy(f); rc = BPEL_ENOMEM; goto fail; }
        for (size_t k = 0; k < nL; k++) r[k] = st[k].r;
        fig_line(p, nL, Ls, r, &(fig_style){.color = FIG_BLUE});
        if (nboot > 0) {
            /* Symmetric bars would misstate the interval: draw lower and upper bounds as lines. */
            for (size_t k = 0; k < nL; k++) elo[k] = st[k].lo;
            fig_line(p, nL, Ls, elo, &(fig_style){.color = FIG_BLUE, .dashed = 2, .size = 0.7});
            for (size_t k = 0; k < nL; k++) elo[k] = st[k].hi;
            char lab[64];
            snprintf(lab, sizeof lab, "%g %% bootstrap interval", 100 * conf);
            fig_line(p, nL, Ls, elo, &(fig_style){.color = FIG_BLUE, .dashed = 2, .size = 0.7, .label = lab});
        }
        char rlab[400];
        snprintf(rlab, sizeof rlab, "r([%s]#dCG#u, [%s]#dCG#u)", xlabel ? xlabel : xsym, ylabel ? ylabel : ysym);
        fig_points(p, nL, Ls, r, &(fig_style){.color = FIG_BLUE, .label = rlab});
        /* room above the curves for the line labels */
        double ylo = INFINITY, yhi = -INFINITY;
        for (size_t k = 0; k < nL; k++) {
            ylo = fmin(ylo, nboot > 0 ? st[k].lo : st[k].r);
            yhi = fmax(yhi, nboot > 0 ? st[k].hi : st[k].r);
        }
        if (isfinite(ylo) && isfinite(yhi) && yhi > ylo)
            fig_yrange(p, ylo - 0.08 * (yhi - ylo), yhi + 0.3 * (yhi - ylo));
        snprintf(buf, sizeof buf, "L = %.2g Å%s", Lopt, kopt == nL - 1 && nL > 1 ? " (end of scan)" : "");
        fig_vline_styled(p, Lopt, buf, &(fig_style){.color = FIG_RED, .dashed = 1});
        /* the paper's optimum (Yang, Wang & Zaccone, Fig. 3) */
        fig_vline(p, 5.9, "paper: 5.9 Å");
        fig_legend(p, st[kopt].r > 0 ? FIG_LEGEND_BOTTOM_RIGHT : FIG_LEGEND_TOP_RIGHT);
        free(r);
        free(elo);
        if ((rc = fig_save_in(f, out, "fig3_pearson_vs_L"))) goto fail;
    }
    {   /* Fig. 4a: density map at the optimum. */
        fig_figure *f = fig_create(1, 1, 640, 560);
        if (!f) { rc = BPEL_ENOMEM; goto fail; }
        fig_panel *p = fig_panel_at(f, 0, 0);
        snprintf(buf, sizeof buf, "L = %.2g Å, r = %.3f", Lopt, st[kopt].r);
        fig_labels(p, xlcg, ylcg, buf);
        fig_density_scatter(p, n, cgx, cgy, 0, "local number density (atoms per cell)");
        if ((rc = fig_save_in(f, out, "fig4a_density"))) goto fail;
    }
    {   /* Fig. 4b: binned means and the fits. */
        fig_figure *f = fig_create(1, 1, 0, 0);
        if (!f) { rc = BPEL_ENOMEM; goto fail; }
        fig_panel *p = fig_panel_at(f, 0, 0);
        snprintf(buf, sizeof buf, "bins of %ld atoms", bin_size);
        fig_labels(p, xlcg, ylcg, buf);
        fig_errorbars(p, bins.nbins, bins.xm, bins.ym, bins.xsem, bins.ysem,
                      &(fig_style){.color = FIG_BLUE, .label = "binned", .marker = FIG_MARKER_OPEN_CIRCLE});
        double x0 = INFINITY, x1 = -INFINITY;
        for (size_t b = 0; b < bins.nbins; b++) x0 = fmin(x0, bins.xm[b]), x1 = fmax(x1, bins.xm[b]);
        enum { NF = 100 };
        double fx[NF], fy[NF], fz[NF];
        for (int k = 0; k < NF; k++) {
            fx[k] = x0 + (x1 - x0) * k / (NF - 1);
            fy[k] = fa * fx[k];
            fz[k] = fx[k] > 0 ? pA * pow(fx[k], pk) : NAN;
        }
        char l1[128], l2[128];
        snprintf(l1, sizeof l1, "y = a·x, a = %.4g", fa);
        snprintf(l2, sizeof l2, "y = A·x#u%.3g#d", pk);
        if (isfinite(fa)) fig_line(p, NF, fx, fy, &(fig_style){.color = FIG_RED, .dashed = 1, .label = l1});
        if (isfinite(pk)) fig_line(p, NF, fx, fz, &(fig_style){.color = FIG_GREEN, .dashed = 2, .label = l2});
        fig_legend(p, FIG_LEGEND_TOP_LEFT);
        if ((rc = fig_save_in(f, out, "fig4b_binned"))) goto fail;
    }
    {   /* Fig. 5a-d: slab maps of x, y and their coarse-grained fields. */
        bpel_system *wrapped = system_copy(s);
        if (!wrapped) { rc = BPEL_ENOMEM; goto fail; }
        system_wrap(wrapped);
        double h[3][3], ctr[3] = {0.5, 0.5, 0.5}, cpos[3];
        box_matrix(&s->box, h);
        box_from_frac(&s->box, ctr, cpos);
        int a0 = (slab_axis + 1) % 3, a1 = (slab_axis + 2) % 3;
        if (a0 > a1) { int t = a0; a0 = a1; a1 = t; }
        double *px = bpel_malloc(n * sizeof *px), *py = bpel_malloc(n * sizeof *py), *pv[4];
        for (int k = 0; k < 4; k++) pv[k] = bpel_malloc(n * sizeof *pv[k]);
        size_t m = 0;
        if (px && py && pv[0] && pv[1] && pv[2] && pv[3]) {
            const double *src[4] = {qx.v, qy.v, cgx, cgy};
            for (size_t i = 0; i < n; i++) {
                if (fabs(wrapped->x[3 * i + slab_axis] - cpos[slab_axis]) > 0.5 * slab_w) continue;
                px[m] = wrapped->x[3 * i + a0];
                py[m] = wrapped->x[3 * i + a1];
                for (int k = 0; k < 4; k++) pv[k][m] = src[k][i];
                m++;
            }
            fig_figure *f = fig_create(2, 2, 1100, 1000);
            const char *titles[4] = {"(a)", "(b)", "(c)", "(d)"};
            const char *cl[4] = {xl, yl, xlcg, ylcg};
            char axl[2][16];
            snprintf(axl[0], sizeof axl[0], "%c (Å)", 'x' + a0);
            snprintf(axl[1], sizeof axl[1], "%c (Å)", 'x' + a1);
            for (int k = 0; f && k < 4; k++) {
                fig_panel *p = fig_panel_at(f, k / 2, k % 2);
                fig_labels(p, axl[0], axl[1], titles[k]);
                double lo, hi;
                robust_range(m, pv[k], &lo, &hi);
                fig_color_points(p, m, px, py, pv[k], lo, hi, cl[k], &(fig_style){.size = 2.2});
            }
            if (f && (rc = fig_save_in(f, out, "fig5a-d_maps"))) {
                free(px), free(py), free(pv[0]), free(pv[1]), free(pv[2]), free(pv[3]);
                system_destroy(wrapped);
                goto fail;
            }
        }
        free(px), free(py), free(pv[0]), free(pv[1]), free(pv[2]), free(pv[3]);
        system_destroy(wrapped);
    }
    {   /* Fig. 5e: autocorrelations with exponential fits. */
        fig_figure *f = fig_create(1, 1, 0, 0);
        if (!f) { rc = BPEL_ENOMEM; goto fail; }
        fig_panel *p = fig_panel_at(f, 0, 0);
        fig_labels(p, "r (Å)", "C(r)", NULL);
        fig_log(p, 0, 1);
        fig_yrange(p, 1e-3, 1.5);
        fig_points(p, ax.nbins, ax.r, ax.c, &(fig_style){.color = FIG_BLUE, .label = xl, .marker = FIG_MARKER_CIRCLE});
        fig_points(p, ay.nbins, ay.r, ay.c,
                   &(fig_style){.color = FIG_GREEN, .label = yl, .marker = FIG_MARKER_OPEN_SQUARE});
        enum { NF = 100 };
        double fx[NF], f1[NF], f2[NF];
        for (int k = 0; k < NF; k++) {
            fx[k] = acf_rmax * k / (NF - 1);
            f1[k] = exp(-fx[k] / xi_x);
            f2[k] = exp(-fx[k] / xi_y);
        }
        char l1[128], l2[128];
        snprintf(l1, sizeof l1, "exp(-r/ξ), ξ = %.2f Å", xi_x);
        snprintf(l2, sizeof l2, "exp(-r/ξ), ξ = %.2f Å", xi_y);
        if (isfinite(xi_x)) fig_line(p, NF, fx, f1, &(fig_style){.color = FIG_RED, .dashed = 1, .label = l1});
        if (isfinite(xi_y)) fig_line(p, NF, fx, f2, &(fig_style){.color = FIG_ORANGE, .dashed = 1, .label = l2});
        fig_hline_styled(p, e3, "e#u-3#d", &(fig_style){.color = FIG_BLUE, .dashed = 1});
        if (isfinite(rx3)) {
            snprintf(buf, sizeof buf, "r = %.2f Å", rx3);
            fig_vline_styled(p, rx3, buf, &(fig_style){.color = FIG_BLUE, .dashed = 2});
        }
        /* the paper's C(r) = e^-3 distance for both quantities (Fig. 5e) */
        fig_vline(p, 5.9, "paper: 5.9 Å");
        fig_legend(p, FIG_LEGEND_TOP_RIGHT);
        if ((rc = fig_save_in(f, out, "fig5e_autocorrelation"))) goto fail;
    }

    /* ---- summary ---- */
    js = cJSON_CreateObject();
    cJSON_AddStringToObject(js, "provenance", cli_provenance());
    cJSON_AddStringToObject(js, "data", data);
    cJSON_AddNumberToObject(js, "n_atoms", (double)n);
    cJSON_AddStringToObject(js, "units", "lengths in Å; quantities in the units of their columns");
    const quantity *qs[2] = {&qx, &qy};
    const char *qn[2] = {"x", "y"};
    for (int k = 0; k < 2; k++) {
        cJSON *o = cJSON_AddObjectToObject(js, qn[k]);
        cJSON_AddStringToObject(o, "file", qs[k]->path);
        cJSON_AddStringToObject(o, "column", qs[k]->column);
        cJSON_AddBoolToObject(o, "inverse", qs[k]->inv);
        cJSON_AddStringToObject(o, "name", qs[k]->name);
    }
    cJSON *cg = cJSON_AddObjectToObject(js, "coarse_graining");
    cJSON_AddStringToObject(cg, "weights", gaussian ? "gaussian" : "uniform");
    if (gaussian) {
        cJSON_AddNumberToObject(cg, "sigma_over_L", CORR_GAUSS_SIGMA_OVER_L);
        cJSON_AddNumberToObject(cg, "cutoff_over_sigma", CORR_GAUSS_CUT_OVER_SIGMA);
    }
    cJSON_AddNumberToObject(cg, "L_min", lmin);
    cJSON_AddNumberToObject(cg, "L_max", lmax);
    cJSON_AddNumberToObject(cg, "dL", dl);
    cJSON_AddNumberToObject(js, "optimal_L", Lopt);
    cJSON_AddNumberToObject(js, "pearson_r_at_optimum", st[kopt].r);
    double ci[2] = {st[kopt].lo, st[kopt].hi};
    if (nboot > 0) cJSON_AddItemToObject(js, "pearson_ci_at_optimum", cJSON_CreateDoubleArray(ci, 2));
    else cJSON_AddNullToObject(js, "pearson_ci_at_optimum");
    cJSON_AddNumberToObject(js, "confidence_level", conf);
    cJSON_AddNumberToObject(js, "pearson_r_raw", st[0].r);
    cJSON_AddNumberToObject(js, "pearson_r_raw_L", Ls[0]);
    cJSON_AddNumberToObject(js, "bootstrap_resamples", (double)nboot);
    cJSON_AddStringToObject(js, "bootstrap_unit", blocks ? "spatial blocks" : "atoms");
    if (blocks) {
        cJSON_AddNumberToObject(js, "bootstrap_block_edge", block_edge);
        cJSON_AddNumberToObject(js, "bootstrap_blocks", nblocks);
    }
    cJSON_AddNumberToObject(js, "seed", (double)seed);
    cJSON *bj = cJSON_AddObjectToObject(js, "binned");
    cJSON_AddNumberToObject(bj, "bin_size", (double)bin_size);
    cJSON_AddStringToObject(bj, "sorted_by", bin_by ? "y" : "x");
    cJSON_AddNumberToObject(bj, "n_bins", (double)bins.nbins);
    cJSON_AddStringToObject(bj, "data", "coarse-grained values at the optimal L");
    cJSON *fp1 = cJSON_AddObjectToObject(bj, "fit_proportional");
    cJSON_AddStringToObject(fp1, "model", "y = a*x");
    cJSON_AddNumberToObject(fp1, "a", fa);
    cJSON_AddNumberToObject(fp1, "a_err", fa_err);
    cJSON *fp2 = cJSON_AddObjectToObject(bj, "fit_power");
    cJSON_AddStringToObject(fp2, "model", "y = A*x^k (x as used, i.e. after :inv)");
    cJSON_AddNumberToObject(fp2, "A", pA);
    cJSON_AddNumberToObject(fp2, "lnA_err", plnA_err);
    cJSON_AddNumberToObject(fp2, "k", pk);
    cJSON_AddNumberToObject(fp2, "k_err", pk_err);
    if (qx.inv) cJSON_AddNumberToObject(fp2, "exponent_vs_raw_x_column", -pk);
    cJSON *aj = cJSON_AddObjectToObject(js, "autocorrelation");
    cJSON_AddNumberToObject(aj, "bin_width", acf_dr);
    cJSON_AddNumberToObject(aj, "r_max", acf_rmax);
    const corr_acf *acfs[2] = {&ax, &ay};
    double xis[2] = {xi_x, xi_y}, xie[2] = {xi_x_err, xi_y_err}, r3[2] = {rx3, ry3};
    (void)acfs;
    for (int k = 0; k < 2; k++) {
        cJSON *o = cJSON_AddObjectToObject(aj, qn[k]);
        cJSON_AddNumberToObject(o, "xi", xis[k]);
        cJSON_AddNumberToObject(o, "xi_err", xie[k]);
        cJSON_AddNumberToObject(o, "r_at_e-3", r3[k]);
        cJSON_AddNumberToObject(o, "r_at_e-3_from_fit", 3 * xis[k]);
        char qp[64];
        snprintf(qp, sizeof qp, "autocorrelation.%s.xi", qn[k]);
        if (!isfinite(xis[k])) bpel_quality_add(js, qp, BPEL_Q_NOT_DETERMINED, "%s", xi_why[k]);
        else if (!(xie[k] < 0.25 * xis[k]))
            bpel_quality_add(js, qp, BPEL_Q_WEAK, "ξ = %.3g ± %.2g Å: uncertain by more than 25 %%", xis[k], xie[k]);
        else bpel_quality_add(js, qp, BPEL_Q_OK, "ξ = %.3g ± %.2g Å", xis[k], xie[k]);
        snprintf(qp, sizeof qp, "autocorrelation.%s.r_at_e-3", qn[k]);
        if (!isfinite(r3[k]))
            bpel_quality_add(js, qp, BPEL_Q_NOT_DETERMINED, "C(r) does not fall to e^-3 within r_max = %g Å", acf_rmax);
        else if (r3[k] < 2 * acf_dr)
            bpel_quality_add(js, qp, BPEL_Q_WEAK, "C(r) falls to e^-3 within the first two bins of %g Å", acf_dr);
        else bpel_quality_add(js, qp, BPEL_Q_OK, "C(r) crosses e^-3 inside the data");
    }
    /* the optimum of r(L) and its correlation */
    if (kopt == nL - 1 && nL > 1)
        bpel_quality_add(js, "optimal_L", BPEL_Q_WEAK,
                         "the largest L scanned (%g Å): r may still rise beyond it (raise --lmax)", lmax);
    else if (kopt == 0 && nL > 1)
        bpel_quality_add(js, "optimal_L", BPEL_Q_WEAK, "the smallest L scanned (%g Å): coarse-graining does not help",
                         Ls[0]);
    else bpel_quality_add(js, "optimal_L", BPEL_Q_OK, "a maximum of r(L) inside the scanned range");
    if (nboot > 0 && st[kopt].lo <= 0 && st[kopt].hi >= 0)
        bpel_quality_add(js, "pearson_r_at_optimum", BPEL_Q_WEAK, "its %g %% interval %.2f..%.2f includes 0",
                         100 * conf, st[kopt].lo, st[kopt].hi);
    else if (nboot > 0)
        bpel_quality_add(js, "pearson_r_at_optimum", BPEL_Q_OK, "%g %% interval %.2f..%.2f", 100 * conf, st[kopt].lo,
                         st[kopt].hi);
    else bpel_quality_add(js, "pearson_r_at_optimum", BPEL_Q_WEAK, "no bootstrap interval (--bootstrap 0)");
    if (kopt == nL - 1 && nL > 1)
        bpel_quality_add(js, "pearson_r_at_optimum", BPEL_Q_WEAK, "taken at the edge of the L range");
    {
        /* Fisher z: the raw r differs from 0 at 95 % when |atanh r| sqrt(n − 3) > 1.96 */
        size_t np = st[0].n; /* atoms with both values, not all atoms */
        double z = np > 3 ? atanh(st[0].r) * sqrt((double)np - 3) : 0;
        if (fabs(z) > 1.96) bpel_quality_add(js, "pearson_r_raw", BPEL_Q_OK, "%zu atoms; differs from 0 at 95 %%", np);
        else bpel_quality_add(js, "pearson_r_raw", BPEL_Q_WEAK, "%zu atoms; not distinguishable from 0 at 95 %%", np);
    }
    cJSON *gj = cJSON_AddObjectToObject(js, "groups");
    cJSON_AddNumberToObject(gj, "fraction", gfrac);
    cJSON_AddStringToObject(gj, "ranked_by", qx.column);
    cJSON_AddStringToObject(gj, "ranking", "within each species");
    cJSON *ga = cJSON_AddArrayToObject(gj, "species");
    for (int t = 1; t <= s->ntypes; t++) {
        for (int g = 1; g >= -1; g -= 2) {
            double sum = 0, sum2 = 0;
            size_t m = 0;
            for (size_t i = 0; i < n; i++)
                if (s->type[i] == t && group[i] == g && isfinite(qy.raw[i])) {
                    sum += qy.raw[i];
                    sum2 += qy.raw[i] * qy.raw[i];
                    m++;
                }
            cJSON *o = cJSON_CreateObject();
            cJSON_AddNumberToObject(o, "type", t);
            cJSON_AddStringToObject(o, "species", cli_type_name(s, t, buf, sizeof buf));
            cJSON_AddStringToObject(o, "group", g > 0 ? "top" : "bottom");
            cJSON_AddNumberToObject(o, "n_atoms", (double)m);
            double mean = m ? sum / m : NAN;
            cJSON_AddNumberToObject(o, "y_mean", mean);
            cJSON_AddNumberToObject(o, "y_sd", m > 1 ? sqrt(fmax(0, (sum2 - m * mean * mean) / (m - 1))) : NAN);
            cJSON_AddItemToArray(ga, o);
        }
    }
    snprintf(path, sizeof path, "%s/summary.json", out);
    if ((rc = bpel_out_json(path, js))) goto fail;

    printf("optimal L = %.3g Å: r = %.4f", Lopt, st[kopt].r);
    if (nboot > 0) printf(" (%g %% CI %.4f .. %.4f)", 100 * conf, st[kopt].lo, st[kopt].hi);
    printf("; raw r = %.4f\n", st[0].r);
    printf("xi(x) = %.3f Å, xi(y) = %.3f Å; C = e^-3 at r = %.3f Å (x), %.3f Å (y)\n", xi_x, xi_y, rx3, ry3);
    printf("binned: y = a x with a = %.5g ± %.2g; y = A x^k with k = %.4f ± %.4f\n", fa, fa_err, pk, pk_err);
    printf("outputs in %s/\n", out);
    rc = 0;
fail:
    if (js) cJSON_Delete(js);
    corr_acf_free(&ax);
    corr_acf_free(&ay);
    corr_bins_free(&bins);
    free(group);
    free(blocks);
    free(cgx);
    free(cgy);
    free(Ls);
    free(st);
    corr_pairs_destroy(pr);
    free(qx.raw);
    free(qx.v);
    free(qy.raw);
    free(qy.v);
    system_destroy(s);
    return rc ? cli_error() : 0;
}
