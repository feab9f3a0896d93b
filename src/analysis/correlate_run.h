/* correlate_run.h — the correlation stage of the pipeline (paper §III,
 * Figs. 2–5) as library calls on a configuration in memory; the kernels
 * they use (coarse-graining, Pearson r, binning, fits, C(r), groups) and
 * their equations are in correlate.h.
 *
 *   bpel_corr_run          reads the two per-atom quantities from their CSV tables
 *                     (table.h), settles the L range the box allows, scans
 *                     the Pearson r of the coarse-grained fields over L with
 *                     bootstrap intervals, takes the L of the largest |r|, and
 *                     there computes the binned law with its two fits, the
 *                     autocorrelations C(r) with ξ and the e⁻³ crossing, the
 *                     top/bottom groups of x per species with the statistics
 *                     of y in them, and the quality verdicts (quality.h);
 *   bpel_corr_run_write    writes the tables, correlate.xyz and summary.json;
 *   bpel_corr_run_figures  draws the figures (PNG + SVG, figure.h).
 *
 * Nothing is printed: warnings (atoms left out, a range or bin size lowered,
 * a fit that failed) go to an optional callback as one line each, and the
 * r(L) scan reports its progress to another.
 *
 * Files of bpel_corr_run_write in DIR (created if missing):
 *   correlation_vs_L.csv  L_A, pearson_r, ci_low, ci_high, n_atoms
 *   coarse_grained.csv    id, type, x, y and both coarse-grained at the optimal L
 *   binned.csv            bins of the coarse-grained values: counts, means, standard errors
 *   autocorrelation.csv   C(r) of x and y with the pairs per bin
 *   groups.csv            atoms of the top and bottom groups with their raw x and y
 *   correlate.xyz         extended XYZ for OVITO: x, y, coarse-grained, group
 *   summary.json          parameters, results and quality, written last
 * Figures of bpel_corr_run_figures in DIR:
 *   fig2_groups            per species, histograms of y in the top and bottom groups of x
 *   fig3_pearson_vs_L      r(L) with its bootstrap interval and the optimum
 *   fig4a_density          [y]_CG against [x]_CG at the optimum, coloured by local density
 *   fig4b_binned           binned means with y = a·x and y = A·x^k
 *   fig5a-d_maps           slab maps of x, y, [x]_CG and [y]_CG
 *   fig5e_autocorrelation  C(r) of both with exp(−r/ξ) and the e⁻³ level
 * summary.json marks a finished run: call bpel_corr_run_figures before
 * bpel_corr_run_write when the figures must be complete too.
 *
 * Typical use:
 *
 *     corr_run_params p;
 *     bpel_corr_run_defaults(&p);
 *     p.x_spec = "modes/atoms.csv:I_BP_per_radps3:inv";    // 1/I_BP
 *     p.y_spec = "artn/atoms.csv:dq_mean_eV";              // ΔQ
 *     corr_run_result r;
 *     int rc = bpel_corr_run(sys, &p, &r);
 *     if (!rc) rc = bpel_corr_run_figures("out", sys, &p, &r);
 *     if (!rc) rc = bpel_corr_run_write("out", sys, &p, &r);
 *     bpel_corr_run_free(&r);
 *
 * Lengths in Å; quantities in the units of their columns. Errors follow
 * error.h; messages name parameters by their `bpel correlate` options
 * (lmax as --lmax, allow_missing as --allow-missing, ...). */
#ifndef BPEL_CORRELATE_RUN_H
#define BPEL_CORRELATE_RUN_H

#include <stddef.h>

#include "correlate.h"
#include "quality.h"
#include "structure.h"

typedef struct corr_run_params {
    /* The quantities: "FILE.csv:COLUMN[:inv]" (bpel_tbl_parse_spec; ":inv" uses
     * 1/value), or "COLUMN[:inv]" with the file in `table`. x is the one on
     * the horizontal axes and the one ranked for the groups. */
    const char *x_spec, *y_spec;
    const char *table;           /* NULL: every spec names its file */
    int allow_missing;           /* atoms absent from a table or nan there are
                                  * left out (NaN) instead of an error */
    const char *x_label, *y_label; /* names in figures, used as given; NULL:
                                  * the paper's symbol for bpel's columns
                                  * (e.g. ΔQ (eV), 1/I_BP), else the column */
    const char *data;            /* name of the configuration in messages and
                                  * in the summary; NULL: the system's source */
    const char *provenance;      /* summary.json "provenance"; NULL: left out */

    double lmin, lmax, dl;       /* L grid lmin, lmin + dl, ... <= lmax (0, 10, 0.5) */
    int lmax_fixed;              /* 0: a grid reaching beyond what the box allows
                                  * stops at the largest multiple of dl that
                                  * fits (a note); 1: it is an error */
    int gaussian;                /* Gaussian weights instead of uniform (correlate.h) */
    long nboot;                  /* bootstrap resamples (1000; 0: no interval) */
    double conf;                 /* confidence level (0.95) */
    long seed;                   /* >= 0; the bootstrap of L[k] uses seed + k (1) */
    double block_edge;           /* > 0: spatial block bootstrap over cubes of at
                                  * least this edge (bpel_corr_blocks); 0: atoms */
    long bin_size;               /* atoms per bin of the numerical coarse-graining
                                  * (100; lowered to a quarter of the atoms with
                                  * both values when that is smaller) */
    int bin_by;                  /* binning sorted by x (0) or y (1) */
    double acf_rmax, acf_dr;     /* range and bin width of C(r) (12, 0.25) */
    int acf_rmax_fixed;          /* 0: a range reaching half the box is lowered
                                  * to 0.98 of it; 1: it is an error */
    double group_fraction;       /* top/bottom fraction of the raw x column per
                                  * species (0.1) */
    double slab_width;           /* thickness of the slab of the maps (4) */
    int slab_axis;               /* its normal through the box centre: 0 x, 1 y, 2 z (z) */

    /* Optional callbacks (NULL: none), both given `ctx`. `note` receives
     * one line of warning without a newline; `progress` is called with
     * done = 0 before the r(L) scan and after each length up to done = total. */
    void (*note)(void *ctx, const char *line);
    void (*progress)(void *ctx, size_t done, size_t total);
    void *ctx;
} corr_run_params;

/* One quantity as read. */
typedef struct corr_quantity {
    char path[512];    /* its table */
    char column[128];
    int inv;           /* 1/value used */
    char name[160];    /* name in the outputs: the column, "inv_" in front with inv */
    double *raw;       /* [n] column value, NaN where missing */
    double *v;         /* [n] value used: raw, or 1/raw with inv */
    size_t n_missing;  /* atoms without a value (allow_missing) */
} corr_quantity;

/* Statistics of the raw y column in one group of one species. */
typedef struct corr_group_stat {
    int type;          /* atom type, 1..ntypes */
    int group;         /* +1 top, −1 bottom fraction of x */
    size_t n;          /* atoms of the group with a finite y */
    double y_mean;     /* NaN when n = 0 */
    double y_sd;       /* sample standard deviation; NaN when n < 2 */
} corr_group_stat;

/* A quality verdict and its reason, as written under summary.json "quality". */
typedef struct corr_verdict {
    bpel_quality q;
    char reason[512];
} corr_verdict;

typedef struct corr_run_result {
    size_t n;                  /* atoms */
    corr_quantity x, y;
    /* r(L) */
    double lmin, lmax, dl;     /* the grid scanned (lmax as settled) */
    int lmax_lowered;          /* lmax was lowered to fit the box */
    size_t nL;
    double *L;                 /* [nL] */
    corr_stat *stat;           /* [nL] r, interval (NaN without bootstrap), atoms */
    size_t kopt;               /* index of the largest |r| (the first of equals) */
    double L_opt;
    int nblocks;               /* bootstrap blocks; 0: atoms were resampled */
    /* at the optimal L */
    double *cgx, *cgy;         /* [n] coarse-grained x and y */
    long bin_size;             /* atoms per bin used */
    corr_bins bins;
    double fit_a, fit_a_err;   /* y = a·x over the bins (NaN when the fit failed) */
    double fit_A, fit_lnA_err, fit_k, fit_k_err; /* y = A·x^k (x as used) */
    /* autocorrelations, [0] x and [1] y */
    double acf_rmax;           /* range used */
    corr_acf acf[2];
    double xi[2], xi_err[2];   /* C(r) = exp(−r/ξ); NaN when the fit failed */
    char xi_why[2][300];       /* why it failed, else "" */
    double r_e3[2];            /* first r where C(r) = e⁻³; NaN if never */
    /* groups */
    int *group;                /* [n] +1 top, −1 bottom, 0 neither */
    int ngroup_stats;          /* 2 per type */
    corr_group_stat *group_stats; /* type 1 top, type 1 bottom, type 2 top, ... */
    /* quality of the summary's numbers (autocorrelation.x.xi, autocorrelation.x.r_at_e-3,
     * the same for y, optimal_L, pearson_r_at_optimum, pearson_r_raw) */
    struct {
        corr_verdict xi[2], r_e3[2], optimal_L, r_opt, r_raw;
    } quality;
} corr_run_result;

/* Keys of summary.json that other stages read back (the study's report); a
 * number is found at its dotted path, e.g.
 * CORR_KEY_ACF "." CORR_KEY_X "." CORR_KEY_XI, also its key under "quality"
 * (quality.h). The objects of x and y are named CORR_KEY_X and CORR_KEY_Y at
 * the top and under CORR_KEY_ACF. */
#define CORR_FILE_SUMMARY "summary.json"
#define CORR_KEY_OPTIMAL_L "optimal_L"
#define CORR_KEY_R_OPT "pearson_r_at_optimum"
#define CORR_KEY_R_RAW "pearson_r_raw"
#define CORR_KEY_ACF "autocorrelation"
#define CORR_KEY_X "x"
#define CORR_KEY_Y "y"
#define CORR_KEY_XI "xi"
#define CORR_KEY_R_E3 "r_at_e-3"

void bpel_corr_run_defaults(corr_run_params *p);
/* The numerical parameters' ranges: 0 <= lmin <= lmax, dl > 0; nboot >= 0,
 * bin_size >= 2; 0 < conf < 1; acf_rmax > acf_dr > 0; slab_width > 0;
 * block_edge >= 0; slab_axis and bin_by in range. BPEL_OK or BPEL_EINVAL. */
int bpel_corr_run_check(const corr_run_params *p);

/* The analysis. Errors: bad parameters, unreadable tables or missing values
 * (see bpel_tbl_join), a zero under ":inv", an explicit lmax or acf_rmax the box
 * cannot hold, fewer than 4 bootstrap blocks. `r` is zeroed first and holds
 * nothing to free on failure. */
int bpel_corr_run(const bpel_system *s, const corr_run_params *p, corr_run_result *r);
/* The files listed above, from the result of bpel_corr_run with the same s and p. */
int bpel_corr_run_write(const char *dir, const bpel_system *s, const corr_run_params *p, const corr_run_result *r);
/* The figures listed above. */
int bpel_corr_run_figures(const char *dir, const bpel_system *s, const corr_run_params *p, const corr_run_result *r);
void bpel_corr_run_free(corr_run_result *r);

#endif
