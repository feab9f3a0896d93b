/* correlate.h — spatial correlation of two per-atom quantities (paper §III,
 * Figs. 2–5): coarse-graining over a length L, Pearson r as a function of L
 * with bootstrap confidence intervals, numerical coarse-graining (binning)
 * with fits, spatial autocorrelation functions and top/bottom groups.
 *
 * Coarse-graining (SPEC §6):
 *   [P]_CG(i) = Σ_j w(r_ij) P_j / Σ_j w(r_ij),  over atoms j with r_ij <= R,
 * r_ij the minimum-image distance and j = i included. Uniform weights: w = 1,
 * R = L. Gaussian weights: w = exp(-r²/2σ²) with σ = L/√5 (the Gaussian then
 * has the same second moment <r²> = 3L²/5 as a uniform sphere of radius L),
 * cut at R = 3σ ≈ 1.342 L. L = 0 returns P itself. Atoms whose value is NaN
 * (missing) do not contribute; [P]_CG is NaN where no neighbour has a value.
 *
 * Spatial autocorrelation (paper Eq. 2), with ΔP = P − <P>:
 *   C(r) = <ΔP_i ΔP_j>_{pairs with r_ij in the bin of r} / <ΔP²>,
 * so C(0) = 1; fitted by C(r) = exp(−r/ξ).
 *
 * Lengths in Å. Every distance is a minimum-image distance, so lengths must
 * stay below half the smallest perpendicular box width. */
#ifndef BPEL_CORRELATE_H
#define BPEL_CORRELATE_H

#include <stddef.h>
#include "structure.h"

/* Gaussian width over L and cut-off over σ for Gaussian weights. */
#define CORR_GAUSS_SIGMA_OVER_L 0.44721359549995793 /* 1/√5 */
#define CORR_GAUSS_CUT_OVER_SIGMA 3.0

/* All pairs of atoms closer than rmax (minimum image), per atom, with
 * their distances; built once with a cell list, reused for every L. */
typedef struct corr_pairs corr_pairs;

/* rmax must be positive and below half the smallest box width. */
int bpel_corr_pairs_create(const bpel_system *s, double rmax, corr_pairs **out);
void bpel_corr_pairs_destroy(corr_pairs *p);
double bpel_corr_pairs_rmax(const corr_pairs *p);
/* One neighbour: its distance (Å) and atom index. */
typedef struct corr_nb {
    float r;
    unsigned j;
} corr_nb;
/* Neighbours of atom i within rmax, sorted by distance; returns the count. */
size_t bpel_corr_pairs_of(const corr_pairs *p, size_t i, const corr_nb **nb);
/* The largest uniform L that the pairs support for the given weights. */
double bpel_corr_max_L(const corr_pairs *p, int gaussian);

/* Coarse-grain p (one value per atom, NaN = missing) over L; out[n]. */
int bpel_corr_coarse_grain(const corr_pairs *pr, const double *p, double L, int gaussian, double *out);

/* Pearson correlation with a percentile bootstrap confidence interval.
 * Pairs where x or y is NaN are left out. nboot = 0: no interval (lo = hi
 * = NaN). Resampling draws atoms with replacement (gsl mt19937, seeded), so
 * the interval ignores the spatial correlation of neighbouring atoms. */
typedef struct corr_stat {
    double r;      /* Pearson coefficient */
    double lo, hi; /* confidence interval */
    size_t n;      /* pairs used */
} corr_stat;
int bpel_corr_pearson(size_t n, const double *x, const double *y, int nboot, unsigned long seed, double conf,
                 corr_stat *out);
/* The same with a spatial block bootstrap: whole blocks of atoms (block[i]
 * in 0..nblocks−1, e.g. from bpel_corr_blocks) are resampled, which keeps the
 * correlation between neighbouring coarse-grained values inside each
 * resample and so gives honest intervals when blocks are wider than the
 * correlation length. block = NULL resamples single atoms. At least 4
 * blocks are needed. */
int bpel_corr_pearson_blocked(size_t n, const double *x, const double *y, const int *block, int nblocks, int nboot,
                         unsigned long seed, double conf, corr_stat *out);
/* Cut the box into blocks along its cell vectors, as many per direction
 * as fit with a perpendicular width >= edge (at least one); block[n]
 * receives each atom's block. */
int bpel_corr_blocks(const bpel_system *s, double edge, int *block, int *nblocks);

/* Pearson r of [x]_CG and [y]_CG for each of nL lengths L[k] (out[nL]);
 * the bootstrap (over atoms, or blocks when block is not NULL) of each L
 * uses seed + k. */
int bpel_corr_vs_L(const corr_pairs *pr, const double *x, const double *y, size_t nL, const double *L, int gaussian,
              const int *block, int nblocks, int nboot, unsigned long seed, double conf, corr_stat *out);

/* Numerical coarse-graining: atoms sorted by x (by = 0) or y (by = 1), cut
 * into consecutive bins of bin_size atoms (a remainder smaller than half a
 * bin joins the last bin); mean and standard error of x and y per bin.
 * NaN pairs are left out. */
typedef struct corr_bins {
    size_t nbins;
    double *xm, *xsem, *ym, *ysem; /* [nbins] */
    size_t *count;                 /* [nbins] atoms per bin */
} corr_bins;
int bpel_corr_bin(size_t n, const double *x, const double *y, int by, size_t bin_size, corr_bins *out);
void bpel_corr_bins_free(corr_bins *b);

/* Weighted least squares y = a·x (weights 1/sy², sy NULL: unweighted);
 * *a_err is the standard error (scaled by the reduced χ² as usual when the
 * scatter exceeds the given errors). */
int bpel_corr_fit_proportional(size_t n, const double *x, const double *y, const double *sy, double *a, double *a_err);
/* Power law y = A·x^k fitted as a straight line in log–log (points with
 * x, y <= 0 left out; weights from sy/y); standard errors of ln A and k. */
int bpel_corr_fit_power(size_t n, const double *x, const double *y, const double *sy, double *A, double *k,
                   double *lnA_err, double *k_err);

/* Spatial autocorrelation C(r) of one quantity in bins of width dr up to
 * rmax (<= the pairs' rmax). Bin 0 is r = 0 (C = 1 exactly); bin b >= 1
 * holds pairs with (b−1)·dr < r <= b·dr and is reported at the mean pair
 * distance in it. */
typedef struct corr_acf {
    size_t nbins;
    double dr;       /* Å */
    double *r;       /* [nbins] mean distance of the pairs in the bin, Å */
    double *c;       /* [nbins] C(r) */
    size_t *npairs;  /* [nbins] ordered pairs counted (i,j and j,i) */
} corr_acf;
int bpel_corr_autocorrelation(const corr_pairs *pr, const double *p, double dr, double rmax, corr_acf *out);
void bpel_corr_acf_free(corr_acf *a);
/* Least-squares fit of C(r) = exp(−r/ξ) over bins with r <= rfit (all bins
 * up to the first with C <= 0 when rfit <= 0). */
int bpel_corr_fit_exp(const corr_acf *a, double rfit, double *xi, double *xi_err);
/* First r where C(r) falls to `level` (linear interpolation between bins);
 * NaN if it never does. */
double bpel_corr_acf_crossing(const corr_acf *a, double level);

/* Groups per atom type: within each type, atoms with the highest
 * (group +1) and lowest (group −1) `fraction` of v; others 0. NaN values
 * are in no group. group[n]. */
int bpel_corr_groups(size_t n, const int *type, const double *v, double fraction, int *group);

#endif
