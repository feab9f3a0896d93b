/* kpm.h — the vibrational density of states of a large structure without
 * diagonalising: the kernel polynomial method (KPM) on the sparse
 * mass-weighted dynamical matrix, with its statistical error.
 *
 *   D = M^{-1/2} H M^{-1/2}   (eV/(Å²·amu)),  H the block-sparse Hessian (hessian.h)
 *
 * Bounds. The spectrum of D is enclosed in [a, b]: `lanczos_steps` Lanczos
 * steps from a random vector (translations projected out) give the extreme
 * Ritz values θ_lo, θ_hi and the residual r_hi of θ_hi; then
 *   b = min(θ_hi + r_hi + 0.01 (θ_hi − min(θ_lo, 0)), Gershgorin bound of D)
 *   a = min(θ_lo, 0) − 1e-4 (b − min(θ_lo, 0))      (not below Gershgorin)
 * The lower margin is kept small on purpose: with a ≈ 0 the Chebyshev
 * variable θ = arccos x is proportional to ω near ω = 0, so the resolution in
 * ω is uniform from the lowest modes up (see sigma_omega); a minimum has no
 * eigenvalue below 0 but rounding. If a random vector reveals eigenvalues
 * outside [a, b] (a moment |μ_m| > 1 + 1e-6: an unstable mode is amplified
 * as cosh(m·acosh|x|)), the moments are computed again on the Gershgorin
 * interval (bounds_source says so), at a much coarser resolution near ω = 0.
 *
 * Moments. D̃ = (2D − (a + b))/(b − a) has its spectrum in [−1, 1]. For R
 * random vectors v_r (Rademacher ±1 by default, or Gaussian), with the three
 * rigid translations t_q (t_q[3i+α] = δ_qα √(m_i/Σm), exact zero modes of D)
 * projected out, w_r = v_r − Σ_q (t_q·v_r) t_q:
 *   μ_m^r = <w_r|T_m(D̃)|w_r> / <w_r|w_r>,   μ_m = (1/R) Σ_r μ_m^r
 * so E[μ_m] = (1/(3N−3)) Σ_k T_m(x_k) over the 3N−3 vibrational modes (up to
 * an O(1/N) ratio bias) and μ_0^r = 1 exactly: the translations carry no
 * weight and every estimate is normalised over the 3N−3 other modes, as the
 * dense g of vdos.h. The recursion α_0 = w, α_1 = D̃ w,
 * α_{n+1} = 2 D̃ α_n − α_{n−1} gives two moments per product:
 *   μ_{2n} = 2<α_n|α_n> − μ_0,   μ_{2n+1} = 2<α_{n+1}|α_n> − μ_1.
 * Up to 16 vectors share one pass over H (bpel_hess_sparse_matmul); the mass
 * weighting is a diagonal scaling before and after each product.
 *
 * Density. With the Jackson kernel g_m (damping the Gibbs oscillations,
 * positive density), the density of x = cos θ is
 *   ρ(x) = [g_0 μ_0 + 2 Σ_{m≥1} g_m μ_m T_m(x)] / (π √(1 − x²)),
 * whose integral from −1 to x = cos θ is exact:
 *   P(θ) = [g_0 μ_0 (π − θ) − 2 Σ_{m≥1} g_m μ_m sin(mθ)/m] / π.
 * Bin b, [ω_b, ω_{b+1}), gets g_b = [P(θ(ω_{b+1})) − P(θ(ω_b))]/width with
 * λ(ω) = sign(ω)(ω/F)², F = BPEL_OMEGA_FACTOR (so the bins are the average of
 * g(ω) = ρ_λ(λ)·2ω/F² over each bin and Σ_b g_b·width = 1 exactly). Bins are
 * those of vib_vdos: bin b covers [omega_lo + b·width, omega_lo + (b+1)·width).
 *
 * Statistical error. Each vector gives its own g_b^r (the map from moments
 * to bins is linear); g_b is their mean and g_err_b their standard error
 * √(Σ_r (g_b^r − g_b)² / (R(R−1))). For Rademacher vectors the variance of a
 * bin holding n_b modes with extended eigenvectors is ≈ 2 n_b/(3N)² per
 * vector: a relative error ≈ √(2/(n_b R)). The error says nothing of the
 * kernel: g is the true g convolved with the Jackson kernel, of standard
 * deviation σ_θ ≈ π/M in θ, i.e. σ_ω(ω) = |dω/dθ| σ_θ, which near ω = 0 is
 * ≈ F √(b − a)·σ_θ/2 (0.14 rad/ps for Cu–Zr with M = 512).
 *
 * Cost: R/16 blocks × M/2 products, each one pass over H with up to 16
 * vectors; memory beyond H: 4 arrays of 3N × 16 doubles and R·M moments.
 * Results depend on the seed only, not on the threads or block sizes (up to
 * rounding). */
#ifndef BPEL_KPM_H
#define BPEL_KPM_H

#include <stddef.h>

#include "hessian.h"

enum { KPM_RADEMACHER = 0, KPM_GAUSSIAN = 1 };

typedef struct kpm_params {
    int moments;        /* M, Chebyshev moments (default 512) */
    int vectors;        /* R random vectors, >= 2 (default 32) */
    unsigned long seed; /* random vectors (default 1) */
    int distribution;   /* KPM_RADEMACHER (default) or KPM_GAUSSIAN */
    double bin_width;   /* rad/ps (default 0.5) */
    double omega_lo;    /* rad/ps, lower edge of bin 0; NAN (default): floor(ω(a)/width)·width, at most 0 */
    int lanczos_steps;  /* for the bounds (default 40) */
    double lambda_lo, lambda_hi; /* eV/(Å²·amu); lo < hi: use these bounds instead (no check beyond |μ_m| <= 1) */
    int threads;        /* OpenMP threads, 0 (default): the current setting */
    int keep_translations; /* diagnostic only: 1 leaves the translations in the vectors and
                            * normalises over 3N (tests show the difference) */
    void (*progress)(void *ctx, double done, double total); /* NULL, or called after each pass over H
                            * (from the calling thread; done/total in passes) */
    void *progress_ctx;
} kpm_params;

void bpel_kpm_defaults(kpm_params *p);

typedef struct kpm_result {
    size_t natoms, ndof;   /* N, 3N */
    double norm;           /* modes normalised over: 3N − 3 (3N with keep_translations) */
    int moments, vectors;
    int distribution;
    unsigned long seed;
    double lambda_lo, lambda_hi;  /* [a, b] used, eV/(Å²·amu) */
    double ritz_lo, ritz_hi;      /* extreme Lanczos Ritz values (NAN when bounds were given) */
    double resid_lo, resid_hi;    /* their residual norms */
    double gersh_lo, gersh_hi;    /* Gershgorin interval of D */
    char bounds_source[96];
    double *mu;            /* [M] mean moments */
    double *mu_vec;        /* [R·M] moments of each vector, vector-major */
    double *jackson;       /* [M] kernel coefficients g_m */
    double sigma_theta;    /* standard deviation of the kernel in θ (rad) */
    size_t nbins;
    double omega_lo, width; /* rad/ps, as vib_vdos */
    double *g;             /* [nbins] per rad/ps, mean over the vectors */
    double *g_err;         /* [nbins] standard error of g */
    double *sigma_omega;   /* [nbins] kernel standard deviation in ω at each bin centre, rad/ps */
    long products;         /* matrix–vector products (a block of k counts k) */
    int matrix_passes;     /* passes over H */
    double t_bounds, t_moments, t_density; /* wall seconds */
} kpm_result;

/* g(ω) of D = M^{-1/2} H M^{-1/2}; mass[i] > 0 in amu for each of the h->n
 * atoms. */
int bpel_kpm_vdos(const hess_sparse *h, const double *mass, const kpm_params *p, kpm_result **out);
void bpel_kpm_result_destroy(kpm_result *r);
static inline double kpm_bin_centre(const kpm_result *r, size_t b) { return r->omega_lo + (b + 0.5) * r->width; }

/* Jackson kernel g_m, m = 0..M−1: g_m = [(M−m+1) cos(πm/(M+1)) +
 * sin(πm/(M+1)) cot(π/(M+1))]/(M+1). */
void bpel_kpm_jackson(int M, double *g);
/* Exact moments μ_m = (1/n) Σ_k T_m(x_k), x_k = (2λ_k − a − b)/(b − a), of n
 * eigenvalues inside [a, b] (the expectation of the stochastic moments; for
 * tests and the comparison with the dense spectrum). */
int bpel_kpm_moments_exact(size_t n, const double *lambda, double a, double b, int M, double *mu);
/* The Jackson-damped density of moments mu[r->moments] (taken on the bounds
 * of `r`) averaged over the bins of `r` into g[r->nbins], per rad/ps.
 * BPEL_OK or BPEL_ENOMEM. */
int bpel_kpm_bins(const kpm_result *r, const double *mu, double *g);

#endif
